"""The decision matrix of a scored round, fuzzy evaluation of surveys, and points from weights (issue 7).

Every figure is computed by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.scores import score_round
from scoring.engine.weighting import WeightingError, decision_matrix, derive_points, fuzzy_evaluation, largest_remainder
from tests.engine.conftest import inspection, make_round, merchant, surveys

SCALE = {5: 100.0, 4: 75.0, 3: 50.0, 2: 25.0, 1: 0.0}
NAN = np.nan


def survey_frame(rows: list[tuple[str, bool, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["uscc", "invalid", "Q1", "Q2"])


# --- fuzzy comprehensive evaluation --------------------------------------------------------------

ANSWERS = survey_frame(
    [
        ("U1", False, 5, 4),
        ("U1", False, 4, 4),
        ("U1", False, 5, NAN),  # Q2 unanswered: left out of Q2's shares
        ("U2", True, 1, 1),  # 废卷: ignored
        ("U2", False, 3, NAN),  # nobody answered Q2: A is renormalised onto Q1
    ]
)


def test_fuzzy_weighted_average_by_hand() -> None:
    # U1: R(Q1) = (2/3, 1/3, 0, 0, 0), R(Q2) = (0, 1, 0, 0, 0); A = (1/2, 1/2)
    #     B = A·R = (1/3, 2/3, 0, 0, 0) → 满意; score = 100/3 + 75 × 2/3 = 83.333…
    # U2: R(Q1) = (0, 0, 1, 0, 0), Q2 unanswered → A = (1, 0); B = (0, 0, 1, 0, 0) → 一般, 50
    result = fuzzy_evaluation(ANSWERS, ["Q1", "Q2"], SCALE)
    assert list(result.membership.columns) == ["非常满意", "满意", "一般", "不满意", "非常不满意"]
    assert result.membership.loc["U1"].to_numpy() == pytest.approx([1 / 3, 2 / 3, 0, 0, 0])
    assert result.membership.loc["U2"].to_numpy() == pytest.approx([0, 0, 1, 0, 0])
    assert result.grade.to_dict() == {"U1": "满意", "U2": "一般"}
    assert result.score["U1"] == pytest.approx(250 / 3)
    assert result.score["U2"] == 50.0
    assert result.responses.to_dict() == {"U1": 3, "U2": 1}
    assert result.provenance.params["合成算子"] == "加权平均型 M(·,⊕)"


def test_fuzzy_max_min_and_ties_go_to_the_better_grade() -> None:
    # U1: b = max_q min(a_q, r_qk) = (max(.5, 0), max(1/3, .5), 0, 0, 0) = (.5, .5, 0, 0, 0) → normalised
    #     (.5, .5, 0, 0, 0); tie → 非常满意; score = 50 + 37.5 = 87.5
    result = fuzzy_evaluation(ANSWERS, ["Q1", "Q2"], SCALE, operator="max_min")
    assert result.membership.loc["U1"].to_numpy() == pytest.approx([0.5, 0.5, 0, 0, 0])
    assert result.grade["U1"] == "非常满意"
    assert result.score["U1"] == pytest.approx(87.5)


def test_fuzzy_needs_min_responses_and_takes_factor_weights() -> None:
    assert list(fuzzy_evaluation(ANSWERS, ["Q1", "Q2"], SCALE, min_responses=2).membership.index) == ["U1"]
    # weights (3, 1) → A = (3/4, 1/4): B(U1) = (1/2, 1/4 + 1/4, 0, 0, 0) = (1/2, 1/2, 0, 0, 0)
    weighted = fuzzy_evaluation(ANSWERS, ["Q1", "Q2"], SCALE, factor_weights=pd.Series({"Q1": 3.0, "Q2": 1.0}))
    assert weighted.membership.loc["U1"].to_numpy() == pytest.approx([0.5, 0.5, 0, 0, 0])
    with pytest.raises(WeightingError, match="缺少这些题目"):
        fuzzy_evaluation(ANSWERS, ["Q1", "Q9"], SCALE)


def test_fuzzy_score_equals_the_likert_index_for_complete_answers(system: IndicatorSystem) -> None:
    """With every question answered, equal weights and M(·,⊕), the fuzzy score is the official index."""
    answers = [[5, 4, 3, 5, 4, 4, 5, 3], [4, 4, 4, 4, 5, 3, 4, 4], [3, 5, 4, 4, 4, 4, 2, 5]] * 2
    data = make_round([merchant("U1")], [inspection("U1")], survey_rows=surveys("U1", answers))
    official = score_round(data, system).set_index("uscc").loc["U1", "satisfaction_index"]
    frame = data.surveys.assign(invalid=False)
    fuzzy = fuzzy_evaluation(frame, [q.code for q in system.survey_questions], system.survey_scale)
    assert fuzzy.score["U1"] == pytest.approx(official)


# --- the decision matrix of a round ---------------------------------------------------------------


def test_decision_matrix_imputes_na_with_the_merchants_own_share(system: IndicatorSystem) -> None:
    # U2: B3 不适用 and C1 2 findings (8 − 4 = 4 of 8); no surveys → F1 不适用.
    #     applicable: 100 − 4 − 10 = 86 possible, 86 − 4 = 82 earned → own share 82/86
    data = make_round(
        [merchant("U1"), merchant("U2"), merchant("U3")],
        [inspection("U1"), inspection("U2", B3="不适用", C1=2.0), inspection("U3", A2=1.0)],
        survey_rows=surveys("U1", [[5.0] * 8] * 5),
        credit=[{"uscc": "U3", "list_type": "经营异常名录", "listed_on": "2026-02-01", "removed_on": None}],
    )
    scores = score_round(data, system)
    dm = decision_matrix(scores, system)
    assert list(dm.shares.index) == ["U1", "U2"]  # U3 vetoed: excluded
    assert dm.vetoed == 1 and dm.excluded_unscored == 0
    assert dm.shares.loc["U2", "C1"] == 0.5
    assert dm.shares.loc["U2", "B3"] == pytest.approx(82 / 86)
    assert dm.shares.loc["U2", "F1"] == pytest.approx(82 / 86)
    assert dm.imputed.loc["U2", ["B3", "F1"]].all() and not dm.imputed.loc["U1"].any()
    # the official weights give back the official base score (N/A rescaling included)
    base = scores.set_index("uscc")["base_exact"]
    assert dm.weighted_score(dm.official_weights).to_numpy() == pytest.approx(base[["U1", "U2"]].to_numpy())
    assert dm.dimension_weights(dm.official_weights).to_dict() == pytest.approx(
        {"A": 0.15, "B": 0.20, "C": 0.15, "D": 0.20, "E": 0.20, "F": 0.10}
    )
    kept = decision_matrix(scores, system, vetoes="keep")
    assert list(kept.shares.index) == ["U1", "U2", "U3"]
    assert "否决商户按得分参与比较（1 家）" in kept.imputation_note


# --- points from weights ---------------------------------------------------------------------------


def test_largest_remainder_by_hand() -> None:
    w = pd.Series({"a": 0.415, "b": 0.346, "c": 0.239})
    # whole points of 10: quotas 4.15, 3.46, 2.39 → floors 4, 3, 2; the last point to b (remainder .46)
    assert largest_remainder(w, 10).tolist() == [4.0, 4.0, 2.0]
    # half points: 20 units, quotas 8.3, 6.92, 4.78 → 8, 6, 4; two units to b (.92) and c (.78)
    assert largest_remainder(w, 10, 0.5).tolist() == [4.0, 3.5, 2.5]


def test_largest_remainder_keeps_a_minimum_unit() -> None:
    # quotas 9.7, 0.2, 0.1 → floors 9, 0, 0 → minimums 9, 1, 1 = 11 > 10: a gives one back
    assert largest_remainder(pd.Series([0.97, 0.02, 0.01]), 10).tolist() == [8.0, 1.0, 1.0]
    with pytest.raises(WeightingError, match="不足以"):
        largest_remainder(pd.Series([0.5, 0.5, 0.5]), 1)
    with pytest.raises(WeightingError, match="整数分或半分"):
        largest_remainder(pd.Series([1.0]), 10, 0.25)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 1000), min_size=1, max_size=12), st.sampled_from([1.0, 0.5]))
def test_largest_remainder_adds_up_and_stays_within_a_unit(raw: list[int], step: float) -> None:
    weights = pd.Series(raw, dtype=float)
    quota = 100 * weights / weights.sum()
    points = largest_remainder(weights, 100, step)
    assert points.sum() == 100
    assert ((points / step).round() == points / step).all()
    if (quota >= step).all():  # no minimum had to be enforced
        assert ((points - quota).abs() < step).all()


def test_official_points_round_trip(system: IndicatorSystem) -> None:
    """Weights proportional to the current points give the current points back, at both levels."""
    dims = pd.Series({d.code: d.max_points for d in system.dimensions})
    within = {d.code: pd.Series({i.code: i.max_points for i in d.indicators}) for d in system.dimensions}
    dim_points, points = derive_points(dims / 100, within)
    assert dim_points.to_dict() == dims.to_dict()
    assert points.to_dict() == {i.code: i.max_points for i in system.indicators}
