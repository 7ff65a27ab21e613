"""Parsing an upload (SPEC §3): read every file, validate every sheet in dependency order, and account
for every row: read = stored + rejected + blank.

Sheets are processed 区县 → 评估轮次 → 商户名录 → the rest, and the reference data is extended in
place with the valid keys of earlier sheets, so a one-workbook upload works on an empty database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.engine.frames import (
    COMPLAINT_COLUMNS,
    CREDIT_COLUMNS,
    DISTRICT_COLUMNS,
    INSPECTION_FIXED,
    MERCHANT_COLUMNS,
    ROUND_COLUMNS,
    SURVEY_FIXED,
)
from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.cells import ERROR, WARNING, BoolArray, ColumnData, Problems
from scoring.ingest.gate import MAX_CELL_CHARS, UploadError
from scoring.ingest.headers import HEADER_SCAN_ROWS, HeaderRow, column_letter, display_text, find_header
from scoring.ingest.normalize import ObjArray, column_text, lookup
from scoring.ingest.reader import RawSheet, read_upload
from scoring.ingest.refs import ReferenceData
from scoring.ingest.results import SHEET_ORDER, Issue, Notice, SheetResult, UploadParse, key_strings, remember
from scoring.ingest.rules import DENSE_KINDS, SheetCheck, validate
from scoring.ingest.sheets import DEFAULT_INDUSTRIES, SheetSpec, sheet_specs

__all__ = [
    "Issue",
    "Notice",
    "ReadUpload",
    "SheetResult",
    "UploadError",
    "UploadParse",
    "frame_columns",
    "parse_upload",
    "read_files",
    "validate_read",
]


# The column a duplicate is reported on: the one a user recognises the record by.
DUPLICATE_COLUMN = {"surveys": "response_no"}
# Per-cause warning flags stored beside the rows (scoring.storage.sheet_tables): <column>_warning.
WARNING_FLAGS = {"merchants": ("uscc",), "inspections": ("name",)}


def frame_columns(key: str, system: IndicatorSystem) -> tuple[str, ...]:
    """The canonical columns (scoring.engine.frames) of a sheet's frame of stored rows."""
    return {
        "districts": DISTRICT_COLUMNS,
        "rounds": ROUND_COLUMNS,
        "merchants": MERCHANT_COLUMNS,
        "inspections": INSPECTION_FIXED + system.inspection_items,
        "surveys": SURVEY_FIXED + tuple(q.code for q in system.survey_questions),
        "complaints": COMPLAINT_COLUMNS,
        "credit": CREDIT_COLUMNS,
    }[key]


def _blank_rows(region: ObjArray, known: dict[int, ColumnData]) -> tuple[BoolArray, list[int]]:
    """Per row: every cell is empty; and the columns outside ``known`` that hold any data."""
    blank = np.ones(len(region), dtype=bool)
    filled: list[int] = []
    for j in range(region.shape[1]):
        if j in known:
            blank &= known[j].blank
            continue
        raw = region[:, j]
        if (raw == "").all():  # calamine pads unused columns with '': skip normalising them
            continue
        empty = np.asarray(column_text(raw) == "", dtype=bool)
        blank &= empty
        if not empty.all():
            filled.append(j)
    return blank, filled


def _extent(blank: BoolArray) -> int:
    """Rows read: every row below the header down to the last non-empty one (SPEC §10.10)."""
    filled = np.flatnonzero(~blank)
    return int(filled[-1]) + 1 if len(filled) else 0


def _empty_frame(spec: SheetSpec, system: IndicatorSystem, refs: ReferenceData) -> pd.DataFrame:
    """A frame with no row but the same columns and dtypes as a parsed sheet's."""
    by_name = {c.name: ColumnData.absent(c.name, c.header, 0, c.kind in DENSE_KINDS) for c in spec.columns}
    check = SheetCheck(spec, system, refs, {}, by_name, Problems(0, skip=np.zeros(0, dtype=bool)))
    validate(check)
    none = np.zeros(0, dtype=bool)
    extra = {"row": np.zeros(0, dtype=np.int64), "warning": none}
    extra |= {f"{name}_warning": none for name in WARNING_FLAGS.get(spec.key, ())}
    return _frame(check, frame_columns(spec.key, system), none, extra)


