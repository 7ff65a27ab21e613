"""One merchant as a user may see it (SPEC §5.3): registry data, explanation chain, peer radar, history.

The radar puts each dimension subtotal (A–F) as a share of the dimension's maximum points next to
the mean share of the merchant's 区县 and 行业 peers in the same run (within the user's districts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.explain import ExplanationSection, explain
from scoring.engine.indicators import IndicatorSystem
from scoring.services.context import PermissionDenied, UserContext
from scoring.services.dashboard import run_system
from scoring.services.privacy import for_user
from scoring.storage import repository as repo
from scoring.storage import views
from scoring.storage.database import session_scope

HISTORY_COLUMNS = [
    "round",
    "total",
    "base",
    "bonus",
    "grade",
    "city_rank",
    "district_rank",
    "industry_rank",
    "candidate",
]


class MerchantNotFound(LookupError):
    """No registered merchant has this USCC (or the user may not see it); the message is Chinese."""


@dataclass(frozen=True)
class MerchantDetail:
    profile: dict[str, Any]  # registry fields; personal data masked for roles that must not see it
    round_name: str
    run_id: int | None  # None: the round was never scored
    result: dict[str, Any] | None  # the §5.1 row (None: not inspected in the round)
    candidate: dict[str, Any] | None  # status, waitlist_no, reasons
    sections: list[ExplanationSection] = field(default_factory=list)
    radar: pd.DataFrame = field(default_factory=pd.DataFrame)  # dimension, label, merchant, district, industry
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    scoped_peers: bool = False  # averages cover only the user's districts


def find(engine: Engine, user: UserContext, text: str, limit: int = 50) -> pd.DataFrame:
    """Registered merchants in the user's districts matching a name part or a USCC prefix."""
    user.require("view")
    if not text.strip():
        return pd.DataFrame(columns=["uscc", "name", "district", "industry"])
    with session_scope(engine, write=False) as s:
        return views.search_merchants(s, text.strip(), user.scope, limit)


def _clean(row: pd.Series) -> dict[str, Any]:
    return {str(k): (None if _missing(v) else v) for k, v in row.items()}


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _shares(frame: pd.DataFrame, system: IndicatorSystem) -> pd.DataFrame:
    """Dimension subtotals as a share (0–1) of each dimension's maximum points."""
    out = pd.DataFrame(index=frame.index)
    for dim in system.dimensions:
        values = pd.to_numeric(frame[dim.code], errors="coerce") if dim.code in frame else pd.Series(float("nan"))
        out[dim.code] = values / dim.max_points if dim.max_points else float("nan")
    return out


def radar(system: IndicatorSystem, row: dict[str, Any], peers: pd.DataFrame) -> pd.DataFrame:
    """Per dimension: the merchant's share of max points and the mean share of its 区县 and 行业 peers."""
    shares = _shares(peers, system) if not peers.empty else pd.DataFrame(columns=[d.code for d in system.dimensions])
    own = _shares(pd.DataFrame([row]), system).iloc[0]
    in_district = peers["district"] == row.get("district") if not peers.empty else pd.Series(dtype=bool)
    in_industry = peers["industry"] == row.get("industry") if not peers.empty else pd.Series(dtype=bool)
    rows = []
    for dim in system.dimensions:
        rows.append(
            {
                "dimension": dim.code,
                "label": dim.name.zh,
                "label_en": dim.name.en or dim.name.zh,
                "merchant": _pct(own[dim.code]),
                "district": _pct(shares.loc[in_district, dim.code].mean()) if len(shares) else None,
                "industry": _pct(shares.loc[in_industry, dim.code].mean()) if len(shares) else None,
            }
        )
    return pd.DataFrame(rows)


def _pct(value: Any) -> float | None:
    if _missing(value):
        return None
    f = float(value)
    return None if math.isnan(f) else round(100.0 * f, 1)


def detail(engine: Engine, user: UserContext, round_name: str, uscc: str) -> MerchantDetail:
    """Everything the 商户详情 page shows for one merchant and round."""
    user.require("view")
    uscc = uscc.strip().upper()
    with session_scope(engine, write=False) as s:
        profile = views.merchant_profile(s, uscc)
        if profile is None:
            raise MerchantNotFound(f"未找到统一社会信用代码为 {uscc} 的商户。")
        if user.scope is not None and profile["district"] not in user.scope:
            raise PermissionDenied("无权查看其他区县的商户。")
        latest = views.latest_run_ids(s)
        order = [r for r in repo.round_names(s) if r in latest]
        run_ids = [latest[r] for r in order]
        history_rows = views.result_rows(s, run_ids, uscc=uscc) if run_ids else pd.DataFrame()
        history_cands = views.candidate_rows(s, run_ids, uscc) if run_ids else pd.DataFrame()
        run_id = latest.get(round_name)
        peers = pd.DataFrame()
        current = history_rows[history_rows["run_id"] == run_id] if run_id and not history_rows.empty else None
        if run_id is not None and current is not None and not current.empty:
            peers = views.result_rows(
                s, [run_id], district=profile["district"], industry=profile["industry"], districts=user.scope
            )
    profile = for_user(user, profile)
    history = _history(history_rows, history_cands, dict(zip(run_ids, order, strict=True)))
    if run_id is None:
        return MerchantDetail(profile, round_name, None, None, None, history=history)
    cand_now = history_cands[history_cands["run_id"] == run_id] if not history_cands.empty else pd.DataFrame()
    candidate = _clean(cand_now.iloc[0]) if not cand_now.empty else None
    if current is None or current.empty:
        return MerchantDetail(profile, round_name, run_id, None, candidate, history=history)
    row = _clean(current.iloc[0])
    info = _run_info(engine, round_name, run_id)
    system = run_system(engine, info.indicator_hash)
    return MerchantDetail(
        profile,
        round_name,
        run_id,
        row,
        candidate,
        sections=explain(system, row, candidate),
        radar=radar(system, row, peers),
        history=history,
        scoped_peers=user.scope is not None,
    )


def _run_info(engine: Engine, round_name: str, run_id: int) -> repo.RunInfo:
    with session_scope(engine, write=False) as s:
        return next(r for r in repo.list_runs(s, round_name) if r.id == run_id)


def _history(rows: pd.DataFrame, cands: pd.DataFrame, rounds: dict[int, str]) -> pd.DataFrame:
    """One row per scored round, oldest first."""
    if rows.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    out = rows[["run_id", "total", "base", "bonus", "grade", "city_rank", "district_rank", "industry_rank"]].copy()
    status = cands.set_index("run_id")["status"] if not cands.empty else pd.Series(dtype="str")
    out["candidate"] = out["run_id"].map(status)
    out["round"] = out["run_id"].map(rounds)
    order = {run_id: i for i, run_id in enumerate(rounds)}
    out = out.sort_values("run_id", key=lambda s: s.map(order))
    return out[HISTORY_COLUMNS].reset_index(drop=True)
