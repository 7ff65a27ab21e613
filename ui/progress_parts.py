"""The parts of the 阶段进度 page: timeline, phase editor, task checklist, progress matrix, coverage, KPIs
with their campaign and per-district target editors."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scoring.services import dashboard, kpi_targets, progress
from scoring.services.context import UserContext, local_today
from scoring.storage.errors import StorageError
from ui import data, state, widgets
from ui.i18n import t

LIGHT_COLORS = {"green": "green", "yellow": "orange", "red": "red", "none": "gray"}
STATE_COLORS = {"finished": "#81b29a", "active": "#1f6f8b", "upcoming": "#c9c9c9"}


def timeline(phases: pd.DataFrame) -> None:
    """Phases as bars on a date axis, coloured by state, with today's date marked; progress in the labels."""
    fig = go.Figure()
    for _, p in phases.iterrows():
        days = (p["end"] - p["start"]).days + 1
        label = t("progress.bar", phase=p["name"], done=p["done"], tasks=p["tasks"], pct=f"{p['progress']:.0%}")
        fig.add_trace(
            go.Bar(
                x=[days * 86_400_000],
                y=[label],
                base=[datetime.combine(p["start"], datetime.min.time())],
                orientation="h",
                marker_color=STATE_COLORS[p["state"]],
                name=t(f"phase.{p['state']}"),
                hovertemplate=f"{p['start']} – {p['end']}<extra>{t('phase.' + p['state'])}</extra>",
                showlegend=False,
            )
        )
    today = datetime.combine(local_today(), datetime.min.time())
    fig.add_shape(type="line", x0=today, x1=today, y0=0, y1=1, yref="paper", line={"color": "#e07a5f", "dash": "dot"})
    fig.update_xaxes(type="date", tickformat="%Y-%m")
    fig.update_yaxes(autorange="reversed")
    widgets.figure(
        fig, t("progress.chart_timeline"), height=120 + 60 * len(phases), x=t("axis.date"), y=t("axis.phase")
    )


def phase_editor(user: UserContext, phases: pd.DataFrame) -> None:
    with st.expander(t("progress.edit_phases")):
        frame = phases[["name", "start", "end"]].rename(columns=lambda c: t(f"phasecol.{c}"))
        edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key="phase_editor", width="stretch")
        if st.button(t("progress.save_phases"), key="save_phases"):
            back = edited.rename(columns={t(f"phasecol.{c}"): c for c in ("name", "start", "end")})
            added = progress.save_phases(data.engine(), user, back)
            data.clear()
            state.flash("success", t("progress.phases_saved", n=added))
            st.rerun()


def checklist(user: UserContext, phases: pd.DataFrame) -> None:
    """One district's tasks; roles that may edit change status and note, then save explicitly."""
    districts = progress.districts(data.engine(), user)
    if phases.empty or not districts:
        widgets.empty(t("progress.no_tasks"))
        return
    district = st.selectbox(t("filter.district_one"), districts, key="task_district")
    tasks = progress.checklist(data.engine(), user, district)
    if tasks.empty:
        widgets.empty(t("progress.no_tasks_district"))
        return
    editable = user.can("edit_tasks")
    labels = {s: t(f"task.{s}") for s in progress.TASK_STATUSES}
    view = tasks.assign(
        status=tasks["status"].map(labels),
        overdue=tasks["overdue"].map({True: t("task.overdue"), False: ""}),
        note=tasks["note"].fillna("").astype(str),
        updated_by=tasks["updated_by"].fillna("").astype(str),
    )
    view = view.drop(columns=["id"]).rename(columns=lambda c: t(f"taskcol.{c}"))
    config = {t("taskcol.status"): st.column_config.SelectboxColumn(options=list(labels.values()), required=True)}
    locked = [t(f"taskcol.{c}") for c in ("phase", "name", "due", "overdue", "updated_by")]
    edited = st.data_editor(
        view,
        hide_index=True,
        width="stretch",
        key=f"tasks_{district}",
        column_config=config,
        disabled=locked if editable else True,
    )
    if not editable:
        st.caption(t("progress.readonly"))
        return
    if st.button(t("progress.save_tasks"), type="primary", key=f"save_tasks_{district}"):
        back = {v: k for k, v in labels.items()}
        frame = pd.DataFrame(
            {"id": tasks["id"], "status": edited[t("taskcol.status")].map(back), "note": edited[t("taskcol.note")]}
        )
        changed = progress.save_checklist(data.engine(), user, district, frame)
        state.flash("success", t("progress.tasks_saved", n=changed, district=district))
        st.rerun()


def matrix(user: UserContext) -> None:
    frame = progress.progress_matrix(data.engine(), user)
    if frame.empty:
        widgets.empty(t("progress.no_tasks"))
        return
    phases = [c for c in frame.columns if c not in ("district", "overdue")]
    config = {p: st.column_config.ProgressColumn(p, format="percent", min_value=0, max_value=1) for p in phases}
    config["district"] = st.column_config.TextColumn(t("col.district"))
    config["overdue"] = st.column_config.NumberColumn(t("progress.overdue"), format="%d")
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