def _rejected_sheet(raw: RawSheet, spec: SheetSpec, header: HeaderRow, frame: pd.DataFrame) -> SheetResult:
    """A sheet without its required columns: every non-blank row is rejected, with the sheet's reason.

    A sheet without any data row loses nothing: it gets no issue (a notice says it was skipped).
    """
    start = header.index + 1 if header.index >= 0 else 0
    blank, _ = _blank_rows(raw.cells[start:], {})
    n = _extent(blank)
    blank = blank[:n]
    rejected = int((~blank).sum())
    header_row = raw.first_row + header.index if header.index >= 0 else 0
    missing = "、".join(header.missing)
    issues: list[Issue] = []
    if rejected:
        if header.index >= 0:
            found = "、".join(t for t in map(display_text, raw.cells[header.index]) if t)
            reason = f"缺少必填列：{missing}（表头在第 {header_row} 行：{found}）；整张表未导入"
        else:
            reason = f"未找到表头：前 {HEADER_SCAN_ROWS} 行中没有包含必填列（{missing}）的行；整张表未导入"
        issues.append(Issue(raw.title, header_row, missing, "", ERROR, reason))
        row_reason = f"工作表缺少必填列（{missing}），本行未导入"
        for r in raw.first_row + start + np.flatnonzero(~blank):
            issues.append(Issue(raw.title, int(r), header.missing[0], "", ERROR, row_reason))
    unknown = [t for _, t in header.unknown]
    return SheetResult(
        raw.file_name, raw.title, spec.key, spec.title, header_row, n, 0, rejected, n - rejected, 0, unknown, (),
        frame, issues,
    )  # fmt: skip


def _refuse_long_cells(raw: RawSheet, header: HeaderRow, present: dict[int, ColumnData]) -> None:
    """A cell longer than Excel allows was not saved by Excel or WPS: refuse the file, naming the cell."""
    for j, col in present.items():
        if col.text is not None:
            lengths = col.text.str.len().to_numpy(dtype=np.int64, na_value=0)
            row = int(np.argmax(lengths)) if len(lengths) else 0
            longest = int(lengths[row]) if len(lengths) else 0
        else:
            assert col.values is not None
            per_value = np.fromiter((len(v) if isinstance(v, str) else 0 for v in col.values.raw), dtype=np.int64)
            value = int(np.argmax(per_value)) if len(per_value) else 0
            longest = int(per_value[value]) if len(per_value) else 0
            row = int(np.flatnonzero(col.values.codes == value)[0]) if longest else 0
        if longest > MAX_CELL_CHARS:
            where = f"第 {raw.first_row + header.index + 1 + row} 行 {column_letter(j)} 列（{col.header}）"
            raise UploadError(
                f"文件“{raw.file_name}”的工作表“{raw.title}”{where}的单元格有 {longest:,} 个字符，"
                f"超过 Excel 单元格上限 {MAX_CELL_CHARS:,} 个字符："
                "这不是 Excel/WPS 正常保存的内容，请检查该单元格后重新上传。"
            )


def _duplicates(check: SheetCheck, ok: BoolArray, rows: np.ndarray[Any, Any], seen: pd.DataFrame | None) -> None:
    """Reject a row whose natural key repeats an earlier valid row of this upload (SPEC §10.12)."""
    keys = key_strings(check.values, check.spec.natural_key)
    idx = np.flatnonzero(ok)
    k = keys.iloc[idx]
    first = ~k.duplicated(keep="first").to_numpy()
    reason = np.full(check.n, "", dtype=object)
    duplicate = np.zeros(check.n, dtype=bool)
    if not first.all():
        first_row = pd.Series(rows[idx[first]], index=k.to_numpy()[first])
        for i in idx[~first]:
            reason[i] = f"与第 {first_row[keys.iloc[i]]} 行重复"
        duplicate[idx[~first]] = True
    if seen is not None and not seen.empty:
        across = idx[first][k[first].isin(seen.index).to_numpy()]
        for i in across:
            earlier = seen.loc[keys.iloc[i]]
            reason[i] = f"与工作表“{earlier['sheet']}”第 {earlier['row']} 行重复"
        duplicate[across] = True
    if duplicate.any():
        shown = keys.str.replace("\x1f", "、", regex=False).to_numpy(dtype=object)
        column = DUPLICATE_COLUMN.get(check.spec.key, check.spec.natural_key[0])
        check.problems.error(column, duplicate, reason, value=shown)


def _frame(check: SheetCheck, columns: tuple[str, ...], keep: BoolArray, extra: dict[str, Any]) -> pd.DataFrame:
    idx = np.flatnonzero(keep)
    data: dict[str, Any] = {}
    for name in columns:
        value = check.values[name]
        data[name] = value.iloc[idx].reset_index(drop=True) if isinstance(value, pd.Series) else value[idx]
    for name, value in extra.items():
        data[name] = value[idx]
    frame = pd.DataFrame(data)
    if "applied" in frame:  # required, so never NA in a stored row
        frame["applied"] = frame["applied"].astype(bool)
    return frame


