"""The upload gate (SPEC §9): what a file must be before any parser sees it.

python-calamine has no decompression bound and allocates the whole bounding box of a sheet's
non-empty cells up front (one cell at XFD300000 asks for 157 GB and aborts the process: no Python
exception, the server dies). So for an xlsx the gate streams every part of the package once, in
1 MiB pieces, and refuses before calamine opens the file:

- the zip directory: entry count, path names, duplicate names, compression method, declared and
  *actual* uncompressed sizes (a part that inflates past its declared size is refused), ratio;
- macros (``vbaProject.bin``, Excel 4.0 macro sheets) and DTD / entity declarations in any part;
- every sheet's extent: a non-empty cell beyond ``MAX_COLUMNS`` or ``ROW_LIMIT``.

Memory stays at a few MiB whatever the file claims (a large part is inflated a few pieces ahead
on a second thread, ``scoring.ingest.prefetch``, while the previous piece is scanned). The row,
column and cell-length caps are the same for CSV (see ``scoring.ingest.reader``).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

import defusedxml.ElementTree as SafeTree

from scoring.ingest.extent import ExtentError, SheetExtent
from scoring.ingest.prefetch import prefetched


class UploadError(Exception):
    """An upload that cannot be read at all; ``message`` is the Chinese text shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


MAX_FILE_BYTES = 50 * 1024 * 1024  # an upload of more than 50 MB is refused outright
MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024  # a 300,000-row sheet of 30 columns stays well below
MAX_RATIO = 150  # real xlsx XML compresses 5–40× (1,000,000 styled empty rows: 12–16×); bombs 1,000×
RATIO_CHECK_FROM = 1024 * 1024  # small entries may compress very well and harmlessly
MAX_ROWS = 300_000  # data rows per sheet; larger sheets are refused with a message, never half-read
HEADER_ALLOWANCE = 10  # title and header rows above the data (SPEC §3: header on one of rows 1–10)
ROW_LIMIT = MAX_ROWS + HEADER_ALLOWANCE
MAX_COLUMNS = 64  # the widest template sheet has 24; 64 × ROW_LIMIT cells is calamine's worst case (~0.8 GB)
MAX_CELL_CHARS = 32_767  # Excel's own limit: a longer cell was not written by Excel or WPS
CHUNK = 1024 * 1024
PREFETCH_FROM = 4 * CHUNK  # a part this large (compressed) is inflated ahead on a second thread

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted xlsx and legacy .xls share this container
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_DTD = re.compile(rb"<![Dd][Oo][Cc][Tt][Yy][Pp][Ee]|<![Ee][Nn][Tt][Ii][Tt][Yy]")
_MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|(^|/)macrosheets/|(^|/)vbaProjectSignature", re.IGNORECASE)
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


