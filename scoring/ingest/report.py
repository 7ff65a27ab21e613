"""The error workbook of an upload (SPEC §3): one row per issue, keyed to the uploaded sheet and row.

Values come from the user's file, so every text cell is written as a string and never becomes a
formula (XlsxWriter ``strings_to_formulas=False`` and ``write_string``).
"""

from __future__ import annotations

import io

import xlsxwriter

from scoring.ingest.results import UploadParse

ISSUE_HEADERS = ("工作表", "行号", "列", "值", "级别", "原因")
SUMMARY_HEADERS = ("文件", "工作表", "表头行", "读取", "导入", "拒绝", "空行", "警告", "废卷", "投诉未匹配名录")
ISSUE_WIDTHS = (16, 8, 28, 24, 8, 60)


def error_workbook(parse: UploadParse) -> bytes:
    """The 错误与警告 workbook: issues sorted by sheet (processing order) then row, plus a 汇总 sheet."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    error = book.add_format({"font_color": "#C00000"})
    warning = book.add_format({"font_color": "#9C6500"})

    sheet = book.add_worksheet("问题清单")
    for j, (title, width) in enumerate(zip(ISSUE_HEADERS, ISSUE_WIDTHS, strict=True)):
        sheet.write_string(0, j, title, bold)
        sheet.set_column(j, j, width)
    sheet.freeze_panes(1, 0)
    r = 0
    for result in parse.sheets:  # processing order; each sheet's issues are sorted by row, then column
        for issue in result.issues:
            r += 1
            sheet.write_string(r, 0, issue.sheet)
            if issue.row:
                sheet.write_number(r, 1, issue.row)
            sheet.write_string(r, 2, issue.column)
            sheet.write_string(r, 3, issue.value)
            sheet.write_string(r, 4, issue.level, error if issue.level == "错误" else warning)
            sheet.write_string(r, 5, issue.reason)
    if r:
        sheet.autofilter(0, 0, r, len(ISSUE_HEADERS) - 1)
    else:
        sheet.write_string(1, 0, "没有错误或警告。")

    summary = book.add_worksheet("汇总")
    for j, title in enumerate(SUMMARY_HEADERS):
        summary.write_string(0, j, title, bold)
        summary.set_column(j, j, 14 if j > 1 else 20)
    for i, result in enumerate(parse.sheets, start=1):
        summary.write_string(i, 0, result.file_name)
        summary.write_string(i, 1, result.sheet)
        counts = (
            result.header_row, result.read, result.stored, result.rejected, result.blank, result.warnings,
            sum(result.survey_invalid.values()), result.complaints_unmatched,
        )  # fmt: skip
        for j, value in enumerate(counts, start=2):
            summary.write_number(i, j, value)
    row = len(parse.sheets) + 2
    for notice in parse.notices:
        summary.write_string(row, 0, "提示")
        summary.write_string(row, 1, str(notice))
        row += 1
    book.close()
    return buffer.getvalue()
