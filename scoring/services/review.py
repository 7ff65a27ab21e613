"""Review of 示范单位候选 (SPEC §5.7): who may move a case from which state to which, with a reason.

States: 待审核 → 区县审核通过 / 区县退回 → 市级审核通过 / 市级退回 → 公示中 → 已认定 → 摘牌 / 到期.

| 操作 (key)                  | 从                    | 到           | 谁可以                               |
|-----------------------------|-----------------------|--------------|--------------------------------------|
| 开启审核 (``open_review``)  | 最新评分中“入选”      | 待审核       | 审核员、管理员                       |
| 递补 (``nominate``)         | 最新评分中“候补/入选” | 待审核       | 本区县评估员、审核员、管理员         |
| 区县审核通过 (district_approve) | 待审核            | 区县审核通过 | 本区县评估员、管理员                 |
| 区县退回 (district_return)  | 待审核                | 区县退回     | 本区县评估员、管理员                 |
| 重新提交 (resubmit)         | 区县退回、市级退回    | 待审核       | 本区县评估员、管理员                 |
| 市级审核通过 (city_approve) | 区县审核通过          | 市级审核通过 | 审核员、管理员                       |
| 市级退回 (city_return)      | 区县审核通过、公示中  | 市级退回     | 审核员、管理员（公示中：异议成立）   |
| 开始公示 (publish)          | 市级审核通过          | 公示中       | 审核员、管理员；须已设置公示期       |
| 认定 (recognise)            | 公示中                | 已认定       | 审核员、管理员；公示期满后           |
| 摘牌 (revoke)               | 已认定                | 摘牌         | 审核员、管理员                       |
| 到期 (expire)               | 已认定                | 到期         | 审核员、管理员；有效期届满后         |

领导 (leader) sees every case and changes none. Every action needs a written reason; every case it
changes gets a history row and an audit-log row in the same transaction. A bulk action applies one
reason to all selected cases and is all-or-nothing: if any case may not be moved, none is.
认定 sets 认定日期 and the validity: 3 years, i.e. up to the day before the third anniversary.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scoring.engine.selection import SELECTED, WAITING
from scoring.services.campaign import load_settings
from scoring.services.context import ROLE_LABELS, PermissionDenied, UserContext, local_today
from scoring.services.runs import RoundResults, results
from scoring.storage import repository as repo
from scoring.storage import reviews
from scoring.storage.columns import utcnow
from scoring.storage.database import session_scope
from scoring.storage.models import REVIEW_STATES, ReviewCase

STATES = REVIEW_STATES
PENDING, DISTRICT_OK, DISTRICT_BACK, CITY_OK, CITY_BACK, NOTICE, RECOGNISED, REVOKED, EXPIRED = STATES
VALIDITY_YEARS = 3
MAX_REASON = 1000
Level = Literal["district", "city"]


class ReviewError(ValueError):
    """An action the workflow does not allow (wrong state, missing reason, …); Chinese message."""


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    sources: tuple[str, ...]
    target: str
    level: Level


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in (
        Action("district_approve", "区县审核通过", (PENDING,), DISTRICT_OK, "district"),
        Action("district_return", "区县退回", (PENDING,), DISTRICT_BACK, "district"),
        Action("resubmit", "重新提交", (DISTRICT_BACK, CITY_BACK), PENDING, "district"),
        Action("city_approve", "市级审核通过", (DISTRICT_OK,), CITY_OK, "city"),
        Action("city_return", "市级退回", (DISTRICT_OK, NOTICE), CITY_BACK, "city"),
        Action("publish", "开始公示", (CITY_OK,), NOTICE, "city"),
        Action("recognise", "认定", (NOTICE,), RECOGNISED, "city"),
        Action("revoke", "摘牌", (RECOGNISED,), REVOKED, "city"),
        Action("expire", "到期", (RECOGNISED,), EXPIRED, "city"),
    )
}
_LEVELS: dict[Level, tuple[str, str]] = {
    "district": ("review_district", "区县审核由本区县的评估员或管理员办理"),
    "city": ("review_city", "市级审核、公示、认定、摘牌和到期由审核员或管理员办理"),
}


def valid_until(recognised_on: date) -> date:
    """Last day of the validity: 3 years from 认定日期 (2026-06-20 → 2029-06-19)."""
    try:
        anniversary = recognised_on.replace(year=recognised_on.year + VALIDITY_YEARS)
    except ValueError:  # 29 February → the validity ends on 28 February
        anniversary = date(recognised_on.year + VALIDITY_YEARS, 3, 1)
    return date.fromordinal(anniversary.toordinal() - 1)


def require_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReviewError("请填写理由：每一项审核操作都必须有书面理由。")
    if len(text) > MAX_REASON:
        raise ReviewError(f"理由过长（{len(text)} 字），请控制在 {MAX_REASON} 字以内。")
    return text


def permission_problem(user: UserContext, level: Level, district: str, label: str) -> str | None:
    """Why ``user`` may not do ``label`` on a unit of ``district`` at this level; None when allowed."""
    permission, who = _LEVELS[level]
    if not user.can(permission):
        return f"{ROLE_LABELS.get(user.role, user.role)}无权办理“{label}”：{who}。"
    if user.role == "evaluator" and district != user.district:
        return f"评估员只能办理本区县（{user.district or '未设置区县'}）的单位，不能办理{district}的单位。"
    return None


def state_problem(action: Action, case: ReviewCase, on: date, notice_end: str) -> str | None:
    """Why ``case`` cannot take ``action`` now; None when it can."""
    if case.state not in action.sources:
        need = "、".join(f"“{s}”" for s in action.sources)
        return f"“{case.name}”当前状态为“{case.state}”，不能“{action.label}”（只适用于{need}状态）。"
    if action.key == "recognise" and notice_end and on.isoformat() <= notice_end:
        return f"“{case.name}”：公示期至 {notice_end}，期满后才能认定（认定日期 {on.isoformat()}）。"
    if action.key == "expire" and case.valid_until is not None and on <= case.valid_until:
        return f"“{case.name}”有效期至 {case.valid_until.isoformat()}，尚未到期。"
    return None


def _summary(problems: list[str], total: int) -> str:
    shown = "；".join(problems[:5])
    more = f"；另有 {len(problems) - 5} 条" if len(problems) > 5 else ""
    head = "所选单位均未处理：" if total > 1 else ""
    return head + shown + more


def transition(
    engine: Engine,
    user: UserContext,
    case_ids: Sequence[int],
    action_key: str,
    reason: str | None,
    *,
    on: date | None = None,
) -> int:
    """Move the given cases by one action with one written reason (all or none); returns how many moved."""
    action = ACTIONS.get(action_key)
    if action is None:
        raise ReviewError(f"未知的审核操作：{action_key}")
    text = require_reason(reason)
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise ReviewError("请先选择要办理的单位。")
    on = on or local_today()
    settings = load_settings(engine)
    if action.key == "publish" and not (settings.notice_start and settings.notice_end):
        raise ReviewError("请先在活动设置中填写公示期（开始和结束日期），再开始公示。")
    with session_scope(engine) as s:
        cases = reviews.lock_cases(s, ids)
        missing = sorted(set(ids) - {c.id for c in cases})
        if missing:
            raise ReviewError(f"未找到审核记录：{'、'.join(map(str, missing))}")
        denied = [p for c in cases if (p := permission_problem(user, action.level, c.district, action.label))]
        if denied:
            raise PermissionDenied(_summary(sorted(set(denied)), len(cases)))
        refused = [p for c in cases if (p := state_problem(action, c, on, settings.notice_end))]
        if refused:
            raise ReviewError(_summary(refused, len(cases)))
        batch = uuid.uuid4().hex if len(cases) > 1 else None
        for case in cases:
            _move(s, user, case, action, reason=text, on=on, batch=batch)
    return len(cases)


def _move(
    s: Session, user: UserContext, case: ReviewCase, action: Action, *, reason: str, on: date, batch: str | None
) -> None:
    before = case.state
    case.state = action.target
    case.updated_at = utcnow()
    case.updated_by = user.username
    if action.key == "recognise":
        case.recognised_on = on
        case.valid_until = valid_until(on)
    reviews.add_event(
        s,
        case,
        username=user.username,
        role=user.role,
        action=action.label,
        from_state=before,
        reason=reason,
        batch=batch,
    )
    detail = {
        "case_id": case.id,
        "uscc": case.uscc,
        "name": case.name,
        "district": case.district,
        "action": action.label,
        "from": before,
        "to": case.state,
        "reason": reason,
        "date": on.isoformat(),
        "batch": batch,
    }
    repo.append_audit(s, user.username, "review", detail)
    if action.key == "revoke":
        for alert in reviews.open_alerts_of(s, [case.id]):
            reviews.resolve_alert(s, alert, user.username, f"已摘牌：{reason}")


def open_review(engine: Engine, user: UserContext, round_name: str, reason: str | None = None) -> int:
    """Open a 待审核 case for every 入选 candidate of the round's latest run that has none; returns how many."""
    user.require("review_city")
    found = results(engine, user, round_name)
    chosen = found.candidates[found.candidates["status"] == SELECTED]
    text = require_reason(reason or f"评分记录 #{found.run.id} 中入选")
    return _open(engine, user, round_name, found, chosen, reason=text, nominated=False)


