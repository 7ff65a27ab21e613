"""TOPSIS (Hwang & Yoon 1981): rank alternatives by relative closeness to the ideal solution.

Steps: normalise each criterion column (vector: x / ‖x‖₂; min-max: (x − min)/(max − min), a constant
column → 1 as in pymcdm); weight it, v = w·r; ideal v⁺ = column max for benefit and min for cost
criteria, anti-ideal v⁻ the opposite; D± = Euclidean distance to v±; closeness C = D⁻ / (D⁺ + D⁻).

pymcdm 1.4 turns cost columns around inside its normalisations (1 − x/‖x‖, (max − x)/(max − min))
and always takes the column max as ideal; the distances, and so C, are identical to the classic
form used here (the tests compare both to 1e-9). When every alternative is identical on every
weighted criterion, D⁺ + D⁻ = 0 and C is set to 0.5 for all: no alternative is closer to the ideal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.engine.weighting.provenance import Provenance, WeightingError

Matrix = npt.NDArray[np.float64]
Normalisation = Literal["vector", "minmax"]
NORMALISATION_LABELS: dict[str, str] = {"vector": "向量归一化 x/‖x‖", "minmax": "极差归一化 (x − min)/(max − min)"}


@dataclass(frozen=True)
class TopsisResult:
    closeness: pd.Series
    d_plus: pd.Series
    d_minus: pd.Series
    ideal: pd.Series
    anti_ideal: pd.Series
    provenance: Provenance


def normalise(matrix: Matrix, how: Normalisation) -> Matrix:
    """Column normalisation without direction (the ideal's side handles cost criteria)."""
    if how == "vector":
        norms = np.sqrt((matrix**2).sum(axis=0))
        return np.where(norms > 0, matrix / np.where(norms > 0, norms, 1.0), 0.0)
    lo, hi = matrix.min(axis=0), matrix.max(axis=0)
    spread = hi - lo
    return np.where(spread > 0, (matrix - lo) / np.where(spread > 0, spread, 1.0), 1.0)


def topsis_kernel(
    matrix: Matrix, weights: Matrix, benefit: npt.NDArray[np.bool_], how: Normalisation
) -> tuple[Matrix, Matrix, Matrix, Matrix, Matrix]:
    """(closeness, D⁺, D⁻, ideal, anti-ideal) for an m × n matrix, weights summing to 1."""
    weighted = normalise(matrix, how) * weights
    ideal = np.where(benefit, weighted.max(axis=0), weighted.min(axis=0))
    anti = np.where(benefit, weighted.min(axis=0), weighted.max(axis=0))
    d_plus = np.sqrt(((weighted - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((weighted - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    closeness = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)
    return closeness, d_plus, d_minus, ideal, anti


def topsis(
    matrix: pd.DataFrame,
    weights: pd.Series,
    normalisation: Normalisation = "vector",
    cost: tuple[str, ...] = (),
    weights_label: str = "",
) -> TopsisResult:
    """TOPSIS closeness (0–1, higher is better) per row of ``matrix``; ``cost`` names cost criteria."""
    if normalisation not in NORMALISATION_LABELS:
        raise WeightingError(f"未知的归一化方法 {normalisation!r}（可用：vector、minmax）。")
    values = matrix.to_numpy(dtype=float)
    if values.shape[0] < 1 or values.shape[1] < 1 or not np.isfinite(values).all():
        raise WeightingError("TOPSIS 的决策矩阵不能为空，也不能含空值：请先处理不适用项。")
    missing = [c for c in matrix.columns if c not in weights.index]
    if missing:
        raise WeightingError(f"TOPSIS：缺少这些指标的权重：{'、'.join(map(str, missing))}。")
    w = weights.reindex(matrix.columns).to_numpy(dtype=float)
    if (w < 0).any() or not w.sum() > 0:
        raise WeightingError("TOPSIS 的权重应非负且不全为 0。")
    benefit = np.array([c not in cost for c in matrix.columns])
    closeness, d_plus, d_minus, ideal, anti = topsis_kernel(values, w / w.sum(), benefit, normalisation)
    rows, cols = matrix.index, matrix.columns
    params: dict[str, str | float | int | bool] = {"对象数": values.shape[0]}
    if weights_label:
        params["权重"] = weights_label
    if cost:
        params["成本型指标"] = "、".join(cost)
    return TopsisResult(
        pd.Series(closeness, index=rows, name="closeness"),
        pd.Series(d_plus, index=rows),
        pd.Series(d_minus, index=rows),
        pd.Series(ideal, index=cols),
        pd.Series(anti, index=cols),
        Provenance("topsis", "TOPSIS", normalisation=NORMALISATION_LABELS[normalisation], params=params),
    )
