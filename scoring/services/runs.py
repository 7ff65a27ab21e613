"""Scoring use cases (SPEC §1 step 3, §5): create an immutable run, read results within the user's scope."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.districts import district_ranking
from scoring.engine.frames import RoundData
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.scores import score_round
from scoring.engine.selection import candidates
from scoring.services import indicators as indicator_service
from scoring.services.campaign import load_settings
from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.errors import StorageError


class NoSuchRound(LookupError):
    """The round is not known; the message names the known ones."""


@dataclass(frozen=True)
class RoundResults:
    """A run's results as the user may see them (rows outside an evaluator's 区县 are removed)."""

    run: repo.RunInfo
    scores: pd.DataFrame
    candidates: pd.DataFrame
    districts: pd.DataFrame


def fingerprint(data: RoundData) -> str:
    """SHA-256 over the round's input tables in a canonical order: which data a run used."""
    digest = hashlib.sha256()
    for name, frame in (
        ("merchants", data.merchants),
        ("inspections", data.inspections),
        ("surveys", data.surveys),
        ("complaints", data.complaints),
        ("credit", data.credit),
    ):
        ordered = frame.reindex(sorted(frame.columns), axis=1)
        ordered = ordered.sort_values(list(ordered.columns)[:3], kind="stable") if len(ordered.columns) else ordered
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(ordered.astype("string"), index=False).to_numpy().tobytes())
    digest.update(f"{data.start:%Y-%m-%d}{data.end:%Y-%m-%d}".encode())
    return digest.hexdigest()


def load_round(engine: Engine, round_name: str, system: IndicatorSystem) -> RoundData:
    with session_scope(engine, write=False) as s:
        known = repo.round_names(s)
        if round_name not in known:
            raise NoSuchRound(
                f"评估轮次“{round_name}”不存在。已有轮次：{'、'.join(known) or '（无，请先导入评估轮次）'}"
            )
        data = repo.load_round_data(
            s, round_name, list(system.inspection_items), [q.code for q in system.survey_questions]
        )
        districts = tuple(repo.district_names(s))
    return RoundData(
        data.round_name, data.start, data.end, data.merchants, data.inspections, data.surveys,
        data.complaints, data.credit, districts=districts,
    )  # fmt: skip


def run_meta(system: IndicatorSystem, data: RoundData, created_by: str, settings: dict[str, Any]) -> repo.RunMeta:
    """What a stored run records besides its results: round, who, indicator version and data fingerprint."""
    return repo.RunMeta(
        round_name=data.round_name,
        created_by=created_by,
        indicator_id=system.id,
        indicator_version=system.version,
        indicator_hash=system.content_hash,
        data_fingerprint=fingerprint(data),
        point_codes=[i.code for i in system.indicators] + [b.code for b in system.bonus_items],
        dimension_codes=[d.code for d in system.dimensions],
        settings=settings,
    )


def run_scoring(
    engine: Engine, user: UserContext, round_name: str, system: IndicatorSystem | None = None
) -> RoundResults:
    """Score a round with the active (or the given) indicator system and store the run immutably."""
    user.require("score")
    system = system or indicator_service.active_system(engine)
    data = load_round(engine, round_name, system)
    settings = load_settings(engine)
    selection = settings.selection(system)
    scores = score_round(data, system)
    cands = candidates(data, scores, system, selection)
    districts = district_ranking(data, scores, cands, system)
    meta = run_meta(system, data, user.username, {"threshold": selection.threshold, **settings.as_json()})
    with session_scope(engine) as s:
        run_id = repo.save_run(s, meta, scores, cands, districts)
        repo.append_audit(
            s,
            user.username,
            "scoring_run",
            {"run_id": run_id, "round": round_name, "indicator_hash": system.content_hash, "merchants": len(scores)},
        )
    return results(engine, user, round_name, run_id)


def results(engine: Engine, user: UserContext, round_name: str, run_id: int | None = None) -> RoundResults:
    """The latest (or a given) run of a round, limited to the user's districts."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        if run_id is None:
            info = repo.latest_run(s, round_name)
            if info is None:
                raise StorageError(f"评估轮次“{round_name}”尚未评分。")
            run_id = info.id
        loaded = repo.load_run_results(s, run_id)
    scope = user.scope
    scores, cands, districts = loaded.scores, loaded.candidates, loaded.districts
    if scope is not None:
        scores = scores[scores["district"].isin(scope)].reset_index(drop=True)
        cands = cands[cands["district"].isin(scope)].reset_index(drop=True)
        districts = districts[districts["district"].isin(scope)].reset_index(drop=True)
    return RoundResults(loaded.run, scores, cands, districts)


def current_results(engine: Engine, user: UserContext, round_name: str) -> RoundResults:
    """Results for the data, indicator system and settings as they are now (CLI candidates/districts).

    The latest run is reused when it used exactly the current inputs; otherwise a new run is made
    (by a user who may score; others get the latest run as it is).
    """
    system = indicator_service.active_system(engine)
    data = load_round(engine, round_name, system)
    settings = load_settings(engine)
    wanted = {"threshold": settings.selection(system).threshold, **settings.as_json()}
    with session_scope(engine, write=False) as s:
        info = repo.latest_run(s, round_name)
    if (
        info is not None
        and info.indicator_hash == system.content_hash
        and info.data_fingerprint == fingerprint(data)
        and info.settings == wanted
    ):
        return results(engine, user, round_name, info.id)
    if info is not None and not user.can("score"):
        return results(engine, user, round_name, info.id)
    return run_scoring(engine, user, round_name, system)
