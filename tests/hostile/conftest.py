"""Fixtures for the hostile-file tests: the corpus built once per session, an SQLite database per
test, and two ways in — the CLI (``scoring.cli.main``) and the 数据导入 page (AppTest)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from scoring.cli import main
from scoring.services.context import UserContext
from scoring.storage.database import make_engine
from tests.hostile.corpus import CASES, Case

ROOT = Path(__file__).resolve().parents[2]
IMPORT_PAGE = ROOT / "pages" / "imports.py"
ADMIN = UserContext("admin", "admin")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="session")
def built() -> dict[str, bytes]:
    """Every case's bytes, built once (the zip bomb and the 1,000,000 rows take a second each)."""
    return {case.id: case.build() for case in CASES}


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "hostile.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    built = make_engine(sqlite_url)
    yield built
    built.dispose()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the CLI in-process: exit code and everything it printed."""
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def district_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM district")).scalar_one())


def upload_page(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The 数据导入 page for an admin on the database at ``url`` (Streamlit caches cleared)."""
    monkeypatch.setenv("FANGXIN_DB_URL", url)
    # run alone, the page has no st.navigation: its "next step" link would raise in AppTest
    monkeypatch.setattr(st, "page_link", lambda *args, **kwargs: None)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(IMPORT_PAGE), default_timeout=120)
    at.session_state["user"] = ADMIN
    return at.run()


def page_upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    """Put ``files`` in the page's uploader and run it (the preview)."""
    at.file_uploader[0].set_value([(name, data, XLSX_MIME) for name, data in files])
    return at.run()


def page_text(at: AppTest) -> str:
    """What the page shows as messages: errors, warnings, captions, successes."""
    parts = [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [c.value for c in at.caption] + [s.value for s in at.success] + [m.value for m in at.markdown]
    return "\n".join(str(p) for p in parts)


def ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]
