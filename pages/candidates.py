"""示范单位候选 (SPEC §5.4, §5.6, §5.7, §8): who is selected, waiting or out and why; quotas; robustness;
review with reasons and history; recognised units, revocation alerts and expiry; the 公示名单."""

import streamlit as st

from ui import candidates_parts, review_parts, state, widgets
from ui.i18n import t

user = state.require_user()
st.title(t("cand.title"))
review_parts.alerts_banner(user)
round_name = state.selected_round()
if round_name is None:
    widgets.empty(t("overview.no_rounds") + " " + t("overview.next_import"))
    st.stop()
status = widgets.run_state(user, round_name, key="cand_run")
if status.run is None:
    st.stop()
found = candidates_parts.results(user, round_name, status.run.id)
tabs = st.tabs([t("cand.tab_list"), t("cand.tab_quota"), t("cand.tab_robust"), t("cand.tab_review"),
                t("cand.tab_titles"), t("cand.tab_export")])  # fmt: skip
with tabs[0]:
    candidates_parts.candidate_list(found)
with tabs[1]:
    candidates_parts.quota_use(found)
with tabs[2]:
    candidates_parts.robustness(user, round_name, status.run.id)
with tabs[3]:
    review_parts.cases_panel(user, round_name, found)
with tabs[4]:
    review_parts.titles_panel(user)
with tabs[5]:
    candidates_parts.exports(user, round_name)
