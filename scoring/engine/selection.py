"""示范单位候选 (SPEC §5.4, §10.6, §10.7, §10.9): qualification with every failing reason, and quotas.

Each condition is declared once with its reason word and the detail it prints, so the reasons in
the output and in the explanation chain come from the same place as the test that produced them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.engine.frames import RoundData
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.veto import fired_vetoes, veto_texts

SELECTED, WAITING, NOT_QUALIFIED = "入选", "候补", "不符合"
NOT_INSPECTED = "未检查"


@dataclass(frozen=True)
class Quotas:
    """Quota per 区县 and optionally per (区县, 行业); a missing cell means no limit."""

    district: dict[str, int] = field(default_factory=dict)
    district_industry: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class SelectionSettings:
    threshold: float
    quotas: Quotas = field(default_factory=Quotas)


def _reasons(frame: pd.DataFrame, fails: list[tuple[pd.Series, pd.Series]]) -> pd.Series:
    """Join the reason texts of every failing condition with ；, in condition order."""
    joined = pd.Series("", index=frame.index, dtype="string")
    for failed, text in fails:
        add = failed.fillna(False).to_numpy(dtype=bool)
        sep = pd.Series(np.where(joined.to_numpy(dtype=str) == "", "", "；"), index=frame.index, dtype="string")
        joined = joined.mask(add, joined + sep + text.astype("string"))
    return joined


def candidates(
    data: RoundData, scores: pd.DataFrame, system: IndicatorSystem, settings: SelectionSettings
) -> pd.DataFrame:
    """One row per registered merchant: status 入选/候补/不符合, 候补序号 and reasons."""
    m = data.merchants.set_index("uscc")
    s = scores.set_index("uscc").reindex(m.index)
    d = pd.Timestamp(data.reference_date)
    out = m[["name", "district", "industry"]].copy()
    out["total"] = s["total"]
    scored = s["grade"].notna()

    fired = fired_vetoes(data.credit, system, d)
    vetoes = veto_texts(fired, sep="、").reindex(m.index)
    survey_code = system.survey_indicator
    valid = s["valid_responses"].fillna(0.0)
    closed = s["closed"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = s["on_time"].fillna(0.0) / closed
    established = m["established"]
    young = established.notna() & ((d - established).dt.days < system.min_business_days)
    min_rate = system.min_on_time_rate
    total_text = s["total"].map(lambda v: f"{v:.2f}", na_action="ignore").fillna("数据不足")
    fails: list[tuple[pd.Series, pd.Series]] = [
        (~m["applied"].astype(bool), pd.Series("未申报", index=m.index)),
        (s["vetoed"].astype("boolean").fillna(False), "否决：" + vetoes.fillna("")),
        (
            ~(s["total"] >= settings.threshold),
            "得分不足：" + total_text + f" < {settings.threshold:g}",
        ),
    ]
    if survey_code:
        ind = system.indicator(survey_code)
        fails.append(
            (
                s[survey_code].isna(),
                "问卷不足：有效问卷 " + valid.astype(int).astype(str) + f" 份 < {ind.min_responses}",
            )
        )
    fails.append(
        (
            (closed > 0) & (rate < min_rate - 1e-12),
            "按时办结率不足：" + (rate * 100).map(lambda v: f"{v:.2f}%") + f" < {min_rate * 100:g}%",
        )
    )
    fails.append((young, "经营不满一年：成立日期 " + established.dt.strftime("%Y-%m-%d").fillna("")))
    reasons = _reasons(out, fails)
    reasons = reasons.mask(~scored, NOT_INSPECTED)
    out["reasons"] = reasons
    qualified = scored & (reasons == "")

    out["status"] = NOT_QUALIFIED
    out["waitlist_no"] = np.nan
    pool = out[qualified.to_numpy()].copy()
    if not pool.empty:
        pool["E_sub"] = s.loc[pool.index, "E"] if "E" in s.columns else 0.0
        pool["registered"] = s.loc[pool.index, "registered"].fillna(0.0)
        pool["applied_on"] = m.loc[pool.index, "applied_on"]
        placed = _apply_quotas(pool, settings.quotas)
        out.loc[placed.index, "status"] = placed["status"]
        out.loc[placed.index, "waitlist_no"] = placed["waitlist_no"].astype(float)
    out["city_rank"] = s["city_rank"]
    out = out.reset_index()
    # Listed in ranking order (vetoed after the others), then the merchants not scored, by USCC.
    out = out.sort_values(["city_rank", "uscc"], na_position="last", kind="stable").reset_index(drop=True)
    return out[["uscc", "name", "district", "industry", "total", "status", "waitlist_no", "reasons"]]


def _apply_quotas(pool: pd.DataFrame, quotas: Quotas) -> pd.DataFrame:
    """Order each quota cell by total, E, complaints, 申报日期 (blank last), USCC; cut at the quota."""
    pairs = pd.DataFrame(
        [(d, i, q) for (d, i), q in quotas.district_industry.items()],
        columns=["district", "industry", "pair_limit"],
    )
    pool = pool.reset_index().merge(pairs, on=["district", "industry"], how="left")
    pool["district_limit"] = pool["district"].map(quotas.district)
    has_pair = pool["pair_limit"].notna()
    pool["cell"] = pool["district"].astype(str).where(~has_pair, pool["district"] + "\x1f" + pool["industry"])
    pool["limit"] = pool["pair_limit"].where(has_pair, pool["district_limit"]).fillna(-1.0)
    pool["applied_missing"] = pool["applied_on"].isna()
    pool = pool.sort_values(
        ["cell", "total", "E_sub", "registered", "applied_missing", "applied_on", "uscc"],
        ascending=[True, False, False, True, True, True, True],
        kind="stable",
    )
    place = pool.groupby("cell", sort=False).cumcount() + 1
    unlimited = pool["limit"] < 0
    within = unlimited | (place <= pool["limit"])
    pool["status"] = np.where(within, SELECTED, WAITING)
    pool["waitlist_no"] = np.where(within.to_numpy(), np.nan, (place - pool["limit"]).to_numpy(dtype=float))
    return pool.set_index("uscc")[["status", "waitlist_no"]]
