"""Half-up rounding (SPEC §10.1): 88.625 → 88.63, never banker's rounding."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

# Binary floats store 88.625 exactly but a sum such as 88.62499999999 can arise from exact halves;
# the guard is far below any real difference at 2–4 decimals (scores are < 1e3).
_GUARD = 1e-7


def half_up(values: pd.Series, decimals: int = 2) -> pd.Series:
    """Round a float Series half away from zero to ``decimals`` places (NaN stays NaN)."""
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(half_up_array(arr, decimals), index=values.index)


def half_up_array(arr: npt.NDArray[np.float64], decimals: int = 2) -> npt.NDArray[np.float64]:
    """sign(x) × floor(|x| × 10^d + 0.5 + guard) / 10^d (no -0.0, NaN stays NaN)."""
    out: npt.NDArray[np.float64] = np.empty(np.shape(arr))
    half_up_into(arr, out, decimals)
    return out


def half_up_into(values: npt.NDArray[np.float64], out: npt.NDArray[np.float64], decimals: int = 2) -> None:
    """``half_up_array(values)`` written into ``out`` (which may be ``values`` itself)."""
    scale = 10.0**decimals
    magnitude = np.abs(values)
    magnitude *= scale
    magnitude += 0.5 + _GUARD
    np.floor(magnitude, out=magnitude)
    magnitude /= scale
    np.copysign(magnitude, values, out=out)
    out += 0.0  # turn -0.0 into 0.0


def half_up_scalar(value: float, decimals: int = 2) -> float:
    return float(half_up_array(np.array([value], dtype=float), decimals)[0])
