"""Read views of the dashboard (SPEC §5): rounds and their runs, the ranking table, the overview figures.

Every function takes the UserContext and reads only the user's districts (SPEC §9): the pages never
filter by scope themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.engine.selection import SELECTED
from scoring.exports.tables import SCORE_HEADERS, table_bytes
from scoring.services import indicators as indicator_service
from scoring.services.audit import record_export
from scoring.services.campaign import load_settings
from scoring.services.context import UserContext, local_today
from scoring.storage import ranking_query, views
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.errors import StorageError
from scoring.storage.ranking_query import SORT_KEYS, RankingFilter, RankingOrder, VetoFilter  # noqa: F401 (pages use them)


@dataclass(frozen=True)
class RoundInfo:
    name: str
    start: date
    end: date
    run_id: int | None  # the newest run, None when the round was never scored


@dataclass(frozen=True)
class RunStatus:
    """A round's newest run and whether it is out of date (data imported or indicator system changed since)."""

    run: repo.RunInfo | None
    stale_data: bool = False
    stale_indicators: bool = False


def campaign_title(engine: Engine) -> str:
    """「杭州市 2026年 放心消费创建」 from the campaign settings, or the generic name."""
    settings = load_settings(engine)
    parts = [p for p in (settings.city, f"{settings.year}年" if settings.year else "") if p]
    return " ".join([*parts, "放心消费创建活动"])


def rounds(engine: Engine, user: UserContext) -> list[RoundInfo]:
    """Known rounds, oldest first, with their newest run."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        frame = repo.rounds(s)
        latest = views.latest_run_ids(s)
    return [
        RoundInfo(name, pd.Timestamp(start).date(), pd.Timestamp(end).date(), latest.get(name))
        for name, start, end in frame[["name", "start", "end"]].itertuples(index=False)
    ]


def default_round(found: Sequence[RoundInfo], today: date | None = None) -> str | None:
    """The round to show first: the newest scored round, else the round containing today, else the last."""
    if not found:
        return None
    scored = [r for r in found if r.run_id is not None]
    if scored:
        return scored[-1].name
    today = today or local_today()
    current = [r for r in found if r.start <= today <= r.end]
    return (current or list(found))[-1].name


def run_status(engine: Engine, user: UserContext, round_name: str) -> RunStatus:
    """The round's newest run, flagged when newer data was imported or another indicator version is active."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        run = repo.latest_run(s, round_name)
        changed = views.last_data_change(s)
        active = views.active_indicator_hash(s)
    if run is None:
        return RunStatus(None)
    return RunStatus(
        run,
        stale_data=changed is not None and changed > run.created_at,
        stale_indicators=active is not None and active != run.indicator_hash,
    )


def run_system(engine: Engine, indicator_hash: str) -> IndicatorSystem:
    """The indicator system a run used (kept verbatim in the version table)."""
    content = indicator_service.version_content(engine, indicator_hash)
    if content is None:
        raise StorageError("找不到该评分记录使用的指标体系版本。")
    return load_indicator_system(content)


