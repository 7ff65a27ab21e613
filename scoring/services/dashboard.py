"""Read views of the dashboard (SPEC §5): rounds and their runs, the ranking table, the overview figures.

Every function takes the UserContext and reads only the user's districts (SPEC §9): the pages never
filter by scope themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.engine.selection import SELECTED
from scoring.services import indicators as indicator_service
from scoring.services.campaign import load_settings
from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage import views
from scoring.storage.database import session_scope
from scoring.storage.errors import StorageError

VetoFilter = Literal["all", "vetoed", "clean"]


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
    today = today or date.today()
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


def ranking_table(engine: Engine, user: UserContext, run_id: int) -> pd.DataFrame:
    """A run's §5.1 figures (no indicator points) within the user's districts, plus 候选状态; city-rank order."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        frame = views.ranking_rows(s, run_id, user.scope)
    frame["vetoed"] = frame["veto_text"].fillna("").str.len() > 0
    return frame.sort_values(["city_rank", "uscc"], kind="stable", na_position="last").reset_index(drop=True)


def ranking_preview(engine: Engine, user: UserContext, run_id: int, rows: int = 200) -> tuple[pd.DataFrame, int]:
    """The top ``rows`` of a run's ranking and the number of merchants, read quickly (before the full table)."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        frame = views.ranking_rows(s, run_id, user.scope, limit=rows)
        total = views.result_count(s, run_id, user.scope)
    frame["vetoed"] = frame["veto_text"].fillna("").str.len() > 0
    return frame, total


@dataclass(frozen=True)
class RankingFilter:
    districts: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    veto: VetoFilter = "all"
    text: str = ""  # part of a name or the start of a USCC


def filter_ranking(frame: pd.DataFrame, f: RankingFilter) -> pd.DataFrame:
    """Rows of ``frame`` (a ranking_table) that pass every filter; an empty filter passes everything."""
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
        keep &= frame["name"].str.contains(text, regex=False, na=False) | frame["uscc"].str.startswith(text.upper())
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
