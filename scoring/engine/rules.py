"""Rule types of SPEC §4: each computes points for a whole column and explains one value in words.

A rule returns points as floats with NaN for 不适用 (N/A never counts as 0). ``explain`` produces the
§5.3 sentence for one merchant from the same parameters, so screen and export say what the code did.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from scoring.engine import keys
from scoring.engine.frames import CLOSED_OUTCOMES, MEDIATED_OUTCOMES, NOT_REGISTERED_OUTCOMES
from scoring.engine.indicators import NOT_APPLICABLE, Indicator, IndicatorSystem

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.intp]]

COMPLAINT_LABELS = {
    "registered": "登记投诉",
    "closed": "已办结",
    "on_time": "按时办结",
    "mediated": "调解终结",
    "mediation_success": "调解成功",
}


def fmt(value: float) -> str:
    """A number as people write it: 8, 4.5, 7.63 (no trailing zeros)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{int(value)}"


def check_points(ind: Indicator, values: pd.Series) -> pd.Series:
    """check: points by inspection result; 不适用 → NaN."""
    mapping = {k: float(v) for k, v in ind.check_points.items()}
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return values.map(mapping).astype(float)
    # one Arrow lookup of each cell in the (tiny) list of results instead of a dict lookup per cell
    found = pc.index_in(keys.text(values), value_set=pa.array(list(mapping), type=pa.large_string()))
    points = np.append(np.array(list(mapping.values()), dtype=float), np.nan)
    return pd.Series(points[pc.fill_null(found, -1).to_numpy()], index=values.index, name=values.name)


def deduct_points(ind: Indicator, findings: pd.Series) -> pd.Series:
    """deduct: max(0, max − per_finding × findings) (扣完为止); NaN findings = 不适用 → NaN."""
    counts = findings.astype(float)
    return (ind.max_points - ind.per_finding * counts).clip(lower=0.0)


