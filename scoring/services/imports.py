"""Import use case (SPEC §3, §7 import, §9 nothing lost): preview, then store in one transaction per file.

Each file: parse against what the database already knows, then — unless it is a dry run, or
strict mode found a rejected row — record the upload (pending), store every valid row and its
issues in one transaction, and mark the upload committed. Any exception rolls that transaction
back entirely and marks the upload failed, so the database is exactly as before.

Faults and concurrency (SPEC §9):
- a process killed while storing leaves its upload ``pending``; the next import (and
  ``fail_interrupted_uploads``) marks it ``failed`` once its process is gone or it is older than
  ``STALE_AFTER``. The data is as before: the storing transaction never committed.
- storing transactions are serial (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), and a
  file whose reference data (区县, 轮次, 商户) changed between its parse and its turn to store is
  parsed again inside the lock, so concurrent imports end as some serial order of them.
- a database still locked after the busy timeout, or an unexpected error while reading a file,
  gives a Chinese message, never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.parse import ReadUpload, UploadError, parse_upload, read_files, validate_read
from scoring.ingest.refs import ReferenceData
from scoring.ingest.report import error_workbook
from scoring.ingest.results import SHEET_ORDER, UploadParse
from scoring.services.context import UserContext
from scoring.storage import ledger
from scoring.storage import repository as repo
from scoring.storage.columns import utcnow
from scoring.storage.database import BUSY_TIMEOUT_MS, session_scope

# Test hook: called between sheets inside the storing transaction (fault-injection tests).
FaultHook = Callable[[str], None]
STALE_AFTER = timedelta(minutes=30)  # no import takes this long: a pending upload this old was interrupted
INTERRUPTED = "导入被中断（处理该文件的进程已退出或超时），数据库未作任何改动；请重新导入该文件。"
BUSY = (
    f"数据库正忙：另一个导入或评分正在写入，等待 {BUSY_TIMEOUT_MS // 1000} 秒后仍未完成。"
    "本文件未导入任何数据，请稍后重试。"
)
log = logging.getLogger(__name__)


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


def _reference_data(session: Session, user: UserContext) -> ReferenceData:
    names, located = repo.merchant_directory(session)
    return ReferenceData(
        districts=set(repo.district_names(session)),
        rounds=set(repo.round_names(session)),
        merchants=names,
        merchant_districts=located,
        allowed_districts=user.scope,
    )


def reference_data(engine: Engine, system: IndicatorSystem, user: UserContext) -> ReferenceData:
    """What an upload may reference, and the user's district scope."""
    del system  # the vocabularies come from the indicator system via the sheet specs
    with session_scope(engine, write=False) as s:
        return _reference_data(s, user)


def _dated_reference_data(engine: Engine, user: UserContext) -> tuple[ReferenceData, tuple[int, int]]:
    """The reference data and the committed uploads it reflects (read first: never newer than the data)."""
    with session_scope(engine, write=False) as s:
        committed = repo.committed_uploads(s)
        return _reference_data(s, user), committed


