"""Weighting analysis use cases (issue 7): how a stored run's ranking would change under other methods.

Read-only by construction: it reads a stored run (``runs.results``, already limited to the user's
districts) and the indicator-system version that run used, and never writes anything. The official
results and candidates stay exactly as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.engine.ranking import competition_rank
from scoring.engine.rounding import half_up
from scoring.engine.weighting import (
    AhpResult,
    DecisionMatrix,
    FuzzyResult,
    Provenance,
    WeightingError,
    WeightResult,
    combined_weights,
    critic_weights,
    decision_matrix,
    entropy_weights,
    fuzzy_evaluation,
    rank_agreement,
    topsis,
)
from scoring.engine.weighting.matrix import VetoPolicy
from scoring.engine.weighting.topsis import Normalisation
from scoring.services import indicators as indicator_service
from scoring.services import runs
from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.errors import StorageError

WeightScheme = Literal["official", "entropy", "critic", "combined", "ahp"]
Objective = Literal["entropy", "critic"]
SCHEME_LABELS: dict[str, str] = {
    "official": "官方分值（专家赋分）",
    "entropy": "熵权法",
    "critic": "CRITIC 法",
    "combined": "组合赋权（主观 + 客观）",
    "ahp": "层次分析法（AHP）",
}
MOVERS = 10


@dataclass(frozen=True)
class AnalysisOptions:
    """What to compute. ``dimension_ahp`` replaces the official points as the subjective weights."""

    weights: WeightScheme = "entropy"
    topsis: bool = False
    normalisation: Normalisation = "vector"
    alpha: float = 0.5
    objective: Objective = "entropy"
    dimension_ahp: AhpResult | None = None
    vetoes: VetoPolicy = "exclude"


@dataclass(frozen=True)
class Analysis:
    run: repo.RunInfo
    system: IndicatorSystem
    matrix: DecisionMatrix
    weights: WeightResult
    provenance: Provenance  # the scoring model (weighted sum or TOPSIS) with the weights it used
    comparison: pd.DataFrame  # one row per compared merchant, official vs alternative
    agreement: dict[str, float]  # spearman, kendall, n

    def indicator_table(self) -> pd.DataFrame:
        """Per indicator: dimension, code, name, official weight, method weight (both summing to 1)."""
        dims = self.matrix.dimension_of()
        codes = list(self.matrix.shares.columns)
        return pd.DataFrame(
            {
                "dimension": [dims[c] for c in codes],
                "code": codes,
                "name": [self.system.label(c).zh for c in codes],
                "official": self.matrix.official_weights.reindex(codes).to_numpy(),
                "method": self.weights.weights.reindex(codes).to_numpy(),
            }
        )

    def dimension_table(self) -> pd.DataFrame:
        """Per dimension: code, name, official weight, method weight."""
        official = self.matrix.dimension_weights(self.matrix.official_weights)
        method = self.matrix.dimension_weights(self.weights.weights)
        return pd.DataFrame(
            {
                "code": list(official.index),
                "name": [self.system.label(str(d)).zh for d in official.index],
                "official": official.to_numpy(),
                "method": method.to_numpy(),
            }
        )

    def movers(self, count: int = MOVERS) -> pd.DataFrame:
        """The merchants whose rank moves most (largest |shift|; ties by official rank)."""
        frame = self.comparison.assign(abs_shift=self.comparison["shift"].abs())
        frame = frame[frame["abs_shift"] > 0].sort_values(["abs_shift", "official_rank"], ascending=[False, True])
        return frame.drop(columns="abs_shift").head(count).reset_index(drop=True)


def analysable_rounds(engine: Engine, user: UserContext) -> list[str]:
    """Rounds that have at least one scoring run, oldest first."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        scored = {r.round_name for r in repo.list_runs(s)}
        return [name for name in repo.round_names(s) if name in scored]


def run_system(engine: Engine, run: repo.RunInfo) -> IndicatorSystem:
    """The indicator-system version a run was scored with (every run registers its version)."""
    content = indicator_service.version_content(engine, run.indicator_hash)
    if content is None:
        raise StorageError(f"找不到评分记录 #{run.id} 所用的指标体系版本（{run.indicator_hash[:12]}）。")
    return load_indicator_system(content)


def subjective_weights(matrix: DecisionMatrix, dimension_ahp: AhpResult | None) -> WeightResult:
    """Official points as weights, or AHP dimension weights split within each dimension by its points."""
    official = matrix.official_weights
    if dimension_ahp is None:
        return WeightResult(official, Provenance("official", SCHEME_LABELS["official"], params={"权重": "满分/总分"}))
    if set(dimension_ahp.weights.index) != set(matrix.dimensions):
        raise WeightingError("层次分析法的一级指标与评分所用指标体系不一致。")
    dims = matrix.dimension_of().reindex(official.index)
    within = official / official.groupby(dims).transform("sum")
    weights = (within * dims.map(dimension_ahp.weights).astype(float)).rename("weight")
    return WeightResult(
        weights / weights.sum(),
        Provenance(
            "ahp",
            SCHEME_LABELS["ahp"],
            params={"一级指标": f"AHP（CR = {dimension_ahp.cr:.4f}）", "二级指标": "按现行分值比例分配"},
        ),
    )


