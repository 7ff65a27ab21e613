"""Service-level scope matrix (SPEC §1, §9): an evaluator of 区县 A reads, finds, exports and acts on
nothing of another 区县 through any service; a leader reads everything, masked, and changes nothing.

The demo campaign (80 merchants, six 区县) is scored and put under review; "B" is every other 区县.
Each check looks for B's merchant names, credit codes and 区县 names in everything a call returns.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.auth import accounts
from scoring.cli import main
from scoring.demo import build_demo_workbook
from scoring.services import (
    analysis,
    candidates,
    dashboard,
    district_view,
    merchant_view,
    notice,
    progress,
    review,
    runs,
    titles,
    uploads,
)
from scoring.services.campaign import load_settings, save_settings
from scoring.services.context import CLI_USER, PermissionDenied, UserContext
from scoring.services.imports import import_file
from scoring.services.indicators import active_system

ROUNDS = ("2026年初期评估", "2026年中期评估")
A = "上城区"
EVALUATOR = UserContext("ev-a", "evaluator", A)
LEADER = UserContext("boss", "leader", None)
TODAY = date(2026, 6, 30)


class Campaign:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        everyone = runs.results(engine, CLI_USER, ROUNDS[0])
        registry = everyone.scores
        b = registry[registry["district"] != A]
        self.b_districts = set(b["district"])
        self.b_usccs = set(b["uscc"])
        self.b_names = set(b["name"])
        self.a_usccs = set(registry.loc[registry["district"] == A, "uscc"])
        cases = review.cases(engine, CLI_USER, ROUNDS[0])
        self.b_case = int(cases.loc[cases["district"] != A, "id"].iloc[0])
        self.b_waiting = b["uscc"].iloc[0]

    def leaks(self, *found: Any) -> set[str]:
        """B's names, credit codes and 区县 that appear anywhere in ``found``."""
        text = "\n".join(_text(x) for x in found)
        return {token for token in (*self.b_districts, *self.b_usccs, *self.b_names) if token in text}


