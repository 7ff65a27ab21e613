"""District scope and role rights are enforced below the pages: services and the CLI (SPEC §1, §9)."""

from __future__ import annotations

import csv
import io
import secrets
from pathlib import Path

import pytest
from sqlalchemy import Engine

from scoring.auth import accounts
from scoring.cli import main
from scoring.services import runs
from scoring.services.context import CLI_USER, PermissionDenied, UserContext
from scoring.services.imports import import_file
from scoring.services.indicators import active_system

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "sample-2026.xlsx"
ROUND = "2026年初期评估"
EV_A = UserContext("ev-a", "evaluator", "上城区")
LEADER = UserContext("boss", "leader", None)
pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason=f"sample workbook not found at {SAMPLE}")


@pytest.fixture
def loaded(db: Engine) -> Engine:
    outcome = import_file(db, CLI_USER, SAMPLE.name, SAMPLE.read_bytes(), active_system(db))
    assert outcome.status == "committed"
    runs.run_scoring(db, CLI_USER, ROUND)
    return db


def test_evaluator_reads_only_own_district(loaded: Engine) -> None:
    own = runs.results(loaded, EV_A, ROUND)
    everyone = runs.results(loaded, CLI_USER, ROUND)
    assert set(own.scores["district"]) == {"上城区"} and set(own.candidates["district"]) == {"上城区"}
    assert list(own.districts["district"]) == ["上城区"]
    assert len(own.scores) == (everyone.scores["district"] == "上城区").sum() < len(everyone.scores)


def test_evaluator_cannot_import_another_districts_rows(loaded: Engine) -> None:
    outcome = import_file(loaded, EV_A, SAMPLE.name, SAMPLE.read_bytes(), active_system(loaded), dry_run=True)
    assert outcome.parse is not None
    reasons = {i.reason for i in outcome.parse.errors}
    assert any("不在您的管辖区县（上城区）范围内" in r for r in reasons)
    assert "区县由管理员维护，评估员不能导入或修改" in reasons
    merchants = outcome.parse.frame("merchants")
    assert merchants is not None and set(merchants["district"]) == {"上城区"}
    inspections = outcome.parse.frame("inspections")
    assert inspections is not None and len(inspections) > 0


def test_leader_cannot_upload_or_score(loaded: Engine) -> None:
    with pytest.raises(PermissionDenied, match="领导无权导入数据"):
        import_file(loaded, LEADER, SAMPLE.name, SAMPLE.read_bytes(), active_system(loaded))
    with pytest.raises(PermissionDenied, match="领导无权运行评分"):
        runs.run_scoring(loaded, LEADER, ROUND)
    with pytest.raises(PermissionDenied, match="评估员无权运行评分"):
        runs.run_scoring(loaded, EV_A, ROUND)
    assert len(runs.results(loaded, LEADER, ROUND).scores) == 97  # read-only, all districts


def test_cli_runs_with_the_accounts_scope(loaded: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = loaded.url.render_as_string(hide_password=False)
    password = "T-" + secrets.token_urlsafe(12)  # throw-away
    accounts.create_user(loaded, CLI_USER, "ev-a", "evaluator", district="上城区", password=password)
    out = tmp_path / "c.csv"
    assert main(["--user", "ev-a", "--db", url, "candidates", "--round", ROUND, "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows and {r["区县"] for r in rows} == {"上城区"}
    assert main(["--user", "ev-a", "--db", url, "score", "--round", ROUND]) == 1
    assert "评估员无权运行评分" in capsys.readouterr().err
    assert main(["--user", "ev-a", "--db", url, "import", str(SAMPLE)]) == 1  # other districts' rows rejected
    assert main(["--user", "nobody", "--db", url, "districts", "--round", ROUND]) == 2
