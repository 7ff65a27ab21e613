"""Competition ranking (SPEC §5.2, §10.4): 1, 2, 2, 4; vetoed merchants after all others."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# Totals are at most a few hundred points, so a veto offset of 1e6 puts every vetoed merchant
# behind every other while keeping their order by total among themselves.
_VETO_OFFSET = 1_000_000.0

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.intp]]


def rank_key(total: pd.Series, vetoed: pd.Series) -> FloatArray:
    """Ascending sort key of the ranking: −total, vetoed merchants after all others (NaN: no rank)."""
    key: FloatArray = vetoed.to_numpy(dtype=float, na_value=np.nan) * _VETO_OFFSET - total.to_numpy(
        dtype=float, na_value=np.nan
    )
    return key


def competition_rank(total: pd.Series, vetoed: pd.Series, group: pd.Series | None = None) -> pd.Series:
    """Rank by rounded total desc (ties share the lowest rank), vetoed last; within ``group`` if given.

    A missing total (or group) has no rank (NaN).
    """
    key = rank_key(total, vetoed)
    codes = None if group is None else np.asarray(pd.factorize(group, use_na_sentinel=True)[0], dtype=np.intp)
    return pd.Series(min_rank(key, codes, ranking_order(key)), index=total.index)


def ranking_order(key: FloatArray, place: IntArray | None = None) -> IntArray:
    """Rows by ``key`` ascending (NaN last); equal keys by ``place`` (default: row order)."""
    if place is None or bool((np.diff(place) > 0).all()):
        return np.argsort(key, kind="stable")
    by_place = np.argsort(place, kind="stable")
    return by_place[np.argsort(key[by_place], kind="stable")]


def min_rank(key: FloatArray, codes: IntArray | None, order: IntArray) -> FloatArray:
    """``method="min"`` ranks of ``key`` (ascending) within each group code; NaN key or code -1: NaN.

    ``order`` is ``ranking_order(key, …)``: one float sort serves the city and every group, which
    only adds a stable (radix) sort of small integer codes.
    """
    out = np.full(len(key), np.nan)
    rows = order[~np.isnan(key[order])]
    if codes is not None:
        rows = rows[codes[rows] >= 0]
        narrow = codes[rows].astype(np.int16 if codes.max(initial=0) < 2**15 else np.int64)
        rows = rows[np.argsort(narrow, kind="stable")]
    if not len(rows):
        return out
    k = key[rows]
    g = codes[rows] if codes is not None else np.zeros(len(rows), dtype=np.intp)
    pos = np.arange(len(rows))
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, k[1:] != k[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    value_start = np.maximum.accumulate(np.where(new_value, pos, 0))
    out[rows] = (value_start - group_start + 1).astype(float)
    return out
