"""Competition ranking (SPEC §5.2, §10.4): 1, 2, 2, 4; vetoed merchants after all others."""

from __future__ import annotations

import pandas as pd

# Totals are at most a few hundred points, so a veto offset of 1e6 puts every vetoed merchant
# behind every other while keeping their order by total among themselves.
_VETO_OFFSET = 1_000_000.0


def competition_rank(total: pd.Series, vetoed: pd.Series, group: pd.Series | None = None) -> pd.Series:
    """Rank by rounded total desc (ties share the lowest rank), vetoed last; within ``group`` if given."""
    key = vetoed.astype(float) * _VETO_OFFSET - total.astype(float)
    if group is None:
        return key.rank(method="min", na_option="keep")
    return key.groupby(group.to_numpy(), sort=False).rank(method="min", na_option="keep")
