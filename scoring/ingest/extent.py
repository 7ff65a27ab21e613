"""The extent of a worksheet's non-empty cells, found by streaming its XML (used by the upload gate).

calamine allocates rows × columns of the bounding box of the non-empty cells before returning, so
the gate must find a far-away cell from the raw XML. A piece whose every cell starts
``<c r="X12345"`` (one letter, at most five digits: nothing near a limit) is recognised by a few
vectorised byte comparisons (numpy; several times cheaper than the regular expression they
replace, with which they agree on any input). Any other piece goes through two regular
expressions at C speed: every ``r="…"`` reference beyond the limits, and those of them that
belong to a provably empty cell (``<c r="A500000" s="1"/>``: formatting only, which calamine
skips). Any other far reference refuses the sheet, wherever it sits, so tricks with quoting or
``>`` inside attribute values can only cause a refusal, never a miss. Cells written without ``r``
(allowed by the standard, rare in practice) take their position from the row and the cell before
them; for those pieces a slower tag-by-tag pass keeps that count, as calamine does.
"""

from __future__ import annotations

import re

import numpy as np

_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])(" + _ATTRS + rb")>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(["'])(.*?)\1""", re.DOTALL)
_REF = re.compile(rb"([A-Za-z]*)0*([0-9]+)")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|row)[\s/>]")
_PREFIX_HINT = re.compile(rb":(?:c|row)[\s/>]")  # in every _PREFIXED match; starts with a rare byte
_NONCANONICAL = re.compile(rb"""<c(?:[\t\n\r>/]| (?!r="))""")  # a cell that does not start <c r="
_TAG_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")
_EMPTY_AFTER = re.compile(rb"\s*</")
# A cell start that is not <c r="X12345"…: another form, a second column letter, or a 6-digit row.
_UNUSUAL = re.compile(rb"""<c(?:[^\w:.\- ]| (?!r="[A-Za-z][0-9]{1,5}"))""")
# Bytes that continue an element name after "<c" (<col, <cfRule, <c:…): [\w:.\-] of _UNUSUAL.
_NAME_BYTE = np.zeros(256, dtype=bool)
_NAME_BYTE[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:.-")] = True
_LT, _C, _QUOTE = ord("<"), ord("c"), ord('"')


def _usual(piece: bytes) -> bool:
    """``not _UNUSUAL.search(piece)``, vectorised: every cell start is <c r="X1"… to <c r="X12345"….

    Finds every "<c" not followed by a name byte, then checks the bytes after each at once.
    """
    a = np.frombuffer(piece, dtype=np.uint8)
    n = len(a)
    if n < 3:
        return _UNUSUAL.search(piece) is None
    at = np.flatnonzero((a[:-2] == _LT) & (a[1:-1] == _C))
    at = at[~_NAME_BYTE[a[at + 2]]]
    if not len(at):
        return True
    if at[-1] + 13 > n:  # a cell start near the end: compare against NUL padding, which matches nothing
        a = np.frombuffer(piece + bytes(13), dtype=np.uint8)
    for offset, byte in enumerate(b' r="', start=2):
        if not (a[at + offset] == byte).all():
            return False
    letter = ((a[at + 6] | np.uint8(32)) - np.uint8(97)) < 26  # uint8 arithmetic wraps: a range test
    if not (letter & ((a[at + 7] - np.uint8(48)) < 10)).all():
        return False
    closed = a[at + 12] == _QUOTE  # the reference ends with the quote after 1–5 digits
    for offset in (11, 10, 9, 8):
        b = a[at + offset]
        closed = (b == _QUOTE) | (((b - np.uint8(48)) < 10) & closed)
    return bool(closed.all())


def _prefixed(piece: bytes) -> bool:
    return _PREFIX_HINT.search(piece) is not None and _PREFIXED.search(piece) is not None


class ExtentError(Exception):
    """A non-empty cell beyond the limits: its 1-based row and its column letters."""

    def __init__(self, row: int, column: str) -> None:
        super().__init__(f"{column}{row}")
        self.row = row
        self.column = column


def column_index(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def column_letters(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _class(chars: str) -> str:
    return "[" + "".join(sorted(set(chars + chars.lower()))) + "]"


def _greater(value: str, alphabet: str, lead: str) -> str:
    """A regex for strings over ``alphabet`` greater than ``value`` (longer, or as long and later)."""
    n = len(value)
    alternatives = [f"{_class(lead)}{_class(alphabet)}{{{n},}}"]
    for i, ch in enumerate(value):
        higher = alphabet[alphabet.index(ch) + 1 :]
        if higher:
            rest = n - i - 1
            tail = f"{_class(alphabet)}{{{rest}}}" if rest else ""
            alternatives.append(re.escape(value[:i]) + _class(higher) + tail)
    return "(?:" + "|".join(alternatives) + ")"


class SheetExtent:
    """Feed a worksheet's XML in pieces cut after a ``>``; raises ``ExtentError`` past the limits."""

    def __init__(self, max_row: int, max_column: int) -> None:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        far_column = _greater(column_letters(max_column), letters, letters)
        far_row = _greater(str(max_row), "0123456789", "123456789")
        far = f'<c r="(?:{far_column}[0-9]*|[A-Za-z]+0*{far_row})"'.encode()
        self._far = re.compile(far)
        # the usual formatted empty cell: plain attributes, then '/>' or '></c>'
        self._far_formatted = re.compile(far + rb"""(?:\s+[\w:.\-]+\s*=\s*"[^"<>]*")*\s*(?:/>|>\s*</c>)""")
        self._far_empty = re.compile(far + rb"(?:" + _ATTRS[:-1] + rb"*?/>|" + _ATTRS + rb">\s*</)")
        self.max_row = max_row
        self.max_column = max_column
        self.row = 0  # the current row (1-based) for cells written without r
        self.column = 0

    def feed(self, piece: bytes) -> None:
        # One cheap pass for the usual piece: every cell is <c r="A1234"…> (one letter, ≤ 5 digits).
        prefixed = _prefixed(piece)
        if not prefixed and _usual(piece):
            self._follow(piece)
        elif prefixed or _NONCANONICAL.search(piece):
            self._walk(piece)  # some cell is not written <c r="…" …>: count positions tag by tag
        else:
            if self._far.search(piece):
                self._refuse_far(piece)
            self._follow(piece)

    def _refuse_far(self, piece: bytes) -> None:
        """Every cell of the piece starts <c r="…": a far one must be a formatted empty cell."""
        if len(self._far.findall(piece)) == len(self._far_formatted.findall(piece)):
            return  # calamine skips formatted empty cells
        for match in self._far.finditer(piece):
            if self._far_empty.match(piece, match.start()):
                continue
            ref = _REF.match(piece, match.start() + 6)
            letters, digits = (ref.group(1).decode(), ref.group(2).decode()) if ref else ("", "0")
            raise ExtentError(int(digits), letters.upper())

    def _follow(self, piece: bytes) -> None:
        """Every cell carries its own reference: only keep the row count for a later ``_walk``."""
        at = piece.rfind(b"<row")
        while at >= 0 and piece[at + 4 : at + 5] not in _TAG_ENDS:
            at = piece.rfind(b"<row", 0, at)
        if at >= 0:
            tag = _TAG.match(piece, at)
            r = _R_ATTR.search(tag.group(2)) if tag else None
            ref = _REF.fullmatch(r.group(2)) if r else None
            if ref is None or ref.group(1):  # a row without its number: count rows one by one
                self._walk(piece)
                return
            self.row, self.column = int(ref.group(2)), 0
        cell = piece.rfind(b'<c r="')
        cell = max(cell, piece.rfind(b"<c r='", max(cell, at, 0)))  # single quotes are rare: search after
        ref = _REF.match(piece, cell + 6) if cell > at else None
        if ref:
            self.column = column_index(ref.group(1).decode())

    def _walk(self, piece: bytes) -> None:
        """Tag by tag: positions of cells without ``r`` follow the row and the cell before them."""
        for tag in _TAG.finditer(piece):
            name, attrs = tag.group(1), tag.group(2)
            r = _R_ATTR.search(attrs)
            ref = _REF.fullmatch(r.group(2)) if r else None
            if name == b"row":
                self.row = int(ref.group(2)) if ref and not ref.group(1) else self.row + 1
                self.column = 0
                continue
            if ref and ref.group(1):
                self.row, self.column = int(ref.group(2)), column_index(ref.group(1).decode())
            else:
                self.column += 1
            empty = attrs.endswith(b"/") or _EMPTY_AFTER.match(piece, tag.end())
            if not empty and (self.row > self.max_row or self.column > self.max_column):
                raise ExtentError(self.row, column_letters(self.column))
