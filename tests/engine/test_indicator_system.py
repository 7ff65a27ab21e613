"""The indicator system is data: validated on load, identified by hash, and it changes results."""

from __future__ import annotations

import hashlib

import pytest

from scoring.engine.indicators import IndicatorSystem, IndicatorSystemError, load_indicator_system
from scoring.engine.scores import score_round
from tests.engine.conftest import DEFAULT_YAML, inspection, make_round, merchant

TEXT = DEFAULT_YAML.read_text(encoding="utf-8")


def variant() -> str:
    """C1 max 8 → 10 (still 2 per finding) and D3 removed."""
    text = TEXT.replace(
        "        type: deduct\n        max: 8\n        per_finding: 2",
        "        type: deduct\n        max: 10\n        per_finding: 2",
    )
    start = text.index("      - code: D3")
    end = text.index("  - code: E")
    return text[:start] + text[end:]


def test_default_system_shape(system: IndicatorSystem) -> None:
    assert [d.code for d in system.dimensions] == list("ABCDEF")
    assert [d.max_points for d in system.dimensions] == [15, 20, 15, 20, 20, 10]
    assert system.bonus_cap == 15 and [b.code for b in system.bonus_items] == ["G1", "G2", "G3", "G4"]
    assert system.content_hash == hashlib.sha256(DEFAULT_YAML.read_bytes()).hexdigest()
    assert system.inspection_items == (
        "A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "D1", "D2", "D3", "E1", "E2", "G1", "G2", "G3", "G4",
    )  # fmt: skip


def test_second_version_gives_hand_computed_results(system: IndicatorSystem) -> None:
    other = load_indicator_system(variant())
    assert other.content_hash != system.content_hash
    assert "D3" not in [i.code for i in other.indicators] and other.indicator("C1").max_points == 10
    data = make_round([merchant("U1")], [inspection("U1", A2=3.0, C1=2.0, D3="部分符合", B3="不适用")])
    old = score_round(data, system).iloc[0]
    new = score_round(data, other).iloc[0]
    # default: 73 / 86 → 84.88 (see test_scores). variant: C1 10 − 4 = 6, D3 gone:
    # earned = 73 − 4 + 6 − 4 = 71; possible = 86 + 2 − 8 = 80 → 88.75
    assert old["base"] == 84.88
    assert new["C1"] == 6.0 and "D3" not in new.index
    assert new["base"] == 88.75 and new["grade"] == "良好"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace("type: check\n        points: {符合: 5, 不符合: 0}", "type: magic"),
            "未知的规则类型 'magic'",
        ),
        (lambda t: t.replace("per_finding: 2\n", "per_finding: 两分\n", 1), "per_finding 应为数字"),
        (lambda t: t.replace("{符合: 4, 不符合: 0}", "{符合: 4, 基本符合: 2, 不符合: 0}", 1), "未知的检查结果"),
        (lambda t: t.replace("lo: 0.80\n        hi: 1.00", "lo: 0.80\n        hi: 0.50"), "hi 必须大于 lo"),
        (lambda t: t.replace("code: A2", "code: A1"), "指标代码 A1 重复"),
        (lambda t: t.replace("schema: 1", "schema: 9"), "schema 应为 1"),
        (lambda t: t.replace("survey_indicator: F1", "survey_indicator: F9"), "未知的指标 F9"),
        (lambda t: "dimensions: [unclosed", "不是有效的 UTF-8 YAML"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(change: object, message: str) -> None:
    with pytest.raises(IndicatorSystemError) as info:
        load_indicator_system(change(TEXT))  # type: ignore[operator]
    assert any(message in p for p in info.value.problems), info.value.problems


def test_every_problem_is_listed_at_once() -> None:
    bad = TEXT.replace("per_finding: 2\n", "per_finding: x\n", 1).replace("schema: 1", "schema: 2")
    with pytest.raises(IndicatorSystemError) as info:
        load_indicator_system(bad)
    assert len(info.value.problems) == 2
