"""Import use case (SPEC §3, §7 import, §9 nothing lost): preview, then store in one transaction per file.

Each file: parse against what the database already knows, then — unless it is a dry run, or
strict mode found a rejected row — record the upload (pending), store every valid row and its
issues in one transaction, and mark the upload committed. Any exception rolls that transaction
back entirely and marks the upload failed, so the database is exactly as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.parse import UploadError, parse_upload
from scoring.ingest.refs import ReferenceData
from scoring.ingest.report import error_workbook
from scoring.ingest.results import SHEET_ORDER, UploadParse
from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.models import District, Merchant

# Test hook: called between sheets inside the storing transaction (fault-injection tests).
FaultHook = Callable[[str], None]


@dataclass
class FileOutcome:
    """What happened to one uploaded file."""

    file_name: str
    sha256: str
    parse: UploadParse | None
    status: str  # committed | dry-run | rejected-strict | failed | refused
    upload_id: int | None = None
    error: str = ""
    changes: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> inserted/updated/unchanged

    @property
    def rejected(self) -> int:
        return self.parse.rejected if self.parse else 0

    @property
    def ok(self) -> bool:
        return self.status in ("committed", "dry-run") and self.rejected == 0

    def lines(self) -> list[str]:
        """The per-sheet lines of SPEC §10.13, then the extras worth knowing."""
        if self.parse is None:
            return [f"{self.file_name}：{self.error}"]
        out = [s.summary() for s in self.parse.sheets]
        if self.parse.complaints_unmatched:
            out.append(
                f"投诉记录：被投诉人不在商户名录中的投诉 {self.parse.complaints_unmatched} 条（已保存，计为未匹配）"
            )
        for round_name, n in sorted(self.parse.survey_invalid.items()):
            if n:
                out.append(f"满意度调查：{round_name} 废卷 {n} 份（已保存，不计分）")
        out.extend(f"提示：{n.message}" for n in self.parse.notices)
        if self.error:
            out.append(self.error)
        return out

    def error_report(self) -> bytes | None:
        """The error workbook (工作表, 行号, 列, 值, 级别, 原因), or None when there is nothing to list."""
        if self.parse is None or not self.parse.issues:
            return None
        return error_workbook(self.parse)


def reference_data(engine: Engine, system: IndicatorSystem, user: UserContext) -> ReferenceData:
    """What an upload may reference, and the user's district scope."""
    del system  # the vocabularies come from the indicator system via the sheet specs
    with session_scope(engine, write=False) as s:
        merchants = s.execute(select(Merchant.uscc, Merchant.name, District.name).join(District)).all()
        refs = ReferenceData(
            districts=set(repo.district_names(s)),
            rounds=set(repo.round_names(s)),
            merchants={u: n for u, n, _ in merchants},
            merchant_districts={u: d for u, _, d in merchants},
            allowed_districts=user.scope,
        )
    return refs


def _counts(parse: UploadParse) -> dict[str, Any]:
    return {
        "sheets": [
            {
                "sheet": s.sheet,
                "key": s.key,
                "read": s.read,
                "stored": s.stored,
                "rejected": s.rejected,
                "blank": s.blank,
                "warnings": s.warnings,
            }
            for s in parse.sheets
        ],
        "complaints_unmatched": parse.complaints_unmatched,
        "survey_invalid": parse.survey_invalid,
    }


def _codes(kind: str, system: IndicatorSystem) -> list[str] | None:
    if kind == "inspections":
        return list(system.inspection_items)
    if kind == "surveys":
        return [q.code for q in system.survey_questions]
    return None


def _store(
    session: Any, parse: UploadParse, system: IndicatorSystem, upload_id: int, fault: FaultHook | None
) -> dict[str, dict[str, int]]:
    changes: dict[str, dict[str, int]] = {}
    for kind in SHEET_ORDER:
        frame = parse.frame(kind)
        if fault is not None:
            fault(kind)
        if frame is None or frame.empty:
            continue
        c = repo.upsert(session, kind, frame, upload_id, codes=_codes(kind, system))  # type: ignore[arg-type]
        changes[kind] = {"inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged}
    issues = pd.DataFrame([i.__dict__ for i in parse.issues], columns=list(repo.ISSUE_COLUMNS))
    if not issues.empty:
        repo.save_issues(session, upload_id, issues)
    return changes


def import_file(
    engine: Engine,
    user: UserContext,
    file_name: str,
    data: bytes,
    system: IndicatorSystem,
    *,
    dry_run: bool = False,
    strict: bool = False,
    fault: FaultHook | None = None,
    refs: ReferenceData | None = None,
) -> FileOutcome:
    """Parse one file and, unless told otherwise, store its valid rows in one transaction.

    ``refs`` lets a dry run of several files see the keys of the files before it.
    """
    if not dry_run:
        user.require("import")
    sha = hashlib.sha256(data).hexdigest()
    try:
        parse = parse_upload([(file_name, data)], system, refs or reference_data(engine, system, user))
    except UploadError as exc:
        return FileOutcome(file_name, sha, None, "refused", error=exc.message)
    outcome = FileOutcome(file_name, sha, parse, "dry-run")
    if dry_run:
        return outcome
    if strict and not parse.ok:
        outcome.status = "rejected-strict"
        outcome.error = f"严格模式：有 {parse.rejected} 行被拒绝，本文件未导入任何数据。"
        return outcome
    with session_scope(engine) as s:
        upload_id = repo.create_upload(s, file_name, sha, user.username)
    outcome.upload_id = upload_id
    try:
        with session_scope(engine) as s:
            outcome.changes = _store(s, parse, system, upload_id, fault)
            repo.finish_upload(s, upload_id, "committed", _counts(parse))
            detail = {"file": file_name, "sha256": sha, "upload_id": upload_id, **_counts(parse)}
            repo.append_audit(s, user.username, "upload", detail)
        outcome.status = "committed"
    except Exception as exc:
        message = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}"
        with session_scope(engine) as s:
            repo.finish_upload(s, upload_id, "failed", _counts(parse), error=message)
            repo.append_audit(s, user.username, "upload_failed", {"file": file_name, "sha256": sha, "error": message})
        outcome.status = "failed"
        outcome.error = f"导入失败，数据库未作任何改动：{message}"
    return outcome


def import_files(
    engine: Engine,
    user: UserContext,
    files: Sequence[tuple[str, bytes]],
    system: IndicatorSystem,
    *,
    dry_run: bool = False,
    strict: bool = False,
) -> list[FileOutcome]:
    """Several files in order, each in its own transaction (later files see what earlier ones stored)."""
    shared = reference_data(engine, system, user) if dry_run else None
    return [
        import_file(engine, user, name, data, system, dry_run=dry_run, strict=strict, refs=shared)
        for name, data in files
    ]
