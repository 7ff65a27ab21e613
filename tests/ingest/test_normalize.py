"""Cell normalisation and header matching, one behaviour per case."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from scoring.ingest.headers import HeaderMatcher, column_letter, find_header
from scoring.ingest.normalize import column_text, dates, distinct, lookup, numbers
from scoring.ingest.sheets import SheetSpec


def one_date(value: object) -> pd.Timestamp | None:
    parsed = dates(distinct(np.array([value], dtype=object)))
    return None if np.isnat(parsed[0]) else pd.Timestamp(parsed[0])


def one_number(value: object, percent: bool = False) -> float:
    return float(numbers(distinct(np.array([value], dtype=object)), percent)[0])


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "２０２６年３月５日", " 2026-3-5 ", "20260305",
        "2026-03-05 14:30:00", dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 9, 0), 46086, 46086.75, "46086",
    ],
)  # fmt: skip
def test_every_accepted_date_spelling(value: object) -> None:
    assert one_date(value) == pd.Timestamp("2026-03-05")


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "03/05/2026", "明天", 2026, "2026", dt.date(1800, 1, 1)])
def test_impossible_or_ambiguous_dates_are_not_dates(value: object) -> None:
    assert one_date(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (3.0, 3.0),
        ("3", 3.0),
        ("３", 3.0),
        (" 3.50 ", 3.5),
        ("1,234.5", 1234.5),
        ("-2", -2.0),
        ("1e3", 1000.0),
    ],
)
def test_numbers_stored_as_text(value: object, expected: float) -> None:
    assert one_number(value) == expected


@pytest.mark.parametrize("value", ["三", "3处", "inf", "nan", "", True, "1,23"])
def test_not_numbers(value: object) -> None:
    assert math.isnan(one_number(value))


def test_percent_only_where_asked() -> None:
    assert one_number("95%", percent=True) == pytest.approx(0.95)
    assert one_number("９５％", percent=True) == pytest.approx(0.95)
    assert math.isnan(one_number("95%"))


def test_text_is_trimmed_and_nfkc() -> None:
    raw = np.array(
        ["\u3000上城区\u3000", "\xa0ＡＢＣ１２３ ", "\u200b符合", "  ", "", None, 330102.0, True], dtype=object
    )
    assert column_text(raw).tolist() == ["上城区", "ABC123", "符合", "", "", "", "330102", "是"]
    strings = np.array(["a", " b ", "Ｃ"], dtype=object)
    assert column_text(strings).tolist() == ["a", "b", "C"]


def test_distinct_values_share_codes() -> None:
    d = distinct(np.array(["符合", " 符合", "不符合", "符合", ""], dtype=object))
    assert [d.text[c] for c in d.codes] == ["符合", "符合", "不符合", "符合", ""]
    assert d.blank.tolist() == [False, False, False, False, True]


def test_lookup_by_hash_join() -> None:
    keys = pd.Series(["A", "B", None, "C"], dtype="str")
    found = lookup(keys, {"A": "甲", "C": "丙"})
    assert found.iloc[0] == "甲" and found.iloc[3] == "丙"
    assert found.isna().tolist() == [False, True, True, False]


@pytest.mark.parametrize(
    ("header", "code"),
    [("A1", "A1"), ("A1 证照齐全、亮照经营", "A1"), ("A1-证照齐全", "A1"), ("A1证照齐全", "A1"), ("a1", "A1"),
     ("Ａ１ 证照", "A1"), ("*A1", "A1"), ("证照齐全、亮照经营", "A1"), ("G3 荣誉（项数）", "G3"),
     ("A10", None), ("A1B", None), ("E3 投诉按时办结率", None), ("Q1", None), ("评估轮次*", "round"),
     ("\u3000检查 人员 ", "inspectors")],
)  # fmt: skip
def test_inspection_headers(specs: dict[str, SheetSpec], header: str, code: str | None) -> None:
    assert HeaderMatcher(specs["inspections"]).match(header) == code


def test_survey_and_alias_headers(specs: dict[str, SheetSpec]) -> None:
    assert HeaderMatcher(specs["surveys"]).match("Q8总体满意度") == "Q8"
    assert HeaderMatcher(specs["complaints"]).match("争议金额（元）") == "amount"
    assert HeaderMatcher(specs["complaints"]).match("争议金额") == "amount"


def test_header_row_found_below_titles_with_columns_in_any_order(specs: dict[str, SheetSpec]) -> None:
    rows = [["标题"], [], ["行业", "是否申报", "区县", "单位名称", "统一社会信用代码", "其他", "行业"]]
    header = find_header(rows, specs["merchants"])
    assert header.index == 2 and header.complete
    assert header.columns == {"industry": 0, "applied": 1, "district": 2, "name": 3, "uscc": 4}
    assert header.unknown == [(5, "其他")] and header.repeated == [(6, "行业")]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
