"""The indicator system as data (SPEC §4): a typed model parsed and validated from YAML text.

The engine knows rule *types*; every number comes from the file. Parsing is pure: callers read
the bytes, this module validates them and names the content hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

RuleType = Literal["check", "deduct", "ratio", "likert"]
CHECK_VALUES = ("符合", "部分符合", "不符合")
NOT_APPLICABLE = "不适用"
COMPLAINT_COUNTS = ("registered", "closed", "on_time", "mediated", "mediation_success")


class IndicatorSystemError(ValueError):
    """The indicator file is invalid; ``problems`` lists every Chinese message at once."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("指标体系文件无效：\n" + "\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" and self.en else self.zh


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Label
    type: RuleType
    dimension: str
    max_points: float
    source: str = "inspection"  # inspection | complaints | survey
    check_points: dict[str, float] = field(default_factory=dict)
    per_finding: float = 0.0
    count: str = ""  # complaint count for a complaints-sourced deduct rule
    numerator: str = ""
    denominator: str = ""
    lo: float = 0.0
    hi: float = 1.0
    no_data_points: float = 0.0
    min_responses: int = 0

    @property
    def from_inspection(self) -> bool:
        return self.source == "inspection"


@dataclass(frozen=True)
class Dimension:
    code: str
    name: Label
    indicators: tuple[Indicator, ...]

    @property
    def max_points(self) -> float:
        return sum(i.max_points for i in self.indicators)


@dataclass(frozen=True)
class BonusItem:
    code: str
    name: Label
    kind: Literal["flag", "count"]
    points: float
    max_points: float


@dataclass(frozen=True)
class Veto:
    code: str
    list_type: str
    window: Literal["listed", "days"]
    days: int
    text: str

    def describe(self, listed_on: str) -> str:
        return self.text.format(list_type=self.list_type, date=listed_on)


@dataclass(frozen=True)
class Grade:
    min_total: float
    name: str


@dataclass(frozen=True)
class SurveyQuestion:
    code: str
    name: Label


@dataclass(frozen=True)
class IndicatorSystem:
    id: str
    version: str
    name: Label
    content_hash: str
    dimensions: tuple[Dimension, ...]
    bonus_name: Label
    bonus_cap: float
    bonus_items: tuple[BonusItem, ...]
    survey_scale: dict[int, float]
    survey_invalid_unanswered: int
    survey_questions: tuple[SurveyQuestion, ...]
    vetoes: tuple[Veto, ...]
    grades: tuple[Grade, ...]
    grade_fallback: str
    grade_veto: str
    threshold: float
    survey_indicator: str
    min_on_time_rate: float
    min_business_days: int
    district_weights: dict[str, float]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for d in self.dimensions for i in d.indicators)

    @property
    def inspection_items(self) -> tuple[str, ...]:
        """Codes read from the 实地检查 sheet, in template order (indicators, then bonus)."""
        own = [i.code for i in self.indicators if i.from_inspection]
        return tuple(own + [b.code for b in self.bonus_items])

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def bonus_item(self, code: str) -> BonusItem:
        for item in self.bonus_items:
            if item.code == code:
                return item
        raise KeyError(code)

    def label(self, code: str) -> Label:
        """The label of an indicator, bonus item, dimension or question code."""
        for d in self.dimensions:
            if d.code == code:
                return d.name
        for ind in self.indicators:
            if ind.code == code:
                return ind.name
        for item in self.bonus_items:
            if item.code == code:
                return item.name
        for q in self.survey_questions:
            if q.code == code:
                return q.name
        raise KeyError(code)

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


DISTRICT_WEIGHT_KEYS = ("mean_base", "coverage", "mean_satisfaction", "on_time_rate")


