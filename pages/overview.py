"""总览: the round's key figures, phase status and the most useful charts."""

import plotly.graph_objects as go
import streamlit as st

from scoring.services import progress
from ui import data, state, widgets
from ui.i18n import t

user = state.require_user()
st.title(t("overview.title"))
round_name = state.selected_round()
if round_name is None:
    widgets.empty(
        t("overview.no_rounds") + " " + (t("overview.next_import") if user.can("import") else t("run.next_ask"))
    )
    st.stop()
status = widgets.run_state(user, round_name, key="overview_run")
phases = progress.phases(data.engine(), user)
if not phases.empty:
    active = phases[phases["state"] == "active"]
    text = "、".join(f"{n}（{p:.0%}）" for n, p in zip(active["name"], active["progress"], strict=True))
    st.caption(t("overview.phase", phases=text or t("overview.no_active_phase")))
if status.run is None:
    st.stop()
ov = data.overview(user, status.run)
widgets.metrics(
    [
        (t("fig.merchants"), ov.merchants),
        (t("fig.applicants"), ov.applicants),
        (t("fig.inspected"), ov.inspected),
        (t("fig.scored"), ov.scored),
        (t("fig.excellent_rate"), widgets.pct(ov.excellent_rate)),
        (t("fig.vetoed"), ov.vetoed),
        (t("fig.selected"), ov.selected),
        (t("fig.districts"), len(ov.districts)),
    ]
)
left, right = st.columns(2)
with left:
    colors = [widgets.GRADE_COLORS.get(i, widgets.COLORS[0]) for i in range(len(ov.grades))]
    bars = go.Figure(
        go.Bar(x=ov.grades["grade"], y=ov.grades["merchants"], text=ov.grades["merchants"], marker_color=colors)
    )
    widgets.figure(bars, t("overview.chart_grades"), x=t("axis.grade"), y=t("axis.merchants"))
with right:
    d = ov.districts.sort_values("district_index")
    index = go.Figure(go.Bar(x=d["district_index"], y=d["district"], orientation="h", texttemplate="%{x:.2f}"))
    widgets.figure(index, t("overview.chart_index"), x=t("axis.index"), y=t("axis.district"))
hist = go.Figure(go.Histogram(x=ov.totals, xbins={"size": 5}))
widgets.figure(hist, t("overview.chart_totals"), height=320, x=t("axis.total"), y=t("axis.merchants"))
