"""Weighting methods (issue 7): AHP against published worked examples; entropy, CRITIC and TOPSIS
against pymcdm 1.4 (MIT, test-only) on random decision matrices; rank correlations against scipy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymcdm import normalizations as pymcdm_norm
from pymcdm import weights as pymcdm_weights
from pymcdm.methods import TOPSIS
from scipy import stats

from scoring.engine.weighting import (
    InconsistentJudgements,
    Provenance,
    WeightingError,
    WeightResult,
    ahp,
    combined_weights,
    critic_weights,
    entropy_weights,
    kendall_tau_b,
    parse_judgement,
    reciprocal_matrix,
    spearman,
    topsis,
)
from scoring.engine.weighting.ahp import SAATY_RI, consistency, format_judgement
from scoring.engine.weighting.objective import critic_kernel
from scoring.engine.weighting.topsis import NORMALISATION_LABELS

Matrix = npt.NDArray[np.float64]
SEEDED = settings(derandomize=True, max_examples=150, deadline=None)

# Values on a 0.01 grid in [0.01, 100]: distinct values differ by at least 0.01, so min-max and
# correlation never divide by a difference that is only rounding noise.
_cells = st.integers(1, 10_000).map(lambda v: v / 100)
_shapes = st.tuples(st.integers(2, 15), st.integers(2, 8))
matrices = arrays(np.float64, _shapes, elements=_cells)


def frame(values: Matrix) -> pd.DataFrame:
    return pd.DataFrame(values, columns=[f"C{j + 1}" for j in range(values.shape[1])])


# --- AHP: published worked examples --------------------------------------------------------------

WEALTH = [  # US, USSR, China, France, UK, Japan, West Germany
    [1, 4, 9, 6, 6, 5, 5],
    [1 / 4, 1, 7, 5, 5, 3, 4],
    [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
    [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
]
DRINKS = [  # coffee, wine, tea, beer, sodas, milk, water
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]
HOUSE = [  # size, transportation, neighbourhood, age, yard, modern facilities, condition, financing
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]


def test_ahp_reproduces_saaty_wealth_of_nations() -> None:
    """Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill, §2 — relative wealth of nations.

    Published: eigenvector (US .427, USSR .230, China .021, France .052, UK .052, Japan .123,
    W. Germany .094); λmax = 7.61, C.I. = 0.10, C.R. = 0.08.
    """
    result = ahp(np.array(WEALTH), labels=["US", "USSR", "China", "France", "UK", "Japan", "FRG"])
    published = [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094]
    assert result.weights.to_numpy() == pytest.approx(published, abs=5e-4)
    assert round(result.lambda_max, 2) == 7.61
    assert round(result.ci, 2) == 0.10
    assert round(result.cr, 2) == 0.08
    assert result.ri == 1.32 and result.consistent
    assert "通过一致性检验" in result.explanation()


def test_ahp_reproduces_saaty_drink_consumption() -> None:
    """Saaty, T. L. (2008). Decision making with the analytic hierarchy process. Int. J. Services
    Sciences 1(1), 83–98, Table 2 "Which drink is consumed more in the US?".

    Published derived scale: coffee .177, wine .019, tea .042, beer .116, sodas .190, milk .129, water .327.
    """
    result = ahp(np.array(DRINKS))
    published = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    assert result.weights.to_numpy() == pytest.approx(published, abs=5e-4)
    assert result.consistent


def test_cr_check_refuses_saaty_house_example() -> None:
    """Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. EJOR 48(1), 9–26,
    the house-buying example, level-1 matrix of eight criteria.

    Published: priorities (.173, .054, .188, .018, .031, .036, .167, .333); λmax = 9.669,
    C.I. = 0.238, C.R. = 0.169 — above 0.1, so the matrix is refused here.
    """
    labels = ["面积", "交通", "邻里", "房龄", "庭院", "设施", "状况", "融资"]
    with pytest.raises(InconsistentJudgements) as refused:
        ahp(np.array(HOUSE), labels=labels)
    result = refused.value.result
    assert result.weights.to_numpy() == pytest.approx(
        [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333], abs=5e-4
    )
    assert round(result.lambda_max, 3) == 9.669
    assert round(result.ci, 3) == 0.238
    assert round(result.cr, 3) == 0.169
    message = str(refused.value)
    assert "CR = CI/RI = 0.1691 ≥ 0.1" in message and "不能据此生成权重" in message
    worst = result.worst
    assert worst is not None and f"“{worst.row} 相对 {worst.column}”" in message
    # the same matrix is available for display when refusal is not asked for
    assert not ahp(np.array(HOUSE), refuse_inconsistent=False).consistent


def test_cr_check_refuses_a_contradictory_matrix() -> None:
    # A ≻ B (5), B ≻ C (5), yet C ≻ A (5): a cycle no weights can honour.
    cycle = reciprocal_matrix(np.array([[1, 5, 1 / 5], [0, 1, 5], [0, 0, 1]], dtype=float))
    with pytest.raises(InconsistentJudgements, match="判断矩阵不一致"):
        ahp(cycle, labels=["A", "B", "C"])


@SEEDED
@given(arrays(np.float64, st.integers(3, 9), elements=st.integers(1, 50).map(float)))
def test_ahp_recovers_weights_from_a_consistent_matrix(raw: Matrix) -> None:
    """A matrix of exact ratios w_i / w_j (within Saaty's range) has CR = 0 and gives back w."""
    assume(raw.max() / raw.min() <= 9)
    w = raw / raw.sum()
    for method in ("eigenvector", "geometric_mean"):
        result = ahp(np.outer(w, 1 / w), method=method)
        assert result.weights.to_numpy() == pytest.approx(w, abs=1e-12)
        assert result.cr == pytest.approx(0.0, abs=1e-12)


def test_geometric_mean_is_close_on_saatys_example() -> None:
    eigen = ahp(np.array(WEALTH))
    geo = ahp(np.array(WEALTH), method="geometric_mean")
    assert geo.weights.to_numpy() == pytest.approx(eigen.weights.to_numpy(), abs=0.01)
    assert geo.provenance.params["求权方法"] == "几何平均法（方根法）"


def test_pairwise_matrix_validation_lists_every_problem() -> None:
    bad = np.array([[1, 10, 2], [0.1, 2, 3], [2, 1 / 3, 1]], dtype=float)
    with pytest.raises(WeightingError) as err:
        ahp(bad, labels=["A", "B", "C"])
    text = str(err.value)
    assert "“A 相对 B” = 10 超出 Saaty 标度 1/9–9" in text
    assert "对角线 “B 相对 B” 必须为 1" in text
    assert "“A 相对 C” 与 “C 相对 A” 应互为倒数" in text


def test_small_matrices_and_ri_table() -> None:
    assert consistency(2.0, 2) == (0.0, 0.0, 0.0)
    assert ahp(np.array([[1, 3], [1 / 3, 1]])).weights.to_numpy() == pytest.approx([0.75, 0.25])
    assert SAATY_RI[:10] == (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
    with pytest.raises(WeightingError, match="阶数"):
        ahp(np.ones((16, 16)))


@pytest.mark.parametrize(("text", "value"), [("3", 3.0), ("1/3", 1 / 3), ("１／５", 0.2), (" 4/3 ", 4 / 3), (7, 7.0)])
def test_parse_judgement(text: object, value: float) -> None:
    assert parse_judgement(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "1/0", ""])
def test_parse_judgement_refuses(text: str) -> None:
    with pytest.raises(WeightingError, match="无法识别"):
        parse_judgement(text)


def test_format_judgement() -> None:
    assert [format_judgement(v) for v in (3.0, 1 / 3, 4 / 3, 1.0, 0.4142)] == ["3", "1/3", "4/3", "1", "0.41"]


# --- entropy, CRITIC, TOPSIS against pymcdm -------------------------------------------------------


@SEEDED
@given(matrices)
def test_entropy_weights_match_pymcdm(values: Matrix) -> None:
    """pymcdm.weights.entropy_weights: sum normalisation p = x/Σx, e = −Σ p ln p / ln m, w ∝ 1 − e."""
    assume((values.max(axis=0) > values.min(axis=0)).any())  # some criterion must differ
    ours = entropy_weights(frame(values)).weights.to_numpy()
    assert np.abs(ours - pymcdm_weights.entropy_weights(values)).max() < 1e-9


@SEEDED
@given(matrices)
def test_critic_weights_match_pymcdm(values: Matrix) -> None:
    """pymcdm.weights.critic_weights: min-max normalisation, σ with ddof = 1, Pearson r, C = σ Σ(1 − r)."""
    assume((values.max(axis=0) > values.min(axis=0)).all())  # pymcdm's r is undefined for constant columns
    assume(critic_kernel(values)[3].sum() > 0)  # perfectly collinear criteria: 0/0 in pymcdm, refused here
    ours = critic_weights(frame(values)).weights.to_numpy()
    assert np.abs(ours - pymcdm_weights.critic_weights(values)).max() < 1e-9


@SEEDED
@given(matrices, st.data())
def test_topsis_matches_pymcdm(values: Matrix, data: st.DataObject) -> None:
    """pymcdm.methods.TOPSIS with vector_normalization / minmax_normalization, mixed benefit and cost."""
    assume((values.max(axis=0) > values.min(axis=0)).any())  # identical alternatives: 0/0 in pymcdm
    n = values.shape[1]
    raw = data.draw(arrays(np.float64, n, elements=st.integers(1, 100).map(float)))
    weights = raw / raw.sum()
    types = np.array(data.draw(st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n)))
    table = frame(values)
    cost = tuple(c for c, t in zip(table.columns, types, strict=True) if t == -1)
    for ours_name, theirs in (
        ("vector", pymcdm_norm.vector_normalization),
        ("minmax", pymcdm_norm.minmax_normalization),
    ):
        ours = topsis(table, pd.Series(weights, index=table.columns), ours_name, cost=cost)  # type: ignore[arg-type]
        expected = TOPSIS(theirs)(values, weights, types, validation=False)
        assert np.abs(ours.closeness.to_numpy() - expected).max() < 1e-9
        assert ours.provenance.normalisation == NORMALISATION_LABELS[ours_name]