def nominate(engine: Engine, user: UserContext, round_name: str, uscc: str, reason: str | None) -> int:
    """递补: open a case for a 候补 (or a selected unit without one) of the latest run, with a reason."""
    text = require_reason(reason)
    found = results(engine, user, round_name)
    row = found.candidates[found.candidates["uscc"] == uscc]
    if row.empty:
        raise ReviewError(f"最新评分中没有统一社会信用代码为 {uscc} 的单位（或不在您的查看范围内）。")
    cand = row.iloc[0]
    if cand["status"] not in (SELECTED, WAITING):
        raise ReviewError(f"“{cand['name']}”在最新评分中为“{cand['status']}”，不能递补（原因：{cand['reasons']}）。")
    problem = permission_problem(user, "city", str(cand["district"]), "递补")
    if problem and permission_problem(user, "district", str(cand["district"]), "递补"):
        raise PermissionDenied(problem)
    return _open(engine, user, round_name, found, row, reason=text, nominated=True)


def _open(
    engine: Engine,
    user: UserContext,
    round_name: str,
    found: RoundResults,
    chosen: pd.DataFrame,
    *,
    reason: str,
    nominated: bool,
) -> int:
    run_id = found.run.id
    grades = found.scores.set_index("uscc")["grade"]
    label = "递补" if nominated else "开启审核"
    with session_scope(engine) as s:
        rid = reviews.round_id(s, round_name)
        if rid is None:
            raise ReviewError(f"评估轮次“{round_name}”不存在。")
        existing = reviews.case_usccs(s, rid)
        if nominated and set(chosen["uscc"]) & existing:
            state = reviews.case_frame(s, round_name=round_name).set_index("uscc").loc[chosen["uscc"].iloc[0], "state"]
            raise ReviewError(f"“{chosen['name'].iloc[0]}”在本轮已有审核记录（状态：{state}）。")
        made = 0
        for cand in chosen.to_dict("records"):
            if cand["uscc"] in existing:
                continue
            grade, total = grades.get(cand["uscc"]), cand["total"]
            case = reviews.add_case(
                s,
                round_id=rid,
                run_id=run_id,
                uscc=str(cand["uscc"]),
                name=str(cand["name"]),
                district=str(cand["district"]),
                industry=str(cand["industry"]),
                total=None if pd.isna(total) else float(total),
                grade=None if grade is None or pd.isna(grade) else str(grade),
                state=PENDING,
                nominated=nominated,
                updated_by=user.username,
            )
            reviews.add_event(
                s, case, username=user.username, role=user.role, action=label, from_state=None, reason=reason
            )
            detail = {
                "case_id": case.id,
                "uscc": case.uscc,
                "name": case.name,
                "district": case.district,
                "action": label,
                "to": PENDING,
                "reason": reason,
                "round": round_name,
                "run_id": run_id,
            }
            repo.append_audit(s, user.username, "review", detail)
            made += 1
    return made


def cases(
    engine: Engine, user: UserContext, round_name: str | None = None, states: Sequence[str] | None = None
) -> pd.DataFrame:
    """Review cases the user may see (an evaluator: only those of their 区县)."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        return reviews.case_frame(s, round_name=round_name, states=states, districts=user.scope)


def history(engine: Engine, user: UserContext, case_id: int) -> pd.DataFrame:
    """A case's transitions, oldest first: 时间, 操作人, 操作, 从, 到, 理由."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        found = reviews.case_frame(s, ids=[case_id], districts=user.scope)
        if found.empty:
            raise ReviewError(f"未找到审核记录：{case_id}")
        return reviews.history(s, case_id)


def available_actions(user: UserContext, state: str, district: str) -> list[Action]:
    """The actions this user may take on a case in ``state`` of ``district`` (buttons to offer)."""
    return [
        a
        for a in ACTIONS.values()
        if state in a.sources and permission_problem(user, a.level, district, a.label) is None
    ]