def ranking_table(
    engine: Engine,
    user: UserContext,
    run_id: int,
    f: RankingFilter | None = None,
    order: RankingOrder | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> pd.DataFrame:
    """A run's §5.1 figures (no indicator points) within the user's districts, plus 候选状态 and ``vetoed``.

    Filtered, sorted and cut to ``limit`` rows from ``offset`` in SQL (SPEC §5.2 order by default:
    city rank, then USCC); without arguments, the whole ranking.
    """
    user.require("view")
    with session_scope(engine, write=False) as s:
        return ranking_query.rows(s, run_id, user.scope, f or RankingFilter(), order or RankingOrder(), offset, limit)


@dataclass(frozen=True)
class RankingPage:
    rows: pd.DataFrame  # one page of ranking_table
    matched: int  # merchants passing the filter
    offset: int
    total: int  # merchants of the run within the user's districts


def ranking_page(
    engine: Engine, user: UserContext, run_id: int, f: RankingFilter, order: RankingOrder, page: int, size: int
) -> RankingPage:
    """Page ``page`` (from 1; past the end = the last page) of the filtered, sorted ranking, and how many matched."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        matched = ranking_query.count(s, run_id, user.scope, f)
        total = matched if f == RankingFilter() else ranking_query.count(s, run_id, user.scope, RankingFilter())
        last = max(1, -(-matched // size))
        offset = (min(max(page, 1), last) - 1) * size
    frame = ranking_table(engine, user, run_id, f, order, offset, size)
    return RankingPage(frame, matched, offset, total)


@dataclass(frozen=True)
class RankingChoices:
    """What the ranking's filters offer: the values present in the run within the user's districts."""

    districts: list[str]
    industries: list[str]
    grades: list[str]  # in grade order
    merchants: int


def ranking_choices(engine: Engine, user: UserContext, run_id: int, grades: Sequence[str]) -> RankingChoices:
    """The filter choices of a run; ``grades`` = the indicator system's grade order (absent grades left out)."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        districts, industries, present, merchants = ranking_query.facets(s, run_id, user.scope)
    ordered = [g for g in grades if g in present] + sorted(present.difference(grades))
    return RankingChoices(districts=districts, industries=industries, grades=ordered, merchants=merchants)


def ranking_csv(engine: Engine, user: UserContext, run_id: int, f: RankingFilter, order: RankingOrder) -> bytes:
    """Every row passing the filter, in the page's order, as a formula-safe CSV (§5.1 headers, 候选状态 last)."""
    user.require("export_internal")
    frame = ranking_table(engine, user, run_id, f, order)
    table = frame[[*SCORE_HEADERS, "candidate"]].rename(columns={**SCORE_HEADERS, "candidate": "候选状态"})
    data = table_bytes(table, "ranking.csv", "商户排名")
    record_export(engine, user, "商户排名（CSV）", len(table), run_id=run_id)  # SPEC §9: every export is audited
    return data


def ranking_preview(engine: Engine, user: UserContext, run_id: int, rows: int = 200) -> tuple[pd.DataFrame, int]:
    """The top ``rows`` of a run's ranking and the number of merchants."""
    top = ranking_page(engine, user, run_id, RankingFilter(), RankingOrder(), 1, rows)
    return top.rows, top.matched


def filter_ranking(frame: pd.DataFrame, f: RankingFilter) -> pd.DataFrame:
    """Rows of an in-memory ``frame`` (a ranking_table) that pass every filter (what ranking_table does in SQL)."""
    keep = pd.Series(True, index=frame.index)
    if f.districts:
        keep &= frame["district"].isin(f.districts)
    if f.industries:
        keep &= frame["industry"].isin(f.industries)
    if f.grades:
        keep &= frame["grade"].isin(f.grades)
    if f.veto != "all":
        keep &= frame["vetoed"] if f.veto == "vetoed" else ~frame["vetoed"]
    text = f.text.strip()
    if text:
        name = frame["name"].str.lower().str.contains(text.lower(), regex=False, na=False)
        keep &= name | frame["uscc"].str.startswith(text.upper())
    return frame[keep]


@dataclass(frozen=True)
class Overview:
    """The key figures of a round within the user's districts (SPEC issue 3, 总览)."""

    merchants: int
    applicants: int
    inspected: int
    scored: int
    excellent_rate: float | None
    vetoed: int
    selected: int
    grades: pd.DataFrame  # grade, merchants (in grade order)
    districts: pd.DataFrame  # §5.5 rows
    totals: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))  # 综合得分 of scored merchants


def overview(engine: Engine, user: UserContext, run_id: int, grade_order: Sequence[str]) -> Overview:
    """Round figures from a run's typed columns (fast also for 100,000 merchants)."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        ranking = views.ranking_rows(s, run_id, user.scope)
        cands = views.candidate_statuses(s, run_id, user.scope)
        districts = views.district_rows(s, run_id, user.scope)
        registry = views.registry_by_district(s, user.scope)
    scored = ranking[ranking["total"].notna()]
    grades = ranking["grade"].value_counts()
    order = [g for g in grade_order if g in grades.index] + [g for g in grades.index if g not in grade_order]
    return Overview(
        merchants=int(registry["merchants"].sum()),
        applicants=int(registry["applicants"].sum()),
        inspected=len(ranking),
        scored=len(scored),
        excellent_rate=float((scored["grade"] == grade_order[0]).mean()) if len(scored) and grade_order else None,
        vetoed=int((ranking["veto_text"].fillna("").str.len() > 0).sum()),
        selected=int((cands["status"] == SELECTED).sum()),
        grades=pd.DataFrame({"grade": order, "merchants": [int(grades[g]) for g in order]}),
        districts=districts,
        totals=scored["total"].reset_index(drop=True),
    )


def grade_order(system: IndicatorSystem) -> list[str]:
    """Grades best first, then the veto grade and 数据不足."""
    names = [g.name for g in system.grades]
    for extra in (system.grade_fallback, system.grade_veto, "数据不足"):
        if extra not in names:
            names.append(extra)
    return names