def _text(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        return value.to_csv(index=True)
    if isinstance(value, pd.Series):
        return value.to_csv()
    if isinstance(value, bytes):
        book = openpyxl.load_workbook(io.BytesIO(value), read_only=True)
        return "\n".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    if isinstance(value, Iterable) and not isinstance(value, str):
        return "\n".join(_text(v) for v in value)
    return str(value)


@pytest.fixture
def campaign(db: Engine) -> Campaign:
    outcome = import_file(db, CLI_USER, "演示.xlsx", build_demo_workbook(merchants=80, seed=11), active_system(db))
    assert outcome.status == "committed"
    for name in ROUNDS:
        runs.run_scoring(db, CLI_USER, name)
    progress.create_default_plan(db, CLI_USER, today=TODAY)
    settings = load_settings(db)
    settings.city, settings.year = "杭州市", "2026"
    save_settings(db, CLI_USER, settings)
    assert review.open_review(db, CLI_USER, ROUNDS[0]) > 0
    found = Campaign(db)
    assert found.b_districts and A not in found.b_districts and found.a_usccs
    return found


def test_every_read_service_returns_only_the_evaluators_district(campaign: Campaign) -> None:
    db, ev, r = campaign.engine, EVALUATOR, ROUNDS[1]
    run = runs.results(db, ev, r).run
    system = dashboard.run_system(db, run.indicator_hash)
    reads = {
        "results": runs.results(db, ev, r),
        "ranking": dashboard.ranking_table(db, ev, run.id),
        "preview": dashboard.ranking_preview(db, ev, run.id, rows=500)[0],
        "overview": dashboard.overview(db, ev, run.id, dashboard.grade_order(system)),
        "districts": district_view.district_view(db, ev, r),
        "cases": review.cases(db, ev),
        "titles": titles.titles(db, ev, TODAY),
        "alerts": titles.alerts(db, ev, open_only=False),
        "phases": progress.phases(db, ev, TODAY),
        "task_districts": progress.districts(db, ev),
        "matrix": progress.progress_matrix(db, ev, TODAY),
        "coverage": progress.coverage(db, ev),
        "kpis": progress.kpis(db, ev, r, None),
        "robustness": candidates.robustness(db, ev, r, draws=50),
        "analysis": analysis.analyse(db, ev, r, analysis.AnalysisOptions()).comparison,
        "survey": analysis.survey_evaluation(db, ev, r, "weighted_average").table,
        "uploads": uploads.history(db, ev),
        "find_by_name": [merchant_view.find(db, ev, n) for n in sorted(campaign.b_names)[:20]],
        "find_by_code": [merchant_view.find(db, ev, u[:10]) for u in sorted(campaign.b_usccs)[:20]],
        "draft_notice": notice.notice_document(db, ev, r, public=False).rows,
    }
    assert campaign.leaks(runs.results(db, CLI_USER, r).scores)  # the detector sees B where B is shown
    leaked = {name: campaign.leaks(value) for name, value in reads.items()}
    assert not {k: v for k, v in leaked.items() if v}, "another 区县's data reached the evaluator"
    assert set(reads["ranking"]["district"]) == {A} and len(reads["ranking"]) > 0
    assert reads["task_districts"] == [A]
    assert all(f.empty for f in reads["find_by_name"])


def test_the_evaluators_exports_hold_only_their_rows(campaign: Campaign) -> None:
    db = campaign.engine
    for kind in ("all", "full", "candidates", "districts"):
        data = notice.internal_bytes(db, EVALUATOR, ROUNDS[0], kind)
        assert not campaign.leaks(data), kind
    full = pd.read_excel(
        io.BytesIO(notice.internal_bytes(db, EVALUATOR, ROUNDS[0], "full")), dtype=str, engine="openpyxl"
    )
    codes = set(full.stack()) & (campaign.a_usccs | campaign.b_usccs)
    assert codes and codes <= campaign.a_usccs
    data, doc = notice.notice_bytes(db, EVALUATOR, ROUNDS[1], public=False, include_score=True)
    assert not campaign.leaks(data) and set(doc.rows["district"]) <= {A}


def test_the_evaluator_cannot_open_or_act_on_another_districts_records(campaign: Campaign) -> None:
    db, ev = campaign.engine, EVALUATOR
    b_uscc = sorted(campaign.b_usccs)[0]
    b_district = sorted(campaign.b_districts)[0]
    with pytest.raises(PermissionDenied):
        merchant_view.detail(db, ev, ROUNDS[0], b_uscc)
    with pytest.raises(PermissionDenied):
        merchant_view.detail(db, ev, ROUNDS[0], b_uscc.lower())  # the same code written differently
    with pytest.raises(review.ReviewError):
        review.history(db, ev, campaign.b_case)
    with pytest.raises(PermissionDenied):
        review.transition(db, ev, [campaign.b_case], "district_approve", "越权审核")
    with pytest.raises((PermissionDenied, review.ReviewError)):
        review.nominate(db, ev, ROUNDS[0], campaign.b_waiting, "越权递补")
    with pytest.raises(PermissionDenied):
        progress.checklist(db, ev, b_district)
    tasks = progress.checklist(db, CLI_USER, b_district)
    with pytest.raises(PermissionDenied):
        progress.save_checklist(db, ev, b_district, tasks.assign(status="done"))
    assert set(progress.checklist(db, CLI_USER, b_district)["status"]) != {"done"}
    with pytest.raises(PermissionDenied):
        runs.run_scoring(db, ev, ROUNDS[0])


def test_the_leader_reads_all_masked_and_changes_nothing(campaign: Campaign) -> None:
    db, leader = campaign.engine, LEADER
    assert len(runs.results(db, leader, ROUNDS[0]).scores) == len(runs.results(db, CLI_USER, ROUNDS[0]).scores)
    uscc = sorted(campaign.b_usccs)[0]
    full, masked = (
        merchant_view.detail(db, CLI_USER, ROUNDS[0], uscc),
        merchant_view.detail(db, leader, ROUNDS[0], uscc),
    )
    assert (
        full.profile["phone"] and "****" in masked.profile["phone"] and masked.profile["phone"] != full.profile["phone"]
    )
    assert masked.profile["contact_person"] != full.profile["contact_person"]
    assert str(masked.profile["contact_person"]).endswith("*")
    denied = [
        lambda: uploads.preview(db, leader, [("x.xlsx", b"")]),
        lambda: uploads.commit(db, leader, [("x.xlsx", b"")]),
        lambda: runs.run_scoring(db, leader, ROUNDS[0]),
        lambda: review.open_review(db, leader, ROUNDS[1]),
        lambda: review.transition(db, leader, [campaign.b_case], "district_approve", "领导审核"),
        lambda: review.transition(db, leader, [campaign.b_case], "city_approve", "领导审核"),
        lambda: notice.internal_bytes(db, leader, ROUNDS[0]),
        lambda: progress.save_checklist(db, leader, A, progress.checklist(db, leader, A)),
    ]
    for call in denied:
        with pytest.raises(PermissionDenied):
            call()
    assert review.available_actions(leader, "待审核", A) == []
    assert set(review.cases(db, CLI_USER)["state"]) == {"待审核"}  # nothing moved


def test_the_cli_with_an_evaluators_account_exports_only_its_district(
    campaign: Campaign, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = campaign.engine
    url = db.url.render_as_string(hide_password=False)
    accounts.create_user(db, CLI_USER, "ev-a", "evaluator", district=A, password="T-" + secrets.token_urlsafe(12))
    as_ev = ["--user", "ev-a", "--db", url]
    for command in ("candidates", "districts"):
        out = tmp_path / f"{command}.csv"
        assert main([*as_ev, command, "--round", ROUNDS[0], "--out", str(out)]) == 0
        assert not campaign.leaks(out.read_text(encoding="utf-8-sig")), command
    out = tmp_path / "shortlist.xlsx"
    assert main([*as_ev, "shortlist", "--round", ROUNDS[1], "--out", str(out)]) == 0
    assert not campaign.leaks(out.read_bytes())
    printed = capsys.readouterr().out
    assert not campaign.leaks(printed)
    assert main([*as_ev, "score", "--round", ROUNDS[0]]) == 1  # evaluators do not score
