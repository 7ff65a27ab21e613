"""How each imported sheet kind maps onto its table: natural key, fields, references, JSON cells.

One declaration per kind, read by both the upsert (frame → rows) and the loader (rows → frame),
so a column is mapped in one place. The columns, their order, kinds and required flags come from the
sheet declarations of ``scoring.ingest.sheets``; this module adds only what is particular to storage
(table, references, stored-only flags, JSON cells). Frame columns are those of ``scoring.engine.frames``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import Table

from scoring.engine import frames
from scoring.engine.indicators import IndicatorSystem, Label
from scoring.ingest.sheets import Column, SheetSpec, sheet_specs
from scoring.storage import models
from scoring.storage.cells import CellKind

SheetKind = Literal["districts", "rounds", "merchants", "inspections", "surveys", "complaints", "credit"]
SHEET_KINDS: tuple[SheetKind, ...] = (
    "districts",
    "rounds",
    "merchants",
    "inspections",
    "surveys",
    "complaints",
    "credit",
)
Reference = Literal["district", "round"]


@dataclass(frozen=True)
class Field:
    name: str  # frame column
    column: str  # table column
    kind: CellKind
    required: bool = False
    reference: Reference | None = None  # the frame holds a name, the table the referenced id


@dataclass(frozen=True)
class SheetTable:
    kind: SheetKind
    table: Table
    key: tuple[str, ...]  # frame columns of the natural key
    fields: tuple[Field, ...]
    json_column: str | None = None  # per-code cells (inspection items, survey answers) as one JSON object
    uscc_must_exist: bool = False

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def fixed(self) -> frozenset[str]:
        """Frame columns that are not per-code JSON cells."""
        return frozenset(f.name for f in self.fields)


# The fixed (not per-code) columns of every sheet, as declared once in ``scoring.ingest.sheets``: the
# specs of a system without indicators, bonus items or questions have no per-code columns at all.
_NO_CODES = IndicatorSystem(
    id="",
    version="",
    name=Label("", ""),
    content_hash="",
    dimensions=(),
    bonus_name=Label("", ""),
    bonus_cap=0.0,
    bonus_items=(),
    survey_scale={},
    survey_invalid_unanswered=1,
    survey_questions=(),
    vetoes=(),
    grades=(),
    grade_fallback="",
    grade_veto="",
    threshold=0.0,
    survey_indicator="",
    min_on_time_rate=0.0,
    min_business_days=0,
    district_weights={},
)
_MODELS: dict[SheetKind, type[models.Base]] = {
    "districts": models.District,
    "rounds": models.Round,
    "merchants": models.Merchant,
    "inspections": models.Inspection,
    "surveys": models.SurveyResponse,
    "complaints": models.Complaint,
    "credit": models.CreditRecord,
}
_REFERENCES: tuple[Reference, ...] = ("district", "round")  # sheet columns naming a row of another sheet
_TABLE_COLUMN = {"start": "start_date", "end": "end_date"}  # sheet column → table column, where they differ
_JSON_COLUMN: dict[SheetKind, str] = {"inspections": "items", "surveys": "answers"}
_STORED_ONLY: dict[SheetKind, tuple[Field, ...]] = {  # flags set by the import, not read from the sheet
    "merchants": (Field("uscc_warning", "uscc_warning", "flag"),),
    "inspections": (Field("name_warning", "name_warning", "flag"),),
    "surveys": (Field("invalid", "invalid", "flag"),),
}


def _table(model: type[models.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _field(column: Column, table: Table) -> Field:
    if column.name in _REFERENCES:  # the frame holds a name, the table the referenced id
        return Field(column.name, f"{column.name}_id", "count", column.required, column.name)
    name = _TABLE_COLUMN.get(column.name, column.name)
    kind: CellKind = "text"
    if column.kind in ("date", "number"):
        kind = column.kind
    elif column.kind == "yesno":  # a NOT NULL boolean (是否申报) is a flag; a nullable one keeps 未填
        kind = "yesno" if table.c[name].nullable else "flag"
    return Field(column.name, name, kind, column.required)


def _sheet_table(spec: SheetSpec) -> SheetTable:
    kind = cast(SheetKind, spec.key)
    table = _table(_MODELS[kind])
    fixed = tuple(_field(c, table) for c in spec.columns if c.kind not in ("item", "answer"))
    return SheetTable(
        kind,
        table,
        spec.natural_key,
        fixed + _STORED_ONLY.get(kind, ()),
        json_column=_JSON_COLUMN.get(kind),
        uscc_must_exist=kind in _JSON_COLUMN,  # inspections and surveys are about registered merchants
    )


SHEET_TABLES: dict[SheetKind, SheetTable] = {
    cast(SheetKind, spec.key): _sheet_table(spec) for spec in sheet_specs(_NO_CODES)
}
assert tuple(SHEET_TABLES) == SHEET_KINDS

# The canonical frame columns of frames.py, plus the optional warning flags stored beside them.
FRAME_COLUMNS: dict[SheetKind, tuple[str, ...]] = {
    "districts": frames.DISTRICT_COLUMNS,
    "rounds": frames.ROUND_COLUMNS,
    "merchants": (*frames.MERCHANT_COLUMNS, "uscc_warning"),
    "inspections": (*frames.INSPECTION_FIXED, "name_warning"),
    "surveys": frames.SURVEY_FIXED,
    "complaints": frames.COMPLAINT_COLUMNS,
    "credit": frames.CREDIT_COLUMNS,
}
assert all(set(FRAME_COLUMNS[k]) == SHEET_TABLES[k].fixed for k in SHEET_KINDS)
