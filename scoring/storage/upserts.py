"""Upserts by natural key from the canonical frames: the write half of the import (SPEC §3, §9).

One ``INSERT … ON CONFLICT (natural key) DO UPDATE … WHERE <some column differs>`` executed
for all rows at once. The WHERE makes an identical row a no-op: its ``upload_id`` and
``updated_at`` stay as they were, so re-importing a file changes nothing and a corrected file
changes only the corrected rows. Parameters are built column-wise; there are no ORM objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.storage import cells, models
from scoring.storage.bulk import upsert_rows
from scoring.storage.columns import encode_objects, json_literals
from scoring.storage.errors import StorageError
from scoring.storage.sheet_tables import SHEET_TABLES, Reference, SheetKind, SheetTable

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
    values = _parameters(session, spec, frame, codes)
    key = [spec.field(k).column for k in spec.key]
    try:
        inserted, updated, unchanged = upsert_rows(
            session, spec.table, key, values, upload_id, check_merchants=spec.uscc_must_exist
        )
    except IntegrityError as exc:  # a constraint the frame checks above do not cover
        raise StorageError(f"数据不符合数据库约束：{exc.orig}") from exc
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
    rows = len(frame)
    values: dict[str, list[Any]] = {}
    for f in spec.fields:
        if f.reference is not None:
            values[f.column] = _resolve(session, f.reference, frame[f.name])
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
        values[spec.json_column] = encode_objects({str(c): _code_literals(frame[c]) for c in names}, rows)
    return values


def _code_literals(series: pd.Series) -> list[str]:
    """JSON literals of one item/question column: text stays text, numbers stay numbers.

    A numeric column's missing cell (NaN: a deduct item's 不适用, an unanswered question) is
    null; a text column keeps 不适用 as text (check items). A text column holding only numbers
    and 不适用 is treated as numeric.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        return json_literals(series.astype("float64"))
    if pd.api.types.is_numeric_dtype(series.dtype):
        return json_literals(series)
    given = [v for v in series.dropna().unique() if v != NOT_APPLICABLE]
    if given and all(_is_number(v) for v in given):
        return json_literals(pd.to_numeric(series.where(series != NOT_APPLICABLE)).astype("float64"))
    return json_literals(series)


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


def _resolve(session: Session, reference: Reference, names: pd.Series) -> list[Any]:
    model = models.District if reference == "district" else models.Round
    known = {name: id_ for name, id_ in session.execute(select(model.name, model.id))}
    ids = names.map(known)
    if ids.isna().any():
        label = "区县" if reference == "district" else "评估轮次"
        unknown = sorted({str(v) for v in names[ids.isna()]})
        raise StorageError(f"未知的{label}：{'、'.join(unknown[:10])}（已有：{'、'.join(sorted(known)) or '无'}）")
    return cells.to_db(ids, "count")


def upsert_all(
    session: Session, frames: Iterable[tuple[SheetKind, pd.DataFrame]], upload_id: int | None
) -> dict[SheetKind, UpsertCounts]:
    """Upsert several sheets in the given order (districts and rounds before what references them)."""
    counts: dict[SheetKind, UpsertCounts] = {}
    for kind, frame in frames:
        counts[kind] = counts.get(kind, UpsertCounts()) + upsert(session, kind, frame, upload_id)
    return counts
