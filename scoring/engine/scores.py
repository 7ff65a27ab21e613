"""Merchant scores for one round (SPEC §4, §5.1, §5.2, §10.1–§10.4), vectorised over all merchants."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.engine import rules
from scoring.engine.frames import RoundData
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.ranking import competition_rank
from scoring.engine.rounding import half_up
from scoring.engine.veto import fired_vetoes, veto_texts

COUNT_COLUMNS = tuple(rules.COMPLAINT_LABELS)
SURVEY_COLUMNS = ("valid_responses", "satisfaction_index")
INSUFFICIENT = "数据不足"


def indicator_points(
    system: IndicatorSystem, inspections: pd.DataFrame, counts: pd.DataFrame, survey: pd.DataFrame
) -> pd.DataFrame:
    """Unrounded points per indicator (NaN = 不适用), aligned with ``inspections``' index."""
    out: dict[str, pd.Series] = {}
    for ind in system.indicators:
        if ind.type == "check":
            out[ind.code] = rules.check_points(ind, inspections[ind.code])
        elif ind.type == "deduct" and ind.from_inspection:
            out[ind.code] = rules.deduct_points(ind, inspections[ind.code])
        elif ind.type == "deduct":
            out[ind.code] = rules.deduct_points(ind, counts[ind.count])
        elif ind.type == "ratio":
            out[ind.code] = rules.ratio_points(ind, counts[ind.numerator], counts[ind.denominator])
        else:
            out[ind.code] = rules.likert_points(ind, survey["satisfaction_index"], survey["valid_responses"])
    return pd.DataFrame(out, index=inspections.index)


def bonus_points(system: IndicatorSystem, inspections: pd.DataFrame) -> pd.DataFrame:
    """Points per bonus item: flag → points when 1; count → min(max, points × count)."""
    out: dict[str, pd.Series] = {}
    for item in system.bonus_items:
        raw = inspections[item.code].astype(float).fillna(0.0)
        out[item.code] = (raw * item.points).clip(upper=item.max_points)
    return pd.DataFrame(out, index=inspections.index)


def grade(total: pd.Series, vetoed: pd.Series, system: IndicatorSystem) -> pd.Series:
    """Grade bands on the rounded total; any veto gives the veto grade."""
    result = pd.Series(system.grade_fallback, index=total.index, dtype="string")
    for band in reversed(system.grades):  # lowest band first, higher bands overwrite
        result = result.mask(total >= band.min_total, band.name)
    result = result.mask(vetoed, system.grade_veto)
    return result.mask(total.isna(), INSUFFICIENT)


def score_round(data: RoundData, system: IndicatorSystem) -> pd.DataFrame:
    """One row per merchant inspected in the round: §5.1 figures plus the inputs the explanation needs.

    base = 100 × Σ earned / Σ max over applicable indicators; bonus = min(cap, Σ bonus items);
    total = half_up(base + bonus). Ranks are competition ranks with vetoed merchants last.
    """
    merchants = data.merchants.set_index("uscc")
    insp = data.inspections.drop_duplicates("uscc", keep="last").set_index("uscc")
    insp = insp[insp.index.isin(merchants.index)]
    usccs = insp.index
    counts = rules.complaint_counts(data.complaints, data.start, data.end).reindex(usccs, fill_value=0.0)
    survey = rules.satisfaction(data.surveys, system).reindex(usccs)
    survey["valid_responses"] = survey["valid_responses"].fillna(0.0)

    points = indicator_points(system, insp, counts, survey)
    maxima = pd.Series({i.code: i.max_points for i in system.indicators})
    applicable = points.notna()
    earned = points.fillna(0.0).to_numpy().sum(axis=1)
    possible = applicable.to_numpy() @ maxima[points.columns].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        base_exact = np.where(possible > 0, 100.0 * earned / possible, np.nan)
    bonus = bonus_points(system, insp)
    bonus_exact = np.minimum(system.bonus_cap, bonus.to_numpy().sum(axis=1)) if len(bonus.columns) else 0.0
    bonus_exact = np.where(np.isnan(base_exact), np.nan, bonus_exact)

    fired = fired_vetoes(data.credit, system, data.reference_date)
    texts = veto_texts(fired).reindex(usccs)
    vetoed = pd.Series(texts.notna().to_numpy(), index=usccs)

    result = merchants.loc[usccs, ["name", "district", "industry"]].copy()
    result["base_exact"] = base_exact
    result["base"] = half_up(pd.Series(base_exact, index=usccs))
    result["bonus"] = half_up(pd.Series(bonus_exact, index=usccs))
    result["total"] = half_up(pd.Series(base_exact + bonus_exact, index=usccs))
    result["grade"] = grade(result["total"], vetoed, system)
    result["veto_text"] = texts.fillna("")
    result["vetoed"] = vetoed
    for code in points.columns:
        result[code] = half_up(points[code])
    for code in bonus.columns:
        result[code] = half_up(bonus[code])
    for dim in system.dimensions:
        codes = [i.code for i in dim.indicators]
        subtotal = points[codes].sum(axis=1, min_count=1)
        result[dim.code] = half_up(subtotal)
    for code in COUNT_COLUMNS:
        result[code] = counts[code]
    result["valid_responses"] = survey["valid_responses"]
    result["satisfaction_index"] = survey["satisfaction_index"].where(points[_survey_codes(system)].notna().any(axis=1))
    for code in system.inspection_items:
        result["raw_" + code] = insp[code]

    scored = result["total"].notna()
    for col, group in (("city_rank", None), ("district_rank", "district"), ("industry_rank", "industry")):
        result[col] = competition_rank(result["total"], result["vetoed"], result[group] if group else None)
        result.loc[~scored, col] = np.nan
    result = result.reset_index().rename(columns={"index": "uscc"})
    return result.sort_values(["city_rank", "uscc"], kind="stable", na_position="last").reset_index(drop=True)


def _survey_codes(system: IndicatorSystem) -> list[str]:
    return [i.code for i in system.indicators if i.type == "likert"]


def result_columns(system: IndicatorSystem) -> list[str]:
    """The §5.1 column order after the fixed figures: indicators, bonus items, dimensions (§10.2)."""
    return (
        [i.code for i in system.indicators] + [b.code for b in system.bonus_items] + [d.code for d in system.dimensions]
    )
