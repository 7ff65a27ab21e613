"""The error workbook: SPEC §3 columns, one row per issue, sorted, formulas never created, a 汇总 sheet."""

from __future__ import annotations

import io

import openpyxl

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.report import error_workbook
from scoring.ingest.sheets import SheetSpec
from tests.ingest.conftest import GOOD, base_sheets, inspection_row, parse, xlsx


def test_error_workbook_lists_every_issue_as_text(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    sheets = base_sheets(specs)
    sheets["区县"].append(["滨江区", "+1", "-2"])  # row 4: code "+1" is not 6 digits
    sheets["实地检查"] = [
        list(specs["inspections"].headers),
        inspection_row(specs, GOOD[0], A1="=1+1"),  # row 2: text that looks like a formula
        inspection_row(specs, GOOD[1], A2=None),  # row 3
    ]
    book = openpyxl.load_workbook(io.BytesIO(xlsx(sheets)))
    for cell in (book["实地检查"]["G2"], book["区县"]["B4"]):
        cell.data_type = "s"  # keep them text cells, as Excel does for '=1+1
    upload = io.BytesIO()
    book.save(upload)
    result = parse([("upload.xlsx", upload.getvalue())], system)
    book = openpyxl.load_workbook(io.BytesIO(error_workbook(result)))
    assert book.sheetnames == ["问题清单", "汇总"]
    issues = book["问题清单"]
    rows = list(issues.iter_rows(values_only=True))
    assert rows[0] == ("工作表", "行号", "列", "值", "级别", "原因")
    assert len(rows) - 1 == len(result.issues) == 3
    assert [(r[0], r[1]) for r in rows[1:]] == [("区县", 4), ("实地检查", 2), ("实地检查", 3)]
    formula_cell = next(c for c in issues["D"] if c.value == "=1+1")
    assert formula_cell.data_type == "s"  # a string, not a formula
    assert rows[2][5] == '无法识别"=1+1"，应填写 符合/不符合/不适用'
    assert all(r[4] == "错误" for r in rows[1:])

    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[0][:8] == ("文件", "工作表", "表头行", "读取", "导入", "拒绝", "空行", "警告")
    by_sheet = {r[1]: r[2:8] for r in summary[1:] if r[1] in {"区县", "实地检查"}}
    assert by_sheet["区县"] == (1, 3, 2, 1, 0, 0)
    assert by_sheet["实地检查"] == (1, 2, 0, 2, 0, 0)


def test_error_workbook_of_a_clean_upload(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    result = parse([("ok.xlsx", xlsx(base_sheets(specs)))], system)
    book = openpyxl.load_workbook(io.BytesIO(error_workbook(result)))
    assert book["问题清单"]["A2"].value == "没有错误或警告。"
    assert [s.summary() for s in result.sheets] == [
        "区县: 读取 2，导入 2，拒绝 0，空行 0",
        "评估轮次: 读取 1，导入 1，拒绝 0，空行 0",
        "商户名录: 读取 5，导入 5，拒绝 0，空行 0",
    ]
