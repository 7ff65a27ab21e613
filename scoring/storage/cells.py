"""pandas columns ⇄ database values, one whole column at a time (never row by row).

Writing: each function turns a Series into a Python list with ``None`` for a missing cell.
Reading: each function turns fetched values back into the in-memory types of
``scoring.engine.frames`` (str, datetime64, bool, pandas ``boolean``, float64).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

CellKind = Literal["text", "date", "flag", "yesno", "number", "count"]
# flag: bool, missing → False (e.g. a warning flag); yesno: pandas ``boolean`` with NA (是否按时办结)
DATE_DTYPE: Final = "datetime64[us]"


def to_db(series: pd.Series, kind: CellKind) -> list[Any]:
    """The column's values as database parameters (None for missing)."""
    if kind == "text":
        if not pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            series = series.astype("str")
        return list(series.to_numpy(dtype=object, na_value=None).tolist())  # type: ignore[call-overload]
    if kind == "date":
        days = pd.to_datetime(series).to_numpy(dtype="datetime64[D]")
        return list(days.tolist())  # datetime.date, NaT → None
    if kind == "flag":
        return [bool(v) for v in series.astype("boolean").fillna(False).tolist()]
    if kind == "yesno":
        return _with_none(series.astype("boolean"))
    if kind == "number":
        return _with_none(pd.to_numeric(series).astype("float64"))
    if kind == "count":
        return _with_none(pd.to_numeric(series).astype("Int64"))
    raise ValueError(kind)


def _with_none(series: pd.Series) -> list[Any]:
    values = series.astype(object)
    return list(values.where(series.notna(), None).tolist())


def missing_column(kind: CellKind, rows: int) -> list[Any]:
    """Parameters for a column the frame does not have."""
    return [False] * rows if kind == "flag" else [None] * rows


def from_db(values: Sequence[Any], kind: CellKind) -> pd.Series:
    """A fetched column in its in-memory type."""
    if kind == "text":
        return pd.Series(values, dtype="str")
    if kind == "date":
        return _dates(values).astype(DATE_DTYPE)
    if kind == "flag":
        return pd.Series([bool(v) for v in values], dtype=bool)
    if kind == "yesno":
        return pd.Series(values, dtype="boolean")
    if kind == "number":
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if kind == "count":
        return pd.Series(values, dtype="Int64")
    raise ValueError(kind)


def _dates(values: Sequence[Any]) -> pd.Series:
    # SQLite rows carry ISO text (read without SQLAlchemy's per-row parsing), PostgreSQL dates.
    return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
