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

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from scoring.engine.indicators import NOT_APPLICABLE, IndicatorSystem, load_indicator_system
from scoring.engine.uscc import ALPHABET, check_character
from scoring.ingest.sheets import DEFAULT_INDUSTRIES, INSPECTION_METHODS, LIKERT_LABELS, SURVEY_METHODS, sheet_specs
from scoring.ingest.template import Cell, build_template, fill_template

DEFAULT_INDICATORS = Path(__file__).resolve().parent.parent / "data" / "indicators" / "fangxin-2026.yaml"
ROUNDS: tuple[tuple[str, dt.date, dt.date], ...] = (
    ("2026年初期评估", dt.date(2026, 1, 1), dt.date(2026, 4, 30)),
    ("2026年中期评估", dt.date(2026, 5, 1), dt.date(2026, 8, 31)),
    ("2026年末期评估", dt.date(2026, 9, 1), dt.date(2026, 12, 31)),
)
ROUND_COVERAGE = (0.9, 0.93, 0.22)  # share of applicants inspected per round (末期 in progress)
DATA_CUTOFF = dt.date(2026, 11, 20)  # "today" of the demo: nothing is dated later
COMPLAINTS_FROM = dt.date(2025, 12, 1)
MIN_MERCHANTS = 60

# city → (区县, code, roads); codes are the real 6-digit administrative division codes.
CITIES: dict[str, tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]]] = {
    "杭州市": (
        "浙",
        (
            ("上城区", "330102", ("解放路", "清泰街", "望江路", "秋涛路", "延安路")),
            ("拱墅区", "330105", ("莫干山路", "湖墅南路", "大关路", "丽水路", "中山北路")),
            ("西湖区", "330106", ("文三路", "天目山路", "古墩路", "学院路", "文二西路")),
            ("滨江区", "330108", ("江南大道", "滨盛路", "长河路", "江虹路", "网商路")),
            ("萧山区", "330109", ("市心路", "金城路", "人民路", "北干山路", "育才路")),
            ("余杭区", "330110", ("文一西路", "五常大道", "良睦路", "余杭塘路", "高教路")),
        ),
    ),
    "宁波市": (
        "浙",
        (
            ("海曙区", "330203", ("中山西路", "药行街", "柳汀街", "望春路", "环城西路")),
            ("江北区", "330205", ("人民路", "大庆南路", "洪塘路", "中马路", "文教路")),
            ("北仑区", "330206", ("新大路", "明州路", "长江路", "太河路", "庐山路")),
            ("镇海区", "330211", ("车站路", "骆驼街道", "庄市大道", "城河路", "胜利路")),
            ("鄞州区", "330212", ("天童南路", "四明中路", "钱湖北路", "首南路", "惠风东路")),
            ("奉化区", "330213", ("南山路", "中山路", "大成路", "岳林路", "长汀路")),
        ),
    ),
    "南京市": (
        "苏",
        (
            ("玄武区", "320102", ("中山路", "珠江路", "北京东路", "龙蟠路", "太平北路")),
            ("秦淮区", "320104", ("中华路", "太平南路", "建康路", "御道街", "升州路")),
            ("建邺区", "320105", ("江东中路", "应天大街", "庐山路", "嘉陵江东街", "河西大街")),
            ("鼓楼区", "320106", ("中山北路", "湖南路", "广州路", "虎踞路", "草场门大街")),
            ("栖霞区", "320113", ("迈皋桥路", "仙林大道", "文苑路", "和燕路", "尧新大道")),
            ("江宁区", "320115", ("双龙大道", "天元中路", "胜太路", "竹山路", "上元大街")),
        ),
    ),
    "成都市": (
        "川",
        (
            ("锦江区", "510104", ("春熙路", "东大街", "红星路", "水碾河路", "静安路")),
            ("青羊区", "510105", ("人民中路", "宽窄巷子", "清江东路", "光华大道", "青华路")),
            ("金牛区", "510106", ("一环路北段", "蜀汉路", "营门口路", "沙湾路", "金府路")),
            ("武侯区", "510107", ("科华北路", "武侯祠大街", "人民南路", "玉林南路", "高升桥路")),
            ("成华区", "510108", ("建设路", "二仙桥东路", "双林路", "府青路", "崔家店路")),
            ("龙泉驿区", "510112", ("驿都大道", "龙都南路", "建设路", "同安路", "洪河大道")),
        ),
    ),
}

