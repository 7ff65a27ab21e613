"""The import templates of SPEC §3 as data: sheet names, Chinese headers, canonical columns, vocabularies.

Every sheet declares its columns once; the reader, the validator, the template generator, the demo
generator and the error report all read these declarations, so a header is spelt in one place.
Inspection item columns come from the indicator system (one per inspection and bonus item).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scoring.engine.frames import OUTCOMES
from scoring.engine.indicators import CHECK_VALUES, NOT_APPLICABLE, IndicatorSystem

ColumnKind = Literal["text", "uscc", "date", "yesno", "choice", "number", "item", "answer"]

DEFAULT_INDUSTRIES = (
    "商超零售",
    "餐饮",
    "住宿",
    "旅游景区",
    "交通出行",
    "教育培训",
    "医疗美容",
    "美容美发",
    "农贸市场",
    "食品生产加工",
    "网络销售",
    "家居装修",
    "其他",
)
INSPECTION_METHODS = ("定期", "不定期", "暗访")
SURVEY_METHODS = ("拦访", "扫码", "线上")
LIST_TYPES = ("经营异常名录", "严重违法失信名单", "失信被执行人", "行政处罚", "重大消费安全事故")
YES_NO = ("是", "否")
LIKERT_LABELS = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}
CHECK_ALIASES = {"✓": "符合", "√": "符合", "是": "符合", "✗": "不符合", "×": "不符合", "否": "不符合"}


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, canonical name, kind and rules."""

    header: str  # Chinese header as printed in the template
    name: str  # canonical column (scoring.engine.frames)
    kind: ColumnKind
    required: bool = False
    choices: tuple[str, ...] = ()  # closed vocabulary (dropdown in the template)
    note: str = ""  # one line for the 说明 sheet
    aliases: tuple[str, ...] = ()  # other header spellings seen in the field


@dataclass(frozen=True)
class SheetSpec:
    key: str  # districts | rounds | merchants | inspections | surveys | complaints | credit
    title: str  # Chinese sheet name
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    note: str

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


