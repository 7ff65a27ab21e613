"""Column types shared by both backends, and a column-wise codec for bulk JSON text.

JSON is stored as canonical text (sorted keys, compact separators, UTF-8 unescaped): the same
value always gives the same bytes on SQLite and PostgreSQL, so an upsert can tell an identical
row from a changed one by plain comparison (PostgreSQL's ``json`` type has no equality operator).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator


def dumps(value: Any) -> str:
    """Canonical JSON text of ``value`` (NaN is refused: store None for a missing number)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


class JSONText(TypeDecorator[Any]):
    """A JSON value stored as canonical text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else dumps(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both backends (SQLite keeps no offset: we store UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- column-wise JSON: one object per row, built and parsed without per-row json calls ----------


def json_literals(values: pd.Series) -> list[str]:
    """The JSON literal of every cell: text quoted, numbers (whole floats as ints), missing → null.

    Each distinct value is encoded once (pandas.factorize), so a column of 100,000 cells costs
    a few milliseconds; the literal of a cell never depends on the other cells of its column.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    literals = np.array([_literal(v) for v in uniques] + ["null"], dtype=object)
    return list(literals[codes].tolist())


def _literal(value: Any) -> str:
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return "null"
        if value.is_integer() and abs(value) < 2**53:
            value = int(value)
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def encode_objects(columns: Mapping[str, Sequence[str]], rows: int) -> list[str]:
    """Canonical JSON object text per row from per-key literal columns (see ``json_literals``)."""
    if not columns:
        return ["{}"] * rows
    keys = sorted(columns)
    # Keys go into a %-template escaped for both JSON and %-formatting; values are literals already.
    template = "{" + ",".join(json.dumps(k, ensure_ascii=False).replace("%", "%%") + ":%s" for k in keys) + "}"
    return [template % row for row in zip(*(columns[k] for k in keys), strict=True)]


def decode_objects(texts: Sequence[str | None], keys: Sequence[str]) -> pd.DataFrame:
    """Parse one JSON object per row into a frame with one column per key (absent → missing)."""
    parsed = json.loads("[" + ",".join(t if t else "{}" for t in texts) + "]")
    frame = pd.DataFrame.from_records(parsed, columns=list(keys)) if parsed else pd.DataFrame(columns=list(keys))
    return frame.reindex(columns=list(keys))
