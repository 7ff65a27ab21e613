"""The column-wise JSON codec writes exactly what json.dumps would, and reads it back."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.storage.columns import UTCDateTime, decode_objects, dumps, encode_objects, json_literals

cells = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(min_value=-(2**52), max_value=2**52).map(float),
    st.sampled_from(["符合", "部分符合", "不符合", "不适用"]),
)


def expected(value: object) -> object:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


@given(st.lists(st.tuples(cells, cells, st.floats(allow_nan=True, allow_infinity=False)), min_size=1, max_size=30))
def test_encoding_matches_canonical_json_dumps(rows: list[tuple[object, object, float]]) -> None:
    frame = pd.DataFrame(rows, columns=["b", "a", "n"]).astype({"b": object, "a": object})
    literals = {c: json_literals(frame[c]) for c in frame.columns}

    encoded = encode_objects(literals, len(frame))

    for text, (b, a, n) in zip(encoded, rows, strict=True):
        number = None if math.isnan(n) else n
        assert text == dumps({"b": expected(b), "a": expected(a), "n": expected(number)})
        assert json.loads(text) == {"b": b, "a": a, "n": number}


def test_a_changed_cell_never_changes_its_neighbours_text() -> None:
    whole = json_literals(pd.Series([2.0, 3.0]))
    mixed = json_literals(pd.Series([2.0, 3.5]))
    assert whole[0] == mixed[0] == "2"


def test_decoding_gives_one_column_per_key() -> None:
    frame = decode_objects(['{"A1":"符合","A2":null}', None, '{"A2":3}'], ["A1", "A2", "Z9"])
    assert frame["A1"].tolist()[0] == "符合" and pd.isna(frame["A1"].iloc[1])
    assert frame["A2"].iloc[2] == 3 and frame["Z9"].isna().all()


def test_infinite_numbers_are_refused() -> None:
    with pytest.raises(ValueError):
        json_literals(pd.Series([math.inf]))


def test_timestamps_are_utc_on_every_backend() -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    column = UTCDateTime()
    sqlite_dialect, pg_dialect = sqlite.dialect(), postgresql.dialect()  # type: ignore[no-untyped-call]
    local = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    stored = column.process_bind_param(local, sqlite_dialect)
    assert stored == datetime(2026, 3, 1, 0, 0)
    assert column.process_result_value(stored, sqlite_dialect) == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert column.process_bind_param(local, pg_dialect) == local
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 3, 1), sqlite_dialect)