def sheet_specs(system: IndicatorSystem, industries: tuple[str, ...] = DEFAULT_INDUSTRIES) -> tuple[SheetSpec, ...]:
    """All seven sheets in import order (a sheet may reference the ones before it)."""
    item_cols: list[Column] = []
    for ind in system.indicators:
        if not ind.from_inspection:
            continue
        header = f"{ind.code} {ind.name.zh}"
        if ind.type == "check":
            choices = (*[v for v in CHECK_VALUES if v in ind.check_points], NOT_APPLICABLE)
            pts = "、".join(f"{k} {v:g} 分" for k, v in ind.check_points.items())
            item_cols.append(Column(header, ind.code, "item", True, choices, f"检查项：{pts}；不适用填'不适用'"))
        else:
            note = (
                f"扣分项：填发现问题处数（整数 ≥ 0），每处扣 {ind.per_finding:g} 分，"
                f"满分 {ind.max_points:g}；不适用填'不适用'"
            )
            item_cols.append(Column(header, ind.code, "item", True, (), note))
    for item in system.bonus_items:
        header = f"{item.code} {item.name.zh}"
        if item.kind == "flag":
            item_cols.append(Column(header, item.code, "item", True, YES_NO, f"加分项：是 {item.points:g} 分"))
        else:
            note = f"加分项：填项数（整数 ≥ 0），每项 {item.points:g} 分，最多 {item.max_points:g} 分"
            item_cols.append(Column(header, item.code, "item", True, (), note))
    questions = tuple(
        Column(
            f"{q.code} {q.name.zh}",
            q.code,
            "answer",
            False,
            (),
            "1–5 或 非常满意/满意/一般/不满意/非常不满意；空白=未作答",
        )
        for q in system.survey_questions
    )
    return (
        SheetSpec(
            "districts",
            "区县",
            (
                Column("区县名称", "name", "text", True, note="区县全称，如 上城区"),
                Column("区县代码", "code", "text", note="6 位行政区划代码"),
                Column("所属城市", "city", "text"),
            ),
            ("name",),
            "区县须先于商户导入。",
        ),
        SheetSpec(
            "rounds",
            "评估轮次",
            (
                Column("轮次名称", "name", "text", True, note="如 2026年初期评估"),
                Column("开始日期", "start", "date", True),
                Column("结束日期", "end", "date", True, note="即评估基准日"),
            ),
            ("name",),
            "结束日期即评估基准日；同名轮次再次导入将更新日期。",
        ),
        SheetSpec(
            "merchants",
            "商户名录",
            (
                Column("统一社会信用代码", "uscc", "uscc", True, note="18 位，GB 32100-2015"),
                Column("单位名称", "name", "text", True),
                Column("区县", "district", "choice", True, note="须为已导入的区县"),
                Column("行业", "industry", "choice", True, industries),
                Column("经营地址", "address", "text"),
                Column("门店名称", "store_name", "text"),
                Column("成立日期", "established", "date"),
                Column("是否申报", "applied", "yesno", True, YES_NO, "是否申报示范单位"),
                Column("申报日期", "applied_on", "date"),
                Column("负责人", "contact_person", "text", note="个人信息，不出现在公示名单"),
                Column("联系电话", "phone", "text", note="个人信息，不出现在公示名单"),
            ),
            ("uscc",),
            "以统一社会信用代码为准；再次导入同一代码将更新该商户。",
        ),
        SheetSpec(
            "inspections",
            "实地检查",
            (
                Column("评估轮次", "round", "choice", True, note="须为已导入的轮次"),
                Column("统一社会信用代码", "uscc", "uscc", True, note="须在商户名录中"),
                Column("单位名称", "name", "text", note="与名录不一致时给出警告"),
                Column("检查日期", "inspected_on", "date", True),
                Column("检查方式", "method", "choice", False, INSPECTION_METHODS),
                Column("检查人员", "inspectors", "text", True),
                *item_cols,
                Column("备注", "note", "text"),
            ),
            ("uscc", "round"),
            "每个商户每轮一条；空白检查项为错误（不适用请填写'不适用'）。",
        ),
        SheetSpec(
            "surveys",
            "满意度调查",
            (
                Column("问卷编号", "response_no", "text", True),
                Column("评估轮次", "round", "choice", True, note="须为已导入的轮次"),
                Column("统一社会信用代码", "uscc", "uscc", True, note="须在商户名录中"),
                Column("调查日期", "surveyed_on", "date"),
                Column("调查方式", "method", "choice", False, SURVEY_METHODS),
                *questions,
            ),
            ("round", "response_no"),
            f"未作答题数 ≥ {system.survey_invalid_unanswered} 的问卷为废卷：保存但不计分。",
        ),
        SheetSpec(
            "complaints",
            "投诉记录",
            (
                Column("投诉编号", "complaint_no", "text", True),
                Column("被投诉人统一社会信用代码", "uscc", "uscc", True),
                Column("被投诉人名称", "name", "text"),
                Column("登记日期", "registered_on", "date", True),
                Column("办结日期", "closed_on", "date"),
                Column("处理结果", "outcome", "choice", True, OUTCOMES),
                Column("是否按时办结", "on_time", "yesno", False, YES_NO, "处理结果为调解成功/调解终止/撤诉时必填"),
                Column("争议金额(元)", "amount", "number", aliases=("争议金额", "争议金额（元）")),
                Column("问题类别", "category", "text"),
            ),
            ("complaint_no",),
            "按登记日期归入轮次；被投诉人不在名录中的投诉照常保存并计为未匹配。",
        ),
        SheetSpec(
            "credit",
            "信用记录",
            (
                Column("统一社会信用代码", "uscc", "uscc", True),
                Column("名单类型", "list_type", "choice", True, LIST_TYPES),
                Column("列入日期", "listed_on", "date", True),
                Column("移出日期", "removed_on", "date"),
                Column("事由", "reason", "text"),
                Column("决定机关", "authority", "text"),
                Column("文书号", "doc_no", "text"),
            ),
            ("uscc", "list_type", "listed_on"),
            "用于一票否决：严重违法失信名单、经营异常名录、失信被执行人（在列期间），行政处罚、重大消费安全事故（一年内）。",
        ),
    )
