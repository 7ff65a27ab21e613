"""Weighting analysis and AHP-derived versions on a scored demo campaign (issue 7).

The analysis is read-only (runs, results and versions are the same afterwards), respects the
user's districts, and its figures are the engine's on the run's own decision matrix.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from scoring.engine.weighting import InconsistentJudgements, WeightingError, ahp, entropy_weights, parse_judgement
from scoring.services import analysis, reweighting, runs
from scoring.services import indicators as indicator_service
from scoring.services.context import PermissionDenied, UserContext
from scoring.storage.database import make_engine, session_scope
from scoring.storage.errors import StorageError
from scoring.storage.models import AuditLog

ROUND = "2026年中期评估"
ADMIN = UserContext("admin", "admin")
LEADER = UserContext("leader", "leader")
DIMENSION_JUDGEMENTS = np.array(  # A … F; CR ≈ 0.009
    [
        [1, 1 / 2, 1, 1 / 2, 1 / 2, 2],
        [2, 1, 2, 1, 1, 3],
        [1, 1 / 2, 1, 1 / 2, 1, 2],
        [2, 1, 2, 1, 1, 3],
        [2, 1, 1, 1, 1, 3],
        [1 / 2, 1 / 3, 1 / 2, 1 / 3, 1 / 3, 1],
    ]
)

E_JUDGEMENTS = np.array(  # E1 … E5; CR ≈ 0.004
    [
        [1, 3, 1 / 2, 2, 1],
        [1 / 3, 1, 1 / 5, 1 / 2, 1 / 3],
        [2, 5, 1, 3, 2],
        [1 / 2, 2, 1 / 3, 1, 1 / 2],
        [1, 3, 1 / 2, 2, 1],
    ]
)


@pytest.fixture(scope="module")
def demo_url(scored_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """This module's copy of the session's scored demo campaign (tests/conftest.py) on SQLite."""
    path = tmp_path_factory.mktemp("analysis") / "demo.db"
    shutil.copyfile(scored_demo_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(demo_url: str) -> Iterator[Engine]:
    built = make_engine(demo_url)
    yield built
    built.dispose()


def _audit_count(engine: Engine) -> int:
    with session_scope(engine, write=False) as s:
        return int(s.execute(select(func.count()).select_from(AuditLog)).scalar_one())


def test_official_weights_reproduce_the_official_ranking(engine: Engine) -> None:
    result = analysis.analyse(engine, ADMIN, ROUND, analysis.AnalysisOptions(weights="official"))
    diff = (result.comparison["alternative_total"] - result.comparison["official_total"]).abs()
    assert diff.max() <= 0.011  # indicator points are stored to 2 decimals
    assert result.agreement["spearman"] > 0.9999
    assert result.dimension_table()["official"].tolist() == pytest.approx([0.15, 0.20, 0.15, 0.20, 0.20, 0.10])


def test_analysis_is_read_only(engine: Engine) -> None:
    before = runs.results(engine, ADMIN, ROUND)
    audits, versions = _audit_count(engine), indicator_service.list_versions(engine)
    for options in (
        analysis.AnalysisOptions(weights="entropy"),
        analysis.AnalysisOptions(weights="critic", topsis=True, normalisation="minmax"),
        analysis.AnalysisOptions(weights="combined", alpha=0.3, objective="critic"),
    ):
        analysis.analyse(engine, ADMIN, ROUND, options)
    analysis.survey_evaluation(engine, ADMIN, ROUND, "weighted_average")
    after = runs.results(engine, ADMIN, ROUND)
    assert after.run == before.run
    pd.testing.assert_frame_equal(after.scores, before.scores)
    pd.testing.assert_frame_equal(after.candidates, before.candidates)
    assert _audit_count(engine) == audits and indicator_service.list_versions(engine) == versions


def test_entropy_analysis_uses_the_engine_on_the_runs_matrix(engine: Engine) -> None:
    result = analysis.analyse(engine, ADMIN, ROUND, analysis.AnalysisOptions(weights="entropy"))
    expected = entropy_weights(result.matrix.shares).weights
    pd.testing.assert_series_equal(result.weights.weights, expected)
    scores = runs.results(engine, ADMIN, ROUND).scores
    assert result.agreement["n"] == int((scores["total"].notna() & ~scores["vetoed"]).sum())
    movers = result.movers()
    assert (movers["shift"].abs().diff().dropna() <= 0).all()  # largest moves first
    assert set(movers["uscc"]) <= set(result.comparison["uscc"])


def test_topsis_states_normalisation_and_weights(engine: Engine) -> None:
    options = analysis.AnalysisOptions(weights="critic", topsis=True, normalisation="minmax")
    result = analysis.analyse(engine, ADMIN, ROUND, options)
    assert result.provenance.describe().startswith("TOPSIS（归一化：极差归一化")
    assert "权重：CRITIC 法" in result.provenance.describe()
    assert result.comparison["alternative_base"].between(0, 100).all()


def test_ahp_subjective_weights_split_dimensions_by_points(engine: Engine) -> None:
    dims = ahp(DIMENSION_JUDGEMENTS, labels=list("ABCDEF"))
    result = analysis.analyse(engine, ADMIN, ROUND, analysis.AnalysisOptions(weights="ahp", dimension_ahp=dims))
    table = result.dimension_table().set_index("code")
    assert table["method"].to_numpy() == pytest.approx(dims.weights.to_numpy())
    ind = result.indicator_table().set_index("code")["method"]
    assert ind["B1"] / ind["B3"] == pytest.approx(8 / 4)  # within B by the current points


def test_evaluator_sees_only_own_district(engine: Engine) -> None:
    scores = runs.results(engine, ADMIN, ROUND).scores
    district = str(scores["district"].iloc[0])
    evaluator = UserContext("ev", "evaluator", district)
    result = analysis.analyse(engine, evaluator, ROUND, analysis.AnalysisOptions(weights="entropy"))
    assert set(result.comparison["district"]) == {district}
    assert result.comparison["official_rank"].min() == 1
    survey = analysis.survey_evaluation(engine, evaluator, ROUND, "max_min")
    assert set(survey.table["district"]) == {district}
    assert survey.result.provenance.params["合成算子"] == "主因素决定型 M(∧,∨)"


def test_survey_evaluation_agrees_with_the_official_index(engine: Engine) -> None:
    survey = analysis.survey_evaluation(engine, LEADER, ROUND, "weighted_average")
    assert survey.spearman > 0.9
    assert survey.table["score"].between(0, 100).all()
    assert (survey.table["responses"] >= 5).all()


def test_unscored_round_is_not_analysable(engine: Engine) -> None:
    assert ROUND in analysis.analysable_rounds(engine, LEADER)
    with pytest.raises(StorageError, match="尚未评分"):
        analysis.analyse(engine, ADMIN, "没有这个轮次", analysis.AnalysisOptions())


# --- AHP → a new indicator-system version ----------------------------------------------------------


def test_consistent_starting_matrix_keeps_the_points(engine: Engine) -> None:
    system, text = reweighting.active_version(engine)
    start = reweighting.starting_matrix(reweighting.current_points(system))
    assert start.loc["B", "F"] == "2" and start.loc["A", "B"] == "3/4"
    plan = reweighting.build_version(system, text, ahp(start.map(parse_judgement)), {}, version="same")
    assert plan.indicator_points.to_dict() == {i.code: i.max_points for i in system.indicators}
    changed = [
        line for line in plan.diff.splitlines() if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert all(line.startswith("+# [AHP]") or "version" in line for line in changed)


def test_derived_version_patches_points_and_keeps_everything_else(engine: Engine) -> None:
    system, text = reweighting.active_version(engine)
    dims = ahp(DIMENSION_JUDGEMENTS, labels=list("ABCDEF"))
    e = ahp(E_JUDGEMENTS, labels=["E1", "E2", "E3", "E4", "E5"])
    plan = reweighting.build_version(system, text, dims, {"E": e}, step=0.5, version="2026-AHP")
    new = plan.system
    assert new.version == "2026-AHP"
    assert sum(i.max_points for i in new.indicators) == 100
    assert plan.dimension_points.tolist() == [12.0, 23.0, 14.0, 23.0, 21.0, 7.0]
    assert {i.code: i.max_points for i in new.indicators} == plan.indicator_points.to_dict()
    assert new.indicator("E3").max_points == 8.0 and new.indicator("E3").no_data_points == 8.0
    assert new.indicator("B1").check_points == {"符合": 9.5, "部分符合": 5.0, "不符合": 0.0}
    assert new.indicator("A2").per_finding == 1.5  # 2 × 4/5 = 1.6 → half points → 1.5
    # comments, rules and everything but the numbers survive
    assert all(line in plan.content for line in text.splitlines() if line.lstrip().startswith("#"))
    assert new.vetoes == system.vetoes and new.bonus_items == system.bonus_items
    assert "-        max: 10\n+        max: 7\n" in plan.diff


def test_saving_a_derived_version_is_admin_only_and_validated(engine: Engine) -> None:
    system, text = reweighting.active_version(engine)
    plan = reweighting.build_version(
        system, text, ahp(DIMENSION_JUDGEMENTS, labels=list("ABCDEF")), {}, version="v-ahp"
    )
    with pytest.raises(PermissionDenied):
        reweighting.save_version(engine, LEADER, plan, activate=False)
    saved = reweighting.save_version(engine, ADMIN, plan, activate=False)
    versions = {v.content_hash: v for v in indicator_service.list_versions(engine)}
    assert saved.content_hash in versions and not versions[saved.content_hash].active
    assert indicator_service.active_system(engine).content_hash == system.content_hash  # unchanged


def test_inconsistent_judgements_cannot_make_a_version(engine: Engine) -> None:
    system, text = reweighting.active_version(engine)
    bad = DIMENSION_JUDGEMENTS.copy()
    bad[0, 5], bad[5, 0] = 1 / 9, 9.0  # F now "extremely" above A, against every other judgement
    with pytest.raises(InconsistentJudgements):
        ahp(bad, labels=list("ABCDEF"))
    refused = ahp(bad, labels=list("ABCDEF"), refuse_inconsistent=False)
    with pytest.raises(WeightingError, match=r"CR ≥ 0\.1"):
        reweighting.build_version(system, text, refused, {})
