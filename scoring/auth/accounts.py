"""User accounts (SPEC §1, §9): sign-in with lockout, roles and 区县 scope, admin management, audit.

Every change and every sign-in attempt writes an audit row. A user's role and district are read
from the database on each page run (``reload``), so a change or deactivation takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select

from scoring.auth.passwords import hash_password, needs_rehash, password_problem, random_password, verify_password
from scoring.services.context import LOCAL_TZ, ROLE_LABELS, Role, UserContext
from scoring.storage import repository as repo
from scoring.storage.columns import utcnow
from scoring.storage.database import session_scope
from scoring.storage.models import User

MAX_FAILURES = 5
LOCK_MINUTES = 15
ROLES: tuple[Role, ...] = ("admin", "reviewer", "evaluator", "leader")
WRONG = "用户名或密码错误。"


class LoginError(Exception):
    """Sign-in refused; the Chinese message is safe to show (it never says which part was wrong)."""


class AccountError(ValueError):
    """An account change that cannot be made; the message is Chinese."""


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    district: str | None
    active: bool
    locked_until: datetime | None
    created_at: datetime


def _context(user: User) -> UserContext:
    return UserContext(user.username, user.role, user.district)  # type: ignore[arg-type]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def authenticate(engine: Engine, username: str, password: str, now: datetime | None = None) -> UserContext:
    """Check a password; lock the account for 15 minutes after 5 failures in a row.

    The failure count and the audit row are committed before the refusal is raised.
    """
    now = now or utcnow()
    name = username.strip()
    error = ""
    with session_scope(engine) as s:
        user = s.execute(select(User).where(User.username == name)).scalar_one_or_none()
        locked = _aware(user.locked_until) if user else None
        if user is not None and locked is not None and locked > now:
            repo.append_audit(s, name, "login_failure", {"reason": "locked"})
            local = locked.astimezone(LOCAL_TZ).strftime("%H:%M")
            error = f"账户因多次密码错误已被锁定，请于 {local} 后再试，或联系管理员。"
        elif user is None or not verify_password(user.password_hash, password):
            detail: dict[str, object] = {"reason": "bad_password" if user else "unknown_user"}
            error = WRONG
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILURES:
                    user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    user.failed_logins = 0
                    detail["locked"] = True
                    error = f"密码连续错误 {MAX_FAILURES} 次，账户已锁定 {LOCK_MINUTES} 分钟。"
            repo.append_audit(s, name or "(空)", "login_failure", detail)
        elif not user.active:
            repo.append_audit(s, name, "login_failure", {"reason": "inactive"})
            error = "该账户已停用，请联系管理员。"
        else:
            user.failed_logins = 0
            user.locked_until = None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            repo.append_audit(s, name, "login_success", {"role": user.role, "district": user.district})
            context = _context(user)
    if error:
        raise LoginError(error)
    return context


def reload(engine: Engine, username: str) -> UserContext | None:
    """The user's current role and district, or None when the account is gone or deactivated."""
    with session_scope(engine, write=False) as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None or not user.active:
            return None
        return _context(user)


def log_logout(engine: Engine, user: UserContext, reason: str = "logout") -> None:
    with session_scope(engine) as s:
        repo.append_audit(s, user.username, "logout", {"reason": reason})


def _check(engine: Engine, role: str, district: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"未知角色“{role}”，可选：{'、'.join(f'{r}（{ROLE_LABELS[r]}）' for r in ROLES)}")
    if role == "evaluator":
        if not district:
            raise AccountError("评估员必须指定所属区县。")
        with session_scope(engine, write=False) as s:
            known = repo.district_names(s)
        if known and district not in known:
            raise AccountError(f"未知区县“{district}”，已有区县：{'、'.join(known)}")


