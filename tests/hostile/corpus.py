"""The hostile-file corpus (issue 5), built by code: no binary fixture is committed.

Each ``Case`` is a file an evaluator might be sent, the Chinese words its answer must contain and
the CLI exit code. ``REFUSED`` files are refused whole (nothing stored); ``READ`` files are read,
with a notice saying what was done with the odd part.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from tests.hostile.xlsx_parts import Sheet, cell_xml, rows_xml, xlsx

DISTRICT_HEADER = ["区县名称", "区县代码", "所属城市"]
DISTRICTS = [["上城区", "330102", "杭州市"], ["西湖区", "330106", "杭州市"]]
ROUND_HEADER = ["轮次名称", "开始日期", "结束日期"]


def districts_sheet(**kwargs: Any) -> Sheet:
    return Sheet.of("区县", [DISTRICT_HEADER, *DISTRICTS], **kwargs)


def plain_workbook() -> bytes:
    """A valid two-district workbook (the base that hostile variants start from)."""
    return xlsx([districts_sheet()])


# --- zip bomb -----------------------------------------------------------------------------------

BOMB_BYTES = 1100 * 1024 * 1024  # > 1 GB of zeros once inflated


def zip_bomb(uncompressed: int = BOMB_BYTES, declared: int | None = None) -> bytes:
    """A real, well-formed xlsx whose sheet inflates to ``uncompressed`` bytes (about 1 MB on disk).

    One fully flushed deflate block of 1 MiB of zeros is repeated (a full flush makes each copy
    independent), so building it costs no compression of a gigabyte; the CRC is the true one.
    ``declared`` makes the zip directory lie about the inflated size (a "stealth" bomb).
    """
    mib = 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    copies = uncompressed // mib
    zeros = b"\0" * mib
    crc = 0
    for _ in range(copies):
        crc = zlib.crc32(zeros, crc)
    body = block * copies + tail
    head = zipfile.ZipFile(io.BytesIO(plain_workbook()))
    out = io.BytesIO()
    central = []
    entries = [(i.filename, head.read(i.filename)) for i in head.infolist() if "worksheets" not in i.filename]
    for name, content in [*entries, ("xl/worksheets/sheet1.xml", None)]:
        encoded = name.encode()
        if content is None:
            data, size, method, entry_crc = body, declared or copies * mib, 8, crc
        else:
            data, size, method, entry_crc = content, len(content), 0, zlib.crc32(content)
        offset = out.tell()
        out.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, entry_crc, len(data), size, len(encoded), 0)
        )
        out.write(encoded + data)
        central.append(
            struct.pack(
                "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, entry_crc, len(data), size,
                len(encoded), 0, 0, 0, 0, 0, offset,
            ) + encoded
        )  # fmt: skip
    start = out.tell()
    out.write(b"".join(central))
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def lying_sizes() -> bytes:
    """A part that declares 2 KB but inflates to 50 MB (calamine would trust the deflate stream)."""
    real = plain_workbook()
    package = zipfile.ZipFile(io.BytesIO(real))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in package.infolist():
            content = package.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", b"</sheetData>" + b" " * (50 * 1024 * 1024))
            target.writestr(info.filename, content)
    data = bytearray(out.getvalue())
    # rewrite the central directory's uncompressed size of the sheet part to 2,048 bytes
    name = b"xl/worksheets/sheet1.xml"
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:
        name_len = struct.unpack("<H", data[entry + 28 : entry + 30])[0]
        if bytes(data[entry + 46 : entry + 46 + name_len]) == name:
            data[entry + 24 : entry + 28] = struct.pack("<L", 2048)
        entry = data.find(b"PK\x01\x02", entry + 4)
    return bytes(data)


# --- XML ------------------------------------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>\n"
)


def billion_laughs() -> bytes:
    """A sheet whose prolog declares the nine-level entity expansion (10⁹ "lol"s)."""
    sheet = Sheet("区县", "".join(rows_xml([DISTRICT_HEADER, ["&lol9;", "330102", "杭州市"]])), prolog=LAUGHS)
    data = xlsx([sheet])
    return data.replace(b"&amp;lol9;", b"&lol9;")


def far_cell() -> bytes:
    """Two real rows and one character in cell XFD300000: calamine alone would ask for 157 GB and abort."""
    rows = "".join(rows_xml([DISTRICT_HEADER, *DISTRICTS]))
    return xlsx([Sheet("区县", rows + '<row r="300000">' + cell_xml("XFD300000", "x") + "</row>")])


def stealth_bomb() -> bytes:
    """The zip bomb declaring 1 MiB: the directory checks pass, the inflating stops at the lie."""
    return zip_bomb(declared=1024 * 1024)


def formatted_empty_rows(n: int = 1_000_000) -> bytes:
    """Two data rows, then ``n`` formatted empty rows (a fill on each whole row, as Excel writes it)."""
    styles = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><fills count="1"><fill><patternFill patternType="solid"/></fill></fills>'
        b'<cellXfs count="2"><xf/><xf fillId="0"/></cellXfs></styleSheet>'
    )
    head = "".join(rows_xml([DISTRICT_HEADER, *DISTRICTS]))
    empty = "".join([f'<row r="{r}" s="1" customFormat="1"/>' for r in range(4, n + 4)])
    return xlsx([Sheet("区县", head + empty)], {"xl/styles.xml": styles})


def long_cell(chars: int = 32_768) -> bytes:
    """One 区县名称 of ``chars`` characters (Excel stops at 32,767)."""
    return xlsx([Sheet.of("区县", [DISTRICT_HEADER, ["区" * chars, "330102", "杭州市"], DISTRICTS[1]])])


def macro_workbook() -> bytes:
    return xlsx([districts_sheet()], {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512})


def traversal() -> bytes:
    return xlsx([districts_sheet()], {"../../etc/cron.d/x": b"* * * * * root true\n"})


# --- what is read, with a notice ------------------------------------------------------------------


def formulas() -> bytes:
    """Formula cells with cached values (as Excel saves them), one of them a HYPERLINK."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("区县")
    sheet.write_row(0, 0, DISTRICT_HEADER)
    sheet.write_formula(1, 0, '=HYPERLINK("http://x","点我区")', None, "点我区")
    sheet.write_formula(1, 1, '="3301"&"02"', None, "330102")
    sheet.write_string(1, 2, "杭州市")
    sheet.write_formula(2, 0, '=cmd|" /C calc"!A0', None, "西湖区")  # DDE: only its cached text is read
    sheet.write_string(2, 1, "330106")
    book.close()
    return out.getvalue()


