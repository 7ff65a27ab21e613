"""数据导入: template, upload of one or more files, preview with every problem, explicit confirm, history."""

import streamlit as st

from scoring.services import uploads
from ui import data, import_report, state, widgets
from ui.i18n import t

user = state.require_user()
user.require("import")
st.title(t("import.title"))
st.caption(t("import.steps"))
st.download_button(
    t("import.template"),
    data=uploads.template(data.engine(), user),
    file_name=t("import.template_file"),
    mime=import_report.XLSX,
    on_click="ignore",
    icon=":material/download:",
)
picked = st.file_uploader(t("import.upload"), type=["xlsx", "csv"], accept_multiple_files=True, key="import_files")
files = [(f.name, f.getvalue()) for f in picked or []]
if not files:
    widgets.empty(t("import.empty"))
else:
    key = import_report.files_key(files)
    done = st.session_state.get("import_done")
    if done is not None and done[0] == key:
        st.success(t("import.committed", files=len(files)))
        import_report.show(done[1], key="done")
        st.page_link("pages/ranking.py", label=t("import.next_score"), icon=":material/arrow_forward:")
    else:
        cached = st.session_state.get("import_preview")
        if cached is None or cached[0] != key:
            with st.spinner(t("import.checking")):
                cached = (key, uploads.preview(data.engine(), user, files))
            st.session_state["import_preview"] = cached
        result = cached[1]
        st.subheader(t("import.preview"))
        import_report.show(result, key="preview")
        storable = result.totals["stored"]
        if result.totals["rejected"]:
            st.warning(t("import.rejected_note", n=result.totals["rejected"]))
        if st.button(t("import.confirm", n=storable), type="primary", disabled=storable == 0, key="import_confirm"):
            with st.status(t("import.storing"), expanded=True) as status:
                outcome = uploads.commit(data.engine(), user, files)
                status.update(label=t("import.stored_done"), state="complete" if outcome.ok else "error")
            data.clear()
            st.session_state["import_done"] = (key, outcome)
            st.rerun()
st.subheader(t("import.history"))
history = uploads.history(data.engine(), user)
if history.empty:
    st.caption(t("import.history_empty"))
else:
    history["status"] = history["status"].map(lambda s: t(f"upload.{s}"))
    history["created_at"] = widgets.local_time(history["created_at"])
    st.dataframe(
        import_report.labelled(history, "history"),
        hide_index=True,
        width="stretch",
        height=widgets.table_height(len(history), most=10),
    )
