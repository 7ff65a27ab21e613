"""商户排名: filter by district, industry, grade and veto; sortable scores; open any merchant."""

import streamlit as st

from scoring.services.dashboard import filter_ranking, grade_order
from ui import data, state, tables, widgets
from ui.i18n import t

user = state.require_user()
st.title(t("ranking.title"))
round_name = state.selected_round()
if round_name is None:
    widgets.empty(t("overview.no_rounds") + " " + t("overview.next_import"))
    st.stop()
status = widgets.run_state(user, round_name, key="ranking_run")
if status.run is None:
    st.stop()
slot = st.empty()
frame = data.ranking(user, status.run.id, preview=lambda top, n: tables.preview(slot, top, n))
slot.empty()
if frame.empty:
    widgets.empty(t("ranking.no_rows"))
    st.stop()
present = set(frame["grade"].unique())  # never iterate the 100,000-row column itself
chosen = tables.ranking_filters(frame, [g for g in grade_order(data.system(status.run.indicator_hash)) if g in present])
shown = filter_ranking(frame, chosen)
st.caption(t("ranking.count", shown=len(shown), total=len(frame)))
if shown.empty:
    widgets.empty(t("ranking.no_match"))
    st.stop()
if len(shown) > tables.SELECTABLE_ROWS:  # served in chunks as the user scrolls; narrow it down to pick a row
    view, config = tables.ranking_view(shown), tables.ranking_columns()
    st.dataframe(view, column_config=config, hide_index=True, width="stretch", height=560, lazy=True)
    st.caption(t("ranking.narrow_to_select", n=tables.SELECTABLE_ROWS))
    st.stop()
event = st.dataframe(
    tables.ranking_view(shown),
    column_config=tables.ranking_columns(),
    hide_index=True,
    width="stretch",
    height=560,
    on_select="rerun",
    selection_mode="single-row",
    key="ranking_table",
)
rows = [r for r in event.selection.rows if r < len(shown)]
if not rows:
    st.caption(t("ranking.select_hint"))
else:
    picked = shown.iloc[rows[0]]
    if st.button(t("ranking.open", name=picked["name"]), type="primary", icon=":material/storefront:"):
        state.open_merchant(str(picked["uscc"]))
        st.switch_page("pages/merchant.py")
