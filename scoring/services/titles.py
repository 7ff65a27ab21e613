"""Recognised units after review (SPEC §5.7 dynamic management): validity, revocation alerts, expiry.

A unit is 已认定 for 3 years from its 认定日期. Whenever credit records are checked
(``check_revocations``, run by the candidates page on every visit and after each scoring run), a veto
rule of the indicator system that fires *today* on an 已认定 unit raises a revocation alert, once per
unit and veto text. The alert stays open until the unit is 摘牌 (which resolves it) or a reviewer
resolves it with a written reason (e.g. the record was an error and has been removed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.veto import fired_vetoes
from scoring.services import indicators as indicator_service
from scoring.services.context import PermissionDenied, UserContext, local_today
from scoring.services.review import (
    EXPIRED,
    RECOGNISED,
    REVOKED,
    ReviewError,
    permission_problem,
    require_reason,
    transition,
)
from scoring.storage import repository as repo
from scoring.storage import reviews
from scoring.storage.database import session_scope

EXPIRING_DAYS = 90
VALIDITY_TEXT = "自认定日期起 3 年"
TITLE_STATES = (RECOGNISED, REVOKED, EXPIRED)


def titles(engine: Engine, user: UserContext, today: date | None = None) -> pd.DataFrame:
    """已认定 (and former) units the user may see, with 有效期至, days left and a validity label."""
    user.require("view")
    today = today or local_today()
    with session_scope(engine, write=False) as s:
        frame = reviews.case_frame(s, states=TITLE_STATES, districts=user.scope)
    left = [(v - today).days if isinstance(v, date) else None for v in frame["valid_until"]]
    frame["days_left"] = pd.array(left, dtype="Int64")
    frame["validity"] = [_validity(state, days) for state, days in zip(frame["state"], left, strict=True)]
    return frame.sort_values(["state", "valid_until", "district", "uscc"], kind="stable").reset_index(drop=True)


def _validity(state: str, days: int | None) -> str:
    if state != RECOGNISED:
        return state
    if days is None:
        return "有效"
    if days < 0:
        return "已过有效期，待办理到期"
    return f"即将到期（{days} 天）" if days <= EXPIRING_DAYS else "有效"


def check_revocations(engine: Engine, user: UserContext, today: date | None = None) -> int:
    """Raise an alert for every veto that fires today on an 已认定 unit and was not alerted before.

    Reads first and writes only when there is something new, so page visits take no write lock.
    """
    user.require("view")
    today = today or local_today()
    system = indicator_service.active_system(engine)
    with session_scope(engine, write=False) as s:
        new = _new_alerts(s, system, today)
    if not new:
        return 0
    raised = 0
    with session_scope(engine) as s:
        for case in _new_alerts(s, system, today):  # again inside the write transaction: raised once
            alert_id = reviews.add_alert(s, int(case["id"]), str(case["text"]))
            detail = {"alert_id": alert_id, "case_id": int(case["id"]), "uscc": case["uscc"], "name": case["name"],
                      "veto": case["text"], "date": today.isoformat()}  # fmt: skip
            repo.append_audit(s, user.username, "revocation_alert", detail)
            raised += 1
    return raised


def _new_alerts(s: Session, system: IndicatorSystem, today: date) -> list[dict[str, Any]]:
    """(已认定 case, fired veto text) pairs not alerted before."""
    held = reviews.case_frame(s, states=[RECOGNISED])
    if held.empty:
        return []
    credit = repo.load_frame(s, "credit")
    fired = fired_vetoes(credit[credit["uscc"].isin(set(held["uscc"]))], system, pd.Timestamp(today))
    if fired.empty:
        return []
    known = reviews.known_alerts(s, [int(i) for i in held["id"]])
    pairs = held.merge(fired[["uscc", "text"]], on="uscc").drop_duplicates(["id", "text"])
    records = [{str(k): v for k, v in c.items()} for c in pairs.to_dict("records")]
    return [c for c in records if (int(c["id"]), str(c["text"])) not in known]


def alerts(engine: Engine, user: UserContext, open_only: bool = True) -> pd.DataFrame:
    """Revocation alerts the user may see (open ones by default), newest first."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        return reviews.alert_frame(s, open_only=open_only, districts=user.scope)


def resolve_alert(engine: Engine, user: UserContext, alert_id: int, reason: str | None) -> None:
    """Close an alert without 摘牌 (e.g. the credit record was wrong), with a written reason."""
    text = require_reason(reason)
    with session_scope(engine) as s:
        found = reviews.get_alert(s, alert_id)
        if found is None:
            raise ReviewError(f"未找到摘牌预警：{alert_id}")
        alert, case = found
        problem = permission_problem(user, "city", case.district, "处理摘牌预警")
        if problem:
            raise PermissionDenied(problem)
        if alert.resolved_at is not None:
            raise ReviewError(f"该预警已于 {alert.resolved_at:%Y-%m-%d} 由 {alert.resolved_by} 处理。")
        reviews.resolve_alert(s, alert, user.username, text)
        detail = {"alert_id": alert_id, "case_id": case.id, "uscc": case.uscc, "reason": text}
        repo.append_audit(s, user.username, "revocation_alert_resolved", detail)


def due_for_expiry(engine: Engine, user: UserContext, today: date | None = None) -> pd.DataFrame:
    """已认定 units whose validity ended before ``today``."""
    frame = titles(engine, user, today)
    return frame[(frame["state"] == RECOGNISED) & (frame["days_left"] < 0).fillna(False)].reset_index(drop=True)


def expire_due(engine: Engine, user: UserContext, today: date | None = None) -> int:
    """Move every unit whose validity has ended to 到期 (one bulk action, one reason)."""
    today = today or local_today()
    due = due_for_expiry(engine, user, today)
    if due.empty:
        return 0
    reason = f"有效期（{VALIDITY_TEXT}）届满，办理到期（{today.isoformat()}）"
    return transition(engine, user, [int(i) for i in due["id"]], "expire", reason, on=today)
