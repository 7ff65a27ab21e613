"""商户排名: filter by district, industry, grade and veto; sort; page through; open any merchant; download.

The run's ranking is filtered, sorted and paged in SQL (one page of rows per screen, however many
merchants the run has), and the filters and table are a fragment: changing a filter reruns only
that part of the page, after the same session checks as a full run.
"""

import streamlit as st

from scoring.services.context import UserContext
from scoring.services.dashboard import RankingFilter, RankingOrder, RankingPage, ranking_csv
from ui import auth, data, state, tables, widgets
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
run = status.run


def download(viewer: UserContext, chosen: RankingFilter, order: RankingOrder, matched: int) -> None:
    if viewer.can("export_internal"):
        st.download_button(
            t("ranking.download", n=matched), mime="text/csv", on_click="ignore", icon=":material/download:",
            data=lambda: ranking_csv(data.engine(), viewer, run.id, chosen, order),
            file_name=t("ranking.file", round=round_name), key="ranking_csv",
        )  # fmt: skip


@st.fragment
def ranking() -> None:
    with tables.reported_failures("ranking"):
        show()


def show() -> None:
    viewer = auth.signed_in_user(data.engine())  # a fragment run skips app.py: the same time-outs and scope
    if viewer != user:
        st.rerun(scope="app")
    assert viewer is not None
    if st.session_state.get("ranking_of") != (run.id, viewer.cache_key):  # another run or scope: start afresh
        st.session_state["ranking_of"] = (run.id, viewer.cache_key)
        for key in (*tables.VIEW_KEYS, "ranking_table", "ranking_view", "ranking_shown"):
            st.session_state.pop(key, None)
    controls = st.container()  # the filters sit above the table but are drawn after it (choices come later)
    chosen, order, size = tables.ranking_state()
    if st.session_state.get("ranking_view") != (chosen, order, size):  # a new selection starts on page 1
        st.session_state["ranking_view"] = (chosen, order, size)
        st.session_state["r_page"] = 1
    found = data.ranking_page(viewer, run.id, chosen, order, int(st.session_state.get("r_page") or 1), size)
    if found.total == 0:
        widgets.empty(t("ranking.no_rows"))
        return
    if found.matched == 0:
        widgets.empty(t("ranking.no_match"))
    else:
        table(viewer, found, chosen, order, size)
    with controls:
        drawn = tables.ranking_filters(data.ranking_choices(viewer, run)), *tables.ranking_order()
    if drawn != (chosen, order, size):  # a widget dropped a value it does not offer: show what they hold
        st.rerun()


def table(viewer: UserContext, found: RankingPage, chosen: RankingFilter, order: RankingOrder, size: int) -> None:
    st.session_state["r_page"] = found.offset // size + 1  # past the end (fewer rows now) = the last page
    if st.session_state.get("ranking_shown") != (chosen, order, size, found.offset):  # other rows: no selection
        st.session_state["ranking_shown"] = (chosen, order, size, found.offset)
        st.session_state.pop("ranking_table", None)
    last = found.offset + len(found.rows)
    st.caption(t("ranking.count", first=found.offset + 1, last=last, matched=found.matched, total=found.total))
    event = st.dataframe(
        tables.ranking_view(found.rows),
        column_config=tables.ranking_columns(),
        hide_index=True,
        width="stretch",
        height=min(560, 35 * (len(found.rows) + 1) + 3),  # a short page has no empty rows below it
        on_select="rerun",
        selection_mode="single-row",
        key="ranking_table",
    )
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    with c1:
        tables.page_number(found.matched, size)
    with c2:
        download(viewer, chosen, order, found.matched)
    rows = [r for r in event.selection.rows if r < len(found.rows)]
    if not rows:
        st.caption(t("ranking.select_hint"))
    else:
        picked = found.rows.iloc[rows[0]]
        if st.button(t("ranking.open", name=picked["name"]), type="primary", icon=":material/storefront:"):
            state.open_merchant(str(picked["uscc"]))
            st.switch_page("pages/merchant.py")


ranking()
