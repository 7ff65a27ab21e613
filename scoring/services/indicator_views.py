"""The indicator-system page (SPEC §4): the active system as a tree and a sunburst, versions and their diff."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.indicators import Indicator, IndicatorSystem, IndicatorSystemError, load_indicator_system
from scoring.engine.rules import fmt
from scoring.services import indicators as indicator_service
from scoring.services.context import UserContext

TREE_COLUMNS = ["level", "code", "name", "name_en", "type", "points", "rule"]


def rule_text(ind: Indicator) -> str:
    """The rule of one indicator in a short Chinese sentence."""
    if ind.type == "check":
        return "，".join(f"{k} {fmt(v)}" for k, v in ind.check_points.items()) + "；不适用不计入"
    if ind.type == "deduct":
        what = "每处发现" if ind.from_inspection else f"每件投诉（{ind.count}）"
        return f"满分 {fmt(ind.max_points)}，{what}扣 {fmt(ind.per_finding)}，扣完为止"
    if ind.type == "ratio":
        return (
            f"{ind.numerator}/{ind.denominator}：≤ {ind.lo:.0%} 得 0，≥ {ind.hi:.0%} 得 {fmt(ind.max_points)}，"
            f"其间线性；无数据 {fmt(ind.no_data_points)}"
        )
    return f"满意度指数 × {fmt(ind.max_points)} ÷ 100；有效问卷少于 {ind.min_responses} 份不适用"


def tree(system: IndicatorSystem) -> pd.DataFrame:
    """Dimensions, their indicators and the bonus items, one row each, in file order."""
    rows: list[tuple[Any, ...]] = []
    for dim in system.dimensions:
        rows.append(("dimension", dim.code, dim.name.zh, dim.name.en, "", dim.max_points, ""))
        rows.extend(
            ("indicator", i.code, i.name.zh, i.name.en, i.type, i.max_points, rule_text(i)) for i in dim.indicators
        )
    rows.append(
        (
            "bonus",
            "G",
            system.bonus_name.zh,
            system.bonus_name.en,
            "",
            system.bonus_cap,
            f"合计上限 {fmt(system.bonus_cap)}",
        )
    )
    for b in system.bonus_items:
        rule = f"是 → {fmt(b.points)}" if b.kind == "flag" else f"每项 {fmt(b.points)}，最多 {fmt(b.max_points)}"
        rows.append(("bonus_item", b.code, b.name.zh, b.name.en, b.kind, b.max_points, rule))
    return pd.DataFrame(rows, columns=TREE_COLUMNS)


def sunburst(system: IndicatorSystem, lang: str = "zh", root: str = "") -> pd.DataFrame:
    """ids/parents/labels/names/values for a sunburst of the base points (dimensions → indicators).

    Labels are short (dimension name, indicator code) so they fit the ring; ``name`` is for hovering.
    """
    total = sum(d.max_points for d in system.dimensions)
    rows = [("root", "", root, system.name.text(lang), total)]
    for dim in system.dimensions:
        rows.append((dim.code, "root", f"{dim.code} {dim.name.text(lang)}", dim.name.text(lang), dim.max_points))
        rows.extend((i.code, dim.code, i.code, i.name.text(lang), i.max_points) for i in dim.indicators)
    return pd.DataFrame(rows, columns=["id", "parent", "label", "name", "points"])


def rules_summary(system: IndicatorSystem) -> pd.DataFrame:
    """The rules around the points: bonus cap, grades, vetoes, candidate conditions, district index weights."""
    rows = [("加分上限", f"{fmt(system.bonus_cap)} 分（{'、'.join(b.code for b in system.bonus_items)}）")]
    rows.append(
        ("等级", "；".join(f"{g.name} ≥ {fmt(g.min_total)}" for g in system.grades) + f"；其余 {system.grade_fallback}")
    )
    for v in system.vetoes:
        when = "基准日在名单内" if v.window == "listed" else f"基准日前 {v.days} 天内列入"
        rows.append((f"一票否决 {v.code}", f"{v.list_type}（{when}）"))
    rows.append(("示范候选门槛", f"综合得分 ≥ {fmt(system.threshold)}，按时办结率 ≥ {system.min_on_time_rate:.0%}"))
    names = {
        "mean_base": "平均基础得分",
        "coverage": "覆盖率",
        "mean_satisfaction": "满意度指数",
        "on_time_rate": "按时办结率",
    }
    weights = system.district_weights
    rows.append(("区县综合指数", " + ".join(f"{fmt(w)} × {names.get(k, k)}" for k, w in weights.items())))
    return pd.DataFrame(rows, columns=["item", "rule"])


@dataclass(frozen=True)
class UploadCheck:
    system: IndicatorSystem | None
    problems: list[str]
    known: bool = False  # the same content is already a stored version


def check_upload(engine: Engine, user: UserContext, content: bytes) -> UploadCheck:
    """Validate an uploaded indicator file without storing it; every problem is listed."""
    user.require("manage_indicators")
    try:
        system = load_indicator_system(content)
    except IndicatorSystemError as exc:
        return UploadCheck(None, exc.problems)
    known = any(v.content_hash == system.content_hash for v in indicator_service.list_versions(engine))
    return UploadCheck(system, [], known)


def versions(engine: Engine, user: UserContext) -> pd.DataFrame:
    """Stored versions, newest first: id, version, name, hash, uploaded_by, uploaded_at, active."""
    user.require("view")
    rows = [
        (v.id, v.version, v.name, v.content_hash, v.uploaded_by, v.uploaded_at, v.active)
        for v in indicator_service.list_versions(engine)
    ]
    return pd.DataFrame(rows, columns=["id", "version", "name", "hash", "uploaded_by", "uploaded_at", "active"])


def _fields(system: IndicatorSystem) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for dim in system.dimensions:
        out[dim.code] = {"名称": dim.name.zh, "满分": fmt(dim.max_points)}
        for i in dim.indicators:
            out[i.code] = {
                "名称": i.name.zh,
                "所属": dim.code,
                "类型": i.type,
                "满分": fmt(i.max_points),
                "规则": rule_text(i),
            }
    for b in system.bonus_items:
        out[b.code] = {"名称": b.name.zh, "类型": b.kind, "分值": fmt(b.points), "上限": fmt(b.max_points)}
    out["加分上限"] = {"值": fmt(system.bonus_cap)}
    out["等级"] = {g.name: f"≥ {fmt(g.min_total)}" for g in system.grades}
    out["候选门槛"] = {"综合得分": fmt(system.threshold), "按时办结率": f"{system.min_on_time_rate:.0%}"}
    out["区县指数权重"] = {k: fmt(v) for k, v in system.district_weights.items()}
    out["一票否决"] = {
        v.code: f"{v.list_type}（{v.window}{' ' + str(v.days) + ' 天' if v.days else ''}）" for v in system.vetoes
    }
    return out


def diff(old: IndicatorSystem, new: IndicatorSystem) -> pd.DataFrame:
    """What changed from ``old`` to ``new``: item, change (added / removed / changed), field, before, after."""
    a, b = _fields(old), _fields(new)
    rows: list[tuple[str, str, str, str, str]] = []
    for key in [*a, *[k for k in b if k not in a]]:
        if key not in b:
            rows.append((key, "removed", "", a[key].get("名称", ""), ""))
        elif key not in a:
            rows.append((key, "added", "", "", b[key].get("名称", "")))
        else:
            for name in [*a[key], *[n for n in b[key] if n not in a[key]]]:
                before, after = a[key].get(name, ""), b[key].get(name, "")
                if before != after:
                    rows.append((key, "changed", name, str(before), str(after)))
    return pd.DataFrame(rows, columns=["item", "change", "field", "before", "after"])


def text_diff(engine: Engine, user: UserContext, old_hash: str, new_hash: str) -> str:
    """A unified diff of the two files as stored."""
    user.require("view")
    texts = [(indicator_service.version_content(engine, h) or b"").decode("utf-8") for h in (old_hash, new_hash)]
    lines = difflib.unified_diff(
        texts[0].splitlines(), texts[1].splitlines(), fromfile=old_hash[:12], tofile=new_hash[:12], lineterm=""
    )
    return "\n".join(lines)


def load_version(engine: Engine, user: UserContext, content_hash: str) -> IndicatorSystem:
    user.require("view")
    content = indicator_service.version_content(engine, content_hash)
    if content is None:
        raise LookupError(f"未找到指标体系版本 {content_hash[:12]}")
    return load_indicator_system(content)
