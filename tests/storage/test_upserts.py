"""Upserts by natural key: counts, idempotence, corrections, atomicity (SPEC §3, §9)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select

from scoring.storage.database import session_scope
from scoring.storage.models import Base
from scoring.storage.repository import (
    StorageError,
    UpsertCounts,
    create_upload,
    district_names,
    merchant_names,
    round_names,
    upsert,
    upsert_all,
)
from tests.storage import factories as f


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, every column (upload_id and updated_at included)."""
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def load_all(engine: Engine, upload_id: int | None = None) -> dict[str, UpsertCounts]:
    with session_scope(engine) as session:
        return dict(upsert_all(session, f.all_sheets(), upload_id))  # type: ignore[arg-type]


def new_upload(engine: Engine, name: str = "f.xlsx") -> int:
    with session_scope(engine) as session:
        return create_upload(session, name, "0" * 64, "tester")


def test_first_import_inserts_every_row(db: Engine) -> None:
    counts = load_all(db, new_upload(db))

    assert {k: c.inserted for k, c in counts.items()} == {
        "districts": 2, "rounds": 2, "merchants": 3, "inspections": 3, "surveys": 3, "complaints": 3, "credit": 2,
    }  # fmt: skip
    assert all(c.updated == 0 and c.unchanged == 0 for c in counts.values())
    with session_scope(db, write=False) as session:
        assert district_names(session) == ["上城区", "西湖区"]
        assert round_names(session) == [f.ROUND, "2026年中期评估"]
        assert merchant_names(session, [f.USCCS[0], "nope"]) == {f.USCCS[0]: "甲超市"}


def test_reimporting_the_same_file_changes_nothing(db: Engine) -> None:
    load_all(db, new_upload(db, "first.xlsx"))
    before = dump(db)
    second = new_upload(db, "again.xlsx")
    before["upload"] = dump(db)["upload"]

    counts = load_all(db, second)

    assert all(c == UpsertCounts(0, 0, c.unchanged) and c.unchanged > 0 for c in counts.values())
    assert dump(db) == before  # upload_id and updated_at included: nothing was touched


def test_a_corrected_file_changes_only_the_corrected_rows(db: Engine) -> None:
    first = new_upload(db, "first.xlsx")
    load_all(db, first)
    before = dump(db)
    corrected = f.inspections()
    corrected.loc[1, "A2"] = 3.0  # one cell of one row
    second = new_upload(db, "fix.xlsx")

    with session_scope(db) as session:
        counts = upsert(session, "inspections", corrected, second)

    assert counts == UpsertCounts(inserted=0, updated=1, unchanged=2)
    after = dump(db)
    changed = [(b, a) for b, a in zip(before["inspection"], after["inspection"], strict=True) if b != a]
    assert len(changed) == 1
    old, new = changed[0]
    assert old[2] == new[2] == f.USCCS[1]
    assert '"A2":3' in new[7] and '"A2":2' in old[7]
    assert new[-2] == second and old[-2] == first  # upload_id of the last change
    assert new[-1] > old[-1]  # updated_at
    assert {k: v for k, v in after.items() if k not in ("inspection", "upload")} == {
        k: v for k, v in before.items() if k not in ("inspection", "upload")
    }


def test_new_and_changed_rows_are_counted_apart(db: Engine) -> None:
    load_all(db)
    frame = f.merchants()
    frame.loc[0, "phone"] = "13800009999"
    extra = frame.iloc[[0]].assign(uscc="91330102MA2H000044", name="丁书店")
    frame = pd.concat([frame, extra], ignore_index=True)

    with session_scope(db) as session:
        counts = upsert(session, "merchants", frame, None)

    assert counts == UpsertCounts(inserted=1, updated=1, unchanged=2)
    assert counts.stored == 4


def test_a_null_that_becomes_a_value_and_back_is_a_change(db: Engine) -> None:
    load_all(db)
    frame = f.complaints()
    frame.loc[1, "on_time"] = True  # NA → 是
    frame.loc[0, "amount"] = np.nan  # 120.5 → blank

    with session_scope(db) as session:
        assert upsert(session, "complaints", frame, None) == UpsertCounts(0, 2, 1)
    with session_scope(db) as session:
        assert upsert(session, "complaints", f.complaints(), None) == UpsertCounts(0, 2, 1)


