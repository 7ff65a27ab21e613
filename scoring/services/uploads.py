"""The import page's use cases (SPEC §1 step 2, §3): template, preview (dry run), commit, history.

A preview parses every file against the database without storing anything and lists every
problem at once; the commit is the same import with storing (one transaction per file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from scoring.ingest.cells import ERROR
from scoring.ingest.template import build_template
from scoring.services import indicators as indicator_service
from scoring.services.context import UserContext
from scoring.services.imports import FileOutcome, import_files
from scoring.storage import repository as repo
from scoring.storage.database import session_scope

ISSUE_COLUMNS = ["file", "sheet", "row", "column", "value", "level", "reason"]
COUNT_COLUMNS = ["file", "sheet", "read", "stored", "rejected", "blank", "warnings"]
HISTORY_COLUMNS = ["id", "created_at", "file_name", "user", "status", "read", "stored", "rejected", "issues", "sha256"]


@dataclass(frozen=True)
class ImportResult:
    """The outcome of a preview or a commit of one or more files."""

    outcomes: list[FileOutcome]
    committed: bool

    @property
    def issues(self) -> pd.DataFrame:
        """Every problem of every file: file, sheet, row (as in the file), column, value, level, reason."""
        rows = [
            (o.file_name, i.sheet, i.row or None, i.column, i.value, i.level, i.reason)
            for o in self.outcomes
            if o.parse is not None
            for i in o.parse.issues
        ]
        frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    @property
    def counts(self) -> pd.DataFrame:
        """Per file and sheet: read = stored + rejected + blank, and warnings."""
        rows = [
            (o.file_name, s.sheet, s.read, s.stored, s.rejected, s.blank, s.warnings)
            for o in self.outcomes
            if o.parse is not None
            for s in o.parse.sheets
        ]
        return pd.DataFrame(rows, columns=COUNT_COLUMNS)

    @property
    def totals(self) -> dict[str, int]:
        counts = self.counts
        totals = {k: int(counts[k].sum()) for k in ("read", "stored", "rejected", "blank", "warnings")}
        issues = self.issues
        totals["errors"] = int((issues["level"] == ERROR).sum())
        totals["refused"] = sum(1 for o in self.outcomes if o.parse is None)
        return totals

    @property
    def refused(self) -> list[str]:
        """Files that could not be read at all, with the reason."""
        return [f"{o.file_name}：{o.error}" for o in self.outcomes if o.parse is None]

    @property
    def failed(self) -> list[str]:
        """Files whose storing failed (the database is unchanged for them)."""
        return [o.error for o in self.outcomes if o.status in ("failed", "rejected-strict")]

    @property
    def notes(self) -> list[str]:
        """What else the user should know: ignored sheets and columns, unmatched complaints, 废卷."""
        out: list[str] = []
        for o in self.outcomes:
            if o.parse is None:
                continue
            out.extend(o.lines()[len(o.parse.sheets) :])  # lines() = one line per sheet, then the extras
        return out

    @property
    def ok(self) -> bool:
        return all(o.parse is not None for o in self.outcomes) and not self.failed

    def error_workbooks(self) -> list[tuple[str, bytes]]:
        """(file name, error workbook) for each file with problems."""
        out = []
        for o in self.outcomes:
            report = o.error_report()
            if report is not None:
                out.append((o.file_name, report))
        return out


def template(engine: Engine, user: UserContext) -> bytes:
    """The import workbook of the active indicator system, with the known districts (within the user's
    scope: an evaluator may import only its own 区县) and rounds as dropdowns."""
    user.require("view")
    system = indicator_service.active_system(engine)
    with session_scope(engine, write=False) as s:
        districts, rounds = repo.district_names(s), repo.round_names(s)
    districts = [d for d in districts if user.scope is None or d in user.scope]
    return build_template(system, districts=districts, rounds=rounds)


def preview(engine: Engine, user: UserContext, files: Sequence[tuple[str, bytes]]) -> ImportResult:
    """Check the files without storing anything (later files see the keys of earlier ones)."""
    user.require("import")
    system = indicator_service.active_system(engine)
    return ImportResult(import_files(engine, user, files, system, dry_run=True), committed=False)


def commit(engine: Engine, user: UserContext, files: Sequence[tuple[str, bytes]]) -> ImportResult:
    """Store the valid rows of every file (one transaction per file); rejected rows are reported."""
    user.require("import")
    system = indicator_service.active_system(engine)
    return ImportResult(import_files(engine, user, files, system), committed=True)


def _sum(counts: Any, key: str) -> int:
    sheets = counts.get("sheets", []) if isinstance(counts, dict) else []
    return sum(int(s.get(key, 0) or 0) for s in sheets if isinstance(s, dict))


def history(engine: Engine, user: UserContext, limit: int = 100) -> pd.DataFrame:
    """Recent uploads, newest first; evaluators see only their own."""
    user.require("import")
    with session_scope(engine, write=False) as s:
        records = repo.list_uploads(s, limit=limit if user.scope is None else 1000)
    if user.scope is not None:
        records = [r for r in records if r.user == user.username][:limit]
    rows = [
        (
            r.id, r.created_at, r.file_name, r.user, r.status,
            _sum(r.counts, "read"), _sum(r.counts, "stored"), _sum(r.counts, "rejected"), r.issue_count, r.sha256[:12],
        )
        for r in records
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)
