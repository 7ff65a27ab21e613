"""Fuzzy comprehensive evaluation (模糊综合评价) of survey answers, per merchant.

Factors U = the survey questions (Q1…Q8), grades V = the answer scale (非常满意 5 … 非常不满意 1).
The membership matrix R of a merchant has r_qk = the share of its valid answers to question q that
are grade k (unanswered questions are left out of the shares). With factor weights A (equal by
default), the evaluation vector is

- ``weighted_average`` M(·, ⊕):  B = A · R, with A renormalised over the questions the merchant's
  respondents answered — every membership counts (the usual choice for satisfaction surveys);
- ``max_min`` M(∧, ∨) (Zadeh):  b_k = max_q min(a_q, r_qk), then B normalised to sum 1 — only the
  dominant factor counts.

The result grade is the one of maximum membership (ties → the better grade), and the score is
B · s with s the points of each grade (from the indicator system's survey scale, 0–100).
Invalid responses (废卷) are left out; merchants with fewer than ``min_responses`` valid responses
get no evaluation, as for the official satisfaction indicator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.engine.weighting.provenance import Provenance, WeightingError

Array = npt.NDArray[np.float64]
Operator = Literal["weighted_average", "max_min"]
GRADE_LABELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
OPERATOR_LABELS: dict[str, str] = {
    "weighted_average": "加权平均型 M(·,⊕)",
    "max_min": "主因素决定型 M(∧,∨)",
}


@dataclass(frozen=True)
class FuzzyResult:
    membership: pd.DataFrame  # B per merchant, one column per grade label (best grade first)
    grade: pd.Series  # the maximum-membership grade label
    score: pd.Series  # B · grade points, 0–100
    responses: pd.Series  # valid responses used
    provenance: Provenance


def membership_matrices(answers: Array, owners: npt.NDArray[np.intp], owner_count: int, grades: Array) -> Array:
    """R per owner: array (owners × questions × grades) of answer shares; a row of zeros when unanswered."""
    q = answers.shape[1]
    counts = np.zeros((owner_count, q, len(grades)))
    for k, grade in enumerate(grades):  # a handful of grades; the merchants are vectorised
        hits = (answers == grade).astype(float)
        np.add.at(counts[:, :, k], owners, hits)
    answered = counts.sum(axis=2, keepdims=True)
    shares: Array = np.divide(counts, answered, out=np.zeros_like(counts), where=answered > 0)
    return shares


def evaluate(r: Array, a: Array, operator: Operator) -> Array:
    """Kernel: B (owners × grades) from R (owners × questions × grades) and factor weights a."""
    answered = (r.sum(axis=2) > 0).astype(float)  # owners × questions
    weights = answered * a
    totals = weights.sum(axis=1, keepdims=True)
    weights = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    if operator == "weighted_average":
        average: Array = np.einsum("oq,oqk->ok", weights, r)
        return average
    b = np.minimum(weights[:, :, None], r).max(axis=1)
    sums = b.sum(axis=1, keepdims=True)
    dominant: Array = np.divide(b, sums, out=np.zeros_like(b), where=sums > 0)
    return dominant


def fuzzy_evaluation(
    surveys: pd.DataFrame,
    questions: list[str],
    grade_points: Mapping[int, float],
    *,
    factor_weights: pd.Series | None = None,
    operator: Operator = "weighted_average",
    min_responses: int = 1,
) -> FuzzyResult:
    """Fuzzy evaluation per ``uscc`` of the valid survey responses (``invalid`` rows are dropped)."""
    if operator not in OPERATOR_LABELS:
        raise WeightingError(f"未知的模糊合成算子 {operator!r}。")
    missing = [q for q in questions if q not in surveys.columns]
    if missing:
        raise WeightingError(f"问卷数据缺少这些题目：{'、'.join(missing)}。")
    valid = surveys[~surveys["invalid"].astype(bool)] if "invalid" in surveys.columns else surveys
    responses = valid.groupby("uscc").size()
    kept = responses[responses >= max(1, min_responses)]
    valid = valid[valid["uscc"].isin(kept.index)]
    owners_index = pd.Index(kept.index)
    owners = owners_index.get_indexer(valid["uscc"]).astype(np.intp)
    grades = np.array(sorted(grade_points, reverse=True), dtype=float)
    r = membership_matrices(valid[questions].to_numpy(dtype=float), owners, len(owners_index), grades)
    if factor_weights is None:
        a = np.full(len(questions), 1.0 / len(questions))
    else:
        a = factor_weights.reindex(questions).fillna(0.0).to_numpy(dtype=float)
        if (a < 0).any() or not a.sum() > 0:
            raise WeightingError("模糊综合评价的因素权重应非负且不全为 0。")
        a = a / a.sum()
    b = evaluate(r, a, operator)
    labels = [GRADE_LABELS.get(int(g), str(int(g))) for g in grades]
    membership = pd.DataFrame(b, index=owners_index, columns=labels)
    best = np.argmax(b, axis=1) if len(b) else np.zeros(0, dtype=np.intp)  # first maximum = better grade
    points = np.array([grade_points[int(g)] for g in grades], dtype=float)
    return FuzzyResult(
        membership=membership,
        grade=pd.Series(np.array(labels, dtype=object)[best], index=owners_index, name="grade", dtype="string"),
        score=pd.Series(b @ points, index=owners_index, name="score"),
        responses=kept.astype(int),
        provenance=Provenance(
            "fuzzy",
            "模糊综合评价",
            normalisation="隶属度 = 各等级答案占该题有效回答的比例",
            params={
                "合成算子": OPERATOR_LABELS[operator],
                "因素权重": "等权" if factor_weights is None else "指定",
                "最少有效问卷": max(1, min_responses),
                "评语分值": "、".join(f"{lab} {p:g}" for lab, p in zip(labels, points, strict=True)),
            },
        ),
    )
