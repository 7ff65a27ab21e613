"""Single sheets as CSV (UTF-8, UTF-8-BOM, GB18030) or single-sheet workbooks, and files that cannot be read."""

from __future__ import annotations

import io
import zipfile

import pytest

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.gate import UploadError
from scoring.ingest.refs import ReferenceData
from scoring.ingest.sheets import SheetSpec
from tests.ingest.conftest import GOOD, assert_accounted, parse, sheet, xlsx

COMPLAINTS = (
    "投诉编号,被投诉人统一社会信用代码,登记日期,处理结果,是否按时办结,争议金额(元)\r\n"
    f"TS1,{GOOD[0]},2026-03-05,调解成功,是,100\r\n"
    "\r\n"
    f'TS2,{GOOD[1].lower()},2026年3月6日,处理中,,"1,200"\r\n'
)


def refs() -> ReferenceData:
    return ReferenceData(merchants={GOOD[0]: "商户1"})


@pytest.mark.parametrize(("encoding", "label"), [("utf-8", ""), ("utf-8-sig", ""), ("gb18030", "GB18030")])
def test_csv_encodings(system: IndicatorSystem, encoding: str, label: str) -> None:
    result = parse([("投诉记录.csv", COMPLAINTS.encode(encoding))], system, refs())
    complaints = sheet(result, "complaints")
    assert (complaints.sheet, complaints.read, complaints.stored, complaints.blank) == ("投诉记录.csv", 3, 2, 1)
    assert complaints.frame["uscc"].tolist() == [GOOD[0], GOOD[1]]
    assert complaints.frame["amount"].tolist() == [100.0, 1200.0]
    assert complaints.complaints_unmatched == 1
    assert_accounted(result)
    encoding_notices = [n for n in result.notices if "编码" in n.message]
    assert (label in encoding_notices[0].message) if label else not encoding_notices


def test_csv_identified_by_its_headers(system: IndicatorSystem) -> None:
    result = parse([("export-20260301.csv", COMPLAINTS.encode("utf-8"))], system, refs())
    assert sheet(result, "complaints").stored == 2
    assert any("按表头识别为“投诉记录”" in n.message for n in result.notices)


def test_csv_with_a_title_row_and_semicolons(system: IndicatorSystem) -> None:
    text = "12315 投诉导出\n" + COMPLAINTS.replace(",", ";").replace('"1;200"', "1200")
    result = parse([("投诉.csv", text.encode("utf-8"))], system, refs())
    complaints = sheet(result, "complaints")
    assert (complaints.header_row, complaints.stored, complaints.frame["row"].tolist()) == (2, 2, [3, 5])


def test_single_sheet_workbook_identified_by_headers(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    rows = [list(specs["districts"].headers), ["上城区", "330102", "杭州市"]]
    result = parse([("导出.xlsx", xlsx({"Sheet1": rows}))], system)
    assert sheet(result, "districts").stored == 1


def test_csv_that_matches_no_sheet(system: IndicatorSystem) -> None:
    with pytest.raises(UploadError, match="无法识别是哪张表"):
        parse([("随便.csv", b"a,b,c\n1,2,3\n")], system)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.csv", "投诉编号,登记日期".encode("utf-16-le"), "没有 BOM 的 UTF-16"),  # with a BOM it is read
        ("x.csv", b"abc,\xff\xff\xfa\n", "编码无法识别"),
        ("x.csv", b"", "空文件"),
        ("x.xlsx", b"not a workbook at all", "不是有效的 Excel"),
        ("x.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "已加密"),
        ("x.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("x.xlsx", b"PK\x03\x04broken", "已损坏"),
    ],
)
def test_unreadable_files_raise_a_chinese_upload_error(
    system: IndicatorSystem, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(UploadError, match=message) as caught:
        parse([(name, data)], system)
    assert caught.value.message == str(caught.value)


def test_zip_bomb_is_refused_before_parsing(system: IndicatorSystem) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(UploadError, match="压缩炸弹"):
        parse([("bomb.xlsx", out.getvalue())], system)


def test_zip_that_is_not_a_workbook(system: IndicatorSystem) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<w/>")
    with pytest.raises(UploadError, match="不是 Excel 工作簿"):
        parse([("doc.xlsx", out.getvalue())], system)


def test_workbook_without_any_template_sheet(system: IndicatorSystem) -> None:
    with pytest.raises(UploadError, match="没有可识别的工作表"):
        parse([("x.xlsx", xlsx({"甲": [["a"]], "乙": [["b"]]}))], system)


def test_one_upload_of_several_files_in_dependency_order(system: IndicatorSystem, specs: dict[str, SheetSpec]) -> None:
    merchants = xlsx(
        {"商户名录": [list(specs["merchants"].headers), [GOOD[0], "商户1", "上城区", "餐饮", "", "", None, "是"]]}
    )
    districts = "区县名称,区县代码\n上城区,330102\n".encode("gb18030")
    result = parse([("m.xlsx", merchants), ("区县.csv", districts)], system)  # districts first, whatever the order
    assert [s.key for s in result.sheets] == ["districts", "merchants"]
    assert result.ok and sheet(result, "merchants").stored == 1


def test_the_same_key_in_two_files_is_a_duplicate(system: IndicatorSystem) -> None:
    first = "区县名称\n上城区\n西湖区\n".encode()
    second = "区县名称\n西湖区\n滨江区\n".encode()
    result = parse([("区县.csv", first), ("区县-补充.csv", second)], system)
    later = result.sheets[1]
    assert later.stored == 1 and later.issues[0].reason == "与工作表“区县.csv”第 3 行重复"
