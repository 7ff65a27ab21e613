"""The fast path of an upsert: many rows, one statement, no per-row SQLAlchemy work.

The rows go into a temporary table (PostgreSQL: COPY; SQLite: ``executemany`` of plain tuples),
then one set-based ``INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE <a column differs>``
merges them (on SQLite about 40% faster than an upsert per row; on PostgreSQL its
``RETURNING (xmax = 0)`` tells inserted from updated rows). SQLite values are converted by the
columns' own SQLAlchemy bind processors, applied once per distinct value, so the stored text is
exactly what an ORM write would store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Dialect,
    Integer,
    Table,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from scoring.storage.columns import UTCDateTime, utcnow
from scoring.storage.errors import StorageError
from scoring.storage.models import Merchant

Counts = tuple[int, int, int]  # inserted, updated, unchanged


def upsert_rows(
    session: Session,
    target: Table,
    key: list[str],
    values: dict[str, list[Any]],
    upload_id: int | None,
    *,
    check_merchants: bool = False,
) -> Counts:
    """Upsert the rows given column-wise in ``values``; an identical row is left untouched.

    ``check_merchants``: refuse, naming them, USCCs that are not in the merchant registry (the
    foreign key would refuse them too, but without saying which). On SQLite they are looked for
    only when the foreign key has refused the rows, so a valid file pays nothing for the check.
    """
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    names = list(values)
    rows = len(values[names[0]])
    staged = _stage(conn, target, values)
    if check_merchants and postgres:  # a failed statement aborts a PostgreSQL transaction: check first
        _require_merchants(conn, staged)
    source = select(
        *(staged.c[c] for c in names),
        bindparam("upload_id", upload_id, type_=Integer),
        bindparam("updated_at", utcnow(), type_=UTCDateTime),
    )
    if not postgres:
        source = source.where(true())  # SQLite needs a WHERE to parse INSERT … SELECT … ON CONFLICT
        # in key order the unique index (and the registry index the foreign key checks) is walked
        # once from left to right instead of at random: about a third faster for 100,000 rows
        source = source.order_by(*(staged.c[c] for c in key))
    data = [c for c in names if c not in key]
    insert = postgresql.insert(target) if postgres else sqlite.insert(target)
    stmt = insert.from_select([*names, "upload_id", "updated_at"], source)
    stmt = stmt.on_conflict_do_update(
        index_elements=[target.c[c] for c in key],
        set_={c: stmt.excluded[c] for c in [*data, "upload_id", "updated_at"]},
        where=or_(*(target.c[c].is_distinct_from(stmt.excluded[c]) for c in data)),
    )
    if postgres:
        # RETURNING yields the inserted and updated rows; xmax = 0 marks a fresh insert.
        merged = stmt.returning(literal_column("xmax = 0").label("inserted")).cte("merged")
        counted = conn.execute(select(func.count().filter(merged.c.inserted), func.count()).select_from(merged))
        inserted, touched = (int(n) for n in counted.one())
    else:
        # Writers are serialised (BEGIN IMMEDIATE): the change in row count is what we inserted.
        before = _count(conn, target)
        try:
            touched = conn.execute(stmt).rowcount
        except IntegrityError:
            # SQLite undoes just the failed statement: now name the unknown USCCs (the usual cause)
            if check_merchants:
                _require_merchants(conn, staged)
            raise
        inserted = _count(conn, target) - before
    conn.exec_driver_sql(f"DROP TABLE {staged.name}")
    return inserted, touched - inserted, rows - touched


def _stage(conn: Connection, target: Table, values: dict[str, list[Any]]) -> TableClause:
    """A temporary table with the target's column types, holding ``values`` (COPY / executemany)."""
    names = list(values)
    stage = f"stage_{target.name}"
    cols = ", ".join(f'"{c}"' for c in names)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {stage}")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f'CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {cols} FROM "{target.name}" WITH NO DATA'
        )
        _copy(conn, stage, values)
    else:
        conn.exec_driver_sql(f'CREATE TEMP TABLE {stage} AS SELECT {cols} FROM "{target.name}" WHERE 0')
        processed = [_processed(values[c], _processor(target, c, conn.dialect)) for c in names]
        marks = ", ".join("?" for _ in names)
        conn.exec_driver_sql(f"INSERT INTO {stage} ({cols}) VALUES ({marks})", list(zip(*processed, strict=True)))
    return table(stage, *(column(c) for c in names))


def _require_merchants(conn: Connection, staged: TableClause) -> None:
    merchant = Merchant.__table__
    unknown_rows = (
        select(staged.c.uscc)
        .distinct()
        .where(~select(merchant.c.uscc).where(merchant.c.uscc == staged.c.uscc).exists())
        .order_by(staged.c.uscc)
    )
    unknown = list(conn.execute(unknown_rows).scalars())
    if unknown:
        raise StorageError(f"商户名录中没有这些统一社会信用代码：{'、'.join(unknown[:10])}（共 {len(unknown)} 个）")


def _copy(conn: Connection, into: str, values: dict[str, list[Any]]) -> None:
    driver = conn.connection.driver_connection
    assert driver is not None
    cols = ", ".join(f'"{c}"' for c in values)
    with driver.cursor() as cursor, cursor.copy(f'COPY "{into}" ({cols}) FROM STDIN') as copy:
        for row in zip(*values.values(), strict=True):
            copy.write_row(row)


def _processor(target: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    col_type = target.c[name].type
    return col_type.dialect_impl(dialect).bind_processor(dialect)


def _processed(values: list[Any], processor: Callable[[Any], Any] | None) -> list[Any]:
    """``processor`` applied to every value, computing each distinct value once."""
    if processor is None or not values:
        return values
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    out = np.array([*(processor(u) for u in uniques), None], dtype=object)
    return list(out[codes].tolist())


def _count(conn: Connection, target: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(target)).scalar_one())


def insert_rows(session: Session, target: Table, values: dict[str, list[Any]]) -> int:
    """Plain bulk INSERT of the rows given column-wise (COPY on PostgreSQL); returns the row count."""
    rows = len(next(iter(values.values()), []))
    if rows == 0:
        return 0
    conn = session.connection()
    names = list(values)
    if conn.dialect.name == "postgresql":
        _copy(conn, target.name, values)
        return rows
    compiled = target.insert().compile(dialect=conn.dialect, column_keys=names)
    order = compiled.positiontup or []
    processed = {c: _processed(values[c], _processor(target, c, conn.dialect)) for c in names}
    conn.exec_driver_sql(str(compiled), list(zip(*(processed[c] for c in order), strict=True)))
    return rows
