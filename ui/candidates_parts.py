"""The parts of the 示范单位候选 page: candidate lists, quota use, robustness chart, exports.

Reads are cached by round, run id and the user's scope (``cache_key``); review actions live in
``ui.review_parts``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scoring.engine.robustness import MARGINAL
from scoring.engine.selection import NOT_QUALIFIED, SELECTED, WAITING
from scoring.services import candidates as candidate_service
from scoring.services import notice, runs
from scoring.services.context import UserContext
from ui import data, widgets
from ui.i18n import t
from ui.tables import label

STATUSES = (SELECTED, WAITING, NOT_QUALIFIED)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False, max_entries=16)
def _results(round_name: str, run_id: int, scope: str, _user: UserContext) -> runs.RoundResults:
    return runs.results(data.engine(), _user, round_name, run_id)


def results(user: UserContext, round_name: str, run_id: int) -> runs.RoundResults:
    """The run's results within the user's districts (cached by run and scope)."""
    return _results(round_name, run_id, user.cache_key, user)


@st.cache_data(show_spinner=False, max_entries=16)
def _robust(round_name: str, run_id: int, seed: int, draws: int, scope: str, _user: UserContext) -> pd.DataFrame:
    return candidate_service.robustness(data.engine(), _user, round_name, draws=draws, seed=seed)


def candidate_list(found: runs.RoundResults) -> None:
    """入选 / 候补 (with place in line) / 不符合 (with every reason), filtered."""
    cands = found.candidates
    counts = cands["status"].value_counts()
    widgets.metrics([(t(f"cand.count_{i}"), int(counts.get(s, 0))) for i, s in enumerate(STATUSES)], per_row=3)
    c1, c2, c3, c4 = st.columns([2.2, 2, 2, 2])
    status = c1.radio(t("cand.status"), STATUSES, horizontal=True, key="cand_status")
    districts = c2.multiselect(t("filter.district"), sorted(cands["district"].unique()), key="cand_district")
    industries = c3.multiselect(t("filter.industry"), sorted(cands["industry"].unique()), key="cand_industry")
    found_words = sorted({part.split("：")[0] for r in cands["reasons"].dropna() for part in r.split("；") if part})
    words = c4.multiselect(t("cand.reason"), found_words, key="cand_reason", disabled=status != NOT_QUALIFIED)
    text = st.text_input(t("filter.search"), placeholder=t("filter.search_hint"), key="cand_text").strip()
    shown = cands[cands["status"] == status]
    if districts:
        shown = shown[shown["district"].isin(districts)]
    if industries:
        shown = shown[shown["industry"].isin(industries)]
    if words and status == NOT_QUALIFIED:
        shown = shown[shown["reasons"].fillna("").map(lambda r: any(r.startswith(w) or f"；{w}" in r for w in words))]
    if text:
        shown = shown[shown["name"].str.contains(text, regex=False) | shown["uscc"].str.startswith(text.upper())]
    if status == WAITING:
        shown = shown.sort_values(["district", "industry", "waitlist_no"], kind="stable")
    columns = ["uscc", "name", "district", "industry", "total"]
    columns += {SELECTED: [], WAITING: ["waitlist_no"], NOT_QUALIFIED: ["reasons"]}[status]
    st.caption(t("cand.shown", shown=len(shown), total=int(counts.get(status, 0))))
    if shown.empty:
        widgets.empty(t("cand.none"))
        return
    view = shown[columns].rename(columns=lambda c: t(f"cand.col_{c}") if c in ("waitlist_no", "reasons") else label(c))
    config = {
        label("total"): st.column_config.NumberColumn(format="%.2f"),
        t("cand.col_waitlist_no"): st.column_config.NumberColumn(format="%d", help=t("cand.waitlist_help")),
        t("cand.col_reasons"): st.column_config.TextColumn(width="large"),
    }
    st.dataframe(view, hide_index=True, width="stretch", height=min(560, 38 + 35 * len(view)), column_config=config)


def quota_use(found: runs.RoundResults) -> None:
    """Selected versus quota per 区县 (and per 区县 × 行业 where a quota is set)."""
    settings = candidate_service.run_settings(found)
    usage = candidate_service.quota_usage(found.candidates, settings)
    if not settings.district_quotas and not settings.industry_quotas:
        st.info(t("cand.no_quotas"))
    view = usage.assign(
        industry=usage["industry"].replace(candidate_service.OTHER_INDUSTRIES, t("cand.other")),
        quota=[t("cand.unlimited") if pd.isna(q) else str(int(q)) for q in usage["quota"]],
    )
    view = view.rename(columns=lambda c: t(f"cand.quota_{c}"))
    config = {t("cand.quota_quota"): st.column_config.TextColumn(help=t("cand.quota_help"))}
    st.dataframe(view, hide_index=True, width="stretch", column_config=config)
    per = usage.groupby("district", as_index=False)[["selected", "waiting"]].sum()
    fig = go.Figure(
        [
            go.Bar(name=t("cand.count_0"), x=per["district"], y=per["selected"]),
            go.Bar(name=t("cand.count_1"), x=per["district"], y=per["waiting"]),
        ]
    )
    fig.update_layout(barmode="stack")
    widgets.figure(fig, t("cand.quota_chart"), height=320, y=t("cand.units"))


def robustness(user: UserContext, round_name: str, run_id: int) -> None:
    """§5.6: stay-selected share of each near-cut-off merchant, 边缘 below 80 %."""
    c1, c2 = st.columns([1, 3])
    seed = int(c1.number_input(t("cand.seed"), min_value=0, value=2026, step=1, key="cand_seed"))
    c2.caption(t("cand.robust_help"))
    with st.spinner(t("cand.robust_running")):
        robust = _robust(round_name, run_id, seed, 1000, user.cache_key, user)
    near = robust[robust["near"]].sort_values("stay_selected")
    widgets.metrics([(t("cand.marginal"), int((robust["flag"] == MARGINAL).sum())), (t("cand.near"), len(near))], 2)
    if near.empty:
        widgets.empty(t("cand.robust_none"))
        return
    colors = near["flag"].map({MARGINAL: "#e07a5f"}).fillna("#1f6f8b")
    fig = go.Figure(
        go.Bar(
            x=near["stay_selected"] * 100,
            y=[t("cand.bar_label", name=n, status=s) for n, s in zip(near["name"], near["status"], strict=True)],
            orientation="h",
            marker_color=colors,
            text=[f"{100 * v:.1f}% {f}".strip() for v, f in zip(near["stay_selected"], near["flag"], strict=True)],
            textposition="outside",
            customdata=near[["uscc", "total"]],
            hovertemplate="%{y}<br>%{customdata[0]}<br>"
            + label("total")
            + " %{customdata[1]:.2f}<br>%{x:.1f}%<extra></extra>",
        )
    )
    fig.add_vline(x=80, line_dash="dash", line_color="#b56576", annotation_text=t("cand.flag_line"),
                  annotation_position="bottom left")  # fmt: skip
    fig.update_xaxes(range=[0, 110])
    widgets.figure(fig, t("cand.robust_chart"), height=max(320, 26 * len(near) + 120), x=t("cand.share_axis"))
    view = near[["uscc", "name", "district", "status", "total", "stay_selected", "flag"]].assign(
        stay_selected=near["stay_selected"] * 100
    )
    view = view.rename(columns=lambda c: t(f"cand.col_{c}") if c in ("status", "stay_selected", "flag") else label(c))
    config = {
        label("total"): st.column_config.NumberColumn(format="%.2f"),
        t("cand.col_stay_selected"): st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100),
    }
    st.dataframe(view, hide_index=True, width="stretch", column_config=config)


def exports(user: UserContext, round_name: str) -> None:
    """Download buttons: the 公示名单 and the internal lists; each export is written to the audit log."""
    engine = data.engine()
    if user.can("export_public"):
        st.subheader(t("cand.export_public"))
        with_score = st.checkbox(t("cand.with_score"), key="cand_with_score")
        try:
            doc = notice.notice_document(engine, user, round_name, public=True)
        except notice.NoticeError as exc:
            st.info(widgets.plain(str(exc)))
        else:
            st.caption(widgets.plain(t("cand.export_public_help", title=doc.title, n=len(doc.rows))))
            st.download_button(
                t("cand.download_notice"), type="primary", icon=":material/download:", mime=XLSX, on_click="ignore",
                data=lambda: notice.notice_bytes(engine, user, round_name, public=True, include_score=with_score)[0],
                file_name=f"{doc.title}.xlsx", key="dl_notice",
            )  # fmt: skip
    if user.can("export_internal"):
        st.subheader(t("cand.export_internal"))
        st.caption(t("cand.export_internal_help"))
        c1, c2, c3, c4 = st.columns(4)
        for col, kind in zip((c1, c2, c3), ("all", "candidates", "districts"), strict=True):
            col.download_button(
                t(f"cand.download_{kind}"), mime=XLSX, on_click="ignore", key=f"dl_{kind}",
                data=lambda kind=kind: notice.internal_bytes(engine, user, round_name, kind),
                file_name=f"{round_name}_{t(f'cand.download_{kind}')}.xlsx",
            )  # fmt: skip
        try:
            draft = notice.notice_document(engine, user, round_name, public=False)
        except notice.NoticeError as exc:
            c4.caption(widgets.plain(str(exc)))
        else:
            c4.download_button(
                t("cand.download_draft"), mime=XLSX, on_click="ignore", key="dl_draft",
                data=lambda: notice.notice_bytes(engine, user, round_name, public=False, include_score=True)[0],
                file_name=t("cand.draft_file", title=draft.title),
            )  # fmt: skip