def coverage(user: UserContext) -> None:
    frame = progress.coverage(data.engine(), user)
    if frame.empty:
        widgets.empty(t("overview.no_rounds") + " " + t("overview.next_import"))
        return
    order = [
        "round",
        "start",
        "end",
        "merchants",
        "applicants",
        "inspections",
        "scored",
        "surveys",
        "invalid_surveys",
        "complaints",
    ]
    st.dataframe(frame[order].rename(columns=lambda c: t(f"cov.{c}")), hide_index=True, width="stretch")


def kpis(user: UserContext, round_name: str | None) -> None:
    if round_name is None:
        widgets.empty(t("overview.no_rounds"))
        return
    run_id = next((r.run_id for r in dashboard.rounds(data.engine(), user) if r.name == round_name), None)
    frame = data.kpis(user, round_name, run_id)
    goal = progress.targets(data.engine())
    st.caption(t("progress.kpi_caption", round=round_name))
    overall = frame[frame["district"].isna()].iloc[0]
    cols = st.columns(3, border=True)
    for col, key in zip(cols, ("coverage", "on_time_rate", "satisfaction"), strict=True):
        value = overall[key]
        col.metric(t(f"kpi.{key}"), _kpi_text(key, value), help=t("kpi.target", target=_kpi_text(key, goal[key])))
        light = overall[key + "_light"]
        col.badge(t(f"light.{light}"), color=LIGHT_COLORS[light])
    per = frame[frame["district"].notna()].copy()
    for key in kpi_targets.KPI_KEYS:
        own = [
            t("progress.own_target", target=_kpi_text(key, g)) if g != goal[key] else "" for g in per[key + "_target"]
        ]
        per[key] = [
            f"{_kpi_text(key, v)}（{'，'.join(filter(None, (t('light.' + lt), o)))}）"
            for v, lt, o in zip(per[key], per[key + "_light"], own, strict=True)
        ]
    shown = per[["district", "coverage", "on_time_rate", "satisfaction", "closed"]].rename(
        columns=lambda c: t(f"kpicol.{c}")
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    if run_id is None:
        st.caption(t("progress.kpi_unscored"))
    if user.can("manage_campaign"):
        target_editor(user, goal)
        district_target_editor(user)


def target_editor(user: UserContext, goal: dict[str, float]) -> None:
    """Administrators set the three KPI targets (percentages shown as percent)."""
    with st.expander(t("progress.edit_targets")), st.form("kpi_targets"):
        cols = st.columns(3)
        coverage = cols[0].number_input(t("kpi.coverage") + " %", 0.0, 100.0, 100 * goal["coverage"], 1.0)
        on_time = cols[1].number_input(t("kpi.on_time_rate") + " %", 0.0, 100.0, 100 * goal["on_time_rate"], 1.0)
        satisfaction = cols[2].number_input(t("kpi.satisfaction"), 0.0, 100.0, goal["satisfaction"], 1.0)
        if st.form_submit_button(t("progress.save_targets")):
            new = {"coverage": coverage / 100, "on_time_rate": on_time / 100, "satisfaction": satisfaction}
            progress.save_targets(data.engine(), user, new)
            state.flash("success", t("progress.targets_saved"))
            st.rerun()


def district_target_editor(user: UserContext) -> None:
    """Administrators set each 区县's own targets in one table (blank cell: the campaign's target)."""
    own = kpi_targets.district_targets(data.engine(), user)
    if own.empty:
        return
    shares = [k for k in kpi_targets.KPI_KEYS if k in kpi_targets.SHARE_KEYS]
    view = own.assign(**{k: (own[k] * 100).round(6) for k in shares})  # 0.85 → 85, not 85.00000000000001
    headers = {k: t(f"kpi.{k}") + (" %" if k in shares else "") for k in kpi_targets.KPI_KEYS}
    config = {h: st.column_config.NumberColumn(h, min_value=0.0, max_value=100.0, step=0.1) for h in headers.values()}
    with st.expander(t("progress.edit_district_targets")):
        st.caption(t("progress.district_targets_help"))
        edited = st.data_editor(
            view.rename(columns={"district": t("kpicol.district"), **headers}),
            hide_index=True,
            width="stretch",
            key="district_targets",
            column_config=config,
            disabled=[t("kpicol.district")],
        )
        if st.button(t("progress.save_district_targets"), key="save_district_targets"):
            back = edited.rename(columns={t("kpicol.district"): "district", **{h: k for k, h in headers.items()}})
            for k in shares:  # percent → share; a non-number stays as typed, for the service to report
                number = pd.to_numeric(back[k], errors="coerce")
                back[k] = (number / 100).round(8).astype(object).where(number.notna(), back[k])
            try:
                n = kpi_targets.save_district_targets(data.engine(), user, back)
            except StorageError as exc:
                st.error(str(exc))
                return
            state.flash("success", t("progress.district_targets_saved", n=n))
            st.rerun()


def _kpi_text(key: str, value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:.2f}" if key == "satisfaction" else f"{100 * number:.1f}%"
