"""Text keys (USCC, 区县, 行业) turned into integer positions once, so per-merchant work is array indexing.

``positions`` is the one join of the engine: for every key, the row of the same text in another
column (a merchant's registry row for each inspection, response, complaint…). Codes of one fixed
width, such as the 18-character USCC, take a fast path: each code is read as a few 64-bit words
straight from the Arrow buffer, hashed into an open table sized 8× the universe, and every hit
is verified word by word; the few codes whose slot another code owns go through Arrow's general
lookup. Same answer as ``pyarrow.compute.index_in`` (first occurrence, -1 when absent), a fraction
of the cost when ten million responses are looked up among a million merchants.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

IntArray = np.ndarray[Any, np.dtype[np.intp]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
_CHUNK = 1 << 20  # codes are checked, hashed and verified a million at a time: small, reused temporaries
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def text(values: pd.Series) -> Any:
    """A text column as an Arrow ``large_string`` array (null where missing), zero-copy when Arrow-backed."""
    try:
        arr = pa.array(values.array if isinstance(values.dtype, pd.StringDtype) else values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array(values.astype("str"), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    return arr


def positions(keys: pd.Series, universe: pd.Series) -> IntArray:
    """Per key, the position of its first occurrence in ``universe``; -1 where absent or missing."""
    if keys.empty:
        return np.zeros(0, dtype=np.intp)
    if universe.empty:
        return np.full(len(keys), -1, dtype=np.intp)
    needles, haystack = text(keys), text(universe)
    known = _MEMO.recall(keys, universe, needles, haystack)
    if known is not None:
        return known
    found = _positions(needles, haystack)
    _MEMO.remember(keys, universe, needles, haystack, found)
    return found


def _positions(needles: Any, haystack: Any) -> IntArray:
    fast = _words(needles), _words(haystack)
    if fast[0] is not None and fast[1] is not None:
        if len(fast[0]) != len(fast[1]):  # codes of different widths never match
            return np.full(len(needles), -1, dtype=np.intp)
        return _hashed_positions(needles, haystack, fast[0], fast[1])
    return _arrow_positions(needles, haystack)


class _Memo:
    """The last few ``positions`` answers, for the same columns asked again (candidates and the
    district ranking both join the scores to the registry).

    An answer is reused only for the very same Arrow buffers: the entry keeps them alive, so their
    addresses cannot be taken by other data, and Arrow buffers never change. It is dropped as soon
    as the column object it was asked for is garbage-collected.
    """

    SIZE = 4

    def __init__(self) -> None:
        self._entries: list[tuple[Any, Any, Any, Any, tuple[Any, ...], IntArray]] = []
        self._lock = threading.Lock()

    @staticmethod
    def _identity(needles: Any, haystack: Any) -> tuple[Any, ...]:
        return tuple(
            (len(a), a.offset, tuple(b.address if b is not None else 0 for b in a.buffers()))
            for a in (needles, haystack)
        )

    def recall(self, keys: pd.Series, universe: pd.Series, needles: Any, haystack: Any) -> IntArray | None:
        identity = self._identity(needles, haystack)
        with self._lock:
            for owner_keys, owner_universe, _, _, known, found in self._entries:
                if owner_keys() is keys.array and owner_universe() is universe.array and known == identity:
                    return found.copy()
        return None

    def remember(self, keys: pd.Series, universe: pd.Series, needles: Any, haystack: Any, found: IntArray) -> None:
        if len(needles) > 2 * len(haystack) or not isinstance(keys.dtype, pd.StringDtype):
            return  # the big one-off lookups (ten million responses) are not worth keeping
        if not isinstance(universe.dtype, pd.StringDtype):
            return
        with self._lock:
            drop = self._drop
            entry = (
                weakref.ref(keys.array, drop),
                weakref.ref(universe.array, drop),
                needles,  # held: the buffers' addresses stay theirs while the entry lives
                haystack,
                self._identity(needles, haystack),
                found.copy(),
            )
            self._entries = [*self._entries[-(self.SIZE - 1) :], entry]

    def _drop(self, gone: Any) -> None:
        with self._lock:
            self._entries = [e for e in self._entries if e[0] is not gone and e[1] is not gone]


_MEMO = _Memo()


def _arrow_positions(needles: Any, haystack: Any) -> IntArray:
    found = pc.index_in(needles, value_set=haystack)
    return np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.intp)


def _words(arr: Any) -> list[np.ndarray[Any, Any]] | None:
    """A fixed-width string array as unsigned-integer words (views into the Arrow buffer); None if widths vary."""
    n = len(arr)
    if n == 0 or arr.null_count:
        return None
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    width = int(offsets[1] - offsets[0])
    if width == 0 or int(offsets[-1] - offsets[0]) != width * n:
        return None
    for begin in range(0, n, _CHUNK):  # every code the same width (checked a block at a time)
        if (np.diff(offsets[begin : begin + _CHUNK + 1]) != width).any():
            return None
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    start = int(offsets[0])

    def view(dtype: str, at: int) -> np.ndarray[Any, Any]:
        return np.ndarray((n,), dtype=dtype, buffer=data, offset=start + at, strides=(width,))

    words = [view("<u8", k) for k in range(0, width - width % 8, 8)]
    rest, at = width % 8, width - width % 8
    for size, dtype in ((4, "<u4"), (2, "<u2"), (1, "u1")):  # the tail bytes as narrower words
        if rest >= size:
            words.append(view(dtype, at))
            rest, at = rest - size, at + size
    return words


def _slots(words: list[np.ndarray[Any, Any]], bits: int) -> IntArray:
    """The table slot of each code: a multiplicative hash of its words, top ``bits`` bits."""
    h = np.zeros(len(words[0]), dtype=np.uint64)
    spill = np.empty_like(h)
    for k, word in enumerate(words):
        np.bitwise_xor(h, word, out=h)
        np.multiply(h, _MIX[k % len(_MIX)], out=h)
        np.right_shift(h, np.uint64(29), out=spill)
        np.bitwise_xor(h, spill, out=h)
    np.right_shift(h, np.uint64(64 - bits), out=h)
    return h.view(np.int64).astype(np.intp, copy=False)


def _same(a: list[np.ndarray[Any, Any]], b: list[np.ndarray[Any, Any]], rows_b: IntArray) -> BoolArray:
    """Whether each code of ``a`` equals the code ``b[rows_b]`` beside it."""
    equal = np.ones(len(rows_b), dtype=bool)
    for wa, wb in zip(a, b, strict=True):
        equal &= wa == wb[rows_b]
    return equal


def _hashed_positions(
    needles: Any, haystack: Any, nw: list[np.ndarray[Any, Any]], hw: list[np.ndarray[Any, Any]]
) -> IntArray:
    size = len(haystack)
    hw = [np.ascontiguousarray(w) for w in hw]  # aligned copies: gathered from at random below
    bits = max(10, int(size).bit_length() + 3)
    kind = np.int32 if size < 2**31 - 1 else np.int64
    table = np.full(1 << bits, np.iinfo(kind).max, dtype=kind)
    home = _slots(hw, bits)
    np.minimum.at(table, home, np.arange(size, dtype=kind))  # the first occurrence owns its slot
    owner = table[home]
    del home
    # universe codes whose slot a different code owns are looked up the general way
    lost = np.flatnonzero(owner != np.arange(size))
    lost = lost[~_same([w[lost] for w in hw], hw, owner[lost].astype(np.intp))]
    del owner

    out: IntArray = np.empty(len(needles), dtype=np.intp)
    for begin in range(0, len(needles), _CHUNK):
        rows = slice(begin, begin + _CHUNK)
        words = [np.ascontiguousarray(w[rows]) for w in nw]
        found: IntArray = table[_slots(words, bits)].astype(np.intp)
        empty = found == np.iinfo(kind).max
        found[empty] = 0
        found[empty | ~_same(words, hw, found)] = -1
        out[rows] = found
    if len(lost):
        missed = np.flatnonzero(out < 0)
        if len(missed):
            again = _arrow_positions(needles.take(pa.array(missed)), haystack.take(pa.array(lost)))
            out[missed[again >= 0]] = lost[again[again >= 0]]
    return out


def codes(values: pd.Series) -> tuple[IntArray, list[Any]]:
    """Factorised values: integer codes (-1 for missing) and the distinct values in order of appearance."""
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(found, dtype=np.intp), list(uniques)


def ascending(values: pd.Series) -> IntArray:
    """Each value's place (0-based) when the column is sorted ascending; equal values by row order."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    arr = text(values)
    if n > 1 and not arr.null_count and pc.all(pc.less(arr[:-1], arr[1:])).as_py():
        return np.arange(n, dtype=np.intp)  # already sorted (the registry is loaded by USCC)
    order = np.asarray(pc.array_sort_indices(arr, null_placement="at_end").to_numpy(), dtype=np.intp)
    place = np.empty(n, dtype=np.intp)
    place[order] = np.arange(n, dtype=np.intp)
    return place
