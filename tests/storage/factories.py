"""Small canonical frames (scoring.engine.frames) for storage tests, built deterministically."""

from __future__ import annotations

import numpy as np
import pandas as pd

NA = np.nan
ROUND = "2026年初期评估"
ITEM_CODES = ("A1", "A2", "B1", "G1", "G3")  # check, deduct, check, bonus flag, bonus count
QUESTION_CODES = tuple(f"Q{i}" for i in range(1, 9))
USCCS = ("91330102MA2H000011", "91330106MA2H000022", "92330102MA2H000033")


def dates(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(list(values), dtype=object)), dtype="datetime64[us]")


def districts() -> pd.DataFrame:
    return pd.DataFrame({"name": ["上城区", "西湖区"], "code": ["330102", "330106"], "city": ["杭州市", "杭州市"]})


def rounds() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [ROUND, "2026年中期评估"],
            "start": dates("2026-01-01", "2026-05-01"),
            "end": dates("2026-04-30", "2026-08-31"),
        }
    )


def merchants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": list(USCCS),
            "name": ["甲超市", "乙餐厅", "丙美发"],
            "district": ["上城区", "西湖区", "上城区"],
            "industry": ["商超零售", "餐饮", "美容美发"],
            "address": ["解放路 1 号", None, "延安路 3 号"],
            "store_name": [None, "乙餐厅西湖店", None],
            "established": dates("2019-05-01", None, "2025-12-01"),
            "applied": [True, False, True],
            "applied_on": dates("2026-01-10", None, "2026-02-01"),
            "contact_person": ["张三", "李四", None],
            "phone": ["13800001111", None, "13900002222"],
            "uscc_warning": [False, False, True],
        }
    )


def inspections() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "round": [ROUND] * 3,
            "uscc": list(USCCS),
            "name": ["甲超市", "乙餐厅", "丙美发（旧名）"],
            "inspected_on": dates("2026-03-01", "2026-03-02", "2026-03-05"),
            "method": ["定期", "暗访", None],
            "inspectors": ["王五", "王五、赵六", "赵六"],
            "note": [None, "复查", None],
            "name_warning": [False, False, True],
        }
    )
    frame["A1"] = pd.Series(["符合", "不符合", "不适用"], dtype="str")
    frame["A2"] = [0.0, 2.0, NA]  # NaN = 不适用, never 0
    frame["B1"] = pd.Series(["部分符合", "符合", "符合"], dtype="str")
    frame["G1"] = [1.0, 0.0, 0.0]
    frame["G3"] = [3.0, 0.0, 1.0]
    return frame


def surveys() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "response_no": ["S001", "S002", "S003"],
            "round": [ROUND] * 3,
            "uscc": [USCCS[0], USCCS[0], USCCS[1]],
            "surveyed_on": dates("2026-03-01", None, "2026-03-03"),
            "method": ["拦访", "扫码", None],
            "invalid": [False, False, True],
        }
    )
    answers: list[list[float]] = [
        [5, 4, 4, 5, 3, 4, 5, 5],
        [4, NA, 3, 4, NA, 4, 4, 4],
        [NA, NA, NA, NA, NA, 2, 1, NA],
    ]
    for i, code in enumerate(QUESTION_CODES):
        frame[code] = [float(row[i]) for row in answers]
    return frame


def complaints() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "complaint_no": ["C001", "C002", "C003"],
            "uscc": [USCCS[0], USCCS[1], "91330100UNKNOWN999"],  # the last is not registered
            "name": ["甲超市", None, "未登记商户"],
            "registered_on": dates("2026-02-01", "2026-02-10", "2026-03-01"),
            "closed_on": dates("2026-02-15", None, "2026-03-10"),
            "outcome": ["调解成功", "处理中", "撤诉"],
            "on_time": pd.array([True, None, False], dtype="boolean"),
            "amount": [120.5, NA, 3000.0],
            "category": ["质量", "价格", None],
        }
    )


def credit() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": [USCCS[1], USCCS[1]],
            "list_type": ["经营异常名录", "行政处罚"],
            "listed_on": dates("2026-03-01", "2025-06-01"),
            "removed_on": dates(None, None),
            "reason": ["未按时年报", "虚假宣传"],
            "authority": ["西湖区市场监管局", None],
            "doc_no": [None, "杭西市监罚〔2025〕12号"],
        }
    )


def all_sheets() -> list[tuple[str, pd.DataFrame]]:
    """Every sheet in import order."""
    return [
        ("districts", districts()),
        ("rounds", rounds()),
        ("merchants", merchants()),
        ("inspections", inspections()),
        ("surveys", surveys()),
        ("complaints", complaints()),
        ("credit", credit()),
    ]


def many_inspections(n: int, seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` merchants and one inspection each, for volume tests and the benchmark."""
    rng = np.random.default_rng(seed)
    usccs = [f"91330100{i:09d}X" for i in range(n)]
    merchant_frame = pd.DataFrame(
        {
            "uscc": usccs,
            "name": [f"商户{i}" for i in range(n)],
            "district": rng.choice(["上城区", "西湖区"], n),
            "industry": "餐饮",
            "address": None,
            "store_name": None,
            "established": pd.Series(pd.NaT, index=range(n), dtype="datetime64[us]"),
            "applied": rng.random(n) < 0.5,
            "applied_on": pd.Series(pd.NaT, index=range(n), dtype="datetime64[us]"),
            "contact_person": None,
            "phone": None,
        }
    )
    frame = pd.DataFrame(
        {
            "round": ROUND,
            "uscc": usccs,
            "name": None,
            "inspected_on": pd.Series(pd.Timestamp("2026-03-01"), index=range(n), dtype="datetime64[us]"),
            "method": "定期",
            "inspectors": "王五",
            "note": None,
        }
    )
    for code in ("A1", "B1", "B3", "C2", "D2", "D3", "E1", "E2"):
        frame[code] = pd.Series(rng.choice(["符合", "部分符合", "不符合", "不适用"], n), dtype="str")
    for code in ("A2", "A3", "B2", "C1", "D1"):
        findings = rng.integers(0, 3, n).astype(float)
        findings[rng.random(n) < 0.1] = NA
        frame[code] = findings
    for code in ("G1", "G2", "G3", "G4"):
        frame[code] = rng.integers(0, 2, n).astype(float)
    return merchant_frame, frame
