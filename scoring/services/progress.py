"""Phase progress (SPEC §6): the plan's phases, per-district task checklists, data coverage, KPI targets.

Task status codes are ``todo`` / ``in_progress`` / ``done`` (the UI shows 未开始 / 进行中 / 已完成);
a task is overdue when its due date (else its phase's end date) has passed and it is not done.
KPI traffic lights: green when the target is met, yellow within 90% of it, red below; a district is
measured against its own target where one is set (``scoring.services.kpi_targets``), else the campaign's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scoring.engine.frames import CLOSED_OUTCOMES
from scoring.services.context import PermissionDenied, UserContext, local_today
from scoring.services.kpi_targets import DEFAULT_TARGETS, own_targets
from scoring.storage import progress as store
from scoring.storage import repository as repo
from scoring.storage import views
from scoring.storage.database import session_scope
from scoring.storage.errors import StorageError

DEFAULT_PLAN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("筹备", ("成立组织机构", "明确责任分工", "调研与需求分析", "宣传推广", "预算编制")),
    ("实施", ("宣传教育", "监督检查", "示范引领", "检查评估")),
    ("总结", ("成效评估", "经验总结", "改进措施")),
)
TASK_STATUSES = store.TASK_STATUSES
KpiKey = Literal["coverage", "on_time_rate", "satisfaction"]
YELLOW_SHARE = 0.9  # yellow light from 90% of the target
Light = Literal["green", "yellow", "red", "none"]


@dataclass(frozen=True)
class Kpi:
    key: str
    actual: float | None  # None = not measurable yet (no scoring run)
    target: float
    light: Light


def light(actual: float | None, target: float) -> Light:
    """Traffic light of one KPI figure."""
    if actual is None or pd.isna(actual):
        return "none"
    if actual >= target:
        return "green"
    return "yellow" if actual >= YELLOW_SHARE * target else "red"


def phases(engine: Engine, user: UserContext, today: date | None = None) -> pd.DataFrame:
    """Phases with dates, state (upcoming / active / finished) and task progress within the user's districts."""
    user.require("view")
    today = today or local_today()
    with session_scope(engine, write=False) as s:
        plan = store.list_phases(s)
        tasks = store.list_tasks(s, user.scope)
    done = tasks.assign(done=tasks["status"] == "done").groupby("phase_id")["done"].agg(["sum", "count"])
    plan["tasks"] = plan["id"].map(done["count"]).fillna(0).astype(int)
    plan["done"] = plan["id"].map(done["sum"]).fillna(0).astype(int)
    plan["progress"] = (plan["done"] / plan["tasks"].where(plan["tasks"] > 0)).fillna(0.0)
    plan["state"] = [
        "upcoming" if today < start else "finished" if today > end else "active"
        for start, end in zip(plan["start"], plan["end"], strict=True)
    ]
    return plan


def default_dates(rounds: pd.DataFrame, today: date) -> list[tuple[str, date, date]]:
    """Default phase dates: 筹备 the 60 days before the first round, 实施 the rounds, 总结 60 days after."""
    if rounds.empty:
        first, last = today, today + timedelta(days=300)
    else:
        first, last = rounds["start"].min().date(), rounds["end"].max().date()
    return [
        ("筹备", first - timedelta(days=60), first - timedelta(days=1)),
        ("实施", first, last),
        ("总结", last + timedelta(days=1), last + timedelta(days=60)),
    ]


def create_default_plan(engine: Engine, user: UserContext, today: date | None = None) -> int:
    """Create the default phases (dated from the rounds) and give every district the default tasks."""
    user.require("manage_campaign")
    with session_scope(engine) as s:
        if not store.list_phases(s).empty:
            raise StorageError("已有阶段计划，请直接修改。")
        store.replace_phases(s, default_dates(repo.rounds(s), today or local_today()))
        added = _sync_tasks(s)
        repo.append_audit(s, user.username, "phases_default_plan", {"tasks": added})
    return added


