"""KPI targets (SPEC §6): the campaign's, and each 区县's own where an administrator has set one.

Coverage and on-time rate are shares (0–1, shown as percent); the satisfaction index is 0–100. A
district without its own target for a KPI is measured against the campaign's target. Editing needs
the ``manage_campaign`` permission (the one the campaign targets use), and a scoped user may only
change its own districts; the storage layer checks the scope again.
"""

from __future__ import annotations

import math
from typing import Final

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scoring.services.context import PermissionDenied, UserContext
from scoring.storage import kpi_targets as store
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.errors import StorageError

KPI_KEYS: Final = ("coverage", "on_time_rate", "satisfaction")
DEFAULT_TARGETS: dict[str, float] = {"coverage": 0.90, "on_time_rate": 0.95, "satisfaction": 80.0}
SHARE_KEYS: Final = frozenset({"coverage", "on_time_rate"})  # stored as 0–1, entered and shown as percent
KPI_NAMES: Final = {"coverage": "检查覆盖率", "on_time_rate": "投诉按时办结率", "satisfaction": "满意度指数"}


def district_targets(engine: Engine, user: UserContext) -> pd.DataFrame:
    """One row per district the user may see: ``district`` and per KPI its own target (NaN = the campaign's)."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        names = [d for d in repo.district_names(s) if user.scope is None or d in user.scope]
        frame = pd.DataFrame({"district": pd.Series(names, dtype=object)})
        for key, own in own_targets(s, user.scope).items():
            frame[key] = frame["district"].map(own).astype("float64")
    return frame


def own_targets(session: Session, scope: frozenset[str] | None) -> dict[str, pd.Series]:
    """Per KPI, the districts' own targets (a Series indexed by district; absent = the campaign's target)."""
    rows = store.district_targets(session, scope)
    return {key: rows.loc[rows["key"] == key].set_index("district")["target"] for key in KPI_KEYS}


def save_district_targets(engine: Engine, user: UserContext, edited: pd.DataFrame) -> int:
    """Store the districts' own targets from ``edited`` (``district`` and the KPI columns; blank = use the
    campaign's target). Every problem is reported at once in Chinese; returns the districts changed."""
    user.require("manage_campaign")
    outside = [d for d in edited["district"] if user.scope is not None and d not in user.scope]
    if outside:
        raise PermissionDenied(f"无权修改“{'、'.join(map(str, outside))}”的目标值。")
    with session_scope(engine) as s:
        wanted = _validated(edited, set(repo.district_names(s)))
        changed = store.replace_district_targets(s, wanted, user.username, user.scope)
        if changed:
            repo.append_audit(s, user.username, "kpi_targets_saved", {"districts": changed})
    return len(changed)


def _validated(edited: pd.DataFrame, known: set[str]) -> dict[str, dict[str, float | None]]:
    problems: list[str] = []
    wanted: dict[str, dict[str, float | None]] = {}
    columns = [c for c in KPI_KEYS if c in edited.columns]
    for i, row in enumerate(edited[["district", *columns]].itertuples(index=False), start=1):
        district = row[0]
        if district not in known:
            problems.append(f"第 {i} 行：区县“{district}”不存在")
            continue
        if district in wanted:
            problems.append(f"第 {i} 行：区县“{district}”重复")
            continue
        values: dict[str, float | None] = {}
        for key, raw in zip(columns, row[1:], strict=True):
            value, problem = _value(key, raw)
            if problem:
                problems.append(f"第 {i} 行（{district}）：{KPI_NAMES[key]}{problem}")
            values[key] = value
        wanted[district] = values
    if problems:
        raise StorageError("；".join(problems))
    return wanted


def _value(key: str, raw: object) -> tuple[float | None, str]:
    """The stored value of one cell (None = blank) and the problem with it ("" = none)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None, "须为数字"
    if math.isnan(value):
        return None, ""
    top = 1.0 if key in SHARE_KEYS else 100.0
    if math.isinf(value) or not 0.0 <= value <= top:
        return None, "须在 0% 到 100% 之间" if key in SHARE_KEYS else "须在 0 到 100 之间"
    return value, ""
