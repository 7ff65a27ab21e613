"""统一社会信用代码 (GB 32100-2015): structure and check character, vectorised for whole columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_LOOKUP = np.zeros(256, dtype=np.int64)
for _c, _v in _VALUE.items():
    _LOOKUP[ord(_c)] = _v


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (weights 3^i mod 31)."""
    total = sum(_VALUE[c] * int(w) for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def structure_problem(codes: pd.Series) -> pd.Series:
    """Per code, the Chinese reason it is malformed, or "" when well formed (check character aside)."""
    s = codes.astype("string").fillna("")
    reason = pd.Series("", index=s.index, dtype="string")
    bad_len = s.str.len() != 18
    bad_char = ~s.str.fullmatch(f"[{ALPHABET}]*").astype(bool)
    bad_region = ~s.str.slice(2, 8).str.fullmatch(r"\d{6}").astype(bool)
    reason = reason.mask(bad_region, "第 3–8 位（登记管理机关行政区划码）应为数字")
    reason = reason.mask(bad_char, "含有非法字符（只允许数字和除 I、O、S、V、Z 外的大写字母）")
    reason = reason.mask(bad_len, "长度应为 18 位，实际为 " + s.str.len().astype("string") + " 位")
    return reason.fillna("")


def check_character_ok(codes: pd.Series) -> pd.Series:
    """True where the 18th character matches GB 32100-2015 (codes must be well formed)."""
    s = codes.astype(str)
    if s.empty:
        return pd.Series(dtype=bool, index=codes.index)
    raw = np.frombuffer("".join(s).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    values = _LOOKUP[raw]
    total = (values[:, :17] * WEIGHTS).sum(axis=1)
    expected = (31 - total % 31) % 31
    return pd.Series(expected == values[:, 17], index=codes.index)
