"""Column parsers: one per column kind of scoring.ingest.sheets, each returning typed values per row
and recording a Chinese reason for every cell it cannot accept.

Everything is computed on whole columns (or on a column's distinct values and broadcast back); the
only per-row Python work happens for cells already known to be wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.engine import uscc
from scoring.engine.indicators import CHECK_VALUES, NOT_APPLICABLE, BonusItem, Indicator
from scoring.ingest.normalize import (
    EMPTY,
    DateArray,
    Distinct,
    FloatArray,
    IntArray,
    ObjArray,
    column_text,
    dates,
    distinct,
    numbers,
    whole,
)
from scoring.ingest.sheets import CHECK_ALIASES, LIKERT_LABELS, YES_NO

BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
ERROR, WARNING = "错误", "警告"
BLANK = "未填写"
ITEM_BLANK = f"未填写；不适用请填写'{NOT_APPLICABLE}'"
DATE_FORMATS = "2026-03-05、2026/3/5、2026.3.5、2026年3月5日"


def listing(values: Iterable[str], limit: int = 12) -> str:
    """Values joined by 、, cut with … after ``limit``."""
    items = list(values)
    text = "、".join(items[:limit])
    return text + ("…" if len(items) > limit else "")


@dataclass
class ColumnData:
    """One column of a sheet's data rows: dense text (text kinds) or factorised values (other kinds)."""

    name: str
    header: str  # as in the file; the template header when the column is absent
    index: int  # 0-based column index in the file; -1 when absent
    text: pd.Series | None = None
    values: Distinct | None = None

    @classmethod
    def read(cls, name: str, header: str, index: int, raw: ObjArray, dense: bool) -> ColumnData:
        """Normalise a present column: dense text for free-text kinds, factorised values otherwise."""
        if dense:
            return cls(name, header, index, text=column_text(raw))
        return cls(name, header, index, values=distinct(raw))

    @classmethod
    def absent(cls, name: str, header: str, n: int, dense: bool) -> ColumnData:
        """A column missing from the file: n blank cells."""
        if dense:
            return cls(name, header, -1, text=pd.Series([""] * n, dtype="str"))
        empty = Distinct(
            np.zeros(n, dtype=np.intp),
            np.array([None], dtype=object),
            np.array([""], dtype=object),
            np.array([EMPTY], dtype=np.int8),
        )
        return cls(name, header, -1, values=empty)

    def head(self, n: int) -> ColumnData:
        """The first n rows."""
        if self.text is not None:
            return ColumnData(self.name, self.header, self.index, text=self.text.iloc[:n].reset_index(drop=True))
        assert self.values is not None
        v = self.values
        return ColumnData(self.name, self.header, self.index, values=Distinct(v.codes[:n], v.raw, v.text, v.kind))

    @property
    def present(self) -> bool:
        return self.index >= 0

    @property
    def blank(self) -> BoolArray:
        if self.text is not None:
            return np.asarray(self.text == "", dtype=bool)
        assert self.values is not None
        return self.values.blank

    def text_at(self, rows: IntArray) -> list[str]:
        if self.text is not None:
            return [str(t) for t in self.text.to_numpy()[rows]]
        assert self.values is not None
        return [str(t) for t in self.values.text[self.values.codes[rows]]]


@dataclass
class Finding:
    column: str  # canonical column name
    level: str  # 错误 | 警告
    mask: BoolArray
    reason: str | ObjArray  # one reason, or one per row
    value: ObjArray | None = None  # the value to show instead of the cell's text


@dataclass
class Problems:
    """Every error and warning of one sheet; at most one error per cell (the first found)."""

    n: int
    skip: BoolArray  # blank rows: never reported
    findings: list[Finding] = field(default_factory=list)
    _cell_error: dict[str, BoolArray] = field(default_factory=dict)

    def error(self, column: str, mask: BoolArray, reason: str | ObjArray, value: ObjArray | None = None) -> None:
        mask = mask & ~self.skip
        prior = self._cell_error.get(column)
        if prior is not None:
            mask &= ~prior
        self._cell_error[column] = mask if prior is None else prior | mask
        if mask.any():
            self.findings.append(Finding(column, ERROR, mask, reason, value))

    def warn(self, column: str, mask: BoolArray, reason: str | ObjArray) -> None:
        mask = mask & ~self.skip
        if mask.any():
            self.findings.append(Finding(column, WARNING, mask, reason))

    def rows(self, level: str, column: str | None = None) -> BoolArray:
        """Rows with a finding of ``level`` (in ``column`` only, when given)."""
        out = np.zeros(self.n, dtype=bool)
        for f in self.findings:
            if f.level == level and column in (None, f.column):
                out |= f.mask
        return out


