"""AppTest fixtures for the dashboard pages: a scored demo campaign with one account per role.

The database is the session's shared scored demo campaign (``scored_demo_template`` in tests/conftest.py:
80 merchants, every round scored, the default phase plan) with the accounts added, copied per test, so
a test that imports or edits never affects another.
Streamlit caches live for the whole process (streamlit#9139): they are cleared around every test.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from scoring.auth import accounts
from scoring.services.context import CLI_USER, UserContext
from scoring.storage.database import make_engine
from tests.conftest import DEMO_ROUNDS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PASSWORD = "Dashboard-Test-2026"
ADMIN = UserContext("t-admin", "admin", None)
REVIEWER = UserContext("t-reviewer", "reviewer", None)
EVALUATOR = UserContext("t-evaluator", "evaluator", "上城区")
LEADER = UserContext("t-leader", "leader", None)
ROUNDS = DEMO_ROUNDS


@pytest.fixture(autouse=True)
def _served_like_a_running_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run app.py as a live server does after its first request: st.navigation mode, not pages/ mode.

    AppTest resets ``PagesManager.uses_pages_directory`` before every run, so every run would start in
    Streamlit's old pages-folder mode, which a server leaves for good at its first st.navigation call
    (ui.state.require_user handles that first request; the e2e tests cover it in a real browser).
    """
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def add_accounts(url: str) -> None:
    engine = make_engine(url)
    try:
        for user in (ADMIN, REVIEWER, EVALUATOR, LEADER):
            accounts.create_user(engine, CLI_USER, user.username, user.role, district=user.district, password=PASSWORD)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def dashboard_template(scored_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared scored demo campaign (tests/conftest.py) plus one account per role."""
    path = tmp_path_factory.mktemp("dashboard") / "demo.db"
    shutil.copyfile(scored_demo_template, path)
    add_accounts(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def empty_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with nothing but the accounts."""
    path = tmp_path_factory.mktemp("dashboard_empty") / "empty.db"
    shutil.copyfile(sqlite_template, path)
    add_accounts(f"sqlite:///{path}")
    return path


def _use(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    path = tmp_path / "fangxin.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("FANGXIN_DB_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()  # ui.data.engine() must be rebuilt on this database
    yield url
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_db(dashboard_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The URL of a private copy of the scored demo campaign (also in FANGXIN_DB_URL)."""
    yield from _use(dashboard_template, tmp_path, monkeypatch)


@pytest.fixture
def empty_db(empty_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from _use(empty_template, tmp_path, monkeypatch)


def open_page(page: str | None, user: UserContext = ADMIN, round_name: str | None = None) -> AppTest:
    """Run app.py as ``user`` (signed in), then switch to ``page`` (e.g. "pages/ranking.py")."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = user
    if round_name is not None:
        at.session_state["round"] = round_name
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Everything written on the page as plain text (markdown, captions, alerts, titles, metrics)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))  # undo the Markdown escaping of data text


class MediaFiles:
    """Captures the media storage of every AppTest run, so a download button's bytes can be read."""

    def __init__(self) -> None:
        self.stores: list[object] = []

    def content(self, url: str) -> bytes:
        name = url.rsplit("/", 1)[-1]
        for store in reversed(self.stores):
            try:
                return bytes(store.get_file(name).content)  # type: ignore[attr-defined]
            except Exception:
                continue
        raise KeyError(url)


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> MediaFiles:
    """Download buttons' files: ``media.content(button.proto.url)``."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    files = MediaFiles()

    class Recording(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            files.stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)
    return files
