"""Each 区县's own KPI targets (SPEC §6): read and replaced within the caller's district scope.

A district without a row for a KPI uses the campaign's target (``progress.kpi_targets``). The scope
is checked here, in the data layer: a scoped caller reads only its districts' rows and cannot write
another district's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scoring.storage.columns import utcnow
from scoring.storage.errors import StorageError
from scoring.storage.models import DistrictKpiTarget

COLUMNS: Final = ("district", "key", "target", "updated_by")


def district_targets(session: Session, scope: Collection[str] | None) -> pd.DataFrame:
    """Rows (district, key, target, updated_by) of the districts in ``scope`` (None = all)."""
    t = DistrictKpiTarget
    stmt = select(t.district, t.key, t.target, t.updated_by).order_by(t.district, t.key)
    if scope is not None:
        stmt = stmt.where(t.district.in_(sorted(scope)))
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["target"] = frame["target"].astype("float64")
    return frame


def replace_district_targets(
    session: Session,
    targets: Mapping[str, Mapping[str, float | None]],
    user: str,
    scope: Collection[str] | None,
) -> dict[str, dict[str, float | None]]:
    """Set each district's targets (None removes one); returns what changed, by district and key."""
    outside = sorted(d for d in targets if scope is not None and d not in scope)
    if outside:
        raise StorageError(f"无权修改“{'、'.join(outside)}”的目标值。")
    stored = {
        (d, k): v
        for d, k, v in session.execute(
            select(DistrictKpiTarget.district, DistrictKpiTarget.key, DistrictKpiTarget.target).where(
                DistrictKpiTarget.district.in_(sorted(targets))
            )
        ).all()
    }
    changed: dict[str, dict[str, float | None]] = {}
    now = utcnow()
    for district, values in targets.items():
        for key, value in values.items():
            old = stored.get((district, key))
            if value is None and old is not None:
                session.execute(
                    delete(DistrictKpiTarget).where(
                        DistrictKpiTarget.district == district, DistrictKpiTarget.key == key
                    )
                )
            elif value is not None and old is None:
                session.add(
                    DistrictKpiTarget(district=district, key=key, target=value, updated_at=now, updated_by=user)
                )
            elif value is not None and old is not None and float(old) != value:
                row = session.get(DistrictKpiTarget, (district, key))
                assert row is not None
                row.target, row.updated_at, row.updated_by = value, now, user
            else:
                continue
            changed.setdefault(district, {})[key] = value
    session.flush()
    return changed
