"""Fixtures of the deployment tests: the nginx binary, a fresh PostgreSQL database, the multi-process stack.

The end-to-end test runs only with FANGXIN_E2E=1, FANGXIN_TEST_PG_URL, nginx and Debian's chromium;
otherwise it is skipped with the reason printed. Its database (``fangxin_deploy_test``) is dropped
and created on the server of FANGXIN_TEST_PG_URL, so no other test's data is touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
CHROMIUM = Path("/usr/bin/chromium")
PG_ENV = "FANGXIN_TEST_PG_URL"
DATABASE = "fangxin_deploy_test"


def skip(reason: str) -> None:
    print(f"\n[deploy skipped] {reason}", file=sys.stderr)
    pytest.skip(reason)


def free_ports(n: int) -> list[int]:
    """``n`` ports nobody listens on (the OS picks them, so parallel runs do not collide)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="session")
def nginx() -> str:
    if NGINX is None:
        skip("deployment tests need nginx (apt-get install nginx)")
    assert NGINX is not None
    return NGINX


@pytest.fixture(scope="module")
def e2e_stack(nginx: str) -> Iterator[object]:
    """Two app processes behind nginx on a fresh PostgreSQL database with a small scored demo campaign."""
    if os.environ.get("FANGXIN_E2E") != "1":
        skip("the multi-process test runs only with FANGXIN_E2E=1")
    admin = os.environ.get(PG_ENV, "").strip()
    if not admin:
        skip(f"the multi-process test needs PostgreSQL: set {PG_ENV}")
    if not CHROMIUM.exists():
        skip(f"the multi-process test needs Debian chromium at {CHROMIUM}")
    from deploy.serve_multi import Stack, fresh_pg_database

    url = fresh_pg_database(admin, DATABASE)
    *apps, front = free_ports(3)
    rundir = Path(tempfile.mkdtemp(prefix="fangxin-deploy-"))  # under /tmp: nginx's worker may traverse it
    try:
        with Stack(url, processes=2, port=front, rundir=rundir, demo_merchants=60, ports=apps) as stack:
            yield stack
    finally:
        shutil.rmtree(rundir, ignore_errors=True)
        _drop_database(admin, DATABASE)


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    plain = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
