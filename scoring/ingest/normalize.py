"""Cell normalisation (SPEC §3), column at a time.

Free-text columns go through Arrow compute kernels over the whole column: NFKC (only on the strings
holding a character NFKC can change, found by one regex pass) and a trim of Unicode spaces
(full-width U+3000 and NBSP included) and zero-width characters. Every other column is factorised:
type-dependent parsing (numbers, dates, vocabularies) runs once per *distinct* value and is
broadcast back by the codes; an item column of 100,000 cells has a handful of distinct values.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

ObjArray = np.ndarray[Any, np.dtype[np.object_]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
DateArray = np.ndarray[Any, np.dtype[np.datetime64]]
IntArray = np.ndarray[Any, np.dtype[np.intp]]

# kinds of a distinct raw value
STR, NUM, DATE, BOOL, OTHER, EMPTY = range(6)

# Trimmed from both ends of every cell: Unicode spaces (full-width U+3000 and NBSP included) and
# zero-width characters that survive copy-paste from web pages.
TRIM_CHARACTERS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u200b\u200c\u200d\u2060\ufeff"
NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
DATE_TEXT = (
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
DATE_COMPACT = r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Excel serial numbers accepted as dates: 1910-01-01 … 2100-12-31 (a bare year such as 2026 is not one)
SERIAL_MIN, SERIAL_MAX = 3654, 73415
YEAR_MIN, YEAR_MAX = 1900, 2100


@functools.cache
def _nfkc_sensitive() -> str:
    """A regex class of every character NFKC may change (or compose with its neighbour).

    A string without any of them is already NFKC, so the (slow) normaliser runs only on the few
    strings that need it: full-width letters and digits, compatibility ideographs, odd spaces.
    """
    points = [
        cp
        for cp in range(0x30000)
        if not 0xD800 <= cp < 0xE000
        and (
            unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
            or unicodedata.category(chr(cp)).startswith("M")
            or 0x1100 <= cp < 0x1200  # Hangul jamo compose
        )
    ]
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


def arrow_strings(values: Any) -> Any | None:
    """The column as an Arrow string array (empty cells as ""), or None when a cell is not text."""
    try:
        arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return None
    return pc.fill_null(arr, "")


def normalise_strings(arr: Any) -> Any:
    """NFKC, then trim (Unicode spaces and zero-width characters) an Arrow string array."""
    if not pc.all(pc.string_is_ascii(arr)).as_py():
        needs = pc.match_substring_regex(arr, _nfkc_sensitive())
        if pc.any(needs).as_py():
            arr = pc.replace_with_mask(arr, needs, pc.utf8_normalize(pc.filter(arr, needs), form="NFKC"))
    return pc.utf8_trim(arr, characters=TRIM_CHARACTERS)


def _kind(value: Any) -> int:
    if isinstance(value, str):
        return STR
    if isinstance(value, bool | np.bool_):
        return BOOL
    if isinstance(value, int | float | np.integer | np.floating):
        return NUM
    if isinstance(value, dt.date):
        return DATE
    return OTHER


def _format(value: Any, kind: int) -> str:
    """Text of a non-string cell: whole numbers without '.0', dates as YYYY-MM-DD, TRUE/FALSE as 是/否."""
    if kind == NUM:
        number = float(value)
        if not np.isfinite(number):
            return ""
        return str(int(number)) if number.is_integer() else repr(number)
    if kind == BOOL:
        return "是" if value else "否"
    if kind == DATE:
        if isinstance(value, dt.datetime) and value.time() != dt.time(0):
            return str(value.strftime("%Y-%m-%d %H:%M:%S"))
        return str(value.strftime("%Y-%m-%d"))
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class Distinct:
    """A column factorised: row ``i`` holds ``raw[codes[i]]``, whose normalised text is ``text[codes[i]]``.

    ``kind`` classifies each distinct raw value (STR, NUM, DATE, BOOL, OTHER, EMPTY); string values in
    ``raw`` are already normalised, so ``raw == text`` for them.
    """

    codes: IntArray
    raw: ObjArray
    text: ObjArray
    kind: np.ndarray[Any, np.dtype[np.int8]]

    def per_row(self, per_value: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Broadcast an array computed per distinct value to the rows."""
        return per_value[self.codes]

    def strings(self, per_value: ObjArray) -> pd.Series:
        """Broadcast text computed per distinct value to a ``str`` Series ("" becomes NaN)."""
        values = pa.array(per_value, type=pa.large_string())
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.large_string()), values)
        return pd.Series(pc.take(values, pa.array(self.codes)), dtype="str")

    @property
    def blank(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Per row: the cell is empty after normalisation."""
        return np.asarray(self.text == "", dtype=bool)[self.codes]


def distinct(values: ObjArray) -> Distinct:
    """Factorise a column of raw cells and normalise each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    raw = np.concatenate([np.asarray(uniques, dtype=object), np.array([None], dtype=object)])  # last: NA cells
    codes = np.where(codes < 0, len(raw) - 1, codes).astype(np.intp)
    kind = np.array([_kind(v) for v in raw[:-1]] + [EMPTY], dtype=np.int8)
    text = np.array([_format(v, k) for v, k in zip(raw, kind, strict=True)], dtype=object)
    is_str = kind == STR
    if is_str.any():
        normalised = normalise_strings(pa.array(raw[is_str], type=pa.large_string()))
        text[is_str] = normalised.to_numpy(zero_copy_only=False)
        raw = raw.copy()
        raw[is_str] = text[is_str]
    return Distinct(codes, raw, text, kind)


def column_text(values: ObjArray) -> pd.Series:
    """The normalised text of every cell of a column ("" for blank), as a pandas ``str`` Series."""
    strings = arrow_strings(values)
    if strings is not None:
        return pd.Series(normalise_strings(strings), dtype="str")
    d = distinct(values)
    return pd.Series(d.per_row(d.text), dtype="str")


def lookup(keys: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """``mapping[key]`` for every key of a str Series (NaN where absent), by Arrow hash join."""
    if not mapping or keys.empty:
        return pd.Series(np.nan, index=keys.index, dtype="str")
    known = pa.array(list(mapping), type=pa.large_string())
    found = pa.array(list(mapping.values()), type=pa.large_string())
    position = pc.index_in(pa.array(keys.astype("str"), type=pa.large_string()), value_set=known)
    values: pd.Series = pd.Series(pc.take(found, position), index=keys.index, dtype="str")
    return values


def numbers(d: Distinct, percent: bool = False) -> FloatArray:
    """Per distinct value: the number it holds (numbers stored as text too), NaN when none.

    With ``percent``, ``95%`` reads as 0.95. Thousands separators (``1,234.5``) are accepted.
    """
    out = np.full(len(d.raw), np.nan)
    num = d.kind == NUM
    if num.any():
        out[num] = d.raw[num].astype(float)
    is_str = np.flatnonzero(d.kind == STR)
    if len(is_str):
        text = pd.Series(d.text[is_str], dtype="str")
        divisor = pd.Series(1.0, index=text.index)
        if percent:
            pct = text.str.endswith("%")
            divisor[pct] = 100.0
            text = text.where(~pct, text.str.slice(0, -1).str.strip())
        text = text.where(~text.str.fullmatch(THOUSANDS), text.str.replace(",", "", regex=False))
        ok = text.str.fullmatch(NUMBER)
        values = pd.to_numeric(text.where(ok), errors="coerce").astype(float) / divisor
        out[is_str] = values.to_numpy(dtype=float, na_value=np.nan)
    out[~np.isfinite(out)] = np.nan
    return out


def whole(values: FloatArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True where a number is a whole number (3.0 from Excel counts; 3.5 does not)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.abs(values - np.round(values)) < 1e-9)


def _from_parts(parts: pd.DataFrame) -> pd.Series:
    years = pd.to_numeric(parts["y"])
    parts = parts.where(pd.Series(years.between(YEAR_MIN, YEAR_MAX), index=parts.index))
    frame = pd.DataFrame({"year": parts["y"], "month": parts["m"], "day": parts["d"]}).apply(pd.to_numeric)
    stamps: pd.Series = pd.to_datetime(frame, errors="coerce")
    return stamps


def dates(d: Distinct) -> DateArray:
    """Per distinct value: the date it holds (Excel date, serial number or any SPEC §3 spelling), else NaT."""
    out = pd.Series(pd.NaT, index=range(len(d.raw)), dtype="datetime64[ns]")
    is_date = np.flatnonzero(d.kind == DATE)
    if len(is_date):
        years = np.array([v.year for v in d.raw[is_date]])
        is_date = is_date[(years >= YEAR_MIN) & (years <= YEAR_MAX)]
        stamps = pd.to_datetime(pd.Series(list(d.raw[is_date]), dtype=object), errors="coerce")
        out.iloc[is_date] = stamps.dt.normalize().to_numpy()
    serial = numbers(d)
    serial_mask = (serial >= SERIAL_MIN) & (serial < SERIAL_MAX + 1) & (d.kind != DATE)
    is_serial = np.flatnonzero(serial_mask)
    if len(is_serial):
        days = pd.to_timedelta(np.floor(serial[is_serial]), unit="D")
        out.iloc[is_serial] = (EXCEL_EPOCH + days).to_numpy()
    is_str = np.flatnonzero((d.kind == STR) & ~serial_mask)
    if len(is_str):
        text = pd.Series(d.text[is_str], dtype="str")
        for pattern in (DATE_TEXT, DATE_COMPACT):
            parts = text.str.extract(f"^{pattern}$")
            found = parts["y"].notna().to_numpy()
            if found.any():
                out.iloc[is_str[found]] = _from_parts(parts[found]).to_numpy()
    return np.asarray(out.to_numpy(dtype="datetime64[ns]"))