def _read_and_refs(
    engine: Engine, user: UserContext, file_name: str, data: bytes, system: IndicatorSystem
) -> tuple[ReadUpload, ReferenceData, tuple[int, int]]:
    """Read the file while the reference data loads on a second thread (the reader mostly runs in
    calamine without the GIL, the registry query in SQLite or PostgreSQL). The load starts once the
    file has passed the upload gate, so that it does not take the GIL from the gate's scan."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-refs") as pool:
        loading: list[Future[tuple[ReferenceData, tuple[int, int]]]] = []

        def load() -> None:
            if not loading:
                loading.append(pool.submit(_dated_reference_data, engine, user))

        read = read_files([(file_name, data)], system, after_gate=load)
        load()  # a CSV has no gate
        refs, committed = loading[0].result()
    return read, refs, committed


def _snapshot(refs: ReferenceData, merchants: bool = True) -> tuple[Any, ...]:
    """What a parse depended on (parse_upload extends ``refs`` in place: take this before).

    ``merchants=False``: the upload has no 商户名录 sheet, so the parse will not extend the registry
    maps and they are referenced instead of copied (120,000 entries cost 20 ms to copy).
    """
    located = refs.merchant_districts
    return (
        frozenset(refs.districts),
        frozenset(refs.rounds),
        dict(refs.merchants) if merchants else refs.merchants,
        (dict(located) if merchants else located) if isinstance(located, Mapping) else None,
    )


def _owner() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _alive(owner: Mapping[str, Any]) -> bool:
    """Whether the process that recorded a pending upload still runs (unknown on another host: yes)."""
    if owner.get("host") != socket.gethostname() or not isinstance(owner.get("pid"), int):
        return True
    try:
        os.kill(owner["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_interrupted_uploads(engine: Engine) -> list[int]:
    """Mark failed the pending uploads whose process is gone or that are older than ``STALE_AFTER``."""
    with session_scope(engine) as s:
        return ledger.fail_stale_uploads(s, utcnow() - STALE_AFTER, _alive, INTERRUPTED)


def _busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc).lower()


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
    committed: tuple[int, int] | None = None  # the committed uploads the reference data reflects
    try:
        if refs is None:
            read, refs, committed = _read_and_refs(engine, user, file_name, data, system)
        else:
            read = read_files([(file_name, data)], system, refs.industries)
        used = _snapshot(refs, merchants=any(raw.key == "merchants" for raw in read.sheets))
        parse = validate_read(read, system, refs)
    except UploadError as exc:
        return FileOutcome(file_name, sha, None, "refused", error=exc.message)
    except OperationalError as exc:
        if not _busy(exc):
            raise
        return FileOutcome(file_name, sha, None, "refused", error=BUSY)
    except Exception as exc:  # a bug met by an odd file must not take the page or the CLI down
        log.exception("parsing %s failed", file_name)
        message = (
            f"文件“{file_name}”处理时出现内部错误（{type(exc).__name__}），未导入任何数据：请把该文件发给系统管理员。"
        )
        return FileOutcome(file_name, sha, None, "refused", error=message)
    outcome = FileOutcome(file_name, sha, parse, "dry-run")
    if dry_run:
        return outcome
    if strict and not parse.ok:
        outcome.status = "rejected-strict"
        outcome.error = f"严格模式：有 {parse.rejected} 行被拒绝，本文件未导入任何数据。"
        return outcome
    try:
        fail_interrupted_uploads(engine)
        with session_scope(engine) as s:
            upload_id = repo.create_upload(s, file_name, sha, user.username, owner=_owner())
    except OperationalError as exc:
        if not _busy(exc):
            raise
        outcome.status, outcome.error = "failed", BUSY
        return outcome
    outcome.upload_id = upload_id
    try:
        with session_scope(engine) as s:
            ledger.lock_imports(s)
            # Only imports write 区县, 轮次 and 商户, each in the transaction that commits its upload:
            # with the same committed uploads as when the reference data was read, it is unchanged.
            if committed is None or repo.committed_uploads(s) != committed:
                current = _reference_data(s, user)
                if _snapshot(current) != used:  # another import stored keys this file refers to: parse again
                    parse = parse_upload([(file_name, data)], system, current)
                    outcome.parse = parse
                    if strict and not parse.ok:
                        raise _StrictRejected(parse.rejected)
            outcome.changes = _store(s, parse, system, upload_id, fault)
            repo.finish_upload(s, upload_id, "committed", _counts(parse))
            detail = {"file": file_name, "sha256": sha, "upload_id": upload_id, **_counts(parse)}
            repo.append_audit(s, user.username, "upload", detail)
        outcome.status = "committed"
    except Exception as exc:
        if isinstance(exc, _StrictRejected):
            message = str(exc)
        elif _busy(exc):
            message = BUSY
        else:
            message = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}"
        try:
            with session_scope(engine) as s:
                repo.finish_upload(s, upload_id, "failed", _counts(parse), error=message)
                audit = {"file": file_name, "sha256": sha, "error": message}
                repo.append_audit(s, user.username, "upload_failed", audit)
        except OperationalError as again:  # still locked: the upload stays pending, failed later
            if not _busy(again):
                raise
        outcome.status = "failed"
        outcome.changes = {}
        outcome.error = f"导入失败，数据库未作任何改动：{message}"
    return outcome


class _StrictRejected(ValueError):
    def __init__(self, rejected: int) -> None:
        super().__init__(f"严格模式：有 {rejected} 行被拒绝，本文件未导入任何数据。")


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
