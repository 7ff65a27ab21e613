"""Robustness of candidate decisions (SPEC §5.6): how often a merchant stays selected when points move.

Each draw multiplies every indicator's points (earned and maximum alike) by its own factor from
U(low, high); base, total, the score threshold and the quota cut are recomputed for every draw at
once as matrices (merchants × draws). Other conditions (veto, surveys, …) do not depend on points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.rounding import half_up_array
from scoring.engine.selection import NOT_INSPECTED, SELECTED, Quotas, SelectionSettings

MARGINAL = "边缘"


@dataclass(frozen=True)
class RobustnessSettings:
    draws: int = 1000
    seed: int = 2026
    low: float = 0.9
    high: float = 1.1
    flag_below: float = 0.8


def _cells(frame: pd.DataFrame, quotas: Quotas) -> tuple[np.ndarray, np.ndarray]:
    """Quota cell id and limit (−1 = none) per merchant, as in selection (§10.9)."""
    pair = pd.Series(list(zip(frame["district"], frame["industry"], strict=True)), index=frame.index)
    pair_limit = pair.map(quotas.district_industry)
    dist_limit = frame["district"].map(quotas.district)
    has_pair = pair_limit.notna()
    cell = frame["district"].astype(str).where(~has_pair, frame["district"] + "\x1f" + frame["industry"])
    limit = pair_limit.where(has_pair, dist_limit).fillna(-1.0)
    return pd.factorize(cell)[0], limit.to_numpy(dtype=float)


def _tie_break_position(s: pd.DataFrame, applied_on: pd.Series | None) -> np.ndarray:
    """A unique position per merchant by the §5.4 tie-break after the total: dimension E desc, registered
    complaints asc, 申报日期 asc (blank or unknown last), USCC — the order of ``selection._apply_quotas``."""
    applied = applied_on.reindex(s.index) if applied_on is not None else pd.Series(pd.NaT, index=s.index)
    keys = pd.DataFrame(
        {
            "E": s["E"] if "E" in s.columns else 0.0,
            "registered": s["registered"].fillna(0.0) if "registered" in s.columns else 0.0,
            "applied_missing": applied.isna(),
            "applied_on": applied,
            "uscc": s.index.astype(str),
        },
        index=s.index,
    ).rename_axis(None)
    ordered = keys.sort_values(
        ["E", "registered", "applied_missing", "applied_on", "uscc"],
        ascending=[False, True, True, True, True],
        kind="stable",
    )
    position = pd.Series(np.arange(len(ordered), dtype=float), index=ordered.index)
    return position.reindex(s.index).to_numpy(dtype=float)


def stay_selected_share(
    scores: pd.DataFrame,
    candidates: pd.DataFrame,
    system: IndicatorSystem,
    settings: SelectionSettings,
    robust: RobustnessSettings = RobustnessSettings(),
    *,
    applied_on: pd.Series | None = None,
) -> pd.DataFrame:
    """Per candidate that is scored: share of draws in which it is 入选, and the 边缘 flag.

    A merchant disqualified by a condition other than the score never becomes selected. Inside a
    quota cell, equal perturbed totals are broken by the official tie-break (E, complaints, 申报日期
    from ``applied_on`` indexed by USCC when given, USCC), so only the points move. A qualified
    merchant whose total equals the threshold is flagged 边缘 whatever the draws say.
    """
    cand = candidates.set_index("uscc")
    s = scores.set_index("uscc")
    s = s[s["base_exact"].notna()]
    reasons = cand.loc[s.index, "reasons"].fillna("")
    # Conditions that do not depend on points: everything but 得分不足 must hold.
    other = reasons.str.split("；").map(lambda parts: [p for p in parts if p and not p.startswith("得分不足")])
    eligible = (other.str.len() == 0).to_numpy() & (reasons != NOT_INSPECTED).to_numpy()

    codes = [i.code for i in system.indicators]
    maxima = np.array([i.max_points for i in system.indicators])
    earned_raw = s[codes].to_numpy(dtype=float)
    applicable = ~np.isnan(earned_raw)
    earned = np.nan_to_num(earned_raw)
    rng = np.random.default_rng(robust.seed)
    factors = rng.uniform(robust.low, robust.high, size=(robust.draws, len(codes)))
    with np.errstate(divide="ignore", invalid="ignore"):
        base = 100.0 * (earned @ factors.T) / ((applicable * maxima) @ factors.T)
    total = half_up_array(base + s["bonus"].to_numpy(dtype=float)[:, None])
    qualified = eligible[:, None] & (total >= settings.threshold)

    cell, limit = _cells(s[["district", "industry"]], settings.quotas)
    order = _tie_break_position(s, applied_on)  # unique, so perturbed keys never tie
    selected = np.zeros_like(qualified)
    for c in np.unique(cell):  # loop over quota cells (a handful), vectorised over merchants and draws
        members = np.flatnonzero(cell == c)
        cap = int(limit[members[0]])
        q = qualified[members]
        if cap < 0 or cap >= len(members):
            selected[members] = q
            continue
        if cap == 0:
            continue
        # Order by total desc, then the tie-break position; unqualified merchants sink to the bottom.
        # The cap-th smallest key per draw (np.partition, linear time) is the last one selected.
        key = np.where(q, -total[members] * 1e6 + order[members][:, None] * 1e-3, np.inf)
        cut = np.partition(key, cap - 1, axis=0)[cap - 1]
        selected[members] = q & (key <= cut)
    share = selected.mean(axis=1)
    out = pd.DataFrame(
        {
            "uscc": s.index,
            "status": cand.loc[s.index, "status"].to_numpy(),
            "total": s["total"].to_numpy(),
            "stay_selected": share,
        }
    )
    # A decision is stable when the draws agree with it: selected ones stay in, the others stay out.
    official_selected = (out["status"] == SELECTED).to_numpy()
    out["stability"] = np.where(official_selected, share, 1.0 - share)
    # A qualified merchant exactly at the threshold is always 边缘: 0.01 less and it fails, even when
    # its points happen to scale together (every indicator at the same share of its maximum).
    at_threshold = eligible & (out["total"].to_numpy(dtype=float) == settings.threshold)
    out["flag"] = np.where((out["stability"] < robust.flag_below) | at_threshold, MARGINAL, "")
    out["distance"] = (out["total"] - settings.threshold).abs()
    return out.sort_values(["distance", "uscc"]).reset_index(drop=True)
