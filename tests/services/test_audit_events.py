"""The audit trail (SPEC §9): every kind of event writes a row with the detail it promises, and every
action name written anywhere in scoring/ has a Chinese and an English label."""

from __future__ import annotations

import ast
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from scoring.auth import accounts
from scoring.demo import build_demo_workbook
from scoring.services import audit, dashboard, notice, review, runs
from scoring.services.context import CLI_USER, UserContext
from scoring.services.imports import import_file
from scoring.services.indicators import DEFAULT_FILE, active_system, upload_version

ROOT = Path(__file__).resolve().parents[2]
ROUND = "2026年初期评估"
EVALUATOR = UserContext("audit-ev", "evaluator", "上城区")


def _password() -> str:
    return "T-" + secrets.token_urlsafe(12)  # throw-away, never a literal in the repository


def _rows(db: Engine) -> list[tuple[str, str, dict[str, Any]]]:
    frame = audit.audit_entries(db, CLI_USER)
    names = {zh: name for name, (zh, _) in audit.ACTION_NAMES.items()}
    return [(u, names[a], json.loads(d) if d else {}) for u, a, d in frame[["用户", "操作", "详情"]].to_numpy()][::-1]


def _one(rows: list[tuple[str, str, dict[str, Any]]], action: str, user: str | None = None) -> dict[str, Any]:
    found = [d for u, a, d in rows if a == action and (user is None or u == user)]
    assert found, f"no audit row {action!r} (by {user})"
    return found[-1]


def test_every_event_kind_is_audited(db: Engine) -> None:
    password = _password()
    # users: create, edit, deactivate, password
    accounts.create_user(db, CLI_USER, "audit-ev", "evaluator", district="上城区", password=password)
    accounts.create_user(db, CLI_USER, "audit-temp", "leader", password=_password())
    accounts.update_user(db, CLI_USER, "audit-temp", role="reviewer", district=None)
    accounts.update_user(db, CLI_USER, "audit-temp", role="reviewer", district=None, active=False)
    new_password = _password()
    accounts.set_password(db, EVALUATOR, "audit-ev", new_password, old=password)
    # login success, failure, logout
    with pytest.raises(accounts.LoginError):
        accounts.authenticate(db, "audit-ev", password)  # the old one
    user = accounts.authenticate(db, "audit-ev", new_password)
    assert user == EVALUATOR
    accounts.log_logout(db, user, "logout")
    # upload (file, SHA-256, counts), scoring run, review decision, export
    workbook = build_demo_workbook(merchants=60, seed=5)
    outcome = import_file(db, CLI_USER, "演示.xlsx", workbook, active_system(db))
    assert outcome.status == "committed"
    found = runs.run_scoring(db, CLI_USER, ROUND)
    assert review.open_review(db, CLI_USER, ROUND) > 0
    case = int(review.cases(db, CLI_USER, ROUND)["id"].iloc[0])
    review.transition(db, CLI_USER, [case], "district_approve", "材料齐全，同意")
    notice.internal_bytes(db, EVALUATOR, ROUND, "candidates")
    csv = dashboard.ranking_csv(db, EVALUATOR, found.run.id, dashboard.RankingFilter(), dashboard.RankingOrder())
    # indicator-version change: a new version uploaded and activated
    content = DEFAULT_FILE.read_bytes().replace(b'version: "2026"', b'version: "2026-audit"', 1)
    upload_version(db, CLI_USER, content, activate=True)

    rows = _rows(db)
    assert [d["username"] for _, a, d in rows if a == "user_created"] == ["audit-ev", "audit-temp"]
    assert _one(rows, "user_updated")["after"]["role"] == "reviewer"
    assert _one(rows, "user_deactivated")["after"]["active"] is False
    assert _one(rows, "password_changed", "audit-ev") == {"username": "audit-ev", "by_admin": False}
    assert _one(rows, "login_failure", "audit-ev")
    assert _one(rows, "login_success", "audit-ev") == {"role": "evaluator", "district": "上城区"}
    assert _one(rows, "logout", "audit-ev") == {"reason": "logout"}
    upload = _one(rows, "upload")
    assert upload["file"] == "演示.xlsx" and upload["sha256"] == hashlib.sha256(workbook).hexdigest()
    assert sum(v for k, v in upload.items() if isinstance(v, int) and k != "upload_id") > 0  # row counts
    scoring = _one(rows, "scoring_run")
    assert scoring["round"] == ROUND and scoring["run_id"] == found.run.id and scoring["merchants"] == len(found.scores)
    decision = _one(rows, "review")
    assert decision["case_id"] == case and decision["action"] == "区县审核通过" and decision["reason"]
    scoped = runs.results(db, EVALUATOR, ROUND)
    exports = [d for u, a, d in rows if a == "export" and u == "audit-ev"]
    assert [e["scope"] for e in exports] == ["上城区", "上城区"] and all(e["what"] for e in exports)
    assert [e["rows"] for e in exports] == [len(scoped.scores), len(scoped.scores)]
    assert len(csv.decode("utf-8-sig").strip().splitlines()) == len(scoped.scores) + 1
    assert _one(rows, "indicator_version_added")["hash"]
    assert _one(rows, "indicator_version_activated")["version"] == "2026-audit"


