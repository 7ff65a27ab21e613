"""Sign-in, sign-out and session time-outs (SPEC §9): idle 30 minutes, absolute 8 hours.

The user's role and district are reloaded from the database on every run, so a deactivation or a
role change applies at the next click. Signing in starts from a clean session state.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy import Engine

from scoring.auth.accounts import AccountError, LoginError, authenticate, log_logout, reload, set_password
from scoring.auth.sso import sso_user
from scoring.services.context import UserContext
from ui.i18n import t
from ui.session import current_user, set_user

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)
_LOGIN_AT, _SEEN_AT, _NOTICE = "auth_login_at", "auth_seen_at", "auth_notice"
_SSO, _SSO_TRIED = "auth_via_sso", "auth_sso_tried"
_USERNAME, _PASSWORD, _FAILED = "auth_username", "auth_password", "auth_failed"


def _now() -> datetime:
    return datetime.now(UTC)


def sso_enabled() -> bool:
    """Single sign-on is offered only when an ``[auth]`` section exists in secrets.toml (not by default)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _sso_identity() -> bool:
    """A provider-confirmed identity in this browser (Streamlit's signed identity cookie)."""
    return sso_enabled() and st.user.get("is_logged_in") is True


def _start(user: UserContext, *, sso: bool = False) -> None:
    st.session_state.clear()
    set_user(user)
    st.session_state[_LOGIN_AT] = st.session_state[_SEEN_AT] = _now()
    st.session_state[_SSO] = sso


def _end_session(engine: Engine, user: UserContext, reason: str, notice: str) -> None:
    log_logout(engine, user, reason)
    via_sso = bool(st.session_state.get(_SSO))
    st.session_state.clear()
    st.session_state[_NOTICE] = notice
    st.session_state[_SSO_TRIED] = True  # signing out does not sign straight back in through the provider
    if via_sso:
        st.logout()  # drop the identity cookie too


def _from_sso(engine: Engine) -> UserContext | None:
    """Map a provider identity to its app_user once per browser session (audited either way)."""
    if st.session_state.get(_SSO_TRIED) or not _sso_identity():
        return None
    st.session_state[_SSO_TRIED] = True
    try:
        user = sso_user(engine, st.user.to_dict())
    except LoginError as exc:
        st.session_state[_NOTICE] = str(exc)
        return None
    _start(user, sso=True)
    return user


def signed_in_user(engine: Engine) -> UserContext | None:
    """The session's user after time-out checks and a fresh read of role and district; None = sign in."""
    user = current_user()
    if user is None:
        return _from_sso(engine)
    now = _now()
    login_at = st.session_state.get(_LOGIN_AT, now)
    seen_at = st.session_state.get(_SEEN_AT, now)
    if now - seen_at > IDLE:
        _end_session(engine, user, "idle", t("auth.idle"))
        return None
    if now - login_at > ABSOLUTE:
        _end_session(engine, user, "absolute", t("auth.absolute"))
        return None
    fresh = reload(engine, user.username)
    if fresh is None:
        _end_session(engine, user, "deactivated", t("auth.deactivated"))
        return None
    if fresh != user:
        set_user(fresh)
    st.session_state[_SEEN_AT] = now
    return fresh


def login_page(engine: Engine) -> None:
    """The sign-in form; on success the session starts clean with the user set."""
    st.title(t("app.title"))
    st.caption(t("auth.hint"))
    notice = st.session_state.get(_NOTICE)
    if notice:
        st.info(notice)
    if sso_enabled() and st.button(t("auth.sso"), icon=":material/badge:"):
        st.login()
    failed = st.session_state.pop(_FAILED, None)
    with st.form("login"):
        username = st.text_input(t("auth.username"), key=_USERNAME)
        password = st.text_input(t("auth.password"), type="password", key=_PASSWORD)
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if failed:
        st.error(failed)
    if not submitted:
        return
    try:
        user = authenticate(engine, username, password)
    except LoginError as exc:
        # Show the reason after a rerun that empties the password field (the user name stays).
        st.session_state[_FAILED] = str(exc)
        st.session_state.pop(_PASSWORD, None)
        st.rerun()
    _start(user)
    st.rerun()


def account_box(engine: Engine, user: UserContext) -> None:
    """Sidebar, below who is signed in (``shell.user_caption``): password change and sign-out."""
    with st.sidebar.expander(t("auth.change_password")), st.form("password"):
        old = st.text_input(t("auth.old_password"), type="password")
        new = st.text_input(t("auth.new_password"), type="password")
        again = st.text_input(t("auth.repeat_password"), type="password")
        if st.form_submit_button(t("auth.save_password")):
            if new != again:
                st.error(t("auth.mismatch"))
            else:
                try:
                    set_password(engine, user, user.username, new, old=old)
                    st.success(t("auth.password_changed"))
                except AccountError as exc:
                    st.error(str(exc))
    if st.sidebar.button(t("auth.sign_out")):
        _end_session(engine, user, "logout", t("auth.signed_out"))
        st.rerun()
