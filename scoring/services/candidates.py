"""The 示范单位候选 view (SPEC §5.4, §5.6): candidates of a run, selected versus quota, robustness."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.robustness import MARGINAL, RobustnessSettings, stay_selected_share
from scoring.engine.selection import NOT_QUALIFIED, SELECTED, WAITING
from scoring.services.campaign import CampaignSettings
from scoring.services.context import UserContext
from scoring.services.notice import run_system
from scoring.services.runs import RoundResults, results
from scoring.storage import reviews
from scoring.storage.database import session_scope

OTHER_INDUSTRIES = "（未单列行业）"


def run_settings(found: RoundResults) -> CampaignSettings:
    """The campaign settings a run was made with (threshold and quotas as they were then)."""
    return CampaignSettings.from_json(dict(found.run.settings or {}))


def quota_usage(candidates: pd.DataFrame, settings: CampaignSettings) -> pd.DataFrame:
    """Per quota cell: 区县, 行业 (OTHER_INDUSTRIES for the 区县 quota), 名额 (NA = 不限), 入选, 候补.

    A (区县, 行业) quota governs that industry; the district's other industries share the 区县 quota
    (SPEC §10.9), so a district with industry quotas has one row per quota plus one for the rest.
    """
    pairs = {(d, i): n for d, i, n in settings.industry_quotas}
    frame = candidates[["district", "industry", "status"]].copy()
    own = pd.Series(
        [(d, i) in pairs for d, i in zip(frame["district"], frame["industry"], strict=True)], index=frame.index
    )
    frame["cell_industry"] = frame["industry"].where(own, OTHER_INDUSTRIES)
    frame["selected"] = frame["status"] == SELECTED
    frame["waiting"] = frame["status"] == WAITING
    frame["not_qualified"] = frame["status"] == NOT_QUALIFIED
    out = frame.groupby(["district", "cell_industry"], as_index=False)[["selected", "waiting", "not_qualified"]].sum()
    for (d, i), _n in pairs.items():  # a quota with no candidate at all is still shown
        if d in set(frame["district"]) and not ((out["district"] == d) & (out["cell_industry"] == i)).any():
            row = {"district": d, "cell_industry": i, "selected": 0, "waiting": 0, "not_qualified": 0}
            out = pd.concat([out, pd.DataFrame([row])], ignore_index=True)
    quota = [
        pairs.get((d, i)) if i != OTHER_INDUSTRIES else settings.district_quotas.get(d)
        for d, i in zip(out["district"], out["cell_industry"], strict=True)
    ]
    out["quota"] = pd.array(quota, dtype="Int64")
    out = out.rename(columns={"cell_industry": "industry"})
    out["other"] = out["industry"] == OTHER_INDUSTRIES
    out = out.sort_values(["district", "other", "industry"], kind="stable").drop(columns="other")
    return out[["district", "industry", "quota", "selected", "waiting", "not_qualified"]].reset_index(drop=True)


def robustness(
    engine: Engine, user: UserContext, round_name: str, *, draws: int = 1000, seed: int = 2026
) -> pd.DataFrame:
    """§5.6 for the latest run: per scored merchant the share of draws in which it stays 入选 and its
    stability; flag 边缘 below 80 %. Columns: uscc, name, district, industry, status, total,
    stay_selected, stability, flag, distance, near (the decision moved in some draw, or 边缘)."""
    user.require("view")
    found = results(engine, user, round_name)
    system = run_system(engine, found)
    selection = run_settings(found).selection(system)
    with session_scope(engine, write=False) as s:
        applied_on = reviews.applied_dates(s)
    robust = RobustnessSettings(draws=draws, seed=seed)
    out = stay_selected_share(found.scores, found.candidates, system, selection, robust, applied_on=applied_on)
    names = found.candidates.set_index("uscc")[["name", "district", "industry"]]
    out = out.join(names, on="uscc")
    moved = (out["stay_selected"] > 0) & (out["stay_selected"] < 1)
    out["near"] = moved | (out["flag"] == MARGINAL)
    columns = ["uscc", "name", "district", "industry", "status", "total", "stay_selected", "stability", "flag"]
    return out[[*columns, "distance", "near"]]
