"""The decision matrix of a scored round: merchants × indicators, as shares of each indicator's maximum.

- x_ij = points_ij / max_j ∈ [0, 1], a benefit criterion for every indicator (deductions are
  already turned into points left).
- 不适用 (N/A) is imputed with the merchant's own points-weighted applicable share
  Σ points / Σ max over its applicable indicators — exactly the rescaling of the official base score
  (SPEC §4). So the official weights (max_j / 100) applied to this matrix give back each merchant's
  base score, and no method reads N/A as 0 or as an average of other merchants.
- Vetoed merchants are excluded by default: the official ranking puts them after everyone whatever
  their points (SPEC §5.2), so including them would only add agreement that says nothing. Merchants
  without a score (数据不足) are always excluded.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.weighting.provenance import WeightingError

VetoPolicy = Literal["exclude", "keep"]


@dataclass(frozen=True)
class DecisionMatrix:
    shares: pd.DataFrame  # index uscc, columns indicator codes, values in [0, 1], N/A imputed
    imputed: pd.DataFrame  # True where the share was N/A and imputed
    official_weights: pd.Series  # max points / Σ max points, the fixed expert weighting
    dimensions: MappingProxyType[str, tuple[str, ...]]  # dimension code → its indicator codes
    vetoed: int  # vetoed scored merchants (excluded or kept, per ``veto_policy``)
    excluded_unscored: int
    veto_policy: VetoPolicy

    def dimension_of(self) -> pd.Series:
        """Indicator code → dimension code."""
        return pd.Series({code: dim for dim, codes in self.dimensions.items() for code in codes})

    def dimension_weights(self, weights: pd.Series) -> pd.Series:
        """Indicator weights summed per dimension."""
        return weights.groupby(self.dimension_of().reindex(weights.index)).sum().reindex(list(self.dimensions))

    def weighted_score(self, weights: pd.Series) -> pd.Series:
        """100 × Σ_j w_j x_ij: a 0–100 base score under ``weights`` (normalised to sum 1)."""
        w = weights.reindex(self.shares.columns).astype(float)
        return 100.0 * (self.shares @ (w / w.sum()))

    @property
    def imputation_note(self) -> str:
        count = int(self.imputed.to_numpy().sum())
        return (
            f"不适用项 {count} 个，按该商户自身适用指标的得分率（Σ得分/Σ满分，即官方基础得分的折算方式）填补；"
            + ("否决商户不参与比较" if self.veto_policy == "exclude" else "否决商户按得分参与比较")
            + f"（{self.vetoed} 家）；未评分（数据不足）商户 {self.excluded_unscored} 家不参与。"
        )


def decision_matrix(scores: pd.DataFrame, system: IndicatorSystem, vetoes: VetoPolicy = "exclude") -> DecisionMatrix:
    """The decision matrix of a run's ``scores`` frame (columns ``uscc``, indicator codes, ``total``, ``vetoed``)."""
    codes = [i.code for i in system.indicators]
    missing = [c for c in (*codes, "uscc", "total") if c not in scores.columns]
    if missing:
        raise WeightingError(f"评分结果缺少这些列：{'、'.join(missing)}（评分所用指标体系与当前版本不一致？）。")
    maxima = pd.Series({i.code: i.max_points for i in system.indicators}, dtype=float)
    scored = scores["total"].notna().to_numpy()
    vetoed = scores.get("vetoed", pd.Series(False, index=scores.index)).fillna(False).astype(bool).to_numpy()
    keep = scored & ~vetoed if vetoes == "exclude" else scored
    frame = scores.loc[keep].set_index("uscc")
    points = frame[codes].astype(float)
    usable = maxima > 0
    shares = points.loc[:, usable] / maxima[usable]
    applicable = shares.notna()
    possible = applicable.to_numpy() @ maxima[usable].to_numpy()
    earned = points.loc[:, usable].fillna(0.0).to_numpy().sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(possible > 0, earned / possible, np.nan)
    has_data = np.isfinite(own)
    shares = shares[has_data]
    filled = shares.fillna(pd.DataFrame(np.repeat(own[has_data, None], shares.shape[1], axis=1), index=shares.index,
                                        columns=shares.columns))  # fmt: skip
    dims = {d.code: tuple(i.code for i in d.indicators if usable[i.code]) for d in system.dimensions}
    return DecisionMatrix(
        shares=filled.clip(0.0, 1.0),
        imputed=~applicable[has_data],
        official_weights=(maxima[usable] / maxima[usable].sum()).rename("weight"),
        dimensions=MappingProxyType({d: c for d, c in dims.items() if c}),
        vetoed=int((scored & vetoed).sum()),
        excluded_unscored=int((~scored).sum() + (~has_data).sum()),
        veto_policy=vetoes,
    )
