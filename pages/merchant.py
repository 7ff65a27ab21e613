"""商户详情: the explanation chain (SPEC §5.3), a radar against district and industry peers, history."""

import streamlit as st

from scoring.services import merchant_view
from ui import data, merchant_parts, state, widgets
from ui.i18n import t

user = state.require_user()
st.title(t("merchant.title"))
query = st.text_input(t("merchant.search"), placeholder=t("filter.search_hint"), key="m_search")
if query.strip():
    found = merchant_view.find(data.engine(), user, query)
    if found.empty:
        st.caption(t("merchant.no_match"))
    else:
        options = dict(
            zip(found["uscc"], found["name"] + " · " + found["uscc"] + " · " + found["district"], strict=True)
        )
        pick = st.selectbox(t("merchant.matches", n=len(found)), list(options), format_func=options.get)
        if st.button(t("merchant.open"), key="m_open") and pick:
            state.open_merchant(pick)
uscc, round_name = state.merchant(), state.selected_round()
if uscc is None or round_name is None:
    widgets.empty(t("merchant.empty"))
    st.stop()
detail = merchant_view.detail(data.engine(), user, round_name, uscc)
merchant_parts.header(detail)
if detail.run_id is None:
    widgets.empty(t("run.none", round=round_name) + " " + t("run.next_ask"))
elif detail.result is None:
    reasons = (detail.candidate or {}).get("reasons") or ""
    widgets.empty(t("merchant.not_inspected", round=round_name) + (f"（{reasons}）" if reasons else ""))
else:
    merchant_parts.summary(detail)
    explain_tab, peers_tab, history_tab = st.tabs(
        [t("merchant.tab_explain"), t("merchant.tab_peers"), t("merchant.tab_history")]
    )
    with explain_tab:
        merchant_parts.explanation(detail)
    with peers_tab:
        merchant_parts.radar(detail)
    with history_tab:
        merchant_parts.history(detail)
