"""Workbooks and database dumps for the fault and concurrency tests (SQLite and PostgreSQL via ``db``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.results import SHEET_ORDER
from scoring.ingest.sheets import SheetSpec
from scoring.storage.database import session_scope
from scoring.storage.loading import load_frame
from scoring.storage.models import Base
from tests.ingest.conftest import ROUND, inspection_row, specs, system, uscc, xlsx

__all__ = ["specs", "system"]
LEDGER_TABLES = {"upload", "upload_issue", "audit_log"}


def workbook(specs: dict[str, SheetSpec], serials: range, label: str, inspected: range = range(0)) -> bytes:
    """区县, 评估轮次, 商户名录 (merchants ``serials`` named ``<label><n>``) and inspections of ``inspected``."""
    merchants = specs["merchants"]
    sheets: dict[str, list[list[Any]]] = {
        "区县": [list(specs["districts"].headers), ["上城区", "330102", "杭州市"], ["西湖区", "330106", "杭州市"]],
        "评估轮次": [list(specs["rounds"].headers), [ROUND, dt.date(2026, 1, 1), dt.date(2026, 4, 30)]],
        "商户名录": [list(merchants.headers)]
        + [[uscc(i), f"{label}{i}", "上城区", "餐饮", "", "", None, "是", None, "", ""] for i in serials],
    }
    if len(inspected):
        sheets["实地检查"] = [list(specs["inspections"].headers)] + [inspection_row(specs, uscc(i)) for i in inspected]
    return xlsx(sheets)


def dump(engine: Engine, *, ledger: bool = False) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table (the ledger tables only when asked), as sorted text tuples."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in LEDGER_TABLES and not ledger:
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table.name}"')).all()
            out[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return out


def data_state(engine: Engine, system: IndicatorSystem) -> dict[str, list[Any]]:
    """The stored data by natural key (no surrogate ids or timestamps): comparable across databases."""
    out: dict[str, list[Any]] = {}
    with session_scope(engine, write=False) as s:
        for kind in SHEET_ORDER:
            codes: tuple[str, ...] = ()
            if kind == "inspections":
                codes = system.inspection_items
            elif kind == "surveys":
                codes = tuple(q.code for q in system.survey_questions)
            frame = load_frame(s, kind, codes=codes)  # type: ignore[arg-type]
            frame = frame.drop(columns=[c for c in ("upload_id", "updated_at", "id") if c in frame.columns])
            out[kind] = frame.astype(object).where(pd.notna(frame), None).to_dict("records")
    return out


def uploads(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, status FROM upload ORDER BY id")).all()]  # type: ignore[misc]


@pytest.fixture
def url(db: Engine) -> str:
    return db.url.render_as_string(hide_password=False)