def _sync_tasks(session: Session) -> int:
    plan = store.list_phases(session)
    tasks = store.list_tasks(session, None)
    defaults = dict(DEFAULT_PLAN)
    wanted: dict[int, list[str]] = {}
    for phase_id, name in zip(plan["id"], plan["name"], strict=True):
        own = tasks[tasks["phase_id"] == phase_id].sort_values("position")["name"].drop_duplicates().tolist()
        wanted[int(phase_id)] = own or list(defaults.get(name, ()))
    return store.add_missing_tasks(session, wanted, repo.district_names(session))


def save_phases(engine: Engine, user: UserContext, edited: pd.DataFrame) -> int:
    """Replace the plan with ``edited`` (columns name, start, end); every district gets the tasks it lacks."""
    user.require("manage_campaign")
    rows: list[tuple[str, date, date]] = []
    problems = []
    for i, (name, start, end) in enumerate(edited[["name", "start", "end"]].itertuples(index=False), start=1):
        if not isinstance(name, str) or not name.strip():
            problems.append(f"第 {i} 行：缺少阶段名称")
        elif pd.isna(start) or pd.isna(end):
            problems.append(f"第 {i} 行（{name}）：缺少开始或结束日期")
        else:
            rows.append((name.strip(), pd.Timestamp(start).date(), pd.Timestamp(end).date()))
    if problems:
        raise StorageError("；".join(problems))
    with session_scope(engine) as s:
        store.replace_phases(s, rows)
        added = _sync_tasks(s)
        repo.append_audit(s, user.username, "phases_saved", {"phases": [r[0] for r in rows], "tasks_added": added})
    return added


def districts(engine: Engine, user: UserContext) -> list[str]:
    """The districts whose checklists the user may open."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        names = repo.district_names(s)
    return [d for d in names if user.scope is None or d in user.scope]


def checklist(engine: Engine, user: UserContext, district: str, today: date | None = None) -> pd.DataFrame:
    """One district's tasks: id, phase, name, due (task or phase end), status, overdue, note, updated_by."""
    user.require("view")
    if user.scope is not None and district not in user.scope:
        raise PermissionDenied(f"无权查看“{district}”的任务。")
    today = today or local_today()
    with session_scope(engine, write=False) as s:
        plan = store.list_phases(s).set_index("id")
        tasks = store.list_tasks(s, {district})
    due = tasks["due"].where(tasks["due"].notna(), tasks["phase_id"].map(plan["end"]))
    tasks["due"] = due
    tasks["overdue"] = [
        (d is not None and d < today and st != "done") for d, st in zip(due, tasks["status"], strict=True)
    ]
    return tasks[["id", "phase", "name", "due", "status", "overdue", "note", "updated_by"]].reset_index(drop=True)


def save_checklist(engine: Engine, user: UserContext, district: str, edited: pd.DataFrame) -> int:
    """Store the status and note of a district's tasks (only permitted roles, only their districts)."""
    user.require("edit_tasks")
    if user.scope is not None and district not in user.scope:
        raise PermissionDenied(f"无权修改“{district}”的任务。")
    changes = {
        int(i): (str(st), None if pd.isna(note) or not str(note).strip() else str(note).strip())
        for i, st, note in edited[["id", "status", "note"]].itertuples(index=False)
    }
    with session_scope(engine) as s:
        owned = set(store.list_tasks(s, {district})["id"].astype(int))
        if not set(changes) <= owned:
            raise PermissionDenied(f"只能修改“{district}”自己的任务。")
        changed = store.set_task_statuses(s, changes, user.username, {district})
        if changed:
            repo.append_audit(s, user.username, "tasks_saved", {"district": district, "changed": changed})
    return changed


def progress_matrix(engine: Engine, user: UserContext, today: date | None = None) -> pd.DataFrame:
    """Share of tasks done per district (rows) and phase (columns), plus overdue tasks per district."""
    user.require("view")
    today = today or local_today()
    with session_scope(engine, write=False) as s:
        plan = store.list_phases(s).set_index("id")
        tasks = store.list_tasks(s, user.scope)
    if tasks.empty:
        return pd.DataFrame(columns=["district", *plan["name"].tolist(), "overdue"])
    due = tasks["due"].where(tasks["due"].notna(), tasks["phase_id"].map(plan["end"]))
    tasks["overdue"] = [d < today and st != "done" for d, st in zip(due, tasks["status"], strict=True)]
    tasks["done"] = tasks["status"] == "done"
    share = tasks.pivot_table(index="district", columns="phase", values="done", aggfunc="mean")
    share = share.reindex(columns=[p for p in plan["name"] if p in share.columns])
    share["overdue"] = tasks.groupby("district")["overdue"].sum().astype(int)
    return share.reset_index()


