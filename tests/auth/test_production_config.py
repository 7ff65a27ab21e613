"""Production configuration (SPEC §9): XSRF on, no tracebacks, no telemetry, uploads sized like the gate;
no secret in config.toml; the database URL from the environment, else from secrets.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from scoring.ingest.gate import MAX_FILE_BYTES
from scoring.storage import database
from scoring.storage.database import DB_URL_ENV, default_url

ROOT = Path(__file__).resolve().parents[2]


def test_config_toml_keeps_the_security_settings() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server, client = config["server"], config["client"]
    assert server["enableXsrfProtection"] is True
    assert client["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert server["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES  # the gate refuses larger files anyway
    assert "cookieSecret" not in server, "the cookie key comes from STREAMLIT_SERVER_COOKIE_SECRET"
    assert not any("secret" in key.lower() or "password" in key.lower() for s in config.values() for key in s)


def test_the_database_url_comes_from_env_then_secrets_then_the_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, project = tmp_path / "home.toml", tmp_path / "project.toml"
    home.write_text('[database]\nurl = "postgresql+psycopg://fangxin@home-db/fangxin"\n', encoding="utf-8")
    project.write_text('[database]\nurl = "postgresql+psycopg://fangxin@project-db/fangxin"\n', encoding="utf-8")
    monkeypatch.setenv(DB_URL_ENV, "sqlite:///from-env.db")
    assert default_url([home, project]) == "sqlite:///from-env.db"
    monkeypatch.delenv(DB_URL_ENV)
    assert default_url([home, project]) == "postgresql+psycopg://fangxin@project-db/fangxin"  # the project's wins
    assert default_url([home, tmp_path / "missing.toml"]) == "postgresql+psycopg://fangxin@home-db/fangxin"
    project.write_text("[database\nurl = broken", encoding="utf-8")  # unreadable: skipped, not a crash
    assert default_url([project]).startswith("sqlite:///")
    project.write_text('[auth]\nredirect_uri = "https://x/oauth2callback"\n', encoding="utf-8")
    assert default_url([project]) == f"sqlite:///{ROOT / 'var' / 'fangxin.db'}"


def test_streamlit_reads_the_same_secrets_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """st.secrets (streamlit run from the project folder) and default_url read the same two files."""
    from streamlit import config

    monkeypatch.chdir(ROOT)
    configured = [Path(p).expanduser().resolve() for p in config.get_option("secrets.files")]
    assert configured == [p.resolve() for p in database.secrets_files()]
