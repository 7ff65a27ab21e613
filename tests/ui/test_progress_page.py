"""阶段进度: timeline, task checklist editable by permitted roles (explicit save), coverage, KPI lights."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from scoring.services import kpi_targets, progress
from scoring.storage.database import make_engine
from tests.ui.conftest import ADMIN, EVALUATOR, LEADER, ROUNDS, open_page, texts


def test_without_a_plan_an_admin_can_create_the_default_one(empty_db: str) -> None:
    at = open_page("pages/progress.py")

    assert "还没有阶段计划" in at.info[0].value
    at.main.button[0].click().run()  # 按默认计划创建阶段与任务

    assert not at.exception
    assert at.success[0].value.startswith("已创建默认阶段")
    assert progress.phases(make_engine(empty_db), ADMIN)["name"].tolist() == ["筹备", "实施", "总结"]


def test_a_leader_without_a_plan_is_told_to_ask_an_administrator(empty_db: str) -> None:
    at = open_page("pages/progress.py", user=LEADER)

    assert "请联系管理员建立阶段计划" in at.info[0].value
    assert not at.main.button


def test_timeline_and_the_checklist_of_the_evaluators_district(demo_db: str) -> None:
    at = open_page("pages/progress.py", user=EVALUATOR, round_name=ROUNDS[0])

    assert len(at.get("plotly_chart")) == 1
    assert at.selectbox(key="task_district").options == ["上城区"]
    tasks = at.data_editor(key="tasks_上城区").value
    assert tasks["任务"].tolist()[:5] == ["成立组织机构", "明确责任分工", "调研与需求分析", "宣传推广", "预算编制"]
    assert set(tasks["状态"]) == {"未开始"}


def test_an_evaluator_marks_a_task_done_and_saves_it(demo_db: str) -> None:
    at = open_page("pages/progress.py", user=EVALUATOR, round_name=ROUNDS[0])

    at.session_state["tasks_上城区"] = {
        "edited_rows": {0: {"状态": "已完成", "备注": "已发文"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="save_tasks_上城区").click().run()

    assert "上城区：已保存 1 项任务的变更" in at.success[0].value
    saved = progress.checklist(make_engine(demo_db), EVALUATOR, "上城区")
    assert saved.loc[0, "status"] == "done"
    assert saved.loc[0, "note"] == "已发文"
    assert saved.loc[0, "updated_by"] == EVALUATOR.username


def test_a_leader_sees_the_checklist_read_only(demo_db: str) -> None:
    at = open_page("pages/progress.py", user=LEADER, round_name=ROUNDS[0])

    assert "您的角色只能查看任务清单" in texts(at)
    assert not [b for b in at.button if (b.key or "").startswith("save_tasks")]


def test_coverage_per_round_and_kpi_lights(demo_db: str) -> None:
    at = open_page("pages/progress.py", round_name=ROUNDS[0])

    coverage = next(d.value for d in at.dataframe if "实地检查" in d.value.columns)
    assert coverage["评估轮次"].tolist() == list(ROUNDS)
    assert (coverage["已评分"] <= coverage["实地检查"]).all()
    figures = {m.label: m.value for m in at.metric}
    assert set(figures) >= {"检查覆盖率", "投诉按时办结率", "满意度指数"}
    kpi = progress.kpis(make_engine(demo_db), ADMIN, ROUNDS[0], None)
    overall = kpi[kpi["district"].isna()].iloc[0]
    assert figures["投诉按时办结率"] == f"{100 * overall['on_time_rate']:.1f}%"
    lights = re.findall(r":(\w+)-badge\[([^\]]+)\]", texts(at))
    expected = {"green": "达标", "orange": "接近", "red": "未达标", "gray": "暂无数据"}
    assert len(lights) == 3
    assert all(expected[color] == word for color, word in lights)
    on_time = kpi[kpi["district"].isna()]["on_time_rate_light"].iloc[0]
    assert lights[1][1] == {"green": "达标", "yellow": "接近", "red": "未达标", "none": "暂无数据"}[on_time]


def test_an_admin_changes_a_kpi_target(demo_db: str) -> None:
    at = open_page("pages/progress.py", round_name=ROUNDS[0])

    at.number_input[0].set_value(85.0)
    at.button(key="FormSubmitter:kpi_targets-保存目标值").click().run()

    assert at.success[0].value == "目标值已保存。"
    assert progress.targets(make_engine(demo_db))["coverage"] == 0.85


def _district_kpis(at: AppTest, district: str) -> dict[str, str]:
    table = next(d.value for d in at.dataframe if "按时办结率" in d.value.columns)
    return dict(table[table["区县"] == district].iloc[0])


def _edit_district_targets(at: AppTest, district: str, cells: dict[str, object]) -> AppTest:
    rows = at.data_editor(key="district_targets").value["区县"].tolist()
    at.session_state["district_targets"] = {
        "edited_rows": {rows.index(district): cells},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    return at.button(key="save_district_targets").click().run()


def test_an_admin_sets_a_districts_own_target_and_its_light_follows(demo_db: str) -> None:
    at = open_page("pages/progress.py", round_name=ROUNDS[0])
    kpi = progress.kpis(make_engine(demo_db), ADMIN, ROUNDS[0], None).set_index("district")
    coverage = kpi.loc["拱墅区", "coverage"]
    assert 0.9 <= coverage < 0.95  # meets the campaign's 90%, not the 95% set below
    assert _district_kpis(at, "拱墅区")["检查覆盖率"] == f"{100 * coverage:.1f}%（达标）"

    _edit_district_targets(at, "拱墅区", {"检查覆盖率 %": 95.0})

    assert not at.exception
    assert at.success[0].value == "已保存 1 个区县的目标值。"
    saved = kpi_targets.district_targets(make_engine(demo_db), ADMIN).set_index("district")
    assert saved.loc["拱墅区", "coverage"] == 0.95
    assert saved.drop(index="拱墅区")["coverage"].isna().all()
    shown = at.data_editor(key="district_targets").value.set_index("区县")
    assert shown.loc["拱墅区", "检查覆盖率 %"] == 95.0
    assert _district_kpis(at, "拱墅区")["检查覆盖率"] == f"{100 * coverage:.1f}%（接近，本区目标 95.0%）"
    others = _district_kpis(at, "上城区")["检查覆盖率"]
    assert others.endswith("（达标）")  # the other districts keep the campaign's target
    figures = {m.label: m.value for m in at.metric}
    assert figures["检查覆盖率"] == f"{100 * kpi.loc[kpi.index.isna(), 'coverage'].iloc[0]:.1f}%"


def test_an_out_of_range_district_target_is_refused_in_chinese(demo_db: str) -> None:
    at = open_page("pages/progress.py", round_name=ROUNDS[0])

    _edit_district_targets(at, "上城区", {"满意度指数": 120.0})

    assert "第 1 行（上城区）：满意度指数须在 0 到 100 之间" in at.error[0].value
    assert kpi_targets.district_targets(make_engine(demo_db), ADMIN)["satisfaction"].isna().all()


def test_only_administrators_see_the_district_target_editor(demo_db: str) -> None:
    for user in (LEADER, EVALUATOR):
        at = open_page("pages/progress.py", user=user, round_name=ROUNDS[0])

        assert not [e for e in at.data_editor if e.key == "district_targets"], user.role
        assert not [b for b in at.button if b.key == "save_district_targets"], user.role
