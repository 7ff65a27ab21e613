"""The dashboard's read views and the progress tables on both backends (SQLite; PostgreSQL when configured)."""

from __future__ import annotations

from sqlalchemy import Engine

from scoring.demo import build_demo_workbook
from scoring.services import dashboard, district_view, merchant_view, progress, runs
from scoring.services.context import CLI_USER, UserContext
from scoring.services.imports import import_files
from scoring.services.indicators import active_system

EVALUATOR = UserContext("ev", "evaluator", "上城区")
LEADER = UserContext("leader", "leader")
ROUNDS = ("2026年初期评估", "2026年中期评估")


def test_views_progress_and_scope_on_every_backend(db: Engine) -> None:
    outcome = import_files(db, CLI_USER, [("demo.xlsx", build_demo_workbook(merchants=60, seed=3))], active_system(db))[
        0
    ]
    assert outcome.status == "committed"
    for name in ROUNDS:
        runs.run_scoring(db, CLI_USER, name)

    found = dashboard.rounds(db, CLI_USER)
    assert [r.run_id is not None for r in found] == [True, True, False]
    full = runs.results(db, CLI_USER, ROUNDS[0]).scores
    table = dashboard.ranking_table(db, CLI_USER, found[0].run_id or 0)
    assert table["uscc"].tolist() == full["uscc"].tolist()
    assert table["total"].tolist() == full["total"].tolist()
    mine = dashboard.ranking_table(db, EVALUATOR, found[0].run_id or 0)
    assert set(mine["district"]) == {"上城区"}
    top, total = dashboard.ranking_preview(db, CLI_USER, found[0].run_id or 0, rows=5)
    assert top["uscc"].tolist() == full["uscc"].tolist()[:5] and total == len(full)

    detail = merchant_view.detail(db, LEADER, ROUNDS[1], mine["uscc"].iloc[0])
    assert detail.history["round"].tolist() == list(ROUNDS)
    assert "****" in (detail.profile["phone"] or "****")
    changes = district_view.district_view(db, CLI_USER, ROUNDS[1])
    assert changes is not None and changes.previous_round == ROUNDS[0]

    progress.create_default_plan(db, CLI_USER)
    tasks = progress.checklist(db, EVALUATOR, "上城区")
    assert progress.save_checklist(db, EVALUATOR, "上城区", tasks.assign(status="done")) == len(tasks) == 12
    matrix = progress.progress_matrix(db, EVALUATOR)
    assert matrix["district"].tolist() == ["上城区"]
    assert matrix[["筹备", "实施", "总结"]].iloc[0].tolist() == [1.0, 1.0, 1.0]
    coverage = progress.coverage(db, CLI_USER)
    assert coverage["scored"].tolist()[:2] == [len(full), len(runs.results(db, CLI_USER, ROUNDS[1]).scores)]
    kpis = progress.kpis(db, CLI_USER, ROUNDS[0], None)
    assert kpis["district"].isna().sum() == 1
    progress.save_targets(db, CLI_USER, {"coverage": 0.8})
    assert progress.targets(db)["coverage"] == 0.8
