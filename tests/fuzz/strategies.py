"""Hypothesis strategies for messy uploads: cells, headers and whole files (xlsx and CSV)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from scoring.ingest.sheets import SheetSpec
from tests.hostile.xlsx_parts import Sheet, xlsx

SPACES = " \u3000\u00a0\t"
FULL_WIDTH = "０１２３４５６７８９ＡＢＣ＝＋－＠"
TRICKY = ["", "不适用", "符合", "是", "否", "✓", "×", "95%", "1,200", "2026年3月5日", "2026/3/5", "=1+1", "@SUM(A1)",
          "-2+3", "＋1", "N/A", "#REF!", "\x00", "\u202e", "😀", "9" * 30]  # fmt: skip


@st.composite
def padded(draw: Any, inner: st.SearchStrategy[str]) -> str:
    """A text with stray spaces (half-width, full-width, non-breaking) around it."""
    pad = st.text(alphabet=SPACES, max_size=2)
    return draw(pad) + draw(inner) + draw(pad)


def cells() -> st.SearchStrategy[Any]:
    """One cell as calamine or csv might give it: text (messy), number, date, bool or blank."""
    text = st.one_of(
        st.sampled_from(TRICKY),
        st.text(max_size=12),
        st.text(alphabet=FULL_WIDTH, max_size=6),
    )
    return st.one_of(
        padded(text),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
        st.booleans(),
        st.none(),
    )


def headers(spec: SheetSpec) -> st.SearchStrategy[list[str]]:
    """A sheet's header row, shuffled, with a required marker or spaces here and there, maybe a column dropped."""
    names = [c.header for c in spec.columns]

    @st.composite
    def build(draw: Any) -> list[str]:
        chosen = draw(st.permutations(names))
        keep = draw(st.integers(min_value=max(1, len(chosen) - 2), max_value=len(chosen)))
        marks = st.sampled_from(["", "*", " ", "（必填）", "\u3000"])
        return [draw(marks) + h + draw(marks) for h in chosen[:keep]] + draw(st.lists(st.text(max_size=5), max_size=2))

    return build()


def rows(spec: SheetSpec, max_rows: int = 8) -> st.SearchStrategy[list[list[Any]]]:
    """A title row maybe, a header row, then rows of messy cells."""

    @st.composite
    def build(draw: Any) -> list[list[Any]]:
        header = draw(headers(spec))
        title = draw(st.lists(st.just(["2026 年 导出"]), max_size=1))
        body = draw(st.lists(st.lists(cells(), min_size=0, max_size=len(header) + 1), max_size=max_rows))
        return [*title, header, *body]

    return build()


def _csv_text(table: list[list[Any]], delimiter: str) -> str:
    def text(value: Any) -> str:
        if value is None:
            return ""
        value = str(value)
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "\r\n".join(delimiter.join(text(v) for v in row) for row in table)


def files(specs: list[SheetSpec]) -> st.SearchStrategy[tuple[str, bytes]]:
    """A whole upload: an xlsx of one or two template sheets, or a CSV in UTF-8 / GB18030 / UTF-16."""

    @st.composite
    def build(draw: Any) -> tuple[str, bytes]:
        spec = draw(st.sampled_from(specs))
        table = draw(rows(spec))
        kind = draw(st.sampled_from(["xlsx", "utf-8-sig", "gb18030", "utf-16"]))
        if kind == "xlsx":
            return f"{spec.title}.xlsx", xlsx([Sheet.of(spec.title, table)])
        delimiter = "\t" if kind == "utf-16" else draw(st.sampled_from([",", ";", "\t"]))
        text = _csv_text(table, delimiter)
        try:
            data = text.encode(kind)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
        return f"{spec.title}.csv", data

    return build()