def _reject(col: ColumnData, problems: Problems, per_value_reason: ObjArray, required: bool, blank_reason: str) -> None:
    """Broadcast per-distinct reasons to rows, and the blank reason to blank required cells."""
    assert col.values is not None
    if required:
        problems.error(col.name, col.blank, blank_reason)
    bad = per_value_reason != ""
    if bad.any():
        problems.error(col.name, col.values.per_row(bad), col.values.per_row(per_value_reason))


def _reasons(d: Distinct, bad: BoolArray, make: Callable[[str], str]) -> ObjArray:
    out = np.full(len(d.text), "", dtype=object)
    for i in np.flatnonzero(bad & (d.text != "")):
        out[i] = make(str(d.text[i]))
    return out


def text(col: ColumnData, problems: Problems, required: bool) -> pd.Series:
    """Free text: NaN where blank."""
    assert col.text is not None
    if required:
        problems.error(col.name, col.blank, BLANK)
    return col.text.mask(col.text == "")


def uscc_codes(col: ColumnData, problems: Problems, required: bool) -> tuple[pd.Series, BoolArray]:
    """Upper-cased codes and the rows whose code is well formed; malformed codes are errors."""
    assert col.text is not None
    codes = col.text.str.upper()
    blank = col.blank
    if required:
        problems.error(col.name, blank, BLANK)
    structure = uscc.structure_problem(codes)
    bad = (structure != "").to_numpy(dtype=bool) & ~blank
    if bad.any():
        reason = np.full(problems.n, "", dtype=object)
        reason[bad] = ("统一社会信用代码" + structure[bad]).to_numpy(dtype=object)
        problems.error(col.name, bad, reason)
    return codes.mask(blank), ~bad & ~blank


def check_character_warnings(col: ColumnData, codes: pd.Series, rows: BoolArray, problems: Problems) -> None:
    """Warn (never reject) where a well-formed code's check character differs from GB 32100-2015."""
    idx = np.flatnonzero(rows)
    if not len(idx):
        return
    ok = uscc.check_character_ok(codes.iloc[idx]).to_numpy(dtype=bool)
    wrong = idx[~ok]
    if not len(wrong):
        return
    reason = np.full(problems.n, "", dtype=object)
    for i in wrong:
        reason[i] = f"校验位不符合 GB 32100-2015，应为 {uscc.check_character(str(codes.iloc[i])[:17])}"
    mask = np.zeros(problems.n, dtype=bool)
    mask[wrong] = True
    problems.warn(col.name, mask, reason)


def date(col: ColumnData, problems: Problems, required: bool) -> DateArray:
    assert col.values is not None
    d = col.values
    parsed = dates(d)
    reason = _reasons(d, np.isnat(parsed), lambda t: f'无法识别的日期"{t}"（可用格式：{DATE_FORMATS}）')
    _reject(col, problems, reason, required, BLANK)
    return np.asarray(d.per_row(parsed))


def choice(
    col: ColumnData,
    problems: Problems,
    required: bool,
    allowed: Iterable[str],
    message: Callable[[str], str] | None = None,
) -> pd.Series:
    """A closed vocabulary: the text must be one of ``allowed``."""
    assert col.values is not None
    d = col.values
    options = list(allowed)
    bad = ~np.isin(d.text, options)
    make = message or (lambda t: f'"{t}"不是有效的{col.header}（可选：{listing(options)}）')
    _reject(col, problems, _reasons(d, bad, make), required, BLANK)
    return d.strings(d.text)


