"""The parts of the 商户详情 page: header, summary figures, explanation, peer radar, history."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from scoring.services.merchant_view import MerchantDetail
from ui import widgets
from ui.i18n import lang, t
from ui.widgets import plain


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    return str(value)


def header(d: MerchantDetail) -> None:
    p = d.profile
    st.header(plain(p["name"]))
    st.caption(plain(f"{p['uscc']} · {p['district']} · {p['industry']}"))
    with st.expander(t("merchant.profile")):
        fields = ["address", "store_name", "established", "applied", "applied_on", "contact_person", "phone"]
        cols = st.columns(2)
        for i, name in enumerate(fields):
            cols[i % 2].markdown(f"**{t('profile.' + name)}**：{plain(_value(p.get(name)))}")
        if p.get("uscc_warning"):
            st.warning(t("merchant.uscc_warning"))


def summary(d: MerchantDetail) -> None:
    r, c = d.result or {}, d.candidate or {}

    def num(key: str) -> str:
        value = r.get(key)
        return "—" if value is None else f"{float(value):.2f}"

    def rank(key: str) -> str:
        value = r.get(key)
        return "—" if value is None else str(int(value))

    widgets.metrics(
        [
            (t("col.total"), num("total")),
            (t("col.base"), num("base")),
            (t("col.bonus"), num("bonus")),
            (t("col.grade"), _value(r.get("grade"))),
            (t("col.city_rank"), rank("city_rank")),
            (t("col.district_rank"), rank("district_rank")),
            (t("col.industry_rank"), rank("industry_rank")),
            (t("col.candidate"), _value(c.get("status"))),
        ]
    )
    if r.get("veto_text"):
        st.error(t("merchant.veto", text=r["veto_text"]))


def explanation(d: MerchantDetail) -> None:
    """Every section of the explanation chain, as the engine wrote it (the same text as in exports)."""
    st.caption(t("merchant.explain_hint"))
    for section in d.sections:
        with st.container(border=True):
            st.markdown(f"**{plain(section.title)}**")
            st.markdown("\n".join(f"- {plain(line)}" for line in section.lines))


def radar(d: MerchantDetail) -> None:
    frame = d.radar
    theta = [
        f"{code} {zh if lang() == 'zh' else en}"
        for code, zh, en in frame[["dimension", "label", "label_en"]].itertuples(index=False)
    ]
    fig = go.Figure()
    for column, name in (
        ("merchant", t("merchant.series_self")),
        ("district", t("merchant.series_district")),
        ("industry", t("merchant.series_industry")),
    ):
        values = [None if v is None else float(v) for v in frame[column]]
        fig.add_trace(
            go.Scatterpolar(
                r=[*values, values[0]],
                theta=[*theta, theta[0]],
                name=name,
                fill="toself" if column == "merchant" else "none",
                connectgaps=True,
            )
        )
    fig.update_layout(
        polar={"radialaxis": {"range": [0, 100], "ticksuffix": "%", "angle": 90, "tickfont": {"size": 10}}}
    )
    widgets.figure(fig, t("merchant.chart_radar"), height=460)
    if d.scoped_peers:
        st.caption(t("merchant.scoped_peers"))
    table = frame[["dimension", "label", "merchant", "district", "industry"]].rename(columns=lambda c: t(f"radar.{c}"))
    st.dataframe(table, hide_index=True, width="stretch")


def history(d: MerchantDetail) -> None:
    h = d.history
    if len(h) > 1:
        fig = go.Figure(
            go.Scatter(
                x=h["round"],
                y=h["total"],
                mode="lines+markers+text",
                text=h["total"],
                textposition="top center",
                cliponaxis=False,
            )
        )
        fig.update_xaxes(type="category")
        widgets.figure(fig, t("merchant.chart_history"), height=320, x=t("axis.round"), y=t("axis.total"))
    else:
        st.caption(t("merchant.history_single"))
    scores = {t(f"col.{c}"): st.column_config.NumberColumn(format="%.2f") for c in ("total", "base", "bonus")}
    st.dataframe(h.rename(columns=lambda c: t(f"col.{c}")), hide_index=True, width="stretch", column_config=scores)