def create_user(
    engine: Engine,
    actor: UserContext,
    username: str,
    role: str,
    *,
    district: str | None = None,
    password: str | None = None,
    display_name: str = "",
) -> str:
    """Create an account; returns the password (a random one when none is given) to hand over once."""
    actor.require("manage_users")
    name = username.strip()
    if not name or len(name) > 64:
        raise AccountError("用户名不能为空，且不超过 64 个字符。")
    _check(engine, role, district)
    password = password or random_password()
    problem = password_problem(password, name)
    if problem:
        raise AccountError(problem)
    with session_scope(engine) as s:
        if s.execute(select(User.id).where(User.username == name)).first():
            raise AccountError(f"用户名“{name}”已存在。")
        s.add(
            User(
                username=name,
                display_name=display_name,
                password_hash=hash_password(password),
                role=role,
                district=district if role == "evaluator" else None,
            )
        )
        repo.append_audit(s, actor.username, "user_created", {"username": name, "role": role, "district": district})
    return password


def update_user(
    engine: Engine,
    actor: UserContext,
    username: str,
    *,
    role: str | None = None,
    district: str | None = None,
    active: bool | None = None,
) -> None:
    """Change a user's role, district or active flag (admin)."""
    actor.require("manage_users")
    with session_scope(engine) as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise AccountError(f"用户“{username}”不存在。")
        new_role = role or user.role
        new_district = district if district is not None else user.district
        _check(engine, new_role, new_district)
        if active is False and user.username == actor.username:
            raise AccountError("不能停用自己的账户。")
        before = {"role": user.role, "district": user.district, "active": user.active}
        user.role = new_role
        user.district = new_district if new_role == "evaluator" else None
        if active is not None:
            user.active = active
            if active:
                user.failed_logins, user.locked_until = 0, None
        after = {"role": user.role, "district": user.district, "active": user.active}
        action = "user_deactivated" if active is False else "user_updated"
        repo.append_audit(s, actor.username, action, {"username": username, "before": before, "after": after})


def set_password(engine: Engine, actor: UserContext, username: str, new: str, old: str | None = None) -> None:
    """Change a password: users change their own with the old one; an admin may reset anyone's."""
    own = actor.username == username
    if not own:
        actor.require("manage_users")
    elif old is None and not actor.can("manage_users"):
        raise AccountError("修改自己的密码需要输入原密码。")
    problem = password_problem(new, username)
    if problem:
        raise AccountError(problem)
    with session_scope(engine) as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise AccountError(f"用户“{username}”不存在。")
        if own and old is not None and not verify_password(user.password_hash, old):
            raise AccountError("原密码不正确。")
        user.password_hash = hash_password(new)
        user.password_changed_at = utcnow()
        user.failed_logins, user.locked_until = 0, None
        repo.append_audit(s, actor.username, "password_changed", {"username": username, "by_admin": not own})


def list_users(engine: Engine, actor: UserContext) -> list[Account]:
    actor.require("manage_users")
    with session_scope(engine, write=False) as s:
        rows = s.execute(select(User).order_by(User.role, User.username)).scalars().all()
        return [
            Account(u.username, u.display_name, u.role, u.district, u.active, u.locked_until, u.created_at)
            for u in rows
        ]


def accounts_frame(accounts: list[Account]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "用户名": [a.username for a in accounts],
            "角色": [ROLE_LABELS.get(a.role, a.role) for a in accounts],
            "区县": [a.district or "全部" for a in accounts],
            "状态": ["启用" if a.active else "停用" for a in accounts],
        }
    )


def user_count(engine: Engine) -> int:
    with session_scope(engine, write=False) as s:
        return int(s.execute(select(func.count()).select_from(User)).scalar_one())


def ensure_demo_accounts(engine: Engine) -> dict[str, str]:
    """On first start (no users at all): one account per role with a random password, returned once."""
    if user_count(engine):
        return {}
    with session_scope(engine, write=False) as s:
        districts = repo.district_names(s)
    system = UserContext("系统初始化", "admin", None)
    out = {}
    for role in ROLES:
        district = districts[0] if role == "evaluator" and districts else None
        if role == "evaluator" and district is None:
            continue
        username = f"demo-{role}"
        out[username] = create_user(
            engine, system, username, role, district=district, display_name=f"演示{ROLE_LABELS[role]}"
        )
    return out


def district_choices(engine: Engine) -> list[str]:
    """The 区县 an evaluator account may be bound to."""
    with session_scope(engine, write=False) as s:
        return repo.district_names(s)
