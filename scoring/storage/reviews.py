"""Review cases, their history and revocation alerts (SPEC §5.7): functions taking a Session.

The rules (who may move a case where) live in ``scoring.services.review``; this module only reads
and writes rows. Frames use English column names; dates are ``datetime.date`` objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.storage.columns import utcnow
from scoring.storage.models import District, Merchant, ReviewCase, ReviewEvent, RevocationAlert, Round

CASE_COLUMNS = (
    "id", "round", "uscc", "name", "district", "industry", "total", "grade", "state", "nominated",
    "recognised_on", "valid_until", "updated_at", "updated_by", "run_id",
)  # fmt: skip
EVENT_COLUMNS = ("id", "case_id", "at", "username", "role", "action", "from_state", "to_state", "reason", "batch")
ALERT_COLUMNS = ("id", "case_id", "uscc", "name", "district", "state", "veto_text", "raised_at", "resolved_at",
                 "resolved_by", "resolution")  # fmt: skip


def round_id(session: Session, round_name: str) -> int | None:
    return session.execute(select(Round.id).where(Round.name == round_name)).scalar_one_or_none()


def case_frame(
    session: Session,
    *,
    round_name: str | None = None,
    states: Sequence[str] | None = None,
    districts: Iterable[str] | None = None,
    ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Review cases as a frame (CASE_COLUMNS), ordered by 区县, score desc, USCC."""
    stmt = select(
        ReviewCase.id, Round.name, ReviewCase.uscc, ReviewCase.name, ReviewCase.district, ReviewCase.industry,
        ReviewCase.total, ReviewCase.grade, ReviewCase.state, ReviewCase.nominated, ReviewCase.recognised_on,
        ReviewCase.valid_until, ReviewCase.updated_at, ReviewCase.updated_by, ReviewCase.run_id,
    ).join(Round, Round.id == ReviewCase.round_id)  # fmt: skip
    if round_name is not None:
        stmt = stmt.where(Round.name == round_name)
    if states is not None:
        stmt = stmt.where(ReviewCase.state.in_(list(states)))
    if districts is not None:
        stmt = stmt.where(ReviewCase.district.in_(sorted(districts)))
    if ids is not None:
        stmt = stmt.where(ReviewCase.id.in_(list(ids)))
    stmt = stmt.order_by(ReviewCase.district, ReviewCase.total.desc(), ReviewCase.uscc)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=list(CASE_COLUMNS))
    frame["nominated"] = frame["nominated"].astype(bool)
    return frame


def lock_cases(session: Session, ids: Sequence[int]) -> list[ReviewCase]:
    """The cases with these ids, locked for update (PostgreSQL; SQLite holds the write lock already)."""
    stmt = select(ReviewCase).where(ReviewCase.id.in_(list(ids))).order_by(ReviewCase.id).with_for_update()
    return list(session.execute(stmt).scalars())


def case_usccs(session: Session, rid: int) -> set[str]:
    """USCCs that already have a case in this round."""
    return set(session.execute(select(ReviewCase.uscc).where(ReviewCase.round_id == rid)).scalars())


def add_case(session: Session, **values: Any) -> ReviewCase:
    case = ReviewCase(updated_at=utcnow(), **values)
    session.add(case)
    session.flush()
    return case


def add_event(
    session: Session,
    case: ReviewCase,
    *,
    username: str,
    role: str,
    action: str,
    from_state: str | None,
    reason: str,
    batch: str | None = None,
) -> None:
    session.add(
        ReviewEvent(
            case_id=case.id, at=utcnow(), username=username, role=role, action=action,
            from_state=from_state, to_state=case.state, reason=reason, batch=batch,
        )
    )  # fmt: skip


def history(session: Session, case_id: int) -> pd.DataFrame:
    """A case's transitions, oldest first (EVENT_COLUMNS)."""
    stmt = select(
        ReviewEvent.id, ReviewEvent.case_id, ReviewEvent.at, ReviewEvent.username, ReviewEvent.role,
        ReviewEvent.action, ReviewEvent.from_state, ReviewEvent.to_state, ReviewEvent.reason, ReviewEvent.batch,
    ).where(ReviewEvent.case_id == case_id).order_by(ReviewEvent.id)  # fmt: skip
    return pd.DataFrame(session.execute(stmt).all(), columns=list(EVENT_COLUMNS))