EDGE_CASES: dict[str, str] = {
    "veto_v1": "V1 严重违法失信名单（2026-02-10 列入，未移出）：各轮均否决",
    "veto_v2": "V2 经营异常名录（2026-03-02 列入，2026-06-15 移出）：初期否决，中期已移出不否决",
    "veto_v2_removed_on_d": "经营异常名录 2026-04-30 移出（= 初期基准日）：初期不否决",
    "veto_v2_removed_after_d": "经营异常名录 2026-05-01 移出（基准日后一天）：初期否决",
    "veto_v2_removed_before_d": "经营异常名录 2026-01-20 已移出：不否决",
    "veto_listed_on_d": "经营异常名录 2026-04-30 列入（= 初期基准日）：初期否决",
    "veto_listed_after_d": "经营异常名录 2026-05-20 列入（初期基准日之后）：初期不否决，中期否决",
    "veto_v3": "V3 失信被执行人（2025-11-11 列入）：各轮均否决",
    "veto_v4": "V4 行政处罚 2025-09-15：初期、中期否决，末期已超过 365 天",
    "veto_v4_old": "行政处罚 2024-12-24：超过 365 天，不否决",
    "veto_v4_d365": "行政处罚 2025-04-30（= 初期基准日 − 365 天）：初期不否决",
    "veto_v4_d364": "行政处罚 2025-05-01（= 初期基准日 − 364 天）：初期否决",
    "veto_v5": "V5 重大消费安全事故 2026-03-18：各轮均否决",
    "veto_multi": "经营异常名录 2026-01-15 + 行政处罚 2026-02-03：两条否决原因",
    "tie": "三家数据完全相同的商户（同区县同行业）：综合得分相同，申报日期 2026-01-10 / 2026-01-05 / 空",
    "halfup": "基础得分恰为 88.625 → 88.63（四舍五入，非银行家舍入）",
    "score_80": "综合得分恰为 80.00：良好，达到候选门槛",
    "score_79_75": "综合得分 79.75：得分不足",
    "score_90": "综合得分恰为 90.00：优秀",
    "bonus_cap": "加分项合计 17 分，封顶 15 分",
    "g3_counts": "G3 荣誉项数 0、1、2、3 各至少一家（3 项计 6 分）",
    "low_score": "得分低于 60 的不合格商户（无否决）",
    "na_check": "检查项 D3 不适用",
    "na_deduct": "扣分项 A3 不适用",
    "na_many": "A3、B2、B3、D3 均不适用（按适用满分折算）",
    "few_responses": "有效问卷 3 份（另 1 份废卷）：F1 不适用，问卷不足",
    "responses_4": "有效问卷 4 份（另 2 份废卷）：问卷不足",
    "responses_5": "有效问卷恰为 5 份（其中 1 份空 4 题仍有效）",
    "invalid_responses": "废卷（未作答 ≥ 5 题）的问卷编号",
    "survey_labels": "以文字（非常满意…非常不满意）作答的问卷编号",
    "ontime_95": "初期办结 20 件、按时 19 件（恰为 95%）：通过",
    "ontime_90": "初期办结 10 件、按时 9 件（90%）：按时办结率不足",
    "complaints_pending_only": "投诉均为处理中：E3、E4 无数据得满分，E5 计件扣分",
    "complaints_rejected_only": "投诉均为不予受理：不计入登记投诉数",
    "complaint_closed_after_d": "初期登记、基准日后办结的投诉（按存量状态计）",
    "complaint_before_campaign": "2025-12 登记的投诉：不属于任何轮次",
    "unmatched_complaint": "被投诉人不在商户名录中的统一社会信用代码",
    "est_lt_1y": "成立于 2025-09-19：经营不满一年",
    "est_365": "成立于 2025-04-30（初期基准日前恰 365 天）：初期满一年",
    "est_364": "成立于 2025-05-01（初期基准日前 364 天）：初期经营不满一年",
    "est_blank": "未填成立日期：不检查经营年限",
    "not_inspected": "已申报但从未检查：未检查",
    "non_applicant": "未申报但已检查且得分高：未申报",
    "applied_on_blank": "已申报但申报日期空白（并列排序时排最后）",
    "bad_check_char": "校验位不符的统一社会信用代码（导入警告）",
    "name_mismatch": "检查表单位名称与名录不一致（导入警告）",
}

_INDUSTRY_WEIGHTS = {
    "商超零售": 20,
    "餐饮": 26,
    "住宿": 6,
    "旅游景区": 3,
    "交通出行": 3,
    "教育培训": 6,
    "医疗美容": 3,
    "美容美发": 8,
    "农贸市场": 3,
    "食品生产加工": 4,
    "网络销售": 7,
    "家居装修": 5,
    "其他": 6,
}
# (name suffix, individual business 个体工商户?) per industry
_SUFFIXES: dict[str, tuple[tuple[str, bool], ...]] = {
    "商超零售": (
        ("超市", True),
        ("便利店", True),
        ("商贸有限公司", False),
        ("超市有限公司", False),
        ("百货商店", True),
    ),
    "餐饮": (
        ("餐饮管理有限公司", False),
        ("面馆", True),
        ("小吃店", True),
        ("火锅店", True),
        ("酒家", True),
        ("餐饮有限公司", False),
    ),
    "住宿": (("酒店管理有限公司", False), ("宾馆", True), ("民宿", True), ("大酒店有限公司", False)),
    "旅游景区": (("旅游开发有限公司", False), ("景区管理有限公司", False), ("文化旅游有限公司", False)),
    "交通出行": (("出租汽车有限公司", False), ("汽车租赁有限公司", False), ("客运有限公司", False)),
    "教育培训": (("教育科技有限公司", False), ("培训学校有限公司", False), ("文化艺术培训有限公司", False)),
    "医疗美容": (("医疗美容诊所有限公司", False), ("医疗美容门诊部有限公司", False)),
    "美容美发": (("美容美发工作室", True), ("美发店", True), ("美容院", True), ("美容美发有限公司", False)),
    "农贸市场": (("农贸市场管理有限公司", False), ("菜市场经营管理有限公司", False)),
    "食品生产加工": (("食品有限公司", False), ("食品加工厂", True), ("食品科技有限公司", False)),
    "网络销售": (("电子商务有限公司", False), ("网络科技有限公司", False), ("网店", True)),
    "家居装修": (("装饰工程有限公司", False), ("家居建材商行", True), ("家具有限公司", False)),
    "其他": (("商行", True), ("服务部", True), ("贸易有限公司", False), ("维修服务部", True)),
}
# indicators an inspector usually marks 不适用 for the industry
_NA_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    "餐饮": ("D3",),
    "住宿": ("D3", "B3"),
    "旅游景区": ("B3", "D3"),
    "交通出行": ("A3", "B2", "D3"),
    "教育培训": ("A3", "B2", "B3", "D3"),
    "医疗美容": ("D3",),
    "美容美发": ("B3", "D3"),
    "食品生产加工": ("D3", "C1"),
    "网络销售": ("A3", "B3", "D3"),
    "家居装修": ("A3", "B3"),
}
_COMPLAINT_RATE = {
    "商超零售": 1.0,
    "餐饮": 0.9,
    "住宿": 0.7,
    "旅游景区": 0.8,
    "交通出行": 0.8,
    "教育培训": 1.2,
    "医疗美容": 1.3,
    "美容美发": 1.0,
    "农贸市场": 0.6,
    "食品生产加工": 0.4,
    "网络销售": 1.4,
    "家居装修": 1.1,
    "其他": 0.4,
}
_CATEGORIES = {
    "商超零售": ("商品质量", "价格问题", "过期商品", "售后服务"),
    "餐饮": ("食品安全", "服务质量", "价格问题", "卫生问题"),
    "住宿": ("服务质量", "价格问题", "合同纠纷"),
    "旅游景区": ("服务质量", "价格问题", "安全问题"),
    "交通出行": ("服务质量", "价格问题", "合同纠纷"),
    "教育培训": ("预付卡消费", "合同纠纷", "退费纠纷", "虚假宣传"),
    "医疗美容": ("虚假宣传", "服务质量", "合同纠纷", "退费纠纷"),
    "美容美发": ("预付卡消费", "服务质量", "价格问题"),
    "农贸市场": ("计量问题", "商品质量", "价格问题"),
    "食品生产加工": ("食品安全", "商品质量"),
    "网络销售": ("商品质量", "售后服务", "虚假宣传", "物流配送"),
    "家居装修": ("合同纠纷", "商品质量", "售后服务", "工程质量"),
    "其他": ("服务质量", "合同纠纷", "商品质量"),
}
_TRADE_CHARS = "鑫盛华瑞丰泰恒嘉福兴隆源和顺安康美佳宏达德信乐悦聚锦明荣昌裕新立晟云禾益诚博通汇祥茂正"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红建文辉鹏飞斌宇浩凯婷雪琳晨欣怡"
_PHONE_PREFIXES = tuple(f"1{n}" for n in (30, 31, 32, 33, 35, 36, 37, 38, 39, 50, 51, 52, 53, 55, 56, 57, 58, 59))
_PHONE_PREFIXES += tuple(f"1{n}" for n in (66, 77, 80, 81, 82, 83, 85, 86, 87, 88, 89, 91, 93, 95, 98, 99))
_PENALTY_REASONS = ("销售过期食品", "未按规定明码标价", "发布虚假广告", "销售不合格商品", "使用未经检定的计量器具")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check
_LABEL_OF = {v: k for k, v in LIKERT_LABELS.items()}