def test_topsis_states_its_normalisation() -> None:
    table = frame(np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]]))
    w = pd.Series([0.5, 0.5], index=table.columns)
    assert topsis(table, w, "vector").provenance.normalisation == "向量归一化 x/‖x‖"
    assert topsis(table, w, "minmax").provenance.describe().startswith("TOPSIS（归一化：极差归一化")
    with pytest.raises(WeightingError, match="未知的归一化方法"):
        topsis(table, w, "sum")  # type: ignore[arg-type]


def test_topsis_identical_alternatives_are_all_half() -> None:
    table = frame(np.array([[0.5, 0.7], [0.5, 0.7]]))
    result = topsis(table, pd.Series([0.3, 0.7], index=table.columns))
    assert result.closeness.tolist() == [0.5, 0.5]


def test_entropy_handles_zeros_by_the_limit_0_ln_0() -> None:
    """pymcdm refuses zeros; here 0·ln 0 = 0, so a zero behaves as the limit of a tiny share."""
    with_zero = frame(np.array([[0.0, 0.2, 1.0], [0.5, 0.4, 0.0], [1.0, 0.9, 0.0]]))
    tiny = with_zero.replace(0.0, 1e-300)
    assert entropy_weights(with_zero).weights.to_numpy() == pytest.approx(entropy_weights(tiny).weights.to_numpy())