def _issues(raw: RawSheet, check: SheetCheck, rows: np.ndarray[Any, Any]) -> list[Issue]:
    """Every finding as Issues, sorted by row, then by the column's position in the file."""
    parts: list[tuple[np.ndarray[Any, Any], int, list[Issue]]] = []
    for f in check.problems.findings:
        col = check.columns[f.column]
        idx = np.flatnonzero(f.mask)
        reasons = f.reason[idx] if isinstance(f.reason, np.ndarray) else [f.reason] * len(idx)
        values = f.value[idx] if f.value is not None else col.text_at(idx)
        issues = [
            Issue(raw.title, int(r), col.header, str(v), f.level, str(why))
            for r, v, why in zip(rows[idx].tolist(), values, reasons, strict=True)
        ]
        parts.append((rows[idx], col.index if col.present else 1 << 20, issues))
    if not parts:
        return []
    row = np.concatenate([p[0] for p in parts])
    column = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    flat = [i for p in parts for i in p[2]]
    return [flat[i] for i in np.lexsort((column, row))]


def parse_sheet(
    raw: RawSheet,
    spec: SheetSpec,
    system: IndicatorSystem,
    *,
    refs: ReferenceData,
    districts_of: dict[str, str] | None = None,
    seen: pd.DataFrame | None = None,
) -> SheetResult:
    """Validate one sheet against the reference data.

    ``districts_of`` maps USCC → 区县 for the scope check (default: from ``refs``); ``seen`` locates
    the keys stored by earlier sheets of the same kind in this upload.
    """
    if districts_of is None:
        districts_of = _merchant_districts(refs)
    columns = frame_columns(spec.key, system)
    header = find_header(raw.cells[:HEADER_SCAN_ROWS].tolist(), spec)
    if not header.complete:
        return _rejected_sheet(raw, spec, header, _empty_frame(spec, system, refs))
    region = raw.cells[header.index + 1 :]
    present = {
        j: ColumnData.read(c.name, header.texts[c.name], j, region[:, j], c.kind in DENSE_KINDS)
        for c in spec.columns
        if (j := header.columns.get(c.name)) is not None
    }
    _refuse_long_cells(raw, header, present)
    blank_all, filled = _blank_rows(region, present)
    n = _extent(blank_all)
    blank = blank_all[:n]
    by_name = {col.name: col.head(n) for col in present.values()}
    for c in spec.columns:
        if c.name not in by_name:
            by_name[c.name] = ColumnData.absent(c.name, c.header, n, c.kind in DENSE_KINDS)
    check = SheetCheck(spec, system, refs, districts_of, by_name, Problems(n, skip=blank))
    validate(check)
    rows = np.arange(n) + raw.first_row + header.index + 1
    _duplicates(check, ~check.problems.rows(ERROR) & ~blank, rows, seen)
    stored = ~check.problems.rows(ERROR) & ~blank
    warned = check.problems.rows(WARNING) & stored
    extra = {"row": rows, "warning": warned}
    for name in WARNING_FLAGS.get(spec.key, ()):
        extra[f"{name}_warning"] = check.problems.rows(WARNING, name)
    frame = _frame(check, columns, stored, extra)
    named = {j for j, _ in header.unknown + header.repeated}
    unknown = [t for _, t in header.unknown] + [f"{column_letter(j)} 列（无表头）" for j in filled if j not in named]
    result = SheetResult(
        raw.file_name, raw.title, spec.key, spec.title, raw.first_row + header.index, n, int(stored.sum()),
        int((~stored & ~blank).sum()), int(blank.sum()), int(warned.sum()), unknown,
        tuple(c.name for c in spec.columns if by_name[c.name].present), frame, _issues(raw, check, rows),
        repeated_columns=[t for _, t in header.repeated],
    )  # fmt: skip
    if spec.key == "surveys":
        invalid = frame.loc[frame["invalid"], "round"].value_counts()
        result.survey_invalid = {str(k): int(v) for k, v in invalid.items()}
    if spec.key == "complaints":
        result.complaints_unmatched = int(lookup(frame["uscc"], refs.merchants).isna().sum())
    return result


def _extend_refs(result: SheetResult, refs: ReferenceData, districts_of: dict[str, str]) -> None:
    frame = result.frame
    if result.key == "districts":
        refs.districts.update(frame["name"].tolist())
    elif result.key == "rounds":
        refs.rounds.update(frame["name"].tolist())
    elif result.key == "merchants":
        usccs = frame["uscc"].tolist()
        refs.merchants.update(zip(usccs, frame["name"].tolist(), strict=True))
        located = dict(zip(usccs, frame["district"].tolist(), strict=True))
        districts_of.update(located)
        stored = refs.merchant_districts
        if isinstance(stored, dict) and stored is not districts_of:
            stored.update(located)


