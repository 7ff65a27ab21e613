"""Analytic hierarchy process (层次分析法): weights from a pairwise comparison matrix, with Saaty's consistency check.

A judgement ``a[i, j]`` says how many times more important criterion i is than j, on Saaty's 1–9
scale (reciprocals 1/2 … 1/9 for the other direction); the matrix is reciprocal, ``a[j, i] = 1/a[i, j]``.

- Principal eigenvector (Saaty 1980): ``A w = λmax w``, w normalised to sum 1.
- Geometric mean of rows (on request; the logarithmic least-squares solution): ``w_i ∝ (Π_j a_ij)^(1/n)``;
  λmax is then estimated as the mean of ``(A w)_i / w_i``.
- Consistency: ``CI = (λmax − n) / (n − 1)``, ``CR = CI / RI(n)`` with Saaty's random index; a matrix
  with ``CR ≥ 0.1`` is refused (``InconsistentJudgements``), the message naming the judgement that
  disagrees most with the others (Saaty's ``a_ij · w_j / w_i`` furthest from 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.engine.weighting.provenance import Provenance, WeightingError

Matrix = npt.NDArray[np.float64]
AhpMethod = Literal["eigenvector", "geometric_mean"]

# Saaty's random consistency index RI(n), n = 1 … 15 (Saaty 1980, The Analytic Hierarchy Process).
SAATY_RI = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
CR_LIMIT = 0.1
SCALE_MIN, SCALE_MAX = 1 / 9, 9.0
METHOD_LABELS = {"eigenvector": "特征向量法", "geometric_mean": "几何平均法（方根法）"}
_RECIPROCAL_TOL = 1e-6


class InconsistentJudgements(WeightingError):
    """CR ≥ 0.1: the judgements contradict each other too much; ``result`` holds the figures."""

    def __init__(self, message: str, result: AhpResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class WorstJudgement:
    """The entered judgement furthest from what the other judgements imply."""

    row: str
    column: str
    judged: float
    implied: float  # w_row / w_column


@dataclass(frozen=True)
class AhpResult:
    weights: pd.Series
    matrix: pd.DataFrame
    lambda_max: float
    ci: float
    ri: float
    cr: float
    worst: WorstJudgement | None
    provenance: Provenance

    @property
    def consistent(self) -> bool:
        return self.cr < CR_LIMIT

    def explanation(self) -> str:
        """Chinese text: the consistency figures and, when refused, what to change."""
        n = len(self.weights)
        if n <= 2:
            return "二阶及以下的判断矩阵总是一致的（CI = CR = 0）。"
        head = (
            f"λmax = {self.lambda_max:.4f}，CI = (λmax − n)/(n − 1) = {self.ci:.4f}，"
            f"RI({n}) = {self.ri:.2f}，CR = CI/RI = {self.cr:.4f}"
        )
        if self.consistent:
            return f"{head} < {CR_LIMIT}，通过一致性检验。"
        text = (
            f"{head} ≥ {CR_LIMIT}，判断矩阵不一致，不能据此生成权重。"
            "CR 衡量判断之间的矛盾程度（例如 A 比 B 重要、B 比 C 重要，却填写 C 比 A 重要）；"
            "Saaty 建议 CR 小于 0.1 才可采用。"
        )
        if self.worst is not None:
            w = self.worst
            text += (
                f"与其他判断最不一致的是“{w.row} 相对 {w.column}”：填写为 {format_judgement(w.judged)}，"
                f"而其余判断推出约为 {_approx(w.implied)}，请先复核这一项。"
            )
        return text


def _approx(value: float) -> str:
    """An implied ratio in the judgement's own terms: ``2.13`` or ``1/2.04``."""
    return f"{value:.2f}" if value >= 1 else f"1/{1 / value:.2f}"


def ri(n: int) -> float:
    """Saaty's random index for an n × n matrix (n ≤ 15)."""
    if not 1 <= n <= len(SAATY_RI):
        raise WeightingError(f"判断矩阵阶数应在 1–{len(SAATY_RI)} 之间（Saaty 随机一致性指标表的范围），实际为 {n}。")
    return SAATY_RI[n - 1]


def eigenvector_weights(matrix: Matrix) -> tuple[Matrix, float]:
    """Kernel: the principal (Perron) eigenvector normalised to sum 1, and λmax."""
    values, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)  # the Perron vector of a positive matrix has one sign
    return vector / vector.sum(), float(values[k].real)


def geometric_mean_weights(matrix: Matrix) -> tuple[Matrix, float]:
    """Kernel: normalised geometric means of the rows, and λmax estimated as mean((A w)_i / w_i)."""
    means = np.exp(np.log(matrix).mean(axis=1))
    weights = means / means.sum()
    return weights, float(np.mean(matrix @ weights / weights))


def consistency(lambda_max: float, n: int) -> tuple[float, float, float]:
    """(CI, RI, CR); CI and CR are 0 for n ≤ 2, where every reciprocal matrix is consistent."""
    if n <= 2:
        return 0.0, ri(n), 0.0
    ci = max(0.0, (lambda_max - n) / (n - 1))  # λmax ≥ n in exact arithmetic; clip rounding noise
    return ci, ri(n), ci / ri(n)


