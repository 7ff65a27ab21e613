"""Connection policy: SQLite pragmas, BEGIN IMMEDIATE for writers, commit/rollback scopes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from scoring.storage import database
from scoring.storage.database import default_url, make_engine, session_scope
from scoring.storage.models import District


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")  # missing folder is created
    try:
        with engine.connect() as conn:
            pragmas = {
                p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                for p in ("journal_mode", "busy_timeout", "foreign_keys")
            }
    finally:
        engine.dispose()

    assert pragmas == {"journal_mode": "wal", "busy_timeout": 30_000, "foreign_keys": 1}


def _try_write_lock(path: Path) -> bool:
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        other.close()


def test_write_scope_takes_the_sqlite_write_lock_at_begin(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with session_scope(engine, write=False) as session:
            session.execute(text("SELECT 1"))
            assert _try_write_lock(path)  # a reader never blocks a writer
        with session_scope(engine, write=True) as session:
            session.execute(text("SELECT 1"))  # nothing written yet, but the lock is already ours
            assert not _try_write_lock(path)
        assert _try_write_lock(path)
    finally:
        engine.dispose()


def test_scope_commits_on_success_and_rolls_back_on_error(db: Engine) -> None:
    with session_scope(db) as session:
        session.add(District(name="上城区"))

    with pytest.raises(RuntimeError), session_scope(db) as session:
        session.add(District(name="西湖区"))
        session.flush()  # the row reached the database inside the transaction
        raise RuntimeError("boom")

    with session_scope(db, write=False) as session:
        assert session.execute(select(District.name)).scalars().all() == ["上城区"]


def test_sqlite_savepoints_work(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sp.db'}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            nested = conn.begin_nested()
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
            nested.rollback()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == [1]
    finally:
        engine.dispose()


def test_default_url_prefers_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FANGXIN_DB_URL", "postgresql+psycopg://u@h/db")
    assert default_url() == "postgresql+psycopg://u@h/db"

    monkeypatch.delenv("FANGXIN_DB_URL")
    monkeypatch.setattr(database, "PROJECT_ROOT", tmp_path)
    assert default_url() == f"sqlite:///{tmp_path / 'var' / 'fangxin.db'}"
    assert (tmp_path / "var").is_dir()


def test_plain_postgresql_url_uses_psycopg3() -> None:
    engine = make_engine("postgresql://postgres@127.0.0.1:1/none")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()
