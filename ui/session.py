"""The signed-in user of this browser session, as a UserContext passed to every service call."""

from __future__ import annotations

import streamlit as st

from scoring.services.context import UserContext

USER_KEY = "user"


def current_user() -> UserContext | None:
    """The user of this session, or None when nobody is signed in."""
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, UserContext) else None


def set_user(user: UserContext | None) -> None:
    if user is None:
        st.session_state.pop(USER_KEY, None)
    else:
        st.session_state[USER_KEY] = user
