"""A large, realistic round in memory (``RoundData``), generated vectorised with numpy and Arrow.

The frames have exactly the columns and dtypes ``scoring.storage.loading.load_round_data`` gives
(text as pandas ``str``, dates ``datetime64[us]``, flags ``bool``, 是否按时办结 ``boolean``, items and
answers ``float64`` / ``str``), so the engine sees what it sees in production. Every merchant of the
registry is inspected in the round; survey responses per merchant are drawn from a Poisson law
(one mean for applicants, one for the others; ~3 % of them 废卷); complaints (~0.3 per merchant and year, 5 % against
USCCs not in the registry) and credit records (~6 % of merchants) span more than the round, as
stored data does. The same parameters always give the same data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from scoring.engine.frames import RoundData
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.selection import Quotas, SelectionSettings
from scoring.engine.uscc import ALPHABET, WEIGHTS
from scoring.ingest.sheets import DEFAULT_INDUSTRIES, INSPECTION_METHODS, LIST_TYPES, SURVEY_METHODS

ROUND = ("2026年初期评估", "2026-01-01", "2026-04-30")
# A city of 16 区县 (real 6-digit codes) with their share of the merchants.
DISTRICTS = (
    ("黄浦区", "310101", 5), ("徐汇区", "310104", 7), ("长宁区", "310105", 5), ("静安区", "310106", 7),
    ("普陀区", "310107", 6), ("虹口区", "310109", 4), ("杨浦区", "310110", 6), ("闵行区", "310112", 9),
    ("宝山区", "310113", 7), ("嘉定区", "310114", 6), ("浦东新区", "310115", 15), ("金山区", "310116", 3),
    ("松江区", "310117", 6), ("青浦区", "310118", 5), ("奉贤区", "310120", 5), ("崇明区", "310151", 4),
)  # fmt: skip
INDUSTRY_SHARE = (22, 24, 5, 2, 3, 5, 2, 9, 3, 3, 8, 6, 8)  # DEFAULT_INDUSTRIES order
NA_BY_INDUSTRY = {  # items an inspector marks 不适用 for most merchants of the industry
    "餐饮": ("D3",),
    "住宿": ("D3", "B3"),
    "旅游景区": ("B3", "D3"),
    "交通出行": ("A3", "B2", "D3"),
    "教育培训": ("A3", "B2", "B3", "D3"),
    "美容美发": ("B3", "D3"),
    "网络销售": ("A3", "B3", "D3"),
}
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")
ROADS = ("南京路", "淮海路", "中山路", "人民路", "建设路", "解放路", "长江路", "世纪大道", "延安路", "衡山路")
COMPLAINTS_FROM, DATA_CUTOFF = np.datetime64("2025-12-01"), np.datetime64("2026-11-20")


def _str(values: Any) -> pd.Series:
    return pd.Series(values, dtype="str")


def _fixed_width(chars: np.ndarray[Any, np.dtype[np.uint8]]) -> Any:
    """Rows of an (n, w) uint8 matrix of ASCII as an Arrow string array, without Python strings."""
    n, w = chars.shape
    offsets = pa.py_buffer(np.arange(0, n * w + 1, w, dtype=np.int64).tobytes())
    return pa.Array.from_buffers(pa.large_string(), n, [None, offsets, pa.py_buffer(chars.tobytes())])


def _pick(pool: tuple[str, ...] | list[str], codes: np.ndarray[Any, Any]) -> Any:
    return pa.array(pool, type=pa.large_string()).take(pa.array(codes))


def _numbers(values: np.ndarray[Any, Any], width: int = 0) -> Any:
    text = pc.cast(pa.array(values), pa.large_string())
    return pc.utf8_lpad(text, width=width, padding="0") if width else text


def _join(*parts: Any) -> Any:
    """Concatenate Arrow string arrays and Python strings element-wise."""
    typed = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*typed, pa.scalar("", pa.large_string()))


def _with_nulls(arr: Any, null: np.ndarray[Any, np.dtype[np.bool_]]) -> Any:
    return pc.if_else(pa.array(null), pa.scalar(None, pa.large_string()), arr)


def _dates(rng: np.random.Generator, n: int, lo: str, hi: str) -> np.ndarray[Any, Any]:
    start, end = np.datetime64(lo, "D"), np.datetime64(hi, "D")
    days = rng.integers(0, int((end - start).astype(int)) + 1, n)
    return (start + days).astype("datetime64[us]")


def usccs(rng: np.random.Generator, region: np.ndarray[Any, Any], unique_from: int = 0) -> Any:
    """Valid GB 32100 codes: 91/92, the 区县 code, a 9-character body unique per row, check char."""
    n = len(region)
    alphabet = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, 0] = ord("9")
    chars[:, 1] = np.where(rng.random(n) < 0.6, ord("1"), ord("2"))  # companies and 个体工商户
    chars[:, 2:8] = np.frombuffer("".join(region).encode(), dtype=np.uint8).reshape(n, 6)
    # a bijection of the row number spreads bodies over the code space while keeping them unique
    body = (np.arange(unique_from, unique_from + n, dtype=np.int64) * 2_654_435_761 + 12_345) % 31**9
    for k in range(16, 7, -1):
        chars[:, k] = alphabet[body % 31]
        body //= 31
    value = np.searchsorted(alphabet, chars[:, :17])  # ALPHABET is sorted ASCII
    total = (value * WEIGHTS).sum(axis=1)
    chars[:, 17] = alphabet[(31 - total % 31) % 31]
    return _fixed_width(chars)


def merchants(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, np.ndarray[Any, Any]]:
    """The registry (sorted by USCC, as loaded) and each merchant's quality in 0–1."""
    share = np.array([s for _, _, s in DISTRICTS], dtype=float)
    district = rng.choice(len(DISTRICTS), n, p=share / share.sum())
    industry = rng.choice(len(DEFAULT_INDUSTRIES), n, p=np.array(INDUSTRY_SHARE) / sum(INDUSTRY_SHARE))
    codes = usccs(rng, np.array([c for _, c, _ in DISTRICTS])[district])
    order = np.asarray(pc.array_sort_indices(codes))
    codes, district, industry = codes.take(pa.array(order)), district[order], industry[order]
    names = [d.removesuffix("新区").removesuffix("区") for d, _, _ in DISTRICTS]
    suffix = ("超市", "餐厅", "酒店", "景区管理有限公司", "出行服务有限公司", "培训学校", "医疗美容诊所", "美发店",
              "农贸市场", "食品有限公司", "电子商务有限公司", "装饰工程有限公司", "商行")  # fmt: skip
    seq = _numbers(np.arange(1, n + 1), 7)
    name = _join(_pick(names, district), _pick(SURNAMES, rng.integers(0, len(SURNAMES), n)), seq,
                 _pick(suffix, industry))  # fmt: skip
    store = _with_nulls(_join(name, "（", _pick(ROADS, rng.integers(0, len(ROADS), n)), "店）"), rng.random(n) < 0.6)
    address = _join(_pick(ROADS, rng.integers(0, len(ROADS), n)), _numbers(rng.integers(1, 2000, n)), "号")
    person = _join(_pick(SURNAMES, rng.integers(0, len(SURNAMES), n)), _pick(GIVEN, rng.integers(0, len(GIVEN), n)))
    phone = _join("13", _numbers(rng.integers(0, 10**9, n), 9))
    established = _dates(rng, n, "1995-01-01", "2026-04-30")
    established[rng.random(n) < 0.04] = np.datetime64("NaT")
    applied = rng.random(n) < 0.35
    applied_on = _dates(rng, n, "2025-12-01", "2026-03-31")
    applied_on[~applied | (rng.random(n) < 0.03)] = np.datetime64("NaT")
    frame = pd.DataFrame(
        {
            "uscc": _str(codes),
            "name": _str(name),
            "district": _str(_pick([d for d, _, _ in DISTRICTS], district)),
            "industry": _str(_pick(DEFAULT_INDUSTRIES, industry)),
            "address": _str(_join(_pick([d for d, _, _ in DISTRICTS], district), address)),
            "store_name": _str(store),
            "established": established,
            "applied": applied,
            "applied_on": applied_on,
            "contact_person": _str(person),
            "phone": _str(phone),
            "uscc_warning": np.zeros(n, dtype=bool),
        }
    )
    quality = rng.beta(6.0, 1.6, n)
    return frame, quality


