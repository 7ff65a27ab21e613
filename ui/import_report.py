"""How an import preview or result is shown: counts, every problem at once, the error workbooks."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from scoring.ingest.cells import ERROR
from scoring.services.uploads import ImportResult
from ui import widgets
from ui.i18n import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def files_key(files: Sequence[tuple[str, bytes]]) -> str:
    """Identifies a set of uploaded files by name and content."""
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def labelled(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"{prefix}.{c}") for c in frame.columns})


def show(result: ImportResult, *, key: str) -> None:
    """Counts, refused files, notes, the per-sheet table, every issue, and the error workbook downloads."""
    totals = result.totals
    stored = t("import.stored") if result.committed else t("import.storable")
    widgets.metrics(
        [
            (t("import.read"), totals["read"]),
            (stored, totals["stored"]),
            (t("import.rejected"), totals["rejected"]),
            (t("import.blank"), totals["blank"]),
            (t("import.warnings"), totals["warnings"]),
        ],
        per_row=5,
    )
    for message in result.refused + result.failed:
        st.error(message)
    for note in result.notes:
        st.caption(note)
    if not result.counts.empty:
        st.dataframe(labelled(result.counts, "count"), hide_index=True, width="stretch")
    issues = result.issues
    if issues.empty:
        if result.ok:
            st.success(t("import.no_issues"))
        return
    errors = int((issues["level"] == ERROR).sum())
    st.subheader(t("import.issues", errors=errors, warnings=len(issues) - errors))
    st.dataframe(
        labelled(issues, "issue"),
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(issues)),
        column_config={t("issue.row"): st.column_config.NumberColumn(format="%d")},
    )
    for i, (name, report) in enumerate(result.error_workbooks()):
        stem = name.rsplit(".", 1)[0]
        st.download_button(
            t("import.download_errors", file=name),
            data=report,
            file_name=t("import.errors_file", stem=stem),
            mime=XLSX,
            key=f"{key}_errors_{i}",
            on_click="ignore",
            icon=":material/download:",
        )
