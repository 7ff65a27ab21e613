"""The import template (SPEC §3, §7 ``template``): sheets, exact headers, dropdowns, formats, 说明."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.ingest.sheets import sheet_specs
from scoring.ingest.template import INSTRUCTIONS_SHEET, OPTIONS_SHEET, build_template, fill_template

INDICATORS = Path(__file__).resolve().parent.parent / "data" / "indicators" / "fangxin-2026.yaml"


@pytest.fixture(scope="module")
def system() -> IndicatorSystem:
    return load_indicator_system(INDICATORS.read_bytes())


@pytest.fixture(scope="module")
def book(system: IndicatorSystem) -> Any:
    return openpyxl.load_workbook(io.BytesIO(build_template(system)))


def _validations(ws: Any, column: int) -> list[Any]:
    """The data validations covering row 2 of a column."""
    cell = f"{get_column_letter(column)}2"
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def _list_values(formula: str) -> list[str]:
    assert formula.startswith('"') and formula.endswith('"'), formula
    return formula[1:-1].split(",")


def test_instructions_first_then_the_seven_sheets_in_import_order(book: Any, system: IndicatorSystem) -> None:
    specs = sheet_specs(system)
    assert book.sheetnames == [INSTRUCTIONS_SHEET, *(s.title for s in specs)]
    assert [s.title for s in specs] == [
        "区县",
        "评估轮次",
        "商户名录",
        "实地检查",
        "满意度调查",
        "投诉记录",
        "信用记录",
    ]


def test_exact_spec_headers_on_row_1(book: Any, system: IndicatorSystem) -> None:
    for spec in sheet_specs(system):
        ws = book[spec.title]
        assert tuple(c.value for c in ws[1]) == spec.headers
        assert ws.max_row == 1  # nothing below the header: an untouched template imports as empty
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2")


def test_required_headers_red_and_bold(book: Any, system: IndicatorSystem) -> None:
    for spec in sheet_specs(system):
        ws = book[spec.title]
        for index, col in enumerate(spec.columns, start=1):
            font = ws.cell(1, index).font
            assert font.b
            is_red = font.color is not None and str(font.color.rgb).endswith("C00000")
            assert is_red == col.required, (spec.title, col.header)


def test_dropdowns_for_every_closed_vocabulary(book: Any, system: IndicatorSystem) -> None:
    checked = 0
    for spec in sheet_specs(system):
        ws = book[spec.title]
        for index, col in enumerate(spec.columns, start=1):
            lists = [dv for dv in _validations(ws, index) if dv.type == "list"]
            if col.choices:
                assert len(lists) == 1, (spec.title, col.header)
                assert _list_values(lists[0].formula1) == list(col.choices)
                assert str(lists[0].sqref) == f"{get_column_letter(index)}2:{get_column_letter(index)}1048576"
                checked += 1
            else:
                assert lists == [], (spec.title, col.header)
    # 行业, 是否申报, 检查方式, 7 check + 3 flag items, 调查方式, 处理结果, 是否按时办结, 名单类型
    assert checked == 18


def test_check_items_accept_aliases_but_vocabularies_are_strict(book: Any) -> None:
    ws = book["实地检查"]
    headers = [c.value for c in ws[1]]
    check = _validations(ws, headers.index("B1 进货查验、索证索票、购销台账") + 1)[0]
    assert _list_values(check.formula1) == ["符合", "部分符合", "不符合", "不适用"]
    assert check.errorStyle == "warning"  # ✓ √ 是 ✗ × 否 are accepted by the importer
    flag = _validations(ws, headers.index("G1 异地异店无理由退换货承诺") + 1)[0]
    assert _list_values(flag.formula1) == ["是", "否"]
    assert flag.errorStyle == "stop"
    a1 = _validations(ws, headers.index("A1 证照齐全、亮照经营") + 1)[0]
    assert "部分符合" not in _list_values(a1.formula1)  # only where §4 gives it points


def test_number_like_items_and_answers_have_formula_checks(book: Any) -> None:
    ws = book["实地检查"]
    headers = [c.value for c in ws[1]]
    deduct = _validations(ws, headers.index("A2 经营场所安全（消防器材、警示标志）") + 1)[0]
    assert deduct.type == "custom" and "不适用" in deduct.formula1
    count = _validations(ws, headers.index("G3 政府或消委会颁发的荣誉（项数）") + 1)[0]
    assert count.type == "custom" and "不适用" not in count.formula1
    survey = book["满意度调查"]
    answer = _validations(survey, [c.value for c in survey[1]].index("Q1 商品质量") + 1)[0]
    assert answer.type == "custom" and "非常满意" in answer.formula1


def test_date_and_text_formats_cover_whole_columns(book: Any, system: IndicatorSystem) -> None:
    text_columns = {
        ("districts", "code"),
        ("merchants", "phone"),
        ("surveys", "response_no"),
        ("complaints", "complaint_no"),
        ("credit", "doc_no"),
    }
    for spec in sheet_specs(system):
        ws = book[spec.title]
        for index, col in enumerate(spec.columns, start=1):
            fmt = ws.column_dimensions[get_column_letter(index)].number_format
            if col.kind == "date":
                assert fmt == "yyyy-mm-dd", (spec.title, col.header)
            elif col.kind == "uscc" or (spec.key, col.name) in text_columns:
                assert fmt == "@", (spec.title, col.header)
            else:
                assert fmt == "General", (spec.title, col.header)


def test_district_and_round_names_become_dropdowns(system: IndicatorSystem) -> None:
    wb = openpyxl.load_workbook(
        io.BytesIO(build_template(system, districts=["上城区", "拱墅区"], rounds=["2026年初期评估"]))
    )
    assert OPTIONS_SHEET not in wb.sheetnames  # short lists stay inline
    merchants = wb["商户名录"]
    district = [dv for dv in _validations(merchants, 3) if dv.type == "list"]
    assert _list_values(district[0].formula1) == ["上城区", "拱墅区"]
    for title in ("实地检查", "满意度调查"):
        ws = wb[title]
        column = [c.value for c in ws[1]].index("评估轮次") + 1
        rounds = [dv for dv in _validations(ws, column) if dv.type == "list"]
        assert _list_values(rounds[0].formula1) == ["2026年初期评估"]
    # the 区县 and 评估轮次 sheets define the names: no dropdown there
    assert [dv for dv in _validations(wb["区县"], 1) if dv.type == "list"] == []


def test_long_lists_live_on_a_hidden_options_sheet(system: IndicatorSystem) -> None:
    rounds = [f"{year}年第{n}次专项评估（试点）" for year in (2026, 2027) for n in range(1, 16)]
    wb = openpyxl.load_workbook(io.BytesIO(build_template(system, rounds=rounds)))
    assert wb.sheetnames[-1] == OPTIONS_SHEET
    options = wb[OPTIONS_SHEET]
    assert options.sheet_state == "hidden"
    assert [options.cell(r, 1).value for r in range(2, len(rounds) + 2)] == rounds
    ws = wb["实地检查"]
    dv = next(dv for dv in _validations(ws, 1) if dv.type == "list")
    assert dv.formula1 == f"'{OPTIONS_SHEET}'!$A$2:$A${len(rounds) + 1}"
    assert "_选项" in "".join(str(c.value) for row in wb[INSTRUCTIONS_SHEET].iter_rows() for c in row)


def test_item_columns_follow_the_indicator_system(system: IndicatorSystem) -> None:
    raw = yaml.safe_load(INDICATORS.read_text(encoding="utf-8"))
    quality = next(d for d in raw["dimensions"] if d["code"] == "B")
    quality["indicators"] = [i for i in quality["indicators"] if i["code"] != "B3"]
    raw["bonus"]["items"] = [b for b in raw["bonus"]["items"] if b["code"] != "G4"]
    smaller = load_indicator_system(yaml.safe_dump(raw, allow_unicode=True))
    wb = openpyxl.load_workbook(io.BytesIO(build_template(smaller)))
    headers = [c.value for c in wb["实地检查"][1]]
    assert tuple(headers) == next(s for s in sheet_specs(smaller) if s.key == "inspections").headers
    assert not any(str(h).startswith(("B3", "G4")) for h in headers)
    full = [c.value for c in openpyxl.load_workbook(io.BytesIO(build_template(system)))["实地检查"][1]]
    assert "B3 计量器具检定合格" in full and len(full) == len(headers) + 2
    text = "\n".join(str(c.value) for row in wb[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    assert "计量器具检定合格" not in text and "创新举措" not in text
    assert smaller.short_hash in text


def test_instructions_explain_sheets_columns_rules(book: Any, system: IndicatorSystem) -> None:
    rows = [[c.value for c in row] for row in book[INSTRUCTIONS_SHEET].iter_rows()]
    text = "\n".join(str(v) for row in rows for v in row if v)
    for spec in sheet_specs(system):
        assert f"【{spec.title}】" in text
        for col in spec.columns:
            listed = [row for row in rows if row[1] == col.header]
            assert listed, col.header
            assert any((row[2] == "*") == col.required for row in listed)
    assert "区县 → 评估轮次 → 商户名录 → 实地检查 → 满意度调查 → 投诉记录 → 信用记录" in text
    assert "“不适用”与空白不同" in text
    assert "未作答 ≥ 5 题的问卷为废卷" in text
    assert "2026年3月5日" in text  # accepted date formats
    assert "满分 5，每发现 1 处扣 2 分，扣完为止" in text  # A2 from the indicator file
    assert "比率 ≤ 80% 得 0 分，≥ 100% 得 4 分" in text  # E3
    assert "有效问卷少于 5 份为不适用" in text  # F1
    assert "合计最多 15 分" in text
    assert "D − 365 天 < 列入日期 ≤ D" in text
    assert system.short_hash in text


def test_same_input_same_bytes(system: IndicatorSystem) -> None:
    assert build_template(system, districts=["上城区"]) == build_template(system, districts=["上城区"])
    assert build_template(system, districts=["上城区"]) != build_template(system, districts=["西湖区"])


def test_fill_template_writes_values_as_typed(system: IndicatorSystem) -> None:
    template = build_template(system)
    rows = {
        "区县": [["上城区", "330102", "杭州市"], ["A&B <区>", " 空格 ", None]],
        "评估轮次": [["2026年初期评估", dt.date(2026, 1, 1), dt.date(2026, 4, 30)]],
        "投诉记录": [
            ["TS2026010100001", "913301026M9R3WQ4YQ", "", dt.date(2026, 1, 1), None, "处理中", None, 12.5, "=1+1"]
        ],
    }
    filled = fill_template(template, rows)
    book = CalamineWorkbook.from_filelike(io.BytesIO(filled))
    assert book.get_sheet_by_name("区县").to_python() == [
        ["区县名称", "区县代码", "所属城市"],
        ["上城区", "330102", "杭州市"],
        ["A&B <区>", " 空格 ", ""],
    ]
    assert book.get_sheet_by_name("评估轮次").to_python()[1] == [
        "2026年初期评估",
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 30),
    ]
    complaint = book.get_sheet_by_name("投诉记录").to_python()[1]
    assert complaint[7] == 12.5 and complaint[8] == "=1+1"  # text stays text, never a formula
    wb = openpyxl.load_workbook(io.BytesIO(filled))
    assert wb["投诉记录"]["B2"].number_format == "@"
    assert wb["评估轮次"]["B2"].number_format == "yyyy-mm-dd"
    assert wb["投诉记录"].dimensions == "A1:I2"
    assert len(wb["投诉记录"].data_validations.dataValidation) == len(
        openpyxl.load_workbook(io.BytesIO(template))["投诉记录"].data_validations.dataValidation
    )


def test_fill_template_refuses_what_it_cannot_write(system: IndicatorSystem) -> None:
    template = build_template(system)
    with pytest.raises(ValueError, match="不是日期列"):
        fill_template(template, {"区县": [["上城区", dt.date(2026, 1, 1), None]]})
    with pytest.raises(TypeError, match="是/否"):
        fill_template(template, {"区县": [["上城区", True, None]]})
    with pytest.raises(KeyError):
        fill_template(template, {"不存在": [["x"]]})
