"""总览: the round's key figures come from the run; an unscored round offers 运行评分 to those who may score."""

from __future__ import annotations

from scoring.services import dashboard, progress, runs
from scoring.services.context import CLI_USER
from scoring.services.imports import import_files
from scoring.services.indicators import active_system
from scoring.storage.database import make_engine
from tests.ui.conftest import ADMIN, EVALUATOR, LEADER, REVIEWER, ROUNDS, open_page, texts

NEW_ROUND = "2027年初期评估"


def _figures(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}  # type: ignore[attr-defined]


def test_key_figures_are_the_runs_figures(demo_db: str) -> None:
    at = open_page("pages/overview.py", round_name=ROUNDS[1])

    engine = make_engine(demo_db)
    result = runs.results(engine, ADMIN, ROUNDS[1])
    scored = result.scores[result.scores["total"].notna()]
    figures = _figures(at)
    assert figures["已检查"] == str(len(result.scores))
    assert figures["已评分"] == str(len(scored))
    assert figures["一票否决"] == str(int((result.scores["veto_text"].fillna("") != "").sum()))
    assert figures["入选示范候选"] == str(int((result.candidates["status"] == "入选").sum()))
    assert figures["优秀率"] == f"{100 * (scored['grade'] == '优秀').mean():.1f}%"
    assert figures["区县数"] == "6"
    assert len(at.get("plotly_chart")) == 3
    assert "当前阶段" in texts(at)


def test_an_evaluator_sees_only_the_figures_of_their_district(demo_db: str) -> None:
    at = open_page("pages/overview.py", user=EVALUATOR, round_name=ROUNDS[0])

    engine = make_engine(demo_db)
    mine = runs.results(engine, EVALUATOR, ROUNDS[0]).scores
    assert set(mine["district"]) == {"上城区"}
    assert _figures(at)["已检查"] == str(len(mine))
    assert _figures(at)["区县数"] == "1"


def _add_unscored_round(url: str) -> None:
    engine = make_engine(url)
    csv = f"轮次名称,开始日期,结束日期\n{NEW_ROUND},2027-01-01,2027-04-30\n".encode()
    assert import_files(engine, CLI_USER, [("rounds.csv", csv)], active_system(engine))[0].ok
    engine.dispose()


def test_an_unscored_round_says_so_and_a_reviewer_can_score_it(demo_db: str) -> None:
    _add_unscored_round(demo_db)
    at = open_page("pages/overview.py", user=REVIEWER, round_name=NEW_ROUND)

    assert f"评估轮次“{NEW_ROUND}”尚未评分" in texts(at)
    button = at.button(key="overview_run")
    assert button.label == f"运行评分：{NEW_ROUND}"

    button.click().run()

    assert not at.exception
    assert "评分完成：0 家商户" in at.success[0].value
    engine = make_engine(demo_db)
    assert dashboard.run_status(engine, REVIEWER, NEW_ROUND).run is not None


def test_a_leader_is_told_whom_to_ask_instead_of_a_button(demo_db: str) -> None:
    _add_unscored_round(demo_db)
    at = open_page("pages/overview.py", user=LEADER, round_name=NEW_ROUND)

    assert "请联系审核员或管理员运行评分" in texts(at)
    assert not [b for b in at.button if b.key == "overview_run"]


def test_data_imported_after_the_run_marks_the_results_out_of_date(demo_db: str) -> None:
    engine = make_engine(demo_db)
    csv = "区县名称,区县代码,所属城市\n临安区,330112,杭州市\n".encode()
    assert import_files(engine, CLI_USER, [("districts.csv", csv)], active_system(engine))[0].ok

    at = open_page("pages/overview.py", round_name=ROUNDS[0])

    assert "本次评分之后又导入了新数据" in at.warning[0].value
    assert at.button(key="overview_run").label == f"运行评分：{ROUNDS[0]}"
    assert progress.phases(engine, ADMIN)["name"].tolist() == ["筹备", "实施", "总结"]
