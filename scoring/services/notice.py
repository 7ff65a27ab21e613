"""Lists for export (SPEC §8): the 公示名单 and the internal lists, each export logged in the audit log.

Which units the 公示名单 lists:
- once review has started for the round (any review case exists): the units whose case is
  ``市级审核通过`` or ``公示中`` — nothing that has not passed city review is ever listed;
- ``public=True`` (the notice to publish) requires that: before review it is refused, and it also
  needs 城市, 年度, 公示期 and 异议受理 in the campaign settings;
- ``public=False`` (internal working copy, export_internal) before any review lists the 入选
  candidates of the latest run, marked as a draft (“草稿：尚未经区县、市级审核”).
Order: 区县 by administrative code, then 行业 in the configured order, then 综合得分 desc, USCC.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.explain import explain, explanation_text
from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.engine.selection import SELECTED
from scoring.exports.internal import internal_xlsx
from scoring.exports.notice import NoticeDocument, notice_xlsx
from scoring.exports.tables import candidate_table, district_table, score_table
from scoring.ingest.sheets import DEFAULT_INDUSTRIES
from scoring.services import indicators as indicator_service
from scoring.services.audit import record_export
from scoring.services.campaign import CampaignSettings, load_settings
from scoring.services.context import UserContext
from scoring.services.review import CITY_OK, NOTICE
from scoring.services.runs import RoundResults, results
from scoring.storage import reviews
from scoring.storage.database import session_scope

PUBLIC_STATES = (CITY_OK, NOTICE)
DRAFT_NOTE = "草稿：按最新评分结果的入选单位生成，尚未经区县、市级审核，不得对外公布。"
INTERNAL_SHEETS = ("得分明细", "候选名单", "区县排名")


class NoticeError(ValueError):
    """The list cannot be produced yet (settings missing, nothing reviewed); Chinese message."""


def notice_title(city: str, year: str) -> str:
    """`<城市><年度>放心消费示范单位拟认定名单`; a bare year such as 2026 reads 2026年度."""
    year = year.strip()
    if year.isdigit():
        year += "年度"
    return f"{city.strip()}{year}放心消费示范单位拟认定名单"


def _cn_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def period_line(settings: CampaignSettings) -> str:
    if not (settings.notice_start and settings.notice_end):
        return "公示期：（未设置）"
    days = (date.fromisoformat(settings.notice_end) - date.fromisoformat(settings.notice_start)).days + 1
    return f"公示期：{_cn_date(settings.notice_start)}至{_cn_date(settings.notice_end)}（共 {days} 天）"


def objection_line(settings: CampaignSettings) -> str:
    channel = settings.objection_channel.strip() or "（未设置）"
    return f"公示期内，对名单中的单位有异议的，请以书面形式实名反映。异议受理：{channel}"


def notice_document(engine: Engine, user: UserContext, round_name: str, *, public: bool) -> NoticeDocument:
    """The 公示名单 of a round (see the module docstring for which units it lists)."""
    user.require("export_public" if public else "export_internal")
    settings = load_settings(engine)
    missing = [label for label, value in (("城市", settings.city), ("年度", settings.year)) if not value.strip()]
    if public:
        needed = (("公示期", settings.notice_end), ("异议受理方式", settings.objection_channel))
        missing += [label for label, value in needed if not value.strip()]
    if missing:
        raise NoticeError(f"请先在“活动设置”中填写：{'、'.join(missing)}。")
    with session_scope(engine, write=False) as s:
        cases = reviews.case_frame(s, round_name=round_name, districts=user.scope)
        order = reviews.district_order(s)
    draft = cases.empty
    if draft and public:
        raise NoticeError(
            f"“{round_name}”尚未开始审核。公示名单只列出通过市级审核的单位；请先在“示范单位候选”页面开启审核。"
        )
    if draft:
        found = results(engine, user, round_name)
        chosen = found.candidates[found.candidates["status"] == SELECTED]
        grades = found.scores.set_index("uscc")["grade"]
        rows = chosen[["district", "industry", "name", "uscc", "total"]].assign(
            grade=chosen["uscc"].map(grades).fillna(""), note=""
        )
    else:
        chosen = cases[cases["state"].isin(PUBLIC_STATES)]
        if chosen.empty:
            raise NoticeError(f"“{round_name}”尚无通过市级审核（市级审核通过或公示中）的单位。")
        rows = chosen[["district", "industry", "name", "uscc", "total"]].assign(
            grade=chosen["grade"].fillna(""), note=chosen["nominated"].map({True: "递补", False: ""})
        )
    with session_scope(engine, write=False) as s:
        addresses = reviews.merchant_addresses(s, rows["uscc"])
    rows = rows.assign(address=rows["uscc"].map(addresses).fillna(""))
    return NoticeDocument(
        notice_title(settings.city, settings.year),
        period_line(settings),
        objection_line(settings),
        _ordered(rows, order),
        DRAFT_NOTE if draft else "",
    )


def _ordered(rows: pd.DataFrame, districts: list[str]) -> pd.DataFrame:
    d_rank = {name: i for i, name in enumerate(districts)}
    i_rank = {name: i for i, name in enumerate(DEFAULT_INDUSTRIES)}
    keyed = rows.assign(
        _d=rows["district"].map(d_rank).fillna(len(d_rank)),
        _i=rows["industry"].map(i_rank).fillna(len(i_rank)),
        _t=-rows["total"].astype(float).fillna(0.0),
    )
    keyed = keyed.sort_values(["_d", "district", "_i", "industry", "_t", "uscc"], kind="stable")
    columns = ["district", "industry", "name", "uscc", "address", "grade", "total", "note"]
    return keyed[columns].reset_index(drop=True)


def notice_bytes(
    engine: Engine, user: UserContext, round_name: str, *, public: bool, include_score: bool = False
) -> tuple[bytes, NoticeDocument]:
    """The 公示名单 xlsx and what it lists; the export is written to the audit log."""
    doc = notice_document(engine, user, round_name, public=public)
    data = notice_xlsx(doc, include_score=include_score)
    _log(engine, user, "公示名单" if public else "公示名单（内部）", round_name, rows=len(doc.rows))
    return data, doc


def run_system(engine: Engine, found: RoundResults) -> IndicatorSystem:
    """The indicator system a run used (by content hash), or the active one when it is not stored."""
    content = indicator_service.version_content(engine, found.run.indicator_hash)
    return load_indicator_system(content) if content else indicator_service.active_system(engine)


def full_table(found: RoundResults, system: IndicatorSystem) -> pd.DataFrame:
    """§5.1 with the explanation chain (§5.3) of every merchant in a last column 评分说明."""
    table = score_table(found.scores, system)
    cands = found.candidates.set_index("uscc")
    texts = []
    for record in found.scores.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        cand = {str(k): v for k, v in cands.loc[row["uscc"]].items()} if row["uscc"] in cands.index else None
        texts.append(explanation_text(explain(system, row, cand)))
    return table.assign(评分说明=texts)


def internal_bytes(engine: Engine, user: UserContext, round_name: str, kind: str = "all") -> bytes:
    """Internal lists of the latest run (scoped to the user's 区县): "all" (three sheets), "full",
    "candidates" (with reasons) or "districts" (the §5.5 ranking)."""
    user.require("export_internal")
    found = results(engine, user, round_name)
    sheets: dict[str, pd.DataFrame] = {}
    if kind in ("all", "full"):
        sheets[INTERNAL_SHEETS[0]] = full_table(found, run_system(engine, found))
    if kind in ("all", "candidates"):
        sheets[INTERNAL_SHEETS[1]] = candidate_table(found.candidates)
    if kind in ("all", "districts"):
        sheets[INTERNAL_SHEETS[2]] = district_table(found.districts)
    if not sheets:
        raise NoticeError(f"未知的名单类型：{kind}")
    data = internal_xlsx(sheets)
    _log(engine, user, f"内部名单（{kind}）", round_name, rows=len(found.scores), run_id=found.run.id)
    return data


def _log(
    engine: Engine, user: UserContext, what: str, round_name: str, *, rows: int, run_id: int | None = None
) -> None:
    record_export(engine, user, what, rows, round=round_name, run_id=run_id)
