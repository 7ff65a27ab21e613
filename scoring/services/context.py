"""Who is asking: the user context every service call receives (SPEC §1 roles, §9 scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # campaigns run on Beijing time, whatever the server's zone


def local_today() -> date:
    """Today's date in Beijing (a server on UTC is still on yesterday until 08:00 Beijing time)."""
    return datetime.now(LOCAL_TZ).date()


Role = Literal["admin", "reviewer", "evaluator", "leader"]
ROLE_LABELS: dict[str, str] = {"admin": "管理员", "reviewer": "审核员", "evaluator": "评估员", "leader": "领导"}


class PermissionDenied(PermissionError):
    """The user's role or district does not allow this; the message is Chinese and shown as is."""


@dataclass(frozen=True)
class UserContext:
    username: str
    role: Role
    district: str | None = None  # an evaluator's own 区县; None = all districts

    @property
    def scope(self) -> frozenset[str] | None:
        """The districts this user may see, or None for all (evaluators see only their own)."""
        if self.role == "evaluator":
            return frozenset({self.district}) if self.district else frozenset()
        return None

    @property
    def masks_personal_data(self) -> bool:
        return self.role == "leader"

    def can(self, action: str) -> bool:
        return self.role in PERMISSIONS.get(action, ())

    def require(self, action: str) -> None:
        if not self.can(action):
            label = ACTION_LABELS.get(action, action)
            raise PermissionDenied(f"{ROLE_LABELS.get(self.role, self.role)}无权{label}。")

    @property
    def cache_key(self) -> str:
        """Scope part of every cache key for scoped data (role and district)."""
        return f"{self.role}:{self.district or '*'}"


PERMISSIONS: dict[str, tuple[Role, ...]] = {
    "import": ("admin", "evaluator"),
    "score": ("admin", "reviewer"),
    "view": ("admin", "reviewer", "evaluator", "leader"),
    "export_internal": ("admin", "reviewer", "evaluator"),
    "export_public": ("admin", "reviewer", "leader"),
    "review_district": ("admin", "evaluator"),
    "review_city": ("admin", "reviewer"),
    "manage_campaign": ("admin",),
    "manage_indicators": ("admin",),
    "manage_users": ("admin",),
    "edit_tasks": ("admin", "evaluator"),
    "view_audit": ("admin",),
}
ACTION_LABELS = {
    "import": "导入数据",
    "score": "运行评分",
    "view": "查看结果",
    "export_internal": "导出内部名单",
    "export_public": "导出公示名单",
    "review_district": "进行区县审核",
    "review_city": "进行市级审核",
    "manage_campaign": "修改活动设置",
    "manage_indicators": "管理指标体系",
    "manage_users": "管理用户",
    "edit_tasks": "编辑阶段任务",
    "view_audit": "查看审计日志",
}

# The CLI runs with the operator's own rights on the server (SPEC §7 headless steps).
CLI_USER = UserContext("命令行", "admin", None)
