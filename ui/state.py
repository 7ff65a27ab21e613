"""What the pages share through the session: the user, the selected round, the merchant to open, flash messages."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from scoring.services.context import UserContext
from ui.session import current_user

ROUND_KEY = "round"
MERCHANT_KEY = "merchant_uscc"
FLASH_KEY = "flash"
_GATE_RERUN = "_gate_rerun"  # a direct page run was sent through app.py once


def require_user() -> UserContext:
    """The signed-in user; every page starts with this call.

    The project keeps its page scripts in ``pages/``. Until the first ``st.navigation`` call of the
    server process, Streamlit treats that folder as an old-style multipage app and runs a page
    script requested by URL *directly*, without app.py's sign-in gate. Such a run is turned into a
    rerun through app.py here (and a page never renders without a signed-in user).
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    user = current_user()
    if user is None:  # a page run directly, without app.py's gate
        # Sessions that started while another one was leaving pages/ mode run their page directly
        # too, after the flag was already cleared (a burst of deep links to a freshly started
        # process, docs/DEPLOY.md): send them once through app.py, which shows the sign-in form.
        if not st.session_state.get(_GATE_RERUN):
            st.session_state[_GATE_RERUN] = True
            st.rerun()
        st.stop()
    st.session_state.pop(_GATE_RERUN, None)
    assert user is not None
    return user


def selected_round() -> str | None:
    """The round chosen in the sidebar, or None when no round exists yet."""
    value = st.session_state.get(ROUND_KEY)
    return value if isinstance(value, str) else None


def open_merchant(uscc: str) -> None:
    """Remember the merchant the 商户详情 page should show."""
    st.session_state[MERCHANT_KEY] = uscc


def merchant() -> str | None:
    value = st.session_state.get(MERCHANT_KEY)
    return value if isinstance(value, str) and value else None


def flash(kind: str, message: str) -> None:
    """A message shown once at the top of the next run (survives st.rerun)."""
    st.session_state[FLASH_KEY] = (kind, message)


def pop_flash() -> tuple[str, str] | None:
    value = st.session_state.pop(FLASH_KEY, None)
    return value if isinstance(value, tuple) else None
