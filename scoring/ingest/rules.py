"""Per-sheet validation (SPEC §3.1–§3.7): every column parsed by kind, then the rules that span columns
or need the reference data (known districts, rounds and merchants, and the evaluator's scope).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.engine.frames import CLOSED_OUTCOMES
from scoring.engine.indicators import IndicatorSystem
from scoring.ingest import cells
from scoring.ingest.cells import BLANK, BoolArray, ColumnData, Problems, listing
from scoring.ingest.normalize import lookup
from scoring.ingest.refs import ReferenceData
from scoring.ingest.sheets import SheetSpec

DENSE_KINDS = ("text", "uscc")  # parsed on the whole column, not per distinct value


@dataclass
class SheetCheck:
    """One sheet's parsed columns (canonical name → typed values per row) and problems."""

    spec: SheetSpec
    system: IndicatorSystem
    refs: ReferenceData
    merchant_districts: dict[str, str]  # uscc → 区县 of every merchant known so far
    columns: dict[str, ColumnData]
    problems: Problems
    values: dict[str, Any] = field(default_factory=dict)
    uscc_ok: BoolArray | None = None  # rows with a well-formed USCC
    _registered: pd.Series | None = None

    @property
    def n(self) -> int:
        return self.problems.n

    @property
    def registered_name(self) -> pd.Series:
        """Per row: the registry's 单位名称 for the row's USCC, NaN when not registered."""
        if self._registered is None:
            self._registered = lookup(self.values["uscc"], self.refs.merchants)
        return self._registered

    @property
    def registered(self) -> BoolArray:
        return np.asarray(self.registered_name.notna().to_numpy(dtype=bool))


def _unknown_district(known: set[str]) -> Any:
    names = listing(sorted(known))
    if not known:
        return lambda t: f'未知区县"{t}"，尚未导入任何区县（请先导入“区县”表）'
    return lambda t: f'未知区县"{t}"，已知区县：{names}'


def _unknown_round(known: set[str]) -> Any:
    names = listing(sorted(known), 6)
    return lambda t: f'评估轮次"{t}"不存在' + (f"（已有：{names}）" if known else "（请先导入“评估轮次”表）")


def parse_columns(check: SheetCheck) -> None:
    """Parse every column of the sheet by its kind; blank required cells and bad values are errors."""
    p = check.problems
    for spec_col in check.spec.columns:
        col = check.columns[spec_col.name]
        req = spec_col.required
        kind = spec_col.kind
        value: Any
        if kind == "text":
            value = cells.text(col, p, req)
        elif kind == "uscc":
            value, check.uscc_ok = cells.uscc_codes(col, p, req)
        elif kind == "date":
            value = cells.date(col, p, req)
        elif kind == "yesno":
            value = cells.yes_no(col, p, req)
        elif kind == "number":
            value = cells.amount(col, p, req)
        elif kind == "answer":
            value = cells.answer(col, p)
        elif kind == "item":
            value = _item(check, col)
        elif spec_col.name == "district":
            value = cells.choice(col, p, req, sorted(check.refs.districts), _unknown_district(check.refs.districts))
        elif spec_col.name == "round":
            value = cells.choice(col, p, req, sorted(check.refs.rounds), _unknown_round(check.refs.rounds))
        else:
            allowed = check.refs.industries if spec_col.name == "industry" else spec_col.choices
            value = cells.choice(col, p, req, allowed)
        check.values[spec_col.name] = value


def _item(check: SheetCheck, col: ColumnData) -> Any:
    code = col.name
    if code in [b.code for b in check.system.bonus_items]:
        return cells.bonus_item(col, check.problems, check.system.bonus_item(code))
    indicator = check.system.indicator(code)
    if indicator.type == "check":
        return cells.check_item(col, check.problems, indicator)
    return cells.deduct_item(col, check.problems)


def _codes(check: SheetCheck) -> pd.Series:
    codes: pd.Series = check.values["uscc"]
    return codes


def _require_registered(check: SheetCheck) -> None:
    assert check.uscc_ok is not None
    missing = check.uscc_ok & ~check.registered
    check.problems.error("uscc", missing, "统一社会信用代码不在商户名录中")


def _scope_label(allowed: frozenset[str]) -> str:
    return f"不在您的管辖区县（{listing(sorted(allowed))}）范围内"


def _require_scope_merchant(check: SheetCheck) -> None:
    """Inspection and survey rows may only concern merchants of the evaluator's districts."""
    allowed = check.refs.allowed_districts
    if allowed is None:
        return
    assert check.uscc_ok is not None
    district = lookup(_codes(check), check.merchant_districts)
    inside = district.isin(list(allowed)).to_numpy(dtype=bool, na_value=False)
    outside = check.uscc_ok & check.registered & ~inside
    if outside.any():
        known = ("该商户属于" + district + "，").fillna("无法确认该商户所属区县，").to_numpy(dtype=object)
        check.problems.error("uscc", outside, np.asarray(known + _scope_label(allowed), dtype=object))


