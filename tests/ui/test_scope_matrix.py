"""Page-level scope matrix (SPEC §1, §9): the evaluator of 上城区 opens every page of the menu with
another 区县, merchant and round in the URL's query parameters, tries every district and merchant
selector, forges the remembered merchant, and requests pages outside the menu: no other 区县's
merchant name, credit code, 区县 name or figure is ever shown, and every download holds only its own
rows. A leader gets no upload, scoring or review control and sees personal data masked.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pandas as pd
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from scoring.demo import build_demo_workbook
from scoring.services import runs
from scoring.services.context import CLI_USER, UserContext
from scoring.storage import views
from scoring.storage.database import make_engine, session_scope
from tests.ui.conftest import ADMIN, APP, EVALUATOR, LEADER, ROUNDS, texts
from tests.ui.files import XLSX
from ui.shell import PAGES, visible_pages

A = EVALUATOR.district


class Other:
    """Everything of the other 区县 that must never reach the evaluator."""

    def __init__(self, url: str) -> None:
        engine = make_engine(url)
        try:
            scores = runs.results(engine, CLI_USER, ROUNDS[0]).scores
        finally:
            engine.dispose()
        b = scores[scores["district"] != A]
        self.districts = sorted(set(b["district"]))
        self.usccs = sorted(set(b["uscc"]))
        self.names = sorted(set(b["name"]))
        self.a_usccs = set(scores.loc[scores["district"] == A, "uscc"])

    def leaks(self, text: str) -> set[str]:
        return {token for token in (*self.districts, *self.usccs, *self.names) if token in text}

    def params(self) -> dict[str, str]:
        """Query parameters naming the other 区县: plain names and the page widgets' own keys."""
        uscc, district = self.usccs[0], self.districts[0]
        return {
            "merchant": uscc, "uscc": uscc, "merchant_uscc": uscc, "m_search": self.names[0],
            "district": district, "f_district": district, "task_district": district, "cand_district": district,
            "round": ROUNDS[0], "user": "t-admin", "role": "admin",
        }  # fmt: skip


@pytest.fixture
def other(demo_db: str) -> Other:
    return Other(demo_db)


def _open(user: UserContext, page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = user
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    healthy(at)
    return at


def healthy(at: AppTest) -> None:
    """The page ran to its end: no exception and no error boundary message (a failure hides nothing)."""
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "意外错误" in str(e.value)]


def shown(at: AppTest) -> str:
    """Everything the page sends to the browser that can carry data: text, tables, charts, choices."""
    parts = [texts(at)]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [str(chart.proto.spec) for chart in at.get("plotly_chart")]
    for kind in ("selectbox", "multiselect", "radio"):
        parts += [f"{list(w.options)} {w.value}" for w in getattr(at, kind)]
    parts += [str(e.proto) for e in at.get("expander")]
    return "\n".join(parts)


def _selectors(at: AppTest) -> list[Any]:
    return [*at.main.selectbox, *at.main.multiselect]


EVALUATOR_PAGES = [p.path for p in visible_pages(EVALUATOR)]
WITH_DISTRICT_DATA = {"pages/overview.py", "pages/ranking.py", "pages/districts.py", "pages/candidates.py"}


@pytest.mark.parametrize("page", EVALUATOR_PAGES)
def test_no_page_shows_another_district_whatever_the_url_or_the_selectors(page: str, other: Other) -> None:
    at = _open(EVALUATOR, page, other.params())
    assert not other.leaks(shown(at)), page
    if page in WITH_DISTRICT_DATA:
        assert A in shown(at), f"{page} shows the evaluator's own 区县"
    for box in _selectors(at):  # the other 区县 is never a choice, and a forged choice is not honoured
        assert not other.leaks(str(list(box.options))), (page, box.label)
        forge(box, other.districts[0])
        at.run()
        healthy(at)
        assert not other.leaks(shown(at)), (page, box.label)


def forge(box: Any, value: str) -> None:
    """Make the widget send ``value`` as a browser could, whatever its options (a crafted message)."""

    class Forged(type(box)):  # type: ignore[misc]
        @property
        def _widget_state(self) -> WidgetState:
            ws = WidgetState()
            ws.id = self.id
            if self.type == "multiselect":
                ws.string_array_value.data[:] = [value]
            else:
                ws.string_value = value
            return ws

    box.__class__ = Forged


def test_the_checks_see_other_districts_where_they_are_shown(other: Other) -> None:
    """Controls: for an admin the same collection finds the other 区县, and a forged choice filters."""
    at = _open(ADMIN, "pages/ranking.py", {})
    assert other.leaks(shown(at))
    forge(at.multiselect(key="f_district"), other.districts[0])
    at.run()
    assert other.districts[0] in shown(at) and A not in at.dataframe[0].value.to_csv()


def test_the_menu_pages_are_all_checked() -> None:
    assert {"pages/overview.py", "pages/ranking.py", "pages/merchant.py", "pages/candidates.py"} <= set(EVALUATOR_PAGES)
    hidden = {p.path for p in PAGES} - set(EVALUATOR_PAGES)
    assert {"pages/users.py", "pages/audit.py", "pages/settings.py"} <= hidden


