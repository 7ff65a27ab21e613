"""Database fixtures: every storage test runs on SQLite and, when configured, on PostgreSQL.

- ``db``: an Engine on a database migrated to head and empty of data, one per test.
  SQLite: a copy of a template file migrated once per session. PostgreSQL: a schema migrated
  once per session (via Alembic, never create_all), truncated before each test.
- ``empty_db``: an Engine on a database with no tables at all (for migration tests).
- ``scored_demo_template``: a SQLite file with a scored demo campaign, built once per session and
  shared by the service and UI tests that need realistic data (each copies it).
PostgreSQL runs only when FANGXIN_TEST_PG_URL is set; otherwise those cases are skipped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from scoring.storage.database import make_engine
from scoring.storage.migrations import upgrade
from scoring.storage.models import Base

PG_ENV = "FANGXIN_TEST_PG_URL"
PG_SKIP = "PostgreSQL tests need FANGXIN_TEST_PG_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
DEMO_ROUNDS = ("2026年初期评估", "2026年中期评估", "2026年末期评估")  # the rounds of ``scored_demo_template``


def _pg_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        pytest.skip(PG_SKIP)
    return url


def _in_schema(url: str, schema: str) -> str:
    with_path = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return with_path.render_as_string(hide_password=False)


class _PgSchemas:
    """Creates throw-away schemas and drops them at the end of the session."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = make_engine(url)
        self.names: list[str] = []

    def create(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        with self.admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        self.names.append(name)
        return _in_schema(self.url, name)

    def drop_all(self) -> None:
        with self.admin.begin() as conn:
            for name in self.names:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[_PgSchemas]:
    schemas = _PgSchemas(_pg_url())
    yield schemas
    schemas.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "fangxin.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_migrated_url(pg_schemas: _PgSchemas) -> str:
    url = pg_schemas.create()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "fangxin.db"
        shutil.copyfile(template, path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(request.getfixturevalue("pg_migrated_url"))
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")  # a leaked transaction fails loudly
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        engine = make_engine(request.getfixturevalue("pg_schemas").create())
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def scored_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding a scored demo campaign, built once per session and shared: 80 merchants
    (seed 11), every round scored, the default phase plan. Copy it before use; never write to it."""
    from scoring.demo import build_demo_workbook
    from scoring.services import progress, runs
    from scoring.services.context import CLI_USER
    from scoring.services.imports import import_files
    from scoring.services.indicators import active_system
    from scoring.storage import repository as repo
    from scoring.storage.database import session_scope

    path = tmp_path_factory.mktemp("scored_demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        data = build_demo_workbook(merchants=80, seed=11)
        outcome = import_files(engine, CLI_USER, [("演示数据.xlsx", data)], active_system(engine))[0]
        assert outcome.status == "committed", outcome.lines()
        with session_scope(engine, write=False) as s:
            assert tuple(repo.round_names(s)) == DEMO_ROUNDS
        for name in DEMO_ROUNDS:
            runs.run_scoring(engine, CLI_USER, name)
        progress.create_default_plan(engine, CLI_USER)
    finally:
        engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path
