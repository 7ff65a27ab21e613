"""Internal lists (SPEC §8): §5.1 with explanations, candidates with reasons, district ranking — one workbook."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from scoring.exports.safe import to_xlsx_bytes
from scoring.exports.tables import COUNT_HEADERS, RANK_HEADERS, RATIO_HEADERS


def _formats(frame: pd.DataFrame) -> dict[str, str]:
    """Whole numbers for ranks and counts, percentages for ratios (the UI shows percentages too)."""
    out: dict[str, str] = {}
    for col in map(str, frame.columns):
        if col in RANK_HEADERS or col in COUNT_HEADERS:
            out[col] = "0"
        elif col in RATIO_HEADERS:
            out[col] = "0.00%"
    return out


def internal_xlsx(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The given tables (Chinese headers already) as sheets of one workbook, text never a formula."""
    return to_xlsx_bytes(sheets, {name: _formats(frame) for name, frame in sheets.items()})
