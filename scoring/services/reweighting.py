"""A new indicator-system version whose points come from AHP judgements (issue 7, the 指标体系 page).

The active version's YAML text is patched in place — only the numbers that change are rewritten, at
their source positions, so comments, order and layout survive and the diff shows exactly the new
points. The result is validated by the same loader as any uploaded version and saved through
``indicators.upload_version`` (admin only; activation is a separate, explicit choice).

How the other numbers of a rule follow its new maximum M (old maximum m, unit u = 1 or 0.5 point):
- check: 符合 = M; 部分符合 and any other level = old × M/m rounded half-up to u, kept below M;
- deduct: per_finding = old × M/m rounded half-up to u, at least u (as many findings empty it as before);
- ratio: no_data_points = old × M/m rounded half-up to u, at most M; likert: only max changes.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import yaml
from sqlalchemy import Engine

from scoring.engine.indicators import Indicator, IndicatorSystem, load_indicator_system
from scoring.engine.rounding import half_up_scalar
from scoring.engine.weighting import AhpResult, WeightingError, derive_points, format_judgement
from scoring.services import indicators as indicator_service
from scoring.services.context import UserContext, local_today

TOTAL = 100.0
MARK = "# [AHP] "  # header lines this module writes; replaced when a derived version is derived again


@dataclass(frozen=True)
class PointsPlan:
    """New points per dimension and indicator, the patched YAML and its diff against the base version."""

    base: IndicatorSystem
    dimension_points: pd.Series
    indicator_points: pd.Series
    step: float
    version: str
    content: str
    diff: str
    system: IndicatorSystem  # the new version as the loader reads it (validated)
    notes: tuple[str, ...] = field(default_factory=tuple)


def active_version(engine: Engine) -> tuple[IndicatorSystem, str]:
    """The active indicator system and its YAML text."""
    system = indicator_service.active_system(engine)
    content = indicator_service.version_content(engine, system.content_hash)
    text = content.decode("utf-8") if content is not None else indicator_service.DEFAULT_FILE.read_text("utf-8")
    return system, text


def starting_matrix(points: pd.Series) -> pd.DataFrame:
    """Judgements a_ij = P_i / P_j implied by current points (consistent, CR = 0), as text cells."""
    ratios = [[min(9.0, max(1 / 9, points[i] / points[j])) for j in points.index] for i in points.index]
    return pd.DataFrame(
        [[format_judgement(v) for v in row] for row in ratios], index=list(points.index), columns=list(points.index)
    )


def current_points(system: IndicatorSystem, dimension: str | None = None) -> pd.Series:
    """Max points per dimension (``dimension`` None) or per indicator of one dimension."""
    if dimension is None:
        return pd.Series({d.code: d.max_points for d in system.dimensions}, dtype=float)
    dim = next(d for d in system.dimensions if d.code == dimension)
    return pd.Series({i.code: i.max_points for i in dim.indicators}, dtype=float)


def _to_step(value: float, step: float) -> float:
    return half_up_scalar(value / step, 0) * step


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def rule_numbers(ind: Indicator, new_max: float, step: float) -> dict[str, float]:
    """The rule's numbers under a new maximum (keys: max, per_finding, no_data_points, or check levels)."""
    scale = new_max / ind.max_points if ind.max_points else 0.0
    if ind.type == "check":
        below = max(0.0, new_max - step)
        return {
            level: new_max if pts == ind.max_points else min(below, _to_step(pts * scale, step))
            for level, pts in ind.check_points.items()
        }
    out = {"max": new_max}
    if ind.type == "deduct":
        out["per_finding"] = min(new_max, max(step, _to_step(ind.per_finding * scale, step)))
    if ind.type == "ratio":
        out["no_data_points"] = min(new_max, _to_step(ind.no_data_points * scale, step))
    return out


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node under ``key`` of a mapping node (None when absent)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
                return v
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return [n for n in node.value if isinstance(n, yaml.Node)] if isinstance(node, yaml.SequenceNode) else []


