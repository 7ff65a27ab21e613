"""The audit trail (SPEC §9): who did what, when — read and exported by admins, appended by every use case."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from scoring.exports.safe import to_xlsx_bytes
from scoring.services.context import LOCAL_TZ, UserContext
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.models import AuditLog

# Every action name written to the audit log, with its 中文 and English label (a test checks that
# every append_audit call in scoring/ uses a name listed here).
ACTION_NAMES: dict[str, tuple[str, str]] = {
    "login_success": ("登录成功", "Signed in"),
    "login_failure": ("登录失败", "Sign-in failed"),
    "logout": ("退出登录", "Signed out"),
    "upload": ("导入数据", "Data imported"),
    "upload_failed": ("导入失败", "Import failed"),
    "scoring_run": ("运行评分", "Scoring run"),
    "review": ("审核", "Review decision"),
    "export": ("导出", "Export"),
    "user_created": ("新建用户", "User created"),
    "user_updated": ("修改用户", "User changed"),
    "user_deactivated": ("停用用户", "User deactivated"),
    "password_changed": ("修改密码", "Password changed"),
    "indicator_version_added": ("新增指标体系版本", "Indicator version added"),
    "indicator_version_activated": ("启用指标体系版本", "Indicator version activated"),
    "campaign_settings": ("修改活动设置", "Campaign settings changed"),
    "phases_default_plan": ("生成默认阶段计划", "Default phase plan created"),
    "phases_saved": ("修改阶段计划", "Phase plan changed"),
    "tasks_saved": ("更新阶段任务", "Phase tasks updated"),
    "kpi_targets_saved": ("修改考核目标", "KPI targets changed"),
    "revocation_alert": ("摘牌预警", "Revocation alert raised"),
    "revocation_alert_resolved": ("处理摘牌预警", "Revocation alert resolved"),
}
ACTION_LABELS = {name: zh for name, (zh, _) in ACTION_NAMES.items()}


def action_label(action: str, lang: str = "zh") -> str:
    """The label of an action name in ``lang`` ("zh" or "en"); an unknown name is shown as it is."""
    zh, en = ACTION_NAMES.get(action, (action, action))
    return en if lang == "en" else zh


def export_scope(user: UserContext) -> str:
    """The districts an export covers, as written in the audit log."""
    return user.district if user.scope is not None and user.district else "全部区县"


def record_export(engine: Engine, user: UserContext, what: str, rows: int, **detail: Any) -> None:
    """Log an export: what, the user's scope, and the row count."""
    with session_scope(engine) as s:
        detail = {"what": what, "scope": export_scope(user), "rows": rows, **detail}
        repo.append_audit(s, user.username, "export", detail)


DETAIL = "详情"  # the column holding an entry's detail as JSON


def audit_entries(
    engine: Engine,
    user: UserContext,
    *,
    start: date | None = None,
    end: date | None = None,
    username: str = "",
    action: str = "",
    limit: int = 5000,
    lang: str = "zh",
) -> pd.DataFrame:
    """Audit rows (newest first) filtered by date range, user and action; admins only."""
    user.require("view_audit")
    stmt = select(AuditLog.id, AuditLog.at, AuditLog.username, AuditLog.action, AuditLog.detail)
    if start is not None:
        stmt = stmt.where(AuditLog.at >= datetime.combine(start, time.min, LOCAL_TZ))
    if end is not None:
        stmt = stmt.where(AuditLog.at < datetime.combine(end + timedelta(days=1), time.min, LOCAL_TZ))
    if username:
        stmt = stmt.where(AuditLog.username == username)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    with session_scope(engine, write=False) as s:
        rows = s.execute(stmt.order_by(AuditLog.id.desc()).limit(limit)).all()
    frame = pd.DataFrame(rows, columns=["编号", "时间", "用户", "操作", DETAIL])
    frame["时间"] = pd.to_datetime(frame["时间"], utc=True).dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["操作"] = frame["操作"].map(lambda a: action_label(a, lang))
    frame[DETAIL] = frame[DETAIL].map(lambda d: json.dumps(d, ensure_ascii=False) if d is not None else "")
    return frame


def export_audit(engine: Engine, user: UserContext, frame: pd.DataFrame) -> bytes:
    """The filtered audit rows as xlsx (text cells never become formulas); the export is itself audited."""
    user.require("view_audit")
    data = to_xlsx_bytes({"审计日志": frame})
    record_export(engine, user, "审计日志", len(frame))
    return data
