"""示范单位候选 (SPEC §5.4, §10.6, §10.7, §10.9): qualification with every failing reason, and quotas.

Each condition is declared once with its reason word and the detail it prints, so the reasons in
the output and in the explanation chain come from the same place as the test that produced them.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from scoring.engine import keys, parallel
from scoring.engine.formatting import iso_dates, join, two_decimals
from scoring.engine.frames import RoundData
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.ranking import ranking_order
from scoring.engine.veto import fired_vetoes, veto_texts

BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
IntArray = np.ndarray[Any, np.dtype[np.intp]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

SELECTED, WAITING, NOT_QUALIFIED = "入选", "候补", "不符合"
STATUSES = (NOT_QUALIFIED, SELECTED, WAITING)
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


def _reasons(fails: list[tuple[BoolArray, Callable[[IntArray], Any]]]) -> Any:
    """Join the reason texts of every failing condition with ；, in condition order (Arrow strings).

    Each condition's text is built only for the rows that fail it, as whole columns; the texts are
    then laid out row by row (a list per row) and joined in one pass.
    """
    failed = np.column_stack([f for f, _ in fails])
    offsets = np.zeros(len(failed) + 1, dtype=np.int64)
    np.cumsum(failed.sum(axis=1), out=offsets[1:])
    before = np.cumsum(failed, axis=1) - 1  # a failing condition's place among its row's reasons
    texts, slots = [], []
    for c, (fail, text) in enumerate(fails):
        rows = np.flatnonzero(fail)
        built = text(rows)
        if isinstance(built, str):  # one text for every failing row
            built = pa.array([built], type=pa.large_string()).take(pa.array(np.zeros(len(rows), dtype=np.int64)))
        texts.append(built)
        slots.append(offsets[rows] + before[rows, c])
    order = np.empty(int(offsets[-1]), dtype=np.int64)
    order[np.concatenate(slots)] = np.arange(len(order))
    values = pa.concat_arrays(texts).take(pa.array(order))
    return pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), values), pa.scalar("；", pa.large_string()))


def _column(scores: pd.DataFrame, name: str, at: IntArray, rows: IntArray, n: int, fill: float = np.nan) -> FloatArray:
    """A numeric score column per registered merchant (``fill`` for those without a score row)."""
    out = np.full(n, fill)
    if name in scores.columns:
        values = scores[name].to_numpy(dtype=float, na_value=np.nan)[rows]
        out[at] = np.where(np.isnan(values), fill, values) if not np.isnan(fill) else values
    return out


def candidates(
    data: RoundData, scores: pd.DataFrame, system: IndicatorSystem, settings: SelectionSettings
) -> pd.DataFrame:
    """One row per registered merchant: status 入选/候补/不符合, 候补序号 and reasons."""
    m = data.merchants.reset_index(drop=True)
    n = len(m)
    d = pd.Timestamp(data.reference_date)
    where = keys.positions(scores["uscc"], data.merchants["uscc"])  # registry position of each score row
    rows = np.flatnonzero(where >= 0)
    at = where[rows]
    # Listed in ranking order (vetoed after the others), then the merchants not scored, by USCC.
    # Everything below is computed in that order: no text column is reordered afterwards.
    by_uscc = keys.ascending(m["uscc"])
    order = ranking_order(_column(scores, "city_rank", at, rows, n), by_uscc)
    # the registry's text columns are gathered in that order on the second core meanwhile
    names: Future[dict[str, Any]] = parallel.beside(
        lambda: {c: m[c].array.take(order) for c in ("uscc", "name", "district", "industry")}
    )

    def column(name: str, fill: float = np.nan) -> FloatArray:
        return _column(scores, name, at, rows, n, fill)[order]

    def flag(values: np.ndarray[Any, Any]) -> BoolArray:
        out = np.zeros(n, dtype=bool)
        out[at] = values[rows]
        return out[order]

    total = column("total")
    scored = flag(scores["grade"].notna().to_numpy(dtype=bool))
    vetoed = flag(scores["vetoed"].astype("boolean").fillna(False).to_numpy(dtype=bool))
    veto_at = np.full(n, -1, dtype=np.intp)  # each merchant's row in ``texts``
    texts = veto_texts(fired_vetoes(data.credit, system, d), sep="、")
    if not texts.empty:
        found = keys.positions(pd.Series(texts.index), m["uscc"])
        veto_at[found[found >= 0]] = np.flatnonzero(found >= 0)
    veto_at = veto_at[order]
    vetoes = pc.fill_null(keys.text(texts.reset_index(drop=True)), "")
    valid = column("valid_responses", 0.0)
    closed = column("closed", 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = column("on_time", 0.0) / closed
    established = pd.to_datetime(m["established"])
    young = (established.notna() & ((d - established).dt.days < system.min_business_days)).to_numpy(dtype=bool)
    young = young[order]
    founded = established.to_numpy()[order]
    min_rate = system.min_on_time_rate
    threshold = settings.threshold

    def vetoed_text(r: IntArray) -> Any:
        picked = veto_at[r]
        text = vetoes.take(pa.array(picked, mask=picked < 0))
        return join("否决：", pc.fill_null(text, ""))

    def total_text(r: IntArray) -> Any:
        shown = pc.if_else(pa.array(np.isnan(total[r])), "数据不足", two_decimals(np.nan_to_num(total[r])))
        return join("得分不足：", shown, f" < {threshold:g}")

    # only scored merchants get reasons: the others are 未检查 whatever else holds
    fails: list[tuple[BoolArray, Callable[[IntArray], Any]]] = [
        (scored & ~m["applied"].astype(bool).to_numpy(dtype=bool)[order], lambda r: "未申报"),
        (scored & vetoed, vetoed_text),
        (scored & ~(total >= threshold), total_text),
    ]
    if system.survey_indicator:
        ind = system.indicator(system.survey_indicator)
        no_survey = np.isnan(column(system.survey_indicator))
        fails.append(
            (
                scored & no_survey,
                lambda r: join(
                    "问卷不足：有效问卷 ",
                    pc.cast(pa.array(valid[r].astype(np.int64)), pa.large_string()),
                    f" 份 < {ind.min_responses}",
                ),
            )
        )
    fails.append(
        (
            scored & (closed > 0) & (rate < min_rate - 1e-12),
            lambda r: join("按时办结率不足：", two_decimals(rate[r] * 100), f"% < {min_rate * 100:g}%"),
        )
    )
    fails.append((scored & young, lambda r: join("经营不满一年：成立日期 ", iso_dates(pd.Series(founded[r])))))
    qualified = scored & ~np.logical_or.reduce([failed for failed, _ in fails])
    reasons = pc.if_else(pa.array(scored), _reasons(fails), NOT_INSPECTED)

    status = np.zeros(n, dtype=np.int8)  # index into STATUSES
    waitlist = np.full(n, np.nan)
    pool = np.flatnonzero(qualified)
    if len(pool):
        merchants = order[pool]
        cell_status, cell_waitlist = _apply_quotas(
            m.loc[merchants, ["district", "industry"]],
            by_uscc[merchants],
            total[pool],
            column("E")[pool] if "E" in scores.columns else np.zeros(len(pool)),  # NaN (all N/A) sorts last
            column("registered", 0.0)[pool],
            pd.to_datetime(m["applied_on"]).iloc[merchants],
            settings.quotas,
        )
        status[pool] = cell_status
        waitlist[pool] = cell_waitlist
    return pd.DataFrame(
        {
            **names.result(),
            "total": total,
            "status": pd.array(pa.array(STATUSES, type=pa.large_string()).take(pa.array(status)), dtype="str"),
            "waitlist_no": waitlist,
            "reasons": pd.array(reasons, dtype="string"),
        }
    )


def _apply_quotas(
    pool: pd.DataFrame,
    by_uscc: IntArray,
    total: FloatArray,
    e_sub: FloatArray,
    registered: FloatArray,
    applied_on: pd.Series,
    quotas: Quotas,
) -> tuple[np.ndarray[Any, np.dtype[np.int8]], FloatArray]:
    """Order each quota cell by total, E, complaints, 申报日期 (blank last), USCC (``by_uscc``: each
    row's place in USCC order); cut at the quota.

    A (区县, 行业) quota makes its own cell; other merchants of the 区县 share the 区县 quota; a 区县
    without quota is unlimited. Returns the status (index into STATUSES) and 候补序号 of each pool
    row, in pool order.
    """
    district, districts = pd.factorize(pool["district"], use_na_sentinel=False)
    industry, industries = pd.factorize(pool["industry"], use_na_sentinel=False)
    district_limit = np.array([quotas.district.get(x, np.nan) for x in districts], dtype=float)
    pair_limit = np.full((len(districts), len(industries)), np.nan)
    where_d = {x: i for i, x in enumerate(districts)}
    where_i = {x: i for i, x in enumerate(industries)}
    for (dd, ii), q in quotas.district_industry.items():  # one quota cell at a time
        if dd in where_d and ii in where_i:
            pair_limit[where_d[dd], where_i[ii]] = q
    pair = pair_limit[district, industry]
    has_pair = ~np.isnan(pair)
    cell = np.where(has_pair, len(districts) + district * len(industries) + industry, district)
    limit = np.where(has_pair, pair, district_limit[district])
    limit = np.where(np.isnan(limit), -1.0, limit)
    missing = applied_on.isna().to_numpy(dtype=bool)
    applied = applied_on.to_numpy(dtype="datetime64[us]").view(np.int64)
    order = np.lexsort((by_uscc, applied, missing, registered, -e_sub, -total, cell))
    sorted_cell = cell[order]
    starts = np.r_[True, sorted_cell[1:] != sorted_cell[:-1]]
    position = np.arange(len(order))
    place = np.empty(len(order), dtype=float)
    place[order] = position - np.maximum.accumulate(np.where(starts, position, 0)) + 1
    within = (limit < 0) | (place <= limit)
    status = np.where(within, STATUSES.index(SELECTED), STATUSES.index(WAITING)).astype(np.int8)
    waitlist: FloatArray = np.where(within, np.nan, place - limit)
    return status, waitlist
