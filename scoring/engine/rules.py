"""Rule types of SPEC §4: each computes points for a whole column and explains one value in words.

A rule returns points as floats with NaN for 不适用 (N/A never counts as 0). ``explain`` produces the
§5.3 sentence for one merchant from the same parameters, so screen and export say what the code did.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scoring.engine.frames import CLOSED_OUTCOMES, MEDIATED_OUTCOMES, NOT_REGISTERED_OUTCOMES
from scoring.engine.indicators import NOT_APPLICABLE, Indicator, IndicatorSystem

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
    return values.map(mapping).astype(float)


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
