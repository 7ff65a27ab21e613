"""Duplicate natural keys within one upload (SPEC §3, §10.12) and the permutation property."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.parse import parse_sheet
from scoring.ingest.reader import RawSheet
from scoring.ingest.refs import ReferenceData
from scoring.ingest.results import SheetResult
from scoring.ingest.sheets import SheetSpec
from tests.ingest.conftest import GOOD, ROUND, inspection_row, reasons, uscc

UNREGISTERED = uscc(77)


def refs() -> ReferenceData:
    return ReferenceData(districts={"上城区"}, rounds={ROUND, "2026年中期评估"}, merchants={u: "" for u in GOOD})


def inspections(specs: dict[str, SheetSpec], rows: list[list[object]], system: IndicatorSystem) -> SheetResult:
    spec = specs["inspections"]
    cells = np.array([list(spec.headers), *rows], dtype=object)
    return parse_sheet(RawSheet("t.xlsx", "实地检查", spec.key, cells), spec, system, refs=refs())


def test_the_later_row_is_rejected_naming_the_first(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    rows = [
        inspection_row(specs, GOOD[0]),  # row 2
        inspection_row(specs, GOOD[1]),  # row 3
        inspection_row(specs, GOOD[0].lower(), A2=5),  # row 4: same key once normalised
        inspection_row(specs, GOOD[0], round="2026年中期评估"),  # row 5: another round, another key
        inspection_row(specs, GOOD[1]),  # row 6
    ]
    result = inspections(specs, rows, system)
    assert reasons(result) == {4: ["与第 2 行重复"], 6: ["与第 3 行重复"]}
    assert result.frame["row"].tolist() == [2, 3, 5]
    assert result.frame.loc[0, "A2"] == 0.0  # the first row wins within an upload


def test_a_duplicate_of_a_rejected_row_is_stored(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    rows = [inspection_row(specs, GOOD[0], A1="良好"), inspection_row(specs, GOOD[0])]
    result = inspections(specs, rows, system)
    assert (result.stored, result.rejected) == (1, 1)
    assert result.frame["row"].tolist() == [3]
    assert reasons(result) == {2: ['无法识别"良好"，应填写 符合/不符合/不适用']}


ROW = st.tuples(
    st.sampled_from([*GOOD, UNREGISTERED]),
    st.sampled_from([ROUND, "2026年中期评估", "2025年评估"]),
    st.sampled_from(["符合", "不适用", "良好"]),
    st.booleans(),  # a blank row instead
)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), drawn=st.lists(ROW, max_size=25))
def test_permuting_rows_keeps_the_set_of_valid_keys(
    system: IndicatorSystem, specs: dict[str, SheetSpec], data: st.DataObject, drawn: list[tuple[str, str, str, bool]]
) -> None:
    def rows(items: list[tuple[str, str, str, bool]]) -> list[list[object]]:
        width = len(specs["inspections"].columns)
        return [[None] * width if blank else inspection_row(specs, u, round=r, A1=a1) for u, r, a1, blank in items]

    shuffled = data.draw(st.permutations(drawn))
    before = inspections(specs, rows(drawn), system)
    after = inspections(specs, rows(list(shuffled)), system)
    keys = {tuple(k) for k in before.frame[["uscc", "round"]].to_numpy().tolist()}
    assert keys == {tuple(k) for k in after.frame[["uscc", "round"]].to_numpy().tolist()}
    expected = {
        (u, r) for u, r, a1, blank in drawn if not blank and u != UNREGISTERED and r != "2025年评估" and a1 != "良好"
    }
    assert keys == expected
    for result in (before, after):
        assert result.read == result.stored + result.rejected + result.blank
        assert result.stored == len(keys)
