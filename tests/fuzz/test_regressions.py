"""Replays every file the fuzzer ever crashed on (tests/fuzz/regressions/): each must now be read or refused
with a Chinese UploadError. ``make fuzz`` adds new ones; the file name's suffix says how it is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.test_properties import check

REGRESSIONS = sorted(p for p in (Path(__file__).parent / "regressions").iterdir() if p.name != "README.md")


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_regression_file(path: Path) -> None:
    for suffix in (".xlsx", ".csv"):  # atheris names crashes crash-<sha1>: try both readers
        check((f"regression{suffix}", path.read_bytes()))
