"""Optional single sign-on (docs/SECURITY.md): a provider identity maps to an existing, active app_user by
username (case-insensitive), never creates one, and is audited; the page offers it only when configured."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from scoring.auth import accounts
from scoring.auth.accounts import LoginError
from scoring.auth.sso import identity_of, sso_user
from scoring.services.context import CLI_USER, UserContext
from scoring.storage import repository as repo
from scoring.storage.database import make_engine, session_scope

APP = str(Path(__file__).resolve().parents[2] / "app.py")
EMAIL = "wang.li@market.example.cn"


def _audit(engine: Engine) -> list[tuple[str, str, dict[str, object]]]:
    with session_scope(engine, write=False) as s:
        frame = repo.list_audit(s, limit=100)
    return list(zip(frame["user"], frame["action"], frame["detail"], strict=True))


def test_an_identity_maps_to_its_account_by_username(db: Engine) -> None:
    accounts.create_user(db, CLI_USER, EMAIL, "evaluator", district="上城区", password="T-" + secrets.token_urlsafe(12))
    assert sso_user(db, {"email": EMAIL.upper(), "name": "王力"}) == UserContext(EMAIL, "evaluator", "上城区")
    assert identity_of({"email": "", "preferred_username": "  li  "}) == "li"
    with pytest.raises(LoginError, match="没有对应的系统账户"):
        sso_user(db, {"email": "stranger@example.cn"})
    with pytest.raises(LoginError, match="未返回邮箱"):
        sso_user(db, {"name": "无邮箱"})
    accounts.update_user(db, CLI_USER, EMAIL, role="evaluator", district="上城区", active=False)
    with pytest.raises(LoginError, match="已停用"):
        sso_user(db, {"email": EMAIL})
    rows = _audit(db)
    assert (EMAIL, "login_success") in [(u, a) for u, a, _ in rows]
    assert ("stranger@example.cn", "login_failure") in [(u, a) for u, a, _ in rows]
    assert all(d.get("via") == "oidc" for _, a, d in rows if a.startswith("login"))
    assert len(accounts.list_users(db, CLI_USER)) == 1  # nothing was created


@pytest.fixture
def app_db(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    path = tmp_path / "sso.db"
    shutil.copyfile(sqlite_template, path)
    monkeypatch.setenv("FANGXIN_DB_URL", f"sqlite:///{path}")
    st.cache_data.clear()
    st.cache_resource.clear()
    engine = make_engine(f"sqlite:///{path}")
    accounts.create_user(engine, CLI_USER, EMAIL, "leader", password="T-" + secrets.token_urlsafe(12))
    yield engine
    engine.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()


def _app(claims: dict[str, object], auth: bool) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = claims
    if auth:
        at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback"}
    return at.run()


def test_the_page_signs_a_provider_identity_in_only_when_sso_is_configured(app_db: Engine) -> None:
    at = _app({"is_logged_in": True, "email": EMAIL}, auth=False)  # not configured: the identity is ignored
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert not [b for b in at.button if "单点登录" in b.label]

    at = _app({"is_logged_in": False}, auth=True)  # configured, not signed in: the button is offered
    assert [b for b in at.button if "单点登录" in b.label]

    at = _app({"is_logged_in": True, "email": EMAIL}, auth=True)
    assert not at.exception
    assert f"当前用户：{EMAIL}（领导，全部区县）" in "\n".join(str(c.value) for c in at.sidebar.caption)

    at = _app({"is_logged_in": True, "email": "stranger@example.cn"}, auth=True)
    assert "没有对应的系统账户" in "\n".join(str(i.value) for i in at.info)
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
