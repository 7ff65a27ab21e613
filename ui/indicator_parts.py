"""The parts of the 指标体系 page: sunburst, tree, versions with their diff, and the admin upload."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.rules import fmt
from scoring.services import indicator_views
from scoring.services import indicators as indicator_service
from scoring.services.context import UserContext
from ui import data, state, widgets
from ui.i18n import lang, t


def sunburst(system: IndicatorSystem) -> None:
    frame = data.sunburst(system.content_hash, lang(), t("indicators.sunburst_root"))
    fig = go.Figure(
        go.Sunburst(
            ids=frame["id"], parents=frame["parent"], labels=frame["label"], values=frame["points"],
            customdata=frame["name"], branchvalues="total",
            hovertemplate="%{customdata}<br>%{value}" + t("unit.points") + "<extra></extra>",
            texttemplate="%{label}<br>%{value}" + t("unit.points"), insidetextorientation="horizontal",
        )
    )  # fmt: skip
    widgets.figure(fig, t("indicators.chart_sunburst"), height=460)
    st.caption(t("indicators.bonus_note", cap=fmt(system.bonus_cap)))


def rules(system: IndicatorSystem) -> None:
    """Bonus cap, grades, vetoes, candidate threshold and district weights, as the file sets them."""
    st.markdown(f"**{t('indicators.rules')}**")
    frame = indicator_views.rules_summary(system).rename(columns={"item": t("rules.item"), "rule": t("rules.rule")})
    st.dataframe(frame, hide_index=True, width="stretch")


def tree(system: IndicatorSystem) -> None:
    """Each dimension as an expander with its indicators and rules; the bonus items last."""
    frame = indicator_views.tree(system)
    en = lang() == "en"
    columns = {
        "code": t("tree.code"),
        "name": t("tree.name"),
        "type": t("tree.type"),
        "points": t("tree.points"),
        "rule": t("tree.rule"),
    }
    groups: list[tuple[pd.Series, pd.DataFrame]] = []
    heads = frame[frame["level"].isin(["dimension", "bonus"])]
    for i, (idx, head) in enumerate(heads.iterrows()):
        end = heads.index[i + 1] if i + 1 < len(heads) else len(frame)
        groups.append((head, frame.loc[idx + 1 : end - 1]))
    for head, rows in groups:
        name = head["name_en"] if en and head["name_en"] else head["name"]
        with st.expander(
            t("tree.group", code=head["code"], name=name, points=fmt(float(head["points"]))), expanded=True
        ):
            shown = rows.assign(
                name=rows["name_en"].where(rows["name_en"].astype(bool), rows["name"]) if en else rows["name"]
            )
            shown = shown.assign(type=shown["type"].map(lambda k: t(f"rule.{k}")))
            st.dataframe(shown[list(columns)].rename(columns=columns), hide_index=True, width="stretch")
    content = indicator_service.version_content(data.engine(), system.content_hash) or b""
    st.download_button(
        t("indicators.download"),
        data=content,
        file_name=f"{system.id}-{system.version}.yaml",
        mime="application/x-yaml",
        on_click="ignore",
        icon=":material/download:",
    )


def versions(user: UserContext, frame: pd.DataFrame) -> None:
    shown = frame.assign(
        hash=frame["hash"].str[:12],
        active=frame["active"].map({True: t("yes"), False: ""}),
        uploaded_at=widgets.local_time(frame["uploaded_at"]),
    )
    st.dataframe(shown.rename(columns=lambda c: t(f"version.{c}")), hide_index=True, width="stretch")
    if len(frame) < 2:
        widgets.empty(t("indicators.one_version"))
        return
    labels = {h: f"{v} · {h[:12]}" for h, v in zip(frame["hash"], frame["version"], strict=True)}
    left, right = st.columns(2)
    old = left.selectbox(t("indicators.diff_old"), list(labels), index=1, format_func=labels.get, key="diff_old")
    new = right.selectbox(t("indicators.diff_new"), list(labels), index=0, format_func=labels.get, key="diff_new")
    changes = indicator_views.diff(
        indicator_views.load_version(data.engine(), user, old), indicator_views.load_version(data.engine(), user, new)
    )
    if changes.empty:
        st.success(t("indicators.no_diff"))
        return
    changes = changes.assign(change=changes["change"].map(lambda c: t(f"diff.{c}")))
    st.dataframe(changes.rename(columns=lambda c: t(f"diffcol.{c}")), hide_index=True, width="stretch")
    with st.expander(t("indicators.text_diff")):
        st.code(indicator_views.text_diff(data.engine(), user, old, new), language="diff")


def upload(user: UserContext) -> None:
    """An admin uploads a new version; it is validated and only stored after an explicit confirm."""
    st.caption(t("indicators.upload_hint"))
    picked = st.file_uploader(t("indicators.upload"), type=["yaml", "yml"], key="indicator_file")
    if picked is None:
        return
    content = picked.getvalue()
    check = indicator_views.check_upload(data.engine(), user, content)
    if check.system is None:
        st.error(t("indicators.invalid", n=len(check.problems)))
        st.markdown("\n".join(f"- {widgets.plain(p)}" for p in check.problems))
        return
    new = check.system
    st.success(t("indicators.valid", name=new.name.text(lang()), version=new.version, hash=new.short_hash))
    changes = indicator_views.diff(data.active_system(), new)
    st.caption(t("indicators.changes_vs_active", n=len(changes)))
    if not changes.empty:
        changes = changes.assign(change=changes["change"].map(lambda c: t(f"diff.{c}")))
        st.dataframe(changes.rename(columns=lambda c: t(f"diffcol.{c}")), hide_index=True, width="stretch")
    if st.button(t("indicators.activate"), type="primary", key="indicator_activate"):
        indicator_service.upload_version(data.engine(), user, content, activate=True)
        data.clear()
        state.flash("success", t("indicators.activated", version=new.version, hash=new.short_hash))
        st.rerun()