def test_entropy_and_critic_give_no_weight_to_a_criterion_without_information() -> None:
    base = np.array([[0.2, 0.9, 0.4], [0.6, 0.3, 0.8], [1.0, 0.5, 0.1], [0.4, 0.7, 0.6]])
    constant = np.column_stack([base, np.full(4, 0.75)])
    zeros = np.column_stack([base, np.zeros(4)])
    for method in (entropy_weights, critic_weights):
        w = method(frame(base)).weights.to_numpy()
        for extended in (constant, zeros):
            got = method(frame(extended)).weights.to_numpy()
            assert got[-1] == 0.0
            assert got[:-1] == pytest.approx(w, abs=1e-12)  # the other weights do not move


def test_objective_methods_refuse_data_without_any_information() -> None:
    flat = frame(np.full((3, 2), 0.5))
    with pytest.raises(WeightingError, match="无法确定权重"):
        entropy_weights(flat)
    with pytest.raises(WeightingError, match="无法确定权重"):
        critic_weights(flat)
    with pytest.raises(WeightingError, match="空值"):
        entropy_weights(frame(np.array([[0.1, np.nan], [0.2, 0.3]])))


def test_combined_weights_blend_and_carry_provenance() -> None:
    data = frame(np.array([[0.2, 0.9, 0.4], [0.6, 0.3, 0.8], [1.0, 0.5, 0.1]]))
    objective = entropy_weights(data)
    subjective = WeightResult(pd.Series([0.5, 0.3, 0.2], index=data.columns), Provenance("official", "官方分值"))
    half = combined_weights(subjective, objective, 0.25)
    expected = 0.25 * np.array([0.5, 0.3, 0.2]) + 0.75 * objective.weights.to_numpy()
    assert half.weights.to_numpy() == pytest.approx(expected)
    assert half.weights.sum() == pytest.approx(1.0)
    assert half.provenance.params["α（主观权重占比）"] == 0.25
    assert "熵权法" in half.provenance.describe()
    assert combined_weights(subjective, objective, 1.0).weights.to_numpy() == pytest.approx([0.5, 0.3, 0.2])
    with pytest.raises(WeightingError, match="α"):
        combined_weights(subjective, objective, 1.5)


# --- rank agreement against scipy -------------------------------------------------------------------


@SEEDED
@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=3, max_size=60))
def test_spearman_and_kendall_tau_b_match_scipy(pairs: list[tuple[int, int]]) -> None:
    x = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs], dtype=float)
    assume(len(set(x)) > 1 and len(set(y)) > 1)
    assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    assert kendall_tau_b(x, y) == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-12)
