"""Writers whose text never becomes a formula (SPEC §8): CSV for Excel and xlsx via XlsxWriter."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def csv_cell(value: str) -> str:
    """Text for a CSV cell: a leading ' when the first non-space character could start a formula."""
    stripped = value.lstrip(" ")
    if stripped.startswith(FORMULA_STARTS) or value.startswith(("\t", "\r", "\n")):
        return "'" + value
    return value


def _is_number_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def to_csv_bytes(frame: pd.DataFrame, decimals: Mapping[str, int] | None = None) -> bytes:
    """UTF-8 with BOM; numbers plain with the given decimals (default 2), text formula-safe, blanks empty."""
    decimals = decimals or {}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_cell(str(c)) for c in frame.columns])
    columns: list[list[str]] = []
    for name in frame.columns:
        col = frame[name]
        if _is_number_column(col):
            places = decimals.get(str(name), 2)
            arr = col.to_numpy(dtype=float, na_value=math.nan)
            columns.append(["" if math.isnan(v) else f"{v:.{places}f}" for v in arr])
        else:
            columns.append(
                ["" if v is None or (isinstance(v, float) and math.isnan(v)) else csv_cell(_text(v)) for v in col]
            )
    writer.writerows(zip(*columns, strict=True))
    return buf.getvalue().encode("utf-8-sig")


def _text(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def new_workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    """An in-memory workbook that writes strings as strings (no formulas, numbers or URLs from text)."""
    return xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )


def write_frame(
    book: xlsxwriter.Workbook,
    sheet_name: str,
    frame: pd.DataFrame,
    number_formats: Mapping[str, str] | None = None,
    start_row: int = 0,
) -> Any:
    """Write a frame as a table with a bold header; text cells via write_string, numbers as numbers."""
    number_formats = number_formats or {}
    ws = book.add_worksheet(sheet_name)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    formats = {k: book.add_format({"num_format": v}) for k, v in number_formats.items()}
    default_num = book.add_format({"num_format": "0.00"})
    for j, name in enumerate(frame.columns):
        ws.write_string(start_row, j, str(name), header)
        col = frame[name]
        width = max(6, min(50, len(str(name)) * 2 + 2))
        if _is_number_column(col):
            fmt = formats.get(str(name), default_num)
            for i, v in enumerate(col.to_numpy(dtype=float, na_value=math.nan)):
                if not math.isnan(v):
                    ws.write_number(start_row + 1 + i, j, float(v), fmt)
        else:
            for i, v in enumerate(col):
                text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else _text(v)
                if text:
                    ws.write_string(start_row + 1 + i, j, text)
                    width = max(width, min(60, len(text) * 2))
        ws.set_column(j, j, width)
    ws.freeze_panes(start_row + 1, 0)
    return ws


def to_xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame], number_formats: Mapping[str, Mapping[str, str]] | None = None
) -> bytes:
    """Several frames as sheets of one workbook."""
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    for name, frame in sheets.items():
        write_frame(book, name, frame, (number_formats or {}).get(name))
    book.close()
    return buffer.getvalue()
