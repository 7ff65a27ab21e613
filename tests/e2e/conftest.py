"""End-to-end fixtures: `streamlit run app.py` on a temporary SQLite database, driven by headless Chromium.

Debian's chromium (/usr/bin/chromium) with the flags of ENGINEERING.md and a fresh user-data-dir per
browser context; the tests are skipped, with the reason printed, when it is not installed. Accounts
are created through the login module's service, and the tests sign in through its form.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
USER, PASSWORD = "e2e-admin", "E2e-Browser-Test-2026"
VIEWPORT = {"width": 1440, "height": 900}

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    reason = f"end-to-end tests need Debian chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    print(f"\n[e2e skipped] {reason}", file=sys.stderr)
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    """A port in 8600–8699 nobody listens on (other test runs on this machine use the range too)."""
    start = 8600 + os.getpid() % 50  # spread parallel runs over the range
    for port in [*range(start, 8700), *range(8600, start)]:
        if _listening(port):
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8600–8699")


def _listening(port: int) -> bool:
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        with socket.socket(family) as s:
            s.settimeout(0.2)
            if s.connect_ex((host, port)) == 0:
                return True
    return False


@dataclass
class Server:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]
    log: Path
    log_file: BinaryIO


def prepare_database(path: Path, demo: bool) -> str:
    """Migrate (and optionally load the scored demo campaign) through the CLI, then add the e2e account."""
    url = f"sqlite:///{path}"
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
    command = [python, "-m", "scoring", "demo", "--merchants", "120"] if demo else [python, "-m", "scoring", "migrate"]
    subprocess.run([*command, "--db", url], cwd=ROOT, check=True, capture_output=True, timeout=120)
    from scoring.auth import accounts
    from scoring.services.context import CLI_USER
    from scoring.storage.database import make_engine

    engine = make_engine(url)
    try:
        accounts.create_user(engine, CLI_USER, USER, "admin", password=PASSWORD)
        if demo:
            _plan_with_some_progress(engine)
    finally:
        engine.dispose()
    return url


def _plan_with_some_progress(engine: object) -> None:
    """The demo's phase plan: preparation done everywhere, implementation partly (as `demo` makes it)."""
    from scoring.demo.progress import seed_phase_plan
    from scoring.services.context import CLI_USER

    seed_phase_plan(engine, CLI_USER)  # type: ignore[arg-type]


def start_server(db_url: str, workdir: Path) -> Server:
    port = free_port()
    log = workdir / f"streamlit-{port}.log"
    env = {**os.environ, "FANGXIN_DB_URL": db_url}
    streamlit = str(Path(sys.executable).parent / "streamlit")
    log_file = log.open("wb")
    process = subprocess.Popen(
        [streamlit, "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200 and process.poll() is None:  # our server, not someone else's on the port
                    return Server(url, db_url, process, log, log_file)
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            break
    process.terminate()
    process.wait(timeout=10)
    log_file.close()
    raise RuntimeError(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
    server.log_file.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_failure_shots() -> None:
    for old in SHOTS.glob("FAILED_*.png"):
        old.unlink()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="fangxin-e2e-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def empty_server(workdir: Path) -> Iterator[Server]:
    """The app on an empty database (only the e2e account)."""
    server = start_server(prepare_database(workdir / "empty.db", demo=False), workdir)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def demo_server(workdir: Path) -> Iterator[Server]:
    """The app on the scored demo campaign (120 merchants, 6 districts, 3 rounds)."""
    server = start_server(prepare_database(workdir / "demo.db", demo=True), workdir)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def playwright_api() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(playwright_api: object, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """A 1440×900 page in a fresh Chromium profile."""
    context = playwright_api.chromium.launch_persistent_context(  # type: ignore[attr-defined]
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        args=FLAGS,
        headless=True,
        viewport=VIEWPORT,
        accept_downloads=True,
        locale="zh-CN",
    )
    context.set_default_timeout(20_000)
    page = context.pages[0] if context.pages else context.new_page()
    yield page
    if request.node.stash.get(_FAILED, False):
        shot(page, f"FAILED_{request.node.name}")  # what the browser showed when the test failed
    context.close()


# --- helpers -----------------------------------------------------------------------------------


def settle(page: object, pause_ms: int = 250) -> None:
    """Wait until Streamlit has finished the script run the last action started.

    The app root carries ``data-test-script-state`` (running / rerunRequested / notRunning); the
    short pause lets a just-triggered rerun register before we wait for it to end.
    """
    p = page
    p.wait_for_timeout(pause_ms)  # type: ignore[attr-defined]
    p.wait_for_function(  # type: ignore[attr-defined]
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]'); }",
        timeout=60_000,
    )
    p.wait_for_timeout(150)  # type: ignore[attr-defined]  # the last deltas paint


def sign_in(page: object, server: Server, path: str = "") -> None:
    p = page
    p.goto(f"{server.url}/{path}")  # type: ignore[attr-defined]
    p.get_by_label("用户名").fill(USER)  # type: ignore[attr-defined]
    p.get_by_label("密码").fill(PASSWORD)  # type: ignore[attr-defined]
    p.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]
    p.get_by_test_id("stSidebarNav").wait_for()  # type: ignore[attr-defined]
    settle(page)


def open_page(page: object, title: str) -> None:
    """Click a page in the sidebar menu."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()  # type: ignore[attr-defined]
    settle(page)


def choose_round(page: object, round_name: str) -> None:
    """Pick a round in the sidebar's round selector."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first  # type: ignore[attr-defined]
    box.click()
    page.get_by_role("option").filter(has_text=round_name).first.click()  # type: ignore[attr-defined]
    settle(page)


def grid_cell(page: object, column: int, row: int, table: int = 0) -> str:
    """The text of a cell of an st.dataframe (column 0 is the row-selection column when selectable)."""
    frame = page.get_by_test_id("stDataFrame").nth(table)  # type: ignore[attr-defined]
    return str(frame.get_by_test_id(f"glide-cell-{column}-{row}").inner_text())


def shot(page: object, name: str) -> Path:
    """A full-window 1440×900 screenshot in out/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{re.sub(r'[^0-9A-Za-z_-]+', '_', name)}.png"
    page.wait_for_timeout(500)  # type: ignore[attr-defined]  # grids and charts draw after the run ends
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path
