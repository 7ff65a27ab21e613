"""Weighting analysis beyond the official fixed points (issue 7): AHP, entropy, CRITIC, TOPSIS, fuzzy evaluation.

Official scoring stays fixed expert points (SPEC §4, DOMAIN.md); nothing here changes a run, a
ranking or a candidate. The package serves two uses: the 分析 page (how would the ranking change under
the methods of the evaluation literature?) and the AHP editor (derive the fixed points of a new
indicator-system version from pairwise judgements, with Saaty's consistency check).

Each method is a pure numpy kernel (``*_kernel`` / ``eigenvector_weights`` …) beside a thin
validating wrapper returning a result that carries its ``Provenance``.
"""

from scoring.engine.weighting.ahp import (
    CR_LIMIT,
    SAATY_RI,
    AhpResult,
    InconsistentJudgements,
    ahp,
    format_judgement,
    parse_judgement,
    reciprocal_matrix,
)
from scoring.engine.weighting.fuzzy import FuzzyResult, fuzzy_evaluation
from scoring.engine.weighting.matrix import DecisionMatrix, decision_matrix
from scoring.engine.weighting.objective import combined_weights, critic_weights, entropy_weights
from scoring.engine.weighting.points import derive_points, largest_remainder
from scoring.engine.weighting.provenance import Provenance, WeightingError, WeightResult
from scoring.engine.weighting.ranks import kendall_tau_b, rank_agreement, spearman
from scoring.engine.weighting.topsis import TopsisResult, topsis

__all__ = [
    "CR_LIMIT",
    "SAATY_RI",
    "AhpResult",
    "DecisionMatrix",
    "FuzzyResult",
    "InconsistentJudgements",
    "Provenance",
    "TopsisResult",
    "WeightResult",
    "WeightingError",
    "ahp",
    "combined_weights",
    "critic_weights",
    "decision_matrix",
    "derive_points",
    "entropy_weights",
    "format_judgement",
    "fuzzy_evaluation",
    "kendall_tau_b",
    "largest_remainder",
    "parse_judgement",
    "rank_agreement",
    "reciprocal_matrix",
    "spearman",
    "topsis",
]
