"""区县排名 (SPEC §5.5): the table, the index chart, the score distribution, the change since the previous round."""

import plotly.graph_objects as go
import streamlit as st

from ui import data, state, tables, widgets
from ui.i18n import t

user = state.require_user()
st.title(t("districts.title"))
round_name = state.selected_round()
if round_name is None:
    widgets.empty(t("overview.no_rounds") + " " + t("overview.next_import"))
    st.stop()
status = widgets.run_state(user, round_name, key="districts_run")
view = data.districts(user, round_name, status.run.id) if status.run else None
if view is None:
    st.stop()
st.caption(t("districts.formula"))
st.dataframe(
    tables.district_view(view.table), column_config=tables.district_columns(), hide_index=True, width="stretch"
)
left, right = st.columns(2)
with left:
    d = view.table.sort_values("district_index")
    bars = go.Figure(go.Bar(x=d["district_index"], y=d["district"], orientation="h", texttemplate="%{x:.2f}"))
    widgets.figure(bars, t("districts.chart_index", round=round_name), x=t("axis.index"), y=t("axis.district"))
with right:
    box = go.Figure()
    for name in view.table["district"]:
        box.add_trace(go.Box(y=view.scores.loc[view.scores["district"] == name, "total"], name=name, boxmean=True))
    box.update_layout(showlegend=False)
    widgets.figure(box, t("districts.chart_scores"), x=t("axis.district"), y=t("axis.total"))
st.subheader(t("districts.changes", previous=view.previous_round or "—"))
if view.previous_round is None:
    widgets.empty(t("districts.no_previous"))
else:
    changes = view.changes.rename(columns=lambda c: t(f"change.{c}"))
    number = st.column_config.NumberColumn
    st.dataframe(
        changes,
        hide_index=True,
        width="stretch",
        column_config={t("change.index_change"): number(format="%+.2f"), t("change.rank_change"): number(format="%+d")},
    )
