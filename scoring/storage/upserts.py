"""Upserts by natural key from the canonical frames: the write half of the import (SPEC §3, §9).

One ``INSERT … ON CONFLICT (natural key) DO UPDATE … WHERE <some column differs>`` executed
for all rows at once. The WHERE makes an identical row a no-op: its ``upload_id`` and
``updated_at`` stay as they were, so re-importing a file changes nothing and a corrected file
changes only the corrected rows. Parameters are built column-wise; there are no ORM objects.

On SQLite the frame is put in the order of its natural key as stored (referenced ids, not names)
before its parameters are built, so the rows reach the database already sorted (``bulk`` then
skips its own sort) and each column's Python values lie in memory in the order they are read.
The per-code JSON cells are assembled by Arrow, one string column per code, joined element-wise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.gc_pause import no_cyclic_gc
from scoring.storage import cells, models
from scoring.storage.bulk import upsert_rows
from scoring.storage.columns import json_literals
from scoring.storage.errors import StorageError
from scoring.storage.sheet_tables import SHEET_TABLES, Field, Reference, SheetKind, SheetTable

NOT_APPLICABLE = "不适用"
CODE_PATTERN = re.compile(r"[A-Z]+[0-9]+")


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def stored(self) -> int:
        """Rows now in the database from this frame (whether they changed or not)."""
        return self.inserted + self.updated + self.unchanged

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted, self.updated + other.updated, self.unchanged + other.unchanged
        )


def upsert(
    session: Session,
    kind: SheetKind,
    frame: pd.DataFrame,
    upload_id: int | None,
    codes: Sequence[str] | None = None,
) -> UpsertCounts:
    """Insert new rows, update changed rows, leave identical rows untouched; count each.

    ``frame`` has the canonical columns of ``scoring.engine.frames`` for ``kind``. For inspections
    and surveys, ``codes`` names the item / question columns; pass them from the indicator
    system (default: every other column named like a code — letters then digits, A1, G4, Q8).
    References (district, round, merchant USCC) must exist, else StorageError names the unknown
    ones. Any StorageError leaves the transaction to be rolled back (session_scope does).
    """
    spec = SHEET_TABLES[kind]
    if frame.empty:
        return UpsertCounts()
    frame = frame.reset_index(drop=True)
    _check_frame(spec, frame)
    key = [spec.field(k).column for k in spec.key]
    with no_cyclic_gc():
        values = _parameters(session, spec, frame, codes)
        try:
            inserted, updated, unchanged = upsert_rows(
                session, spec.table, key, values, upload_id, check_merchants=spec.uscc_must_exist
            )
        except IntegrityError as exc:  # a constraint the frame checks above do not cover
            raise StorageError(f"数据不符合数据库约束：{exc.orig}") from exc
        del values  # freed while the collector is still paused
    return UpsertCounts(inserted, updated, unchanged)


def _check_frame(spec: SheetTable, frame: pd.DataFrame) -> None:
    missing = [f.name for f in spec.fields if f.required and f.name not in frame.columns]
    if missing:
        raise StorageError(f"缺少必需的列：{'、'.join(missing)}")
    empty = [f.name for f in spec.fields if f.required and frame[f.name].isna().any()]
    if empty:
        raise StorageError(f"必需的列有空值：{'、'.join(empty)}")
    dup = frame.duplicated(list(spec.key), keep=False)
    if dup.any():
        sample = frame.loc[dup, list(spec.key)].drop_duplicates().head(5).to_dict("records")
        raise StorageError(f"同一批数据中主键重复（{'、'.join(spec.key)}）：{sample}")


def _parameters(
    session: Session, spec: SheetTable, frame: pd.DataFrame, codes: Sequence[str] | None
) -> dict[str, list[Any]]:
    """The table's columns as parameter lists, rows in natural-key order (see the module docstring)."""
    ids = {f.name: _resolve(session, f.reference, frame[f.name]) for f in spec.fields if f.reference is not None}
    if session.get_bind().dialect.name == "sqlite":  # PostgreSQL merges from COPY, in the given order
        order = _key_order(spec, frame, ids)
        frame = frame.take(order).reset_index(drop=True)
    else:
        order = np.arange(len(frame))
    rows = len(frame)
    values: dict[str, list[Any]] = {}
    for f in spec.fields:
        if f.reference is not None:
            values[f.column] = ids[f.name][order].tolist()
        elif f.name in frame.columns:
            values[f.column] = cells.to_db(frame[f.name], f.kind)
        else:
            values[f.column] = cells.missing_column(f.kind, rows)
    if spec.json_column is not None:
        if codes is None:
            codes = [str(c) for c in frame.columns if c not in spec.fixed and CODE_PATTERN.fullmatch(str(c))]
        names = list(codes)
        absent = [c for c in names if c not in frame.columns]
        if absent:
            raise StorageError(f"缺少指标列：{'、'.join(absent)}")
        values[spec.json_column] = _json_objects({str(c): frame[c] for c in names}, rows)
    return values


