"""A deterministic, realistic demo campaign (SPEC §7 ``demo``), written into the import template.

``build_demo_workbook(merchants, seed, city)`` fills the workbook of ``scoring.ingest.template`` with a
城市 campaign: six real 区县 (6-digit codes), three 评估轮次 of 2026 (初期 and 中期 complete, 末期 in
progress up to ``DATA_CUTOFF``), merchants with valid GB 32100 codes whose characters 3–8 are their
district's code, field inspections, satisfaction surveys, 12315 complaints and credit records. The same
``(merchants, seed, city)`` always gives the same bytes. Every row imports; a few USCCs carry a wrong
check character on purpose (stored with a warning) and a few inspections name the shop differently
from the registry (warning).

Every edge case of SPEC §3–§5 is present; ``generate_demo(...).edge_cases`` (and ``demo_summary``) maps
each key of ``EDGE_CASES`` to the USCCs that carry it (问卷编号 for ``invalid_responses`` and
``survey_labels``, 投诉编号 for ``complaint_before_campaign``, ``G3=<n>:<USCC>`` for ``g3_counts``). The
carriers of the crafted cases apply, are inspected in all three rounds and have no other complaints or
credit records, so their edge decides their result. With the default indicator system (初期 D =
2026-04-30, 中期 D = 2026-08-31, 末期 D = 2026-12-31):

- vetoes: ``veto_v1`` … ``veto_v5`` fire; ``veto_listed_on_d`` fires in 初期 (列入日期 = D);
  ``veto_v2_removed_after_d`` fires in 初期 (移出 D+1); records that do not fire: ``veto_v2_removed_on_d``
  (移出日期 = D), ``veto_v2_removed_before_d``, ``veto_v4_old`` (行政处罚 > 365 days before D),
  ``veto_v4_d365`` (exactly D − 365: outside), ``veto_listed_after_d`` (初期 no, 中期 yes); ``veto_v4_d364``
  fires in 初期 only; ``veto_multi`` has two; vetoed merchants otherwise score high (等级 不合格 anyway).
- scores: ``tie`` (three merchants with identical data: equal 综合得分, same 区县 and 行业, 申报日期
  2026-01-10 / 2026-01-05 / blank), ``halfup`` (基础得分 exactly 88.625 → 88.63), ``score_80`` (exactly
  80.00, 良好, qualifies), ``score_79_75`` (79.75, 得分不足), ``score_90`` (exactly 90.00, 优秀),
  ``bonus_cap`` (bonus items 17 → 15), ``g3_counts`` (G3 = 0, 1, 2, 3; 3 gives 6 points), ``low_score``
  (不合格 on points, no veto).
- N/A: ``na_check`` (D3 不适用), ``na_deduct`` (A3 不适用), ``na_many`` (A3, B2, B3, D3 不适用).
- surveys: ``few_responses`` (3 valid + 1 废卷), ``responses_4`` (4 valid + 2 废卷), ``responses_5``
  (exactly 5 valid, one with 4 blanks), ``invalid_responses`` (问卷编号 of 废卷), ``survey_labels``.
- complaints: ``ontime_95`` (19 of 20 on time: passes), ``ontime_90`` (9 of 10: 按时办结率不足),
  ``complaints_pending_only`` (only 处理中), ``complaints_rejected_only`` (only 不予受理),
  ``complaint_closed_after_d``, ``complaint_before_campaign`` (登记 2025-12: no round),
  ``unmatched_complaint`` (USCCs not in 商户名录).
- merchants: ``est_lt_1y`` (成立 2025-09-19), ``est_365`` / ``est_364`` (exactly 365 / 364 days before
  初期 D), ``est_blank``, ``not_inspected`` (registered applicants never inspected), ``non_applicant``
  (是否申报 = 否, inspected, high score), ``applied_on_blank``, ``bad_check_char`` (warning),
  ``name_mismatch`` (inspection 单位名称 ≠ registry: warning).
"""

from __future__ import annotations

from typing import Any

from scoring.demo.edges import EDGE_CASES
from scoring.demo.generator import Generator
from scoring.demo.model import DemoCampaign
from scoring.demo.settings import CITIES, DATA_CUTOFF, DEFAULT_INDICATORS, MIN_MERCHANTS, ROUNDS
from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.ingest.sheets import DEFAULT_INDUSTRIES
from scoring.ingest.template import build_template, fill_template

__all__ = [
    "CITIES",
    "DATA_CUTOFF",
    "DEFAULT_INDICATORS",
    "EDGE_CASES",
    "MIN_MERCHANTS",
    "ROUNDS",
    "DemoCampaign",
    "build_demo_workbook",
    "default_system",
    "demo_summary",
    "generate_demo",
]


def default_system() -> IndicatorSystem:
    return load_indicator_system(DEFAULT_INDICATORS.read_bytes())


def build_demo_workbook(merchants: int = 300, seed: int = 42, city: str = "杭州市") -> bytes:
    """The demo campaign as an import workbook (the filled template of the default indicator system)."""
    system = default_system()
    campaign = generate_demo(merchants, seed, city, system)
    template = build_template(system, DEFAULT_INDUSTRIES, list(campaign.districts), list(campaign.rounds))
    return fill_template(template, campaign.rows)


def demo_summary(merchants: int = 300, seed: int = 42, city: str = "杭州市") -> dict[str, Any]:
    """Rows per sheet and, per edge case, its description and the USCCs (or numbers) carrying it."""
    campaign = generate_demo(merchants, seed, city)
    return {
        "city": campaign.city,
        "seed": campaign.seed,
        "rows": campaign.counts(),
        "edge_cases": {
            key: {"说明": EDGE_CASES[key], "keys": list(values)} for key, values in campaign.edge_cases.items()
        },
    }


def generate_demo(
    merchants: int = 300, seed: int = 42, city: str = "杭州市", system: IndicatorSystem | None = None
) -> DemoCampaign:
    """The demo data (deterministic in ``merchants``, ``seed`` and ``city``)."""
    if city not in CITIES:
        raise ValueError(f"未内置城市“{city}”，可选：{'、'.join(CITIES)}")
    if merchants < MIN_MERCHANTS:
        raise ValueError(f"商户数至少为 {MIN_MERCHANTS}（演示数据需覆盖全部边界情形），实际为 {merchants}")
    return Generator(merchants, seed, city, system or default_system()).run()
