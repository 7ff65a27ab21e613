"""商户排名: the run's merchants in rank order, filters, scope, and opening a merchant's explanation."""

from __future__ import annotations

from scoring.services import runs
from scoring.storage.database import make_engine
from tests.ui.conftest import ADMIN, EVALUATOR, ROUNDS, open_page, texts


def test_table_lists_every_scored_merchant_in_rank_order(demo_db: str) -> None:
    at = open_page("pages/ranking.py", round_name=ROUNDS[0])

    expected = runs.results(make_engine(demo_db), ADMIN, ROUNDS[0]).scores
    table = at.dataframe[0].value
    assert len(table) == len(expected)
    assert table["统一社会信用代码"].tolist() == expected["uscc"].tolist()
    assert table["综合得分"].tolist()[:5] == expected["total"].tolist()[:5]
    assert list(table.columns[:6]) == ["全市排名", "单位名称", "统一社会信用代码", "区县", "行业", "综合得分"]
    assert f"显示 {len(expected)} / {len(expected)} 家商户" in texts(at)


def test_filters_narrow_the_table(demo_db: str) -> None:
    at = open_page("pages/ranking.py", round_name=ROUNDS[0])

    at.multiselect(key="f_district").set_value(["西湖区"]).run()
    table = at.dataframe[0].value
    assert set(table["区县"]) == {"西湖区"}
    assert table["区县排名"].is_monotonic_increasing

    at.multiselect(key="f_district").set_value([]).run()
    at.selectbox(key="f_veto").set_value("vetoed").run()
    vetoed = at.dataframe[0].value
    expected = runs.results(make_engine(demo_db), ADMIN, ROUNDS[0]).scores
    assert len(vetoed) == int((expected["veto_text"].fillna("") != "").sum()) > 0
    assert (vetoed["等级"] == "不合格").all()

    at.text_input(key="f_text").input("不存在的商户名称").run()
    assert "没有符合筛选条件的商户" in at.info[0].value


def test_an_evaluator_sees_only_their_district(demo_db: str) -> None:
    at = open_page("pages/ranking.py", user=EVALUATOR, round_name=ROUNDS[1])

    table = at.dataframe[0].value
    assert set(table["区县"]) == {"上城区"}
    assert at.multiselect(key="f_district").options == ["上城区"]


def test_selecting_a_row_opens_that_merchants_explanation(demo_db: str) -> None:
    at = open_page("pages/ranking.py", round_name=ROUNDS[0])
    first = at.dataframe[0].value.iloc[0]
    assert "勾选表格左侧的选择框" in texts(at)

    at.session_state["ranking_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    button = next(b for b in at.button if b.label.startswith("查看"))
    assert button.label == f"查看“{first['单位名称']}”的得分说明"
    button.click().run()

    assert at.title[0].value == "商户详情"
    assert at.header[0].value == first["单位名称"]
    assert "基础得分 = 100 ×" in texts(at)
