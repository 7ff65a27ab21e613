"""A workbook as evaluators really fill it in imports correctly (SPEC §3 normalisation).

Title rows above the header, shuffled headers, full-width characters and spaces, numbers stored as
text, every date spelling, ✓/×, Likert labels, interior and trailing blank rows, an unknown column.
"""

from __future__ import annotations

import datetime as dt
import io
import math

import openpyxl
import pandas as pd
import pytest

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.results import UploadParse
from tests.ingest.conftest import GOOD, ROUND, assert_accounted, parse, sheet

FW = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
)


def full_width(text: str) -> str:
    return text.translate(FW)


def messy_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)

    districts = book.create_sheet(" 区县 ")  # sheet names are trimmed too
    districts.append(["杭州市放心消费创建区县名单"])
    districts.merge_cells("A1:D1")
    districts.append([])
    districts.append(["所属城市", "\u3000区县名称\u3000", "区县代码", "填表说明"])
    districts.append(["杭州市", "上城区\xa0", 330102, "城区"])
    districts.append(["杭州市", "西湖区", "３３０１０６", None])

    rounds = book.create_sheet("评估轮次")
    rounds.append(["2026 年评估轮次"])
    rounds.append(["结束日期", "开始日期", "轮次名称*"])
    rounds.append(["2026年4月30日", "2026/1/1", ROUND])
    rounds.append([dt.datetime(2026, 8, 31), "2026.5.1", "2026年中期评估"])

    merchants = book.create_sheet("商户名录")
    merchants.append(["商户名录（截至 2026 年 2 月）"])
    merchants.append(["是否申报", "单位名称", "统一社会信用代码", "行业", "区县", "成立日期", "申报日期", "联系电话"])
    merchants.append(
        ["是", "杭州甲餐饮有限公司", full_width(GOOD[0]), "餐饮", "上城区", "2019-03-05", 46045, 13812345678]
    )
    merchants.append([])  # interior blank row: counted as blank
    merchants.append(
        ["否", "杭州乙商行", " " + GOOD[1].lower() + "\u3000", "商超零售", "西湖区", "20180101", None, None]
    )
    merchants.append(["  ", None, "\u3000"])  # whitespace only: blank
    merchants.append(["是 ", "杭州丙酒店", GOOD[2], "住宿", "上城区", dt.date(2020, 1, 2), "2026年1月20日", "0571-1"])
    merchants.append([None, "\xa0", None])  # after the last non-empty row: not read

    inspections = book.create_sheet("实地检查")
    inspections.append(["实地检查记录表", None, None])
    inspections.append(["填表人：张三", None, None])
    header = [
        "统一社会信用代码", "评估轮次", "检查日期", "检查人员", "检查方式", "A1证照齐全", "A2-经营场所安全", "a3",
        "B1 进货查验、索证索票、购销台账", "B2", "B3 计量", "C1", "C2 价格", "D1", "D2", "D3", "E1", "E2",
        "G1 异地异店", "G2", "G3 荣誉（项数）", "G4", "检查结论",
    ]  # fmt: skip
    inspections.append(header)
    inspections.append([
        GOOD[0], ROUND, "2026年3月5日", "张三、李四", "暗访", "✓", "0", 1.0, "部分符合", "２", "×", "3.0",
        "√", 0, "符合", "不适用", "是", "否", "是", "否", "2", "否", "良好",
    ])  # fmt: skip
    inspections.append([
        GOOD[1], ROUND, dt.datetime(2026, 3, 6, 14, 30), " 王五 ", None, "符合", "不适用", 0, "不符合", 0,
        "不适用", 1, "符合", 2, "部分符合", "符合", "符合", "部分符合", "否", "是", 0, "是", None,
    ])  # fmt: skip
    inspections.append([None] * len(header))
    inspections.append([
        GOOD[2], "2026年中期评估", 46272, "赵六", "定期", "不符合", 3, "0", "符合", 1, "符合", 0, "不符合", 0,
        "不符合", "部分符合", "不符合", "不符合", "否", "否", 0, "否", None,
    ])  # fmt: skip

    surveys = book.create_sheet("满意度调查")
    surveys.append(["问卷编号", "评估轮次", "统一社会信用代码", "调查日期", "调查方式", "Q1 商品质量", "Q2", "Q3",
                    "Q4", "Q5", "Q6", "Q7", "Q8总体满意度", "调查员"])  # fmt: skip
    surveys.append(["WJ-001", ROUND, GOOD[0], "2026-03-05", "扫码", "非常满意", "满意", "一般", "不满意",
                    "非常不满意", "５", 4.0, "3", "甲", "无表头的数据"])  # fmt: skip
    surveys.append(["WJ-002", ROUND, GOOD[0], None, "线上", 5, None, None, None, "", 3, 4, 5, None])
    surveys.append(["WJ-003", ROUND, GOOD[1], None, "拦访", 5, None, None, None, None, None, 4, None, None])

    complaints = book.create_sheet("投诉记录")
    complaints.append(["投诉编号", "被投诉人统一社会信用代码", "登记日期", "办结日期", "处理结果", "是否按时办结",
                       "争议金额（元）", "问题类别"])  # fmt: skip
    complaints.append(["TS001", GOOD[0], "2026.2.1", "2026/2/10", "调解成功", "是", "1,234.50", "价格"])
    complaints.append(["TS002", GOOD[3], dt.date(2026, 2, 2), None, "处理中", None, 0, None])
    complaints.append([20260003, GOOD[1], "20260203", "2026-02-20", "撤诉", "否", "88", None])

    credit = book.create_sheet("信用记录")
    credit.append(["统一社会信用代码", "名单类型", "列入日期", "移出日期"])
    credit.append([GOOD[2], "经营异常名录", "2026年1月5日", None])

    notes = book.create_sheet("说明")
    notes.append(["本工作簿由评估员填写"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def messy(system: IndicatorSystem) -> UploadParse:
    return parse([("杭州上城区2026.xlsx", messy_workbook())], system)


def test_every_row_of_the_messy_workbook_is_stored(messy: UploadParse) -> None:
    assert messy.errors == [], messy.errors
    assert messy.ok
    counts = {s.key: (s.header_row, s.read, s.stored, s.rejected, s.blank) for s in messy.sheets}
    assert counts == {
        "districts": (3, 2, 2, 0, 0),
        "rounds": (2, 2, 2, 0, 0),
        "merchants": (2, 5, 3, 0, 2),  # interior blank and whitespace-only rows; trailing empty row not read
        "inspections": (3, 4, 3, 0, 1),
        "surveys": (1, 3, 3, 0, 0),
        "complaints": (1, 3, 3, 0, 0),
        "credit": (1, 1, 1, 0, 0),
    }
    assert_accounted(messy)


def test_text_is_trimmed_nfkc_and_upper_cased(messy: UploadParse) -> None:
    districts = sheet(messy, "districts").frame
    assert districts["name"].tolist() == ["上城区", "西湖区"]
    assert districts["code"].tolist() == ["330102", "330106"]  # a number and full-width digits
    merchants = sheet(messy, "merchants").frame
    assert merchants["uscc"].tolist() == GOOD[:3]
    assert merchants["applied"].tolist() == [True, False, True]
    assert merchants["phone"].tolist()[0] == "13812345678"
    assert math.isnan(merchants["phone"].tolist()[1])


def test_every_date_spelling_is_read(messy: UploadParse) -> None:
    rounds = sheet(messy, "rounds").frame.set_index("name")
    assert rounds.loc[ROUND, "start"] == pd.Timestamp("2026-01-01")
    assert rounds.loc[ROUND, "end"] == pd.Timestamp("2026-04-30")
    assert rounds.loc["2026年中期评估", "start"] == pd.Timestamp("2026-05-01")
    merchants = sheet(messy, "merchants").frame
    assert merchants["established"].tolist()[:2] == [pd.Timestamp("2019-03-05"), pd.Timestamp("2018-01-01")]
    assert merchants["applied_on"].tolist()[0] == pd.Timestamp("2026-01-23")  # Excel serial 46045
    assert merchants["applied_on"].tolist()[2] == pd.Timestamp("2026-01-20")
    inspections = sheet(messy, "inspections").frame
    assert inspections["inspected_on"].tolist() == [
        pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-06"), pd.Timestamp("2026-09-07"),
    ]  # fmt: skip
    complaints = sheet(messy, "complaints").frame
    assert complaints["registered_on"].tolist() == [
        pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-02"), pd.Timestamp("2026-02-03"),
    ]  # fmt: skip


def test_items_aliases_and_numbers_as_text(messy: UploadParse) -> None:
    frame = sheet(messy, "inspections").frame
    first = frame.iloc[0]
    assert (first["A1"], first["B3"], first["C2"]) == ("符合", "不符合", "符合")  # ✓ × √
    assert (first["A2"], first["A3"], first["B2"], first["C1"]) == (0.0, 1.0, 2.0, 3.0)  # "0", 1.0, "２", "3.0"
    assert first["D3"] == "不适用" and (first["G1"], first["G3"]) == (1.0, 2.0)
    assert first["method"] == "暗访" and first["inspectors"] == "张三、李四"
    second = frame.iloc[1]
    assert math.isnan(second["A2"])  # 不适用 is NaN, never 0
    assert second["inspectors"] == "王五" and pd.isna(second["method"])
    assert frame["row"].tolist() == [4, 5, 7]


def test_likert_labels_blanks_and_invalid_responses(messy: UploadParse) -> None:
    result = sheet(messy, "surveys")
    frame = result.frame
    answers = frame[[f"Q{i}" for i in range(1, 9)]]
    assert answers.iloc[0].tolist() == [5.0, 4.0, 3.0, 2.0, 1.0, 5.0, 4.0, 3.0]
    assert frame["invalid"].tolist() == [False, False, True]  # 4 blanks is valid, 5 is 废卷
    assert result.survey_invalid == {ROUND: 1}


def test_complaint_aliases_amounts_and_unmatched(messy: UploadParse) -> None:
    result = sheet(messy, "complaints")
    frame = result.frame
    assert frame["complaint_no"].tolist() == ["TS001", "TS002", "20260003"]
    assert frame["amount"].tolist() == [1234.5, 0.0, 88.0]
    assert frame["on_time"].tolist()[0] is True and pd.isna(frame["on_time"].iloc[1])
    assert result.complaints_unmatched == 1  # GOOD[3] is not in the registry: stored, counted


def test_unknown_sheets_and_columns_are_notices(messy: UploadParse) -> None:
    texts = [n.message for n in messy.notices]
    assert any("说明" in t and "已忽略" in t for t in texts)
    assert sheet(messy, "districts").unknown_columns == ["填表说明"]
    assert sheet(messy, "inspections").unknown_columns == ["检查结论"]
    assert sheet(messy, "surveys").unknown_columns == ["调查员", "O 列（无表头）"]
    assert any("检查结论" in t for t in texts)
    assert not messy.warnings
