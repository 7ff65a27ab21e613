"""阶段进度 (SPEC §6): phase timeline, per-district task checklist, progress, data coverage, KPI lights."""

import streamlit as st

from scoring.services import progress
from ui import data, progress_parts, state, widgets
from ui.i18n import t

user = state.require_user()
st.title(t("progress.title"))
phases = progress.phases(data.engine(), user)
if phases.empty:
    if user.can("manage_campaign"):
        widgets.empty(t("progress.no_phases") + " " + t("progress.next_create"))
        if st.button(t("progress.create_default"), type="primary"):
            added = progress.create_default_plan(data.engine(), user)
            state.flash("success", t("progress.created", n=added))
            st.rerun()
    else:
        widgets.empty(t("progress.no_phases") + " " + t("progress.next_ask"))
else:
    progress_parts.timeline(phases)
    if user.can("manage_campaign"):
        progress_parts.phase_editor(user, phases)
tasks_tab, matrix_tab, coverage_tab, kpi_tab = st.tabs(
    [t("progress.tab_tasks"), t("progress.tab_matrix"), t("progress.tab_coverage"), t("progress.tab_kpi")]
)
with tasks_tab:
    progress_parts.checklist(user, phases)
with matrix_tab:
    progress_parts.matrix(user)
with coverage_tab:
    progress_parts.coverage(user)
with kpi_tab:
    progress_parts.kpis(user, state.selected_round())