class _Reader:
    """Collects every problem instead of stopping at the first (an editor fixes them at once)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def need(self, obj: Any, key: str, where: str) -> Any:
        if not isinstance(obj, dict) or key not in obj or obj[key] is None:
            self.problems.append(f"{where}：缺少字段 {key}")
            return None
        return obj[key]

    def number(self, obj: Any, key: str, where: str, default: float | None = None) -> float:
        if isinstance(obj, dict) and obj.get(key) is None and default is not None:
            return default
        value = self.need(obj, key, where)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if value is not None:
                self.problems.append(f"{where}：{key} 应为数字，实际为 {value!r}")
            return 0.0
        if value < 0:
            self.problems.append(f"{where}：{key} 不能为负数（{value}）")
        return float(value)

    def label(self, obj: Any, where: str) -> Label:
        raw = self.need(obj, "name", where)
        if isinstance(raw, str):
            return Label(raw, "")
        if isinstance(raw, dict) and isinstance(raw.get("zh"), str) and raw["zh"].strip():
            return Label(raw["zh"], str(raw.get("en") or ""))
        if raw is not None:
            self.problems.append(f"{where}：name 需要中文名称 zh")
        return Label("", "")


def _indicator(r: _Reader, raw: Any, dim: str, where: str) -> Indicator | None:
    code = r.need(raw, "code", where)
    if not isinstance(code, str):
        return None
    where = f"指标 {code}"
    name = r.label(raw, where)
    kind = r.need(raw, "type", where)
    if kind == "check":
        pts = r.need(raw, "points", where)
        if not isinstance(pts, dict) or not pts:
            r.problems.append(f"{where}：check 规则需要 points（如 符合: 5）")
            return None
        bad = [k for k in pts if k not in CHECK_VALUES]
        if bad:
            r.problems.append(f"{where}：未知的检查结果 {bad}，只能是 {'/'.join(CHECK_VALUES)}")
        if "符合" not in pts or "不符合" not in pts:
            r.problems.append(f"{where}：check 规则必须给出 符合 和 不符合 的分值")
        values = {k: r.number(pts, k, where) for k in pts if k in CHECK_VALUES}
        top = max(values.values(), default=0.0)
        if values and values.get("符合", 0.0) != top:
            r.problems.append(f"{where}：符合 的分值应为最高分")
        return Indicator(code, name, "check", dim, top, check_points=values)
    if kind == "deduct":
        source = raw.get("source", "inspection")
        count = str(raw.get("count", ""))
        if source == "complaints" and count not in COMPLAINT_COUNTS:
            r.problems.append(f"{where}：count 应为 {'/'.join(COMPLAINT_COUNTS)} 之一")
        if source not in ("inspection", "complaints"):
            r.problems.append(f"{where}：deduct 规则的 source 只能是 inspection 或 complaints")
        return Indicator(
            code,
            name,
            "deduct",
            dim,
            r.number(raw, "max", where),
            source=source,
            per_finding=r.number(raw, "per_finding", where),
            count=count,
        )
    if kind == "ratio":
        ind = Indicator(
            code,
            name,
            "ratio",
            dim,
            r.number(raw, "max", where),
            source="complaints",
            numerator=str(raw.get("numerator", "")),
            denominator=str(raw.get("denominator", "")),
            lo=r.number(raw, "lo", where),
            hi=r.number(raw, "hi", where),
            no_data_points=r.number(raw, "no_data_points", where),
        )
        for part in (ind.numerator, ind.denominator):
            if part not in COMPLAINT_COUNTS:
                r.problems.append(f"{where}：比率的分子/分母应为 {'/'.join(COMPLAINT_COUNTS)} 之一")
        if ind.hi <= ind.lo:
            r.problems.append(f"{where}：hi 必须大于 lo")
        if ind.no_data_points > ind.max_points:
            r.problems.append(f"{where}：no_data_points 不能超过 max")
        return ind
    if kind == "likert":
        minimum = r.number(raw, "min_responses", where)
        return Indicator(
            code, name, "likert", dim, r.number(raw, "max", where), source="survey", min_responses=int(minimum)
        )
    r.problems.append(f"{where}：未知的规则类型 {kind!r}（可用：check、deduct、ratio、likert）")
    return None


def load_indicator_system(text: bytes | str) -> IndicatorSystem:
    """Parse and validate an indicator-system YAML document; raise IndicatorSystemError listing every problem."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    content_hash = hashlib.sha256(data).hexdigest()
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise IndicatorSystemError([f"不是有效的 UTF-8 YAML 文件：{exc}"]) from exc
    if not isinstance(raw, dict):
        raise IndicatorSystemError(["文件内容应为一个映射（键: 值）"])
    r = _Reader()
    if raw.get("schema") != 1:
        r.problems.append(f"schema 应为 1，实际为 {raw.get('schema')!r}")
    dims: list[Dimension] = []
    seen: set[str] = set()
    for i, d in enumerate(r.need(raw, "dimensions", "指标体系") or []):
        code = r.need(d, "code", f"第 {i + 1} 个一级指标")
        if not isinstance(code, str):
            continue
        label = r.label(d, f"一级指标 {code}")
        inds = []
        for raw_ind in d.get("indicators") or []:
            ind = _indicator(r, raw_ind, code, f"一级指标 {code}")
            if ind is not None:
                if ind.code in seen:
                    r.problems.append(f"指标代码 {ind.code} 重复")
                seen.add(ind.code)
                inds.append(ind)
        if not inds:
            r.problems.append(f"一级指标 {code}：至少需要一个二级指标")
        if code in seen:
            r.problems.append(f"代码 {code} 重复")
        seen.add(code)
        dims.append(Dimension(code, label, tuple(inds)))
    if not dims:
        r.problems.append("指标体系：至少需要一个一级指标")

    bonus = raw.get("bonus") or {"cap": 0, "items": [], "name": "加分项"}
    items: list[BonusItem] = []
    for b in bonus.get("items") or []:
        code = r.need(b, "code", "加分项")
        if not isinstance(code, str):
            continue
        where = f"加分项 {code}"
        kind = b.get("kind")
        if kind not in ("flag", "count"):
            r.problems.append(f"{where}：kind 只能是 flag（是/否）或 count（项数）")
            continue
        pts = r.number(b, "points", where)
        cap = r.number(b, "max", where) if kind == "count" else pts
        if code in seen:
            r.problems.append(f"代码 {code} 重复")
        seen.add(code)
        items.append(BonusItem(code, r.label(b, where), kind, pts, cap))

    survey = raw.get("survey") or {}
    scale_raw = r.need(survey, "scale", "survey") or {}
    scale = {int(k): float(v) for k, v in scale_raw.items()} if isinstance(scale_raw, dict) else {}
    if sorted(scale) != [1, 2, 3, 4, 5]:
        r.problems.append("survey.scale 必须给出 1–5 每个答案的分值")
    questions = tuple(
        SurveyQuestion(str(q.get("code")), r.label(q, f"问题 {q.get('code')}")) for q in (survey.get("questions") or [])
    )
    if not questions:
        r.problems.append("survey.questions：至少需要一个问题")

    vetoes: list[Veto] = []
    for v in raw.get("vetoes") or []:
        code = str(r.need(v, "code", "否决项"))
        window = v.get("window")
        if window not in ("listed", "days"):
            r.problems.append(f"否决项 {code}：window 只能是 listed 或 days")
            continue
        days = int(r.number(v, "days", f"否决项 {code}")) if window == "days" else 0
        text = str(v.get("text") or "{list_type}（{date}）")
        vetoes.append(Veto(code, str(r.need(v, "list_type", f"否决项 {code}")), window, days, text))

    grades_raw = r.need(raw, "grades", "指标体系") or {}
    bands = sorted(
        (Grade(r.number(g, "min", "等级"), str(r.need(g, "name", "等级"))) for g in grades_raw.get("bands") or []),
        key=lambda g: -g.min_total,
    )
    cand = raw.get("candidates") or {}
    weights_raw = (raw.get("district_index") or {}).get("weights") or {}
    weights = {k: r.number(weights_raw, k, "district_index.weights") for k in DISTRICT_WEIGHT_KEYS}
    survey_indicator = str(cand.get("survey_indicator") or "")
    if survey_indicator and survey_indicator not in seen:
        r.problems.append(f"candidates.survey_indicator：未知的指标 {survey_indicator}")
    if r.problems:
        raise IndicatorSystemError(r.problems)
    return IndicatorSystem(
        id=str(raw.get("id") or "indicators"),
        version=str(raw.get("version") or ""),
        name=r.label(raw, "指标体系"),
        content_hash=content_hash,
        dimensions=tuple(dims),
        bonus_name=r.label(bonus, "加分项") if "name" in bonus else Label("加分项", "Bonus"),
        bonus_cap=r.number(bonus, "cap", "加分项", default=0.0),
        bonus_items=tuple(items),
        survey_scale=scale,
        survey_invalid_unanswered=int(
            r.number(survey, "invalid_unanswered", "survey", default=len(questions) // 2 + 1)
        ),
        survey_questions=questions,
        vetoes=tuple(vetoes),
        grades=tuple(bands),
        grade_fallback=str(grades_raw.get("fallback") or "不合格"),
        grade_veto=str(grades_raw.get("veto") or grades_raw.get("fallback") or "不合格"),
        threshold=r.number(cand, "threshold", "candidates", default=80.0),
        survey_indicator=survey_indicator,
        min_on_time_rate=r.number(cand, "min_on_time_rate", "candidates", default=0.0),
        min_business_days=int(r.number(cand, "min_business_days", "candidates", default=0.0)),
        district_weights=weights,
    )
