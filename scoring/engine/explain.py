"""The explanation chain of SPEC §5.3 for one merchant, written by the rules that produced the figures.

raw value → rule → points → dimension → base → bonus → veto → grade → rank → candidate decision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.rules import explain_indicator, fmt
from scoring.engine.scores import COUNT_COLUMNS, INSUFFICIENT, SURVEY_COLUMNS


@dataclass(frozen=True)
class ExplanationSection:
    title: str
    lines: tuple[str, ...]


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def explain(
    system: IndicatorSystem, row: Mapping[str, Any], candidate: Mapping[str, Any] | None = None
) -> list[ExplanationSection]:
    """Sections of the explanation for one merchant result row (a §5.1 row with its inputs)."""
    inputs = {k: _num(row.get(k)) or 0.0 for k in (*COUNT_COLUMNS, *SURVEY_COLUMNS)}
    sections: list[ExplanationSection] = []
    earned = possible = 0.0
    skipped: list[str] = []
    for dim in system.dimensions:
        lines = []
        dim_earned = dim_possible = 0.0
        for ind in dim.indicators:
            pts = _num(row.get(ind.code))
            raw = row.get("raw_" + ind.code)
            lines.append(explain_indicator(ind, raw, pts, inputs))
            if pts is None:
                skipped.append(f"{ind.code}（{fmt(ind.max_points)} 分）")
            else:
                dim_earned += pts
                dim_possible += ind.max_points
        earned += dim_earned
        possible += dim_possible
        subtotal = "全部不适用" if dim_possible == 0 else f"小计 {fmt(dim_earned)} / 适用满分 {fmt(dim_possible)}"
        sections.append(ExplanationSection(f"{dim.code} {dim.name.zh}（{subtotal}）", tuple(lines)))

    base = _num(row.get("base"))
    if base is None:
        sections.append(ExplanationSection("基础得分", (f"{INSUFFICIENT}：没有适用的指标，不计分。",)))
        return sections
    full = sum(i.max_points for i in system.indicators)
    base_lines = [f"适用指标得分 {fmt(earned)}，适用满分 {fmt(possible)}（满分 {fmt(full)}）"]
    if skipped:
        base_lines.append("不适用、不计入满分：" + "、".join(skipped) + "；按适用满分折算为百分制")
    base_lines.append(f"基础得分 = 100 × {fmt(earned)} / {fmt(possible)} = {base:.2f}")
    sections.append(ExplanationSection("基础得分", tuple(base_lines)))

    bonus_lines = []
    bonus_sum = 0.0
    for item in system.bonus_items:
        pts = _num(row.get(item.code)) or 0.0
        raw = _num(row.get("raw_" + item.code)) or 0.0
        bonus_sum += pts
        if item.kind == "flag":
            said = "是" if raw >= 1 else "否"
            bonus_lines.append(f"{item.code} {item.name.zh}：{said} → {fmt(pts)} 分")
        else:
            bonus_lines.append(
                f"{item.code} {item.name.zh}：{fmt(raw)} 项 × {fmt(item.points)} 分，最多 {fmt(item.max_points)}"
                f" → {fmt(pts)} 分"
            )
    bonus = _num(row.get("bonus")) or 0.0
    if bonus_sum > system.bonus_cap:
        bonus_lines.append(f"加分合计 {fmt(bonus_sum)}，超过上限 {fmt(system.bonus_cap)}，按 {fmt(bonus)} 分计")
    else:
        bonus_lines.append(f"加分合计 {bonus:.2f}（上限 {fmt(system.bonus_cap)}）")
    sections.append(ExplanationSection("加分", tuple(bonus_lines)))

    total = _num(row.get("total")) or 0.0
    sections.append(
        ExplanationSection("综合得分", (f"综合得分 = 基础得分 + 加分 = {total:.2f}（四舍五入到 2 位小数）",))
    )
    veto = str(row.get("veto_text") or "")
    sections.append(ExplanationSection("一票否决", (f"否决：{veto}" if veto else "无否决事项",)))
    grade = str(row.get("grade") or "")
    if veto:
        grade_line = f"等级：{grade}（一票否决，不论得分）"
    else:
        band = next((g for g in system.grades if g.name == grade), None)
        grade_line = f"等级：{grade}（综合得分 ≥ {fmt(band.min_total)}）" if band else f"等级：{grade}"
    sections.append(ExplanationSection("等级", (grade_line,)))
    ranks = [
        f"{label}第 {int(v)} 名"
        for label, key in (("全市", "city_rank"), ("区县", "district_rank"), ("行业", "industry_rank"))
        if (v := _num(row.get(key))) is not None
    ]
    rank_line = "，".join(ranks) + ("（被否决的商户排在其他商户之后）" if veto else "")
    sections.append(ExplanationSection("排名", (rank_line,)))
    if candidate is not None:
        status = str(candidate.get("status") or "")
        reasons = str(candidate.get("reasons") or "")
        wait = _num(candidate.get("waitlist_no"))
        line = f"示范单位候选：{status}"
        if wait is not None:
            line += f"（候补第 {int(wait)} 位）"
        if reasons:
            line += "；原因：" + reasons
        sections.append(ExplanationSection("候选决定", (line,)))
    return sections


def explanation_text(sections: list[ExplanationSection]) -> str:
    """The same explanation as plain text (exports, CLI)."""
    out = []
    for sec in sections:
        out.append(f"【{sec.title}】")
        out.extend(f"  {line}" for line in sec.lines)
    return "\n".join(out)
