"""Lean read queries for the dashboard: typed result columns only, filtered in SQL by run and 区县.

``runs.load_run_results`` rebuilds every column of a run (JSON included); the pages mostly need
the typed §5.1 columns, which these queries read directly (100,000 rows in well under a second).
Every query takes ``districts``: None for all, else the districts the user may see.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Integer, Select, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from scoring.storage.models import (
    CandidateResult,
    Complaint,
    District,
    DistrictResult,
    IndicatorVersion,
    Inspection,
    Merchant,
    MerchantResult,
    Round,
    ScoringRun,
    SurveyResponse,
    Upload,
)
from scoring.storage.runs import SCORE_FIELDS, score_frame

RANKING_FIELDS = tuple(SCORE_FIELDS)
SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])


def _scoped(stmt: SelectT, column: Any, districts: Collection[str] | None) -> SelectT:
    return stmt if districts is None else stmt.where(column.in_(sorted(districts)))


def latest_run_ids(session: Session) -> dict[str, int]:
    """Round name → id of its newest run (rounds without a run are absent)."""
    newest = select(ScoringRun.round_id, func.max(ScoringRun.id).label("run_id")).group_by(ScoringRun.round_id)
    sub = newest.subquery()
    rows = session.execute(select(Round.name, sub.c.run_id).join(sub, sub.c.round_id == Round.id)).all()
    return {name: int(run_id) for name, run_id in rows}


def ranking_rows(
    session: Session, run_id: int, districts: Collection[str] | None, limit: int | None = None
) -> pd.DataFrame:
    """The typed §5.1 columns of a run (no indicator points) and each merchant's 候选 status, in rank order.

    Rows are handed to pandas as plain tuples and converted column-wise; for 100,000 results nearly
    all the time is the driver creating row objects, so the candidate status comes from a second,
    two-column query rather than a join (which doubles the rows' width). ``limit`` = the top rows only.
    """
    t, c = MerchantResult, CandidateResult
    stmt = _scoped(select(*(getattr(t, n) for n in RANKING_FIELDS)).where(t.run_id == run_id), t.district, districts)
    core = session.connection()  # Core rows: the ORM's per-row loading would add half a second here
    rows = core.execute(stmt.order_by(t.id).limit(limit)).all()
    frame = score_frame(rows, RANKING_FIELDS)
    status = select(c.uscc, c.status).where(c.run_id == run_id)
    if limit is not None:
        status = status.where(c.uscc.in_(frame["uscc"].tolist()))
    found: dict[str, str] = {uscc: state for uscc, state in core.execute(_scoped(status, c.district, districts))}
    frame["candidate"] = frame["uscc"].map(found).astype("str")
    return frame


def result_count(session: Session, run_id: int, districts: Collection[str] | None) -> int:
    """How many merchants a run scored within ``districts``."""
    t = MerchantResult
    stmt = _scoped(select(func.count()).select_from(t).where(t.run_id == run_id), t.district, districts)
    return int(session.execute(stmt).scalar_one())


def candidate_statuses(session: Session, run_id: int, districts: Collection[str] | None) -> pd.DataFrame:
    """uscc, district, status, waitlist_no, reasons of a run's candidate decisions."""
    t = CandidateResult
    stmt = _scoped(
        select(t.uscc, t.district, t.status, t.waitlist_no, t.reasons).where(t.run_id == run_id), t.district, districts
    )
    rows = session.execute(stmt).all()
    return pd.DataFrame(rows, columns=["uscc", "district", "status", "waitlist_no", "reasons"])


def district_rows(session: Session, run_id: int, districts: Collection[str] | None) -> pd.DataFrame:
    """The §5.5 rows of a run, by rank."""
    t = DistrictResult
    names = [
        "district", "applicants", "inspected_applicants", "coverage", "mean_base", "excellent_rate",
        "veto_rate", "satisfaction", "on_time_rate", "selected", "district_index", "rank",
    ]  # fmt: skip
    stmt = _scoped(select(*(getattr(t, n) for n in names)).where(t.run_id == run_id), t.district, districts)
    frame = pd.DataFrame(session.execute(stmt.order_by(t.id)).all(), columns=names)
    for col in ("applicants", "inspected_applicants", "selected", "rank"):
        frame[col] = frame[col].astype("Int64")
    for col in ("coverage", "mean_base", "excellent_rate", "veto_rate", "satisfaction", "on_time_rate"):
        frame[col] = frame[col].astype("float64")
    frame["district_index"] = frame["district_index"].astype("float64")
    return frame


def result_rows(
    session: Session,
    run_ids: Sequence[int],
    *,
    uscc: str | None = None,
    district: str | None = None,
    industry: str | None = None,
    districts: Collection[str] | None = None,
) -> pd.DataFrame:
    """Full result rows (points, dimensions and extra decoded) of some runs, narrowed by merchant or peer group."""
    t = MerchantResult
    stmt = select(t.run_id, *(getattr(t, n) for n in RANKING_FIELDS), t.points, t.dimensions, t.extra)
    stmt = _scoped(stmt.where(t.run_id.in_(list(run_ids))), t.district, districts)
    if uscc is not None:
        stmt = stmt.where(t.uscc == uscc)
    peers = []
    if district:
        peers.append(t.district == district)
    if industry:
        peers.append(t.industry == industry)
    if peers:
        stmt = stmt.where(or_(*peers))
    rows = session.execute(stmt.order_by(t.run_id, t.id)).all()
    names = ["run_id", *RANKING_FIELDS]
    base = pd.DataFrame([r[: len(names)] for r in rows], columns=names)
    parts = [base]
    for i in range(3):
        parsed = json.loads("[" + ",".join(r[len(names) + i] or "{}" for r in rows) + "]")
        parts.append(pd.DataFrame.from_records(parsed, index=base.index) if parsed else pd.DataFrame(index=base.index))
    return pd.concat(parts, axis=1)


def candidate_rows(session: Session, run_ids: Sequence[int], uscc: str) -> pd.DataFrame:
    """A merchant's candidate decisions in some runs: run_id, status, waitlist_no, reasons."""
    t = CandidateResult
    stmt = select(t.run_id, t.status, t.waitlist_no, t.reasons).where(t.run_id.in_(list(run_ids)), t.uscc == uscc)
    return pd.DataFrame(session.execute(stmt).all(), columns=["run_id", "status", "waitlist_no", "reasons"])


def merchant_profile(session: Session, uscc: str) -> dict[str, Any] | None:
    """A registered merchant's registry row (district by name), or None."""
    m = Merchant
    row = session.execute(
        select(
            m.uscc, m.name, District.name.label("district"), m.industry, m.address, m.store_name, m.established,
            m.applied, m.applied_on, m.contact_person, m.phone, m.uscc_warning,
        ).join(District, District.id == m.district_id).where(m.uscc == uscc)
    ).one_or_none()  # fmt: skip
    return None if row is None else dict(row._mapping)


def search_merchants(session: Session, text: str, districts: Collection[str] | None, limit: int = 50) -> pd.DataFrame:
    """Registered merchants whose USCC starts with, or whose name contains, ``text``."""
    m = Merchant
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    cond = m.uscc.like(f"{pattern.upper()}%", escape="\\") | m.name.like(f"%{pattern}%", escape="\\")
    stmt = select(m.uscc, m.name, District.name, m.industry).join(District, District.id == m.district_id).where(cond)
    stmt = _scoped(stmt, District.name, districts).order_by(m.name, m.uscc).limit(limit)
    return pd.DataFrame(session.execute(stmt).all(), columns=["uscc", "name", "district", "industry"])


def registry_by_district(session: Session, districts: Collection[str] | None) -> pd.DataFrame:
    """Per 区县: registered merchants and applicants (every known district, zero when none)."""
    m = Merchant
    stmt = (
        select(
            District.name,
            func.count(m.id),
            func.coalesce(func.sum(cast(m.applied, Integer)), 0),
        )
        .select_from(District)
        .outerjoin(m, m.district_id == District.id)
        .group_by(District.name)
    )
    rows = session.execute(_scoped(stmt, District.name, districts).order_by(District.name)).all()
    return pd.DataFrame(rows, columns=["district", "merchants", "applicants"])


def round_coverage(session: Session, districts: Collection[str] | None) -> pd.DataFrame:
    """Per round and 区县: inspections, valid and invalid surveys, complaints registered in the period."""
    r = Round
    insp = (
        select(Inspection.round_id, District.name.label("district"), func.count().label("n"))
        .join(Merchant, Merchant.uscc == Inspection.uscc)
        .join(District, District.id == Merchant.district_id)
        .group_by(Inspection.round_id, District.name)
    )
    surv = (
        select(
            SurveyResponse.round_id,
            District.name.label("district"),
            SurveyResponse.invalid,
            func.count().label("n"),
        )
        .join(Merchant, Merchant.uscc == SurveyResponse.uscc)
        .join(District, District.id == Merchant.district_id)
        .group_by(SurveyResponse.round_id, District.name, SurveyResponse.invalid)
    )
    comp = (
        select(r.id.label("round_id"), District.name.label("district"), func.count().label("n"))
        .select_from(r)
        .join(Complaint, and_(Complaint.registered_on >= r.start_date, Complaint.registered_on <= r.end_date))
        .join(Merchant, Merchant.uscc == Complaint.uscc)
        .join(District, District.id == Merchant.district_id)
        .group_by(r.id, District.name)
    )
    insp, comp = _scoped(insp, District.name, districts), _scoped(comp, District.name, districts)
    surv = _scoped(surv, District.name, districts)
    frames = {
        "inspections": pd.DataFrame(session.execute(insp).all(), columns=["round_id", "district", "n"]),
        "complaints": pd.DataFrame(session.execute(comp).all(), columns=["round_id", "district", "n"]),
    }
    s = pd.DataFrame(session.execute(surv).all(), columns=["round_id", "district", "invalid", "n"])
    frames["surveys"] = s[~s["invalid"].astype(bool)].drop(columns="invalid")
    frames["invalid_surveys"] = s[s["invalid"].astype(bool)].drop(columns="invalid")
    rounds = pd.DataFrame(
        session.execute(select(r.id, r.name, r.start_date, r.end_date).order_by(r.start_date, r.name)).all(),
        columns=["round_id", "round", "start", "end"],
    )
    out = rounds.copy()
    for name, frame in frames.items():
        totals = frame.groupby("round_id")["n"].sum() if not frame.empty else pd.Series(dtype="int64")
        out[name] = out["round_id"].map(totals).fillna(0).astype(int)
    return out


def complaint_totals(session: Session, start: date, end: date, districts: Collection[str] | None) -> pd.DataFrame:
    """Per 区县: complaints registered in [start, end] by 处理结果 and 是否按时办结 (registered merchants only)."""
    c = Complaint
    stmt = (
        select(District.name, c.outcome, c.on_time, func.count())
        .join(Merchant, Merchant.uscc == c.uscc)
        .join(District, District.id == Merchant.district_id)
        .where(c.registered_on >= start, c.registered_on <= end)
        .group_by(District.name, c.outcome, c.on_time)
    )
    rows = session.execute(_scoped(stmt, District.name, districts)).all()
    return pd.DataFrame(rows, columns=["district", "outcome", "on_time", "n"])


def last_data_change(session: Session) -> datetime | None:
    """When the newest committed upload finished (None when nothing was imported)."""
    value = session.execute(select(func.max(Upload.finished_at)).where(Upload.status == "committed")).scalar()
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def round_period(session: Session, round_name: str) -> tuple[date, date] | None:
    """A round's (start, end) dates, or None when the round is unknown."""
    row = session.execute(select(Round.start_date, Round.end_date).where(Round.name == round_name)).one_or_none()
    return None if row is None else (row[0], row[1])


def active_indicator_hash(session: Session) -> str | None:
    """The content hash of the active indicator-system version (None before the first is registered)."""
    return session.execute(select(IndicatorVersion.content_hash).where(IndicatorVersion.active)).scalar_one_or_none()
