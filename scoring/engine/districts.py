"""District ranking (SPEC §5.5, §10.8): coverage, quality, satisfaction, complaint handling, index."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scoring.engine import keys, rules
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


def _codes(values: pd.Series, idx: pd.Index) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Position of each value in ``idx`` (-1 when missing): strings hashed once per distinct value."""
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    where = np.append(idx.get_indexer(pd.Index(uniques, dtype=object).astype(str)), -1)
    return np.asarray(where[found], dtype=np.intp)  # -1 codes pick the appended -1


def _per_district(values: Any, codes: np.ndarray[Any, Any], idx: pd.Index, how: str) -> pd.Series:
    """A pandas groupby over integer district codes (same compensated sums and row order as by name)."""
    known = codes >= 0
    series = pd.Series(np.asarray(values)[known])
    grouped = series.groupby(codes[known])
    result = grouped.mean() if how == "mean" else grouped.sum()
    return pd.Series(result.reindex(range(len(idx))).to_numpy(), index=idx)


def district_ranking(
    data: RoundData, scores: pd.DataFrame, candidates: pd.DataFrame, system: IndicatorSystem
) -> pd.DataFrame:
    """One row per district with the §5.5 figures; ratios 4 decimals, scores 2, ranked by index."""
    m = data.merchants.reset_index(drop=True)
    names = sorted(set(data.districts) | set(m["district"].dropna().drop_duplicates().astype(str)))
    idx = pd.Index(names, name="district")
    n = len(idx)
    registry = _codes(m["district"], idx)
    known = registry >= 0
    applied = m["applied"].astype(bool).to_numpy(dtype=bool)
    inspected = np.zeros(len(m), dtype=bool)
    at = keys.positions(scores["uscc"], data.merchants["uscc"])
    inspected[at[at >= 0]] = True
    applicants = pd.Series(np.bincount(registry[known & applied], minlength=n).astype(float), index=idx)
    inspected_app = pd.Series(np.bincount(registry[known & applied & inspected], minlength=n).astype(float), index=idx)
    coverage = (inspected_app / applicants.where(applicants > 0)).fillna(0.0)

    scored = scores[scores["base_exact"].notna().to_numpy()]
    where = _codes(scored["district"], idx)
    mean_base = _per_district(scored["base_exact"].to_numpy(dtype=float), where, idx, "mean")
    top = system.grades[0].name if system.grades else ""
    excellent = _per_district((scored["grade"] == top).to_numpy(dtype=bool, na_value=False), where, idx, "mean")
    veto_rate = _per_district(scored["vetoed"].astype(float).to_numpy(), where, idx, "mean")
    satisfaction = _per_district(scored["satisfaction_index"].to_numpy(dtype=float), where, idx, "mean").fillna(0.0)

    counts = rules.complaint_totals(data.complaints, data.start, data.end, m["uscc"])
    names_ = list(rules.COMPLAINT_LABELS)
    closed = pd.Series(
        np.bincount(registry[known], weights=counts[known, names_.index("closed")], minlength=n), index=idx
    )
    on_time = pd.Series(
        np.bincount(registry[known], weights=counts[known, names_.index("on_time")], minlength=n), index=idx
    )
    on_time_rate = (on_time / closed.where(closed > 0)).fillna(1.0)
    chosen = _codes(candidates["district"], idx)
    picked = (candidates["status"] == SELECTED).to_numpy(dtype=bool, na_value=False) & (chosen >= 0)
    selected = pd.Series(np.bincount(chosen[picked], minlength=n), index=idx)

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
