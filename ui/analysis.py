"""The 权重分析 page body: weighting methods compared with the official ranking, and fuzzy survey evaluation.

Everything shown is computed on the fly from a stored run by ``scoring.services.analysis``; nothing
is written. Strings: ``analysis.*`` in ui/i18n.py; method descriptions (provenance) and errors come
from the services and are shown as they are.
"""

from __future__ import annotations

from typing import cast

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.weighting import AhpResult, WeightingError
from scoring.engine.weighting.fuzzy import OPERATOR_LABELS, Operator
from scoring.engine.weighting.topsis import NORMALISATION_LABELS, Normalisation
from scoring.services import analysis
from scoring.services.context import UserContext
from scoring.services.reweighting import current_points, starting_matrix
from scoring.storage.errors import StorageError
from ui import widgets
from ui.ahp_editor import judgement_editor
from ui.i18n import lang, t

METHODS = ("entropy", "critic", "combined", "ahp", "topsis")
WEIGHT_SOURCES = ("official", "entropy", "critic", "combined")
COMPARISON = (
    "uscc", "name", "district", "industry", "official_total", "official_rank", "alternative_total",
    "alternative_rank", "shift",
)  # fmt: skip
FUZZY = ("uscc", "name", "district", "grade", "score", "responses", "official_index")
_COLUMN_KEYS = {"name": "merchant"}  # where the catalogue key differs from the frame's column


def _label(column: str) -> str:
    return t(f"analysis.col.{_COLUMN_KEYS.get(column, column)}")


def _dimension_ahp(system: IndicatorSystem, key: str) -> AhpResult | None:
    """The dimension judgement matrix; None unless readable and consistent (the editor shows why)."""
    names = {d.code: d.name.text(lang()) for d in system.dimensions}
    result = judgement_editor(names, starting_matrix(current_points(system)), key=f"{key}:ahp")
    return result if result is not None and result.consistent else None


def _options(system: IndicatorSystem, key: str) -> analysis.AnalysisOptions | None:
    """The method widgets; None while an AHP matrix is unusable."""
    method = st.selectbox(
        t("analysis.method"), METHODS, format_func=lambda m: t(f"analysis.method.{m}"), key=f"{key}:method"
    )
    if method in ("entropy", "critic"):
        return analysis.AnalysisOptions(weights=cast(analysis.WeightScheme, method))
    if method == "ahp":
        found = _dimension_ahp(system, key)
        return None if found is None else analysis.AnalysisOptions(weights="ahp", dimension_ahp=found)
    scheme, norm = "combined", "vector"
    if method == "topsis":
        scheme = st.selectbox(
            t("analysis.topsis_weights"), WEIGHT_SOURCES, index=1, format_func=lambda m: t(f"analysis.method.{m}"),
            key=f"{key}:topsis_weights",
        )  # fmt: skip
        norm = st.radio(
            t("analysis.normalisation"), list(NORMALISATION_LABELS), format_func=lambda n: t(f"analysis.norm.{n}"),
            horizontal=True, key=f"{key}:norm",
        )  # fmt: skip
    options = analysis.AnalysisOptions(
        weights=cast(analysis.WeightScheme, scheme), topsis=method == "topsis", normalisation=cast(Normalisation, norm)
    )
    if scheme != "combined":
        return options
    alpha = st.slider(t("analysis.alpha"), 0.0, 1.0, 0.5, 0.05, key=f"{key}:alpha")
    objective = st.radio(
        t("analysis.objective"), ["entropy", "critic"], format_func=lambda m: t(f"analysis.method.{m}"),
        horizontal=True, key=f"{key}:objective",
    )  # fmt: skip
    source = st.radio(
        t("analysis.subjective"), ["official", "ahp"], format_func=lambda s: t(f"analysis.subj_{s}"),
        horizontal=True, key=f"{key}:subjective",
    )  # fmt: skip
    subjective = _dimension_ahp(system, key) if source == "ahp" else None
    if source == "ahp" and subjective is None:
        return None
    return analysis.AnalysisOptions(
        weights="combined", topsis=options.topsis, normalisation=options.normalisation, alpha=alpha,
        objective=cast(analysis.Objective, objective), dimension_ahp=subjective,
    )  # fmt: skip


