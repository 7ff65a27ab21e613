"""Accounts: Argon2id, lockout, deactivation, role changes, audit (SPEC §9), on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.auth import accounts
from scoring.auth.passwords import hash_password, verify_password
from scoring.services.context import CLI_USER, PermissionDenied, UserContext
from scoring.storage import repository as repo
from scoring.storage.columns import utcnow
from scoring.storage.database import session_scope

PASSWORD = "T-" + secrets.token_urlsafe(12)  # throw-away, generated: no password literal in the repository
NEW_PASSWORD = "N-" + secrets.token_urlsafe(12)


def _actions(db: Engine) -> list[str]:
    with session_scope(db, write=False) as s:
        return list(repo.list_audit(s, limit=1000)["action"])


def test_hash_is_argon2id_and_meets_owasp_minimum() -> None:
    h = hash_password(PASSWORD)
    assert h.startswith("$argon2id$")
    params = dict(p.split("=") for p in h.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert verify_password(h, PASSWORD) and not verify_password(h, "wrong-password")
    assert not verify_password(None, PASSWORD) and not verify_password("not-a-hash", PASSWORD)


def test_login_success_failure_and_audit(db: Engine) -> None:
    accounts.create_user(db, CLI_USER, "alice", "reviewer", password=PASSWORD)
    user = accounts.authenticate(db, "alice", PASSWORD)
    assert user == UserContext("alice", "reviewer", None)
    with pytest.raises(accounts.LoginError, match="用户名或密码错误"):
        accounts.authenticate(db, "alice", "nope-nope-nope")
    with pytest.raises(accounts.LoginError, match="用户名或密码错误"):  # same message for unknown users
        accounts.authenticate(db, "mallory", PASSWORD)
    accounts.log_logout(db, user)
    acts = _actions(db)
    for action in ("user_created", "login_success", "login_failure", "logout"):
        assert action in acts
    assert acts.count("login_failure") == 2


def test_five_wrong_passwords_lock_for_fifteen_minutes(db: Engine) -> None:
    accounts.create_user(db, CLI_USER, "bob", "leader", password=PASSWORD)
    now = utcnow()
    for _ in range(4):
        with pytest.raises(accounts.LoginError, match="用户名或密码错误"):
            accounts.authenticate(db, "bob", "wrong-password", now=now)
    with pytest.raises(accounts.LoginError, match="已锁定 15 分钟"):
        accounts.authenticate(db, "bob", "wrong-password", now=now)
    with pytest.raises(accounts.LoginError, match="已被锁定"):  # even the right password is refused
        accounts.authenticate(db, "bob", PASSWORD, now=now + timedelta(minutes=14))
    assert accounts.authenticate(db, "bob", PASSWORD, now=now + timedelta(minutes=16)).role == "leader"


def test_deactivated_user_cannot_log_in_and_is_dropped_on_reload(db: Engine) -> None:
    accounts.create_user(db, CLI_USER, "carol", "reviewer", password=PASSWORD)
    assert accounts.reload(db, "carol") is not None
    accounts.update_user(db, CLI_USER, "carol", active=False)
    assert accounts.reload(db, "carol") is None
    with pytest.raises(accounts.LoginError, match="已停用"):
        accounts.authenticate(db, "carol", PASSWORD)
    assert "user_deactivated" in _actions(db)


def test_role_and_district_changes_apply_on_reload(db: Engine) -> None:
    with session_scope(db) as s:
        repo.upsert(s, "districts", pd.DataFrame({"name": ["上城区", "西湖区"]}), None)
    accounts.create_user(db, CLI_USER, "dave", "evaluator", district="上城区", password=PASSWORD)
    accounts.update_user(db, CLI_USER, "dave", district="西湖区")
    assert accounts.reload(db, "dave") == UserContext("dave", "evaluator", "西湖区")
    with pytest.raises(accounts.AccountError, match="未知区县"):
        accounts.update_user(db, CLI_USER, "dave", district="火星区")
    with pytest.raises(accounts.AccountError, match="必须指定所属区县"):
        accounts.create_user(db, CLI_USER, "erin", "evaluator", district=None, password=PASSWORD)


def test_only_admins_manage_users_and_passwords(db: Engine) -> None:
    accounts.create_user(db, CLI_USER, "frank", "reviewer", password=PASSWORD)
    frank = UserContext("frank", "reviewer", None)
    with pytest.raises(PermissionDenied, match="无权管理用户"):
        accounts.create_user(db, frank, "x-user", "admin", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.set_password(db, frank, "demo-admin", NEW_PASSWORD)
    with pytest.raises(accounts.AccountError, match="原密码不正确"):
        accounts.set_password(db, frank, "frank", NEW_PASSWORD, old=PASSWORD[::-1])
    accounts.set_password(db, frank, "frank", NEW_PASSWORD, old=PASSWORD)
    assert accounts.authenticate(db, "frank", NEW_PASSWORD).username == "frank"
    with pytest.raises(accounts.AccountError, match="至少需要 10 个字符"):
        accounts.set_password(db, frank, "frank", "short", old=NEW_PASSWORD)
    assert "password_changed" in _actions(db)


def test_demo_accounts_once_per_role(db: Engine) -> None:
    with session_scope(db) as s:
        repo.upsert(s, "districts", pd.DataFrame({"name": ["上城区"]}), None)
    created = accounts.ensure_demo_accounts(db)
    assert set(created) == {"demo-admin", "demo-reviewer", "demo-evaluator", "demo-leader"}
    assert accounts.reload(db, "demo-evaluator") == UserContext("demo-evaluator", "evaluator", "上城区")
    assert accounts.ensure_demo_accounts(db) == {}  # printed once, never again
    assert accounts.authenticate(db, "demo-leader", created["demo-leader"]).role == "leader"
