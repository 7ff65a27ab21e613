"""Merchant scores for one round (SPEC §4, §5.1, §5.2, §10.1–§10.4), vectorised over all merchants."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from scoring.engine import keys, parallel, rules
from scoring.engine.frames import RoundData
from scoring.engine.indicators import BonusItem, Indicator, IndicatorSystem
from scoring.engine.ranking import min_rank, rank_key, ranking_order
from scoring.engine.rounding import half_up_array
from scoring.engine.veto import fired_vetoes, veto_texts

COUNT_COLUMNS = tuple(rules.COMPLAINT_LABELS)
SURVEY_COLUMNS = ("valid_responses", "satisfaction_index")
INSUFFICIENT = "数据不足"


def indicator_points(
    system: IndicatorSystem, inspections: pd.DataFrame, counts: pd.DataFrame, survey: pd.DataFrame
) -> pd.DataFrame:
    """Unrounded points per indicator (NaN = 不适用), aligned with ``inspections``' index."""
    out = {ind.code: _indicator(ind, inspections, counts, survey) for ind in system.indicators}
    return pd.DataFrame(out, index=inspections.index)


def _indicator(ind: Indicator, inspections: pd.DataFrame, counts: pd.DataFrame, survey: pd.DataFrame) -> pd.Series:
    """One indicator's points: from the inspection row, or from the merchant's complaints or surveys."""
    if ind.type == "check":
        return rules.check_points(ind, inspections[ind.code])
    if ind.type == "deduct" and ind.from_inspection:
        return rules.deduct_points(ind, inspections[ind.code])
    if ind.type == "deduct":
        return rules.deduct_points(ind, counts[ind.count])
    if ind.type == "ratio":
        return rules.ratio_points(ind, counts[ind.numerator], counts[ind.denominator])
    return rules.likert_points(ind, survey["satisfaction_index"], survey["valid_responses"])


def bonus_points(system: IndicatorSystem, inspections: pd.DataFrame) -> pd.DataFrame:
    """Points per bonus item: flag → points when 1; count → min(max, points × count)."""
    out = {item.code: _bonus(item, inspections[item.code]) for item in system.bonus_items}
    return pd.DataFrame(out, index=inspections.index)


def _bonus(item: BonusItem, values: pd.Series) -> pd.Series:
    return (values.astype(float).fillna(0.0) * item.points).clip(upper=item.max_points)


