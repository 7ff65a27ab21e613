"""Schema migrations (Alembic), run programmatically: no alembic.ini, no URL in a config file.

``upgrade(engine)`` brings any database (empty or older) to the newest schema; ``check_drift``
compares the migrated schema with ``models.py`` and returns the differences (none when the
migrations and the models agree; CI checks that on SQLite and PostgreSQL).
New revision after changing models.py (developers)::

    python -c "from scoring.storage.migrations import revise; revise('sqlite:///var/dev.db', 'add x')"
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.types import TypeDecorator

from scoring.storage.database import make_engine, writer

HERE = Path(__file__).resolve().parent


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations must not import application code: render our TypeDecorators as their base type.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def context_options() -> dict[str, Any]:
    """Options shared by env.py (migrations) and check_drift (comparison)."""
    return {"render_as_batch": True, "compare_type": True, "render_item": _render_item}


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at this folder, carrying ``connection`` for env.py."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("file_template", "r%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision id in versions/ (several heads of parallel branches: sorted, comma-joined)."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ",".join(sorted(heads)) or None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None  # same form as head_revision()


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Run the migrations up to ``revision`` in one transaction (SQLite DDL is transactional too).

    On SQLite, foreign keys are switched off while migrating (batch mode rebuilds tables, which
    would otherwise cascade or fail) and checked with ``PRAGMA foreign_key_check`` before commit.
    """
    with writer(engine).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a PRAGMA that only works outside a transaction: send it to the driver directly
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), revision)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"迁移后外键不一致：{broken[:5]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def check_drift(engine: Engine) -> list[Any]:
    """Differences between the database schema and models.py (empty list = no drift)."""
    from scoring.storage.models import Base

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=context_options())
        return list(compare_metadata(context, Base.metadata))


def revise(url: str, message: str, rev_id: str | None = None) -> None:
    """Autogenerate a new revision from the difference between ``url`` (upgraded first) and models.py."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with writer(engine).begin() as conn:
            command.revision(alembic_config(conn), message=message, autogenerate=True, rev_id=rev_id)
    finally:
        engine.dispose()
