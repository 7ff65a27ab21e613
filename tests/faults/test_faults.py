"""Nothing half-imported (SPEC §9): an exception at any stage of storing, or SIGKILL mid-transaction, leaves
every data table exactly as before, the upload failed (at once, or pending until the next import notices
its process is gone), and the retry stores the file. Runs on SQLite and PostgreSQL (``db``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.results import SHEET_ORDER
from scoring.ingest.sheets import SheetSpec
from scoring.services import imports
from scoring.services.context import CLI_USER
from scoring.storage import ledger, upserts
from tests.faults.conftest import dump, specs, system, uploads, workbook

__all__ = ["specs", "system"]
ROOT = Path(__file__).resolve().parents[2]


class Injected(RuntimeError):
    """The fault injected by a test."""


def _fail(*_: Any, **__: Any) -> Any:
    raise Injected("注入的故障")


def _seed(db: Engine, specs: dict[str, SheetSpec], system: IndicatorSystem) -> None:
    outcome = imports.import_file(db, CLI_USER, "基础.xlsx", workbook(specs, range(1, 6), "旧名"), system)
    assert outcome.status == "committed"


def _next_file(specs: dict[str, SheetSpec]) -> bytes:
    """Renames merchants 3–5, adds 6–8, and inspects 1–8: touches every stage of storing."""
    return workbook(specs, range(3, 9), "新名", inspected=range(1, 9))


STAGES: list[tuple[str, Callable[[pytest.MonkeyPatch], Any]]] = [
    *[(f"fault-{kind}", lambda mp, kind=kind: kind) for kind in SHEET_ORDER],  # the fault hook, per sheet
    ("upsert", lambda mp: mp.setattr(imports.repo, "upsert", _fail)),
    ("bulk-rows", lambda mp: mp.setattr(upserts, "upsert_rows", _fail)),
    ("save-issues", lambda mp: mp.setattr(imports.repo, "save_issues", _fail)),
    (
        "audit",
        lambda mp: mp.setattr(
            imports.repo, "append_audit", lambda s, u, action, d=None: _fail() if action == "upload" else 0
        ),
    ),
    ("commit-mark", lambda mp: mp.setattr(imports.repo, "finish_upload", _finish_failing_commit)),
]
_real_finish = ledger.finish_upload


def _finish_failing_commit(session: Any, upload_id: int, status: str, *args: Any, **kwargs: Any) -> None:
    if status == "committed":
        raise Injected("注入的故障")
    _real_finish(session, upload_id, status, *args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("stage", "inject"), STAGES, ids=[s for s, _ in STAGES])
def test_exception_at_any_stage_changes_nothing_and_the_retry_works(
    db: Engine,
    specs: dict[str, SheetSpec],
    system: IndicatorSystem,
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
    inject: Callable[[pytest.MonkeyPatch], Any],
) -> None:
    _seed(db, specs, system)
    before = dump(db)
    data = _next_file(specs)
    kind = inject(monkeypatch)
    fault = (lambda k: _fail() if k == kind else None) if stage.startswith("fault-") else None
    if stage == "save-issues":  # only a file with issues saves any: add a bad row
        data = workbook(specs, range(3, 9), "新名", inspected=range(1, 10))
    outcome = imports.import_file(db, CLI_USER, "新.xlsx", data, system, fault=fault)
    assert outcome.status == "failed" and outcome.error.startswith("导入失败，数据库未作任何改动")
    assert dump(db) == before
    assert uploads(db)[-1][1] == "failed"
    monkeypatch.undo()
    retry = imports.import_file(db, CLI_USER, "新.xlsx", data, system)
    assert retry.status == "committed"
    assert dump(db) != before
    assert [s for _, s in uploads(db)] == ["committed", "failed", "committed"]


KILLABLE = """
import pathlib, sys, time
from scoring.engine.indicators import load_indicator_system
from scoring.services.context import CLI_USER
from scoring.services.imports import import_file
from scoring.storage.database import make_engine

url, path, marker, yaml = sys.argv[1:]
def hold(kind):  # storing has begun (区县, 评估轮次 written, uncommitted): say so and wait to be killed
    if kind == "merchants":
        pathlib.Path(marker).write_text("storing")
        time.sleep(120)
system = load_indicator_system(pathlib.Path(yaml).read_bytes())
import_file(make_engine(url), CLI_USER, "新.xlsx", pathlib.Path(path).read_bytes(), system, fault=hold)
"""


def test_sigkill_mid_transaction_changes_nothing_and_the_retry_works(
    db: Engine, url: str, specs: dict[str, SheetSpec], system: IndicatorSystem, tmp_path: Path
) -> None:
    """The importing process is killed inside its storing transaction (its upload is 'pending')."""
    _seed(db, specs, system)
    before = dump(db)
    path, marker = tmp_path / "新.xlsx", tmp_path / "storing"
    path.write_bytes(_next_file(specs))
    yaml = ROOT / "data" / "indicators" / "fangxin-2026.yaml"
    child = subprocess.Popen([sys.executable, "-c", KILLABLE, url, str(path), str(marker), str(yaml)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), "the import never started storing"
        assert uploads(db)[-1][1] == "pending"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert dump(db) == before  # the storing transaction never committed
    assert uploads(db)[-1][1] == "pending"  # until someone notices its process is gone
    assert imports.fail_interrupted_uploads(db) == [uploads(db)[-1][0]]
    assert uploads(db)[-1][1] == "failed"
    retry = imports.import_file(db, CLI_USER, "新.xlsx", path.read_bytes(), system)
    assert retry.status == "committed" and dump(db) != before
    assert [s for _, s in uploads(db)] == ["committed", "failed", "committed"]


def test_a_stale_pending_upload_is_failed_by_the_next_import(
    db: Engine, specs: dict[str, SheetSpec], system: IndicatorSystem
) -> None:
    """A pending upload older than STALE_AFTER (e.g. from another host) is failed when the next import starts."""
    from scoring.storage.columns import utcnow
    from scoring.storage.database import session_scope

    with session_scope(db) as s:
        ledger.create_upload(s, "旧.xlsx", "0" * 64, "someone", owner={"host": "elsewhere", "pid": 1})
    with session_scope(db) as s:
        stale = ledger.fail_stale_uploads(s, utcnow(), lambda owner: True, imports.INTERRUPTED)
    assert len(stale) == 1  # created before "now": older than a zero age
    _seed(db, specs, system)
    assert [s for _, s in uploads(db)] == ["failed", "committed"]
