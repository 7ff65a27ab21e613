"""Streamlit-side access to the services: the one cached Engine, and cached reads keyed by run and scope.

Streamlit caches are shared by every user of the server (NOTES-ecosystem), so every scoped entry
has the user's ``cache_key`` (role and district) in its key, and every result entry the run id or
the content hash it was computed from. ``clear()`` runs after imports, scoring runs and edits.
Several app processes may serve one database (docs/DEPLOY.md): ``clear()`` only reaches its own
process, so what picks a key (newest run ids, the data version) is read uncached on every run, and a
run's results never change once written; another process's import or run thus shows at the next run.
The ``_user`` parameters are not hashed: ``scope`` stands for them in the key.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem
from scoring.services import dashboard, district_view, indicator_views, progress, runs
from scoring.services import indicators as indicator_service
from scoring.services.context import UserContext
from scoring.storage import views
from scoring.storage.database import default_url, make_engine, session_scope
from scoring.storage.migrations import current_revision, head_revision, upgrade


class SchemaNotReady(Exception):
    """The database schema is not at the newest revision: the operator runs ``python -m scoring migrate``."""

    def __init__(self, current: str | None, head: str | None) -> None:
        super().__init__(f"schema at {current or 'empty'}, code expects {head}")
        self.current, self.head = current, head


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """The process-wide Engine (thread-safe pool), on a database whose schema is at the newest revision.

    Migrations are a deployment step (``python -m scoring migrate``; ``make run`` and
    ``deploy/serve_multi.py`` run it first), never part of a page run of a shared server database:
    on PostgreSQL the schema is only checked, and ``SchemaNotReady`` (not cached, so the check is
    repeated on the next run) tells app.py to show the operator what to do. The embedded SQLite
    file of a single-process install is still brought up to date here (BEGIN IMMEDIATE serialises it).
    """
    built = make_engine(default_url())
    if built.dialect.name == "sqlite":
        upgrade(built)
        return built
    current, head = current_revision(built), head_revision()
    if current != head:
        built.dispose()
        raise SchemaNotReady(current, head)
    return built


def clear() -> None:
    """Forget every cached read (after imports, scoring runs and edits)."""
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=16)
def system(content_hash: str) -> IndicatorSystem:
    """An indicator system by content hash (immutable, so shared by everyone)."""
    return dashboard.run_system(engine(), content_hash)


def active_system() -> IndicatorSystem:
    return indicator_service.active_system(engine())


@st.cache_data(show_spinner=False, max_entries=32)
def _ranking_choices(run_id: int, content_hash: str, scope: str, _user: UserContext) -> dashboard.RankingChoices:
    return dashboard.ranking_choices(engine(), _user, run_id, dashboard.grade_order(system(content_hash)))


def ranking_choices(user: UserContext, run: runs.repo.RunInfo) -> dashboard.RankingChoices:
    """The districts, industries and grades the ranking's filters offer (cached by run and scope)."""
    return _ranking_choices(run.id, run.indicator_hash, user.cache_key, user)


@st.cache_data(show_spinner=False, max_entries=128)
def _ranking_page(
    run_id: int,
    scope: str,
    chosen: dashboard.RankingFilter,
    order: dashboard.RankingOrder,
    page: int,
    size: int,
    _user: UserContext,
) -> dashboard.RankingPage:
    return dashboard.ranking_page(engine(), _user, run_id, chosen, order, page, size)


def ranking_page(
    user: UserContext,
    run_id: int,
    chosen: dashboard.RankingFilter,
    order: dashboard.RankingOrder,
    page: int,
    size: int,
) -> dashboard.RankingPage:
    """One page of the filtered, sorted ranking, read in SQL (cached by run, scope, filter, order and page)."""
    return _ranking_page(run_id, user.cache_key, chosen, order, page, size, user)


def data_version() -> str:
    """When the newest committed import finished: part of the key of figures that read the registry.

    Read uncached on every call (one indexed MAX), so an import made through another app process
    changes the key at this process's next run (multi-process deployments, docs/DEPLOY.md).
    """
    with session_scope(engine(), write=False) as s:
        changed = views.last_data_change(s)
    return "" if changed is None else changed.isoformat()


@st.cache_data(show_spinner=False, max_entries=32)
def _overview(run_id: int, content_hash: str, scope: str, version: str, _user: UserContext) -> dashboard.Overview:
    return dashboard.overview(engine(), _user, run_id, dashboard.grade_order(system(content_hash)))


def overview(user: UserContext, run: runs.repo.RunInfo) -> dashboard.Overview:
    """The round's figures: the run's results plus the registry counts (keyed by the data version too)."""
    return _overview(run.id, run.indicator_hash, user.cache_key, data_version(), user)


@st.cache_data(show_spinner=False, max_entries=32)
def _districts(round_name: str, newest: str, scope: str, _user: UserContext) -> district_view.DistrictView | None:
    return district_view.district_view(engine(), _user, round_name)


def districts(user: UserContext, round_name: str, run_id: int) -> district_view.DistrictView | None:
    """The district page's figures (cached by round, the newest run of every round and scope).

    The change since the previous round reads that round's newest run, which another app process
    may have replaced, so the key holds every round's newest run id (read uncached here).
    """
    newest = ",".join(f"{r.name}={r.run_id}" for r in dashboard.rounds(engine(), user))
    return _districts(round_name, f"{run_id}|{newest}", user.cache_key, user)


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
