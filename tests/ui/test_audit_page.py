"""审计日志 and 用户管理 pages (admin): every action shows its label (never a raw name or catalogue key),
in Chinese and English; the filtered rows export is itself audited."""

from __future__ import annotations

from scoring.services.audit import ACTION_NAMES
from tests.ui.conftest import ADMIN, open_page, texts


def test_the_audit_page_labels_every_action_in_both_languages(demo_db: str) -> None:
    at = open_page("pages/audit.py", ADMIN)
    assert at.title[0].value == "审计日志"
    shown = at.dataframe[0].value
    assert {"运行评分", "生成默认阶段计划", "新建用户"} <= set(shown["操作"])
    assert not set(shown["操作"]) & set(ACTION_NAMES)  # no raw action name
    scoring = shown[shown["操作"] == "运行评分"]["详情"].iloc[0]
    assert "轮次：2026年" in scoring and " · 评分记录：" in scoring and "{" not in scoring  # readable
    created = shown[shown["操作"] == "新建用户"]["详情"]
    assert created.str.contains("用户：t-evaluator").any() and created.str.contains("区县：—").any()
    box = next(b for b in at.selectbox if b.label == "操作")
    assert box.format_func("tasks_saved") == "更新阶段任务"
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Audit log"
    assert "Scoring run" in set(at.dataframe[0].value["操作"])
    assert "audit." not in texts(at)


def test_the_users_page_shows_its_texts_not_catalogue_keys(demo_db: str) -> None:
    at = open_page("pages/users.py", ADMIN)
    assert at.title[0].value == "用户管理"
    labels = [w.label for w in at.text_input] + [b.label for b in at.selectbox]
    assert "用户名" in labels and not [label for label in labels if label.startswith("users.")]
    assert "t-evaluator" in at.dataframe[0].value.to_csv()