def test_an_exception_midway_leaves_the_database_as_it_was(db: Engine) -> None:
    load_all(db)
    before = dump(db)
    changed = f.merchants().assign(name="改名")

    with pytest.raises(RuntimeError), session_scope(db) as session:
        upsert(session, "merchants", changed, None)
        upsert(session, "complaints", f.complaints().assign(category="x"), None)
        raise RuntimeError("the import failed after storing two sheets")

    assert dump(db) == before


def test_a_failing_sheet_rolls_back_the_sheets_before_it(db: Engine) -> None:
    load_all(db)
    before = dump(db)
    bad = f.inspections().assign(uscc=["91330100NOTKNOWN01"] * 3)

    with pytest.raises(StorageError, match="91330100NOTKNOWN01"), session_scope(db) as session:
        upsert(session, "merchants", f.merchants().assign(phone="1"), None)
        upsert(session, "inspections", bad, None)

    assert dump(db) == before


def test_unknown_district_is_refused_with_the_known_ones(db: Engine) -> None:
    with session_scope(db) as session:
        upsert(session, "districts", f.districts(), None)
    frame = f.merchants().assign(district=["上城区", "滨江区", "上城区"])

    with pytest.raises(StorageError, match=r"未知的区县：滨江区（已有：上城区、西湖区）"), session_scope(db) as session:
        upsert(session, "merchants", frame, None)


def test_duplicate_keys_in_one_frame_are_refused(db: Engine) -> None:
    frame = pd.concat([f.districts(), f.districts().iloc[[0]]], ignore_index=True)

    with pytest.raises(StorageError, match="主键重复"), session_scope(db) as session:
        upsert(session, "districts", frame, None)


def test_missing_required_value_is_refused(db: Engine) -> None:
    frame = f.districts()
    frame.loc[0, "name"] = None

    with pytest.raises(StorageError, match="必需的列有空值：name"), session_scope(db) as session:
        upsert(session, "districts", frame, None)


def test_empty_frame_is_a_no_op(db: Engine) -> None:
    with session_scope(db) as session:
        assert upsert(session, "complaints", f.complaints().iloc[0:0], None) == UpsertCounts()


def test_volume_upsert_then_identical_reupsert(db: Engine) -> None:
    merchants, inspections = f.many_inspections(2_000)
    with session_scope(db) as session:
        upsert(session, "districts", f.districts(), None)
        upsert(session, "rounds", f.rounds(), None)
        assert upsert(session, "merchants", merchants, None) == UpsertCounts(inserted=2_000)
        assert upsert(session, "inspections", inspections, None) == UpsertCounts(inserted=2_000)
    with session_scope(db) as session:
        assert upsert(session, "inspections", inspections, None) == UpsertCounts(unchanged=2_000)


def test_a_database_constraint_becomes_a_storage_error(db: Engine) -> None:
    frame = f.rounds()
    frame.loc[0, "end"] = pd.Timestamp("2025-12-31")  # before its start

    with pytest.raises(StorageError, match="数据不符合数据库约束"), session_scope(db) as session:
        upsert(session, "rounds", frame, None)


def test_only_code_columns_become_items(db: Engine) -> None:
    frame = f.inspections().assign(row=[2, 3, 4], _source="x.xlsx")  # bookkeeping columns of a reader
    with session_scope(db) as session:
        upsert_all(session, f.all_sheets()[:3], None)  # type: ignore[arg-type]
        upsert(session, "inspections", frame, None)

    items = {len(json.loads(row[7])) for row in dump(db)["inspection"]}
    assert items == {len(f.ITEM_CODES)}

    with session_scope(db) as session:  # explicit codes: exactly those
        assert upsert(session, "inspections", frame, None, codes=["A1"]).updated == 3
    assert {tuple(json.loads(row[7])) for row in dump(db)["inspection"]} == {("A1",)}
