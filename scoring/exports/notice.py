"""The 公示名单 workbook (SPEC §8): a print-ready public notice, A4 landscape.

Layout: title, 公示期, 异议受理 (merged across the table), then one table grouped by 区县 then 行业
with the columns 序号, 区县, 单位名称, 统一社会信用代码, 经营地址, 行业, 等级, (综合得分,) 备注 and a
closing count. The header row repeats on every printed page, the page footer numbers the pages,
and the table is scaled to the page width. Text goes through ``write_string`` only; the writer
receives no personal data at all (no 负责人, no 联系电话), so none can leak into the file.
"""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass

import pandas as pd

from scoring.exports.safe import new_workbook

COLUMNS = ("序号", "区县", "单位名称", "统一社会信用代码", "经营地址", "行业", "等级", "备注")
SCORE_COLUMN = "综合得分"
SHEET = "公示名单"
# Column width limits in Excel character units (a CJK character counts 2): (min, max).
_LIMITS = {
    "序号": (5, 6), "区县": (8, 12), "单位名称": (18, 36), "统一社会信用代码": (23, 23), "经营地址": (18, 44),
    "行业": (8, 14), "等级": (6, 8), SCORE_COLUMN: (9, 9), "备注": (8, 14),
}  # fmt: skip
_FIELDS = {
    "区县": "district", "单位名称": "name", "统一社会信用代码": "uscc", "经营地址": "address", "行业": "industry",
    "等级": "grade", SCORE_COLUMN: "total", "备注": "note",
}  # fmt: skip
_LINE_HEIGHT = 15.0  # points per text line at 11 pt
_FONT = "宋体"
_TITLE_FONT = "黑体"


@dataclass(frozen=True)
class NoticeDocument:
    """What the notice says: title, 公示期 and 异议受理 lines, rows in print order, an optional draft note."""

    title: str
    period_line: str
    objection_line: str
    rows: pd.DataFrame  # district, industry, name, uscc, address, grade, total, note — already ordered
    draft_note: str = ""


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    return max(1, math.ceil(text_width(text) / max(1.0, width - 1)))


def notice_columns(include_score: bool) -> tuple[str, ...]:
    return (*COLUMNS[:7], SCORE_COLUMN, COLUMNS[7]) if include_score else COLUMNS


def notice_xlsx(doc: NoticeDocument, include_score: bool = False) -> bytes:
    """The notice as xlsx bytes (see the module docstring for the layout)."""
    columns = notice_columns(include_score)
    cells = _cells(doc.rows, columns)
    widths = [_width(name, [r[j] for r in cells]) for j, name in enumerate(columns)]
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    book.set_properties({"title": doc.title, "subject": "公示名单"})
    base: dict[str, object] = {"font_name": _FONT, "font_size": 11, "valign": "vcenter"}
    f_title = book.add_format({**base, "font_name": _TITLE_FONT, "font_size": 18, "bold": True, "align": "center"})
    f_line = book.add_format({**base, "text_wrap": True, "align": "left"})
    f_note = book.add_format({**base, "bold": True, "font_color": "#C00000"})
    f_head = book.add_format({**base, "bold": True, "align": "center", "border": 1, "bg_color": "#D9D9D9",
                              "text_wrap": True})  # fmt: skip
    # Body formats by kind, and with a heavier top rule where a new 区县 starts.
    kinds: dict[str, dict[str, object]] = {
        "text": {"indent": 1},
        "center": {"align": "center"},
        "number": {"align": "center", "num_format": "0.00"},
    }
    body = {
        (kind, first): book.add_format(
            {**base, "border": 1, "text_wrap": True, **extra, **({"top": 2} if first else {})}
        )
        for kind, extra in kinds.items()
        for first in (False, True)
    }

    ws = book.add_worksheet(SHEET)
    last = len(columns) - 1
    total_width = sum(widths)
    ws.merge_range(0, 0, 0, last, doc.title, f_title)
    ws.set_row(0, 36)
    ws.merge_range(1, 0, 1, last, doc.period_line, f_line)
    ws.set_row(1, _LINE_HEIGHT * _lines(doc.period_line, total_width) + 4)
    ws.merge_range(2, 0, 2, last, doc.objection_line, f_line)
    ws.set_row(2, _LINE_HEIGHT * _lines(doc.objection_line, total_width) + 4)
    header = 3
    if doc.draft_note:
        ws.merge_range(3, 0, 3, last, doc.draft_note, f_note)
        header = 4
    for j, name in enumerate(columns):
        ws.write_string(header, j, name, f_head)
        ws.set_column(j, j, widths[j])
    ws.set_row(header, 22)
    centered = {"序号", "区县", "行业", "等级", "统一社会信用代码"}
    previous = None
    for i, values in enumerate(cells):
        row = header + 1 + i
        new_group = previous is not None and values[1] != previous
        previous = values[1]
        for j, name in enumerate(columns):
            value = values[j]
            if name == "序号":
                ws.write_number(row, j, i + 1, body["center", new_group])
            elif name == SCORE_COLUMN and value:
                ws.write_number(row, j, float(value), body["number", new_group])
            else:
                ws.write_string(row, j, value, body["center" if name in centered else "text", new_group])
        height = max(_lines(values[j], widths[j]) for j in range(1, len(columns)))
        ws.set_row(row, _LINE_HEIGHT * height + 6)
    end = header + 1 + len(cells)
    ws.merge_range(end, 0, end, last, f"共 {len(cells)} 家单位。", f_line)

    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    ws.center_horizontally()
    ws.repeat_rows(header)  # the header row on every printed page
    ws.fit_to_pages(1, 0)  # one page wide, as many pages long as needed
    ws.print_area(0, 0, end, last)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.freeze_panes(header + 1, 0)
    book.close()
    return buffer.getvalue()


def _cells(rows: pd.DataFrame, columns: tuple[str, ...]) -> list[list[str]]:
    """Every table cell as text ('' when blank); 序号 is numbered by the writer."""
    out: list[list[str]] = []
    for record in rows.to_dict("records"):
        line = [""]
        for name in columns[1:]:
            value = record.get(_FIELDS[name])
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                line.append("")
            elif name == SCORE_COLUMN:
                line.append(f"{float(value):.2f}")
            else:
                line.append(str(value))
        out.append(line)
    return out


def _width(name: str, values: list[str]) -> float:
    low, high = _LIMITS[name]
    widest = max([text_width(name), *(text_width(v) for v in values)]) + 2
    return float(min(high, max(low, widest)))
