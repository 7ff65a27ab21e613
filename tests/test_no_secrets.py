"""No credential is committed (SPEC §9): `git grep` over tracked and new, not ignored files for password,
secret and cookie-key literals, private keys and database URLs with a password.

Placeholders (``"<…>"``, ``"${…}"``, ``…``, empty strings) are fine. Test fixtures that still hold a
throw-away password literal are listed in ALLOWED with the reason; prefer generating them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SELF = "tests/test_no_secrets.py"

# (name, pattern for `git grep -P`)
PATTERNS = {
    "private key": r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----",
    "URL with a password": (
        r"(?:postgres(?:ql)?|mysql|redis|amqp)(?:\+\w+)?://[^:@/\s\"']+:(?![<$\{*…]|\.\.\.|xxx)[^@/\s\"']+@"
    ),
    "password literal": r"(?i)\b\w*(?:password|passwd|pwd)\w*[\"']?\s*[:=]\s*[\"'](?![<$\{])[^\"'\s]{4,}[\"']",
    "secret or key literal": (
        r"(?i)\b\w*(?:secret|api_?key|access_?key|private_?key|token)\w*[\"']?\s*[:=]\s*[\"'](?![<$\{])[^\"'\s]{8,}[\"']"
    ),
    "Streamlit cookie secret": r"(?i)cookie_?secret\s*=\s*[\"'](?![<$\{])[^\"']+[\"']",
}

# path → why a literal there is acceptable (throw-away accounts in a temporary test database)
ALLOWED = {
    "tests/ui/conftest.py": "AppTest accounts on a temporary copy of the demo database",
    "tests/e2e/conftest.py": "the e2e admin of a temporary SQLite database behind a 127.0.0.1 server",
    "benchmarks/bench_ranking_page.py": "the benchmark's admin on a temporary database",
}


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def checkout() -> Path:
    if shutil.which("git") is None:
        reason = "git is not installed"
    elif _git("rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        reason = f"{ROOT} is not a git checkout"
    else:
        return ROOT
    print(f"[no-secrets skipped] {reason}")
    pytest.skip(reason)


def hits(pattern: str) -> list[str]:
    """file:line:text of every match in tracked and new (not ignored) files, this file excluded."""
    found = _git("grep", "--untracked", "-I", "-n", "-P", "-e", pattern, "--", ".", f":!{SELF}")
    assert found.returncode in (0, 1), found.stderr  # 1 = no match
    return [line for line in found.stdout.splitlines() if line]


@pytest.mark.parametrize("name", list(PATTERNS))
def test_no_credential_in_the_repository(checkout: Path, name: str) -> None:
    found = [h for h in hits(PATTERNS[name]) if h.split(":", 1)[0] not in ALLOWED]
    assert not found, f"{name} committed (move it to the environment or .streamlit/secrets.toml):\n" + "\n".join(
        found[:20]
    )


def test_every_allowed_file_still_needs_its_exception(checkout: Path) -> None:
    flagged = {h.split(":", 1)[0] for p in PATTERNS.values() for h in hits(p)}
    stale = sorted(set(ALLOWED) - flagged)
    assert not stale, f"remove from ALLOWED (no literal there any more): {stale}"


def test_the_patterns_catch_what_they_are_for() -> None:
    bad = [
        'cookieSecret = "f3a9c0d2e1b4"',
        'password = "hunter2hunter2"',
        'PASSWORD = "Dashboard-Test-2026"',
        "accounts.create_user(e, u, 'x', 'admin', password='evaluator-pass-1')",
        "url = postgresql+psycopg://fangxin:s3cr3t@db:5432/fangxin",
        "-----BEGIN RSA PRIVATE KEY-----",
        'client_secret = "abcdefgh12345678"',
    ]
    fine = [
        'cookie_secret = "<至少 32 字节的随机串>"',
        'password = st.text_input("密码", type="password")',
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "postgresql+psycopg://fangxin:<密码>@db:5432/fangxin",
        "postgresql+psycopg://fangxin:…@127.0.0.1:5432/fangxin",
        'cookie_secret: str = ""',
        "password = accounts.random_password()",
    ]
    compiled = [re.compile(p) for p in PATTERNS.values()]
    assert all(any(p.search(line) for p in compiled) for line in bad), [
        line for line in bad if not any(p.search(line) for p in compiled)
    ]
    assert not [line for line in fine if any(p.search(line) for p in compiled)]


def test_secrets_files_are_ignored_by_git(checkout: Path) -> None:
    for path in (".streamlit/secrets.toml", "deploy/.streamlit/secrets.toml", ".env", "deploy/server.key"):
        assert _git("check-ignore", "-q", path).returncode == 0, f"{path} is not in .gitignore"
