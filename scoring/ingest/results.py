"""What an upload parse returns: per-sheet counts, valid rows and issues, plus upload-level notices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from scoring.ingest.cells import ERROR, WARNING

# Dependency order: a sheet may reference the keys of the sheets before it.
SHEET_ORDER = ("districts", "rounds", "merchants", "inspections", "surveys", "complaints", "credit")


@dataclass(frozen=True)
class Issue:
    """One problem with one cell (or row, or sheet), keyed to the uploaded file's own row numbers."""

    sheet: str  # the sheet name as in the workbook (the file name for a CSV)
    row: int  # 1-based row number in the uploaded sheet; 0 = the sheet as a whole
    column: str  # the header as written in the file
    value: str
    level: str  # 错误 | 警告
    reason: str


@dataclass(frozen=True)
class Notice:
    """Something the user should know that is not a row problem (ignored sheets and columns)."""

    file_name: str
    sheet: str
    message: str

    def __str__(self) -> str:
        return f"{self.file_name}：{self.message}"


@dataclass
class SheetResult:
    """One sheet's outcome: read = stored + rejected + blank.

    ``frame`` holds the stored rows with the canonical columns of scoring.engine.frames, plus
    ``row`` (the row number in the file), ``warning`` (the row was stored with a warning) and, for
    商户名录 / 实地检查, the per-cause flags ``uscc_warning`` (check character) / ``name_warning``.
    """

    file_name: str
    sheet: str  # as in the file (the file name for a CSV)
    key: str  # districts | rounds | merchants | inspections | surveys | complaints | credit
    title: str  # the template's sheet title
    header_row: int  # 1-based; 0 when no header row was found
    read: int
    stored: int
    rejected: int
    blank: int
    warnings: int  # stored rows flagged with a warning
    unknown_columns: list[str]
    columns: tuple[str, ...]  # canonical columns present in the file (absent optional ones are NA)
    frame: pd.DataFrame
    issues: list[Issue]
    survey_invalid: dict[str, int] = field(default_factory=dict)  # 废卷 per round (surveys)
    complaints_unmatched: int = 0  # stored complaints whose USCC is not in the registry
    repeated_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def summary(self) -> str:
        """The CLI line of SPEC §10.13."""
        line = f"{self.sheet}: 读取 {self.read}，导入 {self.stored}，拒绝 {self.rejected}，空行 {self.blank}"
        return line + (f"，警告 {self.warnings}" if self.warnings else "")


@dataclass
class UploadParse:
    """Every sheet of an upload in processing order, and the notices about what was ignored."""

    sheets: list[SheetResult]
    notices: list[Notice] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        return [i for s in self.sheets for i in s.issues]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == WARNING]

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sheets)

    @property
    def ok(self) -> bool:
        """No rejected row (warnings alone do not fail an import, SPEC §10.12)."""
        return self.rejected == 0

    @property
    def survey_invalid(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for s in self.sheets:
            for round_name, count in s.survey_invalid.items():
                total[round_name] = total.get(round_name, 0) + count
        return total

    @property
    def complaints_unmatched(self) -> int:
        return sum(s.complaints_unmatched for s in self.sheets)

    def results(self, key: str) -> list[SheetResult]:
        return [s for s in self.sheets if s.key == key]

    def frame(self, key: str) -> pd.DataFrame | None:
        """The stored rows of every sheet of one kind, concatenated (None when the upload has none)."""
        frames = [s.frame for s in self.results(key)]
        if not frames:
            return None
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def key_strings(values: dict[str, Any], names: Iterable[str]) -> pd.Series:
    """One string per row joining the natural-key columns (dates as YYYY-MM-DD), for hashing."""
    joined: pd.Series | None = None
    for name in names:
        part = pd.Series(values[name]).reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(part):
            part = part.dt.strftime("%Y-%m-%d")
        part = part.astype("str")
        joined = part if joined is None else joined + "\x1f" + part
    assert joined is not None
    return joined


def remember(previous: pd.DataFrame | None, result: SheetResult, natural_key: tuple[str, ...]) -> pd.DataFrame:
    """Where each stored key of this upload was first seen (sheet, row), for later sheets of its kind."""
    frame = result.frame
    keys = key_strings({k: frame[k] for k in natural_key}, natural_key)
    where = pd.DataFrame({"sheet": result.sheet, "row": frame["row"].to_numpy()}, index=keys.to_numpy())
    if previous is None or previous.empty:
        return where
    return pd.concat([previous, where[~where.index.isin(previous.index)]])


__all__ = ["SHEET_ORDER", "Issue", "Notice", "SheetResult", "UploadParse", "key_strings", "remember"]