def _notices(raw: RawSheet, result: SheetResult) -> list[Notice]:
    out: list[Notice] = []
    if result.read == result.blank:
        out.append(Notice(raw.file_name, raw.title, f"工作表“{raw.title}”没有数据行，已跳过"))
    if raw.by_header:
        out.append(Notice(raw.file_name, raw.title, f"“{raw.title}”按表头识别为“{result.title}”表"))
    if raw.encoding and raw.encoding != "UTF-8":
        out.append(Notice(raw.file_name, raw.title, f"“{raw.title}”按 {raw.encoding} 编码读取"))
    if raw.merged_filled:
        out.append(
            Notice(
                raw.file_name,
                raw.title,
                f"工作表“{raw.title}”有 {raw.merged_filled} 处跨行的合并单元格，已按显示内容把值填入合并区域的每一行",
            )
        )
    if result.unknown_columns:
        cols = "、".join(result.unknown_columns)
        out.append(Notice(raw.file_name, raw.title, f"工作表“{raw.title}”中以下列不在模板中，已忽略：{cols}"))
    if result.repeated_columns:
        cols = "、".join(result.repeated_columns)
        out.append(Notice(raw.file_name, raw.title, f"工作表“{raw.title}”中以下列重复出现，只读取了第一列：{cols}"))
    return out


def _merchant_districts(refs: ReferenceData) -> dict[str, str]:
    """USCC → 区县 of the merchants already stored, when the reference data carries it."""
    stored = refs.merchant_districts
    return dict(stored) if isinstance(stored, dict) else {}


@dataclass(frozen=True)
class ReadUpload:
    """The files of one upload read but not yet validated: their template sheets and the notices so far."""

    sheets: list[RawSheet]
    notices: list[Notice]


def read_files(
    files: Sequence[tuple[str, bytes]],
    system: IndicatorSystem,
    industries: tuple[str, ...] = DEFAULT_INDUSTRIES,
    *,
    after_gate: Callable[[], None] | None = None,
) -> ReadUpload:
    """The reading half of ``parse_upload``: every file through the gate and the reader.

    It needs no reference data (sheets are recognised by title and headers), so a caller can load
    the reference data meanwhile: ``after_gate`` is called when a workbook has passed the upload
    gate and calamine is about to read it. Raises ``UploadError`` when a file cannot be read at all.
    """
    specs = sheet_specs(system, industries)
    raws: list[RawSheet] = []
    notices: list[Notice] = []
    titles = {s.title for s in specs}
    for file_name, data in files:
        for raw in read_upload(file_name, data, specs, after_gate):
            if raw.hidden and raw.title.strip() in titles:
                message = (
                    f"工作表“{raw.title}”是隐藏的工作表，未导入（隐藏的工作表一律不导入）；"
                    "如需导入，请在 Excel/WPS 中取消隐藏后重新上传"
                )
                notices.append(Notice(file_name, raw.title, message))
            elif raw.key is None:
                notices.append(Notice(file_name, raw.title, f"工作表“{raw.title}”不是导入模板中的表，已忽略"))
            else:
                raws.append(raw)
    raws.sort(key=lambda r: SHEET_ORDER.index(r.key or ""))
    return ReadUpload(raws, notices)


def validate_read(read: ReadUpload, system: IndicatorSystem, refs: ReferenceData) -> UploadParse:
    """The validating half of ``parse_upload``; ``refs`` is extended in place with the valid keys."""
    by_key = {s.key: s for s in sheet_specs(system, refs.industries)}
    raws = read.sheets
    notices = list(read.notices)
    stored = refs.merchant_districts
    # The registry's own map, extended in place by a 商户名录 sheet (a copy cost 20 ms per 100,000).
    districts_of = stored if isinstance(stored, dict) else {}
    seen: dict[str, pd.DataFrame] = {}
    results: list[SheetResult] = []
    for i, raw in enumerate(raws):
        spec = by_key[raw.key or ""]
        result = parse_sheet(raw, spec, system, refs=refs, districts_of=districts_of, seen=seen.get(spec.key))
        if any(later.key == spec.key for later in raws[i + 1 :]):
            seen[spec.key] = remember(seen.get(spec.key), result, spec.natural_key)
        _extend_refs(result, refs, districts_of)
        notices.extend(_notices(raw, result))
        results.append(result)
    return UploadParse(results, notices)


def parse_upload(files: Sequence[tuple[str, bytes]], system: IndicatorSystem, refs: ReferenceData) -> UploadParse:
    """Read and validate every file of one upload; ``refs`` is extended in place with the valid keys.

    Raises ``UploadError`` (a Chinese message naming the file) when a file cannot be read at all.
    """
    return validate_read(read_files(files, system, refs.industries), system, refs)
