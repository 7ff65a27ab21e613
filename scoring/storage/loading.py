"""Read stored sheets back as the canonical frames of ``scoring.engine.frames`` (the engine's input).

In-memory types: text ``str``; dates ``datetime64[us]`` (NaT when blank); flags ``bool``;
是否按时办结 pandas ``boolean``; amounts float64. Inspection items: a column holding text is a
check item (符合/部分符合/不符合/不适用 as str); any other item column is float64 with NaN for
不适用 (deduct) — never 0. Survey answers: float64 1–5, NaN when unanswered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy.orm import Session

from scoring.engine.frames import RoundData
from scoring.storage import cells, models
from scoring.storage.columns import decode_objects
from scoring.storage.errors import StorageError
from scoring.storage.sheet_tables import FRAME_COLUMNS, SHEET_TABLES, SheetKind


def load_frame(
    session: Session, kind: SheetKind, round_name: str | None = None, codes: Sequence[str] = ()
) -> pd.DataFrame:
    """Every stored row of ``kind`` (only ``round_name``'s for inspections and surveys, when given).

    ``codes`` lists the item / question columns to unpack for inspections and surveys, in order.
    Rows come sorted by natural key, so two loads of the same data are identical.
    """
    spec = SHEET_TABLES[kind]
    stmt = _select(kind)
    if round_name is not None:
        if "round" not in spec.fixed:
            raise ValueError(f"{kind} has no round")
        stmt = stmt.where(models.Round.name == round_name)
    stmt = stmt.order_by(*(_column(kind, k) for k in spec.key))
    rows = session.connection().execute(stmt).all()  # Core rows: no ORM per-row work
    names = FRAME_COLUMNS[kind]
    raw = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(names) + 1)]
    frame = pd.DataFrame(
        {name: cells.from_db(values, _kind(kind, name)) for name, values in zip(names, raw, strict=False)}
    )
    if spec.json_column is not None:
        frame = pd.concat([frame, _unpack(raw[-1], codes)], axis=1)
    return frame


def _kind(kind: SheetKind, name: str) -> cells.CellKind:
    field = SHEET_TABLES[kind].field(name)
    return "text" if field.reference else field.kind


def _select(kind: SheetKind) -> Select[Any]:
    spec = SHEET_TABLES[kind]
    table = spec.table
    columns: list[Any] = []
    for name in FRAME_COLUMNS[kind]:
        column = _column(kind, name)
        if spec.field(name).kind == "date":  # parsed column-wise by cells.from_db, not per row
            column = type_coerce(column, String)
        columns.append(column.label(name))
    if spec.json_column:
        columns.append(table.c[spec.json_column])
    stmt = select(*columns).select_from(table)
    if "district" in spec.fixed:
        stmt = stmt.join(models.District, models.District.id == table.c.district_id)
    if "round" in spec.fixed:
        stmt = stmt.join(models.Round, models.Round.id == table.c.round_id)
    return stmt


def _column(kind: SheetKind, name: str) -> Any:
    field = SHEET_TABLES[kind].field(name)
    if field.reference == "district":
        return models.District.name
    if field.reference == "round":
        return models.Round.name
    return SHEET_TABLES[kind].table.c[field.column]


def _unpack(texts: Sequence[Any], codes: Sequence[str]) -> pd.DataFrame:
    """Per-code columns from the JSON cells: text columns stay text, numeric ones become float64."""
    decoded = decode_objects(list(texts), list(codes))
    out: dict[str, pd.Series] = {}
    for code in codes:
        col = decoded[code]
        if any(isinstance(v, str) for v in col.dropna().unique()):
            out[code] = col.astype("str")
        else:
            out[code] = pd.to_numeric(col, errors="raise").astype("float64")
    return pd.DataFrame(out, index=decoded.index, columns=list(codes))


def load_round_data(
    session: Session, round_name: str, item_codes: Sequence[str], question_codes: Sequence[str]
) -> RoundData:
    """Everything the engine needs to score ``round_name`` (see ``RoundData``)."""
    found = session.execute(
        select(models.Round.start_date, models.Round.end_date).where(models.Round.name == round_name)
    ).one_or_none()
    if found is None:
        raise StorageError(f"未找到评估轮次：{round_name}")
    start, end = found
    return RoundData(
        round_name=round_name,
        start=pd.Timestamp(start),
        end=pd.Timestamp(end),
        merchants=load_frame(session, "merchants"),
        inspections=load_frame(session, "inspections", round_name, item_codes),
        surveys=load_frame(session, "surveys", round_name, question_codes),
        complaints=load_frame(session, "complaints"),
        credit=load_frame(session, "credit"),
    )