def _weights_view(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    """Weights as percentages (2 decimals) with display labels."""
    out = frame.assign(official=(100 * frame["official"]).round(2), method=(100 * frame["method"]).round(2))
    labels = {
        "code": t("analysis.col.code"),
        "name": t("analysis.col.name"),
        "dimension": t("analysis.col.dimension"),
        "official": t("analysis.col.official"),
        "method": t("analysis.col.method", method=method),
    }
    return out.rename(columns=labels)


def _weights(result: analysis.Analysis) -> None:
    method = result.weights.provenance.label
    st.markdown(f"**{t('analysis.dims')}**")
    st.dataframe(_weights_view(result.dimension_table(), method), hide_index=True)
    st.markdown(f"**{t('analysis.indicators')}**")
    table = result.indicator_table()
    st.dataframe(_weights_view(table, method), hide_index=True, height=35 * (len(table) + 1) + 3)
    bars = go.Figure(
        [
            go.Bar(name=t("analysis.method.official"), x=table["code"], y=(100 * table["official"]).round(2)),
            go.Bar(name=method, x=table["code"], y=(100 * table["method"]).round(2)),
        ]
    )
    bars.update_layout(barmode="group")
    title = t("analysis.weights_chart", method=method)
    widgets.figure(bars, title, x=t("analysis.axis.indicator"), y=t("analysis.axis.weight"))


def _scatter(result: analysis.Analysis) -> None:
    data = result.comparison
    low = float(min(data["official_total"].min(), data["alternative_total"].min()))
    high = float(max(data["official_total"].max(), data["alternative_total"].max()))
    fig = go.Figure(
        [
            go.Scatter(
                x=data["official_total"], y=data["alternative_total"], mode="markers", text=data["name"],
                name=t("analysis.series.merchants"), hovertemplate=t("analysis.hover") + "<extra></extra>",
            ),
            go.Scatter(
                x=[low, high], y=[low, high], mode="lines", name=t("analysis.series.diagonal"), line={"dash": "dot"}
            ),
        ]
    )  # fmt: skip
    method = result.weights.provenance.label
    if result.provenance.method == "topsis":
        method = f"TOPSIS · {method} · {result.provenance.normalisation}"
    title = t("analysis.scatter", method=method)
    widgets.figure(fig, title, height=480, x=t("analysis.axis.official"), y=t("analysis.axis.alternative"))


def _comparison(result: analysis.Analysis) -> None:
    st.caption(
        t("analysis.method_line", model=result.provenance.describe(), weights=result.weights.provenance.describe())
    )
    st.caption(t("analysis.alt_score") + " " + result.matrix.imputation_note)
    widgets.metrics(
        [
            (t("analysis.spearman"), f"{result.agreement['spearman']:.4f}"),
            (t("analysis.kendall"), f"{result.agreement['kendall']:.4f}"),
            (t("analysis.compared"), f"{int(result.agreement['n'])}"),
        ],
        per_row=3,
    )
    _weights(result)
    st.markdown(f"**{t('analysis.movers')}**")
    movers = result.movers()
    if movers.empty:
        st.info(t("analysis.no_movers"))
    else:
        st.dataframe(movers[list(COMPARISON)].rename(columns=_label), hide_index=True)
    _scatter(result)


def _fuzzy(engine: Engine, user: UserContext, round_name: str, key: str) -> None:
    operator = st.radio(
        t("analysis.operator"), list(OPERATOR_LABELS), format_func=lambda o: t(f"analysis.op.{o}"), horizontal=True,
        key=f"{key}:operator",
    )  # fmt: skip
    survey = analysis.survey_evaluation(engine, user, round_name, cast(Operator, operator))
    st.caption(t("analysis.fuzzy_about", n=survey.min_responses))
    st.caption(survey.result.provenance.describe())
    widgets.metrics([(t("analysis.fuzzy_corr"), f"{survey.spearman:.4f}")], per_row=1)
    grades = list(survey.result.membership.columns)
    counts = survey.table["grade"].value_counts().reindex(grades, fill_value=0).to_numpy()
    bars = go.Figure(go.Bar(x=grades, y=counts, text=counts))
    widgets.figure(bars, t("analysis.grades"), height=320, x=t("axis.grade"), y=t("axis.merchants"))
    shown = survey.table[["uscc", "name", "district", *grades, "grade", "score", "responses", "official_index"]]
    st.dataframe(shown.round(4).rename(columns=lambda c: c if c in grades else _label(c)), hide_index=True)


def show(engine: Engine, user: UserContext, round_name: str | None, *, key: str = "analysis") -> None:
    """The whole 权重分析 page for ``user`` and the selected round (the services keep to the user's districts)."""
    st.title(t("analysis.title"))
    st.info(t("analysis.notice"))
    if round_name is None:
        widgets.empty(t("analysis.no_round"))
        return
    if round_name not in analysis.analysable_rounds(engine, user):
        widgets.empty(t("analysis.no_run", round=round_name))
        return
    rank_tab, fuzzy_tab = st.tabs([t("analysis.tab_rank"), t("analysis.tab_fuzzy")])
    try:
        with rank_tab:
            options = _options(analysis.round_system(engine, user, round_name), key)
            if options is None:
                st.warning(t("analysis.ahp_blocked"))
            else:
                _comparison(analysis.analyse(engine, user, round_name, options))
        with fuzzy_tab:
            _fuzzy(engine, user, round_name, key)
    except (WeightingError, StorageError) as exc:
        st.error(str(exc))
