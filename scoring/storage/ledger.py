"""The upload ledger, its issues, campaign settings and the append-only audit log (SPEC §3, §9).

An import runs in three transactions so that its record survives a failure:
``create_upload`` (pending) — commit — upserts + ``finish_upload(…, "committed")`` — commit;
on an exception the second rolls back entirely and a third marks the upload ``failed``.
A process killed in between (SIGKILL, power loss) leaves its upload ``pending`` and the data as
before; ``fail_stale_uploads`` later marks such an upload ``failed`` (its owner process is gone,
or it is older than any import can take). ``lock_imports`` serialises the storing transactions
on PostgreSQL the way ``BEGIN IMMEDIATE`` does on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from scoring.storage.columns import utcnow
from scoring.storage.errors import StorageError
from scoring.storage.models import AuditLog, CampaignSetting, Upload, UploadIssue

UploadStatus = Literal["pending", "committed", "failed", "dry-run"]
ISSUE_COLUMNS = ("sheet", "row", "column", "value", "level", "reason")


@dataclass(frozen=True)
class UploadRecord:
    id: int
    file_name: str
    sha256: str
    user: str
    created_at: datetime
    finished_at: datetime | None
    status: str
    counts: Any
    error: str | None
    issue_count: int = 0


IMPORT_LOCK_KEY = 0x66616E67  # pg_advisory_xact_lock key of the storing transactions ("fang")


def create_upload(
    session: Session,
    file_name: str,
    sha256: str,
    user: str,
    status: UploadStatus = "pending",
    *,
    owner: Mapping[str, Any] | None = None,
) -> int:
    """Record an upload before its rows are stored; returns its id.

    ``owner`` (host, pid) is kept in ``counts`` while the upload is pending, so that an upload whose
    process died can be recognised; ``finish_upload`` replaces it with the counts.
    """
    counts = {"owner": dict(owner)} if owner else None
    upload = Upload(
        file_name=file_name, sha256=sha256, username=user, status=status, created_at=utcnow(), counts=counts
    )
    session.add(upload)
    session.flush()
    return upload.id


def lock_imports(session: Session) -> None:
    """Wait for any other storing transaction to end (PostgreSQL; SQLite's BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


def fail_stale_uploads(
    session: Session, older_than: datetime, alive: Callable[[Mapping[str, Any]], bool], error: str
) -> list[int]:
    """Mark failed every pending upload created before ``older_than`` or whose owner is not ``alive``."""
    pending = session.execute(select(Upload).where(Upload.status == "pending")).scalars().all()
    failed = []
    for upload in pending:
        owner = upload.counts.get("owner") if isinstance(upload.counts, dict) else None
        if upload.created_at < older_than or (isinstance(owner, dict) and not alive(owner)):
            upload.status, upload.error, upload.finished_at = "failed", error, utcnow()
            failed.append(upload.id)
    session.flush()
    return failed


def finish_upload(
    session: Session, upload_id: int, status: UploadStatus, counts: Any = None, error: str | None = None
) -> None:
    """Close an upload: committed / failed / dry-run, with its per-sheet counts and any error."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise StorageError(f"未找到上传记录：{upload_id}")
    upload.status = status
    upload.counts = counts
    upload.error = error
    upload.finished_at = utcnow()
    session.flush()


def _record(upload: Upload, issues: int = 0) -> UploadRecord:
    return UploadRecord(
        upload.id,
        upload.file_name,
        upload.sha256,
        upload.username,
        upload.created_at,
        upload.finished_at,
        upload.status,
        upload.counts,
        upload.error,
        issues,
    )


def list_uploads(session: Session, limit: int = 100, sha256: str | None = None) -> list[UploadRecord]:
    """Newest uploads first, with their issue counts (optionally only those of one file content)."""
    issues = select(UploadIssue.upload_id, func.count().label("n")).group_by(UploadIssue.upload_id).subquery()
    stmt = select(Upload, func.coalesce(issues.c.n, 0)).outerjoin(issues, issues.c.upload_id == Upload.id)
    if sha256 is not None:
        stmt = stmt.where(Upload.sha256 == sha256)
    stmt = stmt.order_by(Upload.id.desc()).limit(limit)
    return [_record(upload, int(n)) for upload, n in session.execute(stmt)]


def get_upload(session: Session, upload_id: int) -> UploadRecord | None:
    upload = session.get(Upload, upload_id)
    return None if upload is None else _record(upload)


def save_issues(session: Session, upload_id: int, issues: pd.DataFrame | Iterable[Mapping[str, Any]]) -> int:
    """Store an upload's issues (columns sheet, row, column, value, level, reason); returns how many."""
    frame = issues if isinstance(issues, pd.DataFrame) else pd.DataFrame(list(issues), columns=list(ISSUE_COLUMNS))
    if frame.empty:
        return 0
    missing = [c for c in ("sheet", "level", "reason") if c not in frame.columns]
    if missing:
        raise StorageError(f"问题清单缺少列：{'、'.join(missing)}")
    frame = frame.reindex(columns=list(ISSUE_COLUMNS))
    rows = [
        {
            "upload_id": upload_id,
            "sheet": str(sheet),
            "row_no": None if pd.isna(row) else int(row),
            "column_name": None if pd.isna(col) else str(col),
            "value": None if pd.isna(value) else str(value),
            "level": str(level),
            "reason": str(reason),
        }
        for sheet, row, col, value, level, reason in frame.astype(object).itertuples(index=False, name=None)
    ]
    session.execute(insert(UploadIssue), rows)
    return len(rows)


def load_issues(session: Session, upload_id: int | None = None, level: str | None = None) -> pd.DataFrame:
    """Issues as a frame (upload_id, sheet, row, column, value, level, reason), newest upload first."""
    stmt = select(
        UploadIssue.upload_id,
        UploadIssue.sheet,
        UploadIssue.row_no.label("row"),
        UploadIssue.column_name.label("column"),
        UploadIssue.value,
        UploadIssue.level,
        UploadIssue.reason,
    )
    if upload_id is not None:
        stmt = stmt.where(UploadIssue.upload_id == upload_id)
    if level is not None:
        stmt = stmt.where(UploadIssue.level == level)
    stmt = stmt.order_by(UploadIssue.upload_id.desc(), UploadIssue.id)
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=["upload_id", *ISSUE_COLUMNS])
    frame["row"] = frame["row"].astype("Int64")
    return frame


