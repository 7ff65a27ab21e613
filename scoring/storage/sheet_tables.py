"""How each imported sheet kind maps onto its table: natural key, fields, references, JSON cells.

One declaration per kind, read by both the upsert (frame → rows) and the loader (rows → frame),
so a column is mapped in one place. Frame columns are those of ``scoring.engine.frames``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Table

from scoring.engine import frames
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


def _f(name: str, kind: CellKind = "text", column: str | None = None, required: bool = False) -> Field:
    return Field(name, column or name, kind, required)


def _table(model: type[models.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


SHEET_TABLES: dict[SheetKind, SheetTable] = {
    "districts": SheetTable(
        "districts", _table(models.District), ("name",), (_f("name", required=True), _f("code"), _f("city"))
    ),
    "rounds": SheetTable(
        "rounds",
        _table(models.Round),
        ("name",),
        (_f("name", required=True), _f("start", "date", "start_date", True), _f("end", "date", "end_date", True)),
    ),
    "merchants": SheetTable(
        "merchants",
        _table(models.Merchant),
        ("uscc",),
        (
            _f("uscc", required=True),
            _f("name", required=True),
            Field("district", "district_id", "count", True, "district"),
            _f("industry", required=True),
            _f("address"),
            _f("store_name"),
            _f("established", "date"),
            _f("applied", "flag", required=True),
            _f("applied_on", "date"),
            _f("contact_person"),
            _f("phone"),
            _f("uscc_warning", "flag"),
        ),
    ),
    "inspections": SheetTable(
        "inspections",
        _table(models.Inspection),
        ("uscc", "round"),
        (
            Field("round", "round_id", "count", True, "round"),
            _f("uscc", required=True),
            _f("name"),
            _f("inspected_on", "date", required=True),
            _f("method"),
            _f("inspectors", required=True),
            _f("note"),
            _f("name_warning", "flag"),
        ),
        json_column="items",
        uscc_must_exist=True,
    ),
    "surveys": SheetTable(
        "surveys",
        _table(models.SurveyResponse),
        ("round", "response_no"),
        (
            _f("response_no", required=True),
            Field("round", "round_id", "count", True, "round"),
            _f("uscc", required=True),
            _f("surveyed_on", "date"),
            _f("method"),
            _f("invalid", "flag"),
        ),
        json_column="answers",
        uscc_must_exist=True,
    ),
    "complaints": SheetTable(
        "complaints",
        _table(models.Complaint),
        ("complaint_no",),
        (
            _f("complaint_no", required=True),
            _f("uscc", required=True),
            _f("name"),
            _f("registered_on", "date", required=True),
            _f("closed_on", "date"),
            _f("outcome", required=True),
            _f("on_time", "yesno"),
            _f("amount", "number"),
            _f("category"),
        ),
    ),
    "credit": SheetTable(
        "credit",
        _table(models.CreditRecord),
        ("uscc", "list_type", "listed_on"),
        (
            _f("uscc", required=True),
            _f("list_type", required=True),
            _f("listed_on", "date", required=True),
            _f("removed_on", "date"),
            _f("reason"),
            _f("authority"),
            _f("doc_no"),
        ),
    ),
}

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
