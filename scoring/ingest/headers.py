"""Finding a sheet's header row and mapping its header texts to the columns of scoring.ingest.sheets.

Headers are normalised like cells (SPEC §10.10): trim (full-width and non-breaking spaces too),
NFKC; inner spaces and a required-marker ``*`` are ignored. A header whose first characters are an
item or question code (``A1``, ``A1 证照齐全``, ``A1-证照齐全``, ``A1证照齐全``) maps to that code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scoring.ingest.sheets import SheetSpec

HEADER_SCAN_ROWS = 10  # SPEC §3: the header is on one of the first 10 rows
_CODE_PREFIX = re.compile(r"^([A-Za-z]\d{1,2})(?![0-9A-Za-z])")
_REQUIRED_MARKS = re.compile(r"^[*]+|[*]+$|[(]必填[)]$")
_SPACES = re.compile(r"\s+")


def display_text(value: Any) -> str:
    """A header cell as written in the file, trimmed (empty for blank cells)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _normal(value: Any) -> str:
    return unicodedata.normalize("NFKC", display_text(value)).strip()


def header_key(value: Any) -> str:
    """The comparison form of a header: NFKC text without spaces or required markers."""
    return _REQUIRED_MARKS.sub("", _SPACES.sub("", _normal(value)))


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class HeaderMatcher:
    """Maps header texts to the canonical column names of one sheet."""

    def __init__(self, spec: SheetSpec) -> None:
        self.spec = spec
        self.exact: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        for col in spec.columns:
            if col.kind in ("item", "answer"):
                self.codes[col.name.upper()] = col.name
                # the bare indicator name without its code also identifies the column
                bare = col.header[len(col.name) :] if col.header.startswith(col.name) else col.header
                self.exact.setdefault(header_key(bare), col.name)
            for text in (col.header, *col.aliases):
                self.exact[header_key(text)] = col.name
        self.required = tuple(c.name for c in spec.columns if c.required)

    def match(self, value: Any) -> str | None:
        key = header_key(value)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        code = _CODE_PREFIX.match(_REQUIRED_MARKS.sub("", _normal(value)))
        if code:
            return self.codes.get(code.group(1).upper())
        return None


@dataclass
class HeaderRow:
    """The header row found for one sheet (0-based ``index`` into the sheet's rows; -1 when none)."""

    index: int
    columns: dict[str, int] = field(default_factory=dict)  # canonical name -> 0-based column index
    texts: dict[str, str] = field(default_factory=dict)  # canonical name -> header as in the file
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (column index, header text)
    repeated: list[tuple[int, str]] = field(default_factory=list)  # a second column for the same field
    missing: list[str] = field(default_factory=list)  # Chinese headers of missing required columns

    @property
    def complete(self) -> bool:
        return self.index >= 0 and not self.missing

    def score(self, required: int) -> tuple[int, int, float]:
        found = required - len(self.missing)
        return (int(self.complete), len(self.columns), found / max(required, 1))


def match_row(row: Sequence[Any], matcher: HeaderMatcher, index: int) -> HeaderRow:
    """Map one candidate header row."""
    result = HeaderRow(index)
    for j, cell in enumerate(row):
        name = matcher.match(cell)
        text = display_text(cell)
        if name is None:
            if text:
                result.unknown.append((j, text))
        elif name in result.columns:
            result.repeated.append((j, text))
        else:
            result.columns[name] = j
            result.texts[name] = text
    result.missing = [matcher.spec.column(n).header for n in matcher.required if n not in result.columns]
    return result


def find_header(rows: Sequence[Sequence[Any]], spec: SheetSpec) -> HeaderRow:
    """The first of the first 10 rows holding every required header, else the best partial match."""
    matcher = HeaderMatcher(spec)
    required = len(matcher.required)
    best: HeaderRow | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        candidate = match_row(row, matcher, i)
        if candidate.complete:
            return candidate
        if candidate.columns and (best is None or candidate.score(required) > best.score(required)):
            best = candidate
    if best is None:
        return HeaderRow(-1, missing=[spec.column(n).header for n in matcher.required])
    return best


def identify(rows: Sequence[Sequence[Any]], specs: Sequence[SheetSpec]) -> tuple[SheetSpec | None, bool]:
    """The sheet whose required headers the rows match best, and whether the match is complete.

    A complete match wins (the one with most recognised columns); else the spec with the largest
    share of its required headers found, if at least half of them.
    """
    scored: list[tuple[tuple[int, int, float], SheetSpec]] = []
    for spec in specs:
        header = find_header(rows, spec)
        if header.index >= 0:
            scored.append((header.score(len(HeaderMatcher(spec).required)), spec))
    complete = [s for s in scored if s[0][0]]
    if complete:
        return max(complete, key=lambda s: s[0][1])[1], True
    partial = [s for s in scored if s[0][2] >= 0.5]
    if partial:
        return max(partial, key=lambda s: (s[0][2], s[0][1]))[1], False
    return None, False
