"""AHP editor: pairwise judgements → weights with Saaty's consistency check → points of a new version.

``show(engine, user)`` is the whole component for the 指标体系 page (admin only). ``judgement_editor``
is the reusable matrix input (also used by the 权重分析 page). Strings: ``ahp.*`` in ui/i18n.py;
consistency explanations and validation messages come from the engine and are shown as they are.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem, IndicatorSystemError
from scoring.engine.weighting import AhpResult, WeightingError, ahp, parse_judgement, reciprocal_matrix
from scoring.engine.weighting.ahp import METHOD_LABELS, AhpMethod
from scoring.services import reweighting
from scoring.services.context import PermissionDenied, UserContext
from ui.i18n import lang, t


def _cells(frame: pd.DataFrame, codes: list[str]) -> tuple[npt.NDArray[np.float64], list[str]]:
    """The upper-triangle judgements of an edited frame, and the cells that could not be read."""
    n = len(codes)
    upper = np.ones((n, n))
    bad: list[str] = []
    for i in range(n):
        for j in range(i + 1, n):
            try:
                upper[i, j] = parse_judgement(frame.iloc[i][codes[j]])
            except WeightingError:
                bad.append(t("ahp.cell", row=codes[i], column=codes[j], value=frame.iloc[i][codes[j]]))
    return upper, bad


def judgement_editor(
    names: dict[str, str], initial: pd.DataFrame, *, key: str, method: AhpMethod = "eigenvector"
) -> AhpResult | None:
    """Edit one pairwise matrix; show weights, λmax, CI, RI, CR. None when a cell is unreadable.

    An inconsistent matrix (CR ≥ 0.1) is returned with ``consistent`` False after its refusal is shown.
    """
    codes = list(names)
    frame = initial.reindex(index=codes, columns=codes).astype("string")
    frame.insert(0, t("ahp.col.name"), [names[c] for c in codes])
    config = {c: st.column_config.TextColumn(c, width="small") for c in codes}
    edited = st.data_editor(frame, key=f"{key}:matrix", disabled=[t("ahp.col.name")], column_config=config)
    upper, bad = _cells(edited, codes)
    if bad:
        st.error(t("ahp.bad_cells", cells="; ".join(bad)))
        return None
    try:
        result = ahp(reciprocal_matrix(upper), labels=codes, method=method, refuse_inconsistent=False)
    except WeightingError as exc:
        st.error(str(exc))
        return None
    cols = st.columns(4)
    for col, (label, value) in zip(
        cols, (("λmax", result.lambda_max), ("CI", result.ci), ("RI", result.ri), ("CR", result.cr)), strict=True
    ):
        col.metric(label, f"{value:.4f}" if label != "RI" else f"{value:.2f}")
    weights = pd.DataFrame(
        {"code": codes, "name": [names[c] for c in codes], "weight": (100 * result.weights).round(2).to_numpy()}
    ).rename(columns={"code": t("ahp.col.code"), "name": t("ahp.col.name"), "weight": t("ahp.col.weight")})
    st.dataframe(weights, hide_index=True)
    if result.consistent:
        st.success(result.explanation())
    else:
        st.error(result.explanation())
    with st.expander(t("ahp.completed")):
        st.dataframe(result.matrix.round(4))
    return result


def _indicator_matrices(system: IndicatorSystem, key: str, method: AhpMethod) -> tuple[dict[str, AhpResult], bool]:
    """Optional matrices within dimensions; (consistent results, all usable)."""
    results: dict[str, AhpResult] = {}
    usable = True
    for dim in system.dimensions:
        if len(dim.indicators) < 2:
            continue
        with st.expander(t("ahp.indicators", code=dim.code, name=dim.name.text(lang()))):
            if not st.checkbox(t("ahp.use_indicators"), key=f"{key}:use:{dim.code}"):
                continue
            names = {i.code: i.name.text(lang()) for i in dim.indicators}
            initial = reweighting.starting_matrix(reweighting.current_points(system, dim.code))
            result = judgement_editor(names, initial, key=f"{key}:{dim.code}", method=method)
            if result is None or not result.consistent:
                usable = False
            else:
                results[dim.code] = result
    return results, usable


def _points_table(plan: reweighting.PointsPlan) -> pd.DataFrame:
    """Dimensions, each followed by its indicators: current and new points."""
    rows = []
    for dim in plan.base.dimensions:
        rows.append((dim.code, dim.name.text(lang()), dim.max_points, float(plan.dimension_points[dim.code])))
        rows += [
            (i.code, f"  {i.name.text(lang())}", i.max_points, float(plan.indicator_points[i.code]))
            for i in dim.indicators
        ]
    columns = [t("ahp.col.code"), t("ahp.col.name"), t("ahp.col.current"), t("ahp.col.new")]
    return pd.DataFrame(rows, columns=columns)


def show(engine: Engine, user: UserContext, *, key: str = "ahp") -> IndicatorSystem | None:
    """The AHP editor for the 指标体系 page; returns the new version when it was saved in this run."""
    st.subheader(t("ahp.title"))
    if not user.can("manage_indicators"):
        st.info(t("ahp.admin_only"))
        return None
    system, text = reweighting.active_version(engine)
    st.caption(t("ahp.intro"))
    choice = st.radio(
        t("ahp.method"),
        list(METHOD_LABELS),
        format_func=lambda m: t(f"ahp.method.{m}"),
        horizontal=True,
        key=f"{key}:method",
    )
    method = cast(AhpMethod, choice)
    st.markdown(f"**{t('ahp.dims')}**")
    names = {d.code: d.name.text(lang()) for d in system.dimensions}
    dims = judgement_editor(
        names, reweighting.starting_matrix(reweighting.current_points(system)), key=f"{key}:dims", method=method
    )
    within, usable = _indicator_matrices(system, key, method)
    if dims is None or not dims.consistent or not usable:
        st.warning(t("ahp.blocked"))
        return None
    step = st.radio(
        t("ahp.step"),
        [1.0, 0.5],
        format_func=lambda s: t("ahp.step_1") if s == 1 else t("ahp.step_half"),
        horizontal=True,
        key=f"{key}:step",
    )
    version = st.text_input(t("ahp.version"), value=f"{system.version}-AHP", key=f"{key}:version")
    try:
        plan = reweighting.build_version(system, text, dims, within, step=step, version=version)
    except (WeightingError, IndicatorSystemError) as exc:
        st.error(str(exc))
        return None
    st.markdown(f"**{t('ahp.points')}**")
    table = _points_table(plan)
    st.dataframe(table, hide_index=True, height=35 * (len(table) + 1) + 3)  # every row, no inner scrolling
    st.caption(t("ahp.rounding"))
    if (plan.indicator_points == pd.Series({i.code: i.max_points for i in system.indicators})).all():
        st.info(t("ahp.same"))
    with st.expander(t("ahp.diff"), expanded=True):
        st.code(plan.diff, language="diff")
    activate = st.checkbox(t("ahp.activate"), key=f"{key}:activate")
    if not st.button(t("ahp.save"), type="primary", key=f"{key}:save"):
        return None
    try:
        saved = reweighting.save_version(engine, user, plan, activate)
    except (IndicatorSystemError, PermissionDenied) as exc:
        st.error(str(exc))
        return None
    st.success(t("ahp.saved_active" if activate else "ahp.saved", version=saved.version, hash=saved.short_hash))
    return saved