def ratio_points(ind: Indicator, numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """ratio: max × clamp((value − lo)/(hi − lo), 0, 1); no denominator → the stated points."""
    num = numerator.astype(float)
    den = denominator.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den
    share = ((value - ind.lo) / (ind.hi - ind.lo)).clip(0.0, 1.0)
    return (ind.max_points * share).where(den > 0, ind.no_data_points).astype(float)


def likert_points(ind: Indicator, index: pd.Series, valid_responses: pd.Series) -> pd.Series:
    """likert: max × index / 100; NaN when fewer than min_responses valid responses."""
    pts = ind.max_points * index.astype(float) / 100.0
    return pts.where(valid_responses.astype(float) >= ind.min_responses)


def complaint_counts(complaints: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per USCC, the complaint figures of SPEC §4 over complaints registered in [start, end]."""
    cols = list(COMPLAINT_LABELS)
    if complaints.empty:
        return pd.DataFrame(columns=cols, dtype=float).rename_axis("uscc")
    c = complaints[(complaints["registered_on"] >= start) & (complaints["registered_on"] <= end)]
    outcome = c["outcome"].astype(str)
    closed = outcome.isin(CLOSED_OUTCOMES)
    on_time = c["on_time"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    flags = pd.DataFrame(
        {
            "uscc": c["uscc"].to_numpy(),
            "registered": ~outcome.isin(NOT_REGISTERED_OUTCOMES).to_numpy(),
            "closed": closed.to_numpy(),
            "on_time": closed.to_numpy() & on_time,
            "mediated": outcome.isin(MEDIATED_OUTCOMES).to_numpy(),
            "mediation_success": (outcome == "调解成功").to_numpy(),
        }
    )
    return flags.groupby("uscc")[cols].sum().astype(float)


def complaint_totals(complaints: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, usccs: pd.Series) -> FloatArray:
    """``complaint_counts`` for each of ``usccs`` in order, as an array (rows × COMPLAINT_LABELS); 0 when none."""
    out = np.zeros((len(usccs), len(COMPLAINT_LABELS)))
    if complaints.empty or usccs.empty:
        return out
    registered_on = complaints["registered_on"]
    inside = ((registered_on >= start) & (registered_on <= end)).to_numpy(dtype=bool, na_value=False)
    c = complaints[inside]
    at = keys.positions(c["uscc"], usccs)
    known = at >= 0
    at = at[known]
    outcome = keys.text(c["outcome"]).filter(pa.array(known))

    def among(values: tuple[str, ...]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        found = pc.is_in(outcome, value_set=pa.array(values, type=pa.large_string()))
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)

    closed = among(CLOSED_OUTCOMES)
    on_time = c["on_time"].astype("boolean").fillna(False).to_numpy(dtype=bool)[known]
    flags = {
        "registered": ~among(NOT_REGISTERED_OUTCOMES),
        "closed": closed,
        "on_time": closed & on_time,
        "mediated": among(MEDIATED_OUTCOMES),
        "mediation_success": among(("调解成功",)),
    }
    for j, name in enumerate(COMPLAINT_LABELS):
        out[:, j] = np.bincount(at, weights=flags[name], minlength=len(usccs))
    return out


def survey_invalid(answers: pd.DataFrame, system: IndicatorSystem) -> pd.Series:
    """废卷: at least ``invalid_unanswered`` of the questions unanswered (SPEC §10.5)."""
    return answers.isna().sum(axis=1) >= system.survey_invalid_unanswered


def satisfaction(surveys: pd.DataFrame, system: IndicatorSystem) -> pd.DataFrame:
    """Per USCC: valid responses and the satisfaction index (mean of all answered questions, 0–100)."""
    codes = [q.code for q in system.survey_questions]
    if surveys.empty:
        return pd.DataFrame({"valid_responses": [], "satisfaction_index": []}, dtype=float).rename_axis("uscc")
    answers = surveys[codes].astype(float)
    valid = ~survey_invalid(answers, system)
    answers = answers[valid.to_numpy()]
    scale = np.full(6, np.nan)
    for k, v in system.survey_scale.items():
        scale[k] = v
    raw = answers.to_numpy(dtype=float)
    answered = ~np.isnan(raw)
    mapped = np.where(answered, scale[np.nan_to_num(raw, nan=0).astype(int).clip(0, 5)], 0.0)
    frame = pd.DataFrame(
        {
            "uscc": surveys.loc[valid.to_numpy(), "uscc"].to_numpy(),
            "sum": mapped.sum(axis=1),
            "n": answered.sum(axis=1),
            "valid_responses": 1.0,
        }
    )
    per = frame.groupby("uscc")[["sum", "n", "valid_responses"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        per["satisfaction_index"] = per["sum"] / per["n"]
    return per[["valid_responses", "satisfaction_index"]].astype(float)


_CHUNK = 1 << 18  # survey rows processed in cache-sized blocks, with buffers reused across blocks


def satisfaction_totals(
    surveys: pd.DataFrame, system: IndicatorSystem, usccs: pd.Series
) -> tuple[FloatArray, FloatArray]:
    """``satisfaction`` for each of ``usccs`` in order: valid responses (0 when none) and the index (NaN).

    Same arithmetic as ``satisfaction``, but one block of rows and one question at a time into
    reused buffers (ten million responses never exist as a second 2-D copy), and per-merchant
    sums as bincounts over registry positions.
    """
    n = len(usccs)
    if surveys.empty or n == 0:
        return np.zeros(n), np.full(n, np.nan)
    scale = np.full(6, np.nan)
    for k, v in system.survey_scale.items():
        scale[k] = v
    answers = [surveys[q.code].to_numpy(dtype=float, na_value=np.nan) for q in system.survey_questions]
    merchant = keys.positions(surveys["uscc"], usccs)  # becomes n (a discarded bin) for rows not counted
    total = np.empty(len(surveys))  # Σ mapped answers per response
    answered = np.empty(len(surveys), dtype=np.int16)
    block = min(_CHUNK, len(surveys))
    skipped, mapped, index = np.empty(block, dtype=bool), np.empty(block), np.empty(block, dtype=np.int8)
    for begin in range(0, len(surveys), block):
        rows = slice(begin, begin + block)
        m = len(merchant[rows])
        na, value, code = skipped[:m], mapped[:m], index[:m]
        row_total, row_answered = total[rows], answered[rows]
        row_total[:] = 0.0
        row_answered[:] = 0
        for column in answers:
            raw = column[rows]
            np.isnan(raw, out=na)
            np.add(row_answered, ~na, out=row_answered, casting="unsafe")
            np.clip(raw, 0, 5, out=value)  # an answer's scale index: int(answer) within 0–5
            np.copyto(value, 0.0, where=na)
            np.copyto(code, value, casting="unsafe")
            np.take(scale, code, out=value)
            np.copyto(value, 0.0, where=na)
            row_total += value
        spoilt = (len(answers) - row_answered) >= system.survey_invalid_unanswered
        merchant[rows][spoilt | (merchant[rows] < 0)] = n
    responses = np.bincount(merchant, minlength=n + 1)[:n].astype(float)
    sums: FloatArray
    if all(float(v).is_integer() for v in system.survey_scale.values()):
        sums = np.bincount(merchant, weights=total, minlength=n + 1)[:n].astype(np.float64, copy=False)  # exact
    else:  # the same compensated per-merchant sum, in row order, as a pandas groupby
        counted = merchant < n
        grouped = pd.Series(total[counted]).groupby(merchant[counted]).sum()
        sums = np.asarray(grouped.reindex(range(n), fill_value=0.0), dtype=np.float64)
    counts = np.bincount(merchant, weights=answered, minlength=n + 1)[:n]
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(responses > 0, sums / counts, np.nan)
    return responses, result


def explain_indicator(ind: Indicator, raw: object, points: float | None, inputs: dict[str, float]) -> str:
    """The §5.3 sentence for one indicator of one merchant."""
    head = f"{ind.code} {ind.name.zh}："
    na = points is None or (isinstance(points, float) and math.isnan(points))
    if ind.type == "check":
        if na:
            return head + f"{NOT_APPLICABLE}（不计入满分）"
        return head + f"{raw} → {fmt(float(points or 0))} 分（满分 {fmt(ind.max_points)}）"
    if ind.type == "deduct":
        if ind.source == "complaints":
            n = inputs.get(ind.count, 0.0)
            what = f"{COMPLAINT_LABELS[ind.count]} {fmt(n)} 件"
        else:
            if na:
                return head + f"{NOT_APPLICABLE}（不计入满分）"
            n = float(raw)  # type: ignore[arg-type]
            what = f"发现 {fmt(n)} 处"
        pts = float(points or 0)
        if n == 0:
            return head + f"{what} → {fmt(ind.max_points)} 分"
        formula = f"{fmt(ind.max_points)} − {fmt(ind.per_finding)}×{fmt(n)}"
        if ind.max_points - ind.per_finding * n < 0:
            return head + f"{what} → {formula} < 0，扣完为止 = 0 分"
        return head + f"{what} → {formula} = {fmt(pts)} 分"
    if ind.type == "ratio":
        num, den = inputs.get(ind.numerator, 0.0), inputs.get(ind.denominator, 0.0)
        if den <= 0:
            return head + f"无{COMPLAINT_LABELS[ind.denominator]}投诉 → {fmt(ind.no_data_points)} 分"
        value = num / den
        return head + (
            f"{COMPLAINT_LABELS[ind.numerator]} {fmt(num)} / {COMPLAINT_LABELS[ind.denominator]} {fmt(den)}"
            f" = {value:.2%} → {fmt(ind.max_points)} × ({value:.4f} − {ind.lo:.2f}) / ({ind.hi:.2f} − {ind.lo:.2f})"
            f"，限定在 0 到 {fmt(ind.max_points)} = {float(points or 0):.2f} 分"
        )
    n_valid = inputs.get("valid_responses", 0.0)
    if na:
        return head + f"有效问卷 {fmt(n_valid)} 份 < {ind.min_responses} → 不适用（不计入满分）"
    index = inputs.get("satisfaction_index", 0.0)
    return head + (
        f"有效问卷 {fmt(n_valid)} 份，满意度指数 {index:.2f} → {fmt(ind.max_points)} × {index:.2f} / 100"
        f" = {float(points or 0):.2f} 分"
    )
