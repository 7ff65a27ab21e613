"""The upload gate (SPEC §9): size, magic bytes and zip directory checked before any parser runs.

python-calamine has no decompression bound, so a zip bomb must be refused from the zip directory
alone (entry count, declared uncompressed sizes, compression ratio) before the reader opens it.
"""

from __future__ import annotations

import io
import zipfile


class UploadError(Exception):
    """An upload that cannot be read at all; ``message`` is the Chinese text shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


MAX_FILE_BYTES = 50 * 1024 * 1024  # an upload of more than 50 MB is refused outright
MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024  # a 300,000-row sheet of 30 columns stays well below
MAX_RATIO = 150  # real xlsx XML compresses 5–40×; bombs compress 1,000× and more
RATIO_CHECK_FROM = 1024 * 1024  # small entries may compress very well and harmlessly

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted xlsx and legacy .xls share this container


def check_size(file_name: str, data: bytes) -> None:
    """Refuse empty and oversized files."""
    if not data:
        raise UploadError(f"文件“{file_name}”是空文件。")
    if len(data) > MAX_FILE_BYTES:
        mb = MAX_FILE_BYTES // (1024 * 1024)
        raise UploadError(f"文件“{file_name}”超过 {mb} MB，请拆分后分别上传。")


def check_xlsx(file_name: str, data: bytes) -> None:
    """Refuse anything that is not a plausible, bounded xlsx zip package."""
    check_size(file_name, data)
    if data.startswith(OLE_MAGIC):
        raise UploadError(
            f"文件“{file_name}”已加密（设置了打开密码）或为旧版 Excel 97-2003（.xls）格式："
            "请取消密码，或在 Excel/WPS 中另存为 .xlsx 后重新上传。"
        )
    if not data.startswith(ZIP_MAGIC):
        raise UploadError(f"文件“{file_name}”不是有效的 Excel（.xlsx）文件，请确认文件类型后重新上传。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadError(f"文件“{file_name}”已损坏，无法打开（{type(exc).__name__}）。") from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UploadError(f"文件“{file_name}”结构异常（包含 {len(entries)} 个部件），已拒绝。")
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UploadError(f"文件“{file_name}”解压后过大（约 {total // (1024 * 1024)} MB），请拆分后分别上传。")
    for entry in entries:
        if entry.file_size > RATIO_CHECK_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise UploadError(f"文件“{file_name}”压缩比异常（疑似压缩炸弹），已拒绝。")
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UploadError(f"文件“{file_name}”不是 Excel 工作簿（可能是 Word/PowerPoint 或普通压缩包）。")
