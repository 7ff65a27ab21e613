"""指标体系 (SPEC §4): the active system as a tree and a sunburst, its versions and their diff, admin upload."""

import streamlit as st

from scoring.services import indicator_views
from ui import ahp_editor, data, indicator_parts, state
from ui.i18n import lang, t

user = state.require_user()
st.title(t("indicators.title"))
system = data.active_system()
st.caption(t("indicators.active", name=system.name.text(lang()), version=system.version, hash=system.short_hash))
names = [t("indicators.tab_tree"), t("indicators.tab_versions")]
if user.can("manage_indicators"):
    names += [t("indicators.tab_upload"), t("indicators.tab_ahp")]
tabs = st.tabs(names)
with tabs[0]:
    left, right = st.columns([2, 3])
    with left:
        indicator_parts.sunburst(system)
    with right:
        indicator_parts.rules(system)
    indicator_parts.tree(system)
with tabs[1]:
    versions = indicator_views.versions(data.engine(), user)
    indicator_parts.versions(user, versions)
if len(tabs) > 2:
    with tabs[2]:
        indicator_parts.upload(user)
    with tabs[3]:  # derive points for a new version from an AHP matrix (validated like any upload)
        if ahp_editor.show(data.engine(), user) is not None:
            data.clear()
