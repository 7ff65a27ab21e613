"""Reusable page parts: key figures, the 运行评分 action, charts with titles and units, empty states."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scoring.services import dashboard, runs
from scoring.services.context import LOCAL_TZ, UserContext
from ui import data, state
from ui.i18n import t

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
GRADE_COLORS = {0: "#2a9d8f", 1: "#1f6f8b", 2: "#e9c46a", 3: "#e07a5f", 4: "#9e9e9e"}  # best grade first
COLORS = ["#1f6f8b", "#e07a5f", "#81b29a", "#f2cc8f", "#3d405b", "#9c6644", "#6d597a", "#b56576"]


def metrics(items: Sequence[tuple[str, Any]], per_row: int = 4) -> None:
    """Key figures in rows of ``per_row`` st.metric tiles (label, value)."""
    for start in range(0, len(items), per_row):
        cols = st.columns(per_row, border=True)
        for col, (label, value) in zip(cols, items[start : start + per_row], strict=False):
            col.metric(label, value)


def plain(text: Any) -> str:
    """Text from the data, escaped so that Markdown never formats it."""
    return _MARKDOWN.sub(r"\\\1", "" if text is None else str(text))


def local_time(values: pd.Series) -> pd.Series:
    """UTC timestamps as naive Beijing time for display."""
    return pd.to_datetime(values, utc=True).dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)


def table_height(rows: int, most: int = 15) -> int:
    """Pixels for a dataframe that shows ``rows`` rows (at most ``most``; more scroll) and no empty ones."""
    return 35 * (min(max(rows, 1), most) + 1) + 3


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def empty(message: str) -> None:
    """An empty state that tells the user the next step."""
    st.info(message, icon=":material/lightbulb:")


def figure(fig: go.Figure, title: str, *, height: int = 380, x: str = "", y: str = "") -> None:
    """A plotly chart with a title, axis titles (with units) and the CJK font."""
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        colorway=COLORS,
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.25, "x": 0},
    )
    if x:
        fig.update_xaxes(title_text=x)
    if y:
        fig.update_yaxes(title_text=y)
    st.plotly_chart(fig, width="stretch", config={"displaylogo": False})


def run_button(user: UserContext, round_name: str, *, key: str, primary: bool = True) -> None:
    """The 运行评分 action for roles that may score (reviewer, admin)."""
    if not user.can("score"):
        return
    if st.button(t("run.button", round=round_name), key=key, type="primary" if primary else "secondary"):
        with st.status(t("run.running", round=round_name), expanded=True) as status:
            st.write(t("run.step_load"))
            result = runs.run_scoring(data.engine(), user, round_name)
            status.update(label=t("run.done", n=len(result.scores)), state="complete")
        data.clear()
        state.flash("success", t("run.done", n=len(result.scores)) + " " + t("run.run_id", id=result.run.id))
        st.rerun()


def run_state(user: UserContext, round_name: str, *, key: str) -> dashboard.RunStatus:
    """Tell whether the round is scored and up to date, and offer 运行评分 where it makes sense."""
    status = dashboard.run_status(data.engine(), user, round_name)
    if status.run is None:
        empty(t("run.none", round=round_name) + " " + (t("run.next_score") if user.can("score") else t("run.next_ask")))
        run_button(user, round_name, key=key)
        return status
    run = status.run
    st.caption(
        t(
            "run.caption",
            id=run.id,
            at=run.created_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
            by=run.created_by,
            version=run.indicator_version,
            hash=run.indicator_hash[:12],
        )
    )
    if status.stale_data or status.stale_indicators:
        reason = t("run.stale_data") if status.stale_data else t("run.stale_indicators")
        st.warning(reason + " " + (t("run.next_rescore") if user.can("score") else t("run.next_ask")))
        run_button(user, round_name, key=key, primary=False)
    return status