def inspections(
    rng: np.random.Generator, system: IndicatorSystem, registry: pd.DataFrame, quality: np.ndarray[Any, Any]
) -> pd.DataFrame:
    """One inspection per merchant: items drawn from the merchant's quality, N/A by industry."""
    n = len(registry)
    frame = pd.DataFrame(
        {
            "round": _str(pa.repeat(pa.scalar(ROUND[0], pa.large_string()), n)),
            "uscc": registry["uscc"],
            "name": registry["name"],
            "inspected_on": _dates(rng, n, "2026-02-01", "2026-04-25"),
            "method": _str(_pick(INSPECTION_METHODS, rng.choice(3, n, p=(0.6, 0.3, 0.1)))),
            "inspectors": _str(
                _join(
                    _pick(SURNAMES, rng.integers(0, 20, n)),
                    _pick(GIVEN, rng.integers(0, 20, n)),
                    "、",
                    _pick(SURNAMES, rng.integers(0, 20, n)),
                    _pick(GIVEN, rng.integers(0, 20, n)),
                )
            ),
            "note": _str(_with_nulls(pa.repeat(pa.scalar("已现场整改", pa.large_string()), n), rng.random(n) > 0.05)),
            "name_warning": np.zeros(n, dtype=bool),
        }
    )
    industry = registry["industry"].to_numpy(dtype=object)
    items: dict[str, Any] = {}
    for ind in system.indicators:
        if not ind.from_inspection:
            continue
        na = rng.random(n) < 0.02
        for name, codes in NA_BY_INDUSTRY.items():
            if ind.code in codes:
                na |= (industry == name) & (rng.random(n) < 0.85)
        good = rng.random(n) < quality
        if ind.type == "check":
            partial = "部分符合" in ind.check_points
            values = np.where(good, 0, np.where(partial & (rng.random(n) < 0.6), 1, 2))
            values[na] = 3
            items[ind.code] = _str(_pick(("符合", "部分符合", "不符合", "不适用"), values))
        else:
            findings = np.where(good, 0.0, rng.poisson(1.0 + 2.0 * (1 - quality)) + 1.0)
            findings[na] = np.nan
            items[ind.code] = findings
    for item in system.bonus_items:
        if item.kind == "flag":
            items[item.code] = (rng.random(n) < 0.1 + 0.2 * quality).astype(float)
        else:
            items[item.code] = rng.choice(4, n, p=(0.8, 0.12, 0.06, 0.02)).astype(float)
    return pd.concat([frame, pd.DataFrame(items)], axis=1)