def _gathered(
    system: IndicatorSystem,
    inspections: pd.DataFrame,
    chosen: np.ndarray[Any, Any],
    counts: pd.DataFrame,
    survey: Callable[[], pd.DataFrame],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``indicator_points`` and ``bonus_points`` of the chosen inspection rows, as two 2-D blocks.

    Rules read whole inspection columns (text lookups run once per column, never on gathered text),
    and only the resulting floats are gathered; complaint and survey rules read ``counts`` and the
    frame ``survey()`` returns (asked for last: it may still be being computed), already one row
    per chosen inspection.
    """
    index = counts.index
    points = np.empty((len(system.indicators), len(chosen)))
    later = []
    for row, ind in zip(points, system.indicators, strict=True):
        if ind.from_inspection:
            np.take(_indicator(ind, inspections, counts, pd.DataFrame()).to_numpy(dtype=float), chosen, out=row)
        else:
            later.append((row, ind))
    bonus = np.empty((len(system.bonus_items), len(chosen)))
    for row, item in zip(bonus, system.bonus_items, strict=True):
        np.take(_bonus(item, inspections[item.code]).to_numpy(dtype=float), chosen, out=row)
    responses = survey()
    for row, ind in later:
        row[:] = _indicator(ind, inspections, counts, responses).to_numpy(dtype=float)
    codes = [i.code for i in system.indicators]
    return (
        pd.DataFrame(points.T, index=index, columns=codes, copy=False),
        pd.DataFrame(bonus.T, index=index, columns=[b.code for b in system.bonus_items], copy=False),
    )


def grade(total: pd.Series, vetoed: pd.Series, system: IndicatorSystem) -> pd.Series:
    """Grade bands on the rounded total; any veto gives the veto grade."""
    names = [system.grade_fallback, *(band.name for band in reversed(system.grades)), system.grade_veto, INSUFFICIENT]
    values = total.to_numpy(dtype=float, na_value=np.nan)
    code = np.zeros(len(values), dtype=np.intp)
    with np.errstate(invalid="ignore"):
        for k, band in enumerate(reversed(system.grades), start=1):  # lowest band first, higher bands overwrite
            code[values >= band.min_total] = k
    code[vetoed.to_numpy(dtype=bool, na_value=False)] = len(names) - 2
    code[np.isnan(values)] = len(names) - 1
    labels = pa.array(names, type=pa.large_string()).take(pa.array(code))
    return pd.Series(labels, index=total.index, dtype="string")


def _veto_texts(data: RoundData, system: IndicatorSystem, usccs: pd.Series) -> np.ndarray[Any, Any]:
    """否决原因 per merchant of ``usccs`` (None where no rule fires)."""
    out = np.full(len(usccs), None, dtype=object)
    texts = veto_texts(fired_vetoes(data.credit, system, data.reference_date))
    if not texts.empty:
        at = keys.positions(pd.Series(texts.index), usccs)
        out[at[at >= 0]] = texts.to_numpy(dtype=object)[at >= 0]
    return out


def _taken(values: pd.Series, rows: np.ndarray[Any, Any]) -> Any:
    """``values`` at positions ``rows``, keeping its dtype (Arrow-backed text stays Arrow)."""
    return values.array.take(rows)


def score_round(data: RoundData, system: IndicatorSystem) -> pd.DataFrame:
    """One row per merchant inspected in the round: §5.1 figures plus the inputs the explanation needs.

    base = 100 × Σ earned / Σ max over applicable indicators; bonus = min(cap, Σ bonus items);
    total = half_up(base + bonus). Ranks are competition ranks with vetoed merchants last.

    Every table is joined to the registry by position (``keys``): the registry row of each
    inspection, complaint and response is looked up once, and per-merchant figures are bincounts.
    Text columns are gathered once, directly in the final (ranking) order.
    """
    registry = data.merchants.reset_index(drop=True)
    usccs = data.merchants["uscc"]  # the column itself: lookups of the same column are remembered
    inspections = data.inspections.reset_index(drop=True)
    surveyed = parallel.beside(lambda: rules.satisfaction_totals(data.surveys, system, usccs))
    # the last inspection row of each registered merchant (a later row replaces an earlier one)
    at = keys.positions(inspections["uscc"], usccs)
    last = np.full(len(registry), -1, dtype=np.intp)
    rows = np.flatnonzero(at >= 0)
    np.maximum.at(last, at[rows], rows)
    who = np.flatnonzero(last >= 0)  # registry positions of the scored merchants
    chosen = last[who]  # and their inspection rows
    index = pd.RangeIndex(len(who))

    complaint_figures = rules.complaint_totals(data.complaints, data.start, data.end, usccs)[who]
    counts = pd.DataFrame(complaint_figures, index=index, columns=list(COUNT_COLUMNS))

    def survey() -> pd.DataFrame:
        responses, satisfaction = surveyed.result()
        return pd.DataFrame({"valid_responses": responses[who], "satisfaction_index": satisfaction[who]}, index=index)

    texts = _veto_texts(data, system, usccs)[who]
    points, bonus = _gathered(system, inspections, chosen, counts, survey)
    survey_frame = survey()
    earned, possible = _earned(system, points)
    with np.errstate(divide="ignore", invalid="ignore"):
        base_exact = np.where(possible > 0, 100.0 * earned / possible, np.nan)
    bonus_exact = np.minimum(system.bonus_cap, bonus.to_numpy().sum(axis=1)) if len(bonus.columns) else 0.0
    bonus_exact = np.where(np.isnan(base_exact), np.nan, bonus_exact)

    vetoed = pd.Series(pd.notna(texts), index=index)
    total = pd.Series(half_up_array(base_exact + bonus_exact), index=index)
    numbers: dict[str, Any] = {
        "base_exact": base_exact,
        "base": half_up_array(base_exact),
        "bonus": half_up_array(np.asarray(bonus_exact, dtype=float)),
        "total": total,
    }
    for code in points.columns:
        numbers[code] = half_up_array(points[code].to_numpy())
    for code in bonus.columns:
        numbers[code] = half_up_array(bonus[code].to_numpy())
    for dim in system.dimensions:
        numbers[dim.code] = half_up_array(_subtotal(points, [i.code for i in dim.indicators]))
    for code in COUNT_COLUMNS:
        numbers[code] = counts[code].to_numpy()
    numbers["valid_responses"] = survey_frame["valid_responses"].to_numpy()
    rated = np.zeros(len(index), dtype=bool)  # a survey (likert) indicator applies
    for code in _survey_codes(system):
        rated |= ~np.isnan(points[code].to_numpy())
    numbers["satisfaction_index"] = np.where(rated, survey_frame["satisfaction_index"].to_numpy(), np.nan)
    # one sort by the ranking key, ties by USCC: the city order, the row order of the result and the
    # base of the 区县 and 行业 ranks (the unscored have no key and come last, by USCC)
    key = rank_key(total, vetoed)
    order = ranking_order(key, keys.ascending(usccs)[who])
    ranks = {"city_rank": min_rank(key, None, order)}
    for col, group in (("district_rank", "district"), ("industry_rank", "industry")):
        ranks[col] = min_rank(key, keys.codes(registry[group])[0][who], order)
    final = who[order]
    ordered_vetoed = vetoed.to_numpy()[order]
    headline = {name: numbers.pop(name) for name in ("base_exact", "base", "bonus", "total")}
    # the numeric columns are gathered on the second core while the text columns are gathered here
    floats: Future[list[pd.DataFrame]] = parallel.beside(
        lambda: [_in_order(columns, order) for columns in (headline, numbers, ranks)]
    )
    head = pd.DataFrame({c: _taken(registry[c], final) for c in ("uscc", "name", "district", "industry")})
    verdict = pd.DataFrame(
        {
            "grade": grade(pd.Series(np.asarray(total)[order]), pd.Series(ordered_vetoed), system).array,
            "veto_text": pd.array(np.where(ordered_vetoed, texts[order], ""), dtype="string"),
            "vetoed": ordered_vetoed,
        },
        copy=False,
    )
    raw = pd.DataFrame({"raw_" + c: _taken(inspections[c], chosen[order]) for c in system.inspection_items}, copy=False)
    figures, items, places = floats.result()
    return pd.concat([head, figures, verdict, items, raw, places], axis=1)


def _in_order(columns: dict[str, Any], order: np.ndarray[Any, Any]) -> pd.DataFrame:
    """Float columns gathered by ``order`` straight into one 2-D block (no later consolidation copy)."""
    block = np.empty((len(columns), len(order)))
    for row, values in zip(block, columns.values(), strict=True):
        np.take(np.asarray(values, dtype=float), order, out=row)
    return pd.DataFrame(block.T, columns=list(columns), copy=False)


def _subtotal(points: pd.DataFrame, codes: list[str]) -> np.ndarray[Any, Any]:
    """Σ points of the dimension's applicable indicators (in file order); NaN when none applies."""
    total = np.zeros(len(points))
    applicable = np.zeros(len(points), dtype=bool)
    for code in codes:
        values = points[code].to_numpy()
        total += np.nan_to_num(values, nan=0.0)
        applicable |= ~np.isnan(values)
    return np.where(applicable, total, np.nan)


def _earned(system: IndicatorSystem, points: pd.DataFrame) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Σ points earned and Σ max points over the applicable indicators of each merchant.

    Summed indicator by indicator, in the file's order (the order a row sum of the points takes);
    with fractional max points the applicable maxima are summed as a matrix product, as always.
    """
    earned = np.zeros(len(points))
    for code in points.columns:
        earned += np.nan_to_num(points[code].to_numpy(), nan=0.0)
    maxima = np.array([i.max_points for i in system.indicators])
    if all(float(m).is_integer() for m in maxima):  # whole numbers: exact in any order
        possible = np.zeros(len(points))
        for code, top in zip(points.columns, maxima, strict=True):
            possible += np.where(np.isnan(points[code].to_numpy()), 0.0, top)
    else:
        possible = points.notna().to_numpy() @ maxima
    return earned, possible


def _survey_codes(system: IndicatorSystem) -> list[str]:
    return [i.code for i in system.indicators if i.type == "likert"]


def result_columns(system: IndicatorSystem) -> list[str]:
    """The §5.1 column order after the fixed figures: indicators, bonus items, dimensions (§10.2)."""
    return (
        [i.code for i in system.indicators] + [b.code for b in system.bonus_items] + [d.code for d in system.dimensions]
    )
