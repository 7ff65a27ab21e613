"""The fast paths of the bulk upsert store exactly what the plain ones stored (issue 2 speed).

- rows reach SQLite sorted by their natural key and are merged without SQLite's own sort: the
  ids are still given in key order, and an unsorted input (another caller) still gets the sort;
- the staging INSERTs carry many rows each, whatever the row count;
- the per-code JSON cells assembled by Arrow are byte for byte ``columns.encode_objects``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select

from scoring.storage import bulk, upserts
from scoring.storage.columns import encode_objects, json_literals
from scoring.storage.database import session_scope
from scoring.storage.models import Inspection, Merchant
from scoring.storage.repository import create_upload, upsert
from tests.storage import factories as f


def test_key_order_is_checked_as_the_database_orders_keys() -> None:
    assert bulk.in_key_order([["A", "B", "a", "乙", "甲"]])
    assert bulk.in_key_order([["91", "91", "92"], [1, 2, 1]])
    assert not bulk.in_key_order([["91", "91"], [2, 2]])  # a repeated key: let SQLite decide
    assert not bulk.in_key_order([["b", "a"]])
    assert not bulk.in_key_order([[1.0, math.nan, 2.0]])
    assert not bulk.in_key_order([["a", None]])
    assert not bulk.in_key_order([["a", 1]])
    assert bulk.in_key_order([[]]) and bulk.in_key_order([["x"]])


def _literal_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "A1": pd.Series(["符合", "不适用", None, '引号"与\\', "符合"], dtype="str"),
            "A2": [0.0, math.nan, 2.0, 1.5, 0.0],
            "G1": [True, False, True, True, False],
            "Q1": pd.Series(["3", "不适用", None, "4.5", "3"], dtype=object),  # numbers and 不适用 only
            "Z%": pd.Series(["x", "y", "x", None, "%s"], dtype=object),
        }
    )


def test_json_cells_are_the_canonical_encoding() -> None:
    frame = _literal_frame()
    expected = encode_objects({c: json_literals(upserts._literal_source(frame[c])) for c in frame}, len(frame))
    assert upserts._json_objects({c: frame[c] for c in frame}, len(frame)) == expected
    assert expected[1] == '{"A1":"不适用","A2":null,"G1":0,"Q1":null,"Z%":"y"}'
    assert upserts._json_objects({"A1": frame["A1"]}, 5) == encode_objects({"A1": json_literals(frame["A1"])}, 5)
    assert upserts._json_objects({}, 2) == ["{}", "{}"]
    assert upserts._json_objects({"A1": frame["A1"].iloc[:0]}, 0) == []


def _registry(db: Engine, n: int) -> tuple[pd.DataFrame, int]:
    merchants, inspections = f.many_inspections(n)
    with session_scope(db) as s:
        upload = create_upload(s, "f.xlsx", "0" * 64, "tester")
        upsert(s, "districts", f.districts(), upload)
        upsert(s, "rounds", f.rounds(), upload)
        upsert(s, "merchants", merchants, upload)
    return inspections, upload


@pytest.mark.parametrize("n", [1, 199, 200, 457])
def test_shuffled_rows_are_stored_in_key_order_once_each(db: Engine, n: int) -> None:
    inspections, upload = _registry(db, n)
    second = inspections.iloc[: n // 2].assign(round="2026年中期评估")
    frame = pd.concat([inspections, second]).sample(frac=1.0, random_state=3).reset_index(drop=True)
    codes = [c for c in frame.columns if c[0] in "ABCDEG" and c[1:].isdigit()]
    with session_scope(db) as s:
        counts = upsert(s, "inspections", frame, upload, codes=codes)
    assert (counts.inserted, counts.updated, counts.unchanged) == (len(frame), 0, 0)
    with session_scope(db, write=False) as s:
        stored = s.execute(select(Inspection.uscc, Inspection.round_id).order_by(Inspection.id)).all()
        assert s.execute(select(Merchant.id)).all()
    keys = [tuple(r) for r in stored]
    assert len(set(keys)) == len(frame)
    if db.dialect.name == "sqlite":
        assert keys == sorted(keys)  # ids in key order, as the merge's ORDER BY gave them
    with session_scope(db) as s:
        again = upsert(s, "inspections", frame.sample(frac=1.0, random_state=4), upload, codes=codes)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(frame))


def test_an_unsorted_caller_still_gets_the_merge_in_key_order(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    inspections, upload = _registry(db, 300)
    monkeypatch.setattr(upserts, "_key_order", lambda spec, frame, ids: np.arange(len(frame))[::-1])
    codes = [c for c in inspections.columns if c[0] in "ABCDEG" and c[1:].isdigit()]
    with session_scope(db) as s:
        counts = upsert(s, "inspections", inspections, upload, codes=codes)
    assert counts.inserted == 300
    with session_scope(db, write=False) as s:
        stored = [r[0] for r in s.execute(select(Inspection.uscc).order_by(Inspection.id))]
    assert sorted(stored) == sorted(inspections["uscc"])
    if db.dialect.name == "sqlite":
        assert stored == sorted(stored)
