"""审计日志 (admin): filter by date, user and action; export the filtered rows (the export is audited)."""

from datetime import timedelta

import streamlit as st

from scoring.services import audit
from scoring.services.context import local_today
from ui import audit_parts, data, state
from ui.i18n import lang, t

user = state.require_user()
engine = data.engine()
st.title(t("audit.title"))
c1, c2, c3 = st.columns([2, 1, 1])
period = c1.date_input(t("audit.period"), (local_today() - timedelta(days=30), local_today()))
who = c2.text_input(t("audit.user"))
labels = {"": t("audit.all_actions"), **{a: audit.action_label(a, lang()) for a in audit.ACTION_NAMES}}
action = c3.selectbox(t("audit.action"), list(labels), format_func=labels.get)
start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (None, None)
rows = audit.audit_entries(engine, user, start=start, end=end, username=who.strip(), action=action, lang=lang())
st.caption(t("audit.count", n=len(rows)))
if rows.empty:
    st.info(t("audit.empty"))
else:
    shown = rows.assign(**{audit.DETAIL: rows[audit.DETAIL].map(audit_parts.readable)})  # the export keeps JSON
    detail = st.column_config.TextColumn(t("audit.detail"), width="large")
    st.dataframe(shown, hide_index=True, width="stretch", column_config={audit.DETAIL: detail})
    st.download_button(
        t("audit.export"),
        data=lambda: audit.export_audit(engine, user, rows),
        file_name=t("audit.file_name"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )
