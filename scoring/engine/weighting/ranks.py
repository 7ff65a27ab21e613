"""Rank agreement between the official ranking and an alternative one: Spearman's ρ and Kendall's τ-b.

Implemented with numpy (scipy is not a runtime dependency); the tests compare both with
``scipy.stats.spearmanr`` / ``kendalltau`` (τ-b, the tie-corrected variant) to 1e-12.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

Array = npt.NDArray[np.float64]
_BLOCK = 2048  # rows of the pairwise comparison handled at once (memory ~ block × n)


def average_ranks(values: Array) -> Array:
    """Ranks 1…n, ties sharing their mean rank (as ``scipy.stats.rankdata`` default)."""
    return np.asarray(pd.Series(values).rank(method="average"), dtype=np.float64)


def spearman(x: Array, y: Array) -> float:
    """Spearman's ρ: the Pearson correlation of the average ranks; NaN when either side is constant."""
    rx, ry = average_ranks(x), average_ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = float(np.sqrt((rx**2).sum() * (ry**2).sum()))
    return float((rx * ry).sum() / denom) if denom > 0 else float("nan")


def kendall_tau_b(x: Array, y: Array) -> float:
    """Kendall's τ-b = (C − D) / √((n₀ − n₁)(n₀ − n₂)), ties in x (n₁) and y (n₂) corrected.

    Counted over all pairs in blocks, O(n²) time and O(block × n) memory: fine for a city's merchants.
    """
    n = len(x)
    concordance = 0.0
    untied_x = untied_y = 0.0
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        dx = np.sign(x[start:stop, None] - x[None, :])
        dy = np.sign(y[start:stop, None] - y[None, :])
        concordance += float((dx * dy).sum())
        untied_x += float(np.abs(dx).sum())
        untied_y += float(np.abs(dy).sum())
    # every unordered pair was seen twice (i, j) and (j, i)
    denom = np.sqrt(untied_x * untied_y)
    return float(concordance / denom) if denom > 0 else float("nan")


def rank_agreement(official: pd.Series, alternative: pd.Series) -> dict[str, float]:
    """Spearman and Kendall between two score (or rank) Series aligned on their index; NaN pairs dropped."""
    both = pd.concat([official.rename("a"), alternative.rename("b")], axis=1).dropna()
    x, y = both["a"].to_numpy(dtype=float), both["b"].to_numpy(dtype=float)
    if len(both) < 2:
        return {"spearman": float("nan"), "kendall": float("nan"), "n": float(len(both))}
    return {"spearman": spearman(x, y), "kendall": kendall_tau_b(x, y), "n": float(len(both))}
