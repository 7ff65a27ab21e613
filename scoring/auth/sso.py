"""Optional single sign-on (docs/SECURITY.md, not enabled by default): an identity confirmed by an OpenID
Connect provider through Streamlit's ``st.login`` is mapped to an existing, active ``app_user``.

The provider only says who the person is (the ``email`` claim, else ``preferred_username``); what
they may do — role and 区县 — stays in ``app_user``, maintained by an admin. An identity without an
account is refused, never created. Every attempt is audited like a password sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, func, select

from scoring.auth.accounts import LoginError, _context
from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.models import User

CLAIMS = ("email", "preferred_username")
NO_ACCOUNT = "您的单点登录身份（{identity}）没有对应的系统账户，请联系管理员开通。"
INACTIVE = "该账户已停用，请联系管理员。"


def identity_of(claims: Mapping[str, Any]) -> str:
    """The identity to look up: the first non-empty claim of CLAIMS ("" when none)."""
    for claim in CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def sso_user(engine: Engine, claims: Mapping[str, Any]) -> UserContext:
    """The active account whose username equals the identity (case-insensitive); LoginError otherwise."""
    identity = identity_of(claims)
    if not identity:
        raise LoginError("单点登录未返回邮箱或用户名，无法确定账户。")
    with session_scope(engine) as s:
        found = s.execute(select(User).where(func.lower(User.username) == identity.lower())).scalars().all()
        user = found[0] if len(found) == 1 else None
        if user is None:
            repo.append_audit(s, identity, "login_failure", {"reason": "sso_no_account", "via": "oidc"})
            error = NO_ACCOUNT.format(identity=identity)
        elif not user.active:
            repo.append_audit(s, user.username, "login_failure", {"reason": "inactive", "via": "oidc"})
            error = INACTIVE
        else:
            detail = {"role": user.role, "district": user.district, "via": "oidc"}
            repo.append_audit(s, user.username, "login_success", detail)
            return _context(user)
    raise LoginError(error)