def _require_scope_any(check: SheetCheck) -> None:
    """Complaint and credit rows of a scoped evaluator must concern a merchant of their districts.

    City-wide 12315 and credit exports (including not-yet-registered USCCs) are imported by the city.
    """
    allowed = check.refs.allowed_districts
    if allowed is None:
        return
    assert check.uscc_ok is not None
    district = lookup(_codes(check), check.merchant_districts)
    inside = district.isin(list(allowed)).to_numpy(dtype=bool, na_value=False)
    outside = check.uscc_ok & ~inside
    if outside.any():
        known = (
            ("该商户属于" + district + "，").fillna("该代码不在商户名录中，无法确认所属区县，").to_numpy(dtype=object)
        )
        check.problems.error("uscc", outside, np.asarray(known + _scope_label(allowed), dtype=object))


def _admin_only(check: SheetCheck, what: str) -> None:
    """区县 and 评估轮次 are campaign set-up: an evaluator's upload may not create or change them."""
    if check.refs.allowed_districts is None:
        return
    name: pd.Series = check.values["name"]
    check.problems.error("name", name.notna().to_numpy(dtype=bool), f"{what}由管理员维护，评估员不能导入或修改")


def _date_order(check: SheetCheck, first: str, second: str, reason: str) -> None:
    a = np.asarray(check.values[first])
    b = np.asarray(check.values[second])
    with np.errstate(invalid="ignore"):
        wrong = ~np.isnat(a) & ~np.isnat(b) & (b < a)
    check.problems.error(second, wrong, reason)


def validate_districts(check: SheetCheck) -> None:
    code: pd.Series = check.values["code"]
    bad = (code.notna() & ~code.str.fullmatch(r"\d{6}").fillna(False)).to_numpy(dtype=bool)
    check.problems.error("code", bad, "区县代码应为 6 位数字")
    _admin_only(check, "区县")


def validate_rounds(check: SheetCheck) -> None:
    _date_order(check, "start", "end", "结束日期早于开始日期")
    _admin_only(check, "评估轮次")


def validate_merchants(check: SheetCheck) -> None:
    assert check.uscc_ok is not None
    cells.check_character_warnings(check.columns["uscc"], _codes(check), check.uscc_ok, check.problems)
    allowed = check.refs.allowed_districts
    if allowed is not None:
        district: pd.Series = check.values["district"]
        outside = (district.notna() & ~district.isin(list(allowed))).to_numpy(dtype=bool)
        check.problems.error("district", outside, _scope_label(allowed))


def validate_inspections(check: SheetCheck) -> None:
    _require_registered(check)
    _require_scope_merchant(check)
    name: pd.Series = check.values["name"]
    registered = check.registered_name
    differs = (name.notna() & registered.notna() & (name != registered)).to_numpy(dtype=bool, na_value=False)
    if differs.any():
        reason = ('与商户名录中的名称"' + registered.fillna("") + '"不一致').to_numpy(dtype=object)
        check.problems.warn("name", differs, reason)


def validate_surveys(check: SheetCheck) -> None:
    _require_registered(check)
    _require_scope_merchant(check)
    answers = np.column_stack([check.values[q.code] for q in check.system.survey_questions])
    unanswered = np.isnan(answers).sum(axis=1)
    check.values["invalid"] = unanswered >= check.system.survey_invalid_unanswered


def validate_complaints(check: SheetCheck) -> None:
    assert check.uscc_ok is not None
    unmatched = check.uscc_ok & ~check.registered
    cells.check_character_warnings(check.columns["uscc"], _codes(check), unmatched, check.problems)
    _date_order(check, "registered_on", "closed_on", "办结日期早于登记日期")
    _require_scope_any(check)
    outcome: pd.Series = check.values["outcome"]
    on_time: pd.Series = check.values["on_time"]
    for closed in CLOSED_OUTCOMES:
        needs = ((outcome == closed) & on_time.isna()).to_numpy(dtype=bool, na_value=False)
        needs = needs & check.columns["on_time"].blank
        check.problems.error("on_time", needs, f"处理结果为{closed}时必须填写是否按时办结")


def validate_credit(check: SheetCheck) -> None:
    assert check.uscc_ok is not None
    cells.check_character_warnings(
        check.columns["uscc"], _codes(check), check.uscc_ok & ~check.registered, check.problems
    )
    _date_order(check, "listed_on", "removed_on", "移出日期早于列入日期")
    _require_scope_any(check)


VALIDATORS = {
    "districts": validate_districts,
    "rounds": validate_rounds,
    "merchants": validate_merchants,
    "inspections": validate_inspections,
    "surveys": validate_surveys,
    "complaints": validate_complaints,
    "credit": validate_credit,
}


def validate(check: SheetCheck) -> None:
    """Parse all columns, then apply the sheet's own rules."""
    parse_columns(check)
    VALIDATORS[check.spec.key](check)


__all__ = ["BLANK", "DENSE_KINDS", "SheetCheck", "validate"]