# Stream names in a compound file's directory (UTF-16LE): which Office file the OLE container holds.
_OLE_KINDS = (
    ((_utf16("EncryptedPackage"), _utf16("EncryptionInfo")), "encrypted"),
    ((_utf16("Workbook"), _utf16("Book\x00")), "xls"),
    ((_utf16("WordDocument"),), "Word 文档（.doc）"),
    ((_utf16("PowerPoint Document"),), "PowerPoint 演示文稿（.ppt）"),
)
_OLE_UNKNOWN = "Office 97-2003 文档"
# What a file that is not a workbook most often is, by its first bytes.
_MAGIC_KINDS = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"BM", "BMP 图片"),
    (b"%PDF", "PDF 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"{\\rtf", "RTF 文档"),
)


def check_size(file_name: str, data: bytes) -> None:
    """Refuse empty and oversized files."""
    if not data:
        raise UploadError(f"文件“{file_name}”是空文件（0 字节），请确认上传的是填好数据的文件。")
    if len(data) > MAX_FILE_BYTES:
        mb = MAX_FILE_BYTES // (1024 * 1024)
        raise UploadError(f"文件“{file_name}”超过 {mb} MB，请拆分后分别上传。")


def _ole_kind(data: bytes) -> str:
    return next((kind for names, kind in _OLE_KINDS if any(n in data for n in names)), _OLE_UNKNOWN)


def _refuse_ole(file_name: str, data: bytes) -> None:
    kind = _ole_kind(data)
    if kind == "encrypted":
        raise UploadError(
            f"文件“{file_name}”设置了打开密码（文件已加密），系统无法读取：请在 Excel/WPS 中打开文件，"
            "取消“用密码进行加密”后保存为 .xlsx，再重新上传。"
        )
    if kind == "xls":
        renamed = "，只是扩展名改成了 .xlsx" if PurePath(file_name).suffix.lower() == ".xlsx" else ""
        raise UploadError(
            f"文件“{file_name}”是旧版 Excel 97-2003 工作簿（.xls）{renamed}：系统只读取 .xlsx，"
            "请在 Excel/WPS 中打开后“另存为”Excel 工作簿（.xlsx）再上传。"
        )
    if kind != _OLE_UNKNOWN:
        raise UploadError(f"文件“{file_name}”是 {kind}，不是 Excel 工作簿：请上传 .xlsx 或 .csv 文件。")
    raise UploadError(
        f"文件“{file_name}”已加密（设置了打开密码）或为旧版 Excel 97-2003（.xls）格式："
        "请取消密码，或在 Excel/WPS 中另存为 .xlsx 后重新上传。"
    )


def describe_content(data: bytes) -> str | None:
    """What a non-workbook file looks like (PNG 图片, 网页, 文本…), or None when unknown."""
    kind = next((k for magic, k in _MAGIC_KINDS if data.startswith(magic)), None)
    if kind:
        return kind
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in head:
        return "网页（HTML）文件"
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192]:
        return "Excel 2003 XML 表格"
    if head and b"\x00" not in data[:4096]:
        try:
            data[:4096].decode("utf-8")
        except UnicodeDecodeError:
            try:
                data[:4096].decode("gb18030")
            except UnicodeDecodeError:
                return None
        return "文本文件（可能是 CSV）"
    return None


def _refuse_not_zip(file_name: str, data: bytes) -> None:
    kind = describe_content(data)
    if kind is None:
        raise UploadError(f"文件“{file_name}”不是有效的 Excel（.xlsx）文件，请确认文件类型后重新上传。")
    advice = {
        "网页（HTML）文件": "这类文件常由业务系统导出，扩展名虽是 Excel，内容却是网页："
        "请用 Excel/WPS 打开后另存为 .xlsx 再上传。",
        "Excel 2003 XML 表格": "请用 Excel/WPS 打开后另存为 .xlsx 再上传。",
        "文本文件（可能是 CSV）": "如果是 CSV，请把扩展名改为 .csv 后上传；否则请另存为 .xlsx。",
    }.get(kind, "扩展名与内容不符，请上传 .xlsx 或 .csv 文件。")
    raise UploadError(f"文件“{file_name}”实际是{kind}，不是有效的 Excel 工作簿（.xlsx）：{advice}")


@dataclass(frozen=True)
class _Part:
    info: zipfile.ZipInfo
    sheet: str | None  # the sheet name shown to the user, for a worksheet part


