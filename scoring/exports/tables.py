"""The output tables of SPEC §5.1, §5.4 and §5.5 with their Chinese headers, and how to write them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scoring.engine.districts import DISTRICT_COLUMNS
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.scores import result_columns
from scoring.exports.safe import to_csv_bytes, to_xlsx_bytes

SCORE_HEADERS = {
    "uscc": "统一社会信用代码",
    "name": "单位名称",
    "district": "区县",
    "industry": "行业",
    "base": "基础得分",
    "bonus": "加分",
    "total": "综合得分",
    "grade": "等级",
    "veto_text": "否决原因",
    "city_rank": "全市排名",
    "district_rank": "区县排名",
    "industry_rank": "行业排名",
}
CANDIDATE_HEADERS = {
    "uscc": "统一社会信用代码",
    "name": "单位名称",
    "district": "区县",
    "industry": "行业",
    "total": "综合得分",
    "status": "状态",
    "waitlist_no": "候补序号",
    "reasons": "原因",
}
DISTRICT_HEADERS = dict(
    zip(
        DISTRICT_COLUMNS,
        (
            "区县",
            "申报数",
            "已检查申报数",
            "覆盖率",
            "平均基础得分",
            "优秀率",
            "否决率",
            "满意度指数",
            "按时办结率",
            "入选数",
            "综合指数",
            "排名",
        ),
        strict=True,
    )
)
RANK_HEADERS = ("全市排名", "区县排名", "行业排名")
RATIO_HEADERS = ("覆盖率", "优秀率", "否决率", "按时办结率")
COUNT_HEADERS = ("申报数", "已检查申报数", "入选数", "排名", "候补序号")


def score_table(scores: pd.DataFrame, system: IndicatorSystem) -> pd.DataFrame:
    """§5.1: fixed figures, then A1…F1, G1…G4, A…F (§10.2)."""
    cols = list(SCORE_HEADERS) + result_columns(system)
    return scores[cols].rename(columns=SCORE_HEADERS)


def candidate_table(candidates: pd.DataFrame) -> pd.DataFrame:
    return candidates[list(CANDIDATE_HEADERS)].rename(columns=CANDIDATE_HEADERS)


def district_table(districts: pd.DataFrame) -> pd.DataFrame:
    return districts[list(DISTRICT_COLUMNS)].rename(columns=DISTRICT_HEADERS)


def _decimals(frame: pd.DataFrame) -> dict[str, int]:
    out: dict[str, int] = {}
    for col in frame.columns:
        if col in RANK_HEADERS or col in COUNT_HEADERS:
            out[col] = 0
        elif col in RATIO_HEADERS:
            out[col] = 4
    return out


def _xlsx_formats(frame: pd.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in frame.columns:
        if col in RANK_HEADERS or col in COUNT_HEADERS:
            out[col] = "0"
        elif col in RATIO_HEADERS:
            out[col] = "0.00%"
    return out


def table_bytes(frame: pd.DataFrame, path: str | Path, sheet: str) -> bytes:
    """CSV (fractions, UTF-8 BOM) or xlsx (percentages) by the file's suffix."""
    if str(path).lower().endswith(".xlsx"):
        return to_xlsx_bytes({sheet: frame}, {sheet: _xlsx_formats(frame)})
    return to_csv_bytes(frame, _decimals(frame))
