"""The demo campaign's phase plan: the default plan with 筹备 done and 实施 under way (SPEC §6).

Kept apart from the workbook generator because it writes through the services: the CLI ``demo``
command calls it after importing and scoring, so the 阶段进度 page has something to show at once.
"""

from __future__ import annotations

from sqlalchemy import Engine

from scoring.services import progress
from scoring.services.context import UserContext


def seed_phase_plan(engine: Engine, user: UserContext) -> int:
    """Create the default plan if there is none and mark a deterministic share of tasks per 区县.

    Every 区县 has finished its preparation tasks; the first five tasks are done, then each district
    is one to three tasks further (by its position), with the next one in progress. Returns the number
    of tasks whose status was set; 0 when a plan already existed (nothing is changed then).
    """
    if not progress.phases(engine, user).empty:
        return 0
    progress.create_default_plan(engine, user)
    changed = 0
    for i, district in enumerate(progress.districts(engine, user)):
        tasks = progress.checklist(engine, user, district)
        done = 5 + i % 3
        status = ["done" if n < done else "in_progress" if n == done else "todo" for n in range(len(tasks))]
        changed += progress.save_checklist(engine, user, district, tasks.assign(status=status))
    return changed
