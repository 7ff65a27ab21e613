"""Engine factory and transaction scopes for SQLite (embedded default) and PostgreSQL (SPEC §9).

SQLite connections get WAL, a busy timeout and foreign keys on every connect. Python 3.11's
``sqlite3`` opens transactions lazily and behind SQLAlchemy's back, so we take over with
SQLAlchemy's documented event-hook recipe: the driver is put in autocommit mode and the
``begin`` hook emits ``BEGIN`` itself — ``BEGIN IMMEDIATE`` for write scopes, so a writer takes
the write lock up front and waits (busy_timeout) instead of failing with SQLITE_BUSY halfway
through a read-then-write transaction.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DB_URL_ENV = "FANGXIN_DB_URL"
BUSY_TIMEOUT_MS = 30_000
# Execution option read by the SQLite ``begin`` hook: "IMMEDIATE" for writers, absent for readers.
_SQLITE_BEGIN = "fangxin_sqlite_begin"


def secrets_files() -> list[Path]:
    """Where Streamlit looks for secrets.toml: the user's ~/.streamlit, then the project's (which wins)."""
    return [Path.home() / ".streamlit" / "secrets.toml", PROJECT_ROOT / ".streamlit" / "secrets.toml"]


def _secret_url(files: list[Path]) -> str:
    """``[database] url`` of the last secrets file that sets it (parsed here, without importing streamlit)."""
    found = ""
    for path in files:
        try:
            with path.open("rb") as fh:
                section = tomllib.load(fh).get("database", {})
        except (OSError, tomllib.TOMLDecodeError):
            continue
        value = section.get("url") if isinstance(section, dict) else None
        if isinstance(value, str) and value.strip():
            found = value.strip()
    return found


def default_url(secrets: list[Path] | None = None) -> str:
    """The database URL: env FANGXIN_DB_URL, else ``[database] url`` in .streamlit/secrets.toml, else an
    SQLite file under <project>/var/ (created). Credentials never live in a committed file."""
    url = os.environ.get(DB_URL_ENV, "").strip() or _secret_url(secrets_files() if secrets is None else secrets)
    if url:
        return url
    folder = PROJECT_ROOT / "var"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'fangxin.db'}"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an Engine for ``url`` (sqlite:///… or postgresql+psycopg://…) with our connection policy."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_hooks(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not the psycopg2 default
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: SQLAlchemy's begin hook below decides when BEGIN happens.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes in WAL mode
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk upserts touch many index pages
            cursor.execute("PRAGMA temp_store=MEMORY")  # staging tables of bulk upserts
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_SQLITE_BEGIN)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions start with BEGIN IMMEDIATE on SQLite (no-op elsewhere)."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})


@contextmanager
def session_scope(engine: Engine, write: bool = True) -> Iterator[Session]:
    """A Session in one transaction: committed when the block ends, rolled back on any exception.

    ``write=True`` takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE); use ``write=False`` for
    pure reads so readers never queue behind writers. Objects stay usable after the block
    (``expire_on_commit=False``).
    """
    session = Session(bind=writer(engine) if write else engine, expire_on_commit=False)
    try:
        with session.begin():
            yield session
    finally:
        session.close()