def delete_issues(session: Session, upload_id: int) -> int:
    """Forget an upload's issues (e.g. before re-validating it)."""
    return int(session.execute(delete(UploadIssue).where(UploadIssue.upload_id == upload_id)).rowcount)  # type: ignore[attr-defined]


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """A campaign setting's JSON value, or ``default`` when unset."""
    setting = session.get(CampaignSetting, key)
    return default if setting is None else setting.value


def set_setting(session: Session, key: str, value: Any, user: str | None = None) -> None:
    """Create or replace a campaign setting (any JSON value)."""
    setting = session.get(CampaignSetting, key)
    if setting is None:
        session.add(CampaignSetting(key=key, value=value, updated_by=user, updated_at=utcnow()))
    else:
        setting.value = value
        setting.updated_by = user
        setting.updated_at = utcnow()
    session.flush()


def all_settings(session: Session) -> dict[str, Any]:
    return {s.key: s.value for s in session.execute(select(CampaignSetting)).scalars()}


def append_audit(session: Session, user: str, action: str, detail: Any = None) -> int:
    """Append one entry to the audit log; entries are never changed or deleted."""
    entry = AuditLog(username=user, action=action, detail=detail, at=utcnow())
    session.add(entry)
    session.flush()
    return entry.id


def list_audit(session: Session, limit: int = 200, action: str | None = None) -> pd.DataFrame:
    """Newest audit entries first: id, at, user, action, detail."""
    stmt = select(AuditLog.id, AuditLog.at, AuditLog.username, AuditLog.action, AuditLog.detail)
    if action is not None:
        stmt = stmt.where(AuditLog.action == action)
    rows = session.execute(stmt.order_by(AuditLog.id.desc()).limit(limit)).all()
    return pd.DataFrame(rows, columns=["id", "at", "user", "action", "detail"])
