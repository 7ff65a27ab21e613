"""Reading an upload (SPEC §3): xlsx through python-calamine, csv in UTF-8 / UTF-8-BOM / GB18030.

Every sheet comes back as a rectangle of raw cells with the 1-based number of its first row, so every
later message can name the row the user sees in Excel. Sheets are identified by their name (one of
the seven template titles) or, for a CSV or a single-sheet workbook, by their header row.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import python_calamine

from scoring.ingest.gate import OLE_MAGIC, UploadError, check_size, check_xlsx
from scoring.ingest.headers import HEADER_SCAN_ROWS, identify
from scoring.ingest.sheets import SheetSpec

MAX_ROWS = 300_000  # per sheet; larger files are refused with a message, never half-read
CSV_ENCODINGS = (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030"))
CSV_DELIMITERS = (",", "\t", ";")  # the most frequent one in the first lines wins; comma on a tie

__all__ = ["MAX_ROWS", "RawSheet", "UploadError", "read_upload"]


@dataclass(frozen=True)
class RawSheet:
    """One sheet as read: ``cells[i]`` is row ``first_row + i`` of the file (1-based)."""

    file_name: str
    title: str  # the sheet name as in the workbook; the file name for a CSV
    key: str | None  # spec key (districts, rounds, …), None when not recognised
    cells: np.ndarray[Any, np.dtype[np.object_]]  # 2-D, object cells ('' for empty)
    first_row: int = 1
    encoding: str = ""  # the CSV encoding used ("" for xlsx)
    by_header: bool = False  # identified by its header row rather than by its name

    @property
    def row_numbers(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        return np.arange(self.first_row, self.first_row + len(self.cells), dtype=np.int64)


def _clean_name(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


def _rectangle(rows: Sequence[Sequence[Any]]) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Rows as a 2-D object array; short rows (CSV) are padded with ''."""
    if not rows:
        return np.empty((0, 0), dtype=object)
    cells = np.array(rows, dtype=object)  # calamine rows are rectangular: one C-level copy
    if cells.ndim == 2:
        return cells
    width = max(len(r) for r in rows)
    return np.array([[*r, *([""] * (width - len(r)))] for r in rows], dtype=object)


def _check_rows(file_name: str, title: str, n: int) -> None:
    if n > MAX_ROWS + HEADER_SCAN_ROWS:
        raise UploadError(f"文件“{file_name}”的工作表“{title}”超过 {MAX_ROWS:,} 行，请拆分后分别上传。")


def _by_title(title: str, specs: Sequence[SheetSpec]) -> SheetSpec | None:
    clean = _clean_name(title)
    return next((s for s in specs if s.title == clean), None)


def _identify(
    cells: np.ndarray[Any, np.dtype[np.object_]], specs: Sequence[SheetSpec], name_hint: str
) -> SheetSpec | None:
    """By header row; a partial header match defers to a sheet title contained in the file name."""
    spec, complete = identify(cells[:HEADER_SCAN_ROWS].tolist(), specs)
    hint = _clean_name(name_hint)
    named = [s for s in specs if s.title in hint]
    if not complete and named:
        return max(named, key=lambda s: len(s.title))
    return spec


def _read_xlsx(file_name: str, data: bytes, specs: Sequence[SheetSpec]) -> list[RawSheet]:
    check_xlsx(file_name, data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = [m.name for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        sheets: list[RawSheet] = []
        for name in names:
            spec = _by_title(name, specs)
            if spec is None and len(names) > 1:
                sheets.append(RawSheet(file_name, name, None, np.empty((0, 0), dtype=object)))
                continue
            sheet = book.get_sheet_by_name(name)
            _check_rows(file_name, name, sheet.height)
            cells = _rectangle(sheet.to_python(skip_empty_area=False))
            by_header = spec is None
            if spec is None:
                spec = _identify(cells, specs, PurePath(file_name).stem)
            sheets.append(RawSheet(file_name, name, spec.key if spec else None, cells, by_header=by_header))
    except UploadError:
        raise
    except Exception as exc:  # calamine raises its own zoo of errors on corrupt or exotic files
        raise UploadError(
            f"文件“{file_name}”无法读取：文件已损坏或不是标准的 xlsx 格式（{type(exc).__name__}）。"
        ) from exc
    if not any(s.key for s in sheets):
        titles = "、".join(s.title for s in specs)
        raise UploadError(f"文件“{file_name}”中没有可识别的工作表：工作表名称或表头应为模板中的 {titles}。")
    return sheets


def _decode(file_name: str, data: bytes) -> tuple[str, str]:
    for codec, label in CSV_ENCODINGS:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise UploadError(f"文件“{file_name}”的编码无法识别：请在 Excel/WPS 中另存为“CSV UTF-8”或 GB18030 编码的 CSV。")


def _read_csv(file_name: str, data: bytes, specs: Sequence[SheetSpec]) -> list[RawSheet]:
    check_size(file_name, data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError(f"文件“{file_name}”是 UTF-16 编码：请另存为“CSV UTF-8”或 GB18030 编码的 CSV。")
    if b"\x00" in data[:4096]:
        raise UploadError(f"文件“{file_name}”不是文本格式的 CSV 文件。")
    text, encoding = _decode(file_name, data)
    head = text[:8192].splitlines()[: HEADER_SCAN_ROWS + 2]
    delimiter = max(CSV_DELIMITERS, key=lambda d: sum(line.count(d) for line in head))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UploadError(f"文件“{file_name}”不是有效的 CSV 文件（{exc}）。") from exc
    _check_rows(file_name, file_name, len(rows))
    cells = _rectangle(rows)
    stem = PurePath(file_name).stem
    spec = _by_title(stem, specs)
    by_header = spec is None
    if spec is None:
        spec = _identify(cells, specs, stem)
    if spec is None:
        titles = "、".join(s.title for s in specs)
        raise UploadError(
            f"文件“{file_name}”无法识别是哪张表：前 10 行中没有找到模板的表头。"
            f"请使用模板的表头，或将文件命名为 {titles} 之一。"
        )
    return [RawSheet(file_name, file_name, spec.key, cells, encoding=encoding, by_header=by_header)]


def read_upload(file_name: str, data: bytes, specs: Sequence[SheetSpec]) -> list[RawSheet]:
    """Every sheet of one uploaded file; unrecognised workbook sheets come back with ``key=None``.

    ``specs`` (from ``sheets.sheet_specs``) lets a CSV or single-sheet workbook be identified by its
    headers. Raises ``UploadError`` with a Chinese message for a file that cannot be read.
    """
    suffix = PurePath(file_name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(file_name, data, specs)
    if suffix in (".xlsx", ".xlsm") or data.startswith((b"PK", OLE_MAGIC)):
        return _read_xlsx(file_name, data, specs)
    raise UploadError(f"不支持的文件类型“{suffix or file_name}”：请上传 .xlsx 工作簿或 .csv 文件。")
