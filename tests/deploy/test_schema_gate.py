"""Migrations are a deployment step: a page run never changes a PostgreSQL schema (issue 8, docs/DEPLOY.md).

On a PostgreSQL database that is not at the newest revision the app shows the operator's next step in
Chinese and leaves the schema alone; after ``upgrade`` (what ``python -m scoring migrate`` does) it
serves the sign-in page. The embedded SQLite file is still brought up to date by the app itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from scoring.storage.database import make_engine
from scoring.storage.migrations import current_revision, head_revision, upgrade

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()  # ui.data.engine() is built again on this test's database
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def empty_pg_schema() -> Iterator[str]:
    url = os.environ.get("FANGXIN_TEST_PG_URL", "").strip()
    if not url:
        print("\n[skipped] the PostgreSQL schema check needs FANGXIN_TEST_PG_URL")
        pytest.skip("needs FANGXIN_TEST_PG_URL")
    name = f"t_gate_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        in_schema = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
        yield in_schema.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


def _run(monkeypatch: pytest.MonkeyPatch, url: str) -> AppTest:
    monkeypatch.setenv("FANGXIN_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.postgres
def test_postgresql_is_never_migrated_by_a_page_run(monkeypatch: pytest.MonkeyPatch, empty_pg_schema: str) -> None:
    at = _run(monkeypatch, empty_pg_schema)
    message = " ".join(str(e.value) for e in at.error)
    assert "数据库结构不是最新版本" in message
    assert "python -m scoring migrate" in message
    assert not at.text_input  # no sign-in form on an unusable database
    engine = make_engine(empty_pg_schema)
    try:
        assert current_revision(engine) is None  # the page run left the schema alone
        upgrade(engine)  # the operator's step
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    st.cache_resource.clear()
    at = _run(monkeypatch, empty_pg_schema)
    assert not at.error
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    from ui import data

    data.engine().dispose()  # the app's cached Engine (still on this schema): close its pooled connections


def test_the_embedded_sqlite_file_is_still_migrated_by_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    at = _run(monkeypatch, url)
    assert not at.error
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
