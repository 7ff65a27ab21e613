"""The public sample (shared/samples/sample-2026.xlsx) imported and scored, with campaign settings.

Users of every role: an admin, a city reviewer, evaluators of 富阳区 and 上城区, a leader.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from scoring.cli import main
from scoring.services.campaign import CampaignSettings, load_settings, save_settings
from scoring.services.context import UserContext
from scoring.services.runs import run_scoring
from scoring.storage.database import make_engine

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
SAMPLE = SAMPLES / "sample-2026.xlsx"
EXPECTED = SAMPLES / "sample-2026.expected"
ROUND = "2026年中期评估"

ADMIN = UserContext("admin1", "admin")
REVIEWER = UserContext("rev1", "reviewer")
EV_FUYANG = UserContext("ev-fy", "evaluator", "富阳区")
EV_SHANGCHENG = UserContext("ev-sc", "evaluator", "上城区")
LEADER = UserContext("lead1", "leader")
EVERYONE = (ADMIN, REVIEWER, EV_FUYANG, EV_SHANGCHENG, LEADER)
CHANNEL = "杭州市放心消费创建工作领导小组办公室，电话 0571-85000000，邮箱 fangxin@hz.example.gov.cn"

needs_sample = pytest.mark.skipif(not SAMPLE.is_file(), reason=f"sample data not found at {SAMPLE}")


def url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def configure(engine: Engine, **changes: object) -> CampaignSettings:
    """Save campaign settings (city, year, 公示期, channel by default) with the given changes."""
    settings = load_settings(engine)
    settings.city, settings.year = "杭州市", "2026"
    settings.notice_start, settings.notice_end = "2026-09-10", "2026-09-24"
    settings.objection_channel = CHANNEL
    for key, value in changes.items():
        setattr(settings, key, value)
    save_settings(engine, ADMIN, settings)
    return settings


def _load_sample(engine: Engine) -> None:
    assert main(["import", str(SAMPLE), "--db", url(engine)]) == 0
    configure(engine)
    run_scoring(engine, ADMIN, ROUND)


@pytest.fixture(scope="session")
def sample_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample loaded once into an SQLite file, copied for every test (the import takes seconds)."""
    if not SAMPLE.is_file():
        pytest.skip(f"sample data not found at {SAMPLE}")
    path = tmp_path_factory.mktemp("review_sample") / "sample.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    _load_sample(engine)
    engine.dispose()  # checkpoints the WAL into the file
    return path


@pytest.fixture
def sample_db(db: Engine, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The sample imported, settings saved (no quotas) and 2026年中期评估 scored."""
    if not SAMPLE.is_file():
        pytest.skip(f"sample data not found at {SAMPLE}")
    if db.dialect.name == "sqlite":
        prepared: Path = request.getfixturevalue("sample_sqlite")
        db.dispose()  # no connection is open: the file can be replaced by the prepared copy
        shutil.copyfile(prepared, str(db.url.database))
    else:
        _load_sample(db)
    yield db
