"""The 活动设置 page (AppTest): city, year, threshold, 公示期, objection channel and both quota tables are
saved by the explicit button, every problem is listed at once, and only an admin may change them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from scoring.services.campaign import load_settings
from scoring.services.context import UserContext
from scoring.storage.database import make_engine
from tests.ui.conftest import ADMIN, REVIEWER, open_page
from ui.shell import visible_pages

PAGE_FILE = str(Path(__file__).resolve().parents[2] / "pages" / "settings.py")
DISTRICTS = ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区"]


def page(user: UserContext = ADMIN) -> AppTest:
    at = AppTest.from_file(PAGE_FILE, default_timeout=60)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _by_label(elements: object, label: str) -> object:
    return next(e for e in elements if e.label == label)  # type: ignore[attr-defined]


def _fill(at: AppTest) -> None:
    _by_label(at.text_input, "城市").set_value("杭州市")
    _by_label(at.text_input, "年度").set_value("2026")
    _by_label(at.number_input, "入选分数线（综合得分）").set_value(85.0)
    _by_label(at.date_input, "公示期开始").set_value(date(2026, 9, 10))
    _by_label(at.date_input, "公示期结束").set_value(date(2026, 9, 24))
    _by_label(at.text_area, "异议受理方式").set_value("市放心消费创建办公室，电话 0571-85000000")


def _save(at: AppTest) -> AppTest:
    return _by_label(at.button, "保存设置").click().run()  # type: ignore[attr-defined, no-any-return]


def test_settings_and_both_quota_tables_are_saved(demo_db: str) -> None:
    at = page()
    editor = at.data_editor[0].value
    assert list(editor["district"]) == DISTRICTS  # one row per known 区县, blank = 不限
    _fill(at)
    edits = {"edited_rows": {0: {"quota": "5"}, 2: {"quota": "0"}}, "added_rows": [], "deleted_rows": []}
    at.session_state["quota_district"] = edits
    added = [{"district": "上城区", "industry": "餐饮", "quota": "2"}]
    at.session_state["quota_pair"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": added}
    at = _save(at)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["flash"][0] == "success"
    engine: Engine = make_engine(demo_db)
    saved = load_settings(engine)
    assert (saved.city, saved.year, saved.threshold) == ("杭州市", "2026", 85.0)
    assert (saved.notice_start, saved.notice_end) == ("2026-09-10", "2026-09-24")
    assert saved.objection_channel == "市放心消费创建办公室，电话 0571-85000000"
    assert saved.district_quotas == {"上城区": 5, "西湖区": 0}
    assert saved.industry_quotas == [("上城区", "餐饮", 2)]

    at = page()  # shown again as saved
    editor = at.data_editor[0].value
    quotas = editor.set_index("district")["quota"]
    assert quotas.to_dict() == {"上城区": "5", "拱墅区": "", "西湖区": "0", "滨江区": "", "萧山区": "", "余杭区": ""}
    assert at.data_editor[1].value.to_dict("records") == [{"district": "上城区", "industry": "餐饮", "quota": "2"}]


def test_every_problem_is_listed_and_nothing_is_saved(demo_db: str) -> None:
    at = page()
    _fill(at)
    _by_label(at.text_input, "年度").set_value("二〇二六")
    _by_label(at.date_input, "公示期结束").set_value(date(2026, 9, 1))
    added = [
        {"district": "上城区", "industry": "餐饮", "quota": "2"},
        {"district": "上城区", "industry": "餐饮", "quota": "1"},
        {"district": "上城区", "industry": "住宿"},
    ]
    at.session_state["quota_pair"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": added}
    at = _save(at)
    assert at.error[0].value == "有 4 处需要修改，设置未保存："
    problems = at.markdown[-1].value
    for part in ("年度应为四位数字", "公示期结束日期早于开始日期", "重复设置", "请填写名额"):
        assert part in problems
    assert load_settings(make_engine(demo_db)).city == ""


def test_only_an_admin_may_change_settings(demo_db: str) -> None:
    at = page(REVIEWER)
    assert at.error[0].value == "只有管理员可以修改活动设置。"
    assert not at.button
    assert "pages/settings.py" not in [p.path for p in visible_pages(REVIEWER)]  # not in the reviewer's menu
    admin = open_page("pages/settings.py", ADMIN)
    assert admin.title[0].value == "活动设置"
