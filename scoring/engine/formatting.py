"""Numbers and dates as text for whole columns, digit for digit what Python's own formatting prints."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]


def join(*parts: Any) -> Any:
    """Element-wise concatenation of Arrow string arrays and constant texts (null where any part is)."""
    typed = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*typed, pa.scalar("", pa.large_string()))


def two_decimals(values: np.ndarray[Any, Any]) -> Any:
    """``f"{v:.2f}"`` of every value as an Arrow string array (finite, |v| < 2**53 / 100), no Python call per value.

    Python rounds the exact binary value half to even; so does this, from the integer mantissa:
    v = M / 2**s exactly, so v × 100 = 100·M / 2**s is split into quotient and remainder exactly.
    """
    v = np.asarray(values, dtype=float)
    negative = np.signbit(v)  # Python prints -0.00 for -0.0 and for -0.001
    mantissa, exponent = np.frexp(np.abs(v))
    m = (mantissa * 2.0**53).astype(np.int64)  # exact: 53 significant bits
    shift = 53 - exponent.astype(np.int64)
    s = np.clip(shift, 1, 62)
    scaled = m * 100  # < 2**60
    quotient = scaled >> s
    remainder = scaled & ((np.int64(1) << s) - 1)
    half = np.int64(1) << (s - 1)
    up = (remainder > half) | ((remainder == half) & (quotient % 2 == 1))
    cents = np.where(shift <= 0, m * 100 << np.clip(-shift, 0, 62), quotient + up)  # |v| ≥ 2**53: whole
    cents = np.where(shift > 62, 0, cents)  # |v| < 2**-9 rounds to 0.00
    units = pc.cast(pa.array(cents // 100), pa.large_string())
    hundredths = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.large_string()), width=2, padding="0")
    sign = pa.array(np.where(negative, "-", ""), type=pa.large_string())
    return join(sign, units, ".", hundredths)


def iso_dates(values: pd.Series) -> Any:
    """``YYYY-MM-DD`` of every date as an Arrow string array (null where missing)."""
    days = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    return pc.cast(pa.array(days), pa.large_string())