def coverage(engine: Engine, user: UserContext) -> pd.DataFrame:
    """Data loaded per round within the user's districts: inspections, surveys (valid/invalid), complaints, scored."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        frame = views.round_coverage(s, user.scope)
        registry = views.registry_by_district(s, user.scope)
        latest = views.latest_run_ids(s)
        scored = {
            name: len(views.ranking_rows(s, run_id, user.scope)) for name, run_id in latest.items()
        }  # small per round; the coverage page is not on a hot path
    frame["merchants"] = int(registry["merchants"].sum())
    frame["applicants"] = int(registry["applicants"].sum())
    frame["scored"] = frame["round"].map(scored).astype("Int64")
    return frame.drop(columns=["round_id"])


def targets(engine: Engine) -> dict[str, float]:
    with session_scope(engine, write=False) as s:
        stored = store.kpi_targets(s)
    return {k: stored.get(k, v) for k, v in DEFAULT_TARGETS.items()}


def save_targets(engine: Engine, user: UserContext, new: dict[str, float]) -> None:
    user.require("manage_campaign")
    unknown = set(new) - set(DEFAULT_TARGETS)
    if unknown:
        raise StorageError(f"未知的指标：{'、'.join(sorted(unknown))}")
    with session_scope(engine) as s:
        store.set_kpi_targets(s, new, user.username)
        repo.append_audit(s, user.username, "kpi_targets_saved", new)


def kpis(engine: Engine, user: UserContext, round_name: str, satisfaction: pd.Series | None) -> pd.DataFrame:
    """KPI figures for the round per district and for all the user's districts (row ``district`` = None).

    ``satisfaction`` is the likert index (0–100) of each scored merchant whose F1 applies, indexed by
    district (from the run's results); None when the round has no run. Per KPI, ``<key>_target`` is the
    target the row is measured against (the district's own, else the campaign's) and ``<key>_light`` its light.
    """
    user.require("view")
    goal = targets(engine)
    with session_scope(engine, write=False) as s:
        period = views.round_period(s, round_name)
        if period is None:
            raise StorageError(f"评估轮次“{round_name}”不存在。")
        start, end = period
        run_id = views.latest_run_ids(s).get(round_name)
        districts = views.district_rows(s, run_id, user.scope) if run_id else None
        complaints = views.complaint_totals(s, start, end, user.scope)
        names = views.registry_by_district(s, user.scope)["district"].tolist()
        own = own_targets(s, user.scope)
    closed = complaints[complaints["outcome"].isin(CLOSED_OUTCOMES)]
    on_time = closed[closed["on_time"].fillna(False).astype(bool)]
    rows = []

    def pick(frame: pd.DataFrame, district: str | None) -> pd.DataFrame:
        return frame if district is None else frame[frame["district"] == district]

    for district in [*names, None]:
        n_closed, n_on_time = int(pick(closed, district)["n"].sum()), int(pick(on_time, district)["n"].sum())
        cov = sat = None
        if districts is not None:
            d = pick(districts, district)
            applicants = float(d["applicants"].sum())
            cov = float(d["inspected_applicants"].sum()) / applicants if applicants else 0.0
        if satisfaction is not None:
            values = satisfaction if district is None else satisfaction[satisfaction.index == district]
            sat = float(values.mean()) if len(values) else 0.0
        rate = n_on_time / n_closed if n_closed else 1.0
        rows.append(
            {"district": district, "coverage": cov, "on_time_rate": rate, "satisfaction": sat, "closed": n_closed}
        )
    frame = pd.DataFrame(rows)
    for key, target in goal.items():
        frame[key + "_target"] = frame["district"].map(own[key]).astype("float64").fillna(target)
        frame[key + "_light"] = [light(v, g) for v, g in zip(frame[key], frame[key + "_target"], strict=True)]
    return frame
