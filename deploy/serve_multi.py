"""The whole local multi-user stack: N Streamlit processes behind nginx on one database (docs/DEPLOY.md).

    FANGXIN_DB_URL=postgresql+psycopg://fangxin@127.0.0.1:5432/fangxin \\
        .venv/bin/python -m deploy.serve_multi --processes 2 --port 8080

The database is FANGXIN_DB_URL, else ``[database] url`` of .streamlit/secrets.toml (as for the app).
Steps: ``python -m scoring migrate`` (the only place the schema changes), ``python -m scoring demo
--if-empty`` (skip with --no-demo), N app processes on 127.0.0.1:8601… sharing one cookie secret
(STREAMLIT_SERVER_COOKIE_SECRET, generated for this run when unset), then nginx on --port from
deploy/nginx.conf.template with cookie-sticky sessions and /healthz. Ctrl-C (or SIGTERM) stops
nginx first, then every app process; a process that dies stops the stack with exit code 1.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
COOKIE = "fangxin_route"
MAX_UPLOAD_MB = 50  # .streamlit/config.toml server.maxUploadSize
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


def render_nginx(ports: list[int], listen: int, rundir: Path, template: str | None = None) -> str:
    """The nginx configuration for app processes on ``ports`` (routes b1, b2, … in that order)."""
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    routes = [f"b{i + 1}" for i in range(len(ports))]
    share = f"{100 / len(ports):.2f}".rstrip("0").rstrip(".")
    split = " ".join(f"{share}% {r};" for r in routes[:-1]) + f" * {routes[-1]};"
    common = {
        "RUNDIR": str(rundir),
        "COOKIE": COOKIE,
        "LISTEN": f"127.0.0.1:{listen}",
        "MAX_BODY": str(MAX_UPLOAD_MB + 1),
        "SPLIT": split,
    }

    def fill(line: str, extra: dict[str, str]) -> str:
        values = {**common, **extra}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), line)

    out: list[str] = []
    for line in text.splitlines():
        if "@BACKENDS@" not in line:
            out.append(fill(line, {}))
            continue
        for route, port in zip(routes, ports, strict=True):
            others = " ".join(f"server 127.0.0.1:{p} backup;" for p in ports if p != port)
            out.append(fill(line.replace("@BACKENDS@", ""), {"ROUTE": route, "PORT": str(port), "OTHERS": others}))
    if os.geteuid() == 0:  # nginx started by root runs its worker unprivileged; Debian has no group "nobody"
        out.insert(0, "user nobody nogroup;")
    return "\n".join(out) + "\n"


def fresh_pg_database(admin_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``admin_url``; its URL (tests, load test)."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_healthy(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url`` until it answers 200 (raise when ``process`` exits or ``timeout`` s pass)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http:// URL)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy within {timeout:.0f} s")


@dataclass
class Stack:
    """N app processes and nginx on one database; ``start()`` then ``stop()`` (or use ``with``)."""

    db_url: str
    processes: int = 2
    base_port: int = 8601
    port: int = 8080
    rundir: Path = ROOT / "var" / "serve-multi"
    demo: bool = True
    demo_merchants: int = 300
    cookie_secret: str = ""
    python: str = sys.executable
    ports: list[int] = field(default_factory=list)  # given: these ports; empty: base_port, base_port + 1, …
    children: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)
    setup_output: str = ""  # what `demo --if-empty` printed: the demo accounts' one-time passwords

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def backend_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def cli(self, *args: str, timeout: float = 600) -> str:
        """``python -m scoring ARGS`` on this database; its output, or RuntimeError with it on failure.

        The URL goes through the environment, not argv: a password in it stays out of ``ps``.
        """
        done = subprocess.run(  # noqa: S603 (our own argv)
            [self.python, "-m", "scoring", *args], env={**os.environ, "FANGXIN_DB_URL": self.db_url},
            cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"python -m scoring {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> Stack:
        self.rundir.mkdir(parents=True, exist_ok=True)
        self.rundir.chmod(0o755)  # nginx's unprivileged worker reads below it
        self.cookie_secret = self.cookie_secret or os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET", "")
        self.cookie_secret = self.cookie_secret or secrets.token_urlsafe(32)
        self.ports = self.ports or [self.base_port + i for i in range(self.processes)]
        busy = [p for p in [*self.ports, self.port] if _listening(p)]
        if busy:  # before anything touches the database
            raise RuntimeError(f"ports already in use on 127.0.0.1: {busy} (choose others: --base-port, --port)")
        try:
            self.cli("migrate")
            if self.demo:
                self.setup_output = self.cli("demo", "--if-empty", "--merchants", str(self.demo_merchants))
            for port in self.ports:
                self._spawn(f"app:{port}", self._streamlit_command(port), self._app_env())
            for (_, process, _), port in zip(self.children, self.ports, strict=True):
                wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", 60, process)
            conf = self.rundir / "nginx.conf"
            conf.write_text(render_nginx(self.ports, self.port, self.rundir), encoding="utf-8")
            nginx = [NGINX, "-p", str(self.rundir), "-e", str(self.rundir / "error.log"), "-c", str(conf)]
            test = subprocess.run([*nginx, "-t", "-q"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
            if test.returncode != 0:
                raise RuntimeError(f"nginx rejected {conf}:\n{test.stderr}")
            self._spawn("nginx", [*nginx, "-g", "daemon off;"], dict(os.environ))
            wait_healthy(f"{self.url}/healthz", 30, self.children[-1][1])
        except BaseException:
            self.stop()
            raise
        return self

    def _streamlit_command(self, port: int) -> list[str]:
        streamlit = str(Path(self.python).parent / "streamlit")
        return [
            streamlit, "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
        ]  # fmt: skip

    def _app_env(self) -> dict[str, str]:
        return {**os.environ, "FANGXIN_DB_URL": self.db_url, "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret}

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.rundir / f"{name.replace(':', '-')}.log").open("ab")
        # A session of its own: Ctrl-C reaches this script only, which then stops the stack in order.
        process = subprocess.Popen(  # noqa: S603 (our own argv)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children.append((name, process, log))

    def dead(self) -> list[str]:
        """Names of the processes that exited (with their exit codes)."""
        return [f"{name} (exit {p.returncode})" for name, p, _ in self.children if p.poll() is not None]

    def stop(self) -> None:
        """nginx first (no new requests), then the app processes; SIGKILL after 10 s."""
        for name, process, _ in sorted(self.children, key=lambda c: c[0] != "nginx"):
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        for _, process, log in self.children:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()
        self.children.clear()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m deploy.serve_multi", description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, default=int(os.environ.get("PROCESSES", "2")), help="app processes")
    p.add_argument("--base-port", type=int, default=8601, help="port of the first app process")
    p.add_argument("--port", type=int, default=8080, help="nginx port (127.0.0.1)")
    p.add_argument("--rundir", type=Path, default=ROOT / "var" / "serve-multi", help="config, logs, pid")
    p.add_argument("--no-demo", action="store_true", help="do not load the demo campaign into an empty database")
    args = p.parse_args(argv)
    if args.processes < 1:
        p.error("--processes must be at least 1")
    from scoring.storage.database import default_url

    db_url = default_url()  # FANGXIN_DB_URL, else [database] url in .streamlit/secrets.toml, else SQLite
    if not db_url.startswith("postgresql"):
        print("warning: no PostgreSQL URL in FANGXIN_DB_URL or .streamlit/secrets.toml; using SQLite, where the")
        print("         processes queue behind each other's writes (see docs/DEPLOY.md)")
    if not os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET"):
        print("note: STREAMLIT_SERVER_COOKIE_SECRET is unset; a random secret is used for this run only")

    def terminate(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)  # also when started with SIGINT ignored (a shell's background job)
    stack = Stack(db_url, args.processes, args.base_port, args.port, args.rundir.resolve(), demo=not args.no_demo)
    try:
        stack.start()
        if stack.setup_output:
            print(stack.setup_output.rstrip())  # the demo accounts' passwords are shown this once only
        print(f"ready: {stack.url} (health {stack.url}/healthz); app processes:")
        for i in range(len(stack.ports)):
            print(f"  b{i + 1}: {stack.backend_url(i)} (health {stack.backend_url(i)}/_stcore/health)")
        print(f"logs in {stack.rundir}; Ctrl-C stops everything")
        while not (dead := stack.dead()):
            time.sleep(1)
        print(f"stopping: {', '.join(dead)} exited; see the logs in {stack.rundir}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopping…")
        return 0
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
