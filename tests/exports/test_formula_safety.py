"""Exports never produce formulas (SPEC §8): text stays text in xlsx and gets a leading ' in CSV when it
could start a formula (full-width ＝＋－＠ too); numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.cli import main
from scoring.exports.safe import FORMULA_STARTS, csv_cell, to_csv_bytes, to_xlsx_bytes
from scoring.exports.tables import table_bytes
from scoring.ingest.sheets import SheetSpec
from tests.ingest.conftest import GOOD, ROUND, base_sheets, inspection_row, specs, system

__all__ = ["specs", "system"]  # the ingest fixtures, used here to build a campaign workbook

HOSTILE = ['=HYPERLINK("http://x","点我")', "＋1", "-2+3", "@SUM(A1)", "＝1+1", " =1+1", "\t=1", "－5", "＠A1"]
FRAME = pd.DataFrame({"单位名称": HOSTILE, "得分": [-2.0, -0.5, 0.0, 3.25, -100.0, 1.0, 2.0, 3.0, 4.0]})


def xlsx_cells(data: bytes) -> list[tuple[object, str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [(c.value, c.data_type) for row in sheet.iter_rows(min_row=2) for c in row]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so Excel shows Chinese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_xlsx_text_is_literal_and_numbers_stay_numbers() -> None:
    cells = xlsx_cells(to_xlsx_bytes({"得分": FRAME}))
    names, scores = cells[0::2], cells[1::2]
    assert names == [(text, "s") for text in HOSTILE]
    assert scores == [(v, "n") for v in FRAME["得分"].tolist()]


def test_csv_gets_a_leading_apostrophe_and_numbers_stay_plain() -> None:
    rows = csv_rows(to_csv_bytes(FRAME))
    assert rows[0] == ["单位名称", "得分"]
    assert [r[0] for r in rows[1:]] == ["'" + text for text in HOSTILE]
    assert [r[1] for r in rows[1:]] == ["-2.00", "-0.50", "0.00", "3.25", "-100.00", "1.00", "2.00", "3.00", "4.00"]


def test_table_bytes_by_suffix() -> None:
    assert xlsx_cells(table_bytes(FRAME, "x.xlsx", "得分"))[0] == (HOSTILE[0], "s")
    assert csv_rows(table_bytes(FRAME, "x.csv", "得分"))[1][0] == "'" + HOSTILE[0]


@given(st.text(min_size=1, max_size=30))
def test_any_text_is_never_a_formula(text: str) -> None:
    cell = csv_cell(text)
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        assert cell == "'" + text
    else:
        assert cell == text
    _value, kind = xlsx_cells(to_xlsx_bytes({"s": pd.DataFrame({"t": [text]})}))[0]
    if text.strip():
        assert kind == "s"


def text_workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """Like the ingest tests' workbooks, but strings stay strings (openpyxl would turn '=…' into a formula)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if hasattr(value, "year"):
                    sheet.write_datetime(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
    book.close()
    return out.getvalue()


@pytest.fixture
def scored_db(sqlite_template: Path, tmp_path: Path, specs: dict[str, SheetSpec]) -> str:
    """A database with four merchants named like formulas, imported and scored through the CLI."""
    import shutil

    path = tmp_path / "scored.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    sheets = base_sheets(specs)
    for row, name in zip(sheets["商户名录"][1:], HOSTILE[:4], strict=False):
        row[1] = name
    sheets["实地检查"] = [list(specs["inspections"].headers)] + [inspection_row(specs, u) for u in GOOD[:4]]
    book = tmp_path / "活动.xlsx"
    book.write_bytes(text_workbook(sheets))
    assert main(["import", str(book), "--db", url]) == 0
    return url


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_cli_score_export_keeps_formula_names_as_text(
    scored_db: str, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    names = {unicodedata.normalize("NFKC", n) for n in HOSTILE[:4]}  # the import normalises ＋ to +
    out = tmp_path / f"得分{suffix}"
    assert main(["score", "--round", ROUND, "--out", str(out), "--db", scored_db]) == 0
    capsys.readouterr()
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(out).worksheets[0]
        header = [c.value for c in sheet[1]]
        col, score = header.index("单位名称"), header.index("基础得分")
        rows = list(sheet.iter_rows(min_row=2))
        assert {(r[col].value, r[col].data_type) for r in rows} == {(n, "s") for n in names}
        assert all(r[score].data_type == "n" for r in rows)
    else:
        rows = csv_rows(out.read_bytes())
        col = rows[0].index("单位名称")
        assert {r[col] for r in rows[1:]} == {"'" + n for n in names}