def test_the_audit_export_is_itself_audited_with_scope_and_rows(db: Engine) -> None:
    accounts.create_user(db, CLI_USER, "audit-ev", "evaluator", district="上城区", password=_password())
    frame = audit.audit_entries(db, CLI_USER)
    audit.export_audit(db, CLI_USER, frame)
    detail = _one(_rows(db), "export")
    assert detail == {"what": "审计日志", "scope": "全部区县", "rows": len(frame)}


def _written_actions() -> dict[str, str]:
    """Every action name passed to append_audit in scoring/ (a literal, or a name bound to literals)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "scoring").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            bound: dict[str, list[str]] = {}
            for node in ast.walk(func):
                if isinstance(node, ast.Assign):
                    texts = [c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)]
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            bound.setdefault(target.id, []).extend(t for t in texts if isinstance(t, str))
            for node in ast.walk(func):
                if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "append_audit"):
                    continue
                action = node.args[2] if len(node.args) > 2 else None
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    found[action.value] = path.name
                elif isinstance(action, ast.Name):
                    assert bound.get(action.id), f"{path.name}: cannot tell which action {action.id} holds"
                    found.update(dict.fromkeys(bound[action.id], path.name))
                else:
                    raise AssertionError(f"{path.name}:{node.lineno}: append_audit with a computed action name")
    return found


def test_every_action_written_in_scoring_has_both_labels() -> None:
    written = _written_actions()
    assert {"login_success", "upload", "export", "tasks_saved", "user_deactivated"} <= set(written)
    missing = sorted(f"{a} ({f})" for a, f in written.items() if a not in audit.ACTION_NAMES)
    assert not missing, f"action names without a label in scoring/services/audit.ACTION_NAMES: {missing}"
    blank = [a for a, (zh, en) in audit.ACTION_NAMES.items() if not zh.strip() or not en.strip() or zh == a]
    assert not blank
    assert audit.action_label("tasks_saved") == "更新阶段任务"
    assert audit.action_label("tasks_saved", "en") == "Phase tasks updated"


def test_audit_times_and_date_filter_are_beijing_time(db: Engine) -> None:
    """An event at 17:30 UTC on 22 November happened at 01:30 on 23 November in Beijing: it is listed
    under the 23rd and shown with Beijing's clock, whatever the server's own time zone."""
    from datetime import UTC, date, datetime

    from scoring.storage.database import session_scope
    from scoring.storage.models import AuditLog

    with session_scope(db) as s:
        s.add(AuditLog(at=datetime(2026, 11, 22, 17, 30, tzinfo=UTC), username="tz-user", action="logout", detail={}))
    on_23 = audit.audit_entries(db, CLI_USER, start=date(2026, 11, 23), end=date(2026, 11, 23), username="tz-user")
    on_22 = audit.audit_entries(db, CLI_USER, start=date(2026, 11, 22), end=date(2026, 11, 22), username="tz-user")
    assert list(on_23["时间"]) == ["2026-11-23 01:30:00"]
    assert on_22.empty


def test_today_is_beijings_date_even_on_a_utc_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """17:30 UTC on 22 November is already the 23rd in Beijing: overdue tasks, 认定 dates and the
    audit page's default period use that date, not the server's."""
    from datetime import UTC, date, datetime

    from scoring.services import context

    class _Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return datetime(2026, 11, 22, 17, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(context, "datetime", _Clock)
    assert context.local_today() == date(2026, 11, 23)