def _check_directory(file_name: str, entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UploadError(f"文件“{file_name}”结构异常（包含 {len(entries)} 个部件，上限 {MAX_ZIP_ENTRIES}），已拒绝。")
    seen: set[str] = set()
    for entry in entries:
        name = entry.filename
        parts = name.replace("\\", "/").split("/")
        if (
            name.startswith(("/", "\\"))
            or ".." in parts
            or re.match(r"^[A-Za-z]:", name)
            or any(ord(ch) < 32 for ch in name)
        ):
            raise UploadError(f"文件“{file_name}”包含异常的内部路径“{name[:80]}”（疑似恶意文件），已拒绝。")
        if name.lower() in seen:
            raise UploadError(f"文件“{file_name}”包含重复的内部部件“{name[:80]}”（疑似被篡改），已拒绝。")
        seen.add(name.lower())
        if entry.flag_bits & 0x1:
            raise UploadError(f"文件“{file_name}”的内部部件经过 zip 加密，无法读取：请另存为普通的 .xlsx 后上传。")
        if entry.compress_type not in (_STORED, _DEFLATED):
            raise UploadError(
                f"文件“{file_name}”使用了 Excel 不会使用的压缩方式，已拒绝：请用 Excel/WPS 另存为 .xlsx。"
            )
        if entry.file_size > RATIO_CHECK_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            mb = entry.file_size // (1024 * 1024)
            raise UploadError(f"文件“{file_name}”压缩比异常（一个部件解压后约 {mb:,} MB，疑似压缩炸弹），已拒绝。")
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        mb, cap = total // (1024 * 1024), MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
        raise UploadError(f"文件“{file_name}”解压后过大（约 {mb:,} MB，上限 {cap} MB），请拆分后分别上传。")
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UploadError(f"文件“{file_name}”不是 Excel 工作簿（可能是 Word/PowerPoint 或普通压缩包）。")
    macro = next((n for n in names if _MACRO_PARTS.search(n)), None)
    if macro:
        raise UploadError(
            f"文件“{file_name}”包含宏（{PurePath(macro).name}），为安全起见已拒绝："
            "请在 Excel/WPS 中另存为不含宏的“Excel 工作簿（.xlsx）”后重新上传。"
        )


def _inflate(file_name: str, data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in pieces of at most ``CHUNK``; refuses a part larger than it declares."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != ZIP_MAGIC:
        raise UploadError(f"文件“{file_name}”已损坏，无法打开（内部部件 {info.filename[:60]} 的位置不正确）。")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    produced = 0
    if info.compress_type == _STORED:
        for i in range(0, len(raw), CHUNK):
            yield bytes(raw[i : i + CHUNK])
        produced = len(raw)
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            for i in range(0, len(raw), 64 * 1024):  # small input slices: unconsumed_tail copies stay small
                pending: bytes | memoryview = raw[i : i + 64 * 1024]
                while pending and not inflater.eof and produced <= info.file_size:
                    piece = inflater.decompress(pending, CHUNK)
                    pending = inflater.unconsumed_tail
                    produced += len(piece)
                    if piece and produced <= info.file_size:
                        yield piece
                if inflater.eof or produced > info.file_size:
                    break
        except zlib.error as exc:
            raise UploadError(f"文件“{file_name}”已损坏，无法打开（内部部件 {info.filename[:60]} 无法解压）。") from exc
    if produced != info.file_size or (info.compress_type == _DEFLATED and produced and not inflater.eof):
        raise UploadError(
            f"文件“{file_name}”内部部件 {info.filename[:60]} 的实际大小与声明不符（疑似压缩炸弹或文件被篡改），已拒绝。"
        )


def _xml_pieces(file_name: str, part: _Part, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Pieces cut after a '>' so that no tag is split; refuses DTDs and non-UTF-8 XML."""
    carry = b""
    first = True
    for chunk in chunks:
        if first:
            first = False
            if chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
                raise UploadError(
                    f"文件“{file_name}”结构异常（内部部件 {part.info.filename[:60]} 不是 UTF-8 编码），已拒绝。"
                )
        carry += chunk
        cut = carry.rfind(b">") + 1
        if not cut:
            if len(carry) > 8 * CHUNK:
                raise UploadError(f"文件“{file_name}”结构异常（内部部件中有超长的内容），已拒绝。")
            continue
        piece, carry = carry[:cut], carry[cut:]
        yield piece
    if carry:
        yield carry


_ROOT_START = re.compile(rb"<[^?!]")


def _refuse_dtd(file_name: str, part: _Part, piece: bytes) -> bool:
    """Refuse a DTD in the prolog; True once the root element has started (nothing more to check)."""
    root = _ROOT_START.search(piece)
    if _DTD.search(piece, 0, root.start() if root else len(piece)):
        raise UploadError(
            f"文件“{file_name}”的内部 XML（{part.info.filename[:60]}）含有 DTD/实体声明，"
            "可能是“XML 炸弹”；Excel/WPS 不会生成这样的文件，已拒绝。"
        )
    return root is not None


def _sheet_names(file_name: str, data: bytes, entries: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Worksheet part path → sheet name, from xl/workbook.xml and its relationships."""
    workbook, rels = entries.get("xl/workbook.xml"), entries.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    texts = []
    for info in (workbook, rels):
        if info.file_size > 16 * CHUNK:
            raise UploadError(f"文件“{file_name}”结构异常（工作簿目录过大），已拒绝。")
        part = _Part(info, None)
        content = b"".join(_inflate(file_name, data, info))
        if _DTD.search(content):
            _refuse_dtd(file_name, part, content)
        texts.append(content)
    try:
        book, links = SafeTree.fromstring(texts[0]), SafeTree.fromstring(texts[1])
    except Exception as exc:  # defusedxml raises its own errors for forbidden constructs
        raise UploadError(f"文件“{file_name}”已损坏，无法打开（工作簿目录无法解析）。") from exc
    targets = {}
    for rel in links.iter(f"{_REL_NS}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id", "")] = path
    out = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet") and sheet.get(_DOC_REL_ID) in targets:
            out[targets[sheet.get(_DOC_REL_ID, "")]] = sheet.get("name", "")
    return out


def _scan(file_name: str, data: bytes, part: _Part) -> None:
    """Inflate one part (sizes verified); DTDs refused; a worksheet's extent bounded."""
    extent = SheetExtent(ROW_LIMIT, MAX_COLUMNS) if part.sheet is not None else None
    in_prolog = True
    chunks = _inflate(file_name, data, part.info)
    if part.info.compress_size >= PREFETCH_FROM:
        chunks = prefetched(chunks)  # inflating (no GIL) overlaps the scan of the previous piece
    try:
        for piece in _xml_pieces(file_name, part, chunks):
            if in_prolog:
                in_prolog = not _refuse_dtd(file_name, part, piece)
            if extent is not None:
                extent.feed(piece)
    except ExtentError as exc:
        where = f"工作表“{part.sheet}”" if part.sheet else f"内部部件 {part.info.filename[:60]}"
        if exc.row > ROW_LIMIT:
            raise UploadError(
                f"文件“{file_name}”的{where}超过 {MAX_ROWS:,} 行（第 {exc.row:,} 行有内容），请拆分后分别上传。"
            ) from exc
        raise UploadError(
            f"文件“{file_name}”的{where}超过 {MAX_COLUMNS} 列（{exc.column} 列有内容）："
            "请删除多余的列（或远处零散的内容）后重新上传。"
        ) from exc


def check_xlsx(file_name: str, data: bytes) -> None:
    """Refuse anything that is not a plausible, bounded, macro-free xlsx package."""
    check_size(file_name, data)
    if data.startswith(OLE_MAGIC):
        _refuse_ole(file_name, data)
    if not data.startswith(ZIP_MAGIC):
        _refuse_not_zip(file_name, data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
    except Exception as exc:  # BadZipFile, NotImplementedError ("zip file version 10.1"), struct.error…
        raise UploadError(f"文件“{file_name}”已损坏，无法打开（{type(exc).__name__}）。") from exc
    _check_directory(file_name, entries)
    by_name = {e.filename: e for e in entries}
    sheets = _sheet_names(file_name, data, by_name)
    for entry in entries:
        sheet = sheets.get(entry.filename)
        if sheet is None and entry.filename.startswith("xl/worksheets/") and not entry.filename.endswith(".rels"):
            sheet = PurePath(entry.filename).name  # a worksheet the workbook does not name: bounded all the same
        if not entry.is_dir():
            _scan(file_name, data, _Part(entry, sheet))
