"""Campaign phases, per-district tasks and KPI targets (SPEC §6): functions taking a Session."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scoring.storage.columns import utcnow
from scoring.storage.errors import StorageError
from scoring.storage.models import KpiTarget, Phase, PhaseTask

TASK_STATUSES = ("todo", "in_progress", "done")
PHASE_COLUMNS = ["id", "name", "position", "start", "end"]
TASK_COLUMNS = ["id", "phase_id", "phase", "district", "name", "position", "due", "status", "note", "updated_by"]


def list_phases(session: Session) -> pd.DataFrame:
    """Phases in plan order: id, name, position, start, end (datetime.date)."""
    rows = session.execute(
        select(Phase.id, Phase.name, Phase.position, Phase.start_date, Phase.end_date).order_by(
            Phase.position, Phase.start_date
        )
    ).all()
    return pd.DataFrame(rows, columns=PHASE_COLUMNS)


def replace_phases(session: Session, phases: Sequence[tuple[str, date, date]]) -> None:
    """Make the plan exactly ``phases`` (name, start, end) in that order; tasks of removed phases go too."""
    names = [name for name, _, _ in phases]
    if len(set(names)) != len(names):
        raise StorageError("阶段名称不能重复")
    for name, start, end in phases:
        if end < start:
            raise StorageError(f"阶段“{name}”的结束日期早于开始日期")
    existing = {p.name: p for p in session.execute(select(Phase)).scalars()}
    for gone in set(existing) - set(names):
        session.execute(delete(PhaseTask).where(PhaseTask.phase_id == existing[gone].id))
        session.delete(existing[gone])
    session.flush()
    for position, (name, start, end) in enumerate(phases):
        phase = existing.get(name)
        if phase is None:
            session.add(Phase(name=name, position=position, start_date=start, end_date=end))
        else:
            phase.position, phase.start_date, phase.end_date = position, start, end
    session.flush()


def list_tasks(session: Session, districts: Collection[str] | None) -> pd.DataFrame:
    """Tasks with their phase, in plan order (only the given districts when not None)."""
    t = PhaseTask
    stmt = (
        select(t.id, t.phase_id, Phase.name, t.district, t.name, t.position, t.due_date, t.status, t.note, t.updated_by)
        .join(Phase, Phase.id == t.phase_id)
        .order_by(t.district, Phase.position, t.position)
    )
    if districts is not None:
        stmt = stmt.where(t.district.in_(sorted(districts)))
    return pd.DataFrame(session.execute(stmt).all(), columns=TASK_COLUMNS)


def add_missing_tasks(session: Session, wanted: Mapping[int, Sequence[str]], districts: Iterable[str]) -> int:
    """Give every district each task name of each phase it does not have yet; returns how many were added."""
    have = set(session.execute(select(PhaseTask.phase_id, PhaseTask.district, PhaseTask.name)).all())
    added = 0
    for district in districts:
        for phase_id, names in wanted.items():
            for position, name in enumerate(names):
                if (phase_id, district, name) not in have:
                    session.add(
                        PhaseTask(
                            phase_id=phase_id, district=district, name=name, position=position, status="todo",
                            updated_at=utcnow(),
                        )
                    )  # fmt: skip
                    added += 1
    session.flush()
    return added


def set_task_statuses(
    session: Session, changes: Mapping[int, tuple[str, str | None]], user: str, districts: Collection[str] | None
) -> int:
    """Set (status, note) of tasks by id; tasks outside ``districts`` are refused. Returns rows changed."""
    if not changes:
        return 0
    tasks = session.execute(select(PhaseTask).where(PhaseTask.id.in_(list(changes)))).scalars().all()
    if len(tasks) != len(changes):
        raise StorageError("任务不存在或已被删除，请刷新页面")
    changed = 0
    for task in tasks:
        if districts is not None and task.district not in districts:
            raise StorageError(f"无权修改“{task.district}”的任务")
        status, note = changes[task.id]
        if status not in TASK_STATUSES:
            raise StorageError(f"未知的任务状态：{status}")
        if (task.status, task.note or None) != (status, note or None):
            task.status, task.note = status, note or None
            task.updated_at, task.updated_by = utcnow(), user
            changed += 1
    session.flush()
    return changed


def kpi_targets(session: Session) -> dict[str, float]:
    """Stored KPI targets by key (keys without a row use the service's defaults)."""
    return {k: float(v) for k, v in session.execute(select(KpiTarget.key, KpiTarget.target)).all()}


def set_kpi_targets(session: Session, targets: Mapping[str, float], user: str) -> None:
    for key, value in targets.items():
        row = session.get(KpiTarget, key)
        if row is None:
            session.add(KpiTarget(key=key, target=float(value), updated_at=utcnow(), updated_by=user))
        else:
            row.target, row.updated_at, row.updated_by = float(value), utcnow(), user
    session.flush()