_CARRIERS = (  # one merchant per entry (three for "tie", two for "bonus_cap")
    "veto_v1",
    "veto_v2",
    "veto_v2_removed_on_d",
    "veto_v2_removed_after_d",
    "veto_v2_removed_before_d",
    "veto_listed_on_d",
    "veto_listed_after_d",
    "veto_v3",
    "veto_v4",
    "veto_v4_old",
    "veto_v4_d365",
    "veto_v4_d364",
    "veto_v5",
    "veto_multi",
    "tie",
    "tie",
    "tie",
    "halfup",
    "score_80",
    "score_79_75",
    "score_90",
    "bonus_cap",
    "bonus_cap",
    "g3_1",
    "low_score",
    "na_check",
    "na_deduct",
    "na_many",
    "few_responses",
    "responses_4",
    "responses_5",
    "ontime_95",
    "ontime_90",
    "complaints_pending_only",
    "complaints_rejected_only",
    "complaint_closed_after_d",
    "est_lt_1y",
    "est_365",
    "est_364",
    "est_blank",
    "not_inspected",
    "non_applicant",
)
_EDGE_OF = {"g3_1": "g3_counts"}  # carrier key → EDGE_CASES key
_CREDIT: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "veto_v1": (("严重违法失信名单", "2026-02-10", None),),
    "veto_v2": (("经营异常名录", "2026-03-02", "2026-06-15"),),
    "veto_v2_removed_on_d": (("经营异常名录", "2025-10-09", "2026-04-30"),),
    "veto_v2_removed_after_d": (("经营异常名录", "2025-10-09", "2026-05-01"),),
    "veto_v2_removed_before_d": (("经营异常名录", "2025-06-01", "2026-01-20"),),
    "veto_listed_on_d": (("经营异常名录", "2026-04-30", None),),
    "veto_listed_after_d": (("经营异常名录", "2026-05-20", None),),
    "veto_v3": (("失信被执行人", "2025-11-11", None),),
    "veto_v4": (("行政处罚", "2025-09-15", None),),
    "veto_v4_old": (("行政处罚", "2024-12-24", None),),
    "veto_v4_d365": (("行政处罚", "2025-04-30", None),),
    "veto_v4_d364": (("行政处罚", "2025-05-01", None),),
    "veto_v5": (("重大消费安全事故", "2026-03-18", None),),
    "veto_multi": (("经营异常名录", "2026-01-15", None), ("行政处罚", "2026-02-03", None)),
}
_ESTABLISHED = {
    "est_lt_1y": dt.date(2025, 9, 19),
    "est_365": dt.date(2025, 4, 30),
    "est_364": dt.date(2025, 5, 1),
}
# crafted exact scores (default system): inspection overrides from full marks, and survey answers
_EXACT: dict[str, tuple[dict[str, Cell], tuple[tuple[int, ...], ...]]] = {
    # 78 − 8 = 70 inspection + 12 (E3–E5, no complaints) + F1 6.625 (index 66.25) = 88.625
    "halfup": (
        {"B1": "部分符合", "A2": 1, "C1": 1},
        ((4,) * 8, (4,) * 8, (4,) * 8, (3,) * 7 + (4,), (3,) * 7 + (4,)),
    ),
    # 78 − 18 = 60 + 12 + F1 8.0 (index 80) = 80.00
    "score_80": (
        {"B1": "不符合", "C2": "不符合", "A2": 1, "A3": 1},
        ((5, 5) + (4,) * 6, (5, 5) + (4,) * 6, (5, 5) + (4,) * 6, (5,) + (4,) * 7, (5,) + (4,) * 7),
    ),
    # 60 + 12 + F1 7.75 (index 77.5) = 79.75
    "score_79_75": (
        {"B1": "不符合", "C2": "不符合", "A2": 1, "A3": 1},
        ((5,) + (4,) * 7, (5,) + (4,) * 7, (5,) + (4,) * 7, (5,) + (4,) * 7, (4,) * 8),
    ),
    # 78 − 10 = 68 + 12 + F1 10 = 90.00
    "score_90": ({"B1": "部分符合", "D2": "部分符合", "D1": 1}, ((5,) * 8,) * 5),
}