def surveys(
    rng: np.random.Generator, system: IndicatorSystem, registry: pd.DataFrame, applicant: float, other: float
) -> pd.DataFrame:
    """Poisson responses per merchant (mean ``applicant`` for applicants, ``other`` for the rest), in
    arrival order: numbered as they come in, merchants interleaved."""
    n = len(registry)
    counts = rng.poisson(np.where(registry["applied"].to_numpy(dtype=bool), applicant, other))
    who = rng.permutation(np.repeat(np.arange(n, dtype=np.int64), counts))
    rows = len(who)
    level = rng.beta(6.0, 2.0, n)[who]  # the merchant's satisfaction, 0–1
    questions = [q.code for q in system.survey_questions]
    answers = np.clip(np.rint(1.0 + 4.0 * level[:, None] + rng.normal(0, 0.8, (rows, len(questions)))), 1, 5)
    answers[rng.random(answers.shape) < 0.04] = np.nan
    spoilt = rng.random(rows) < 0.03
    answers[spoilt, : system.survey_invalid_unanswered] = np.nan
    uscc = pa.array(registry["uscc"].array).take(pa.array(who))
    frame = pd.DataFrame(
        {
            "response_no": _str(_join("WJ1-", _numbers(np.arange(1, rows + 1), 8))),
            "round": _str(pa.repeat(pa.scalar(ROUND[0], pa.large_string()), rows)),
            "uscc": _str(uscc),
            "surveyed_on": _dates(rng, rows, "2026-01-05", "2026-04-30"),
            "method": _str(_pick(SURVEY_METHODS, rng.choice(3, rows, p=(0.5, 0.35, 0.15)))),
            "invalid": np.isnan(answers).sum(axis=1) >= system.survey_invalid_unanswered,
        }
    )
    for j, code in enumerate(questions):
        frame[code] = answers[:, j]
    return frame


