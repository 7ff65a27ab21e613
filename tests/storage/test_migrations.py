"""Migrations build the schema of models.py from an empty database, on both backends."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from scoring.storage.migrations import check_drift, current_revision, head_revision, upgrade
from scoring.storage.models import Base


def test_upgrade_empty_database_to_head_without_drift(empty_db: Engine) -> None:
    assert current_revision(empty_db) is None

    upgrade(empty_db)

    assert current_revision(empty_db) == head_revision()
    assert set(inspect(empty_db).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
    assert check_drift(empty_db) == []


def test_upgrade_twice_is_a_no_op(empty_db: Engine) -> None:
    upgrade(empty_db)
    upgrade(empty_db)

    assert current_revision(empty_db) == head_revision()


def test_drift_is_detected(db: Engine) -> None:
    with db.begin() as conn:
        conn.exec_driver_sql("CREATE INDEX ix_stray ON merchant (name)")

    diffs = check_drift(db)

    assert any(d[0] == "remove_index" and d[1].name == "ix_stray" for d in diffs)
