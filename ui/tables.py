"""Result tables as shown on the pages: column order, labels from the catalogue, st.column_config formats."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from scoring.services.dashboard import RankingFilter, VetoFilter
from ui.i18n import t

RANKING = [
    "city_rank", "name", "uscc", "district", "industry", "total", "grade", "base", "bonus",
    "district_rank", "industry_rank", "candidate", "veto_text",
]  # fmt: skip
DISTRICTS = [
    "rank", "district", "district_index", "applicants", "inspected_applicants", "coverage", "mean_base",
    "excellent_rate", "veto_rate", "satisfaction", "on_time_rate", "selected",
]  # fmt: skip
SELECTABLE_ROWS = 2_000  # above this the ranking is sent in chunks (lazy), which rules out row selection
RATIOS = ("coverage", "excellent_rate", "veto_rate", "on_time_rate")


def label(column: str) -> str:
    return t(f"col.{column}")


def ranking_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The ranking columns in §5.1 order with display labels."""
    return frame[RANKING].rename(columns=label)


def ranking_columns() -> dict[str, Any]:
    number = st.column_config.NumberColumn
    text = st.column_config.TextColumn
    return {
        label("city_rank"): number(format="%d", width=70),
        label("name"): text(width=230),
        label("uscc"): text(width=165),
        label("district"): text(width=65),
        label("industry"): text(width=95),
        label("total"): number(format="%.2f", help=t("col.total_help"), width=75),
        label("grade"): text(width=55),
        label("base"): number(format="%.2f", width=75),
        label("bonus"): number(format="%.2f", width=50),
        label("district_rank"): number(format="%d", width=75),
        label("industry_rank"): number(format="%d", width=75),
        label("candidate"): text(width=75),
        label("veto_text"): text(width="large"),
    }


def ranking_filters(frame: pd.DataFrame, grades: list[str]) -> RankingFilter:
    """The filter row above the ranking: 区县, 行业, 等级 (several each), 一票否决, name or USCC."""
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 1.4, 2])
    every = t("filter.all")
    districts = c1.multiselect(
        t("filter.district"), sorted(frame["district"].unique()), key="f_district", placeholder=every
    )
    industries = c2.multiselect(
        t("filter.industry"), sorted(frame["industry"].unique()), key="f_industry", placeholder=every
    )
    chosen = c3.multiselect(t("filter.grade"), grades, key="f_grade", placeholder=every)
    vetoes: list[VetoFilter] = ["all", "vetoed", "clean"]
    veto = c4.selectbox(t("filter.veto"), vetoes, format_func=lambda v: t(f"filter.veto_{v}"), key="f_veto")
    text = c5.text_input(t("filter.search"), placeholder=t("filter.search_hint"), key="f_text")
    return RankingFilter(tuple(districts), tuple(industries), tuple(chosen), veto, text)


def preview(slot: Any, top: pd.DataFrame, total: int) -> None:
    """The top of the ranking while the whole table loads (large runs only)."""
    with slot.container():
        st.caption(t("ranking.loading", shown=len(top), total=total))
        st.dataframe(ranking_view(top), column_config=ranking_columns(), hide_index=True, width="stretch", height=560)


def district_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The §5.5 table with ratios as percentages (SPEC §5.1: the UI shows percentages)."""
    out = frame[DISTRICTS].copy()
    for col in RATIOS:
        out[col] = out[col] * 100
    return out.rename(columns=label)


def district_columns() -> dict[str, Any]:
    number = st.column_config.NumberColumn
    config: dict[str, Any] = {label(c): number(format="%.1f%%") for c in RATIOS}
    config.update(
        {
            label("rank"): number(format="%d", width="small"),
            label("district_index"): number(format="%.2f"),
            label("mean_base"): number(format="%.2f"),
            label("satisfaction"): number(format="%.2f"),
        }
    )
    return config
