"""The frame around every page: the menu the role may see, the sidebar, and the error boundary."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from scoring.ingest.parse import UploadError
from scoring.services import dashboard
from scoring.services.context import PermissionDenied, UserContext
from scoring.services.merchant_view import MerchantNotFound
from scoring.services.runs import NoSuchRound
from scoring.storage.errors import StorageError
from ui import state
from ui.i18n import LANGUAGES, role_label, t

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("fangxin.ui")


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str  # catalogue key
    icon: str
    action: str  # UserContext.can(action) decides whether the page is in the menu
    section: str  # catalogue key of the menu section
    url: str
    optional: bool = False  # built by another part of the project; listed only when the file exists


PAGES = (
    PageSpec("pages/overview.py", "nav.overview", ":material/dashboard:", "view", "nav.work", "overview"),
    PageSpec("pages/imports.py", "nav.imports", ":material/upload_file:", "import", "nav.work", "import"),
    PageSpec("pages/ranking.py", "nav.ranking", ":material/leaderboard:", "view", "nav.results", "ranking"),
    PageSpec("pages/merchant.py", "nav.merchant", ":material/storefront:", "view", "nav.results", "merchant"),
    PageSpec("pages/districts.py", "nav.districts", ":material/map:", "view", "nav.results", "districts"),
    PageSpec("pages/candidates.py", "nav.candidates", ":material/verified:", "view", "nav.results", "candidates", True),
    PageSpec("pages/analysis.py", "nav.analysis", ":material/tune:", "view", "nav.results", "analysis", True),
    PageSpec("pages/progress.py", "nav.progress", ":material/timeline:", "view", "nav.campaign", "progress"),
    PageSpec("pages/indicators.py", "nav.indicators", ":material/account_tree:", "view", "nav.campaign", "indicators"),
    PageSpec(
        "pages/settings.py", "nav.settings", ":material/settings:", "manage_campaign", "nav.campaign", "settings", True
    ),
    PageSpec("pages/users.py", "nav.users", ":material/group:", "manage_users", "nav.campaign", "users", True),
    PageSpec("pages/audit.py", "nav.audit", ":material/history:", "view_audit", "nav.campaign", "audit", True),
)


def visible_pages(user: UserContext) -> list[PageSpec]:
    """The pages this user's role may open (optional pages only when their file exists)."""
    return [p for p in PAGES if user.can(p.action) and (not p.optional or (ROOT / p.path).is_file())]


def navigation(user: UserContext) -> st.navigation:  # type: ignore[valid-type]
    """st.navigation with the role's pages grouped in sections; other pages cannot be reached by URL."""
    sections: dict[str, list[st.Page]] = {}
    for i, spec in enumerate(visible_pages(user)):
        page = st.Page(ROOT / spec.path, title=t(spec.title), icon=spec.icon, url_path=spec.url, default=i == 0)
        sections.setdefault(t(spec.section), []).append(page)
    return st.navigation(sections)


def login_navigation(sign_in: Callable[[], None]) -> st.navigation:  # type: ignore[valid-type]
    """For a signed-out visitor every URL runs the sign-in form (a deep link opens its page after sign-in)."""
    pages = [st.Page(sign_in, title=t("nav.login"), url_path="login", default=True)]
    pages += [st.Page(sign_in, title=t(spec.title), url_path=spec.url) for spec in PAGES]
    return st.navigation(pages, position="hidden")


def sidebar(engine: Engine, user: UserContext) -> None:
    """Campaign, round selector, language and the signed-in user."""
    bar = st.sidebar
    bar.markdown(f"**{dashboard.campaign_title(engine)}**")
    found = dashboard.rounds(engine, user)
    if found:
        names = [r.name for r in found]
        scored = {r.name for r in found if r.run_id is not None}
        if state.selected_round() not in names:
            st.session_state[state.ROUND_KEY] = dashboard.default_round(found)
        chosen = bar.selectbox(t("sidebar.round"), names, key=state.ROUND_KEY)
        if chosen not in scored:
            bar.caption(t("sidebar.round_unscored"))
    else:
        st.session_state.pop(state.ROUND_KEY, None)
        bar.info(t("sidebar.no_rounds"))
    bar.radio(t("sidebar.language"), list(LANGUAGES), key="lang", format_func=LANGUAGES.get, horizontal=True)


def user_caption(user: UserContext) -> None:
    """Who is signed in: name, role and 区县 scope."""
    scope = user.district or t("sidebar.all")
    st.sidebar.caption(t("sidebar.user", name=user.username, role=role_label(user.role), scope=scope))


def show_flash() -> None:
    found = state.pop_flash()
    if found is not None:
        kind, message = found
        {"success": st.success, "warning": st.warning, "error": st.error}.get(kind, st.info)(message)


def run_page(page: st.Page) -> None:
    """Run the page; any failure becomes a Chinese message, never a traceback (SPEC §9)."""
    try:
        page.run()
    except PermissionDenied as exc:
        st.error(str(exc))
    except (MerchantNotFound, NoSuchRound, StorageError, UploadError) as exc:
        st.error(getattr(exc, "message", None) or str(exc))
    except Exception:
        log.exception("page %s failed", page.url_path)
        st.error(t("error.unexpected"))
