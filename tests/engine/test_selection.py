"""Candidates (§5.4) and district ranking (§5.5), computed by hand."""

from __future__ import annotations

import pandas as pd

from scoring.engine.districts import district_ranking
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.scores import score_round
from scoring.engine.selection import Quotas, SelectionSettings, candidates
from tests.engine.conftest import inspection, make_round, merchant, surveys

FIVES = [[5.0] * 8] * 5


def test_every_failing_reason_in_order(system: IndicatorSystem) -> None:
    # U1 fails everything that can fail together; U2 not inspected; U3 exactly 365 days old passes.
    ms = [
        merchant("U1", applied=False, established=pd.Timestamp("2025-05-01")),  # 364 days before D
        merchant("U2"),
        merchant("U3", established=pd.Timestamp("2025-04-30")),  # 365 days before D
    ]
    ins = [inspection("U1", A1="不符合", B1="不符合", C2="不符合", D2="不符合"), inspection("U3")]
    complaints = [{"complaint_no": "T1", "uscc": "U1", "registered_on": "2026-02-01", "outcome": "撤诉",
                   "on_time": False}]  # fmt: skip
    credit = [{"uscc": "U1", "list_type": "行政处罚", "listed_on": "2026-01-05", "removed_on": None},
              {"uscc": "U1", "list_type": "经营异常名录", "listed_on": "2026-02-01", "removed_on": None}]  # fmt: skip
    data = make_round(ms, ins, surveys("U3", FIVES), complaints, credit)
    scores = score_round(data, system)
    c = candidates(data, scores, system, SelectionSettings(threshold=80)).set_index("uscc")
    # U1: earned = 100 − 5 − 8 − 7 − 6 − 10(F1 N/A) − E: E3 0 (0/1 on time), E4 4 (no mediation), E5 3
    # → earned 90 − 26 − 4 − 1 = 59 of 90 → 65.56
    assert c.loc["U1", "total"] == 65.56
    assert c.loc["U1", "reasons"] == (
        "未申报；否决：列入经营异常名录（2026-02-01）、行政处罚（2026-01-05）；得分不足：65.56 < 80；"
        "问卷不足：有效问卷 0 份 < 5；按时办结率不足：0.00% < 95%；经营不满一年：成立日期 2025-05-01"
    )
    assert (c.loc["U2", "status"], c.loc["U2", "reasons"]) == ("不符合", "未检查")
    assert (c.loc["U3", "status"], c.loc["U3", "reasons"]) == ("入选", "")


def test_on_time_rate_exactly_95_percent_passes(system: IndicatorSystem) -> None:
    complaints = [
        {"complaint_no": f"T{i}", "uscc": "U1", "registered_on": "2026-02-01", "outcome": "撤诉", "on_time": i < 19}
        for i in range(20)
    ]
    data = make_round([merchant("U1")], [inspection("U1")], surveys("U1", FIVES), complaints)
    c = candidates(data, score_round(data, system), system, SelectionSettings(80)).set_index("uscc")
    assert c.loc["U1", "status"] == "入选"


def test_quotas_waiting_list_and_tie_breaks(system: IndicatorSystem) -> None:
    # 上城区 quota 2; (上城区, 住宿) quota 1. Totals: U1 100, U2 100 (same E, later 申报日期), U3 98 (C1 −2 → 98/100),
    # U4 99.. U5/U6 住宿.
    ms = [
        merchant("U1", applied_on=pd.Timestamp("2026-02-01")),
        merchant("U2", applied_on=pd.Timestamp("2026-02-02")),
        merchant("U3"),
        merchant("U4", applied_on=pd.NaT),
        merchant("U5", industry="住宿"),
        merchant("U6", industry="住宿", applied_on=pd.Timestamp("2026-01-01")),
        merchant("U7", district="余杭区", industry="住宿"),
    ]
    ins = [inspection("U1"), inspection("U2"), inspection("U3", C1=1.0), inspection("U4"),
           inspection("U5"), inspection("U6"), inspection("U7")]  # fmt: skip
    sv = [row for u in ("U1", "U2", "U3", "U4", "U5", "U6", "U7") for row in surveys(u, FIVES)]
    data = make_round(ms, ins, sv)
    quotas = Quotas(district={"上城区": 2}, district_industry={("上城区", "住宿"): 1})
    c = candidates(data, score_round(data, system), system, SelectionSettings(80, quotas)).set_index("uscc")
    # 上城区 cell (餐饮): U1, U2, U4 at 100 → 申报日期 U1 < U2 < U4 (blank last) ; U3 98 last.
    assert c.loc[["U1", "U2", "U4", "U3"], "status"].tolist() == ["入选", "入选", "候补", "候补"]
    assert c.loc[["U4", "U3"], "waitlist_no"].tolist() == [1.0, 2.0]
    # (上城区, 住宿) cell: U6 applied earlier than U5.
    assert c.loc[["U6", "U5"], "status"].tolist() == ["入选", "候补"] and c.loc["U5", "waitlist_no"] == 1.0
    assert c.loc["U7", "status"] == "入选" and pd.isna(c.loc["U7", "waitlist_no"])  # no quota for 余杭区


def test_district_figures(system: IndicatorSystem) -> None:
    # 上城区: U1 (applied, inspected, 100 with surveys), U2 (applied, not inspected),
    # U3 (not applied, inspected, vetoed, C1 −2, F1 5 → 93). 余杭区: U4 applied, not inspected → no index.
    ms = [merchant("U1"), merchant("U2"), merchant("U3", applied=False), merchant("U4", district="余杭区")]
    ins = [inspection("U1"), inspection("U3", C1=1.0)]
    sv = surveys("U1", FIVES) + surveys("U3", [[3.0] * 8] * 5)  # U3 index 50 → F1 5 → earned 93 → 93.00
    complaints = [
        {"complaint_no": "T1", "uscc": "U2", "registered_on": "2026-02-01", "outcome": "撤诉", "on_time": True},
        {"complaint_no": "T2", "uscc": "U2", "registered_on": "2026-02-01", "outcome": "调解成功", "on_time": False},
        {"complaint_no": "T3", "uscc": "XX", "registered_on": "2026-02-01", "outcome": "撤诉", "on_time": False},
    ]
    credit = [{"uscc": "U3", "list_type": "行政处罚", "listed_on": "2026-03-01", "removed_on": None}]
    data = make_round(ms, ins, sv, complaints, credit)
    scores = score_round(data, system)
    cands = candidates(data, scores, system, SelectionSettings(80))
    d = district_ranking(data, scores, cands, system).set_index("district")
    s = d.loc["上城区"]
    assert (s["applicants"], s["inspected_applicants"], s["coverage"]) == (2, 1, 0.5)
    assert s["mean_base"] == 96.5  # (100 + 93) / 2
    assert (s["excellent_rate"], s["veto_rate"]) == (0.5, 0.5)  # U1 优秀; U3 vetoed → 不合格
    assert s["satisfaction"] == 75.0  # (100 + 50) / 2
    assert s["on_time_rate"] == 0.5  # U2's 1 of 2; the unregistered XX is excluded
    assert s["selected"] == 1
    # index = 0.5 × 96.5 + 20 × 0.5 + 0.15 × 75 + 15 × 0.5 = 48.25 + 10 + 11.25 + 7.5 = 77.0
    assert s["district_index"] == 77.0 and s["rank"] == 1
    y = d.loc["余杭区"]
    assert pd.isna(y["district_index"]) and pd.isna(y["rank"]) and y["coverage"] == 0.0 and y["on_time_rate"] == 1.0
