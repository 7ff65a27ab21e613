"""Each 区县's own KPI targets (SPEC §6): validated, audited, scoped, and used for that district's lights."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from scoring.services import kpi_targets, progress
from scoring.services.context import CLI_USER, PermissionDenied, UserContext
from scoring.storage import kpi_targets as store
from scoring.storage.database import session_scope
from scoring.storage.errors import StorageError
from scoring.storage.models import AuditLog
from scoring.storage.upserts import upsert
from tests.storage import factories

ADMIN = UserContext("admin", "admin")
EVALUATOR = UserContext("ev", "evaluator", "上城区")
LEADER = UserContext("leader", "leader")
REVIEWER = UserContext("reviewer", "reviewer")


@pytest.fixture
def campaign(db: Engine) -> Engine:
    """Two districts (上城区, 西湖区) with merchants, two rounds, no scoring run."""
    with session_scope(db) as s:
        for kind, frame in (
            ("districts", factories.districts()),
            ("rounds", factories.rounds()),
            ("merchants", factories.merchants()),
        ):
            upsert(s, kind, frame, None)
    return db


def _edited(**rows: tuple[object, object, object]) -> pd.DataFrame:
    """district → (coverage share, on-time share, satisfaction index) as the page hands them over."""
    return pd.DataFrame(
        [(d, *values) for d, values in rows.items()], columns=["district", "coverage", "on_time_rate", "satisfaction"]
    )


def _audits(db: Engine) -> list[dict[str, object]]:
    with session_scope(db, write=False) as s:
        rows = s.execute(select(AuditLog.detail).where(AuditLog.action == "kpi_targets_saved").order_by(AuditLog.id))
        return [r[0] for r in rows]


def test_own_targets_are_saved_audited_and_decide_the_districts_lights(campaign: Engine) -> None:
    db = campaign
    sat = pd.Series([85.0, 75.0], index=["上城区", "西湖区"])  # overall mean 80 = the campaign target
    before = progress.kpis(db, ADMIN, factories.ROUND, sat).set_index("district")
    assert before.loc["上城区", "satisfaction_light"] == "green"  # 85 ≥ 80
    assert before.loc["西湖区", "satisfaction_light"] == "yellow"  # 75 ≥ 0.9 × 80
    assert kpi_targets.district_targets(db, ADMIN)[["coverage", "on_time_rate", "satisfaction"]].isna().all().all()

    changed = kpi_targets.save_district_targets(db, ADMIN, _edited(上城区=(0.85, None, 90.0), 西湖区=(None, None, 70)))

    assert changed == 2
    own = kpi_targets.district_targets(db, ADMIN).set_index("district")
    assert own.loc["上城区", "coverage"] == 0.85
    assert own.loc["上城区", "satisfaction"] == 90.0
    assert own.loc["西湖区", "satisfaction"] == 70.0
    assert math.isnan(own.loc["西湖区", "coverage"])
    after = progress.kpis(db, ADMIN, factories.ROUND, sat).set_index("district")
    assert after.loc["上城区", "satisfaction_target"] == 90.0
    assert after.loc["上城区", "satisfaction_light"] == "yellow"  # 85 < 90, ≥ 81
    assert after.loc["西湖区", "satisfaction_light"] == "green"  # 75 ≥ 70
    assert after.loc["西湖区", "coverage_target"] == 0.90  # blank: the campaign's target
    overall = after.loc[after.index.isna()].iloc[0]
    assert overall["satisfaction_target"] == 80.0 and overall["satisfaction_light"] == "green"
    assert _audits(db) == [
        {"districts": {"上城区": {"coverage": 0.85, "satisfaction": 90.0}, "西湖区": {"satisfaction": 70.0}}}
    ]

    assert kpi_targets.save_district_targets(db, ADMIN, _edited(上城区=(0.85, None, 90.0))) == 0  # unchanged
    assert len(_audits(db)) == 1
    assert kpi_targets.save_district_targets(db, ADMIN, _edited(上城区=(0.85, None, None))) == 1  # cleared
    cleared = progress.kpis(db, ADMIN, factories.ROUND, sat).set_index("district")
    assert cleared.loc["上城区", "satisfaction_target"] == 80.0
    assert cleared.loc["上城区", "satisfaction_light"] == "green"
    assert _audits(db)[-1] == {"districts": {"上城区": {"satisfaction": None}}}


def test_a_changed_campaign_target_still_applies_where_no_own_target_is_set(campaign: Engine) -> None:
    kpi_targets.save_district_targets(campaign, ADMIN, _edited(上城区=(None, None, 50.0)))
    progress.save_targets(campaign, ADMIN, {"satisfaction": 95.0})

    frame = progress.kpis(campaign, ADMIN, factories.ROUND, pd.Series([60.0], index=["西湖区"]))
    targets = dict(zip(frame["district"].fillna("全部"), frame["satisfaction_target"], strict=True))

    assert targets == {"上城区": 50.0, "西湖区": 95.0, "全部": 95.0}


def test_every_problem_is_reported_in_chinese_and_nothing_is_saved(campaign: Engine) -> None:
    bad = pd.DataFrame(
        [
            ("上城区", 1.5, "很高", 80.0),
            ("西湖区", -0.1, 0.9, 120.0),
            ("滨江区", 0.9, 0.9, 80.0),
            ("上城区", 0.9, 0.9, 8),
        ],
        columns=["district", "coverage", "on_time_rate", "satisfaction"],
    )

    with pytest.raises(StorageError) as raised:
        kpi_targets.save_district_targets(campaign, ADMIN, bad)

    message = str(raised.value)
    assert "第 1 行（上城区）：检查覆盖率须在 0% 到 100% 之间" in message
    assert "第 1 行（上城区）：投诉按时办结率须为数字" in message
    assert "第 2 行（西湖区）：检查覆盖率须在 0% 到 100% 之间" in message
    assert "第 2 行（西湖区）：满意度指数须在 0 到 100 之间" in message
    assert "第 3 行：区县“滨江区”不存在" in message
    assert "第 4 行：区县“上城区”重复" in message
    assert kpi_targets.district_targets(campaign, ADMIN)[["coverage", "satisfaction"]].isna().all().all()
    assert _audits(campaign) == []


@pytest.mark.parametrize("user", [EVALUATOR, LEADER, REVIEWER], ids=lambda u: u.role)
def test_only_roles_that_manage_the_campaign_may_set_targets(campaign: Engine, user: UserContext) -> None:
    with pytest.raises(PermissionDenied):
        kpi_targets.save_district_targets(campaign, user, _edited(上城区=(0.5, 0.5, 50.0)))

    assert kpi_targets.district_targets(campaign, ADMIN)["coverage"].isna().all()


def test_reads_and_writes_stay_within_the_users_districts(campaign: Engine) -> None:
    kpi_targets.save_district_targets(campaign, CLI_USER, _edited(上城区=(0.8, None, None), 西湖区=(0.7, None, None)))

    mine = kpi_targets.district_targets(campaign, EVALUATOR)
    assert mine["district"].tolist() == ["上城区"]
    assert mine["coverage"].tolist() == [0.8]
    with session_scope(campaign) as s, pytest.raises(StorageError, match="西湖区"):
        store.replace_district_targets(s, {"西湖区": {"coverage": 0.1}}, "ev", {"上城区"})
    assert kpi_targets.district_targets(campaign, ADMIN).set_index("district").loc["西湖区", "coverage"] == 0.7
