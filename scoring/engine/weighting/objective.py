"""Objective weights from the data (熵权法, CRITIC) and combined weighting α·subjective + (1 − α)·objective.

Input is a decision matrix: one row per alternative (merchant), one column per criterion
(indicator), every criterion a benefit criterion with non-negative values (here: points earned as
a share of the indicator's maximum). Definitions follow pymcdm 1.4 (``entropy_weights``,
``critic_weights``), which the tests compare against to 1e-9; where pymcdm leaves a case
undefined, the choice made here is stated in the function's docstring.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.engine.weighting.provenance import Provenance, WeightingError, WeightResult

Matrix = npt.NDArray[np.float64]


def entropy_kernel(matrix: Matrix) -> tuple[Matrix, Matrix, Matrix]:
    """(weights, entropy e_j, divergence d_j) of a non-negative m × n matrix, m ≥ 2.

    p_ij = x_ij / Σ_i x_ij;  e_j = −Σ_i p_ij ln p_ij / ln m  (0 · ln 0 = 0, its limit);
    d_j = 1 − e_j;  w_j = d_j / Σ_k d_k.
    A constant column, zeros included, carries no information: e_j = 1, d_j = 0 exactly.
    (pymcdm refuses any zero, and leaves a constant column a weight of rounding noise, ~1e-16.)
    """
    m = matrix.shape[0]
    sums = matrix.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(sums > 0, matrix / np.where(sums > 0, sums, 1.0), 1.0 / m)
        plogp = np.where(shares > 0, shares * np.log(np.where(shares > 0, shares, 1.0)), 0.0)
    entropy = -plogp.sum(axis=0) / np.log(m)
    # A constant column has e = 1 exactly; computed, it lands at 1 ± ε and would get a noise weight.
    entropy = np.where(matrix.max(axis=0) == matrix.min(axis=0), 1.0, entropy)
    divergence = np.clip(1.0 - entropy, 0.0, None)
    return _share(divergence), entropy, divergence


def critic_kernel(matrix: Matrix) -> tuple[Matrix, Matrix, Matrix, Matrix]:
    """(weights, contrast σ_j, conflict Σ_k (1 − r_jk), information C_j) of an m × n matrix, m ≥ 2.

    Columns are min-max normalised ((x − min)/(max − min)); σ_j is the sample standard deviation
    (ddof = 1) of column j; r_jk the Pearson correlation; C_j = σ_j Σ_k (1 − r_jk); w_j = C_j / Σ C.
    A constant column has σ = 0 and so weight 0; its correlations (undefined; pymcdm warns and returns
    NaN) are taken as 1, so adding a constant criterion leaves the other weights unchanged.
    """
    lo, hi = matrix.min(axis=0), matrix.max(axis=0)
    spread = hi - lo
    constant = spread == 0
    normalised = np.where(constant, 1.0, (matrix - lo) / np.where(constant, 1.0, spread))
    std = normalised.std(axis=0, ddof=1)
    # Pearson r as cov / (σ σ) with population moments, the same arithmetic as pymcdm, so that
    # nearly collinear criteria (1 − r close to rounding noise) come out the same in both.
    spread_pop = normalised.std(axis=0)
    safe = np.where(constant, 1.0, spread_pop)
    corr = np.atleast_2d(np.cov(normalised, rowvar=False, bias=True)) / np.outer(safe, safe)
    corr[constant, :] = 1.0
    corr[:, constant] = 1.0
    conflict = (1.0 - corr).sum(axis=0)
    information = std * conflict
    return _share(information), std, conflict, information


def _share(values: Matrix) -> Matrix:
    """values / Σ values; all NaN when the sum is 0 (no criterion carries information)."""
    total = values.sum()
    return values / total if total > 0 else np.full_like(values, np.nan)


def _validated(matrix: pd.DataFrame, method: str) -> Matrix:
    values = matrix.to_numpy(dtype=float)
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 1:
        raise WeightingError(f"{method}至少需要 2 个评价对象和 1 项指标，实际为 {values.shape[0]} 个对象。")
    if not np.isfinite(values).all():
        raise WeightingError(f"{method}的决策矩阵含有空值或非有限数：请先处理不适用项。")
    if (values < 0).any():
        raise WeightingError(f"{method}要求决策矩阵非负（得分率 0–1）。")
    return values


def entropy_weights(matrix: pd.DataFrame) -> WeightResult:
    """Entropy weights (熵权法) of a non-negative decision matrix; columns are criteria."""
    values = _validated(matrix, "熵权法")
    weights, entropy, divergence = entropy_kernel(values)
    if not np.isfinite(weights).all():
        raise WeightingError("熵权法：所有指标在各对象间取值比例相同，数据不含区分信息，无法确定权重。")
    cols = matrix.columns
    return WeightResult(
        pd.Series(weights, index=cols, name="weight"),
        Provenance("entropy", "熵权法", normalisation="比重法 p = x / Σx", params={"对象数": values.shape[0]}),
        {"entropy": pd.Series(entropy, index=cols), "divergence": pd.Series(divergence, index=cols)},
    )


def critic_weights(matrix: pd.DataFrame) -> WeightResult:
    """CRITIC weights (Diakoulaki et al. 1995): contrast (σ) times conflict (1 − correlation)."""
    values = _validated(matrix, "CRITIC 法")
    weights, std, conflict, information = critic_kernel(values)
    if not np.isfinite(weights).all():
        raise WeightingError("CRITIC 法：各指标或取值全同、或彼此完全相关，数据不含区分信息，无法确定权重。")
    cols = matrix.columns
    return WeightResult(
        pd.Series(weights, index=cols, name="weight"),
        Provenance("critic", "CRITIC 法", normalisation="极差（min-max）归一化", params={"对象数": values.shape[0]}),
        {
            "contrast": pd.Series(std, index=cols),
            "conflict": pd.Series(conflict, index=cols),
            "information": pd.Series(information, index=cols),
        },
    )


def combined_weights(subjective: WeightResult, objective: WeightResult, alpha: float) -> WeightResult:
    """w = α·subjective + (1 − α)·objective (linear combination; both normalised to sum 1 first)."""
    if not 0.0 <= alpha <= 1.0:
        raise WeightingError(f"组合系数 α 应在 0–1 之间，实际为 {alpha}。")
    if set(subjective.weights.index) != set(objective.weights.index):
        raise WeightingError("主观权重与客观权重的指标不一致，无法组合。")
    subj = subjective.weights / subjective.weights.sum()
    obj = objective.weights.reindex(subj.index) / objective.weights.sum()
    weights = alpha * subj + (1.0 - alpha) * obj
    return WeightResult(
        weights.rename("weight"),
        Provenance(
            "combined",
            "组合赋权",
            params={
                "α（主观权重占比）": alpha,
                "主观": subjective.provenance.describe(),
                "客观": objective.provenance.describe(),
            },
        ),
        {"subjective": subj, "objective": obj},
    )