def _key_order(spec: SheetTable, frame: pd.DataFrame, ids: dict[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    """Row positions sorting the frame by its natural key as stored (``bulk`` verifies the order).

    Arrow sorts text by its UTF-8 bytes, as SQLite's BINARY collation does; references by id.
    """
    columns = [_key_values(spec.field(k), frame, ids) for k in spec.key]
    if not len(frame) or any(c is None for c in columns):
        return np.arange(len(frame))
    keys = pa.table({str(i): c for i, c in enumerate(columns)})
    order = pc.sort_indices(keys, sort_keys=[(str(i), "ascending") for i in range(len(columns))])
    return np.asarray(order.to_numpy(), dtype=np.int64)


def _key_values(f: Field, frame: pd.DataFrame, ids: dict[str, np.ndarray[Any, Any]]) -> Any:
    """A key column as an Arrow array that sorts as the database sorts it, or None (then: no sort)."""
    if f.reference is not None:
        return pa.array(ids[f.name])
    series = frame[f.name]
    if f.kind != "text" or series.isna().any():
        return None
    return pa.array(series.astype("str"), type=pa.large_string(), from_pandas=True)


def _json_objects(columns: dict[str, pd.Series], rows: int) -> list[str]:
    """``columns.encode_objects`` of the JSON literals of every column, assembled by Arrow.

    Each distinct value's literal is computed once; one string column per code ('{"A1":' + literal,
    ',"A2":' + literal, …, + '}') is taken from them, and the columns are joined row by row in C++.
    """
    if rows == 0:
        return []
    keys = sorted(columns)
    if not keys:
        return ["{}"] * rows
    pieces = []
    for i, key in enumerate(keys):
        series = _literal_source(columns[key])
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        literals = [*json_literals(pd.Series(uniques, dtype=series.dtype)), "null"]
        head = ("{" if i == 0 else ",") + json.dumps(key, ensure_ascii=False) + ":"
        tail = "}" if i == len(keys) - 1 else ""
        texts = pa.array([head + lit + tail for lit in literals], type=pa.large_string())
        pieces.append(pc.take(texts, pa.array(np.where(codes < 0, len(literals) - 1, codes))))
    joined = pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string())) if len(pieces) > 1 else pieces[0]
    return list(joined.to_pylist())


def _literal_source(series: pd.Series) -> pd.Series:
    """What the JSON literals of one item/question column are made from: text stays text, numbers
    stay numbers.

    A numeric column's missing cell (NaN: a deduct item's 不适用, an unanswered question) is
    null; a text column keeps 不适用 as text (check items). A text column holding only numbers
    and 不适用 is treated as numeric.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series
    given = [v for v in series.dropna().unique() if v != NOT_APPLICABLE]
    if given and all(_is_number(v) for v in given):
        return pd.to_numeric(series.where(series != NOT_APPLICABLE)).astype("float64")
    return series


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _resolve(session: Session, reference: Reference, names: pd.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The referenced row's id for every name (each distinct name looked up once)."""
    model = models.District if reference == "district" else models.Round
    known = {name: id_ for name, id_ in session.execute(select(model.name, model.id))}
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    found = [known.get(u) if isinstance(u, str) else None for u in uniques]
    if (codes < 0).any() or any(i is None for i in found):
        label = "区县" if reference == "district" else "评估轮次"
        unknown = sorted({str(v) for v in names[names.map(known).isna()]})
        raise StorageError(f"未知的{label}：{'、'.join(unknown[:10])}（已有：{'、'.join(sorted(known)) or '无'}）")
    return np.asarray(found, dtype=np.int64)[codes]


def upsert_all(
    session: Session, frames: Iterable[tuple[SheetKind, pd.DataFrame]], upload_id: int | None
) -> dict[SheetKind, UpsertCounts]:
    """Upsert several sheets in the given order (districts and rounds before what references them)."""
    counts: dict[SheetKind, UpsertCounts] = {}
    for kind, frame in frames:
        counts[kind] = counts.get(kind, UpsertCounts()) + upsert(session, kind, frame, upload_id)
    return counts