def yes_no(col: ColumnData, problems: Problems, required: bool) -> pd.Series:
    """是/否 as a nullable boolean."""
    assert col.values is not None
    d = col.values
    value = np.array([{"是": True, "否": False}.get(str(t)) for t in d.text], dtype=object)
    bad = np.array([v is None for v in value])
    _reject(col, problems, _reasons(d, bad, lambda t: f'应填写"是"或"否"，实际为"{t}"'), required, BLANK)
    return pd.Series(d.per_row(value), dtype="boolean")


def amount(col: ColumnData, problems: Problems, required: bool) -> FloatArray:
    """A number ≥ 0 (thousands separators accepted)."""
    assert col.values is not None
    d = col.values
    value = numbers(d)
    bad = ~(value >= 0)
    _reject(col, problems, _reasons(d, bad, lambda t: f'应为不小于 0 的数字，实际为"{t}"'), required, BLANK)
    return np.asarray(d.per_row(value), dtype=float)


def check_item(col: ColumnData, problems: Problems, indicator: Indicator) -> pd.Series:
    """符合/部分符合/不符合/不适用 (✓ √ 是 → 符合, ✗ × 否 → 不符合); 部分符合 only where it earns points."""
    assert col.values is not None
    d = col.values
    allowed = [v for v in CHECK_VALUES if v in indicator.check_points] + [NOT_APPLICABLE]
    mapped = np.array([CHECK_ALIASES.get(str(t), str(t)) for t in d.text], dtype=object)
    bad = ~np.isin(mapped, allowed)
    options = "/".join(allowed)
    reason = _reasons(d, bad, lambda t: f'无法识别"{t}"，应填写 {options}')
    partial = bad & (mapped == "部分符合")
    reason[partial] = f"此项没有“部分符合”，应填写 {options}"
    _reject(col, problems, reason, True, ITEM_BLANK)
    return d.strings(mapped)


def deduct_item(col: ColumnData, problems: Problems) -> FloatArray:
    """Findings: a whole number ≥ 0, or 不适用 (NaN)."""
    assert col.values is not None
    d = col.values
    value = numbers(d)
    na = d.text == NOT_APPLICABLE
    bad = ~(whole(value) & (value >= 0)) & ~na
    reason = _reasons(d, bad, lambda t: f'应为发现问题处数（不小于 0 的整数）或"{NOT_APPLICABLE}"，实际为"{t}"')
    _reject(col, problems, reason, True, ITEM_BLANK)
    value[na] = np.nan
    return np.asarray(d.per_row(np.round(value)), dtype=float)


def bonus_item(col: ColumnData, problems: Problems, item: BonusItem) -> FloatArray:
    """A flag item takes 是/否 (1.0/0.0); a count item a whole number ≥ 0."""
    assert col.values is not None
    d = col.values
    if item.kind == "flag":
        value = np.array([{YES_NO[0]: 1.0, YES_NO[1]: 0.0}.get(str(t), np.nan) for t in d.text], dtype=float)
        reason = _reasons(d, np.isnan(value), lambda t: f'应填写"是"或"否"，实际为"{t}"')
    else:
        value = numbers(d)
        bad = ~(whole(value) & (value >= 0))
        reason = _reasons(d, bad, lambda t: f'应为项数（不小于 0 的整数），实际为"{t}"')
    _reject(col, problems, reason, True, BLANK)
    return np.asarray(d.per_row(np.round(value)), dtype=float)


def answer(col: ColumnData, problems: Problems) -> FloatArray:
    """A Likert answer 1–5 or its label; blank = unanswered (NaN)."""
    assert col.values is not None
    d = col.values
    value = numbers(d)
    label = np.array([LIKERT_LABELS.get(str(t), np.nan) for t in d.text], dtype=float)
    value = np.where(np.isnan(label), value, label)
    bad = ~(whole(value) & (value >= 1) & (value <= 5))
    reason = _reasons(d, bad, lambda t: f'应为 1–5 的整数或 {"/".join(LIKERT_LABELS)}，实际为"{t}"')
    _reject(col, problems, reason, False, BLANK)
    return np.asarray(d.per_row(value), dtype=float)
