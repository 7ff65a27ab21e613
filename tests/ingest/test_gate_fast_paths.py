"""The upload gate's fast paths decide exactly as the slow ones (issue 2 speed, issue 5 safety).

- ``extent._usual`` (numpy) must agree with the regular expression it replaces on any piece: a
  piece it wrongly called usual would skip the far-cell check.
- ``prefetch.prefetched`` must hand over every item in order, raise the producer's error, and stop
  its worker when the consumer stops early.
- the cyclic garbage collector, paused while a workbook is read, must run again afterwards.
"""

from __future__ import annotations

import gc
import io
import threading
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.ingest import reader
from scoring.ingest.extent import _UNUSUAL, ExtentError, SheetExtent, _usual
from scoring.ingest.gate import UploadError
from scoring.ingest.prefetch import prefetched

ROW = b'<row r="12" spans="1:3"><c r="A12" t="s"><v>3</v></c><c r="B12"><v>1.5</v></c><c r="C12" s="2"/></row>'
PIECES = [
    b"",
    b">",
    ROW,
    ROW * 50,
    b'<cols><col min="1" max="3" width="9"/></cols><conditionalFormatting><cfRule type="x"/></conditionalFormatting>',
    b'<c r="A1"/>',  # near the end of the piece
    b'<c r="A1"/><v>0</v><v>0</v>',
    b'<c r="A12345"><v>1</v></c>',
    b'<c r="A123456"><v>1</v></c>',  # six digits: row 123456 may be near the limit
    b'<c r="AB12"><v>1</v></c>',  # two letters
    b'<c r="1A"><v>1</v></c>',
    b'<c r="A1x2"><v>1</v></c>',
    b"<c r='A12'><v>1</v></c><v>0</v>",  # single quotes
    b'<c  r="A12"><v>1</v></c><v>0</v>',
    b'<c\tr="A12"><v>1</v></c><v>0</v>',
    b"<c><v>1</v></c><v>0</v><v>0</v>",  # no reference
    b'<c s="1" r="A12"><v>1</v></c>',
    b'<c r="A"><v>1</v></c><v>0</v>',
    b'<c r="A12" ><v>1</v></c>',
    b'<x:c r="A12"><v>1</v></x:c>',
    b'<c r="\xc3\xa912"><v>1</v></c>',
]


@pytest.mark.parametrize("piece", PIECES)
def test_the_vectorised_check_agrees_with_the_regex(piece: bytes) -> None:
    assert _usual(piece) == (_UNUSUAL.search(piece) is None)


_CELL_BYTES = st.sampled_from([b"<c", b" ", b"r", b"=", b'"', b"'", b"A", b"z", b"1", b"9", b"0", b">", b"/", b"\n"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_CELL_BYTES, st.sampled_from([ROW, b'<c r="A1">', b'<c r="B99999"/>'])), max_size=40))
def test_the_vectorised_check_agrees_on_any_bytes(parts: list[bytes]) -> None:
    piece = b"".join(parts)
    assert _usual(piece) == (_UNUSUAL.search(piece) is None)


def test_a_far_cell_among_usual_pieces_is_still_found() -> None:
    extent = SheetExtent(300_010, 64)
    extent.feed(ROW * 100)
    with pytest.raises(ExtentError) as caught:
        extent.feed(ROW * 10 + b'<row r="13"><c r="A300011"><v>1</v></c></row>' + ROW)
    assert (caught.value.row, caught.value.column) == (300_011, "A")
    with pytest.raises(ExtentError) as caught:
        SheetExtent(300_010, 64).feed(ROW + b'<row r="14"><c r="BM14"><v>1</v></c></row>')
    assert (caught.value.row, caught.value.column) == (14, "BM")


def test_prefetched_items_arrive_in_order() -> None:
    assert list(prefetched(iter(range(1000)), depth=3)) == list(range(1000))
    assert list(prefetched(iter([]))) == []


def test_the_producers_error_is_raised_to_the_consumer_after_its_items() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("坏的部件")

    got: list[int] = []
    with pytest.raises(ValueError, match="坏的部件"):
        for item in prefetched(items()):
            got.append(item)
    assert got == [1, 2]


def test_a_consumer_that_stops_early_stops_the_worker() -> None:
    produced: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    before = threading.active_count()
    stream = prefetched(endless(), depth=2)
    assert next(stream) == 0
    stream.close()
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before
    count = len(produced)
    time.sleep(0.1)
    assert len(produced) == count < 10  # bounded read-ahead, then nothing more


def test_the_collector_is_paused_only_while_a_workbook_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = reader._rectangle

    def spy(rows: Any) -> Any:
        seen.append(gc.isenabled())
        return real(rows)

    monkeypatch.setattr(reader, "_rectangle", spy)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:  # a zip that is not a workbook: refused by the gate
        package.writestr("a.txt", "x")
    assert gc.isenabled()
    with pytest.raises(UploadError):
        reader.read_upload("坏.xlsx", buffer.getvalue(), [])
    assert gc.isenabled()

    book = io.BytesIO()
    with xlsxwriter.Workbook(book, {"in_memory": True}) as workbook:
        workbook.add_worksheet("杂项").write_row(0, 0, ["甲", "乙"])
    with pytest.raises(UploadError, match="没有可识别的工作表"):
        reader.read_upload("杂项.xlsx", book.getvalue(), [])
    assert seen == [False]  # the rows were built with the collector paused…
    assert gc.isenabled()  # …and it runs again afterwards, refusal or not
