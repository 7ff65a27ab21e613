"""Golden tests per rule type, computed by hand from SPEC §4 (figures in the comments)."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.rounding import half_up
from scoring.engine.scores import score_round
from tests.engine.conftest import NAN, inspection, make_round, merchant, surveys

FIVES = [[5.0] * 8] * 5


def one(system: IndicatorSystem, **kw: object) -> pd.Series:
    data = make_round(**kw)  # type: ignore[arg-type]
    return score_round(data, system).set_index("uscc").iloc[0]


def test_full_marks(system: IndicatorSystem) -> None:
    r = one(system, merchants=[merchant("U1")], inspections=[inspection("U1")], survey_rows=surveys("U1", FIVES))
    assert (r["base"], r["bonus"], r["total"], r["grade"]) == (100.0, 0.0, 100.0, "优秀")
    assert r["F1"] == 10.0 and r["F"] == 10.0


def test_deduct_check_partial_and_na_rebasing(system: IndicatorSystem) -> None:
    # A2: 3 findings × 2 > 5 → 0 (扣完为止); C1: 8 − 2×2 = 4; D3 部分符合 → 4; B3 and F1 N/A.
    # earned = 5+0+5 + 8+8 + 4+7 + 6+6+4 + 4+4+4+4+4 = 73; possible = 100 − 4 − 10 = 86
    # base = 100 × 73 / 86 = 84.8837… → 84.88
    r = one(
        system,
        merchants=[merchant("U1")],
        inspections=[inspection("U1", A2=3.0, C1=2.0, D3="部分符合", B3="不适用")],
    )
    assert r["A2"] == 0.0 and r["C1"] == 4.0 and r["D3"] == 4.0
    assert pd.isna(r["B3"]) and pd.isna(r["F1"]) and pd.isna(r["F"])
    assert r["B"] == 16.0  # raw subtotal, not rescaled (§10.2)
    assert r["base"] == 84.88 and r["total"] == 84.88 and r["grade"] == "良好"


def test_na_is_never_zero(system: IndicatorSystem) -> None:
    na = one(system, merchants=[merchant("U1")], inspections=[inspection("U1", B3="不适用")],
             survey_rows=surveys("U1", FIVES))  # fmt: skip
    zero = one(system, merchants=[merchant("U1")], inspections=[inspection("U1", B3="不符合")],
               survey_rows=surveys("U1", FIVES))  # fmt: skip
    assert na["base"] == 100.0  # 96 / 96
    assert zero["base"] == 96.0  # 96 / 100


def test_complaint_ratios_and_volume(system: IndicatorSystem) -> None:
    # In the round: 调解成功 on time, 调解终止 late, 撤诉 on time, 处理中, 不予受理; one before the round.
    # registered 4, closed 3, on time 2, mediated 2, success 1.
    # E3 = 4 × clamp((2/3 − 0.8)/0.2) = 0; E4 = 4 × (0.5 − 0.3)/0.5 = 1.6; E5 = 4 − 4 = 0.
    # F1: 5 valid responses of all 4s → index 75 → 7.5; a 废卷 with 5 blanks is ignored.
    complaints = [
        {"complaint_no": "T1", "uscc": "U1", "registered_on": "2026-02-01", "outcome": "调解成功", "on_time": True},
        {"complaint_no": "T2", "uscc": "U1", "registered_on": "2026-02-02", "outcome": "调解终止", "on_time": False},
        {"complaint_no": "T3", "uscc": "U1", "registered_on": "2026-02-03", "outcome": "撤诉", "on_time": True},
        {"complaint_no": "T4", "uscc": "U1", "registered_on": "2026-04-30", "outcome": "处理中", "on_time": None},
        {"complaint_no": "T5", "uscc": "U1", "registered_on": "2026-01-01", "outcome": "不予受理", "on_time": None},
        {"complaint_no": "T6", "uscc": "U1", "registered_on": "2025-12-31", "outcome": "调解成功", "on_time": False},
    ]
    answers = [[4.0] * 8] * 5 + [[1.0, 1.0, 1.0, NAN, NAN, NAN, NAN, NAN]]
    r = one(system, merchants=[merchant("U1")], inspections=[inspection("U1")],
            survey_rows=surveys("U1", answers), complaints=complaints)  # fmt: skip
    assert (r["registered"], r["closed"], r["on_time"], r["mediated"], r["mediation_success"]) == (4, 3, 2, 2, 1)
    assert (r["E3"], r["E4"], r["E5"], r["F1"]) == (0.0, 1.6, 0.0, 7.5)
    assert r["valid_responses"] == 5 and r["satisfaction_index"] == 75.0
    # earned = 15 + 20 + 15 + 20 + (4 + 4 + 0 + 1.6 + 0) + 7.5 = 87.1
    assert r["base"] == 87.1 and r["E"] == 9.6


def test_likert_needs_min_responses_and_four_blanks_is_valid(system: IndicatorSystem) -> None:
    # 4 responses with 4 blanks each are valid (§10.5) but 4 < 5 → F1 N/A.
    answers = [[5.0, 5.0, 5.0, 5.0, NAN, NAN, NAN, NAN]] * 4
    r = one(system, merchants=[merchant("U1")], inspections=[inspection("U1")], survey_rows=surveys("U1", answers))
    assert r["valid_responses"] == 4 and pd.isna(r["F1"])
    r = one(system, merchants=[merchant("U1")], inspections=[inspection("U1")],
            survey_rows=surveys("U1", [*answers, [1.0] * 8]))  # fmt: skip
    # answered: 16 fives (100) + 8 ones (0) → index = 1600 / 24 = 66.666… → F1 = 6.6667 → 6.67
    assert r["F1"] == 6.67 and r["satisfaction_index"] == pytest.approx(200 / 3)


def test_bonus_items_and_cap(system: IndicatorSystem) -> None:
    # G1 5 + G2 3 + G3 min(6, 3×3) + G4 3 = 17 → capped at 15
    bonus = inspection("U1", G1=1.0, G2=1.0, G3=3.0, G4=1.0)
    r = one(system, merchants=[merchant("U1")], inspections=[bonus], survey_rows=surveys("U1", FIVES))
    assert (r["G1"], r["G2"], r["G3"], r["G4"]) == (5.0, 3.0, 6.0, 3.0)
    assert (r["bonus"], r["total"]) == (15.0, 115.0)
    r = one(
        system, merchants=[merchant("U1")], inspections=[inspection("U1", G3=1.0)], survey_rows=surveys("U1", FIVES)
    )
    assert (r["G3"], r["bonus"], r["total"]) == (3.0, 3.0, 103.0)


def test_vetoes_at_reference_date(system: IndicatorSystem) -> None:
    d = "2026-04-30"
    credit = [
        {"uscc": "U1", "list_type": "经营异常名录", "listed_on": d, "removed_on": None},  # listed on D: fires
        {"uscc": "U2", "list_type": "经营异常名录", "listed_on": "2026-05-01", "removed_on": None},  # after D
        {"uscc": "U3", "list_type": "严重违法失信名单", "listed_on": "2025-01-01", "removed_on": d},  # removed on D
        {"uscc": "U4", "list_type": "失信被执行人", "listed_on": "2025-01-01", "removed_on": "2026-05-01"},  # fires
        {"uscc": "U5", "list_type": "行政处罚", "listed_on": "2025-04-30", "removed_on": None},  # D − 365: no
        {"uscc": "U6", "list_type": "行政处罚", "listed_on": "2025-05-01", "removed_on": None},  # D − 364: fires
        {"uscc": "U6", "list_type": "重大消费安全事故", "listed_on": "2026-01-02", "removed_on": None},  # fires
        {"uscc": "U6", "list_type": "经营异常名录", "listed_on": "2026-03-01", "removed_on": None},  # fires
    ]
    ids = [f"U{i}" for i in range(1, 7)]
    data = make_round([merchant(u) for u in ids], [inspection(u) for u in ids], credit=credit, end=d)
    r = score_round(data, system).set_index("uscc")
    assert r.loc["U1", "veto_text"] == "列入经营异常名录（2026-04-30）"
    assert r.loc["U2", "veto_text"] == "" and r.loc["U3", "veto_text"] == "" and r.loc["U5", "veto_text"] == ""
    assert r.loc["U4", "veto_text"] == "列入失信被执行人（2025-01-01）"
    # rule order V2, V4, V5 (the file's order), joined by ；
    assert (
        r.loc["U6", "veto_text"]
        == "列入经营异常名录（2026-03-01）；行政处罚（2025-05-01）；重大消费安全事故（2026-01-02）"
    )
    # U1 has no surveys: F1 N/A → 90 / 90 → total 100, but any veto grades 不合格 whatever the points.
    assert r.loc["U1", "total"] == 100.0 and r.loc["U1", "grade"] == "不合格"
    assert r.loc["U2", "grade"] == "优秀" and not r.loc["U2", "vetoed"]


def test_ranking_ties_and_vetoed_last(system: IndicatorSystem) -> None:
    # U1 C1 1 finding (−2), U2 same → tie; U3 full; U4 full but vetoed.
    ms = [merchant(u) for u in ("U1", "U2", "U3", "U4")]
    ins = [inspection("U1", C1=1.0), inspection("U2", C1=1.0), inspection("U3"), inspection("U4")]
    credit = [{"uscc": "U4", "list_type": "行政处罚", "listed_on": "2026-03-01", "removed_on": None}]
    r = score_round(make_round(ms, ins, credit=credit), system)
    assert list(r["uscc"]) == ["U3", "U1", "U2", "U4"]
    assert list(r["city_rank"]) == [1, 2, 2, 4]
    assert r.set_index("uscc").loc["U4", "total"] > r.set_index("uscc").loc["U3", "total"] - 1e-9


def test_half_up_rounding() -> None:
    s = pd.Series([88.625, 0.125, 2.675, 1.005, 98.375, NAN, -0.005])
    assert half_up(s).tolist()[:5] == [88.63, 0.13, 2.68, 1.01, 98.38]
    assert pd.isna(half_up(s).iloc[5]) and half_up(s).iloc[6] == -0.01
    assert half_up(pd.Series([0.66665, 0.66664]), 4).tolist() == [0.6667, 0.6666]
