"""Scoring runs: saved once with their provenance, read back exactly, never changed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.storage.database import session_scope
from scoring.storage.models import ImmutableRowError, ScoringRun
from scoring.storage.repository import (
    RunMeta,
    StorageError,
    latest_run,
    list_runs,
    load_run_results,
    save_run,
    upsert,
)
from tests.storage import factories as f

POINTS = ("A1", "A2", "G1")
DIMENSIONS = ("A", "B")


def meta(fingerprint: str = "data-1") -> RunMeta:
    return RunMeta(
        round_name=f.ROUND,
        created_by="reviewer1",
        indicator_id="fangxin",
        indicator_version="2026",
        indicator_hash="ab" * 32,
        data_fingerprint=fingerprint,
        point_codes=POINTS,
        dimension_codes=DIMENSIONS,
        settings={"threshold": 80, "quotas": {"上城区": 2}},
    )


def scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": list(f.USCCS),
            "name": ["甲超市", "乙餐厅", "丙美发"],
            "district": ["上城区", "西湖区", "上城区"],
            "industry": ["商超零售", "餐饮", "美容美发"],
            "base": [91.25, 78.5, 60.0],
            "bonus": [5.0, 0.0, 3.0],
            "total": [96.25, 78.5, 63.0],
            "grade": ["优秀", "不合格", "合格"],
            "veto_text": [None, "列入经营异常名录（2026-03-01）", None],
            "city_rank": [1, 3, 2],
            "district_rank": [1, 1, 2],
            "industry_rank": [1, 1, 1],
            "A1": [5.0, 0.0, np.nan],  # N/A → blank, not 0
            "A2": [5.0, 1.0, np.nan],
            "G1": [5.0, 0.0, 0.0],
            "A": [10.0, 1.0, np.nan],
            "B": [7.5, 8.0, 6.0],
            "satisfaction": [88.5, np.nan, 70.0],  # a column storage does not know: kept too
        }
    )


def candidates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": list(f.USCCS),
            "name": ["甲超市", "乙餐厅", "丙美发"],
            "district": ["上城区", "西湖区", "上城区"],
            "industry": ["商超零售", "餐饮", "美容美发"],
            "total": [96.25, 78.5, 63.0],
            "status": ["入选", "不符合", "候补"],
            "waitlist_no": pd.array([None, None, 1], dtype="Int64"),
            "reasons": [
                "",
                "未申报；否决：列入经营异常名录（2026-03-01）；得分不足：78.50 < 80",
                "得分不足：63.00 < 80",
            ],
            "stability": [1.0, np.nan, 0.42],
        }
    )


def districts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district": ["上城区", "西湖区"],
            "applicants": [2, 0],
            "inspected_applicants": [2, 0],
            "coverage": [1.0, 0.0],
            "mean_base": [75.625, 78.5],
            "excellent_rate": [0.5, 0.0],
            "veto_rate": [0.0, 1.0],
            "satisfaction": [79.25, 0.0],
            "on_time_rate": [1.0, 1.0],
            "selected": [1, 0],
            "district_index": [86.7, np.nan],
            "rank": pd.array([1, None], dtype="Int64"),
        }
    )


@pytest.fixture
def with_round(db: Engine) -> Engine:
    with session_scope(db) as session:
        upsert(session, "rounds", f.rounds(), None)
    return db


def test_saved_results_load_back_identical(with_round: Engine) -> None:
    with session_scope(with_round) as session:
        run_id = save_run(session, meta(), scores(), candidates(), districts())

    with session_scope(with_round, write=False) as session:
        results = load_run_results(session, run_id)

    pd.testing.assert_frame_equal(results.scores, scores())
    pd.testing.assert_frame_equal(results.candidates, candidates())
    pd.testing.assert_frame_equal(results.districts, districts())
    run = results.run
    assert (run.id, run.round_name, run.created_by, run.merchant_count) == (run_id, f.ROUND, "reviewer1", 3)
    assert (run.indicator_id, run.indicator_version, run.indicator_hash) == ("fangxin", "2026", "ab" * 32)
    assert run.settings == {"threshold": 80, "quotas": {"上城区": 2}}
    assert (run.point_codes, run.dimension_codes) == (POINTS, DIMENSIONS)
    assert run.created_at.tzinfo is not None


def test_latest_run_is_the_newest_of_its_round(with_round: Engine) -> None:
    with session_scope(with_round) as session:
        assert latest_run(session, f.ROUND) is None
        first = save_run(session, meta("data-1"), scores(), candidates(), districts())
        second = save_run(session, meta("data-2"), scores().iloc[:1], candidates().iloc[:0], districts())

    with session_scope(with_round, write=False) as session:
        latest = latest_run(session, f.ROUND)
        assert latest is not None
        assert (latest.id, latest.data_fingerprint, latest.merchant_count) == (second, "data-2", 1)
        assert [r.id for r in list_runs(session)] == [second, first]
        assert load_run_results(session, second).candidates.empty
        assert latest_run(session, "2026年中期评估") is None


def test_runs_cannot_be_changed_or_deleted(with_round: Engine) -> None:
    with session_scope(with_round) as session:
        run_id = save_run(session, meta(), scores(), candidates(), districts())

    with pytest.raises(ImmutableRowError), session_scope(with_round) as session:
        run = session.get(ScoringRun, run_id)
        assert run is not None
        run.created_by = "someone else"
        session.flush()
    with pytest.raises(ImmutableRowError), session_scope(with_round) as session:
        session.delete(session.get(ScoringRun, run_id))
        session.flush()


def test_unknown_round_or_run_is_refused(with_round: Engine) -> None:
    bad = RunMeta("2030", "x", "fangxin", "2026", "h", "d", POINTS, DIMENSIONS)
    with pytest.raises(StorageError, match="未找到评估轮次"), session_scope(with_round) as session:
        save_run(session, bad, scores(), candidates(), districts())
    with pytest.raises(StorageError, match="未找到评分批次"), session_scope(with_round) as session:
        load_run_results(session, 999)