def method_weights(matrix: DecisionMatrix, options: AnalysisOptions) -> WeightResult:
    """The criterion weights the options ask for."""
    if options.weights in ("official", "ahp"):
        return subjective_weights(matrix, options.dimension_ahp if options.weights == "ahp" else None)
    if options.weights == "entropy":
        return entropy_weights(matrix.shares)
    if options.weights == "critic":
        return critic_weights(matrix.shares)
    objective = entropy_weights(matrix.shares) if options.objective == "entropy" else critic_weights(matrix.shares)
    return combined_weights(subjective_weights(matrix, options.dimension_ahp), objective, options.alpha)


def compare(scores: pd.DataFrame, matrix: DecisionMatrix, alternative_base: pd.Series) -> pd.DataFrame:
    """Official vs alternative per merchant; both ranked within the compared set (vetoed last, §5.2)."""
    frame = scores.set_index("uscc").loc[matrix.shares.index]
    vetoed = frame["vetoed"].fillna(False).astype(bool) if "vetoed" in frame else pd.Series(False, index=frame.index)
    bonus = frame["bonus"].fillna(0.0).astype(float)
    alt_total = half_up(alternative_base + bonus)
    out = pd.DataFrame(
        {
            "name": frame["name"],
            "district": frame["district"],
            "industry": frame["industry"],
            "official_total": frame["total"].astype(float),
            "official_rank": competition_rank(frame["total"], vetoed).astype(int),
            "alternative_base": half_up(alternative_base),
            "bonus": bonus,
            "alternative_total": alt_total,
            "alternative_rank": competition_rank(alt_total, vetoed).astype(int),
        }
    )
    out["shift"] = out["official_rank"] - out["alternative_rank"]  # > 0: moves up
    return out.rename_axis("uscc").reset_index().sort_values(["official_rank", "uscc"]).reset_index(drop=True)


def analyse(engine: Engine, user: UserContext, round_name: str, options: AnalysisOptions) -> Analysis:
    """Weights, alternative scores and rank agreement for the latest run of ``round_name`` (read-only)."""
    results = runs.results(engine, user, round_name)
    system = run_system(engine, results.run)
    matrix = decision_matrix(results.scores, system, options.vetoes)
    weights = method_weights(matrix, options)
    if options.topsis:
        result = topsis(matrix.shares, weights.weights, options.normalisation, weights_label=weights.provenance.label)
        alternative_base = 100.0 * result.closeness
        provenance = result.provenance
    else:
        alternative_base = matrix.weighted_score(weights.weights)
        provenance = Provenance("weighted_sum", "加权求和", normalisation="得分率（得分/满分）", params={})
    comparison = compare(results.scores, matrix, alternative_base)
    agreement = rank_agreement(
        comparison.set_index("uscc")["official_total"], comparison.set_index("uscc")["alternative_total"]
    )
    return Analysis(results.run, system, matrix, weights, provenance, comparison, agreement)


@dataclass(frozen=True)
class SurveyEvaluation:
    result: FuzzyResult
    table: pd.DataFrame  # uscc, name, district, memberships, grade, score, responses, official_index
    spearman: float  # fuzzy score vs the official satisfaction index (merchants with both)
    min_responses: int  # fewer valid responses → not evaluated (as the official satisfaction indicator)


def round_system(engine: Engine, user: UserContext, round_name: str) -> IndicatorSystem:
    """The indicator-system version of the latest run of ``round_name``."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        run = repo.latest_run(s, round_name)
    if run is None:
        raise StorageError(f"评估轮次“{round_name}”尚未评分。")
    return run_system(engine, run)


def survey_evaluation(
    engine: Engine, user: UserContext, round_name: str, operator: Literal["weighted_average", "max_min"]
) -> SurveyEvaluation:
    """Fuzzy comprehensive evaluation of the round's valid survey responses, for the merchants in scope.

    The table's official index is the satisfaction index of the latest run (when the merchant was scored).
    """
    results = runs.results(engine, user, round_name)
    system = run_system(engine, results.run)
    data = runs.load_round(engine, round_name, system)
    merchants = data.merchants.set_index("uscc")
    if user.scope is not None:
        merchants = merchants[merchants["district"].isin(user.scope)]
    surveys = data.surveys[data.surveys["uscc"].isin(merchants.index)]
    likert = [i for i in system.indicators if i.type == "likert"]
    minimum = max(1, likert[0].min_responses) if likert else 1
    fuzzy = fuzzy_evaluation(
        surveys,
        [q.code for q in system.survey_questions],
        {int(k): v for k, v in system.survey_scale.items()},
        operator=operator,
        min_responses=minimum,
    )
    table = fuzzy.membership.copy()
    table.insert(0, "district", merchants["district"].reindex(table.index))
    table.insert(0, "name", merchants["name"].reindex(table.index))
    table["grade"] = fuzzy.grade
    table["score"] = fuzzy.score
    table["responses"] = fuzzy.responses
    scores = results.scores.set_index("uscc")
    table["official_index"] = scores["satisfaction_index"].reindex(table.index).astype(float)
    table = table.rename_axis("uscc").reset_index().sort_values(["score", "uscc"], ascending=[False, True])
    rho = rank_agreement(table["score"], table["official_index"])["spearman"]
    return SurveyEvaluation(fuzzy, table.reset_index(drop=True), rho, minimum)