def worst_judgement(matrix: Matrix, weights: Matrix) -> tuple[int, int]:
    """(i, j), i < j, of the judgement whose ratio to w_i / w_j is furthest from 1 (Saaty's ε_ij)."""
    eps = np.abs(np.log(matrix * np.outer(1 / weights, weights)))
    upper = np.triu(eps, k=1)
    i, j = np.unravel_index(int(np.argmax(upper)), upper.shape)
    return int(i), int(j)


def check_pairwise(matrix: Matrix, labels: list[str]) -> None:
    """Raise WeightingError listing every problem: shape, positivity, Saaty range, diagonal, reciprocity."""
    n = len(labels)
    if matrix.shape != (n, n):
        raise WeightingError(f"判断矩阵应为 {n} × {n}，实际为 {matrix.shape[0]} × {matrix.shape[1]}。")
    ri(n)
    problems: list[str] = []
    for i in range(n):
        for j in range(n):
            a = matrix[i, j]
            where = f"“{labels[i]} 相对 {labels[j]}”"
            if not np.isfinite(a) or a <= 0:
                problems.append(f"{where} 应为正数，实际为 {a}")
            elif not SCALE_MIN * (1 - _RECIPROCAL_TOL) <= a <= SCALE_MAX * (1 + _RECIPROCAL_TOL):
                problems.append(f"{where} = {format_judgement(a)} 超出 Saaty 标度 1/9–9")
            elif i == j and abs(a - 1) > _RECIPROCAL_TOL:
                problems.append(f"对角线 {where} 必须为 1")
            elif i < j and np.isfinite(matrix[j, i]) and abs(a * matrix[j, i] - 1) > _RECIPROCAL_TOL:
                problems.append(f"{where} 与 “{labels[j]} 相对 {labels[i]}” 应互为倒数")
    if problems:
        raise WeightingError("判断矩阵有误：" + "；".join(problems) + "。")


def reciprocal_matrix(upper: Matrix) -> Matrix:
    """The full reciprocal matrix from the judgements above the diagonal (the rest is ignored)."""
    n = upper.shape[0]
    full = np.ones((n, n))
    iu = np.triu_indices(n, k=1)
    full[iu] = upper[iu]
    full[(iu[1], iu[0])] = 1.0 / upper[iu]
    return full


def ahp(
    matrix: pd.DataFrame | Matrix,
    labels: list[str] | None = None,
    method: AhpMethod = "eigenvector",
    refuse_inconsistent: bool = True,
) -> AhpResult:
    """Weights from a reciprocal pairwise comparison matrix; CR ≥ 0.1 raises InconsistentJudgements."""
    if method not in METHOD_LABELS:
        raise WeightingError(f"未知的求权方法 {method!r}（可用：eigenvector、geometric_mean）。")
    if isinstance(matrix, pd.DataFrame):
        labels = labels or [str(c) for c in matrix.index]
        values = matrix.to_numpy(dtype=float)
    else:
        values = np.asarray(matrix, dtype=float)
        labels = labels or [f"C{i + 1}" for i in range(values.shape[0])]
    check_pairwise(values, labels)
    n = len(labels)
    weights, lambda_max = eigenvector_weights(values) if method == "eigenvector" else geometric_mean_weights(values)
    ci, r, cr = consistency(lambda_max, n)
    worst = None
    if n > 2:
        i, j = worst_judgement(values, weights)
        worst = WorstJudgement(labels[i], labels[j], float(values[i, j]), float(weights[i] / weights[j]))
    result = AhpResult(
        weights=pd.Series(weights, index=labels, name="weight"),
        matrix=pd.DataFrame(values, index=labels, columns=labels),
        lambda_max=lambda_max,
        ci=ci,
        ri=r,
        cr=cr,
        worst=worst,
        provenance=Provenance(
            "ahp", "层次分析法（AHP）", params={"求权方法": METHOD_LABELS[method], "CR 上限": CR_LIMIT, "阶数": n}
        ),
    )
    if refuse_inconsistent and not result.consistent:
        raise InconsistentJudgements(result.explanation(), result)
    return result


def parse_judgement(text: object) -> float:
    """A judgement cell: a number or a fraction such as ``1/3`` (full-width characters accepted)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    raw = str(text).strip().replace("／", "/").replace(" ", "")
    raw = raw.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    try:
        return float(Fraction(raw))
    except (ValueError, ZeroDivisionError) as exc:
        raise WeightingError(f"无法识别的判断值“{text}”：请填写 1–9 的数或 1/2–1/9 的分数。") from exc


def format_judgement(value: float) -> str:
    """A judgement as people write it: ``3``, ``1/3``, ``4/3``, or two decimals when not a small fraction."""
    frac = Fraction(value).limit_denominator(9)
    if abs(float(frac) - value) > 1e-9:
        return f"{value:.2f}"
    return str(frac.numerator) if frac.denominator == 1 else f"{frac.numerator}/{frac.denominator}"
