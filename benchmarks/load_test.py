"""Load test of the multi-process deployment (issue 8; figures in docs/DEPLOY.md).

    FANGXIN_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python -m benchmarks.load_test [--sessions 20] [--processes 2] [--rows 10000]

Starts the stack of deploy/serve_multi.py (app processes behind nginx) on a fresh PostgreSQL
database (``--database``, dropped and created on the server of FANGXIN_TEST_PG_URL) with the demo
campaign, creates one 领导 account per viewer session and one 评估员, all with passwords made at run
time. Then, on one headless Chromium (one context per user, all through nginx): the viewers sign in
(spread over ``--ramp`` seconds, through a deep link to 商户排名) and browse 商户详情 (a different
merchant each time) and 商户排名 with ``--think-min``…``--think-max`` seconds between clicks, while
the evaluator imports a ``--rows``-row 商户名录 CSV through the 数据导入 page. Timed steps run from
the click until Streamlit has finished the script run and the page's content is there. Afterwards it
prints p50/p95 per step, every error, how the sessions spread over the processes, and compares the
database with the file: exit code 0 only with no error and exactly the file's rows added, each once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import CHROMIUM, FLAGS  # noqa: E402
from benchmarks.round_data import usccs  # noqa: E402
from deploy.serve_multi import COOKIE, Stack, fresh_pg_database  # noqa: E402
from scoring.ingest.sheets import DEFAULT_INDUSTRIES  # noqa: E402

ERROR_TEXTS = ("页面处理时出现意外错误", "Traceback", "数据库结构不是最新版本")
DONE = (
    "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
    " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
    " && !document.querySelector('[data-testid=\"stStatusWidget\"]'); }"
)


def merchant_csv(district: str, code: str, rows: int, start: int) -> tuple[bytes, list[str]]:
    """A 商户名录 CSV of ``rows`` new merchants of ``district`` (valid USCCs); its bytes and USCCs."""
    rng = np.random.default_rng(start)
    codes = usccs(rng, np.full(rows, code), unique_from=start).to_pylist()
    numbers = pd.Series(np.arange(start, start + rows)).astype(str).str.zfill(8)
    frame = pd.DataFrame(
        {
            "统一社会信用代码": codes,
            "单位名称": "压测商户" + numbers,
            "区县": district,
            "行业": np.asarray(DEFAULT_INDUSTRIES)[rng.integers(0, len(DEFAULT_INDUSTRIES), rows)],
            "是否申报": np.where(rng.random(rows) < 0.3, "是", "否"),
        }
    )
    return frame.to_csv(index=False).encode("utf-8"), codes


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    routes: Counter[str] = field(default_factory=Counter)
    import_seconds: float | None = None


async def _settle(page: Any, ready: str, timeout: float = 180_000) -> None:
    """Wait until the run ended (script state notRunning) and ``ready`` (a CSS selector) is on the page."""
    await page.locator(ready).first.wait_for(timeout=timeout)
    await page.wait_for_function(DONE, timeout=timeout)


async def _check(page: Any, who: str, step: str, out: Results) -> None:
    text = await page.get_by_test_id("stMain").inner_text()
    for bad in ERROR_TEXTS:
        if bad in text:
            out.errors.append(f"{who} {step}: the page shows “{bad}”")


async def _sign_in(page: Any, url: str, user: str, password: str) -> None:
    await page.goto(url)
    await page.get_by_label("用户名").fill(user)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_test_id("stSidebarNav").wait_for(timeout=180_000)
    await page.wait_for_function(DONE, timeout=180_000)


async def _nav(page: Any, title: str) -> None:
    await page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()


async def _timed(out: Results, step: str, who: str, action: Any) -> bool:
    start = time.perf_counter()
    try:
        await action()
    except Exception as exc:  # every failure counts as an error of the run, and the session goes on
        out.errors.append(f"{who} {step}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
        return False
    out.times[step].append(time.perf_counter() - start)
    return True


@dataclass(frozen=True)
class Pace:
    """How users behave: sessions start ``ramp`` s apart in all; ``think`` s (min, max) between clicks."""

    ramp: float = 20.0
    think: tuple[float, float] = (2.0, 5.0)
    sessions: int = 20


async def viewer(browser: Any, url: str, who: tuple[int, str, str], merchants: list[str], pace: Pace,
                 until: Any, out: Results) -> None:  # fmt: skip
    index, user, password = who
    rng = np.random.default_rng(index)
    await asyncio.sleep(pace.ramp * index / pace.sessions)
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    page.set_default_timeout(180_000)

    async def think() -> None:
        await asyncio.sleep(float(rng.uniform(*pace.think)))

    async def login() -> None:  # a deep link: the ranking opens right after sign-in
        await _sign_in(page, f"{url}/ranking", user, password)
        await _settle(page, "[data-testid='stMain'] [data-testid='stDataFrame']")

    async def ranking() -> None:
        await _nav(page, "商户排名")
        await _settle(page, "[data-testid='stMain'] h1:has-text('商户排名')")
        await _settle(page, "[data-testid='stMain'] [data-testid='stDataFrame']")

    async def merchant(code: str) -> None:
        await _nav(page, "商户详情")
        await _settle(page, "[data-testid='stMain'] h1:has-text('商户详情')")
        box = page.get_by_label("查找商户")
        await box.fill(code)
        await box.press("Enter")
        await page.get_by_role("button", name="打开", exact=True).wait_for()
        await page.wait_for_function(DONE)
        await page.get_by_role("button", name="打开", exact=True).click()
        await _settle(page, f"[data-testid='stMain'] [data-testid='stCaptionContainer']:has-text('{code}')")
        await page.get_by_role("tab", name="得分说明").wait_for()

    try:
        if not await _timed(out, "login", user, login):
            return
        route = [c["value"] for c in await context.cookies() if c["name"] == COOKIE]
        out.routes[route[0] if route else "none"] += 1
        n = 0
        while not until():
            uscc = merchants[(7 * index + n) % len(merchants)]
            n += 1
            await think()
            if await _timed(out, "merchant", user, lambda code=uscc: merchant(code)):  # type: ignore[misc]
                await _check(page, user, "merchant", out)
            await think()
            if await _timed(out, "ranking", user, ranking):
                await _check(page, user, "ranking", out)
    finally:
        await context.close()


async def evaluator(browser: Any, url: str, user: str, password: str, csv: bytes, delay: float, out: Results) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    page.set_default_timeout(600_000)
    try:
        await asyncio.sleep(delay)  # the viewers are signed in and browsing
        await _sign_in(page, url, user, password)
        await _nav(page, "数据导入")
        await _settle(page, "h1:has-text('数据导入')")
        start = time.perf_counter()
        await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": "商户名录.csv", "mimeType": "text/csv", "buffer": csv}]
        )
        await page.get_by_text("预览（尚未写入数据库）").wait_for()
        await page.wait_for_function(DONE)
        await page.get_by_role("button", name="确认导入").click()
        await page.get_by_text("已导入 1 个文件").wait_for()
        await page.wait_for_function(DONE)
        out.import_seconds = time.perf_counter() - start
        await _check(page, user, "import", out)
    except Exception as exc:
        out.errors.append(f"{user} import: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await context.close()


async def drive(stack: Stack, accounts: dict[str, str], evaluator_user: str, csv: bytes, merchants: list[str],
                pace: Pace, min_seconds: float, max_seconds: float) -> Results:  # fmt: skip
    from playwright.async_api import async_playwright

    out = Results()
    started = time.monotonic()

    def until() -> bool:
        elapsed = time.monotonic() - started
        imported = out.import_seconds is not None or any("import" in e for e in out.errors)
        return elapsed > max_seconds or (imported and elapsed > min_seconds)

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            viewers = [
                viewer(browser, stack.url, (i, user, password), merchants, pace, until, out)
                for i, (user, password) in enumerate(u for u in accounts.items() if u[0] != evaluator_user)
            ]
            delay = pace.ramp + 15  # every viewer is signed in and browsing
            importer = evaluator(browser, stack.url, evaluator_user, accounts[evaluator_user], csv, delay, out)
            await asyncio.gather(*viewers, importer)
        finally:
            await browser.close()
    return out


def _db_counts(stack: Stack, codes: list[str]) -> tuple[int, int, int]:
    """(merchants in all, rows with the file's USCCs, distinct such USCCs)."""
    from sqlalchemy import func, select

    from scoring.storage.database import make_engine, session_scope
    from scoring.storage.models import Merchant

    engine = make_engine(stack.db_url)
    try:
        with session_scope(engine, write=False) as s:
            total = int(s.execute(select(func.count()).select_from(Merchant)).scalar_one())
            found = [str(u) for u in s.execute(select(Merchant.uscc).where(Merchant.uscc.in_(codes))).scalars()]
    finally:
        engine.dispose()
    return total, len(found), len(set(found))


def _setup(stack: Stack, sessions: int) -> tuple[dict[str, str], str, str, str, list[str]]:
    """Accounts (user → password), the evaluator, its district and code, and merchants to open."""
    from sqlalchemy import select

    from scoring.auth import accounts
    from scoring.services.context import CLI_USER
    from scoring.storage.database import make_engine, session_scope
    from scoring.storage.models import District, MerchantResult

    engine = make_engine(stack.db_url)
    try:
        with session_scope(engine, write=False) as s:
            district, code = s.execute(select(District.name, District.code).order_by(District.name)).first()  # type: ignore[misc]
            newest = select(MerchantResult.run_id).order_by(MerchantResult.run_id.desc()).limit(1).scalar_subquery()
            shown = s.execute(select(MerchantResult.uscc).where(MerchantResult.run_id == newest).limit(60))
            merchants = [str(u) for u in shown.scalars()]
        made: dict[str, str] = {}
        for i in range(sessions):
            name = f"load-leader-{i + 1:02d}"
            made[name] = accounts.create_user(engine, CLI_USER, name, "leader", password=secrets.token_urlsafe(12))
        made["load-evaluator"] = accounts.create_user(
            engine, CLI_USER, "load-evaluator", "evaluator", district=district, password=secrets.token_urlsafe(12)
        )
    finally:
        engine.dispose()
    return made, "load-evaluator", district, code, merchants


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, default=20, help="concurrent viewer sessions")
    p.add_argument("--processes", type=int, default=2, help="app processes behind nginx")
    p.add_argument("--rows", type=int, default=10_000, help="rows of the imported 商户名录 file")
    p.add_argument("--database", default="fangxin_load_test", help="PostgreSQL database (dropped and created)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--base-port", type=int, default=8601)
    p.add_argument("--min-seconds", type=float, default=60, help="browse at least this long, and until the import ends")
    p.add_argument("--ramp", type=float, default=20, help="seconds over which the sessions start")
    p.add_argument("--think-min", type=float, default=2, help="think time between clicks: at least (s)")
    p.add_argument("--think-max", type=float, default=5, help="think time between clicks: at most (s)")
    p.add_argument("--max-seconds", type=float, default=900, help="stop browsing after this long in any case")
    args = p.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows in a log file
    admin = os.environ.get("FANGXIN_TEST_PG_URL", "").strip()
    if not admin:
        p.error("set FANGXIN_TEST_PG_URL (a PostgreSQL server where --database may be created)")
    db_url = fresh_pg_database(admin, args.database)
    rundir = ROOT / "var" / "load-test"
    with Stack(db_url, args.processes, args.base_port, args.port, rundir, demo_merchants=300) as stack:
        made, who, district, code, merchants = _setup(stack, args.sessions)
        csv, codes = merchant_csv(district, code, args.rows, start=50_000_000)
        before = _db_counts(stack, codes)
        print(f"stack up: {args.processes} processes behind {stack.url}; {args.sessions} viewers + {who} ({district})")
        pace = Pace(args.ramp, (args.think_min, args.think_max), args.sessions)
        out = asyncio.run(drive(stack, made, who, csv, merchants, pace, args.min_seconds, args.max_seconds))
        after = _db_counts(stack, codes)
    print(f"\nsessions per process (route cookie): {dict(sorted(out.routes.items()))}")
    print(f"{'step':<10}{'n':>6}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    for step in ("login", "ranking", "merchant"):
        values = out.times.get(step, [])
        print(
            f"{step:<10}{len(values):>6}{_pct(values, 50):>9.2f}{_pct(values, 95):>9.2f}{max(values, default=0):>9.2f}"
        )
    print(f"import of {args.rows:,} rows through the UI (upload → preview → confirm → stored): {out.import_seconds} s")
    added, found, distinct = after[0] - before[0], after[1], after[2]
    print(f"merchants: {before[0]:,} before, {after[0]:,} after (+{added:,}); file {len(codes):,} rows, "
          f"in DB {found:,} ({distinct:,} distinct)")  # fmt: skip
    rows_ok = before[1] == 0 and added == len(codes) == found == distinct
    print(f"errors: {len(out.errors)}")
    for line in out.errors[:30]:
        print(f"  {line}")
    print("RESULT:", "PASS" if rows_ok and not out.errors and out.import_seconds else "FAIL")
    return 0 if rows_ok and not out.errors and out.import_seconds else 1


if __name__ == "__main__":
    sys.exit(main())
