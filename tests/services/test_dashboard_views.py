"""Read views behind the dashboard: masking, ranking filters, KPI lights, phase dates, indicator diffs."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from scoring.engine.indicators import load_indicator_system
from scoring.services import indicator_views, progress
from scoring.services.context import UserContext
from scoring.services.dashboard import RankingFilter, RoundInfo, default_round, filter_ranking
from scoring.services.indicators import DEFAULT_FILE, default_system
from scoring.services.privacy import for_user, mask_person, mask_phone


def test_personal_data_is_masked_for_leaders_and_kept_for_others() -> None:
    record = {"name": "杭州某餐厅", "contact_person": "王小明", "phone": "13812341234"}

    assert for_user(UserContext("l", "leader"), record) == {
        "name": "杭州某餐厅", "contact_person": "王**", "phone": "138****1234",
    }  # fmt: skip
    assert for_user(UserContext("a", "admin"), record) == record
    assert mask_phone("0571-8765") == "057****8765"
    assert mask_phone("12345") == "***45"
    assert mask_phone(None) is None and mask_person("") == ""


RANKING = pd.DataFrame(
    {
        "uscc": ["91A", "91B", "92C", "93D"],
        "name": ["杭州甲餐厅", "杭州乙超市", "杭州丙餐厅", "杭州丁酒店"],
        "district": ["上城区", "西湖区", "上城区", "滨江区"],
        "industry": ["餐饮", "商超零售", "餐饮", "住宿"],
        "grade": ["优秀", "良好", "不合格", "合格"],
        "vetoed": [False, False, True, False],
    }
)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (RankingFilter(), ["91A", "91B", "92C", "93D"]),
        (RankingFilter(districts=("上城区",)), ["91A", "92C"]),
        (RankingFilter(districts=("上城区",), veto="clean"), ["91A"]),
        (RankingFilter(veto="vetoed"), ["92C"]),
        (RankingFilter(industries=("餐饮", "住宿"), grades=("优秀", "合格")), ["91A", "93D"]),
        (RankingFilter(text="餐厅"), ["91A", "92C"]),
        (RankingFilter(text="92"), ["92C"]),
    ],
)
def test_ranking_filters_combine(chosen: RankingFilter, expected: list[str]) -> None:
    assert filter_ranking(RANKING, chosen)["uscc"].tolist() == expected


def test_the_first_round_shown_is_the_newest_scored_one() -> None:
    rounds = [
        RoundInfo("初期", date(2026, 1, 1), date(2026, 4, 30), 1),
        RoundInfo("中期", date(2026, 5, 1), date(2026, 8, 31), 2),
        RoundInfo("末期", date(2026, 9, 1), date(2026, 12, 31), None),
    ]
    assert default_round(rounds) == "中期"
    unscored = [RoundInfo(r.name, r.start, r.end, None) for r in rounds]
    assert default_round(unscored, today=date(2026, 6, 1)) == "中期"
    assert default_round(unscored, today=date(2030, 1, 1)) == "末期"
    assert default_round([]) is None


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [(0.95, 0.9, "green"), (0.9, 0.9, "green"), (0.82, 0.9, "yellow"), (0.80, 0.9, "red"), (None, 0.9, "none")],
)
def test_kpi_traffic_lights(actual: float | None, target: float, expected: str) -> None:
    assert progress.light(actual, target) == expected


def test_default_phases_surround_the_rounds() -> None:
    rounds = pd.DataFrame(
        {"start": pd.to_datetime(["2026-01-01", "2026-05-01"]), "end": pd.to_datetime(["2026-04-30", "2026-08-31"])}
    )

    phases = progress.default_dates(rounds, date(2026, 1, 1))

    assert phases == [
        ("筹备", date(2025, 11, 2), date(2025, 12, 31)),
        ("实施", date(2026, 1, 1), date(2026, 8, 31)),
        ("总结", date(2026, 9, 1), date(2026, 10, 30)),
    ]


def test_indicator_tree_and_sunburst_add_up() -> None:
    system = default_system()
    tree = indicator_views.tree(system)
    sun = indicator_views.sunburst(system)

    assert tree[tree["level"] == "dimension"]["points"].sum() == 100
    assert tree[tree["level"] == "indicator"]["points"].sum() == 100
    assert sun.loc[sun["id"] == "root", "points"].item() == 100
    assert sun[sun["parent"] == "root"]["points"].sum() == 100


def test_diff_names_what_changed_between_versions() -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    new = load_indicator_system(text.replace("per_finding: 2\n", "per_finding: 3\n", 1).replace("cap: 15", "cap: 12"))

    changes = indicator_views.diff(default_system(), new)

    assert set(changes["item"]) == {"A2", "加分上限"}
    a2 = changes[changes["item"] == "A2"].iloc[0]
    assert (a2["change"], a2["field"]) == ("changed", "规则")
    assert "每处发现扣 2" in a2["before"] and "每处发现扣 3" in a2["after"]
    assert indicator_views.diff(default_system(), default_system()).empty
