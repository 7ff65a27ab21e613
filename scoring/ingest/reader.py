"""Reading an upload (SPEC §3): xlsx through python-calamine, csv in UTF-8 / UTF-8-BOM / GB18030.

Every sheet comes back as a rectangle of raw cells with the 1-based number of its first row, so every
later message can name the row the user sees in Excel. Sheets are identified by their name (one of
the seven template titles) or, for a CSV or a single-sheet workbook, by their header row.

What a user sees in Excel is what is read:
- formula cells give their cached value, never the formula text (calamine reads ``<v>``);
- a merged area spanning several rows shows its value on every row, so it is filled down its first
  column (a header merged over two rows, a 区县 merged over its merchants); a merge across columns
  keeps its value in the first column only;
- hidden and very hidden sheets are not imported, even with a template title (the user cannot see
  what they would import); a notice names each one.
CSV is also accepted in UTF-16 with a byte-order mark (Excel's "Unicode 文本"), with a notice.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import python_calamine

from scoring.gc_pause import no_cyclic_gc
from scoring.ingest.extent import column_letters
from scoring.ingest.gate import MAX_COLUMNS, MAX_ROWS, OLE_MAGIC, ZIP_MAGIC, UploadError, check_size, check_xlsx
from scoring.ingest.headers import HEADER_SCAN_ROWS, identify
from scoring.ingest.sheets import SheetSpec

CSV_ENCODINGS = (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030"))
UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
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
    hidden: bool = False  # a hidden sheet: not read (``key`` is None, ``cells`` empty)
    merged_filled: int = 0  # merged areas filled down (see the module docstring)

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


def _check_columns(file_name: str, title: str, n: int) -> None:
    if n > MAX_COLUMNS:
        raise UploadError(
            f"文件“{file_name}”的工作表“{title}”超过 {MAX_COLUMNS} 列（{column_letters(n)} 列有内容）："
            "请删除多余的列（或远处零散的内容）后重新上传。"
        )


def _fill_merged(cells: np.ndarray[Any, np.dtype[np.object_]], merged: Sequence[Any]) -> int:
    """Fill each merged area spanning rows down its first column; returns how many were filled."""
    filled = 0
    height = len(cells)
    for (top, left), (bottom, _right) in merged:
        if bottom <= top or top >= height or left >= cells.shape[1]:
            continue
        value = cells[top, left]
        if value == "":
            continue
        cells[top + 1 : min(bottom, height - 1) + 1, left] = value
        filled += 1
    return filled


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


def _read_xlsx(
    file_name: str, data: bytes, specs: Sequence[SheetSpec], after_gate: Callable[[], None] | None = None
) -> list[RawSheet]:
    check_xlsx(file_name, data)
    if after_gate is not None:
        after_gate()
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = [m for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        visible = [m.name for m in metadata if m.visible == python_calamine.SheetVisibleEnum.Visible]
        sheets: list[RawSheet] = []
        for m in metadata:
            name = m.name
            if name not in visible:
                sheets.append(RawSheet(file_name, name, None, np.empty((0, 0), dtype=object), hidden=True))
                continue
            spec = _by_title(name, specs)
            if spec is None and len(visible) > 1:
                sheets.append(RawSheet(file_name, name, None, np.empty((0, 0), dtype=object)))
                continue
            sheet = book.get_sheet_by_name(name)
            _check_rows(file_name, name, sheet.height)
            _check_columns(file_name, name, sheet.width)
            cells = _rectangle(sheet.to_python(skip_empty_area=False))
            filled = _fill_merged(cells, sheet.merged_cell_ranges or ()) if cells.ndim == 2 and cells.size else 0
            by_header = spec is None
            if spec is None:
                spec = _identify(cells, specs, PurePath(file_name).stem)
            key = spec.key if spec else None
            sheets.append(RawSheet(file_name, name, key, cells, by_header=by_header, merged_filled=filled))
    except (UploadError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's zoo of errors, and pyo3's PanicException (a BaseException)
        raise UploadError(
            f"文件“{file_name}”无法读取：文件已损坏或不是标准的 xlsx 格式（{type(exc).__name__}）。"
        ) from exc
    if not any(s.key for s in sheets):
        titles = "、".join(s.title for s in specs)
        hidden = [s.title for s in sheets if s.hidden and _by_title(s.title, specs)]
        if hidden:
            raise UploadError(
                f"文件“{file_name}”中的模板工作表（{'、'.join(hidden)}）是隐藏的，隐藏的工作表不会导入："
                "请在 Excel/WPS 中右键工作表标签“取消隐藏”后重新上传。"
            )
        raise UploadError(f"文件“{file_name}”中没有可识别的工作表：工作表名称或表头应为模板中的 {titles}。")
    return sheets


def _decode(file_name: str, data: bytes) -> tuple[str, str]:
    for bom, codec in UTF16_BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), "UTF-16"
            except UnicodeDecodeError as exc:
                where = exc.start // 2 + 1
                raise UploadError(f"文件“{file_name}”的 UTF-16 编码有误（第 {where} 个字符附近），无法读取。") from exc
    if b"\x00" in data[:4096]:
        raise UploadError(
            f"文件“{file_name}”不是可识别的文本：看起来是没有 BOM 的 UTF-16 或二进制文件。"
            "请在 Excel/WPS 中另存为“CSV UTF-8（逗号分隔）”后上传。"
        )
    for codec, label in CSV_ENCODINGS:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise UploadError(f"文件“{file_name}”的编码无法识别：请在 Excel/WPS 中另存为“CSV UTF-8”或 GB18030 编码的 CSV。")


def _csv_rows(file_name: str, text: str, delimiter: str) -> list[list[str]]:
    """The rows down to the last non-empty one, refused past the row and column caps while reading."""
    rows: list[list[str]] = []
    blank_run = 0  # blank lines are kept only when a non-empty row follows them
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if not any(row):
                blank_run += 1
                continue
            _check_columns(file_name, file_name, len(row))
            if blank_run:
                rows.extend([] for _ in range(blank_run))
                blank_run = 0
            rows.append(row)
            _check_rows(file_name, file_name, len(rows))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UploadError(
                f"文件“{file_name}”第 {reader.line_num} 行有一个单元格超过 {csv.field_size_limit():,} 个字符，"
                "不是正常的表格数据，已拒绝。"
            ) from exc
        raise UploadError(f"文件“{file_name}”不是有效的 CSV 文件（第 {reader.line_num} 行格式有误）。") from exc
    return rows


def _read_csv(file_name: str, data: bytes, specs: Sequence[SheetSpec]) -> list[RawSheet]:
    check_size(file_name, data)
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise UploadError(
            f"文件“{file_name}”是 Excel 工作簿，不是 CSV：请把扩展名改为 .xlsx 后上传（.xls 请先另存为 .xlsx）。"
        )
    text, encoding = _decode(file_name, data)
    head = text[:8192].splitlines()[: HEADER_SCAN_ROWS + 2]
    delimiter = max(CSV_DELIMITERS, key=lambda d: sum(line.count(d) for line in head))
    rows = _csv_rows(file_name, text, delimiter)
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


def read_upload(
    file_name: str, data: bytes, specs: Sequence[SheetSpec], after_gate: Callable[[], None] | None = None
) -> list[RawSheet]:
    """Every sheet of one uploaded file; unrecognised workbook sheets come back with ``key=None``.

    ``specs`` (from ``sheets.sheet_specs``) lets a CSV or single-sheet workbook be identified by its
    headers. ``after_gate`` is called once a workbook has passed the upload gate, before calamine
    reads it (calamine mostly runs without the GIL: a good time for other work on a second thread).
    Raises ``UploadError`` with a Chinese message for a file that cannot be read.
    """
    suffix = PurePath(file_name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(file_name, data, specs)
    if suffix in (".xlsx", ".xlsm") or data.startswith((b"PK", OLE_MAGIC)):
        # calamine returns one list per row while the registry loads on another thread (services.imports)
        with no_cyclic_gc():
            return _read_xlsx(file_name, data, specs, after_gate)
    raise UploadError(f"不支持的文件类型“{suffix or file_name}”：请上传 .xlsx 工作簿或 .csv 文件。")
