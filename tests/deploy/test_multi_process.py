"""Two app processes behind nginx on PostgreSQL (issue 8): sticky sessions, health, cross-process freshness.

Browser context A is pinned to process b1 and context B to process b2 by the route cookie. A imports
new merchants through the 数据导入 page (the upload has to reach A's own process): B, served by the
other process, must show the new merchant count within 5 s; then A re-scores the round and B must
show the new run within 5 s.
"""

from __future__ import annotations

import re
import secrets
import time
import urllib.request
from collections import Counter
from typing import Any

import pytest

from benchmarks.load_test import CHROMIUM, FLAGS, merchant_csv
from deploy.serve_multi import COOKIE, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
RUN_ID = re.compile(r"评分记录 #(\d+)")
NEW_MERCHANTS = 25


def _get(url: str, cookie: str | None = None) -> tuple[int, str, str, str]:
    """(status, body, X-Fangxin-Backend, Set-Cookie) of a GET through nginx."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as r:
        cookies = ";".join(r.headers.get_all("Set-Cookie") or [])
        return r.status, r.read().decode(errors="replace"), r.headers.get("X-Fangxin-Backend", ""), cookies


def test_a_burst_of_deep_links_to_fresh_processes_all_get_the_sign_in_form(e2e_stack: Stack) -> None:
    """The first sessions of a new process leave Streamlit's pages/ mode together (ui.state.require_user)."""
    import asyncio

    from playwright.async_api import async_playwright

    async def visit(browser: Any, route: str) -> str:
        context = await browser.new_context(locale="zh-CN")
        await context.add_cookies([{"name": COOKIE, "value": route, "url": e2e_stack.url}])
        page = await context.new_page()
        try:
            await page.goto(f"{e2e_stack.url}/ranking")  # a bookmark, right after a restart
            await page.get_by_label("用户名").wait_for(timeout=60_000)
            return "sign-in form"
        except Exception as exc:
            return f"{type(exc).__name__}: {await page.get_by_test_id('stApp').inner_text()}"
        finally:
            await context.close()

    async def burst() -> list[str]:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                return list(await asyncio.gather(*(visit(browser, f"b{1 + i % 2}") for i in range(6))))
            finally:
                await browser.close()

    assert asyncio.run(burst()) == ["sign-in form"] * 6


def test_sessions_spread_over_the_processes_and_stick_to_one(e2e_stack: Stack) -> None:
    stack = e2e_stack
    backend = {f"b{i + 1}": f"127.0.0.1:{port}" for i, port in enumerate(stack.ports)}
    seen: Counter[str] = Counter()
    for _ in range(40):  # new browsers: each gets a route cookie naming the process that answered it
        status, _, answered, cookies = _get(f"{stack.url}/")
        found = re.search(rf"{COOKIE}=(b\d+)", cookies)
        assert status == 200 and found is not None, cookies
        assert answered == backend[found.group(1)]
        seen[found.group(1)] += 1
    assert set(seen) == set(backend), seen  # loopback clients are spread, not all sent to one process
    for route, address in backend.items():  # a browser with a route always reaches its process
        for path in ("/", "/_stcore/health", "/ranking"):
            status, _, answered, cookies = _get(f"{stack.url}{path}", cookie=f"{COOKIE}={route}")
            assert (status, answered) == (200, address)
            assert COOKIE not in cookies  # the route is not re-assigned
    status, body, _, _ = _get(f"{stack.url}/healthz")
    assert (status, body) == (200, "ok")
    for i in range(len(stack.ports)):
        assert _get(f"{stack.backend_url(i)}/_stcore/health")[:2] == (200, "ok")


def _done(page: Any) -> None:
    page.wait_for_timeout(250)
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]'); }",
        timeout=60_000,
    )


def _pinned(browser: Any, stack: Stack, route: str, user: str, password: str) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.set_default_timeout(60_000)
    context.add_cookies([{"name": COOKIE, "value": route, "url": stack.url}])
    page = context.new_page()
    response = page.goto(f"{stack.url}/")
    assert response.headers["x-fangxin-backend"] == f"127.0.0.1:{stack.ports[int(route[1:]) - 1]}"
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("stSidebarNav").wait_for()
    _done(page)
    return page


def _open(page: Any, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.get_by_test_id("stMain").get_by_role("heading", name=title).wait_for()
    _done(page)


def _run_id(page: Any) -> int:
    found = RUN_ID.search(page.get_by_test_id("stMain").inner_text())
    assert found is not None, "the ranking page shows no run caption"
    return int(found.group(1))


def _merchants(page: Any) -> int:
    tile = page.get_by_test_id("stMetric").filter(has_text="登记商户").first
    return int(tile.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def _setup(stack: Stack) -> tuple[str, str, str, str]:
    """An admin account (password made now), and a district with its code."""
    from sqlalchemy import select

    from scoring.auth import accounts
    from scoring.services.context import CLI_USER
    from scoring.storage.database import make_engine, session_scope
    from scoring.storage.models import District

    password = secrets.token_urlsafe(12)
    engine = make_engine(stack.db_url)
    try:
        accounts.create_user(engine, CLI_USER, "deploy-admin", "admin", password=password)
        with session_scope(engine, write=False) as s:
            district, code = s.execute(select(District.name, District.code).order_by(District.name)).first()[:2]  # type: ignore[index]
    finally:
        engine.dispose()
    return "deploy-admin", password, str(district), str(code)


def test_an_import_and_a_run_in_one_process_show_in_the_other_within_5_s(e2e_stack: Stack) -> None:
    from playwright.sync_api import sync_playwright

    stack = e2e_stack
    user, password, district, code = _setup(stack)
    csv, _ = merchant_csv(district, code, NEW_MERCHANTS, start=90_000_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            a = _pinned(browser, stack, "b1", user, password)
            b = _pinned(browser, stack, "b2", user, password)
            _open(b, "总览")
            registered = _merchants(b)
            _open(b, "商户排名")
            before = _run_id(b)

            _open(a, "数据导入")
            a.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
                files=[{"name": "商户名录.csv", "mimeType": "text/csv", "buffer": csv}]
            )  # reaches process b1 only because the route cookie pins it there
            a.get_by_text("预览（尚未写入数据库）").wait_for()
            _done(a)
            a.get_by_role("button", name=f"确认导入（{NEW_MERCHANTS} 行）").click()
            a.get_by_text("已导入 1 个文件").wait_for()
            _done(a)
            imported, shown = time.monotonic(), registered
            while shown != registered + NEW_MERCHANTS and time.monotonic() - imported < 5:
                _open(b, "商户排名")
                _open(b, "总览")  # same run as before: the registry figure must not come from a stale cache
                shown = _merchants(b)
            assert shown == registered + NEW_MERCHANTS, f"process b2 shows {shown} merchants after the import"
            assert "本次评分之后又导入了新数据" in b.get_by_test_id("stMain").inner_text()  # b2 sees the run is stale

            _open(a, "商户排名")
            a.get_by_role("button", name=re.compile("^运行评分")).click()
            a.get_by_text("评分完成").first.wait_for()
            _done(a)
            after = _run_id(a)
            assert after > before
            scored = time.monotonic()

            seen = before
            while seen != after and time.monotonic() - scored < 5:
                _open(b, "总览")  # every visit is a new script run of process b2
                _open(b, "商户排名")
                seen = _run_id(b)
            waited = time.monotonic() - scored
            assert seen == after, f"process b2 still shows run #{seen} after {waited:.1f} s (new: #{after})"
            assert waited < 5
        finally:
            browser.close()
