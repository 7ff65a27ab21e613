"""商户排名: the run's merchants in rank order, filters, sorting, pages, scope, download, opening a merchant."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from scoring.services import runs
from scoring.storage.database import make_engine
from tests.ui.conftest import ADMIN, EVALUATOR, LEADER, ROUNDS, open_page, texts
from ui import tables


def _scores(url: str, round_name: str = ROUNDS[0]) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        return runs.results(engine, ADMIN, round_name).scores
    finally:
        engine.dispose()


def test_table_lists_every_scored_merchant_in_rank_order(demo_db: str) -> None:
    at = open_page("pages/ranking.py", round_name=ROUNDS[0])

    expected = _scores(demo_db)
    table = at.dataframe[0].value
    assert len(table) == len(expected) < tables.PAGE_SIZE  # the demo fits on one page
    assert table["统一社会信用代码"].tolist() == expected["uscc"].tolist()
    assert table["综合得分"].tolist()[:5] == expected["total"].tolist()[:5]
    assert list(table.columns[:6]) == ["全市排名", "单位名称", "统一社会信用代码", "区县", "行业", "综合得分"]
    n = len(expected)
    assert f"显示第 1–{n} 条，筛选结果 {n} / {n} 家商户。" in texts(at)
    assert "共 1 页" in texts(at)


def test_filters_narrow_the_table(demo_db: str) -> None:
    at = open_page("pages/ranking.py", round_name=ROUNDS[0])
    expected = _scores(demo_db)

    at.multiselect(key="f_district").set_value(["西湖区"]).run()
    table = at.dataframe[0].value
    assert set(table["区县"]) == {"西湖区"}
    assert len(table) == int((expected["district"] == "西湖区").sum())
    assert table["区县排名"].is_monotonic_increasing

    at.multiselect(key="f_district").set_value([]).run()
    at.selectbox(key="f_veto").set_value("vetoed").run()
    vetoed = at.dataframe[0].value
    assert len(vetoed) == int((expected["veto_text"].fillna("") != "").sum()) > 0
    assert (vetoed["等级"] == "不合格").all()

    at.selectbox(key="f_veto").set_value("all").run()
    name = str(expected["name"].iloc[7])
    at.text_input(key="f_text").input(name).run()
    assert at.dataframe[0].value["单位名称"].tolist() == [name]
    at.text_input(key="f_text").input("%_不存在的商户名称").run()  # LIKE wildcards are plain text
    assert "没有符合筛选条件的商户" in at.info[0].value


def test_sorting_orders_every_matching_merchant(demo_db: str) -> None:
    at = open_page("pages/ranking.py", round_name=ROUNDS[0])
    expected = _scores(demo_db)

    at.selectbox(key="r_sort").set_value("base").run()
    at.segmented_control(key="r_desc").set_value(True).run()
    table = at.dataframe[0].value
    want = expected.sort_values(["base", "city_rank", "uscc"], ascending=[False, True, True], na_position="last")
    assert table["统一社会信用代码"].tolist() == want["uscc"].tolist()

    at.segmented_control(key="r_desc").set_value(False).run()
    assert at.dataframe[0].value["基础得分"].dropna().is_monotonic_increasing


def test_pages_step_through_the_ranking_and_a_new_filter_starts_on_page_one(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "PAGE_SIZES", (10, 30))  # the demo has 76 merchants: three pages of 30
    monkeypatch.setattr(tables, "PAGE_SIZE", 30)
    expected = _scores(demo_db)["uscc"].tolist()
    at = open_page("pages/ranking.py", round_name=ROUNDS[0])
    assert at.dataframe[0].value["统一社会信用代码"].tolist() == expected[:30]
    assert "共 3 页" in texts(at)

    at.number_input(key="r_page").set_value(3).run()
    assert at.dataframe[0].value["统一社会信用代码"].tolist() == expected[60:]
    assert f"显示第 61–{len(expected)} 条，筛选结果 {len(expected)} / {len(expected)} 家商户。" in texts(at)

    at.session_state["ranking_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert any(b.label.startswith("查看") for b in at.button)
    at.selectbox(key="f_veto").set_value("clean").run()
    assert at.number_input(key="r_page").value == 1
    assert not any(b.label.startswith("查看") for b in at.button)  # the selected row is no longer shown
    assert texts(at).count("显示第 1–30 条") == 1

    at.selectbox(key="f_veto").set_value("all").run()
    at.selectbox(key="r_size").set_value(10).run()
    at.number_input(key="r_page").set_value(2).run()
    assert at.dataframe[0].value["统一社会信用代码"].tolist() == expected[10:20]


def test_an_evaluator_sees_only_their_district(demo_db: str) -> None:
    at = open_page("pages/ranking.py", user=EVALUATOR, round_name=ROUNDS[1])

    table = at.dataframe[0].value
    assert set(table["区县"]) == {"上城区"}
    assert at.multiselect(key="f_district").options == ["上城区"]
    scores = _scores(demo_db, ROUNDS[1])
    assert len(table) == int((scores["district"] == "上城区").sum())


def _download(at: Any, managers: list[Any]) -> bytes:
    """What clicking the CSV button sends: its deferred callable run like the server does."""
    button = next(b for b in at.get("download_button") if b.label.startswith("下载筛选结果"))
    manager = managers[-1]
    url = manager.execute_deferred(button.proto.deferred_file_id)
    return bytes(manager._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0]).content)


@pytest.fixture
def managers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import app_test

    made: list[Any] = []

    class Recording(MediaFileManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    return made


def test_the_filtered_ranking_downloads_as_csv_in_the_pages_order(demo_db: str, managers: list[Any]) -> None:
    at = open_page("pages/ranking.py", round_name=ROUNDS[0])
    at.multiselect(key="f_district").set_value(["西湖区"]).run()
    at.selectbox(key="r_sort").set_value("total").run()

    csv = pd.read_csv(io.BytesIO(_download(at, managers)), encoding="utf-8-sig", dtype=str)
    shown = at.dataframe[0].value
    assert csv["统一社会信用代码"].tolist() == shown["统一社会信用代码"].tolist()
    assert list(csv.columns[:3]) == ["统一社会信用代码", "单位名称", "区县"] and csv.columns[-1] == "候选状态"
    assert set(csv["区县"]) == {"西湖区"}

    leader = open_page("pages/ranking.py", user=LEADER, round_name=ROUNDS[0])
    assert len(leader.dataframe[0].value) > 0
    assert not [b for b in leader.get("download_button") if b.label.startswith("下载筛选结果")]


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
