"""app.py: sign-in gate, the menu each role may see, the round selector, language, and the error boundary."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from scoring.services import dashboard
from tests.ui.conftest import ADMIN, APP, EVALUATOR, LEADER, REVIEWER, ROUNDS, open_page, texts
from ui.shell import visible_pages


def test_signed_out_visitor_sees_only_the_sign_in_form(demo_db: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()

    assert not at.exception
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert not at.metric and not at.dataframe


def test_wrong_password_shows_the_reason_and_empties_only_the_password(demo_db: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="auth_username").input("t-admin")
    at.text_input(key="auth_password").input("not-the-password")
    at.button[0].click().run()

    assert not at.exception
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert at.text_input(key="auth_username").value == "t-admin"
    assert at.text_input(key="auth_password").value == ""
    assert not at.metric and not at.dataframe and not at.sidebar.selectbox


@pytest.mark.parametrize(
    ("user", "present", "absent"),
    [
        (ADMIN, {"overview", "import", "ranking", "merchant", "districts", "progress", "indicators"}, set()),
        (REVIEWER, {"overview", "ranking", "districts", "progress"}, {"import"}),
        (EVALUATOR, {"overview", "import", "ranking"}, set()),
        (LEADER, {"overview", "ranking", "merchant", "districts", "progress", "indicators"}, {"import"}),
    ],
)
def test_menu_lists_the_pages_the_role_may_open(user: object, present: set[str], absent: set[str]) -> None:
    urls = {p.url for p in visible_pages(user)}  # type: ignore[arg-type]

    assert present <= urls
    assert not absent & urls


def test_sidebar_offers_every_round_and_starts_on_the_newest_scored(demo_db: str) -> None:
    at = open_page(None)

    box = at.sidebar.selectbox(key="round")
    assert list(box.options) == list(ROUNDS)
    assert box.value == ROUNDS[-1]
    assert "当前用户：t-admin" in "\n".join(str(c.value) for c in at.sidebar.caption)


def test_english_can_be_chosen_in_the_sidebar(demo_db: str) -> None:
    at = open_page(None)

    at.sidebar.radio(key="lang").set_value("en").run()

    assert at.title[0].value == "Overview"
    assert any(m.label == "Registered merchants" for m in at.metric)


def test_an_unexpected_failure_shows_a_chinese_message_not_a_traceback(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(dashboard, "ranking_table", broken)
    at = open_page("pages/ranking.py")

    assert not at.exception
    assert "页面处理时出现意外错误" in at.error[0].value
    assert "secret internal detail" not in texts(at)