def _edits(
    text: str, system: IndicatorSystem, points: pd.Series, step: float, version: str
) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every scalar to rewrite, located by PyYAML's source marks."""
    root = yaml.compose(text)
    edits: list[tuple[int, int, str]] = []

    def replace(node: yaml.Node | None, new: str) -> None:
        if isinstance(node, yaml.ScalarNode):
            edits.append((node.start_mark.index, node.end_mark.index, new))

    replace(_child(root, "version"), json.dumps(version, ensure_ascii=False))
    for dim_node in _items(_child(root, "dimensions")):
        for ind_node in _items(_child(dim_node, "indicators")):
            code_node = _child(ind_node, "code")
            code = str(code_node.value) if isinstance(code_node, yaml.ScalarNode) else ""
            if code not in points.index:
                continue
            indicator = system.indicator(code)
            target = _child(ind_node, "points") if indicator.type == "check" else ind_node
            for key, new in rule_numbers(indicator, float(points[code]), step).items():
                replace(_child(target, key), _number(new))
    return edits


def build_version(
    base: IndicatorSystem,
    text: str,
    dimension_ahp: AhpResult,
    indicator_ahp: Mapping[str, AhpResult],
    *,
    step: float = 1.0,
    version: str = "",
) -> PointsPlan:
    """Derive points from AHP weights and patch ``text`` into a new validated version (nothing is saved)."""
    if not dimension_ahp.consistent or any(not r.consistent for r in indicator_ahp.values()):
        raise WeightingError("存在未通过一致性检验（CR ≥ 0.1）的判断矩阵，不能生成新版本。")
    if set(dimension_ahp.weights.index) != {d.code for d in base.dimensions}:
        raise WeightingError("一级指标判断矩阵的指标与现行指标体系不一致。")
    for d in base.dimensions:
        if d.code in indicator_ahp and set(indicator_ahp[d.code].weights.index) != {i.code for i in d.indicators}:
            raise WeightingError(f"一级指标 {d.code} 的二级指标判断矩阵与现行指标体系不一致。")
    within = {
        d.code: indicator_ahp[d.code].weights if d.code in indicator_ahp else current_points(base, d.code)
        for d in base.dimensions
    }
    dims, points = derive_points(dimension_ahp.weights, within, TOTAL, step)
    version = version.strip() or f"{base.version}-AHP-{local_today():%Y%m%d}"
    edits = _edits(text, base, points, step, version)
    body = text
    for start, end, new in sorted(edits, reverse=True):
        body = body[:start] + new + body[end:]
    notes = [f"一级指标 AHP：CR = {dimension_ahp.cr:.4f}，{dimension_ahp.provenance.params['求权方法']}"]
    notes += [f"{code} 下二级指标 AHP：CR = {r.cr:.4f}" for code, r in indicator_ahp.items()]
    notes.append(
        f"分值取{'整数' if step == 1 else '半'}分，最大余额法，合计 {TOTAL:g} 分；"
        "未给出判断矩阵的一级指标内部按原分值比例分配"
    )
    header = "".join(f"{MARK}{n}\n" for n in notes)
    body = header + "".join(line for line in body.splitlines(keepends=True) if not line.startswith(MARK))
    system = load_indicator_system(body.encode("utf-8"))
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            body.splitlines(keepends=True),
            fromfile=f"现行版本 {base.version}",
            tofile=f"新版本 {version}",
            n=1,
        )
    )
    return PointsPlan(base, dims, points, step, version, body, diff, system, tuple(notes))


def save_version(engine: Engine, user: UserContext, plan: PointsPlan, activate: bool) -> IndicatorSystem:
    """Store the plan's YAML as a new version (validated like any upload; admin only)."""
    return indicator_service.upload_version(engine, user, plan.content.encode("utf-8"), activate=activate)
