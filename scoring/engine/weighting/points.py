"""From weights to the fixed points of a new indicator-system version (百分制, integer or half points).

Rounding is the largest-remainder method (Hamilton): every item gets the whole number of units
(1 point or 0.5 point) in its exact quota ``total × weight``, and the units still missing to reach
the total go to the largest fractional remainders (ties: larger weight, then listed order). So the
points always add up to exactly the total, and no item is more than one unit from its quota.
Each item keeps at least a minimum number of units (one by default; a dimension at least one per
indicator) — units needed for that are taken from the items furthest above their quota.

Two levels: the dimension totals are apportioned from the dimension weights first, then each
dimension's total is apportioned to its indicators from the indicator weights within it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from scoring.engine.weighting.provenance import WeightingError

STEPS = (1.0, 0.5)


def largest_remainder(
    weights: pd.Series, total: float, step: float = 1.0, minimum: pd.Series | None = None
) -> pd.Series:
    """Points per item (multiples of ``step``) adding up to ``total``, by the largest-remainder method."""
    if step not in STEPS:
        raise WeightingError(f"分值单位只能是整数分或半分，实际为 {step}。")
    units = round(total / step)
    if abs(units * step - total) > 1e-9:
        raise WeightingError(f"总分 {total:g} 不是分值单位 {step:g} 的整数倍。")
    w = weights.astype(float)
    if (w < 0).any() or not w.sum() > 0:
        raise WeightingError("权重应非负且不全为 0。")
    w = w / w.sum()
    low = (minimum if minimum is not None else pd.Series(1, index=w.index)).reindex(w.index).astype(int)
    if low.sum() > units:
        raise WeightingError(f"总分 {total:g} 不足以让每项至少得 {step:g} 分（共需 {low.sum() * step:g} 分）。")
    quota = w.to_numpy() * units
    alloc = np.maximum(np.floor(quota + 1e-9).astype(int), low.to_numpy())
    remainder = quota - alloc
    order = np.arange(len(w))
    short = units - int(alloc.sum())
    if short > 0:  # largest remainder first; ties → larger weight, then listed order
        ranked = np.lexsort((order, -w.to_numpy(), -remainder))
        alloc[ranked[:short]] += 1
    while short < 0:  # minimums pushed the sum over: take from the items furthest above their quota
        spare = np.where(alloc > low.to_numpy())[0]
        take = spare[np.lexsort((-order[spare], w.to_numpy()[spare], remainder[spare]))[0]]
        alloc[take] -= 1
        remainder[take] += 1
        short += 1
    return pd.Series(alloc * step, index=w.index, name="points")


def derive_points(
    dimension_weights: pd.Series,
    indicator_weights: Mapping[str, pd.Series],
    total: float = 100.0,
    step: float = 1.0,
) -> tuple[pd.Series, pd.Series]:
    """(points per dimension, points per indicator): two-level largest remainder, at least one unit each."""
    missing = [d for d in dimension_weights.index if d not in indicator_weights]
    if missing:
        raise WeightingError(f"缺少一级指标 {'、'.join(map(str, missing))} 下的二级指标权重。")
    sizes = pd.Series({d: len(indicator_weights[d]) for d in dimension_weights.index})
    dims = largest_remainder(dimension_weights, total, step, minimum=sizes)
    parts = [largest_remainder(indicator_weights[d], float(dims[d]), step) for d in dimension_weights.index]
    return dims, pd.concat(parts).rename("points")
