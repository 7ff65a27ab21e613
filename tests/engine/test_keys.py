"""``keys.positions`` gives exactly Arrow's ``index_in`` answer (first occurrence, -1 when absent),
whichever path it takes: the hashed one for codes of one width, the general one otherwise."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from scoring.engine import keys

ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))


def _expected(needles: pd.Series, universe: pd.Series) -> np.ndarray:
    found = pc.index_in(keys.text(needles), value_set=keys.text(universe))
    return np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.intp)


def _codes(rng: np.random.Generator, n: int, width: int, symbols: int) -> np.ndarray:
    return np.array(["".join(r) for r in ALPHABET[rng.integers(0, symbols, (n, width))]], dtype=object)


@pytest.mark.parametrize("width", [1, 2, 3, 7, 8, 9, 18, 25])
def test_same_answer_as_arrow_with_duplicates_and_strangers(width: int) -> None:
    rng = np.random.default_rng(width)
    pool = _codes(rng, 3_000, width, 4 if width < 3 else 31)
    universe = pd.Series(pool[rng.integers(0, len(pool), 3_000)], dtype="str")  # repeats: first one wins
    needles = pd.Series([*pool[rng.integers(0, len(pool), 6_000)], "Z" * width, "?" * width], dtype="str")
    assert np.array_equal(keys.positions(needles, universe), _expected(needles, universe))
    assert np.array_equal(keys.positions(needles.astype(object), universe.astype(object)), _expected(needles, universe))


def test_codes_that_lose_their_slot_are_still_found() -> None:
    # 200,000 codes in a table of 2**21 slots: several thousand share a slot with another code
    universe = pd.Series([f"91330100{i:09d}X" for i in range(200_000)], dtype="str")
    needles = pd.concat(
        [universe.sample(frac=1.0, random_state=1), pd.Series([f"91330100{i:09d}Y" for i in range(500)], dtype="str")],
        ignore_index=True,
    )
    assert np.array_equal(keys.positions(needles, universe), _expected(needles, universe))


def test_mixed_widths_missing_values_and_slices() -> None:
    universe = pd.Series(["A", "BB", "CCC", None, ""], dtype="str")
    needles = pd.Series(["BB", None, "", "A", "Z"], dtype="str")
    assert keys.positions(needles, universe).tolist() == _expected(needles, universe).tolist()
    assert keys.positions(pd.Series(["AB"], dtype="str"), pd.Series(["ABC"], dtype="str")).tolist() == [-1]
    big = pa.array([f"K{i:05d}" for i in range(10_000)], type=pa.large_string())
    a, b = pd.Series(big.slice(500, 3_000), dtype="str"), pd.Series(big.slice(2_000, 5_000), dtype="str")
    assert np.array_equal(keys.positions(a, b), _expected(a, b))


def test_a_remembered_answer_is_a_copy_and_never_outlives_a_change() -> None:
    universe = pd.Series([f"K{i:04d}" for i in range(1_000)], dtype="str")
    frame = pd.DataFrame({"k": pd.Series([f"K{i:04d}" for i in range(999, -1, -1)], dtype="str")})
    first = keys.positions(frame["k"], universe)
    first[:] = -5  # a caller may write into its answer
    assert keys.positions(frame["k"], universe)[0] == 999
    frame.loc[0, "k"] = "K0500"
    assert keys.positions(frame["k"], universe)[0] == 500
    del frame
    gc.collect()
    assert all(entry[0]() is not None for entry in keys._MEMO._entries)  # entries go with their column


def test_ascending_places_follow_a_stable_sort() -> None:
    values = pd.Series(["b", "a", "c", "a"], dtype="str")
    assert keys.ascending(values).tolist() == [2, 0, 3, 1]
    assert keys.ascending(pd.Series(["a", "b", "c"], dtype="str")).tolist() == [0, 1, 2]