def complaints(rng: np.random.Generator, registry: pd.DataFrame, quality: np.ndarray[Any, Any]) -> pd.DataFrame:
    """12315 complaints since 2025-12 (~0.3 per merchant and year), weaker merchants more often."""
    n = len(registry)
    weight = 1.3 - quality
    rows = int(0.3 * n)
    who = rng.choice(n, rows, p=weight / weight.sum())
    uscc = pa.array(registry["uscc"].array).take(pa.array(who))
    unmatched = rng.random(rows) < 0.05
    region = np.array([c for _, c, _ in DISTRICTS])[rng.integers(0, len(DISTRICTS), int(unmatched.sum()))]
    uscc = pc.replace_with_mask(uscc, pa.array(unmatched), usccs(rng, region, unique_from=10**8))
    registered = _dates(rng, rows, str(COMPLAINTS_FROM), str(DATA_CUTOFF))
    outcome = rng.choice(5, rows, p=(0.1, 0.5, 0.15, 0.1, 0.15))  # frames.OUTCOMES order
    closed = np.isin(outcome, (1, 2, 4))
    closed_on = registered + rng.integers(1, 60, rows).astype("timedelta64[D]")
    closed_on[~closed] = np.datetime64("NaT")
    on_time = pd.array(np.where(closed, rng.random(rows) < 0.92, False), dtype="boolean")
    on_time[~closed] = pd.NA
    amount = np.round(rng.lognormal(5.5, 1.2, rows), 2)
    amount[rng.random(rows) < 0.2] = np.nan
    return pd.DataFrame(
        {
            "complaint_no": _str(_join("TS2026", _numbers(np.arange(1, rows + 1), 8))),
            "uscc": _str(uscc),
            "name": _str(pa.array(registry["name"].array).take(pa.array(who))),
            "registered_on": registered,
            "closed_on": closed_on,
            "outcome": _str(_pick(("处理中", "调解成功", "调解终止", "不予受理", "撤诉"), outcome)),
            "on_time": on_time,
            "amount": amount,
            "category": _str(
                _pick(("商品质量", "价格问题", "服务质量", "售后服务", "虚假宣传"), rng.integers(0, 5, rows))
            ),
        }
    )


def credit(rng: np.random.Generator, registry: pd.DataFrame) -> pd.DataFrame:
    """Credit records of ~6 % of merchants, listed 2023–2026, some removed since."""
    n = len(registry)
    who = np.sort(rng.choice(n, int(0.06 * n), replace=False))
    rows = len(who)
    kind = rng.choice(len(LIST_TYPES), rows, p=(0.5, 0.05, 0.1, 0.3, 0.05))  # LIST_TYPES order
    listed = _dates(rng, rows, "2023-01-01", "2026-11-20")
    removed = listed + rng.integers(30, 400, rows).astype("timedelta64[D]")
    removed[(kind > 2) | (rng.random(rows) < 0.6)] = np.datetime64("NaT")
    return pd.DataFrame(
        {
            "uscc": _str(pa.array(registry["uscc"].array).take(pa.array(who))),
            "list_type": _str(_pick(LIST_TYPES, kind)),
            "listed_on": listed,
            "removed_on": removed,
            "reason": _str(
                _pick(("未按时年报", "虚假宣传", "价格违法", "食品安全", "拒不履行"), rng.integers(0, 5, rows))
            ),
            "authority": _str(_join(_pick([d for d, _, _ in DISTRICTS], rng.integers(0, 16, rows)), "市场监督管理局")),
            "doc_no": _str(_join("沪市监罚〔2026〕", _numbers(rng.integers(1, 9999, rows)), "号")),
        }
    )


def round_data(
    system: IndicatorSystem, n: int, surveys_applicant: float, surveys_other: float | None = None, seed: int = 2026
) -> RoundData:
    """The whole round: registry, inspections of every merchant, surveys, complaints, credit.

    Survey responses per merchant: Poisson with mean ``surveys_applicant`` for applicants and
    ``surveys_other`` (default: the same) for the others.
    """
    rng = np.random.default_rng(seed)
    registry, quality = merchants(rng, n)
    return RoundData(
        round_name=ROUND[0],
        start=pd.Timestamp(ROUND[1]),
        end=pd.Timestamp(ROUND[2]),
        merchants=registry,
        inspections=inspections(rng, system, registry, quality),
        surveys=surveys(
            rng, system, registry, surveys_applicant, surveys_applicant if surveys_other is None else surveys_other
        ),
        complaints=complaints(rng, registry, quality),
        credit=credit(rng, registry),
        districts=tuple(d for d, _, _ in DISTRICTS),
    )


def selection_settings(system: IndicatorSystem, data: RoundData) -> SelectionSettings:
    """Quotas as a city sets them: ~0.5 % of each 区县's merchants, and a 餐饮 quota per 区县."""
    per_district = data.merchants["district"].value_counts()
    district = {str(d): max(1, round(0.005 * c)) for d, c in per_district.items()}
    pairs = {(str(d), "餐饮"): max(1, round(0.001 * c)) for d, c in per_district.items()}
    return SelectionSettings(system.threshold, Quotas(district=district, district_industry=pairs))