def test_searching_for_another_districts_merchant_finds_nothing(other: Other) -> None:
    at = _open(EVALUATOR, "pages/merchant.py", {})
    for query in (other.names[0], other.names[-1], other.usccs[0], other.usccs[-1][:12]):
        at.text_input(key="m_search").input(query).run()
        assert not at.exception
        assert not at.main.selectbox, query
        assert not other.leaks(shown(at)), query


def test_a_forged_merchant_of_another_district_is_refused(other: Other) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = EVALUATOR
    at.session_state["round"] = ROUNDS[0]
    at.session_state["merchant_uscc"] = other.usccs[0]
    at.run()
    at.switch_page("pages/merchant.py").run()
    assert not at.exception
    assert "无权查看其他区县的商户" in "\n".join(e.value for e in at.error)
    assert not other.leaks(shown(at))


def _request(user: UserContext, page_hash: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = user
    at.run()
    at._page_hash = page_hash  # what a browser asking for that page's URL sends
    return at.run()


def test_pages_outside_the_menu_cannot_be_requested(other: Other) -> None:
    titles = {"pages/users.py": "用户管理", "pages/audit.py": "审计日志", "pages/settings.py": "活动设置"}
    for page, wanted in titles.items():
        page_hash = _open(ADMIN, page, {})._page_hash
        assert _request(ADMIN, page_hash).title[0].value == wanted  # control: the request reaches the page
        at = _request(EVALUATOR, page_hash)
        assert not at.exception
        title = at.title[0].value if at.title else ""
        assert title not in {"用户管理", "审计日志", "活动设置"}, page
        assert "t-admin" not in shown(at) and not other.leaks(shown(at))


def _deferred_downloads(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Run every download button's deferred callable (what a click does) and return label → bytes."""
    out: dict[str, bytes] = {}
    for button in at.get("download_button"):
        proto = button.proto
        if proto.deferred_file_id:
            manager = _MANAGERS[-1]
            url = manager.execute_deferred(proto.deferred_file_id)
            out[proto.label] = bytes(manager._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0]).content)
    return out


_MANAGERS: list[Any] = []


@pytest.fixture
def managers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import app_test

    class Recording(MediaFileManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            _MANAGERS.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    _MANAGERS.clear()
    return _MANAGERS


def _content(data: bytes) -> str:
    if data[:2] == b"PK":  # xlsx
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    return data.decode("utf-8-sig", errors="replace")


@pytest.mark.parametrize(
    ("page", "least"), [("pages/candidates.py", 3), ("pages/ranking.py", 1), ("pages/imports.py", 1)]
)
def test_the_evaluators_downloads_hold_only_own_rows(
    page: str, least: int, other: Other, managers: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open(EVALUATOR, page, other.params())
    files = _deferred_downloads(at, monkeypatch)
    files.update({b.proto.label: _MANAGERS[-1]._storage.get_file(b.proto.url.rsplit("/", 1)[-1].split(".")[0]).content
                  for b in at.get("download_button") if not b.proto.deferred_file_id and b.proto.url})  # fmt: skip
    assert len(files) >= least, sorted(files)
    own = False
    for label, data in files.items():
        text = _content(bytes(data))
        assert not other.leaks(text), (label, sorted(other.leaks(text))[:5])
        own = own or any(code in text for code in other.a_usccs)
    if page != "pages/imports.py":
        assert own, "the lists hold the evaluator's own merchants"


def test_a_leader_gets_no_upload_scoring_or_review_controls_and_sees_masked_contacts(demo_db: str) -> None:
    assert "pages/imports.py" not in {p.path for p in visible_pages(LEADER)}
    for page in ("pages/ranking.py", "pages/overview.py", "pages/candidates.py"):
        at = _open(LEADER, page, {})
        labels = " ".join(b.label for b in at.button)
        assert "运行评分" not in labels and "开启审核" not in labels, page
        assert not any("审核操作" in str(r.label) or r.label == "操作" for r in at.radio), page
        assert not at.get("file_uploader")
    engine = make_engine(demo_db)
    try:
        row = runs.results(engine, CLI_USER, ROUNDS[0]).scores.iloc[0]
    finally:
        engine.dispose()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = LEADER
    at.session_state["round"] = ROUNDS[0]
    at.session_state["merchant_uscc"] = row["uscc"]
    at.run()
    at.switch_page("pages/merchant.py").run()
    profile = texts(at)
    assert "****" in profile, "the leader's view of the phone number is masked"


def _registry(url: str) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        with session_scope(engine, write=False) as s:
            return views.registry_by_district(s, None).set_index("district")
    finally:
        engine.dispose()


def test_an_evaluator_importing_every_districts_rows_through_the_page_changes_only_its_own(
    demo_db: str, other: Other
) -> None:
    before = _registry(demo_db)
    workbook = build_demo_workbook(merchants=60, seed=12)  # new merchants in every 区县
    at = _open(EVALUATOR, "pages/imports.py", other.params())
    at.file_uploader(key="import_files").set_value(("全部区县.xlsx", workbook, XLSX)).run()
    healthy(at)
    assert "不在您的管辖区县" in shown(at)  # the other 区县's rows are listed as rejected
    at.button(key="import_confirm").click().run()
    healthy(at)
    after = _registry(demo_db)
    assert after.loc[other.districts].equals(before.loc[other.districts])
    assert after.loc[A, "merchants"] > before.loc[A, "merchants"]
