"""The 活动设置 form (SPEC §1 step 1, §5.4, §8): campaign settings as editable tables, checked as a whole.

Quotas are edited as two tables: one row per known 区县 (blank 名额 = 不限) and any number of
(区县, 行业, 名额) rows. Every problem is reported at once, in Chinese; nothing is saved until all
of them are fixed. The saved settings apply from the next scoring run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from scoring.ingest.sheets import DEFAULT_INDUSTRIES
from scoring.services.campaign import CampaignSettings, load_settings, save_settings
from scoring.services.context import UserContext
from scoring.storage import reviews
from scoring.storage.database import session_scope

MAX_THRESHOLD = 115.0  # base 100 + bonus 15
INDUSTRIES = DEFAULT_INDUSTRIES  # the configured 行业 list


class SettingsError(ValueError):
    """The form has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SettingsForm:
    city: str = ""
    year: str = ""
    threshold: float | None = None
    notice_start: date | None = None
    notice_end: date | None = None
    objection_channel: str = ""
    district_quotas: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["district", "quota"]))
    industry_quotas: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["district", "industry", "quota"])
    )


def districts(engine: Engine) -> list[str]:
    """Known 区县 in administrative-code order."""
    with session_scope(engine, write=False) as s:
        return reviews.district_order(s)


def load_form(engine: Engine, user: UserContext) -> SettingsForm:
    """The current settings as a form: every known 区县 listed, each quota as text ("" = 不限)."""
    user.require("view")
    settings = load_settings(engine)
    known = districts(engine)
    names = known + sorted(set(settings.district_quotas) - set(known))
    # Quotas as text ("" = 不限): an editor shows a blank cell, where a number column would show "None".
    quotas = [str(settings.district_quotas[d]) if d in settings.district_quotas else "" for d in names]
    per_district = pd.DataFrame({"district": names, "quota": quotas}, dtype=object)
    pairs = pd.DataFrame(
        [(d, i, str(n)) for d, i, n in settings.industry_quotas],
        columns=["district", "industry", "quota"],
        dtype=object,
    )
    return SettingsForm(
        city=settings.city,
        year=settings.year,
        threshold=settings.threshold,
        notice_start=date.fromisoformat(settings.notice_start) if settings.notice_start else None,
        notice_end=date.fromisoformat(settings.notice_end) if settings.notice_end else None,
        objection_channel=settings.objection_channel,
        district_quotas=per_district,
        industry_quotas=pairs,
    )


def _blank(value: Any) -> bool:
    return (
        value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""
    )


def _quota(value: Any, where: str, problems: list[str]) -> int | None:
    if _blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(f"{where}：名额“{value}”不是整数")
        return None
    if number < 0 or not number.is_integer():
        problems.append(f"{where}：名额必须是不小于 0 的整数（现为 {value}）")
        return None
    return int(number)


def settings_from_form(form: SettingsForm, known_districts: list[str], base: CampaignSettings) -> CampaignSettings:
    """Check the whole form and build the settings; SettingsError lists every problem."""
    problems: list[str] = []
    year = form.year.strip()
    if year and not (year.isdigit() and len(year) == 4):
        problems.append(f"年度应为四位数字，如 2026（现为“{year}”）")
    threshold = form.threshold
    if threshold is not None and not 0 <= threshold <= MAX_THRESHOLD:
        problems.append(f"入选分数线应在 0 到 {MAX_THRESHOLD:g} 之间（现为 {threshold:g}）")
    if (form.notice_start is None) != (form.notice_end is None):
        problems.append("公示期的开始和结束日期须同时填写")
    elif form.notice_start and form.notice_end and form.notice_end < form.notice_start:
        problems.append("公示期结束日期早于开始日期")
    district_quotas: dict[str, int] = {}
    for row in form.district_quotas.to_dict("records"):
        name = str(row.get("district") or "").strip()
        quota = _quota(row.get("quota"), f"区县名额“{name}”", problems)
        if quota is not None:
            district_quotas[name] = quota
    pairs: list[tuple[str, str, int]] = []
    seen: set[tuple[str, str]] = set()
    for n, row in enumerate(form.industry_quotas.to_dict("records"), start=1):
        d, i, q = row.get("district"), row.get("industry"), row.get("quota")
        if all(_blank(v) for v in (d, i, q)):
            continue  # an empty row left in the editor
        where = f"区县 × 行业名额第 {n} 行"
        if _blank(d) or str(d) not in known_districts:
            problems.append(f"{where}：区县“{'' if _blank(d) else d}”不在区县名单中（{'、'.join(known_districts)}）")
        if _blank(i) or str(i) not in DEFAULT_INDUSTRIES:
            problems.append(f"{where}：行业“{'' if _blank(i) else i}”不在行业列表中")
        quota = _quota(q, where, problems)
        if _blank(q):
            problems.append(f"{where}：请填写名额，或删除该行")
        key = (str(d), str(i))
        if key in seen:
            problems.append(f"{where}：{d} × {i} 重复设置")
        seen.add(key)
        if quota is not None:
            pairs.append((str(d), str(i), quota))
    if problems:
        raise SettingsError(problems)
    return replace(
        base,
        city=form.city.strip(),
        year=year,
        threshold=threshold,
        notice_start=form.notice_start.isoformat() if form.notice_start else "",
        notice_end=form.notice_end.isoformat() if form.notice_end else "",
        objection_channel=form.objection_channel.strip(),
        district_quotas=district_quotas,
        industry_quotas=pairs,
    )


def save_form(engine: Engine, user: UserContext, form: SettingsForm) -> CampaignSettings:
    """Validate and save (admin only; audited by ``save_settings``)."""
    user.require("manage_campaign")
    settings = settings_from_form(form, districts(engine), load_settings(engine))
    save_settings(engine, user, settings)
    return settings
