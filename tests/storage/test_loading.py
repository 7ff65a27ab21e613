"""Loading returns the canonical frames with their in-memory types: N/A stays NaN, never 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.storage.database import session_scope
from scoring.storage.repository import StorageError, load_frame, load_round_data, rounds, upsert, upsert_all
from tests.storage import factories as f


@pytest.fixture
def stored(db: Engine) -> Engine:
    with session_scope(db) as session:
        upsert_all(session, f.all_sheets(), None)  # type: ignore[arg-type]
    return db


def test_round_data_round_trips_every_sheet(stored: Engine) -> None:
    with session_scope(stored, write=False) as session:
        data = load_round_data(session, f.ROUND, f.ITEM_CODES, f.QUESTION_CODES)

    assert data.round_name == f.ROUND
    assert (data.start, data.end, data.reference_date) == (
        pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-30"), pd.Timestamp("2026-04-30"),
    )  # fmt: skip
    pd.testing.assert_frame_equal(data.merchants, f.merchants())
    pd.testing.assert_frame_equal(data.inspections, f.inspections())
    pd.testing.assert_frame_equal(data.surveys, f.surveys())
    pd.testing.assert_frame_equal(data.complaints, f.complaints())
    pd.testing.assert_frame_equal(data.credit, f.credit())


def test_not_applicable_stays_not_applicable(stored: Engine) -> None:
    with session_scope(stored, write=False) as session:
        items = load_round_data(session, f.ROUND, f.ITEM_CODES, f.QUESTION_CODES).inspections.set_index("uscc")

    third = f.USCCS[2]
    assert items["A2"].isna()[third]  # deduct 不适用 → NaN, not 0
    assert items.loc[f.USCCS[0], "A2"] == 0.0  # a real zero findings stays 0
    assert items.loc[third, "A1"] == "不适用"  # check 不适用 stays text
    assert items["A2"].dtype == np.float64
    assert items["G1"].dtype == np.float64 and items["G3"].tolist() == [3.0, 0.0, 1.0]
    assert pd.api.types.is_string_dtype(items["A1"].dtype)


def test_a_column_entirely_not_applicable_keeps_its_kind(db: Engine) -> None:
    frame = f.inspections().assign(A1="不适用", A2=np.nan)
    with session_scope(db) as session:
        upsert_all(session, f.all_sheets()[:3], None)  # type: ignore[arg-type]
        upsert(session, "inspections", frame, None)

    with session_scope(db, write=False) as session:
        items = load_frame(session, "inspections", f.ROUND, f.ITEM_CODES)

    assert items["A1"].tolist() == ["不适用"] * 3
    assert items["A2"].dtype == np.float64 and items["A2"].isna().all()


def test_text_column_of_numbers_and_not_applicable_is_stored_as_numbers(db: Engine) -> None:
    frame = f.inspections()
    frame["A2"] = pd.Series(["0", "2", "不适用"], dtype="str")  # a reader that kept deduct cells as text
    with session_scope(db) as session:
        upsert_all(session, f.all_sheets()[:3], None)  # type: ignore[arg-type]
        upsert(session, "inspections", frame, None)

    with session_scope(db, write=False) as session:
        items = load_frame(session, "inspections", f.ROUND, f.ITEM_CODES)

    assert items["A2"].tolist()[:2] == [0.0, 2.0] and np.isnan(items["A2"].iloc[2])


def test_unanswered_questions_are_nan(stored: Engine) -> None:
    with session_scope(stored, write=False) as session:
        surveys = load_round_data(session, f.ROUND, f.ITEM_CODES, f.QUESTION_CODES).surveys

    assert surveys["Q2"].isna()[1]
    assert all(surveys[q].dtype == np.float64 for q in f.QUESTION_CODES)
    assert surveys["invalid"].tolist() == [False, False, True]


def test_other_rounds_rows_are_not_loaded(stored: Engine) -> None:
    with session_scope(stored, write=False) as session:
        data = load_round_data(session, "2026年中期评估", f.ITEM_CODES, f.QUESTION_CODES)
        every_round = load_frame(session, "inspections", None, f.ITEM_CODES)

    assert data.inspections.empty and data.surveys.empty
    assert list(data.inspections.columns) == list(every_round.columns)
    assert len(every_round) == 3
    assert len(data.merchants) == 3 and len(data.complaints) == 3


def test_rounds_listing_and_unknown_round(stored: Engine) -> None:
    with session_scope(stored, write=False) as session:
        frame = rounds(session)
        with pytest.raises(StorageError, match="未找到评估轮次：2030"):
            load_round_data(session, "2030", f.ITEM_CODES, f.QUESTION_CODES)

    pd.testing.assert_frame_equal(frame, f.rounds())
