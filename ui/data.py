"""Streamlit-side access to the services: the one cached Engine, and cached reads keyed by run and scope.

Streamlit caches are shared by every user of the server (NOTES-ecosystem), so every scoped entry
has the user's ``cache_key`` (role and district) in its key, and every result entry the run id or
the content hash it was computed from. ``clear()`` runs after imports, scoring runs and edits.
The ``_user`` parameters are not hashed: ``scope`` stands for them in the key.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem
from scoring.services import dashboard, district_view, indicator_views, progress, runs
from scoring.services import indicators as indicator_service
from scoring.services.context import UserContext
from scoring.storage.database import default_url, make_engine
from scoring.storage.migrations import upgrade


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """The process-wide Engine (thread-safe pool), on a database migrated to the newest schema."""
    built = make_engine(default_url())
    upgrade(built)
    return built


def clear() -> None:
    """Forget every cached read (after imports, scoring runs and edits)."""
    st.cache_data.clear()
    _loaded.clear()


@st.cache_data(show_spinner=False, max_entries=16)
def system(content_hash: str) -> IndicatorSystem:
    """An indicator system by content hash (immutable, so shared by everyone)."""
    return dashboard.run_system(engine(), content_hash)


def active_system() -> IndicatorSystem:
    return indicator_service.active_system(engine())


@st.cache_data(show_spinner=False, max_entries=32)
def _ranking(run_id: int, scope: str, _user: UserContext) -> pd.DataFrame:
    return dashboard.ranking_table(engine(), _user, run_id)


_loaded: set[tuple[int, str]] = set()  # (run id, scope) whose ranking is in the cache of this process
PREVIEW_FROM = 20_000  # merchants; from here a first page of the ranking is shown while the rest loads


def ranking(user: UserContext, run_id: int, preview: Callable[[pd.DataFrame, int], None] | None = None) -> pd.DataFrame:
    """The ranking table of a run within the user's districts (cached by run and scope).

    On a cache miss for a large run, ``preview(top_rows, total)`` is called first with the top of
    the ranking, read in a fraction of the time, so the page shows something at once.
    """
    key = (run_id, user.cache_key)
    if preview is not None and key not in _loaded:
        top, total = dashboard.ranking_preview(engine(), user, run_id)
        if total >= PREVIEW_FROM:
            preview(top, total)
    frame = _ranking(run_id, user.cache_key, user)
    _loaded.add(key)
    return frame


@st.cache_data(show_spinner=False, max_entries=32)
def _overview(run_id: int, content_hash: str, scope: str, _user: UserContext) -> dashboard.Overview:
    return dashboard.overview(engine(), _user, run_id, dashboard.grade_order(system(content_hash)))


def overview(user: UserContext, run: runs.repo.RunInfo) -> dashboard.Overview:
    return _overview(run.id, run.indicator_hash, user.cache_key, user)


@st.cache_data(show_spinner=False, max_entries=32)
def _districts(round_name: str, run_id: int, scope: str, _user: UserContext) -> district_view.DistrictView | None:
    return district_view.district_view(engine(), _user, round_name)


def districts(user: UserContext, round_name: str, run_id: int) -> district_view.DistrictView | None:
    """The district page's figures (cached by round, its newest run and scope)."""
    return _districts(round_name, run_id, user.cache_key, user)


@st.cache_data(show_spinner=False, max_entries=16)
def _satisfaction(round_name: str, run_id: int, scope: str, _user: UserContext) -> pd.Series:
    scores = runs.results(engine(), _user, round_name, run_id).scores
    scored = scores[scores["satisfaction_index"].notna()]
    return pd.Series(scored["satisfaction_index"].to_numpy(dtype=float), index=scored["district"].to_numpy())


def kpis(user: UserContext, round_name: str, run_id: int | None) -> pd.DataFrame:
    """KPI figures per district and overall (satisfaction from the run, cached by run and scope)."""
    sat = _satisfaction(round_name, run_id, user.cache_key, user) if run_id is not None else None
    return progress.kpis(engine(), user, round_name, sat)


@st.cache_data(show_spinner=False, max_entries=8)
def sunburst(content_hash: str, lang: str, root: str) -> pd.DataFrame:
    return indicator_views.sunburst(system(content_hash), lang, root)