def merged_headers() -> bytes:
    """A merged title, a two-row header (a group label over two columns, 所属城市 merged over both header
    rows) and 所属城市 merged down both data rows: read as Excel shows it."""
    rows = [
        ["2026年区县名单", "", ""],
        ["基本信息", "", "所属城市"],
        ["区县名称", "区县代码", ""],
        ["上城区", "330102", "杭州市"],
        ["西湖区", "330106", ""],
    ]
    cells = ("A1:C1", "A2:B2", "C2:C3", "C4:C5")
    refs = "".join(f'<mergeCell ref="{c}"/>' for c in cells)
    merges = f'<mergeCells count="{len(cells)}">{refs}</mergeCells>'
    return xlsx([Sheet.of("区县", rows, after=merges)])


def hidden_sheet() -> bytes:
    """A visible 区县 sheet and a hidden 评估轮次 sheet with a template title."""
    rounds = Sheet.of("评估轮次", [ROUND_HEADER, ["2026年初期评估", "2026-01-01", "2026-04-30"]], state="hidden")
    return xlsx([districts_sheet(), rounds])


def only_hidden() -> bytes:
    return xlsx([Sheet("说明", "".join(rows_xml([["说明"]]))), districts_sheet(state="veryHidden")])


def encrypted() -> bytes:
    """The plain workbook with an open password (Agile encryption, as Excel 2010+ writes it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain_workbook())).encrypt("密码123", out)
    return out.getvalue()


def legacy_xls() -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("区县")
    for r, row in enumerate([DISTRICT_HEADER, *DISTRICTS]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">L", len(body)) + kind + body + struct.pack(">L", zlib.crc32(kind + body))

    ihdr = struct.pack(">2L5B", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0")) + chunk(b"IEND", b"")
    )


def districts_csv(encoding: str, delimiter: str = ",") -> bytes:
    text = "\r\n".join(delimiter.join(row) for row in [DISTRICT_HEADER, *DISTRICTS]) + "\r\n"
    if encoding == "utf-16":  # Excel's "Unicode 文本": UTF-16LE with a BOM, tab-separated
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(encoding)


@dataclass(frozen=True)
class Case:
    """One hostile file: ``expect`` must appear in the CLI output and on the import page."""

    id: str
    file_name: str
    build: Callable[[], bytes]
    expect: tuple[str, ...]
    exit_code: int
    stored_districts: int = 0  # 区县 rows in the database afterwards


REFUSED = [
    Case("zip-bomb", "炸弹.xlsx", zip_bomb, ("疑似压缩炸弹",), 1),
    Case("stealth-bomb", "炸弹2.xlsx", stealth_bomb, ("实际大小与声明不符",), 1),
    Case("lying-sizes", "声明不符.xlsx", lying_sizes, ("实际大小与声明不符",), 1),
    Case("billion-laughs", "实体.xlsx", billion_laughs, ("DTD/实体声明", "XML 炸弹"), 1),
    Case("far-cell", "远处单元格.xlsx", far_cell, ("超过 64 列（XFD 列有内容）",), 1),
    Case("long-cell", "长单元格.xlsx", long_cell, ("32,768 个字符", "超过 Excel 单元格上限 32,767"), 1),
    Case("encrypted", "加密.xlsx", encrypted, ("设置了打开密码",), 1),
    Case("xls-renamed", "旧版.xlsx", legacy_xls, ("旧版 Excel 97-2003 工作簿（.xls）", "扩展名改成了 .xlsx"), 1),
    Case("png-renamed", "图片.xlsx", png, ("实际是PNG 图片",), 1),
    Case("empty", "空.xlsx", lambda: b"", ("空文件",), 1),
    Case("empty-csv", "区县.csv", lambda: b"", ("空文件",), 1),
    Case("macro", "宏.xlsx", macro_workbook, ("包含宏（vbaProject.bin）",), 1),
    Case("traversal", "路径.xlsx", traversal, ("异常的内部路径",), 1),
    Case("only-hidden", "隐藏.xlsx", only_hidden, ("是隐藏的", "取消隐藏"), 1),
]
READ = [
    Case("formulas", "公式.xlsx", formulas, ("区县: 读取 2，导入 2",), 0, 2),
    Case("merged-header", "合并.xlsx", merged_headers, ("合并单元格", "区县: 读取 2，导入 2"), 0, 2),
    Case("hidden-sheet", "隐藏.xlsx", hidden_sheet, ("“评估轮次”是隐藏的工作表，未导入",), 0, 2),
    Case("formatted-rows", "格式.xlsx", formatted_empty_rows, ("区县: 读取 2，导入 2",), 0, 2),
    Case("csv-gb18030", "区县.csv", lambda: districts_csv("gb18030"), ("按 GB18030 编码读取",), 0, 2),
    Case("csv-utf16", "区县.csv", lambda: districts_csv("utf-16", "\t"), ("按 UTF-16 编码读取",), 0, 2),
]
CASES = REFUSED + READ
ROUND_DATES = (dt.date(2026, 1, 1), dt.date(2026, 4, 30))
