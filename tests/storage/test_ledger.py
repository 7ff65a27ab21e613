"""Upload ledger, issues, campaign settings and the append-only audit log."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.storage.database import session_scope
from scoring.storage.models import AuditLog, ImmutableRowError
from scoring.storage.repository import (
    all_settings,
    append_audit,
    create_upload,
    finish_upload,
    get_setting,
    get_upload,
    list_audit,
    list_uploads,
    load_issues,
    save_issues,
    set_setting,
)

SHA = "5f" * 32


def test_an_upload_is_recorded_then_closed_with_its_counts(db: Engine) -> None:
    with session_scope(db) as session:
        upload_id = create_upload(session, "商户名录.xlsx", SHA, "evaluator1")
    with session_scope(db) as session:
        finish_upload(
            session, upload_id, "committed", {"商户名录": {"read": 3, "stored": 2, "rejected": 1, "blank": 0}}
        )

    with session_scope(db, write=False) as session:
        record = get_upload(session, upload_id)
        listed = list_uploads(session, sha256=SHA)

    assert record is not None
    assert (record.file_name, record.user, record.status) == ("商户名录.xlsx", "evaluator1", "committed")
    assert record.counts["商户名录"]["rejected"] == 1
    assert record.finished_at is not None and record.finished_at >= record.created_at
    assert [u.id for u in listed] == [upload_id]


def test_a_failed_import_keeps_its_upload_record(db: Engine) -> None:
    with session_scope(db) as session:
        upload_id = create_upload(session, "bad.xlsx", SHA, "evaluator1")
    with pytest.raises(RuntimeError), session_scope(db) as session:
        finish_upload(session, upload_id, "committed", {})
        raise RuntimeError("import failed")
    with session_scope(db) as session:
        finish_upload(session, upload_id, "failed", error="文件已损坏")

    with session_scope(db, write=False) as session:
        [record] = list_uploads(session)
    assert (record.status, record.error) == ("failed", "文件已损坏")


def test_issues_are_stored_for_the_error_report(db: Engine) -> None:
    issues = pd.DataFrame(
        {
            "sheet": ["商户名录", "实地检查"],
            "row": [5, 12],
            "column": ["统一社会信用代码", "A1"],
            "value": ["91330102MA2H00001X", None],
            "level": ["警告", "错误"],
            "reason": ["校验码不正确", "未填写；不适用请填写'不适用'"],
        }
    )
    with session_scope(db) as session:
        upload_id = create_upload(session, "f.xlsx", SHA, "u")
        assert save_issues(session, upload_id, issues) == 2
        save_issues(session, upload_id, [{"sheet": "区县", "level": "错误", "reason": "缺少列"}])

    with session_scope(db, write=False) as session:
        stored = load_issues(session, upload_id)
        warnings = load_issues(session, level="警告")
        [record] = list_uploads(session)

    assert (
        stored[["sheet", "row", "column", "value", "level", "reason"]]
        .iloc[:2]
        .astype(object)
        .where(stored.iloc[:2].notna(), None)
        .values.tolist()
        == issues.astype(object).where(issues.notna(), None).values.tolist()
    )
    assert stored["row"].isna().iloc[2]
    assert warnings["reason"].tolist() == ["校验码不正确"]
    assert record.issue_count == 3


def test_settings_hold_any_json_value(db: Engine) -> None:
    with session_scope(db) as session:
        assert get_setting(session, "threshold", 80) == 80
        set_setting(session, "threshold", 85, "admin")
        set_setting(session, "quotas", {"上城区": {"*": 10, "餐饮": 3}}, "admin")
        set_setting(session, "threshold", 82.5, "admin")

    with session_scope(db, write=False) as session:
        assert all_settings(session) == {"threshold": 82.5, "quotas": {"上城区": {"*": 10, "餐饮": 3}}}


def test_audit_log_is_append_only(db: Engine) -> None:
    with session_scope(db) as session:
        first = append_audit(session, "admin", "import", {"file": "f.xlsx", "sha256": SHA})
        append_audit(session, "reviewer1", "review", {"uscc": "91330102MA2H000011", "to": "市级审核通过"})

    with pytest.raises(ImmutableRowError), session_scope(db) as session:
        entry = session.get(AuditLog, first)
        assert entry is not None
        entry.action = "nothing happened"
        session.flush()

    with session_scope(db, write=False) as session:
        log = list_audit(session)
        imports = list_audit(session, action="import")
    assert log["action"].tolist() == ["review", "import"]
    assert imports["detail"].tolist() == [{"file": "f.xlsx", "sha256": SHA}]
