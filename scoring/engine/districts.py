"""District ranking (SPEC §5.5, §10.8): coverage, quality, satisfaction, complaint handling, index."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.engine import rules
from scoring.engine.frames import RoundData
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.rounding import half_up
from scoring.engine.selection import SELECTED

DISTRICT_COLUMNS = (
    "district",
    "applicants",
    "inspected_applicants",
    "coverage",
    "mean_base",
    "excellent_rate",
    "veto_rate",
    "satisfaction",
    "on_time_rate",
    "selected",
    "district_index",
    "rank",
)


def district_ranking(
    data: RoundData, scores: pd.DataFrame, candidates: pd.DataFrame, system: IndicatorSystem
) -> pd.DataFrame:
    """One row per district with the §5.5 figures; ratios 4 decimals, scores 2, ranked by index."""
    m = data.merchants
    names = sorted(set(data.districts) | set(m["district"].dropna().astype(str)))
    idx = pd.Index(names, name="district")
    applied = m["applied"].astype(bool)
    inspected = m["uscc"].isin(scores["uscc"])
    applicants = applied.astype(float).groupby(m["district"]).sum().reindex(idx, fill_value=0.0)
    inspected_app = (applied & inspected).astype(float).groupby(m["district"]).sum().reindex(idx, fill_value=0.0)
    coverage = (inspected_app / applicants.where(applicants > 0)).fillna(0.0)

    scored = scores[scores["base_exact"].notna()]
    by = scored.groupby("district")
    mean_base = by["base_exact"].mean().reindex(idx)
    top = system.grades[0].name if system.grades else ""
    excellent = (scored["grade"] == top).groupby(scored["district"]).mean().reindex(idx)
    veto_rate = scored["vetoed"].astype(float).groupby(scored["district"]).mean().reindex(idx)
    satisfaction = by["satisfaction_index"].mean().reindex(idx).fillna(0.0)

    counts = rules.complaint_counts(data.complaints, data.start, data.end)
    counts = counts.join(m.set_index("uscc")["district"], how="inner")
    closed = counts.groupby("district")["closed"].sum().reindex(idx, fill_value=0.0)
    on_time = counts.groupby("district")["on_time"].sum().reindex(idx, fill_value=0.0)
    on_time_rate = (on_time / closed.where(closed > 0)).fillna(1.0)
    selected = (candidates["status"] == SELECTED).groupby(candidates["district"]).sum().reindex(idx, fill_value=0)

    w = system.district_weights
    index = (
        w["mean_base"] * mean_base
        + w["coverage"] * coverage
        + w["mean_satisfaction"] * satisfaction
        + w["on_time_rate"] * on_time_rate
    )
    out = pd.DataFrame(
        {
            "applicants": applicants.astype(int),
            "inspected_applicants": inspected_app.astype(int),
            "coverage": half_up(coverage, 4),
            "mean_base": half_up(mean_base),
            "excellent_rate": half_up(excellent, 4),
            "veto_rate": half_up(veto_rate, 4),
            "satisfaction": half_up(satisfaction),
            "on_time_rate": half_up(on_time_rate, 4),
            "selected": selected.astype(int),
            "district_index": half_up(index),
        },
        index=idx,
    ).reset_index()
    out = out.sort_values(
        ["district_index", "mean_base", "district"], ascending=[False, False, True], na_position="last"
    )
    out["rank"] = np.where(out["district_index"].notna(), np.arange(1, len(out) + 1), np.nan)
    return out.reset_index(drop=True)[list(DISTRICT_COLUMNS)]
