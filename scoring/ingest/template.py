"""The import workbook of SPEC §3, generated from the indicator system (SPEC §7 ``template``).

``build_template`` returns an xlsx (bytes) made with openpyxl: a 说明 sheet explaining every sheet,
column, vocabulary and scoring rule, then the seven sheets of ``scoring.ingest.sheets`` in import
order with the exact header texts on row 1 (so the file imports without edits), dropdowns for the
closed vocabularies, input prompts, date and text (``@``) column formats, frozen header rows and
required headers in red. When a dropdown list is too long for Excel's inline list (255 characters,
e.g. many 区县 or 评估轮次 names) it lives on the hidden sheet ``_选项``; the importer must skip it
(and the 说明 sheet), as neither is one of the seven data sheets.

``fill_template`` writes data rows below the headers of such a workbook without going through
openpyxl's cell model (hundreds of thousands of rows in seconds); the demo campaign uses it so that
a filled template is exactly what is imported. Both functions are pure: bytes in, bytes out, and the
same input always gives the same bytes (fixed zip and document timestamps).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from scoring.engine.indicators import NOT_APPLICABLE, Indicator, IndicatorSystem
from scoring.ingest.sheets import CHECK_ALIASES, DEFAULT_INDUSTRIES, LIKERT_LABELS, Column, SheetSpec, sheet_specs

INSTRUCTIONS_SHEET = "说明"
OPTIONS_SHEET = "_选项"  # hidden list source for long dropdowns; not a data sheet
LAST_ROW = 1_048_576  # validations and column formats cover every data row of the sheet
INLINE_LIST_LIMIT = 255  # Excel's limit for an inline list ("a,b,c") in a data validation
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
FIXED_TIMESTAMP = dt.datetime(2026, 1, 1)  # document and zip timestamps: same input → same bytes

Cell = str | int | float | dt.date | None

_REQUIRED_FONT = Font(bold=True, color="C00000")
_OPTIONAL_FONT = Font(bold=True, color="000000")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ITEM_FILL = PatternFill("solid", fgColor="FFF2CC")
_THIN = Side(style="thin", color="9BA7B4")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_TITLE_FONT = Font(bold=True, size=14)
_SECTION_FONT = Font(bold=True, size=12, color="1F4E78")

# text-formatted besides every USCC column: codes and numbers made of digits keep leading zeros and all
# their digits (Excel turns 18 or 19 digits into 9.1E+17)
_TEXT_COLUMNS = {
    ("districts", "code"),
    ("merchants", "phone"),
    ("surveys", "response_no"),
    ("complaints", "complaint_no"),
    ("credit", "doc_no"),
}
_DATE_INPUTS = "Excel 日期，或文本 2026-03-05、2026/3/5、2026.3.5、2026年3月5日"
_COUNT_NAMES = {
    "registered": "登记投诉数（不含不予受理）",
    "closed": "办结数（调解成功+调解终止+撤诉）",
    "on_time": "按时办结数",
    "mediated": "调解数（调解成功+调解终止）",
    "mediation_success": "调解成功数",
}
_SOURCE_NAMES = {"inspection": "实地检查", "complaints": "投诉记录（自动计算）", "survey": "满意度调查（自动计算）"}


def build_template(
    system: IndicatorSystem,
    industries: Sequence[str] = DEFAULT_INDUSTRIES,
    districts: Sequence[str] = (),
    rounds: Sequence[str] = (),
) -> bytes:
    """The import workbook for ``system``: 说明 first, then the seven §3 sheets in import order.

    ``districts`` and ``rounds`` (names) feed the 区县 / 评估轮次 dropdowns when given; otherwise
    those columns carry a prompt only (the names are whatever the workbook's own sheets define).
    """
    specs = sheet_specs(system, tuple(industries))
    wb = Workbook()
    wb.properties.creator = "放心消费创建评价系统"
    wb.properties.title = "放心消费创建评价 数据导入模板"
    wb.properties.subject = f"{system.name.zh}（{system.version}，{system.short_hash}）"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    lists = _Lists()
    dynamic = {"district": tuple(districts), "round": tuple(rounds)}
    rules = _item_rules(system)
    _write_instructions(wb.active, system, specs, dynamic)
    for spec in specs:
        _write_sheet(wb.create_sheet(spec.title), spec, dynamic, rules, lists)
    lists.write(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise(buf.getvalue(), {})


# ---------------------------------------------------------------------------------------------
# data sheets


class _Lists:
    """Dropdown sources: inline when short, else a column of the hidden ``_选项`` sheet (written last)."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, ...], tuple[str, str]] = {}  # values → (title, range)

    def formula(self, title: str, values: tuple[str, ...]) -> str:
        inline = ",".join(values)
        if len(inline) + 2 <= INLINE_LIST_LIMIT and not any(("," in v or '"' in v) for v in values):
            return f'"{inline}"'
        if values not in self.columns:
            letter = get_column_letter(len(self.columns) + 1)
            self.columns[values] = (title, f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${len(values) + 1}")
        return self.columns[values][1]

    def write(self, wb: Any) -> None:
        if not self.columns:
            return
        ws = wb.create_sheet(OPTIONS_SHEET)
        for col, (values, (title, _)) in enumerate(self.columns.items(), start=1):
            _put(ws, 1, col, title)
            ws.column_dimensions[get_column_letter(col)].number_format = TEXT_FORMAT
            for row, value in enumerate(values, start=2):
                _put(ws, row, col, value)
        ws.sheet_state = "hidden"


def _put(ws: Any, row: int, column: int, text: str) -> Any:
    """Write text as text: a name such as ``=…`` from an edited indicator file never becomes a formula."""
    cell = ws.cell(row, column)
    cell.value = text
    cell.data_type = "s"
    return cell


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(col: Column) -> float:
    if col.kind in {"item", "answer"}:
        return 14.0
    if col.kind == "uscc":
        return 22.0
    if col.kind == "date":
        return 13.0
    wide = {"name": 30.0, "address": 36.0, "reason": 30.0, "authority": 30.0, "note": 30.0, "inspectors": 18.0}
    base = wide.get(col.name, 12.0)
    return max(base, min(_display_width(col.header) + 4.0, 40.0))


def _prompt(col: Column, choices: tuple[str, ...]) -> str:
    parts = ["必填。" if col.required else "选填。"]
    if col.note:
        parts.append(col.note.rstrip("。") + "。")
    if col.kind == "date":
        parts.append("日期：" + _DATE_INPUTS + "。")
    if choices:
        parts.append("可选：" + "/".join(choices) + "。")
    return "".join(parts)[:255]


def _item_rules(system: IndicatorSystem) -> dict[str, str]:
    """Inspection item code → check | deduct | flag | count."""
    rules: dict[str, str] = {i.code: i.type for i in system.indicators if i.from_inspection}
    rules.update({b.code: b.kind for b in system.bonus_items})
    return rules


def _custom_rule(col: Column, rule: str, ref: str) -> tuple[str, str] | None:
    """A formula validation for number-like item and answer columns: (formula, error text)."""
    if col.kind == "item" and rule == "deduct":
        formula = f'IF(ISNUMBER({ref}),AND({ref}>=0,INT({ref})={ref}),{ref}="{NOT_APPLICABLE}")'
        return formula, f"请填写发现问题处数（整数 ≥ 0），或“{NOT_APPLICABLE}”。"
    if col.kind == "item" and rule == "count":
        return f"AND(ISNUMBER({ref}),{ref}>=0,INT({ref})={ref})", "请填写项数（整数 ≥ 0）。"
    if col.kind == "answer":
        labels = ",".join(f'{ref}="{label}"' for label in LIKERT_LABELS)
        formula = f"IF(ISNUMBER({ref}),AND({ref}>=1,{ref}<=5,INT({ref})={ref}),OR({labels}))"
        return formula, "请填写 1–5 的整数或 非常满意/满意/一般/不满意/非常不满意；未作答留空。"
    return None


def _write_sheet(
    ws: Any, spec: SheetSpec, dynamic: Mapping[str, tuple[str, ...]], rules: Mapping[str, str], lists: _Lists
) -> None:
    for index, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = _put(ws, 1, index, col.header)
        cell.font = _REQUIRED_FONT if col.required else _OPTIONAL_FONT
        cell.fill = _ITEM_FILL if col.kind in ("item", "answer") else _HEADER_FILL
        cell.border = _HEADER_BORDER
        cell.alignment = _HEADER_ALIGN
        dim = ws.column_dimensions[letter]
        dim.width = _column_width(col)
        if col.kind == "date":
            dim.number_format = DATE_FORMAT
        elif col.kind == "uscc" or (spec.key, col.name) in _TEXT_COLUMNS:
            dim.number_format = TEXT_FORMAT
        rule = rules.get(col.name, "") if col.kind == "item" else ""
        _add_validation(ws, col, letter, rule=rule, choices=_choices(spec, col, dynamic), lists=lists)
    ws.row_dimensions[1].height = 48 if any(c.kind in ("item", "answer") for c in spec.columns) else 22
    ws.freeze_panes = _freeze_cell(spec)


def _freeze_cell(spec: SheetSpec) -> str:
    """Header row always; on the wide sheets also the columns that identify the row."""
    names = [c.name for c in spec.columns]
    if any(c.kind in ("item", "answer") for c in spec.columns):
        last = "name" if "name" in names else "uscc"
        return f"{get_column_letter(names.index(last) + 2)}2"
    return "A2"


def _choices(spec: SheetSpec, col: Column, dynamic: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    if col.choices:
        return col.choices
    if col.kind == "choice" and spec.key not in ("districts", "rounds"):
        return dynamic.get(col.name, ())
    return ()


def _add_validation(ws: Any, col: Column, letter: str, *, rule: str, choices: tuple[str, ...], lists: _Lists) -> None:
    sqref = f"{letter}2:{letter}{LAST_ROW}"
    title = col.header[:32]
    prompt = _prompt(col, choices)
    if choices:
        # check items also accept ✓/×…; district and round names may be added in this very workbook
        soft = rule == "check" or not col.choices
        dv = DataValidation(type="list", formula1=lists.formula(col.header, choices), allow_blank=True)
        dv.errorStyle = "warning" if soft else "stop"
        accepted = "/".join(choices)
        if rule == "check":
            accepted += "（也接受 " + " ".join(CHECK_ALIASES) + "）"
        dv.error = f"请从下拉列表选择：{accepted}"[:255]
    elif (custom := _custom_rule(col, rule, f"{letter}2")) is not None:
        dv = DataValidation(type="custom", formula1=custom[0], allow_blank=True)
        dv.errorStyle = "warning"
        dv.error = custom[1]
    elif col.kind == "uscc":
        dv = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True)
        dv.errorStyle = "warning"
        dv.error = "统一社会信用代码应为 18 位。"
    elif col.kind == "number":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.errorStyle = "stop"
        dv.error = "请填写不小于 0 的数字。"
    else:
        dv = DataValidation(allow_blank=True)  # prompt only
    dv.errorTitle = title
    dv.showErrorMessage = dv.type is not None
    dv.promptTitle = title
    dv.prompt = prompt
    dv.showInputMessage = True
    dv.add(sqref)
    ws.add_data_validation(dv)


# ---------------------------------------------------------------------------------------------
# 说明


_INSTRUCTION_WIDTHS = (22, 40, 8, 70, 50)
_PARAGRAPH_WIDTH = sum(_INSTRUCTION_WIDTHS[1:]) - 8  # display columns per wrapped line, with margin


class _Writer:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.row = 1

    def line(self, *values: str, font: Font | None = None, fill: PatternFill | None = None) -> None:
        for index, value in enumerate(values, start=1):
            cell = _put(self.ws, self.row, index, value)
            cell.alignment = _WRAP
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
        self.row += 1

    def paragraph(self, label: str, text: str) -> None:
        """A long text across columns B–E (merged; the row is sized to the wrapped text)."""
        self.line(label, text)
        self.ws.merge_cells(start_row=self.row - 1, start_column=2, end_row=self.row - 1, end_column=5)
        lines = max(1, -(-_display_width(text) // _PARAGRAPH_WIDTH))
        self.ws.row_dimensions[self.row - 1].height = 16 * lines

    def section(self, title: str) -> None:
        self.row += 1
        self.line(title, font=_SECTION_FONT)

    def table_header(self, *values: str) -> None:
        self.line(*values, font=Font(bold=True), fill=_HEADER_FILL)


def _rule_text(ind: Indicator) -> str:
    if ind.type == "check":
        pts = "，".join(f"{k} {v:g} 分" for k, v in ind.check_points.items())
        return f"{pts}；{NOT_APPLICABLE} → 不计入"
    if ind.type == "deduct" and ind.from_inspection:
        return f"满分 {ind.max_points:g}，每发现 1 处扣 {ind.per_finding:g} 分，扣完为止；{NOT_APPLICABLE} → 不计入"
    if ind.type == "deduct":
        what = _COUNT_NAMES.get(ind.count, ind.count)
        return f"满分 {ind.max_points:g}，{what}每 1 件扣 {ind.per_finding:g} 分，扣完为止"
    if ind.type == "ratio":
        num = _COUNT_NAMES.get(ind.numerator, ind.numerator)
        den = _COUNT_NAMES.get(ind.denominator, ind.denominator)
        return (
            f"比率 = {num} ÷ {den}；比率 ≤ {ind.lo:.0%} 得 0 分，≥ {ind.hi:.0%} 得 {ind.max_points:g} 分，"
            f"其间按比例计分；无数据时得 {ind.no_data_points:g} 分"
        )
    return (
        f"满意度指数 = 本轮有效问卷全部已答题目的平均分（1→0、2→25、3→50、4→75、5→100）；"
        f"得分 = {ind.max_points:g} × 指数 ÷ 100；有效问卷少于 {ind.min_responses} 份为{NOT_APPLICABLE}"
    )


def _type_name(ind: Indicator) -> str:
    return {"check": "检查项", "deduct": "扣分项", "ratio": "比率", "likert": "满意度"}[ind.type]


def _write_instructions(
    ws: Any,
    system: IndicatorSystem,
    specs: tuple[SheetSpec, ...],
    dynamic: Mapping[str, tuple[str, ...]],
) -> None:
    ws.title = INSTRUCTIONS_SHEET
    for letter, width in zip("ABCDE", _INSTRUCTION_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    w = _Writer(ws)
    w.line("放心消费创建评价 数据导入模板", font=_TITLE_FONT)
    w.line(f"指标体系：{system.name.zh}（版本 {system.version}，内容哈希 {system.short_hash}）")

    w.section("一、填写须知")
    order = " → ".join(s.title for s in specs)
    tips = [
        f"本工作簿包含 {len(specs)} 张数据表，导入顺序为：{order}。后面的表引用前面的表"
        "（商户须属于已导入的区县；检查、问卷须属于已导入的轮次和商户），同一工作簿内按此顺序处理；"
        "每张表也可单独上传（xlsx，或 UTF-8 / UTF-8-BOM / GB18030 编码的 CSV）。",
        "表头在第 1 行，请勿修改表头文字；列的顺序可以调整，可删除不需要的选填列；"
        "系统按表头文字识别列（表头可位于前 10 行内），无法识别的列会被忽略并提示。",
        "红色表头（下表“必填”栏标 *）为必填列；黑色表头为选填列。"
        "选中单元格可看到填写提示，带下拉箭头的列请从列表选择。",
        f"日期列可填写 {_DATE_INPUTS}。",
        "统一社会信用代码为 18 位（GB 32100-2015，不含 I、O、S、V、Z），第 3–8 位为登记管理机关行政区划码；"
        "长度、字符或区划码错误的行将被拒绝；仅校验位不符时照常导入并给出警告。代码列已设为文本格式，请勿改为数字。",
        f"“{NOT_APPLICABLE}”与空白不同：检查项、扣分项不适用时请填写“{NOT_APPLICABLE}”（不计入得分和满分）；"
        "空白表示漏填，该行将被拒绝；扣分项填 0 表示未发现问题。加分项填 是/否 或项数，不得留空。",
        f"满意度问卷 Q1–Q{len(system.survey_questions)} 中未作答的题目留空；未作答 ≥ "
        f"{system.survey_invalid_unanswered} 题的问卷为废卷：保存并计入报告，但不参与计分。",
        "同一文件中自然键重复的行将被拒绝（“与第 N 行重复”）；再次导入相同自然键的数据将替换原有记录。",
        "导入时会一次性列出所有问题：被拒绝的行可下载错误清单（工作表、行号、列、值、级别、原因），"
        "读取行数 = 导入 + 拒绝 + 空行，不会静默丢弃任何行。",
        "负责人、联系电话属于个人信息，仅供内部使用，不会出现在公示名单中。",
        "请勿使用合并单元格、公式或隐藏行；数字、日期请直接填写数值。",
    ]
    if any(dynamic.values()):
        tips.append(
            f"下拉列表中的区县、评估轮次来自生成模板时的设置；数据较多时列表存放在隐藏工作表“{OPTIONS_SHEET}”中，"
            "请勿修改，导入时忽略该表。"
        )
    for number, tip in enumerate(tips, start=1):
        w.paragraph(f"{number}.", tip)

    w.section("二、各工作表与列")
    for spec in specs:
        keys = "、".join(spec.column(n).header for n in spec.natural_key)
        w.line(f"【{spec.title}】", f"{spec.note}（唯一标识：{keys}）", font=Font(bold=True))
        w.table_header("", "列名（表头）", "必填", "说明", "可选值 / 格式")
        for col in spec.columns:
            choices = _choices(spec, col, dynamic)
            if choices:
                allowed = "/".join(choices)
            elif col.kind == "date":
                allowed = "日期（yyyy-mm-dd）"
            elif col.kind == "answer":
                allowed = "1–5，或 " + "/".join(f"{k} {v}" for k, v in LIKERT_LABELS.items())
            elif col.kind == "uscc":
                allowed = "18 位文本"
            else:
                allowed = ""
            w.line("", col.header, "*" if col.required else "", col.note, allowed)

    w.section("三、指标体系与计分规则")
    w.table_header("代码", "指标", "类型", "计分规则", "数据来源")
    for dim in system.dimensions:
        w.line(dim.code, f"{dim.name.zh}（满分 {dim.max_points:g}）", font=Font(bold=True))
        for ind in dim.indicators:
            w.line(ind.code, ind.name.zh, _type_name(ind), _rule_text(ind), _SOURCE_NAMES.get(ind.source, ind.source))
    w.line("", f"{system.bonus_name.zh}（合计最多 {system.bonus_cap:g} 分）", font=Font(bold=True))
    for item in system.bonus_items:
        if item.kind == "flag":
            rule = f"是 {item.points:g} 分，否 0 分"
        else:
            rule = f"填项数，每项 {item.points:g} 分，最多 {item.max_points:g} 分"
        w.line(item.code, item.name.zh, "加分项", rule, _SOURCE_NAMES["inspection"])
    check_aliases = "、".join(f"{k}→{v}" for k, v in CHECK_ALIASES.items())
    scoring = [
        f"基础得分 = 100 × 适用指标得分之和 ÷ 适用指标满分之和；{NOT_APPLICABLE}的指标同时不计入分子和分母。",
        f"加分 = 各加分项之和，最多 {system.bonus_cap:g} 分；综合得分 = 基础得分 + 加分（四舍五入到 2 位小数）。",
        "只有本轮有实地检查记录的商户才计分；投诉按登记日期归入统计期间包含该日期的轮次。",
        f"检查项也接受：{check_aliases}（加分项只接受 是/否 或项数）。",
    ]
    for text in scoring:
        w.paragraph("", text)

    w.section("四、一票否决（按评估基准日 D = 轮次结束日期判断，依据信用记录）")
    for veto in system.vetoes:
        if veto.window == "listed":
            rule = "列入日期 ≤ D，且未移出（无移出日期或移出日期 > D）"
        else:
            rule = f"D 前 {veto.days} 天内列入：D − {veto.days} 天 < 列入日期 ≤ D"
        w.line(veto.code, veto.list_type, "", rule)
    w.line("", f"任一否决项成立，等级为“{system.grade_veto}”，不论得分。")

    w.section("五、等级")
    bands = "；".join(f"≥ {g.min_total:g} {g.name}" for g in system.grades)
    w.line("", f"按综合得分：{bands}；其余为 {system.grade_fallback}。")
    ws.freeze_panes = None


# ---------------------------------------------------------------------------------------------
# zip handling shared by build_template and fill_template

_ZIP_TIME = FIXED_TIMESTAMP.timetuple()[:6]
_FAST_ZIP_FROM = 4 * 1024 * 1024
_W3C_TIME = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
_MODIFIED = re.compile(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _normalise(xlsx: bytes, replace: Mapping[str, bytes]) -> bytes:
    """Re-zip with fixed timestamps (and ``replace``d parts), so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename)
            if data is None:
                data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rf"\g<1>{_W3C_TIME}\g<2>", data.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            # big filled sheets: fast compression (about 3× faster, files about 25 % larger)
            zout.writestr(entry, data, compresslevel=1 if len(data) > _FAST_ZIP_FROM else 6)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# filling a template with rows

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET = re.compile(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"')
_REL = re.compile(r"<Relationship ([^>]*?)/?>")
_COL = re.compile(r"<col ([^>]*)/>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_SHEET_DATA = re.compile(r"<sheetData>(.*?)</sheetData>|<sheetData\s*/>", re.S)
_ROW_NUMBER = re.compile(r'<row [^>]*r="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="[^"]*"\s*/>')


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip part of its worksheet XML."""
    rels: dict[str, str] = {}
    for m in _REL.finditer(zin.read("xl/_rels/workbook.xml.rels").decode("utf-8")):
        attrs = dict(_ATTR.findall(m.group(1)))
        target = attrs.get("Target", "")
        rels[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    workbook = zin.read("xl/workbook.xml").decode("utf-8")
    return {_unescape(m.group(1)): rels[m.group(2)] for m in _SHEET.finditer(workbook)}


_CELL_XFS = re.compile(r"<cellXfs[^>]*>(.*?)</cellXfs>", re.S)
_XF = re.compile(r"<xf ([^>]*?)/?>")
_NUM_FMT = re.compile(r"<numFmt ([^>]*?)/?>")
_BUILTIN_DATE_FORMATS = {*range(14, 23), 45, 46, 47}
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')  # quoted text, [Red] / [$-804], escapes


def _date_styles(styles_xml: str) -> set[str]:
    """Style indices (cellXfs) whose number format shows a date."""
    custom = {}
    for m in _NUM_FMT.finditer(styles_xml):
        attrs = dict(_ATTR.findall(m.group(1)))
        custom[int(attrs["numFmtId"])] = _unescape(attrs.get("formatCode", ""))
    xfs = _CELL_XFS.search(styles_xml)
    dates: set[str] = set()
    for index, m in enumerate(_XF.finditer(xfs.group(1) if xfs else "")):
        fmt_id = int(dict(_ATTR.findall(m.group(1))).get("numFmtId", "0"))
        code = _FORMAT_LITERALS.sub("", custom.get(fmt_id, "")).lower()
        if fmt_id in _BUILTIN_DATE_FORMATS or (code and "@" not in code and any(ch in code for ch in "ymd")):
            dates.add(str(index))
    return dates


def _column_styles(sheet_xml: str) -> dict[int, str]:
    """1-based column → the column's default style index (as written by openpyxl)."""
    styles: dict[int, str] = {}
    for m in _COL.finditer(sheet_xml):
        attrs = dict(_ATTR.findall(m.group(1)))
        if attrs.get("style", "0") != "0":
            for index in range(int(attrs["min"]), int(attrs["max"]) + 1):
                styles[index] = attrs["style"]
    return styles


def _escape(text: str) -> str:
    text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _CellWriter:
    """Cell XML per column, cached per value: most values repeat (rounds, dates, answers, vocabularies)."""

    def __init__(self, styles: Mapping[int, str], date_styles: set[str]) -> None:
        self.styles = styles
        self.date_styles = date_styles
        self.heads: list[str] = []  # '<c r="B' per column
        self.tails: list[dict[Cell, str]] = []  # value → the cell XML after the row number

    def widen(self, width: int) -> None:
        for index in range(len(self.heads) + 1, width + 1):
            self.heads.append(f'<c r="{get_column_letter(index)}')
            self.tails.append({})

    def tail(self, index: int, value: Cell) -> str:
        style = self.styles.get(index + 1, "")
        s = f' s="{style}"' if style else ""
        if isinstance(value, str):
            if not value:
                return ""
            space = ' xml:space="preserve"' if value != value.strip() else ""
            return f'"{s} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
        if isinstance(value, bool):
            raise TypeError(f"第 {index + 1} 列：布尔值请写作 是/否")
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise ValueError(f"第 {index + 1} 列：无法写入 {value}")
            return f'"{s}><v>{value!r}</v></c>'
        if isinstance(value, dt.date):
            if style not in self.date_styles:
                raise ValueError(f"第 {index + 1} 列不是日期列，不能写入日期 {value}")
            if isinstance(value, dt.datetime):
                delta = value - dt.datetime(1899, 12, 30)
                serial: float = delta.days + delta.seconds / 86400
            else:
                serial = (value - _EXCEL_EPOCH).days
            return f'"{s}><v>{serial!r}</v></c>'
        raise TypeError(f"第 {index + 1} 列：不支持的值类型 {type(value).__name__}")


def _rows_xml(
    rows: Iterable[Sequence[Cell]], first_row: int, styles: Mapping[int, str], date_styles: set[str]
) -> tuple[list[str], int, int]:
    """XML for ``rows`` from ``first_row`` on; also the last row number written and the widest row."""
    writer = _CellWriter(styles, date_styles)
    heads, tails = writer.heads, writer.tails
    parts: list[str] = []
    add = parts.append
    number = first_row - 1
    widest = 0
    for number, row in enumerate(rows, start=first_row):
        if len(row) > widest:
            widest = len(row)
            writer.widen(widest)
        n = str(number)
        add(f'<row r="{n}">')
        for index, value in enumerate(row):
            if value is None:
                continue
            if value is True or value is False:  # bool equals 1/0: never let the cache answer for it
                writer.tail(index, value)
            column = tails[index]
            tail = column.get(value)
            if tail is None:
                tail = column[value] = writer.tail(index, value)
            if tail:
                add(heads[index])
                add(n)
                add(tail)
        add("</row>")
    return parts, number, widest


def fill_template(template: bytes, rows: Mapping[str, Iterable[Sequence[Cell]]]) -> bytes:
    """Write ``rows`` (sheet name → rows of cell values, in the sheet's column order) below the headers.

    Strings become text cells, ints and floats numbers, dates Excel dates in the column's date format;
    None and "" leave the cell empty. Cells take their column's style (text, date), exactly as if typed
    into the template. Unknown sheet names raise KeyError.
    """
    with zipfile.ZipFile(io.BytesIO(template)) as zin:
        parts = _sheet_parts(zin)
        date_styles = _date_styles(zin.read("xl/styles.xml").decode("utf-8"))
        replace: dict[str, bytes] = {}
        for name, sheet_rows in rows.items():
            part = parts[name]
            xml = zin.read(part).decode("utf-8")
            data = _SHEET_DATA.search(xml)
            if data is None:
                raise ValueError(f"工作表 {name} 缺少 sheetData")
            existing = data.group(1) or ""
            numbers = [int(n) for n in _ROW_NUMBER.findall(existing)]
            first = max(numbers, default=0) + 1
            body, last, widest = _rows_xml(sheet_rows, first, _column_styles(xml), date_styles)
            header_cols = max((len(_COL.findall(xml)), widest, 1))
            ref = f"A1:{get_column_letter(header_cols)}{max(last, first - 1, 1)}"
            head = _DIMENSION.sub(f'<dimension ref="{ref}" />', xml[: data.start()], count=1)
            pieces = [head, "<sheetData>", existing, *body, "</sheetData>", xml[data.end() :]]
            replace[part] = "".join(pieces).encode("utf-8")
    return _normalise(template, replace)
