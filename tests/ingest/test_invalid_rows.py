"""Every invalid-row kind of SPEC §3 is rejected (or flagged) with sheet, row, column and a Chinese reason."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.refs import ReferenceData
from scoring.ingest.results import Issue, UploadParse
from scoring.ingest.sheets import SheetSpec
from tests.ingest.conftest import (
    GOOD,
    ROUND,
    assert_accounted,
    base_sheets,
    inspection_row,
    parse,
    sheet,
    survey_row,
    uscc,
    xlsx,
)

WRONG_CHECK = GOOD[4][:17] + ("0" if GOOD[4][17] != "0" else "1")


def find(result: UploadParse, sheet_name: str, row: int, column: str) -> Issue:
    hits = [i for i in result.issues if (i.sheet, i.row, i.column) == (sheet_name, row, column)]
    assert len(hits) == 1, (sheet_name, row, column, [i for i in result.issues if i.row == row])
    return hits[0]


@pytest.fixture(scope="module")
def bad(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> UploadParse:
    sheets = base_sheets(specs)
    sheets["区县"] += [[None, "330105", "杭州市"], ["拱墅区", "33010", "杭州市"], ["上城区", "330102", "杭州市"]]
    sheets["评估轮次"] += [
        ["2026年末期评估", dt.date(2026, 12, 31), dt.date(2026, 9, 1)],  # row 3: end before start
        ["坏日期", "2026-13-01", dt.date(2026, 12, 1)],  # row 4
        [ROUND, dt.date(2026, 1, 1), dt.date(2026, 4, 30)],  # row 5: duplicate of row 2
        ["无开始", None, dt.date(2026, 4, 30)],  # row 6
    ]
    m = sheets["商户名录"]
    m += [
        [GOOD[0][:17], "短码", "上城区", "餐饮", "", "", None, "是", None, "", ""],  # row 7
        ["91330102I0000000X1", "非法字符", "上城区", "餐饮", "", "", None, "是", None, "", ""],  # row 8
        ["9133A102000000001X", "区划码", "上城区", "餐饮", "", "", None, "是", None, "", ""],  # row 9
        [uscc(90), None, "滨江区", "餐饮", "", "", None, "是", None, "", ""],  # row 10: no name, unknown district
        [uscc(91), "未知行业", "上城区", "理发", "", "", "2020-02-30", "可能", None, "", ""],  # row 11
        [GOOD[0], "重复", "上城区", "餐饮", "", "", None, "否", None, "", ""],  # row 12: duplicate of row 2
    ]
    m[5][0] = WRONG_CHECK  # row 6: GOOD[4] with a wrong check character: stored with a warning
    insp = [list(specs["inspections"].headers)]
    insp += [
        inspection_row(specs, GOOD[0], name="商户1"),  # row 2: valid
        inspection_row(specs, GOOD[1], round="2027年评估"),  # row 3
        inspection_row(specs, uscc(99), A1="符合"),  # row 4: not in the registry
        inspection_row(specs, GOOD[2], A2=None, A1="良好", B3="部分符合"),  # row 5
        inspection_row(specs, GOOD[3], A3=3.5, B2=-1, C1="两处"),  # row 6
        inspection_row(specs, GOOD[1], G1="✓", G3="是", G4=None),  # row 7
        inspection_row(specs, GOOD[1], G3=2.5, method="突击", inspectors=None, inspected_on=None, name="别名"),  # 8
        inspection_row(specs, GOOD[0]),  # row 9: duplicate of row 2
    ]
    surveys = [list(specs["surveys"].headers)]
    surveys += [
        survey_row(specs, "S1", GOOD[0], [5, 5, 5, 5, 5, 5, 5, 5]),  # row 2
        survey_row(specs, "S2", GOOD[0], [0, 5, 5, 5, 5, 5, 5, 5]),  # row 3
        survey_row(specs, "S3", GOOD[0], [5, 6, 3.5, "好", 5, 5, 5, 5]),  # row 4
        survey_row(specs, "S1", GOOD[1], [4, 4, 4, 4, 4, 4, 4, 4]),  # row 5: duplicate (round, 问卷编号)
        survey_row(specs, "S5", uscc(98), [4, 4, 4, 4, 4, 4, 4, 4]),  # row 6: not in the registry
        survey_row(specs, "S6", GOOD[1], [4, None, None, None, None, None, 4, 4]),  # row 7: 废卷, stored
    ]
    complaints = [list(specs["complaints"].headers)]
    complaints += [
        ["C1", GOOD[0], "", dt.date(2026, 3, 10), dt.date(2026, 3, 1), "调解成功", "是", 10, ""],  # row 2
        ["C2", GOOD[0], "", dt.date(2026, 3, 10), None, "调解成功", None, 10, ""],  # row 3
        ["C3", GOOD[0], "", dt.date(2026, 3, 10), None, "处理中", None, -5, ""],  # row 4
        ["C4", GOOD[0], "", dt.date(2026, 3, 10), None, "已解决", None, 0, ""],  # row 5
        ["C5", "913301", "", dt.date(2026, 3, 10), None, "处理中", None, 0, ""],  # row 6
        ["C6", uscc(97), "", dt.date(2026, 3, 10), None, "处理中", None, 0, ""],  # row 7: unmatched, stored
        ["C6", GOOD[0], "", dt.date(2026, 3, 11), None, "处理中", None, 0, ""],  # row 8: duplicate
        ["C8", GOOD[0], "", dt.date(2026, 3, 10), None, "撤诉", None, 0, ""],  # row 9
    ]
    credit = [list(specs["credit"].headers)]
    credit += [
        [GOOD[0], "经营异常名录", dt.date(2026, 1, 5), dt.date(2026, 1, 1), "", "", ""],  # row 2
        [GOOD[0], "黑名单", dt.date(2026, 1, 5), None, "", "", ""],  # row 3
        [GOOD[0], "行政处罚", None, None, "", "", ""],  # row 4
        [GOOD[1], "行政处罚", dt.date(2026, 1, 5), None, "", "", ""],  # row 5
        [GOOD[1], "行政处罚", "2026-01-05", None, "", "", ""],  # row 6: duplicate of row 5
    ]
    sheets |= {"实地检查": insp, "满意度调查": surveys, "投诉记录": complaints, "信用记录": credit}
    return parse([("bad.xlsx", xlsx(sheets))], system)


def test_counts_add_up(bad: UploadParse) -> None:
    assert_accounted(bad)
    counts = {s.key: (s.read, s.stored, s.rejected, s.warnings) for s in bad.sheets}
    assert counts == {
        "districts": (5, 2, 3, 0),
        "rounds": (5, 1, 4, 0),
        "merchants": (11, 5, 6, 1),
        "inspections": (8, 1, 7, 0),  # the name warning is on a rejected row
        "surveys": (6, 2, 4, 0),
        "complaints": (8, 1, 7, 0),
        "credit": (5, 1, 4, 0),
    }
    assert not bad.ok


def test_districts_and_rounds(bad: UploadParse) -> None:
    assert find(bad, "区县", 4, "区县名称").reason == "未填写"
    assert find(bad, "区县", 5, "区县代码").reason == "区县代码应为 6 位数字"
    dup = find(bad, "区县", 6, "区县名称")
    assert (dup.reason, dup.value, dup.level) == ("与第 2 行重复", "上城区", "错误")
    assert find(bad, "评估轮次", 3, "结束日期").reason == "结束日期早于开始日期"
    assert find(bad, "评估轮次", 4, "开始日期").reason.startswith('无法识别的日期"2026-13-01"')
    assert find(bad, "评估轮次", 5, "轮次名称").reason == "与第 2 行重复"
    assert find(bad, "评估轮次", 6, "开始日期").reason == "未填写"


def test_merchants(bad: UploadParse) -> None:
    assert find(bad, "商户名录", 7, "统一社会信用代码").reason == "统一社会信用代码长度应为 18 位，实际为 17 位"
    assert "非法字符" in find(bad, "商户名录", 8, "统一社会信用代码").reason
    assert "第 3–8 位" in find(bad, "商户名录", 9, "统一社会信用代码").reason
    assert find(bad, "商户名录", 10, "单位名称").reason == "未填写"
    district = find(bad, "商户名录", 10, "区县")
    assert district.reason == '未知区县"滨江区"，已知区县：上城区、西湖区' and district.value == "滨江区"
    assert "行业" in find(bad, "商户名录", 11, "行业").reason
    assert find(bad, "商户名录", 11, "成立日期").reason.startswith('无法识别的日期"2020-02-30"')
    assert find(bad, "商户名录", 11, "是否申报").reason == '应填写"是"或"否"，实际为"可能"'
    assert find(bad, "商户名录", 12, "统一社会信用代码").reason == "与第 2 行重复"
    warning = find(bad, "商户名录", 6, "统一社会信用代码")
    assert warning.level == "警告"
    assert warning.reason == f"校验位不符合 GB 32100-2015，应为 {GOOD[4][17]}"
    merchants = sheet(bad, "merchants").frame
    flagged = merchants.loc[merchants["warning"], ["uscc", "uscc_warning"]]
    assert flagged.to_numpy().tolist() == [[WRONG_CHECK, True]]


def test_inspections(bad: UploadParse, specs: dict[str, SheetSpec]) -> None:
    header = {c.name: c.header for c in specs["inspections"].columns}
    assert find(bad, "实地检查", 3, "评估轮次").reason.startswith('评估轮次"2027年评估"不存在')
    assert find(bad, "实地检查", 4, "统一社会信用代码").reason == "统一社会信用代码不在商户名录中"
    assert find(bad, "实地检查", 5, header["A2"]).reason == "未填写；不适用请填写'不适用'"
    assert find(bad, "实地检查", 5, header["A1"]).reason == '无法识别"良好"，应填写 符合/不符合/不适用'
    assert find(bad, "实地检查", 5, header["B3"]).reason == "此项没有“部分符合”，应填写 符合/不符合/不适用"
    assert "3.5" in find(bad, "实地检查", 6, header["A3"]).reason
    assert "-1" in find(bad, "实地检查", 6, header["B2"]).reason
    assert "两处" in find(bad, "实地检查", 6, header["C1"]).reason
    assert find(bad, "实地检查", 7, header["G1"]).reason == '应填写"是"或"否"，实际为"✓"'  # §10.11
    assert find(bad, "实地检查", 7, header["G3"]).reason == '应为项数（不小于 0 的整数），实际为"是"'
    assert find(bad, "实地检查", 7, header["G4"]).reason == "未填写"
    assert "2.5" in find(bad, "实地检查", 8, header["G3"]).reason
    assert '"突击"不是有效的检查方式' in find(bad, "实地检查", 8, "检查方式").reason
    assert find(bad, "实地检查", 8, "检查人员").reason == "未填写"
    assert find(bad, "实地检查", 8, "检查日期").reason == "未填写"
    assert find(bad, "实地检查", 9, "统一社会信用代码").reason == "与第 2 行重复"
    name = find(bad, "实地检查", 8, "单位名称")  # listed even though the row is rejected for other reasons
    assert (name.level, name.reason) == ("警告", '与商户名录中的名称"商户2"不一致')


def test_surveys(bad: UploadParse) -> None:
    assert find(bad, "满意度调查", 3, "Q1 商品质量").reason.endswith('实际为"0"')
    assert find(bad, "满意度调查", 4, "Q2 价格合理").reason.endswith('实际为"6"')
    assert find(bad, "满意度调查", 4, "Q3 明码标价与信息真实").reason.endswith('实际为"3.5"')
    assert find(bad, "满意度调查", 4, "Q4 服务态度").reason.endswith('实际为"好"')
    assert find(bad, "满意度调查", 5, "问卷编号").reason == "与第 2 行重复"
    assert find(bad, "满意度调查", 6, "统一社会信用代码").reason == "统一社会信用代码不在商户名录中"
    result = sheet(bad, "surveys")
    assert result.frame["invalid"].tolist() == [False, True]
    assert result.survey_invalid == {ROUND: 1}


def test_complaints(bad: UploadParse) -> None:
    assert find(bad, "投诉记录", 2, "办结日期").reason == "办结日期早于登记日期"
    assert find(bad, "投诉记录", 3, "是否按时办结").reason == "处理结果为调解成功时必须填写是否按时办结"
    assert find(bad, "投诉记录", 9, "是否按时办结").reason == "处理结果为撤诉时必须填写是否按时办结"
    assert "不小于 0" in find(bad, "投诉记录", 4, "争议金额(元)").reason
    assert '"已解决"不是有效的处理结果' in find(bad, "投诉记录", 5, "处理结果").reason
    assert "长度应为 18 位" in find(bad, "投诉记录", 6, "被投诉人统一社会信用代码").reason
    assert find(bad, "投诉记录", 8, "投诉编号").reason == "与第 7 行重复"
    result = sheet(bad, "complaints")
    assert result.frame["complaint_no"].tolist() == ["C6"] and result.complaints_unmatched == 1


def test_credit(bad: UploadParse) -> None:
    assert find(bad, "信用记录", 2, "移出日期").reason == "移出日期早于列入日期"
    assert '"黑名单"不是有效的名单类型' in find(bad, "信用记录", 3, "名单类型").reason
    assert find(bad, "信用记录", 4, "列入日期").reason == "未填写"
    dup = find(bad, "信用记录", 6, "统一社会信用代码")
    assert dup.reason == "与第 5 行重复" and dup.value == f"{GOOD[1]}、行政处罚、2026-01-05"


def test_issues_are_sorted_by_row_then_column(bad: UploadParse) -> None:
    for result in bad.sheets:
        rows = [i.row for i in result.issues]
        assert rows == sorted(rows)


def test_missing_required_column_rejects_the_whole_sheet(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    sheets = base_sheets(specs)
    merchants = sheets["商户名录"]
    merchants.insert(0, ["商户名录"])
    for row in merchants[1:]:
        del row[3]  # drop 行业
    result = parse([("m.xlsx", xlsx(sheets))], system)
    m = sheet(result, "merchants")
    assert (m.header_row, m.read, m.stored, m.rejected, m.blank) == (2, 5, 0, 5, 0)
    first = m.issues[0]
    assert (first.row, first.column) == (2, "行业")
    assert first.reason.startswith("缺少必填列：行业（表头在第 2 行：统一社会信用代码、单位名称、区县")
    assert [i.row for i in m.issues[1:]] == [3, 4, 5, 6, 7]
    assert_accounted(result)


def test_header_must_be_in_the_first_ten_rows(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    rows = [[f"说明 {i}"] for i in range(10)] + base_sheets(specs)["区县"]
    result = parse([("d.xlsx", xlsx({"区县": rows, "Sheet2": [["x"]]}))], system)
    d = sheet(result, "districts")
    assert (d.header_row, d.stored, d.rejected) == (0, 0, 13)
    assert d.issues[0].reason.startswith("未找到表头：前 10 行中没有包含必填列（区县名称）的行")


def test_scope_rejects_rows_outside_the_evaluators_districts(
    system: IndicatorSystem, specs: dict[str, SheetSpec]
) -> None:
    refs = ReferenceData(
        districts={"上城区", "西湖区"},
        rounds={ROUND},
        merchants={GOOD[0]: "商户1", GOOD[1]: "商户2", GOOD[2]: "商户3"},
        allowed_districts=frozenset({"上城区"}),
    )
    refs.merchant_districts = {GOOD[0]: "上城区", GOOD[1]: "西湖区"}  # type: ignore[attr-defined]
    merchants = [
        list(specs["merchants"].headers),
        [uscc(50), "新商户", "西湖区", "餐饮", "", "", None, "是", None, "", ""],
    ]
    insp = [list(specs["inspections"].headers)] + [inspection_row(specs, u) for u in GOOD[:3]]
    result = parse([("scope.xlsx", xlsx({"商户名录": merchants, "实地检查": insp}))], system, refs)
    assert find(result, "商户名录", 2, "区县").reason == "不在您的管辖区县（上城区）范围内"
    assert (
        find(result, "实地检查", 3, "统一社会信用代码").reason == "该商户属于西湖区，不在您的管辖区县（上城区）范围内"
    )
    unknown = find(result, "实地检查", 4, "统一社会信用代码").reason
    assert unknown == "无法确认该商户所属区县，不在您的管辖区县（上城区）范围内"
    assert sheet(result, "inspections").frame["uscc"].tolist() == [GOOD[0]]
    assert uscc(50) not in refs.merchants


def test_empty_sheets_are_skipped_with_a_notice(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    sheets: dict[str, list[list[object]]] = {"区县": [list(specs["districts"].headers)], "实地检查": [], "信用记录": []}
    result = parse([("template.xlsx", xlsx(sheets))], system)
    assert result.ok and result.issues == []
    assert [(s.key, s.read) for s in result.sheets] == [("districts", 0), ("inspections", 0), ("credit", 0)]
    assert sum("没有数据行" in n.message for n in result.notices) == 3
    # content without any recognisable header is not silently skipped
    title_only = parse([("t.xlsx", xlsx({"信用记录": [["2026 年信用记录"]], "区县": []}))], system)
    credit = sheet(title_only, "credit")
    assert (credit.read, credit.rejected) == (1, 1) and not title_only.ok
    assert credit.issues[0].reason.startswith("未找到表头")


def test_a_name_differing_from_the_registry_is_stored_flagged(
    system: IndicatorSystem, specs: dict[str, SheetSpec]
) -> None:
    sheets = base_sheets(specs)
    sheets["实地检查"] = [list(specs["inspections"].headers), inspection_row(specs, GOOD[0], name="商户一号")]
    result = parse([("n.xlsx", xlsx(sheets))], system)
    inspections = sheet(result, "inspections")
    assert (inspections.stored, inspections.warnings, result.ok) == (1, 1, True)
    assert inspections.frame[["warning", "name_warning"]].to_numpy().tolist() == [[True, True]]
    assert find(result, "实地检查", 2, "单位名称").reason == '与商户名录中的名称"商户1"不一致'
