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
from scoring.engine.rounding import half_up_array, half_up_into
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
    The rules run over whole inspection columns; once the totals give the ranking order, each
    input is gathered once, in that order, and the result is computed in place.
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
    # per inspection row, its merchant's complaint and survey figures (rows of unregistered
    # merchants read an extra, empty row and are never chosen)
    merchant = np.where(at >= 0, at, len(registry))
    complaints = rules.complaint_totals(data.complaints, data.start, data.end, usccs)
    figures = np.vstack([complaints, np.zeros((1, len(COUNT_COLUMNS)))])
    counts = pd.DataFrame(figures[merchant], columns=list(COUNT_COLUMNS))
    texts = _veto_texts(data, system, usccs)[who]
    bonus_rows = _bonus_rows(system, inspections)
    responses, satisfaction = np.zeros(0), np.zeros(0)

    def survey() -> pd.DataFrame:  # waits for the survey aggregation (asked for last)
        nonlocal responses, satisfaction
        valid, index = surveyed.result()
        responses, satisfaction = np.append(valid, 0.0), np.append(index, np.nan)
        return pd.DataFrame({"valid_responses": responses[merchant], "satisfaction_index": satisfaction[merchant]})

    point_rows = _point_rows(system, inspections, counts, survey)

    earned, possible = _earned(system, point_rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        base_rows = np.where(possible > 0, 100.0 * earned / possible, np.nan)
    bonus_sum = _summed(bonus_rows) if len(bonus_rows) else np.zeros(len(inspections))
    bonus_capped = np.where(np.isnan(base_rows), np.nan, np.minimum(system.bonus_cap, bonus_sum))
    base_exact, bonus_exact = base_rows[chosen], bonus_capped[chosen]
    vetoed = pd.notna(texts)
    total = half_up_array(base_exact + bonus_exact)

    # one sort by the ranking key, ties by USCC: the city order, the row order of the result and the
    # base of the 区县 and 行业 ranks (the unscored have no key and come last, by USCC)
    key = rank_key(pd.Series(total), pd.Series(vetoed))
    order = ranking_order(key, keys.ascending(usccs)[who])
    final, final_rows = who[order], chosen[order]
    key, vetoed, total, texts = key[order], vetoed[order], total[order], texts[order]
    in_order = np.arange(len(order))  # the key is sorted now

    # the numeric columns are gathered on the second core while the text columns are gathered here
    def numeric() -> list[pd.DataFrame]:
        names = _numeric_columns(system)
        block = np.empty((sum(len(n) for n in names), len(order)))  # the result's float columns
        row = dict(zip([c for part in names for c in part], block, strict=True))
        np.take(base_rows, final_rows, out=row["base_exact"])
        half_up_into(row["base_exact"], row["base"])
        np.take(bonus_capped, final_rows, out=row["bonus"])
        half_up_into(row["bonus"], row["bonus"])
        row["total"][:] = total
        for ind, points in zip(system.indicators, point_rows, strict=True):
            np.take(points, final_rows, out=row[ind.code])  # unrounded until the subtotals are taken
        for item, points in zip(system.bonus_items, bonus_rows, strict=True):
            np.take(points, final_rows, out=row[item.code])
            half_up_into(row[item.code], row[item.code])
        for dim in system.dimensions:
            _subtotal_into([row[i.code] for i in dim.indicators], row[dim.code])
            half_up_into(row[dim.code], row[dim.code])
        rated = np.zeros(len(order), dtype=bool)  # a survey (likert) indicator applies
        for code in _survey_codes(system):
            rated |= ~np.isnan(row[code])
        for ind in system.indicators:
            half_up_into(row[ind.code], row[ind.code])
        for j, code in enumerate(COUNT_COLUMNS):
            np.take(figures[:, j], final, out=row[code])
        np.take(responses, final, out=row["valid_responses"])
        np.take(satisfaction, final, out=row["satisfaction_index"])
        row["satisfaction_index"][~rated] = np.nan
        row["city_rank"][:] = min_rank(key, None, in_order)
        for col, group in (("district_rank", "district"), ("industry_rank", "industry")):
            row[col][:] = min_rank(key, keys.codes(registry[group])[0][final], in_order)
        frames, start = [], 0
        for part in names:
            frames.append(pd.DataFrame(block[start : start + len(part)].T, columns=part, copy=False))
            start += len(part)
        return frames

    floats: Future[list[pd.DataFrame]] = parallel.beside(numeric)
    head = pd.DataFrame({c: _taken(registry[c], final) for c in ("uscc", "name", "district", "industry")})
    verdict = pd.DataFrame(
        {
            "grade": grade(pd.Series(total), pd.Series(vetoed), system).array,
            "veto_text": pd.array(np.where(vetoed, texts, ""), dtype="string"),
            "vetoed": vetoed,
        },
        copy=False,
    )
    raw = pd.DataFrame({"raw_" + c: _taken(inspections[c], final_rows) for c in system.inspection_items}, copy=False)
    figures_frame, items_frame, places = floats.result()
    return pd.concat([head, figures_frame, verdict, items_frame, raw, places], axis=1)


def _point_rows(
    system: IndicatorSystem, inspections: pd.DataFrame, counts: pd.DataFrame, survey: Callable[[], pd.DataFrame]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``indicator_points`` of every inspection row as one 2-D block (an indicator per row).

    The inspection and complaint rules run first; ``survey()`` (the survey figures per inspection
    row, possibly still being computed) is asked for only when the survey rule needs it.
    """
    block = np.empty((len(system.indicators), len(inspections)))
    later = []
    for row, ind in zip(block, system.indicators, strict=True):
        if ind.source == "survey":
            later.append((row, ind))
        else:
            row[:] = _indicator(ind, inspections, counts, pd.DataFrame()).to_numpy(dtype=float)
    if later:
        responses = survey()
        for row, ind in later:
            row[:] = _indicator(ind, inspections, counts, responses).to_numpy(dtype=float)
    else:
        survey()
    return block


def _bonus_rows(system: IndicatorSystem, inspections: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``bonus_points`` of every inspection row as one 2-D block (a bonus item per row)."""
    block = np.empty((len(system.bonus_items), len(inspections)))
    for row, item in zip(block, system.bonus_items, strict=True):
        row[:] = _bonus(item, inspections[item.code]).to_numpy(dtype=float)
    return block


def _numeric_columns(system: IndicatorSystem) -> list[list[str]]:
    """The result's float columns in their three runs: figures; points, subtotals and inputs; ranks."""
    points = [*result_columns(system), *COUNT_COLUMNS, *SURVEY_COLUMNS]
    return [["base_exact", "base", "bonus", "total"], points, ["city_rank", "district_rank", "industry_rank"]]


def _summed(block: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Row sums of ``block.T``, adding the rows of ``block`` in order (the order ``sum(axis=1)`` of a
    column-major frame takes), so results are bit for bit those of a pandas row sum."""
    total: np.ndarray[Any, Any] = np.array(block[0], dtype=float)
    for row in block[1:]:
        total += row
    return total


def _subtotal_into(points: list[np.ndarray[Any, Any]], out: np.ndarray[Any, Any]) -> None:
    """Σ points of the dimension's applicable indicators (in file order); NaN when none applies."""
    out[:] = 0.0
    applicable = np.zeros(len(out), dtype=bool)
    for values in points:
        out += np.nan_to_num(values, nan=0.0)
        applicable |= ~np.isnan(values)
    out[~applicable] = np.nan


def _earned(system: IndicatorSystem, points: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Σ points earned and Σ max points over the applicable indicators of each row of ``points.T``.

    Summed indicator by indicator, in the file's order (the order a row sum of the points takes);
    with fractional max points the applicable maxima are summed as a matrix product, as always.
    """
    earned = np.zeros(points.shape[1])
    for values in points:
        earned += np.nan_to_num(values, nan=0.0)
    maxima = np.array([i.max_points for i in system.indicators])
    if all(float(m).is_integer() for m in maxima):  # whole numbers: exact in any order
        possible = np.zeros(points.shape[1])
        for values, top in zip(points, maxima, strict=True):
            possible += np.where(np.isnan(values), 0.0, top)
    else:
        possible = np.ascontiguousarray(~np.isnan(points.T)) @ maxima
    return earned, possible


def _survey_codes(system: IndicatorSystem) -> list[str]:
    return [i.code for i in system.indicators if i.type == "likert"]


def result_columns(system: IndicatorSystem) -> list[str]:
    """The §5.1 column order after the fixed figures: indicators, bonus items, dimensions (§10.2)."""
    return (
        [i.code for i in system.indicators] + [b.code for b in system.bonus_items] + [d.code for d in system.dimensions]
    )
