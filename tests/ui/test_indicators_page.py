"""指标体系: tree and sunburst, versions with a diff, and an admin upload validated before it is accepted."""

from __future__ import annotations

from scoring.services import indicators as indicator_service
from scoring.storage.database import make_engine
from tests.ui.conftest import EVALUATOR, open_page, texts

DEFAULT = indicator_service.DEFAULT_FILE.read_bytes()


def test_tree_lists_every_dimension_and_indicator_with_points(demo_db: str) -> None:
    at = open_page("pages/indicators.py")

    assert "当前启用：放心消费创建评价指标体系（2026 版）" in texts(at)
    labels = [e.label for e in at.expander]
    assert labels[:6] == [
        "A 安全放心 · 15 分", "B 质量放心 · 20 分", "C 价格放心 · 15 分",
        "D 服务放心 · 20 分", "E 维权放心 · 20 分", "F 消费者评价 · 10 分",
    ]  # fmt: skip
    rules = at.dataframe[0].value.set_index("项目")["规则"]
    assert rules["等级"] == "优秀 ≥ 90；良好 ≥ 80；合格 ≥ 60；其余 不合格"
    assert rules["一票否决 V4"] == "行政处罚（基准日前 365 天内列入）"
    a = next(d.value for d in at.dataframe if "代码" in d.value.columns)
    assert a["代码"].tolist() == ["A1", "A2", "A3"]
    assert a["满分"].tolist() == [5.0, 5.0, 5.0]
    assert "符合 5" in a["计分规则"].iloc[0]
    assert len(at.get("plotly_chart")) == 1  # the sunburst


def test_an_invalid_upload_lists_every_problem_and_is_not_stored(demo_db: str) -> None:
    at = open_page("pages/indicators.py")
    broken = DEFAULT.replace(b"per_finding: 2", b"per_finding: many", 1).replace(b"schema: 1", b"schema: 9")

    at.file_uploader(key="indicator_file").set_value(("broken.yaml", broken, "application/x-yaml")).run()

    assert "文件无效，共 2 个问题" in at.error[0].value
    assert "schema 应为 1" in texts(at)
    assert "per_finding 应为数字" in texts(at)
    assert len(indicator_service.list_versions(make_engine(demo_db))) == 1


def test_a_valid_upload_shows_its_changes_and_is_activated_on_confirm(demo_db: str) -> None:
    at = open_page("pages/indicators.py")
    changed = DEFAULT.replace(b'version: "2026"', b'version: "2026b"').replace(
        b"per_finding: 2\n", b"per_finding: 3\n", 1
    )

    at.file_uploader(key="indicator_file").set_value(("v2.yaml", changed, "application/x-yaml")).run()

    assert "校验通过" in at.success[0].value
    diff = at.tabs[2].dataframe[-1].value  # the upload tab's change list
    assert "A2" in diff["项目"].tolist()
    at.button(key="indicator_activate").click().run()

    versions = indicator_service.list_versions(make_engine(demo_db))
    assert [v.version for v in versions if v.active] == ["2026b"]
    assert "已启用指标体系 2026b" in at.success[0].value
    at.run()  # the versions tab now compares the two versions
    diffs = [d.value for d in at.dataframe if "项目" in d.value.columns]
    assert any("A2" in d["项目"].tolist() for d in diffs)


def test_only_admins_get_the_upload_tab(demo_db: str) -> None:
    at = open_page("pages/indicators.py", user=EVALUATOR)

    assert [t.label for t in at.tabs] == ["指标与分值", "版本与差异"]


def test_admin_derives_points_from_ahp_on_the_indicator_page(demo_db: str) -> None:
    at = open_page("pages/indicators.py")
    assert "AHP 生成分值" in [tab.label for tab in at.tabs]
    texts = " ".join(m.value for m in at.markdown) + " ".join(str(c.value) for c in at.caption)
    assert "CR" in texts  # the editor shows the consistency ratio of its starting matrix
