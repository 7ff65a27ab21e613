"""Sign-in and district scope in real headless Chromium (SPEC §1, §9): a wrong password shows an error
and no data; an evaluator's ranking holds only its own 区县, and pages outside its menu are not served."""

from __future__ import annotations

import secrets

import pytest

from tests.e2e.conftest import USER, Server, grid_cell, open_page, settle, shot

pytestmark = pytest.mark.e2e
DISTRICT_COLUMN = 4  # selection box, 排名, 商户名称, 统一社会信用代码, 区县, …


def _login(page: object, server: Server, username: str, password: str, path: str = "") -> None:
    p = page
    p.goto(f"{server.url}/{path}")  # type: ignore[attr-defined]
    p.get_by_label("用户名").fill(username)  # type: ignore[attr-defined]
    p.get_by_label("密码").fill(password)  # type: ignore[attr-defined]
    p.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]
    settle(page)


def _registry(server: Server) -> tuple[str, dict[str, set[str]]]:
    """An evaluator 区县 and, per 区县, its merchants' names and credit codes (from the server's database)."""
    from scoring.services import runs
    from scoring.services.context import CLI_USER
    from scoring.storage.database import make_engine

    engine = make_engine(server.db_url)
    try:
        scores = runs.results(engine, CLI_USER, "2026年中期评估").scores
    finally:
        engine.dispose()
    by_district = {
        d: set(group["name"]) | set(group["uscc"]) | {d} for d, group in scores.groupby("district", sort=True)
    }
    return sorted(by_district)[0], by_district


def _evaluator(server: Server, district: str) -> tuple[str, str]:
    from scoring.auth import accounts
    from scoring.services.context import CLI_USER
    from scoring.storage.database import make_engine

    username, password = f"e2e-ev-{secrets.token_hex(3)}", "T-" + secrets.token_urlsafe(12)
    engine = make_engine(server.db_url)
    try:
        accounts.create_user(engine, CLI_USER, username, "evaluator", district=district, password=password)
    finally:
        engine.dispose()
    return username, password


def test_a_wrong_password_shows_an_error_and_no_data(page: object, demo_server: Server) -> None:
    _, by_district = _registry(demo_server)
    _login(page, demo_server, USER, "not-the-password-" + secrets.token_hex(4), path="ranking")
    alert = page.get_by_test_id("stAlert").filter(has_text="用户名或密码错误")  # type: ignore[attr-defined]
    alert.wait_for()
    shot(page, "auth_wrong_password")
    body = str(page.locator("body").inner_text())  # type: ignore[attr-defined]
    assert page.get_by_test_id("stSidebarNav").count() == 0  # type: ignore[attr-defined]
    assert page.get_by_test_id("stDataFrame").count() == 0  # type: ignore[attr-defined]
    assert page.get_by_test_id("stMetric").count() == 0  # type: ignore[attr-defined]
    shown = {token for tokens in by_district.values() for token in tokens if token in body}
    assert not shown, sorted(shown)[:5]


def test_an_evaluators_ranking_shows_only_its_own_district(page: object, demo_server: Server) -> None:
    own, by_district = _registry(demo_server)
    others = {token for d, tokens in by_district.items() if d != own for token in tokens}
    username, password = _evaluator(demo_server, own)
    _login(page, demo_server, username, password)
    page.get_by_test_id("stSidebarNav").wait_for()  # type: ignore[attr-defined]
    open_page(page, "商户排名")
    page.get_by_test_id("stDataFrame").first.wait_for()  # type: ignore[attr-defined]
    shot(page, "auth_evaluator_ranking")
    cells = [grid_cell(page, DISTRICT_COLUMN, row) for row in range(8)]
    assert set(cells) == {own}, cells
    body = str(page.locator("body").inner_text())  # type: ignore[attr-defined]
    assert not {token for token in others if token in body}

    box = page.get_by_test_id("stMultiSelect").first  # type: ignore[attr-defined]  # the 区县 filter
    box.click()
    options = [str(o) for o in page.get_by_role("option").all_inner_texts()]  # type: ignore[attr-defined]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    assert options == [own], options

    for path in ("users", "audit", "settings"):  # outside the evaluator's menu: a deep link is not served
        _login(page, demo_server, username, password, path=path)  # (a new page load is a new session)
        page.get_by_test_id("stSidebarNav").wait_for()  # type: ignore[attr-defined]
        settle(page)
        main = str(page.get_by_test_id("stMain").inner_text())  # type: ignore[attr-defined]
        assert not any(title in main for title in ("用户管理", "审计日志", "活动设置")), path
        assert USER not in main and not {token for token in others if token in main}, path
