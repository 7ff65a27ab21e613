"""The audit trail (SPEC §9): who did what, when — read and exported by admins, appended by every use case."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from scoring.exports.safe import to_xlsx_bytes
from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.models import AuditLog

ACTION_LABELS = {
    "login_success": "登录成功",
    "login_failure": "登录失败",
    "logout": "退出登录",
    "upload": "导入数据",
    "upload_failed": "导入失败",
    "scoring_run": "运行评分",
    "review": "审核",
    "export": "导出",
    "user_created": "新建用户",
    "user_updated": "修改用户",
    "user_deactivated": "停用用户",
    "password_changed": "修改密码",
    "indicator_version_added": "新增指标体系版本",
    "indicator_version_activated": "启用指标体系版本",
    "campaign_settings": "修改活动设置",
}


def record_export(engine: Engine, user: UserContext, what: str, rows: int, **detail: Any) -> None:
    """Log an export: what, the user's scope, and the row count."""
    scope = user.district or "全部区县"
    with session_scope(engine) as s:
        repo.append_audit(s, user.username, "export", {"what": what, "scope": scope, "rows": rows, **detail})


def audit_entries(
    engine: Engine,
    user: UserContext,
    *,
    start: date | None = None,
    end: date | None = None,
    username: str = "",
    action: str = "",
    limit: int = 5000,
) -> pd.DataFrame:
    """Audit rows (newest first) filtered by date range, user and action; admins only."""
    user.require("view_audit")
    stmt = select(AuditLog.id, AuditLog.at, AuditLog.username, AuditLog.action, AuditLog.detail)
    if start is not None:
        stmt = stmt.where(AuditLog.at >= datetime.combine(start, time.min).astimezone())
    if end is not None:
        stmt = stmt.where(AuditLog.at < datetime.combine(end + timedelta(days=1), time.min).astimezone())
    if username:
        stmt = stmt.where(AuditLog.username == username)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    with session_scope(engine, write=False) as s:
        rows = s.execute(stmt.order_by(AuditLog.id.desc()).limit(limit)).all()
    frame = pd.DataFrame(rows, columns=["编号", "时间", "用户", "操作", "详情"])
    frame["时间"] = pd.to_datetime(frame["时间"], utc=True).dt.tz_convert(None).dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["操作"] = frame["操作"].map(lambda a: ACTION_LABELS.get(a, a))
    frame["详情"] = frame["详情"].map(lambda d: json.dumps(d, ensure_ascii=False) if d is not None else "")
    return frame


def export_audit(engine: Engine, user: UserContext, frame: pd.DataFrame) -> bytes:
    """The filtered audit rows as xlsx (text cells never become formulas); the export is itself audited."""
    user.require("view_audit")
    data = to_xlsx_bytes({"审计日志": frame})
    record_export(engine, user, "审计日志", len(frame))
    return data
