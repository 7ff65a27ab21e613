"""The 示范单位候选 page (AppTest): lists with places and reasons, quotas, robustness, review, titles, exports."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from scoring.engine.robustness import MARGINAL
from scoring.services import candidates as candidate_service
from scoring.services import review, runs, titles
from scoring.services.campaign import load_settings, save_settings
from scoring.services.context import CLI_USER, UserContext
from scoring.storage.database import make_engine
from tests.ui.conftest import ADMIN, EVALUATOR, LEADER, REVIEWER, open_page, texts

PAGE = "pages/candidates.py"
PAGE_FILE = str(Path(__file__).resolve().parents[2] / PAGE)
ROUND = "2026年中期评估"


@pytest.fixture
def engine(demo_db: str) -> Engine:
    """The demo campaign with quotas (3 per 区县, 上城区 餐饮 1), city, year and 公示期, rescored."""
    built = make_engine(demo_db)
    settings = load_settings(built)
    settings.city, settings.year = "杭州市", "2026"
    settings.notice_start, settings.notice_end = "2026-09-10", "2026-09-24"
    settings.objection_channel = "市放心消费创建办公室，电话 0571-85000000"
    settings.district_quotas = dict.fromkeys(("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区"), 3)
    settings.industry_quotas = [("上城区", "餐饮", 1)]
    save_settings(built, CLI_USER, settings)
    runs.run_scoring(built, CLI_USER, ROUND)
    return built


def page(user: UserContext, round_name: str = ROUND) -> AppTest:
    """The page alone (as app.py runs it for a signed-in user with a round chosen in the sidebar)."""
    at = AppTest.from_file(PAGE_FILE, default_timeout=60)
    at.session_state["user"] = user
    at.session_state["round"] = round_name
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_page_is_in_every_role_s_menu(engine: Engine) -> None:
    for user in (ADMIN, REVIEWER, EVALUATOR, LEADER):
        at = open_page(PAGE, user, ROUND)
        assert at.title[0].value == "示范单位候选"


def test_selected_waiting_with_place_and_not_qualified_with_every_reason(engine: Engine) -> None:
    expected = runs.results(engine, ADMIN, ROUND).candidates
    at = page(ADMIN)
    shown = {m.label: m.value for m in at.metric}
    for status in ("入选", "候补", "不符合"):
        assert shown[status] == str(int((expected["status"] == status).sum()))
    listed = at.dataframe[0].value
    assert set(listed["统一社会信用代码"]) == set(expected[expected["status"] == "入选"]["uscc"])

    at.radio(key="cand_status").set_value("候补").run()
    waiting = at.dataframe[0].value
    want = expected[expected["status"] == "候补"].set_index("uscc")["waitlist_no"]
    assert dict(zip(waiting["统一社会信用代码"], waiting["候补序号"], strict=True)) == want.astype(int).to_dict()

    at.radio(key="cand_status").set_value("不符合").run()
    out = at.dataframe[0].value
    want = expected[expected["status"] == "不符合"].set_index("uscc")["reasons"]
    assert dict(zip(out["统一社会信用代码"], out["原因"], strict=True)) == want.to_dict()
    assert out["原因"].str.contains("；").any()  # several reasons in one cell

    at.multiselect(key="cand_district").set_value(["上城区"]).run()
    assert set(at.dataframe[0].value["区县"]) == {"上城区"}
    at.multiselect(key="cand_reason").set_value(["未检查"]).run()
    assert set(at.dataframe[0].value["原因"]) == {"未检查"}


def test_quota_use_per_district(engine: Engine) -> None:
    at = page(ADMIN)
    found = runs.results(engine, ADMIN, ROUND)
    usage = candidate_service.quota_usage(found.candidates, candidate_service.run_settings(found))
    table = _frame(at, "名额")
    assert list(table["入选"]) == list(usage["selected"])
    pair = table[(table["区县"] == "上城区") & (table["行业"] == "餐饮")]
    assert int(pair["名额"].iloc[0]) == 1 and int(pair["入选"].iloc[0]) <= 1


def test_robustness_chart_and_marginal_flags(engine: Engine) -> None:
    at = page(ADMIN)
    robust = candidate_service.robustness(engine, ADMIN, ROUND, draws=1000, seed=2026)
    shown = {m.label: m.value for m in at.metric}
    assert shown["边缘决定"] == str(int((robust["flag"] == MARGINAL).sum()))
    near = robust[robust["near"]]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bars = next(c for c in charts if "保持入选比例" in c["layout"]["title"]["text"])
    assert len(bars["data"][0]["y"]) == len(near)
    assert "边缘" in " ".join(bars["data"][0]["text"])


def test_review_open_act_in_bulk_with_a_reason_and_see_history(engine: Engine) -> None:
    at = page(EVALUATOR)
    assert "请等待市级审核员开启审核" in texts(at)
    at = page(REVIEWER)
    at.button(key="review_open").click().run()
    assert not at.exception
    assert at.session_state["flash"] == ("success", "已为 19 家入选单位建立审核记录。")
    cases = review.cases(engine, ADMIN, ROUND)
    assert len(cases) == int((runs.results(engine, ADMIN, ROUND).candidates["status"] == "入选").sum())

    at = page(EVALUATOR)  # the 上城区 evaluator sees only 上城区 cases
    assert set(_frame(at, "审核状态")["区县"]) == {"上城区"}
    at.session_state["review_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    at.run()
    assert "办理所选 **2** 家单位" in texts(at)
    form_radio = next(r for r in at.radio if r.label == "操作")
    form_radio.set_value("district_approve")
    next(a for a in at.text_area if a.label == "理由（必填）").set_value("")
    next(b for b in at.button if b.label == "确认办理").click().run()
    assert any("请填写理由" in e.value for e in at.error)  # nothing done without a reason
    assert set(review.cases(engine, ADMIN, ROUND)["state"]) == {"待审核"}

    at.session_state["review_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    at.run()
    next(r for r in at.radio if r.label == "操作").set_value("district_approve")
    next(a for a in at.text_area if a.label == "理由（必填）").set_value("材料齐全，同意推荐")
    next(b for b in at.button if b.label == "确认办理").click().run()
    assert at.session_state["flash"] == ("success", "已办理“区县审核通过”：2 家单位。")
    moved = review.cases(engine, ADMIN, ROUND)
    moved = moved[moved["state"] == "区县审核通过"]
    assert len(moved) == 2 and set(moved["district"]) == {"上城区"}

    at.session_state["review_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    history = _frame(at, "理由")
    assert list(history["理由"]) == ["评分记录 #" + str(runs.results(engine, ADMIN, ROUND).run.id) + " 中入选",
                                   "材料齐全，同意推荐"]  # fmt: skip


def test_recognised_units_alerts_and_exports(engine: Engine) -> None:
    review.open_review(engine, ADMIN, ROUND)
    ids = [int(i) for i in review.cases(engine, ADMIN, ROUND)["id"]]
    for key in ("district_approve", "city_approve", "publish", "recognise"):
        review.transition(engine, ADMIN, ids, key, "按程序办理", on=date(2026, 9, 25))
    uscc = str(review.cases(engine, ADMIN, ROUND)["uscc"].iloc[0])
    from scoring.services.imports import import_files
    from scoring.services.indicators import active_system

    csv = f"统一社会信用代码,名单类型,列入日期\n{uscc},严重违法失信名单,{date.today().isoformat()}\n"
    import_files(engine, CLI_USER, [("信用记录.csv", csv.encode("utf-8-sig"))], active_system(engine))
    at = page(LEADER)
    assert any("摘牌预警" in e.value and "严重违法失信名单" in e.value for e in at.error)
    held = _frame(at, "有效期至")
    assert len(held) == len(ids) and set(held["有效状态"]) == {"有效"}
    assert titles.alerts(engine, LEADER)["uscc"].tolist() == [uscc]
    labels = [b.label for b in at.get("download_button")]
    assert "下载公示名单（xlsx）" not in labels  # nothing is 市级审核通过 or 公示中 any more
    assert "内部名单（三表）" not in labels  # a leader exports public lists only


def test_public_notice_download(engine: Engine) -> None:
    review.open_review(engine, ADMIN, ROUND)
    ids = [int(i) for i in review.cases(engine, ADMIN, ROUND)["id"]]
    for key in ("district_approve", "city_approve", "publish"):
        review.transition(engine, ADMIN, ids, key, "按程序办理")
    at = page(LEADER)
    assert "杭州市2026年度放心消费示范单位拟认定名单" in texts(at)
    button = next(b for b in at.get("download_button") if b.label == "下载公示名单（xlsx）")
    assert button is not None