_CREDIT_REASONS = {
    "严重违法失信名单": "因虚假宣传被处罚后拒不履行",
    "经营异常名录": "通过登记的住所无法联系",
    "失信被执行人": "未履行生效法律文书确定的给付义务",
    "行政处罚": "销售不合格商品",
    "重大消费安全事故": "发生群体性食物中毒事件",
}


@dataclass
class _Merchant:
    uscc: str
    name: str
    short: str  # 字号, e.g. 鑫盛
    district: int
    industry: str
    individual: bool
    address: str
    store: str
    established: dt.date | None
    applied: bool
    applied_on: dt.date | None
    person: str
    phone: str
    quality: float
    satisfaction: float
    edge: str = ""  # the crafted edge case this merchant carries ("" = ordinary)
    rounds: tuple[int, ...] = ()  # rounds it is inspected in


@dataclass(frozen=True)
class DemoCampaign:
    """The generated campaign: rows per sheet (in the template's column order) and the edge cases."""

    city: str
    seed: int
    districts: tuple[str, ...]
    rounds: tuple[str, ...]
    rows: dict[str, list[list[Cell]]]
    edge_cases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {sheet: len(rows) for sheet, rows in self.rows.items()}


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
    return _Generator(merchants, seed, city, system or default_system()).run()