def alert_frame(session: Session, *, open_only: bool = True, districts: Iterable[str] | None = None) -> pd.DataFrame:
    """Revocation alerts with their case (ALERT_COLUMNS), newest first."""
    stmt = select(
        RevocationAlert.id, RevocationAlert.case_id, ReviewCase.uscc, ReviewCase.name, ReviewCase.district,
        ReviewCase.state, RevocationAlert.veto_text, RevocationAlert.raised_at, RevocationAlert.resolved_at,
        RevocationAlert.resolved_by, RevocationAlert.resolution,
    ).join(ReviewCase, ReviewCase.id == RevocationAlert.case_id)  # fmt: skip
    if open_only:
        stmt = stmt.where(RevocationAlert.resolved_at.is_(None))
    if districts is not None:
        stmt = stmt.where(ReviewCase.district.in_(sorted(districts)))
    stmt = stmt.order_by(RevocationAlert.id.desc())
    return pd.DataFrame(session.execute(stmt).all(), columns=list(ALERT_COLUMNS))


def known_alerts(session: Session, case_ids: Sequence[int]) -> set[tuple[int, str]]:
    """(case id, veto text) pairs already alerted, open or resolved (an alert is raised once)."""
    if not case_ids:
        return set()
    stmt = select(RevocationAlert.case_id, RevocationAlert.veto_text).where(RevocationAlert.case_id.in_(list(case_ids)))
    return {(int(c), str(t)) for c, t in session.execute(stmt)}


def add_alert(session: Session, case_id: int, veto_text: str) -> int:
    alert = RevocationAlert(case_id=case_id, veto_text=veto_text, raised_at=utcnow())
    session.add(alert)
    session.flush()
    return alert.id


def open_alerts_of(session: Session, case_ids: Sequence[int]) -> list[RevocationAlert]:
    stmt = select(RevocationAlert).where(
        RevocationAlert.case_id.in_(list(case_ids)), RevocationAlert.resolved_at.is_(None)
    )
    return list(session.execute(stmt).scalars())


def get_alert(session: Session, alert_id: int) -> tuple[RevocationAlert, ReviewCase] | None:
    found = session.execute(
        select(RevocationAlert, ReviewCase)
        .join(ReviewCase, ReviewCase.id == RevocationAlert.case_id)
        .where(RevocationAlert.id == alert_id)
    ).one_or_none()
    return None if found is None else (found[0], found[1])


def resolve_alert(session: Session, alert: RevocationAlert, user: str, resolution: str) -> None:
    alert.resolved_at = utcnow()
    alert.resolved_by = user
    alert.resolution = resolution
    session.flush()


def merchant_addresses(session: Session, usccs: Iterable[str]) -> dict[str, str]:
    """USCC → 经营地址 (only the address: the public list must never touch personal data)."""
    wanted = sorted(set(usccs))
    found: dict[str, str] = {}
    for i in range(0, len(wanted), 500):
        stmt = select(Merchant.uscc, Merchant.address).where(Merchant.uscc.in_(wanted[i : i + 500]))
        found.update((u, a or "") for u, a in session.execute(stmt))
    return found


def district_order(session: Session) -> list[str]:
    """区县 names in administrative-code order (names without a code last, by name)."""
    rows = session.execute(select(District.name, District.code)).all()
    return [n for n, _ in sorted(rows, key=lambda r: (r[1] is None or r[1] == "", r[1] or "", r[0]))]


def applied_dates(session: Session) -> pd.Series:
    """申报日期 per USCC (datetime64, NaT when blank): the §5.4 tie-break after E and complaints."""
    rows = session.execute(select(Merchant.uscc, Merchant.applied_on)).all()
    frame = pd.DataFrame(rows, columns=["uscc", "applied_on"])
    return pd.Series(pd.to_datetime(frame["applied_on"]).to_numpy(), index=frame["uscc"].astype(str), name="applied_on")
