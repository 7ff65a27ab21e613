"""商户详情: explanation chain, radar against peers, history across rounds, masking of personal data."""

from __future__ import annotations

import re

import pandas as pd

from scoring.services import runs
from scoring.storage.database import make_engine
from tests.ui.conftest import ADMIN, EVALUATOR, LEADER, ROUNDS, open_page, texts


def _top(url: str, round_name: str) -> pd.Series:
    return runs.results(make_engine(url), ADMIN, round_name).scores.iloc[0]


def _open(uscc: str, user: object = ADMIN, round_name: str = ROUNDS[0]) -> object:
    at = open_page("pages/merchant.py", user=user, round_name=round_name)  # type: ignore[arg-type]
    at.session_state["merchant_uscc"] = uscc
    return at.run()


def test_without_a_merchant_the_page_says_how_to_pick_one(demo_db: str) -> None:
    at = open_page("pages/merchant.py")

    assert "在“商户排名”中选中一家商户" in at.info[0].value


def test_search_finds_and_opens_a_merchant(demo_db: str) -> None:
    top = _top(demo_db, ROUNDS[0])
    at = open_page("pages/merchant.py", round_name=ROUNDS[0])

    at.text_input(key="m_search").input(top["uscc"][:12]).run()
    at.button(key="m_open").click().run()

    assert at.header[0].value == top["name"]


def test_explanation_figures_and_history(demo_db: str) -> None:
    top = _top(demo_db, ROUNDS[0])
    at = _open(top["uscc"])

    figures = {m.label: m.value for m in at.metric}
    assert figures["综合得分"] == f"{top['total']:.2f}"
    assert figures["全市排名"] == "1"
    page = texts(at)
    for section in (
        "A 安全放心",
        "基础得分",
        "加分",
        "综合得分 = 基础得分 + 加分",
        "一票否决",
        "等级",
        "排名",
        "候选决定",
    ):
        assert section in page
    assert "基础得分 = 100 ×" in page
    radar = at.dataframe[0].value
    assert radar["维度"].tolist() == ["A", "B", "C", "D", "E", "F"]
    assert radar["本商户（%）"].between(0, 100).all()
    history = at.dataframe[1].value
    assert history["评估轮次"].tolist()[0] == ROUNDS[0]
    assert len(at.get("plotly_chart")) >= 1


def test_personal_data_is_masked_for_leaders_only(demo_db: str) -> None:
    top = _top(demo_db, ROUNDS[0])

    leader = texts(_open(top["uscc"], LEADER))
    admin = texts(_open(top["uscc"], ADMIN))

    assert re.search(r"联系电话\*\*：1\d\d\*\*\*\*\d{4}", leader)  # 138****1234
    assert re.search(r"联系电话\*\*：1\d{10}", admin)


def test_an_evaluator_cannot_open_another_districts_merchant(demo_db: str) -> None:
    scores = runs.results(make_engine(demo_db), ADMIN, ROUNDS[0]).scores
    other = scores[scores["district"] != EVALUATOR.district].iloc[0]

    at = _open(other["uscc"], EVALUATOR)

    assert at.error[0].value == "无权查看其他区县的商户。"
    assert other["name"] not in texts(at)