# ---------------------------------------------------------------------------------------------


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def _org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and its check character."""
    body = "".join(rng.choice(ALPHABET[:10] if i < 2 else ALPHABET) for i in range(8))
    total = sum(
        ALPHABET.index(c) * w if c.isdigit() else (ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


class _Generator:
    def __init__(self, n: int, seed: int, city: str, system: IndicatorSystem) -> None:
        self.n = n
        self.seed = seed
        self.city = city
        self.short_city = city.removesuffix("市")
        self.province, self.districts = CITIES[city]
        self.system = system
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.specs = {s.key: s for s in sheet_specs(system, DEFAULT_INDUSTRIES)}
        self.items = system.inspection_items
        self.kinds: dict[str, str] = {i.code: i.type for i in system.indicators if i.from_inspection}
        self.kinds.update({b.code: b.kind for b in system.bonus_items})
        self.partial = {i.code for i in system.indicators if i.type == "check" and "部分符合" in i.check_points}
        self.questions = tuple(q.code for q in system.survey_questions)
        self.invalid_at = system.survey_invalid_unanswered
        self.usccs: set[str] = set()
        self.names: set[str] = set()
        self.edges: dict[str, list[str]] = {key: [] for key in EDGE_CASES}
        self.inspections: list[list[Cell]] = []
        self.surveys: list[list[Cell]] = []
        self.complaints: list[tuple[dt.date, list[Cell]]] = []
        self.credit: list[list[Cell]] = []
        self.survey_seq = [0] * len(ROUNDS)
        # (merchant, round, fixed answers or None, satisfaction, count, share answered in words)
        self.survey_plan: list[tuple[_Merchant, int, list[list[int | None]] | None, float, int, float]] = []
        self.round_days = [
            [start + dt.timedelta(days=k) for k in range(_days(start, min(end, DATA_CUTOFF)) + 1)]
            for _, start, end in ROUNDS
        ]
        own = ("response_no", "round", "uscc", "surveyed_on", "method", *self.questions)
        sheet = tuple(c.name for c in self.specs["surveys"].columns)
        self.survey_order = None if sheet == own else [own.index(n) if n in own else None for n in sheet]
        self.inspectors = [
            [self._person() for _ in range(8)] for _ in self.districts
        ]  # each district's inspection staff

    # -- people, names, codes -----------------------------------------------------------------

    def _person(self) -> str:
        given = "".join(self.rng.choice(_GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(_SURNAMES) + given

    def _phone(self) -> str:
        return self.rng.choice(_PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _uscc(self, district: int, individual: bool) -> str:
        while True:
            first17 = ("92" if individual else "91") + self.districts[district][1] + _org_code(self.rng)
            code = first17 + check_character(first17)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def _name(self, industry: str) -> tuple[str, str, bool]:
        for _ in range(50):
            suffix, individual = self.rng.choice(_SUFFIXES[industry])
            if individual and self.rng.random() < 0.3:
                short = self.rng.choice(_SURNAMES) + "记"
            else:
                short = self.rng.choice(_TRADE_CHARS) + self.rng.choice(_TRADE_CHARS)
                if short[0] == short[1]:
                    continue
            name = self.short_city + short + suffix
            if name not in self.names:
                self.names.add(name)
                return name, short, individual
        name = f"{name}（{len(self.names)}）"
        self.names.add(name)
        return name, short, individual

    def _date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, _days(start, end))))

    # -- merchants ----------------------------------------------------------------------------

    def _merchant(self, index: int) -> _Merchant:
        rng = self.rng
        district = rng.choices(range(len(self.districts)), weights=(13, 10, 12, 8, 11, 9)[: len(self.districts)])[0]
        industry = rng.choices(list(_INDUSTRY_WEIGHTS), weights=list(_INDUSTRY_WEIGHTS.values()))[0]
        name, short, individual = self._name(industry)
        dname, _, roads = self.districts[district]
        address = f"{self.city}{dname}{rng.choice(roads)}{rng.randint(1, 999)}号"
        if not individual and rng.random() < 0.3:
            address += f"{rng.randint(1, 30)}幢{rng.randint(1, 20)}0{rng.randint(1, 9)}室"
        store = ""
        if rng.random() < 0.6:
            store = short + rng.choice(("旗舰店", "总店", f"（{rng.choice(roads)}店）", "店"))
        age = min(int(rng.expovariate(1 / 2800)) + 120, 10_000)
        established: dt.date | None = dt.date(2026, 3, 1) - dt.timedelta(days=age)
        if rng.random() < 0.02:
            established = None
        applied = rng.random() < 0.88
        applied_on = self._date(dt.date(2025, 12, 1), dt.date(2026, 3, 31)) if applied else None
        if applied and rng.random() < 0.03:
            applied_on = None
        quality = rng.betavariate(4.0, 1.5)
        satisfaction = min(1.0, 0.55 * quality + 0.45 * rng.betavariate(4, 2))
        return _Merchant(
            uscc=self._uscc(district, individual),
            name=name,
            short=short,
            district=district,
            industry=industry,
            individual=individual,
            address=address,
            store=store,
            established=established,
            applied=applied,
            applied_on=applied_on,
            person=self._person(),
            phone=self._phone(),
            quality=quality,
            satisfaction=satisfaction,
        )

    # -- crafted edge carriers ----------------------------------------------------------------

    def _rehome(self, m: _Merchant, district: int, industry: str) -> None:
        """Move a merchant to another district and industry: new name, code and address to match."""
        m.district, m.industry = district, industry
        m.name, m.short, m.individual = self._name(industry)
        self.usccs.discard(m.uscc)
        m.uscc = self._uscc(district, m.individual)
        dname, _, roads = self.districts[district]
        m.address = f"{self.city}{dname}{self.rng.choice(roads)}{self.rng.randint(1, 999)}号"

    def _assign_edges(self, merchants: list[_Merchant]) -> None:
        """Turn randomly chosen merchants into the carriers of the crafted edge cases."""
        carriers = self.rng.sample(range(len(merchants)), len(_CARRIERS))
        first_tie: _Merchant | None = None
        for key, index in zip(_CARRIERS, carriers, strict=True):
            m = merchants[index]
            m.edge = key
            m.applied = key != "non_applicant"
            m.applied_on = (m.applied_on or dt.date(2026, 1, 20)) if m.applied else None
            m.quality = max(m.quality, 0.93)
            m.satisfaction = max(m.satisfaction, 0.85)
            if m.established is None or m.established > dt.date(2024, 1, 1):
                m.established = dt.date(2016, 6, 1) + dt.timedelta(days=index % 900)
            m.rounds = () if key == "not_inspected" else tuple(range(len(ROUNDS)))
            if key in _ESTABLISHED:
                m.established = _ESTABLISHED[key]
            elif key == "est_blank":
                m.established = None
            elif key == "low_score":
                m.quality, m.satisfaction = 0.05, 0.15
            elif key == "na_many":
                self._rehome(m, m.district, "教育培训")
            elif key in ("ontime_95", "ontime_90"):
                self._rehome(m, m.district, "商超零售")
            elif key in _EXACT:
                m.applied_on = dt.date(2026, 2, 1)
            elif key == "tie":
                if first_tie is None:
                    first_tie = m
                    m.applied_on = dt.date(2026, 1, 10)
                else:
                    self._rehome(m, first_tie.district, first_tie.industry)
                    m.applied_on = dt.date(2026, 1, 5) if len(self.edges["tie"]) == 1 else None
            self.edges[_EDGE_OF.get(key, key)].append(m.uscc)

    # -- inspections --------------------------------------------------------------------------

    def _full_marks(self) -> dict[str, Cell]:
        out: dict[str, Cell] = {}
        for code in self.items:
            kind = self.kinds[code]
            out[code] = "符合" if kind == "check" else 0 if kind in ("deduct", "count") else "否"
        return out

    def _poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def _random_items(self, m: _Merchant, quality: float) -> dict[str, Cell]:
        rng = self.rng
        na_codes = _NA_BY_INDUSTRY.get(m.industry, ())
        out: dict[str, Cell] = {}
        for code in self.items:
            kind = self.kinds[code]
            if kind in ("check", "deduct") and ((code in na_codes and rng.random() < 0.85) or rng.random() < 0.012):
                out[code] = NOT_APPLICABLE
            elif kind == "check":
                if rng.random() < 0.3 + 0.66 * quality:
                    out[code] = "符合"
                elif code in self.partial and rng.random() < 0.65:
                    out[code] = "部分符合"
                else:
                    out[code] = "不符合"
            elif kind == "deduct":
                out[code] = self._poisson(2.2 * (1.0 - quality) + 0.05)
            elif kind == "count":
                out[code] = rng.choices((0, 1, 2, 3), weights=(84, 11, 4, 1))[0]
            else:
                share = {"G2": 0.08 + 0.22 * quality}.get(code, 0.03 + 0.1 * quality)
                out[code] = "是" if rng.random() < share else "否"
        return out

    def _crafted_items(self, m: _Merchant, round_index: int) -> dict[str, Cell] | None:
        """Fixed item values for the carriers whose score is part of the edge case."""
        items = self._full_marks()
        if m.edge in _EXACT:
            items.update({k: v for k, v in _EXACT[m.edge][0].items() if k in items})
            return items
        if m.edge == "bonus_cap":  # 5 + 3 + 6 + 3 = 17 (G3 = 3 or 2: both 6 points) → capped at 15
            g3 = 3 if self.edges["bonus_cap"].index(m.uscc) == 0 else 2
            items.update({"G1": "是", "G2": "是", "G3": g3, "G4": "是", "C1": 1})
        elif m.edge == "low_score":  # 78 − 39 = 39 + 12 + F1 → below 60 on points alone
            items.update({"A1": "不符合", "B1": "不符合", "C2": "不符合", "D3": "不符合", "A2": 2, "C1": 2, "D1": 1})
        elif m.edge == "g3_1":
            items.update({"G3": 1, "A2": 1})
        elif m.edge == "na_check":
            items["D3"] = NOT_APPLICABLE
        elif m.edge == "na_deduct":
            items["A3"] = NOT_APPLICABLE
        elif m.edge == "na_many":
            items.update({"A3": NOT_APPLICABLE, "B2": NOT_APPLICABLE, "B3": NOT_APPLICABLE, "D3": NOT_APPLICABLE})
        else:
            return None
        if m.edge.startswith("na_"):
            items.update({"C1": 1} if round_index == 0 else {"A2": 1})
        return {k: v for k, v in items.items() if k in self.kinds}

    def _inspect(self, m: _Merchant, r: int, items: dict[str, Cell], name: str | None = None) -> None:
        rng = self.rng
        start, end = ROUNDS[r][1], min(ROUNDS[r][2], DATA_CUTOFF)
        spec = self.specs["inspections"]
        staff = self.inspectors[m.district]
        team = rng.sample(staff, 2)
        findings = sum(1 for v in items.values() if v in ("不符合", "部分符合") or (isinstance(v, int) and v > 0))
        note = ""
        if findings >= 3 and rng.random() < 0.5:
            note = "已责令限期整改，下次复查"
        elif findings and rng.random() < 0.15:
            note = "现场整改完毕"
        method = rng.choices(INSPECTION_METHODS, weights=(60, 25, 15))[0]
        values: dict[str, Cell] = {
            "round": ROUNDS[r][0],
            "uscc": m.uscc,
            "name": name or m.name,
            "inspected_on": self._date(start + dt.timedelta(days=10), end - dt.timedelta(days=5)),
            "method": method,
            "inspectors": "、".join(team),
            "note": note,
            **items,
        }
        self.inspections.append([values.get(c.name) for c in spec.columns])

    # -- surveys ------------------------------------------------------------------------------

    def _survey_rows(self, m: _Merchant, r: int, block: list[list[int | None]]) -> None:
        """Plan responses with the given answers (written in order by ``_write_surveys``)."""
        self.survey_plan.append((m, r, block, 0.0, len(block), 0.0))

    def _write_surveys(self) -> None:
        """All planned responses at once: random answers, dates and methods drawn in one vectorised pass."""
        g, plan = self.np, self.survey_plan
        satisfaction = np.repeat([p[3] for p in plan if p[2] is None], [p[4] for p in plan if p[2] is None])
        drawn = self._random_answers(satisfaction)
        counts = [p[4] for p in plan]
        total = sum(counts)
        lengths = np.repeat([len(self.round_days[p[1]]) for p in plan], counts)
        offsets = (g.random(total) * lengths).astype(np.int64).tolist()
        methods = g.choice(len(SURVEY_METHODS), size=total, p=(0.5, 0.35, 0.15)).tolist()
        worded = (g.random(total) < np.repeat([p[5] for p in plan], counts)).tolist()
        invalid, in_words = self.edges["invalid_responses"], self.edges["survey_labels"]
        row = taken = 0
        for m, r, fixed, _, count, _ in plan:
            block = fixed if fixed is not None else drawn[taken : taken + count]
            taken += 0 if fixed is not None else count
            name, days = ROUNDS[r][0], self.round_days[r]
            for answers in block:
                self.survey_seq[r] += 1
                number = f"WJ{r + 1}-{self.survey_seq[r]:06d}"
                cells: list[Cell] = [number, name, m.uscc, days[offsets[row]], SURVEY_METHODS[methods[row]]]
                if worded[row]:
                    cells.extend(_LABEL_OF[a] if a is not None else None for a in answers)
                    in_words.append(number)
                else:
                    cells.extend(answers)
                if self.survey_order is not None:  # the sheet's columns are not in the generator's order
                    cells = [cells[k] if k is not None else None for k in self.survey_order]
                self.surveys.append(cells)
                if answers.count(None) >= self.invalid_at:
                    invalid.append(number)
                row += 1

    def _random_answers(self, satisfaction: np.ndarray[Any, np.dtype[np.float64]]) -> list[list[int | None]]:
        """One response per entry: ~7 % 废卷 (≥ invalid_at blanks), ~12 % with 1–3 blanks, the rest complete."""
        g, q, count = self.np, len(self.questions), len(satisfaction)
        mean = (2.7 + 2.2 * satisfaction)[:, None]
        raw = np.clip(np.rint(g.normal(mean, 0.85, size=(count, q))), 1, 5).astype(np.int64)
        draw = g.random(count)
        invalid = draw < 0.07
        partial = (draw >= 0.07) & (draw < 0.19)
        blanks = np.zeros(count, dtype=np.int64)
        blanks[invalid] = g.integers(self.invalid_at, q + 1, size=int(invalid.sum()))
        blanks[partial] = g.integers(1, max(1, min(3, self.invalid_at - 1)) + 1, size=int(partial.sum()))
        ranks = g.random((count, q)).argsort(axis=1).argsort(axis=1)
        cells = raw.astype(object)
        cells[ranks < blanks[:, None]] = None
        rows: list[list[int | None]] = cells.tolist()
        return rows

    def _survey(self, m: _Merchant, r: int, satisfaction: float) -> None:
        q = len(self.questions)
        if m.edge in _EXACT and q == 8:
            block: list[list[int | None]] = [list(answers) for answers in _EXACT[m.edge][1]]
            if m.edge == "score_80":  # a 废卷 that must not count
                block.append([1, 1, None, None, None, None, None, 1])
            self._survey_rows(m, r, block)
            return
        if m.edge in ("few_responses", "responses_4", "responses_5"):
            valid = {"few_responses": 3, "responses_4": 4, "responses_5": 5}[m.edge]
            rows = self._random_answers(np.full(valid + 2, satisfaction))
            for row in rows[:valid]:
                row[:] = [a if a is not None else 4 for a in row]
            if m.edge == "responses_5":
                blanks = min(4, self.invalid_at - 1)  # 4 blanks: still valid
                rows[0][:blanks] = [None] * blanks
            invalid = {"few_responses": 1, "responses_4": 2, "responses_5": 0}[m.edge]
            for row in rows[valid : valid + invalid]:
                row[: self.invalid_at] = [None] * self.invalid_at
            self._survey_rows(m, r, rows[: valid + invalid])
            return
        if m.edge == "tie":
            return  # written by the tie group
        count = self.rng.randint(8, 15)
        if not m.edge and self.rng.random() < 0.04:
            count = self.rng.randint(2, 6)
        labels = 0.6 if self.rng.random() < 0.05 else 0.0  # some survey teams record answers in words
        self.survey_plan.append((m, r, None, satisfaction, count, labels))

    # -- complaints ---------------------------------------------------------------------------

    def _complaint(
        self,
        uscc: str,
        name: str,
        industry: str,
        registered: dt.date,
        *,
        outcome: str | None = None,
        on_time: bool | None = None,
        closed: dt.date | None = None,
    ) -> dt.date:
        rng = self.rng
        if outcome is None:
            recent = _days(registered, DATA_CUTOFF) < 30
            if recent and rng.random() < 0.7:
                outcome = "处理中"
            else:
                outcome = rng.choices(("调解成功", "调解终止", "撤诉", "不予受理", "处理中"), (52, 27, 10, 8, 3))[0]
        if on_time is None and outcome in ("调解成功", "调解终止", "撤诉"):
            on_time = rng.random() > 0.06
        if closed is None and outcome != "处理中":
            if outcome == "不予受理":
                closed = registered + dt.timedelta(days=rng.randint(3, 10))
            elif on_time:
                closed = registered + dt.timedelta(days=rng.randint(2 if outcome == "撤诉" else 5, 60))
            else:
                closed = registered + dt.timedelta(days=rng.randint(70, 120))
            if closed > DATA_CUTOFF:
                outcome, closed, on_time = "处理中", None, None
        amount: float = 0.0 if rng.random() < 0.1 else round(math.exp(rng.gauss(5.5, 1.1)))
        if amount and rng.random() < 0.2:
            amount = round(amount + rng.randint(1, 99) / 100, 2)
        row: dict[str, Cell] = {
            "uscc": uscc,
            "name": name,
            "registered_on": registered,
            "closed_on": closed,
            "outcome": outcome,
            "on_time": None if on_time is None else ("是" if on_time else "否"),
            "amount": amount,
            "category": rng.choice(_CATEGORIES.get(industry, _CATEGORIES["其他"])),
        }
        self.complaints.append((registered, [row.get(c.name) for c in self.specs["complaints"].columns]))
        return registered

    def _crafted_complaints(self, m: _Merchant) -> None:
        d1 = ROUNDS[0][2]
        day = dt.timedelta(days=1)
        if m.edge in ("ontime_95", "ontime_90"):  # 20 (10) closed in 初期, one of them late
            for k in range(20 if m.edge == "ontime_95" else 10):
                registered = dt.date(2026, 1, 5) + k * 5 * day
                closed = registered + (20 if k != 3 else 75) * day
                self._complaint(
                    m.uscc, m.name, m.industry, registered, outcome="调解成功", on_time=k != 3, closed=closed
                )
        elif m.edge == "complaints_pending_only":
            for registered in (dt.date(2026, 4, 10), dt.date(2026, 4, 22)):
                self._complaint(m.uscc, m.name, m.industry, registered, outcome="处理中")
        elif m.edge == "complaints_rejected_only":
            for registered in (dt.date(2026, 2, 9), dt.date(2026, 3, 16)):
                self._complaint(m.uscc, m.name, m.industry, registered, outcome="不予受理", closed=registered + 5 * day)
        elif m.edge == "complaint_closed_after_d":
            self._complaint(
                m.uscc, m.name, m.industry, d1 - 10 * day, outcome="调解成功", on_time=True, closed=d1 + 25 * day
            )

    # -- credit -------------------------------------------------------------------------------

    def _credit(self, m: _Merchant, list_type: str, listed: dt.date, removed: dt.date | None, reason: str) -> None:
        dname, code, _ = self.districts[m.district]
        n = self.rng.randint(10, 999)
        y = listed.year
        if list_type == "失信被执行人":
            authority = f"{self.city}{dname}人民法院"
            doc = f"（{y - 1}）{self.province}{code[2:]}执{n}号"
        else:
            authority = f"{self.city}{dname}市场监督管理局"
            kind = {"行政处罚": "罚处", "经营异常名录": "异列", "严重违法失信名单": "严列"}.get(list_type, "事故")
            doc = f"{self.short_city[0]}{dname[0]}市监{kind}〔{y}〕{n}号"
        values: dict[str, Cell] = {
            "uscc": m.uscc,
            "list_type": list_type,
            "listed_on": listed,
            "removed_on": removed,
            "reason": reason,
            "authority": authority,
            "doc_no": doc,
        }
        self.credit.append([values.get(c.name) for c in self.specs["credit"].columns])

    def _random_credit(self, m: _Merchant) -> None:
        draw = self.rng.random()
        if draw < 0.025:
            listed = self._date(dt.date(2025, 6, 1), dt.date(2026, 7, 31))
            removed = listed + dt.timedelta(days=self.rng.randint(40, 200)) if self.rng.random() < 0.6 else None
            if removed is not None and removed > DATA_CUTOFF:
                removed = None
            self._credit(m, "经营异常名录", listed, removed, "未按规定报送年度报告")
        elif draw < 0.05:
            listed = self._date(dt.date(2023, 3, 1), dt.date(2026, 10, 31))
            self._credit(m, "行政处罚", listed, None, self.rng.choice(_PENALTY_REASONS))
        elif draw < 0.053:
            self._credit(
                m, "失信被执行人", self._date(dt.date(2024, 1, 1), dt.date(2026, 6, 30)), None, "未履行生效法律文书"
            )

    # -- assembly -----------------------------------------------------------------------------

    def run(self) -> DemoCampaign:
        rng = self.rng
        merchants = [self._merchant(i) for i in range(self.n)]
        self._assign_edges(merchants)
        for m in merchants:
            if m.edge:
                continue
            never = rng.random() < 0.04
            rounds = []
            for r, coverage in enumerate(ROUND_COVERAGE):
                share = coverage if m.applied else coverage * 0.5
                if not never and rng.random() < share:
                    rounds.append(r)
            m.rounds = tuple(rounds)
            if m.applied and not m.rounds:
                self.edges["not_inspected"].append(m.uscc)

        # deliberate wrong check characters (stored with a warning)
        ordinary = [m for m in merchants if not m.edge]
        for m in rng.sample(ordinary, 3):
            good = m.uscc[17]
            self.usccs.discard(m.uscc)
            m.uscc = m.uscc[:17] + ALPHABET[(ALPHABET.index(good) + 7) % len(ALPHABET)]
            self.usccs.add(m.uscc)
            self.edges["bad_check_char"].append(m.uscc)
        mismatch = {m.uscc for m in rng.sample([m for m in ordinary if 0 in m.rounds], 2)}

        tie_items: dict[int, dict[str, Cell]] = {}
        tie_answers: dict[int, list[list[int | None]]] = {}
        for m in merchants:
            for r in m.rounds:
                trend = 0.0 if m.edge == "low_score" else 0.03 * r  # most merchants improve over the campaign
                quality = min(1.0, max(0.0, m.quality + trend + rng.gauss(0, 0.05)))
                satisfaction = min(1.0, max(0.0, m.satisfaction + 0.02 * r + rng.gauss(0, 0.04)))
                if m.edge == "tie":
                    if r not in tie_items:
                        tie_items[r] = self._random_items(m, 0.95)
                        drawn = self._random_answers(np.full(10, 0.85))
                        tie_answers[r] = [[a or 4 for a in row] for row in drawn]
                    items = tie_items[r]
                    self._survey_rows(m, r, tie_answers[r])
                else:
                    items = self._crafted_items(m, r) or self._random_items(m, quality)
                name = None
                if m.uscc in mismatch and r == 0:
                    name = m.store or m.short + m.industry
                    self.edges["name_mismatch"].append(m.uscc)
                self._inspect(m, r, items, name)
                self._survey(m, r, satisfaction)

        for m in merchants:
            if m.edge in _CREDIT:
                for list_type, listed, removed in _CREDIT[m.edge]:
                    self._credit(
                        m,
                        list_type,
                        dt.date.fromisoformat(listed),
                        dt.date.fromisoformat(removed) if removed else None,
                        _CREDIT_REASONS[list_type],
                    )
            elif not m.edge:
                self._random_credit(m)
            if m.edge:
                self._crafted_complaints(m)
                continue
            lam = _COMPLAINT_RATE[m.industry] * (0.25 + 1.3 * (1.0 - m.quality))  # per year
            for _ in range(self._poisson(lam)):
                self._complaint(m.uscc, m.name, m.industry, self._date(COMPLAINTS_FROM, DATA_CUTOFF))

        # one complaint registered before the campaign's first round (belongs to no round)
        m = ordinary[0]
        self._complaint(m.uscc, m.name, m.industry, dt.date(2025, 12, 23))
        # complaints against businesses not (yet) in the registry
        for _ in range(3 + self.n // 150):
            district = rng.randrange(len(self.districts))
            industry = rng.choices(list(_INDUSTRY_WEIGHTS), weights=list(_INDUSTRY_WEIGHTS.values()))[0]
            name, _, individual = self._name(industry)
            uscc = self._uscc(district, individual)
            self.edges["unmatched_complaint"].append(uscc)
            for _ in range(rng.randint(1, 2)):
                self._complaint(uscc, name, industry, self._date(dt.date(2026, 1, 1), DATA_CUTOFF))
        self._write_surveys()
        return self._finish(merchants)

    def _finish(self, merchants: list[_Merchant]) -> DemoCampaign:
        specs = self.specs
        district_rows: list[list[Cell]] = []
        for name, code, _ in self.districts:
            values: dict[str, Cell] = {"name": name, "code": code, "city": self.city}
            district_rows.append([values.get(c.name) for c in specs["districts"].columns])
        round_rows: list[list[Cell]] = []
        for name, start, end in ROUNDS:
            values = {"name": name, "start": start, "end": end}
            round_rows.append([values.get(c.name) for c in specs["rounds"].columns])
        merchant_rows: list[list[Cell]] = []
        for m in merchants:
            values = {
                "uscc": m.uscc,
                "name": m.name,
                "district": self.districts[m.district][0],
                "industry": m.industry,
                "address": m.address,
                "store_name": m.store,
                "established": m.established,
                "applied": "是" if m.applied else "否",
                "applied_on": m.applied_on,
                "contact_person": m.person,
                "phone": m.phone,
            }
            merchant_rows.append([values.get(c.name) for c in specs["merchants"].columns])

        # complaint numbers in registration order, like a 12315 export
        self.complaints.sort(key=lambda item: item[0])
        complaint_rows: list[list[Cell]] = []
        number_at = [c.name for c in specs["complaints"].columns].index("complaint_no")
        for seq, (registered, row) in enumerate(self.complaints, start=1):
            row[number_at] = f"TS{registered:%Y%m%d}{seq:05d}"
            complaint_rows.append(row)
            if registered < ROUNDS[0][1]:
                self.edges["complaint_before_campaign"].append(str(row[number_at]))

        names = [c.name for c in specs["inspections"].columns]
        if "G3" in names:  # one merchant per G3 count, e.g. "G3=2:91330102…"
            first: dict[int, str] = {}
            for row in self.inspections:
                value = row[names.index("G3")]
                if isinstance(value, int):
                    first.setdefault(value, str(row[names.index("uscc")]))
            self.edges["g3_counts"] = [f"G3={k}:{first[k]}" for k in sorted(first)]

        self.edges["applied_on_blank"] = [m.uscc for m in merchants if m.applied and m.applied_on is None]
        edges = {key: tuple(dict.fromkeys(v)) for key, v in self.edges.items() if key in EDGE_CASES}
        titles = {key: spec.title for key, spec in specs.items()}
        rows = {
            titles["districts"]: district_rows,
            titles["rounds"]: round_rows,
            titles["merchants"]: merchant_rows,
            titles["inspections"]: self.inspections,
            titles["surveys"]: self.surveys,
            titles["complaints"]: complaint_rows,
            titles["credit"]: self.credit,
        }
        return DemoCampaign(
            city=self.city,
            seed=self.seed,
            districts=tuple(d[0] for d in self.districts),
            rounds=tuple(r[0] for r in ROUNDS),
            rows=rows,
            edge_cases=edges,
        )
