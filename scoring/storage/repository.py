"""The storage API: functions taking a Session (open one with ``database.session_scope``).

Services import from here only. Reference lookups live in this module; the rest is re-exported
from the modules that implement it:
- ``upserts``: ``upsert`` / ``upsert_all`` by natural key from the canonical frames;
- ``loading``: ``load_frame`` / ``load_round_data`` back to the canonical frames;
- ``ledger``: uploads, their issues, campaign settings, the audit log;
- ``runs``: immutable scoring runs and their results.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.storage.cells import DATE_DTYPE
from scoring.storage.errors import StorageError
from scoring.storage.ledger import (
    ISSUE_COLUMNS,
    UploadRecord,
    UploadStatus,
    all_settings,
    append_audit,
    create_upload,
    delete_issues,
    finish_upload,
    get_setting,
    get_upload,
    list_audit,
    list_uploads,
    load_issues,
    save_issues,
    set_setting,
)
from scoring.storage.loading import load_frame, load_round_data
from scoring.storage.models import (
    Complaint,
    CreditRecord,
    District,
    Inspection,
    Merchant,
    Round,
    SurveyResponse,
    Upload,
)
from scoring.storage.runs import RunInfo, RunMeta, RunResults, latest_run, list_runs, load_run_results, save_run
from scoring.storage.sheet_tables import SHEET_KINDS, SheetKind
from scoring.storage.upserts import UpsertCounts, upsert, upsert_all

__all__ = [
    "DATE_DTYPE",
    "ISSUE_COLUMNS",
    "SHEET_KINDS",
    "RunInfo",
    "RunMeta",
    "RunResults",
    "SheetKind",
    "StorageError",
    "UploadRecord",
    "UploadStatus",
    "UpsertCounts",
    "all_settings",
    "append_audit",
    "committed_uploads",
    "create_upload",
    "data_counts",
    "delete_issues",
    "district_names",
    "finish_upload",
    "get_setting",
    "get_upload",
    "latest_run",
    "list_audit",
    "list_runs",
    "list_uploads",
    "load_frame",
    "load_issues",
    "load_round_data",
    "load_run_results",
    "merchant_directory",
    "merchant_names",
    "round_names",
    "rounds",
    "save_issues",
    "save_run",
    "set_setting",
    "upsert",
    "upsert_all",
]


def district_names(session: Session) -> list[str]:
    """Known 区县 names, sorted."""
    return list(session.execute(select(District.name).order_by(District.name)).scalars())


def round_names(session: Session) -> list[str]:
    """Known 评估轮次 names, oldest period first."""
    return list(session.execute(select(Round.name).order_by(Round.start_date, Round.name)).scalars())


def rounds(session: Session) -> pd.DataFrame:
    """Rounds with their periods: name, start, end (datetime64), oldest first."""
    rows = session.execute(
        select(Round.name, Round.start_date, Round.end_date).order_by(Round.start_date, Round.name)
    ).all()
    frame = pd.DataFrame(rows, columns=["name", "start", "end"])
    for col in ("start", "end"):
        frame[col] = pd.to_datetime(frame[col]).astype(DATE_DTYPE)
    frame["name"] = frame["name"].astype("str")
    return frame


def merchant_names(session: Session, usccs: Iterable[str] | None = None) -> dict[str, str]:
    """USCC → 单位名称 of registered merchants (all, or only those asked for)."""
    stmt = select(Merchant.uscc, Merchant.name)
    if usccs is None:
        return {uscc: name for uscc, name in session.execute(stmt)}
    wanted = sorted(set(usccs))
    found: dict[str, str] = {}
    for i in range(0, len(wanted), 500):  # stay below every backend's bound-parameter limit
        found.update((u, n) for u, n in session.execute(stmt.where(Merchant.uscc.in_(wanted[i : i + 500]))))
    return found


def committed_uploads(session: Session) -> tuple[int, int]:
    """How many uploads are committed, and the sum of their ids: changes whenever an import commits."""
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Upload.id), 0)).where(Upload.status == "committed")
    ).one()
    return int(count), int(total)


def merchant_directory(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    """USCC → 单位名称 and USCC → 区县 of every registered merchant, for validating an upload.

    A registry of hundreds of thousands is read on every import, so the rows are fetched through
    the driver's own cursor (plain tuples, no Row objects) inside the session's transaction.
    """
    sql = (
        f"SELECT m.uscc, m.name, d.name FROM {Merchant.__tablename__} m "
        f"JOIN {District.__tablename__} d ON d.id = m.district_id"
    )
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return {}, {}
    usccs, names, districts = zip(*rows, strict=True)
    return dict(zip(usccs, names, strict=True)), dict(zip(usccs, districts, strict=True))


def data_counts(session: Session) -> dict[str, int]:
    """Row counts per stored sheet kind (progress and data-coverage views)."""
    tables = {
        "districts": District,
        "rounds": Round,
        "merchants": Merchant,
        "inspections": Inspection,
        "surveys": SurveyResponse,
        "complaints": Complaint,
        "credit": CreditRecord,
    }
    return {kind: int(session.execute(select(func.count()).select_from(m)).scalar_one()) for kind, m in tables.items()}
