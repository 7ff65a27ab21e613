"""The crafted edge cases of SPEC §3–§5 and the fixed data of the merchants that carry them."""

from __future__ import annotations

import datetime as dt

from scoring.ingest.template import Cell

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

CARRIERS = (  # one merchant per entry (three for "tie", two for "bonus_cap")
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
EDGE_OF = {"g3_1": "g3_counts"}  # carrier key → EDGE_CASES key
CREDIT: dict[str, tuple[tuple[str, str, str | None], ...]] = {
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
ESTABLISHED = {
    "est_lt_1y": dt.date(2025, 9, 19),
    "est_365": dt.date(2025, 4, 30),
    "est_364": dt.date(2025, 5, 1),
}
# crafted exact scores (default system): inspection overrides from full marks, and survey answers
EXACT: dict[str, tuple[dict[str, Cell], tuple[tuple[int, ...], ...]]] = {
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

CREDIT_REASONS = {
    "严重违法失信名单": "因虚假宣传被处罚后拒不履行",
    "经营异常名录": "通过登记的住所无法联系",
    "失信被执行人": "未履行生效法律文书确定的给付义务",
    "行政处罚": "销售不合格商品",
    "重大消费安全事故": "发生群体性食物中毒事件",
}
