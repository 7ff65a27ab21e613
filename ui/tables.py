"""Result tables as shown on the pages: column order, labels from the catalogue, st.column_config formats."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st

from scoring.services.context import PermissionDenied
from scoring.services.dashboard import SORT_KEYS, RankingChoices, RankingFilter, RankingOrder, VetoFilter
from scoring.storage.errors import StorageError
from ui.i18n import t

log = logging.getLogger("fangxin.ui")

RANKING = [
    "city_rank", "name", "uscc", "district", "industry", "total", "grade", "base", "bonus",
    "district_rank", "industry_rank", "candidate", "veto_text",
]  # fmt: skip
DISTRICTS = [
    "rank", "district", "district_index", "applicants", "inspected_applicants", "coverage", "mean_base",
    "excellent_rate", "veto_rate", "satisfaction", "on_time_rate", "selected",
]  # fmt: skip
PAGE_SIZES = (100, 200, 500)  # rows per page of the ranking (filtered, sorted and paged in SQL)
PAGE_SIZE = 200
RATIOS = ("coverage", "excellent_rate", "veto_rate", "on_time_rate")


@contextmanager
def reported_failures(where: str) -> Iterator[None]:
    """The page boundary of ui.shell.run_page for a fragment, whose reruns do not pass through app.py:
    a failure becomes a Chinese message, never a traceback (SPEC §9)."""
    try:
        yield
    except PermissionDenied as exc:
        st.error(str(exc))
    except StorageError as exc:
        st.error(getattr(exc, "message", None) or str(exc))
    except Exception:
        log.exception("%s failed", where)
        st.error(t("error.unexpected"))


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


VIEW_KEYS = ("f_district", "f_industry", "f_grade", "f_veto", "f_text", "r_sort", "r_desc", "r_size", "r_page")


def ranking_state() -> tuple[RankingFilter, RankingOrder, int]:
    """The filter, order and page size the ranking's widgets hold (read before they are drawn)."""
    state = st.session_state
    chosen = RankingFilter(
        tuple(state.get("f_district") or ()),
        tuple(state.get("f_industry") or ()),
        tuple(state.get("f_grade") or ()),
        state.get("f_veto") or "all",
        str(state.get("f_text") or "").strip(),
    )
    order = RankingOrder(state.get("r_sort") or "city_rank", bool(state.get("r_desc")))
    return chosen, order, int(state.get("r_size") or PAGE_SIZE)


def ranking_filters(choices: RankingChoices) -> RankingFilter:
    """The filter row above the ranking: 区县, 行业, 等级 (several each), 一票否决, name or USCC."""
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 1.4, 2])
    every = t("filter.all")
    districts = c1.multiselect(t("filter.district"), choices.districts, key="f_district", placeholder=every)
    industries = c2.multiselect(t("filter.industry"), choices.industries, key="f_industry", placeholder=every)
    chosen = c3.multiselect(t("filter.grade"), choices.grades, key="f_grade", placeholder=every)
    vetoes: list[VetoFilter] = ["all", "vetoed", "clean"]
    veto = c4.selectbox(t("filter.veto"), vetoes, format_func=lambda v: t(f"filter.veto_{v}"), key="f_veto")
    text = c5.text_input(t("filter.search"), placeholder=t("filter.search_hint"), key="f_text")
    return RankingFilter(tuple(districts), tuple(industries), tuple(chosen), veto, text.strip())


def ranking_order() -> tuple[RankingOrder, int]:
    """The sort and page-size row: sort column, direction, rows per page."""
    c1, c2, c3 = st.columns([2, 1.4, 1.4])
    key = c1.selectbox(t("ranking.sort"), SORT_KEYS, format_func=label, key="r_sort", help=t("ranking.sort_help"))
    descending = c2.segmented_control(
        t("ranking.direction"), [False, True], format_func=lambda d: t("ranking.desc" if d else "ranking.asc"),
        default=False, required=True, key="r_desc",
    )  # fmt: skip
    size = c3.selectbox(t("ranking.page_size"), PAGE_SIZES, index=PAGE_SIZES.index(PAGE_SIZE), key="r_size")
    return RankingOrder(key, bool(descending)), int(size)


def page_number(matched: int, size: int) -> int:
    """The page control under the table (1 … last page)."""
    last = max(1, -(-matched // size))
    c1, c2 = st.columns([1, 5], vertical_alignment="bottom")
    page = c1.number_input(t("ranking.page"), min_value=1, max_value=last, step=1, key="r_page")
    c2.caption(t("ranking.pages", pages=last))
    return int(page or 1)


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
