"""Column formatting prints exactly what Python prints for each value (the reasons of §5.4 quote it)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.engine.formatting import iso_dates, two_decimals


def test_two_decimals_is_pythons_format_including_ties() -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [
            rng.random(20_000) * 200,
            rng.integers(0, 20_000, 5_000) / 100,  # scores already rounded to cents
            (rng.integers(0, 200_000, 5_000) + 0.5) / 1_000,  # ties at the third decimal
            rng.integers(0, 100, 5_000) / rng.integers(1, 200, 5_000) * 100,  # rates in percent
            np.array([0.0, -0.0, 0.005, 0.015, 0.125, 1.005, 2.675, 1e-9, -1e-9, -2.5, 2**-9, 123456789.125]),
        ]
    )
    assert two_decimals(values).to_pylist() == [f"{v:.2f}" for v in values]


def test_iso_dates() -> None:
    dates = pd.Series(pd.to_datetime(["2025-09-19", "2026-04-30", None]))
    assert iso_dates(dates).to_pylist() == ["2025-09-19", "2026-04-30", None]
