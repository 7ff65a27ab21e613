"""Golden test: quotas on the public sample, checked against a hand computation written out here.

The independent inputs are the expected CSVs of shared/samples (computed from SPEC.md by a separate
reference implementation, without quotas) and the sample workbook itself, read with openpyxl. The
quota cut of SPEC §5.4 / §10.9 is applied below with plain Python sorting — the engine is not called
for the expectation.

The sample has no two qualified merchants with equal 综合得分, so two “twins” are added to the
workbook to make the tie-break decide: each copies a qualified merchant of the sample (same
inspections, same survey answers, no complaints, no credit records — so the same 综合得分 and the
same dimension E) in the same 区县 and 行业, with a 1-quota cell:
- twin A of 91330110PJHMXYA2XG (余杭区 餐饮, 申报日期 2026-01-13) applied one day earlier → the
  申报日期 decides;
- twin B of 91330111AC2F8GL67K (富阳区 餐饮, 申报日期 2026-01-15) applied the same day with a
  smaller USCC → the USCC decides.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine

from scoring.cli import main
from scoring.engine.uscc import check_character
from tests.review.conftest import EXPECTED, SAMPLE, configure, needs_sample, url

pytestmark = needs_sample
ROUNDS = ("2026年初期评估", "2026年中期评估")


def _code(body: str) -> str:
    return body + check_character(body)


TWIN_A = {"of": "91330110PJHMXYA2XG", "uscc": _code("91330110000000001"), "applied_on": dt.datetime(2026, 1, 12)}
TWIN_B = {"of": "91330111AC2F8GL67K", "uscc": _code("91330111000000001"), "applied_on": dt.datetime(2026, 1, 15)}
TWINS = (TWIN_A, TWIN_B)

# Quotas of the test (SPEC §10.9): a (区县, 行业) quota governs that industry; the district's other
# industries share the 区县 quota; 余杭区 has no 区县 quota, so its other industries are unlimited.
DISTRICT_QUOTAS = {"上城区": 2, "临平区": 3, "富阳区": 4}
PAIR_QUOTAS = {("上城区", "餐饮"): 2, ("余杭区", "餐饮"): 1, ("余杭区", "旅游景区"): 0, ("富阳区", "餐饮"): 1}


def _sheet(book: Any, name: str) -> tuple[list[str], list[list[Any]]]:
    rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], rows[1:]


def _workbook_with_twins(path: Path) -> None:
    """The sample workbook with the two twins appended to 商户名录, 实地检查 and 满意度调查."""
    book = openpyxl.load_workbook(SAMPLE)
    for twin in TWINS:
        head, rows = _sheet(book, "商户名录")
        original = next(r for r in rows if r[head.index("统一社会信用代码")] == twin["of"])
        copy = list(original)
        copy[head.index("统一社会信用代码")] = twin["uscc"]
        copy[head.index("单位名称")] = f"{original[head.index('单位名称')]}（二店）"
        copy[head.index("申报日期")] = twin["applied_on"]
        book["商户名录"].append(copy)
        head, rows = _sheet(book, "实地检查")
        for r in [r for r in rows if r[head.index("统一社会信用代码")] == twin["of"]]:
            copy = list(r)
            copy[head.index("统一社会信用代码")] = twin["uscc"]
            copy[head.index("单位名称")] = f"{r[head.index('单位名称')]}（二店）"
            book["实地检查"].append(copy)
        head, rows = _sheet(book, "满意度调查")
        for r in [r for r in rows if r[head.index("统一社会信用代码")] == twin["of"]]:
            copy = list(r)
            copy[head.index("问卷编号")] = f"{r[head.index('问卷编号')]}-T{twin['uscc'][-4:]}"
            copy[head.index("统一社会信用代码")] = twin["uscc"]
            book["满意度调查"].append(copy)
    book.save(path)


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def _hand_computed(round_name: str) -> dict[str, tuple[str, str, str]]:
    """USCC → (状态, 候补序号, 原因) by hand: qualification from the expected CSV, then the quota cut."""
    expected = _csv(EXPECTED / f"candidates_{round_name}.csv")
    e_sub = {r["统一社会信用代码"]: r["E"] for r in _csv(EXPECTED / f"scores_{round_name}.csv")}
    book = openpyxl.load_workbook(SAMPLE, read_only=True)
    head, rows = _sheet(book, "评估轮次")
    start, end = next((r[1], r[2]) for r in rows if r[0] == round_name)
    head, rows = _sheet(book, "投诉记录")
    registered: dict[str, int] = {}
    for r in rows:  # registered = 登记日期 in the round's period and 处理结果 not 不予受理 (SPEC §4)
        uscc, day, outcome = (
            r[head.index("被投诉人统一社会信用代码")],
            r[head.index("登记日期")],
            r[head.index("处理结果")],
        )
        if start <= day <= end and outcome != "不予受理":
            registered[uscc] = registered.get(uscc, 0) + 1
    head, rows = _sheet(book, "商户名录")
    applied_on = {r[head.index("统一社会信用代码")]: r[head.index("申报日期")] for r in rows}

    people = {r["统一社会信用代码"]: dict(r) for r in expected}
    for twin in TWINS:  # a twin has its original's figures, no complaints, its own 申报日期
        people[twin["uscc"]] = {**people[twin["of"]], "统一社会信用代码": twin["uscc"]}
        e_sub[twin["uscc"]] = e_sub[twin["of"]]
        applied_on[twin["uscc"]] = twin["applied_on"]
        assert registered.get(twin["of"], 0) == 0

    cells: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in people.values():
        if r["状态"] != "入选":  # without quotas every qualified merchant is 入选
            continue
        pair = (r["区县"], r["行业"])
        cell = pair if pair in PAIR_QUOTAS else (r["区县"], "")
        cells.setdefault(cell, []).append(r)
    result = {u: (r["状态"], r["候补序号"], r["原因"]) for u, r in people.items() if r["状态"] != "入选"}
    far_future = dt.datetime(9999, 12, 31)
    for cell, members in cells.items():
        quota = PAIR_QUOTAS.get(cell) if cell[1] else DISTRICT_QUOTAS.get(cell[0])
        members.sort(
            key=lambda r: (
                -float(r["综合得分"]),
                -float(e_sub[r["统一社会信用代码"]] or "-inf"),
                registered.get(r["统一社会信用代码"], 0),
                applied_on[r["统一社会信用代码"]] or far_future,  # a blank 申报日期 sorts last
                r["统一社会信用代码"],
            )
        )
        for place, r in enumerate(members, start=1):
            if quota is None or place <= quota:
                result[r["统一社会信用代码"]] = ("入选", "", "")
            else:
                result[r["统一社会信用代码"]] = ("候补", str(place - quota), "")
    return result


def test_quotas_on_the_sample_match_the_hand_computation(db: Engine, tmp_path: Path) -> None:
    workbook = tmp_path / "sample-with-twins.xlsx"
    _workbook_with_twins(workbook)
    assert main(["import", str(workbook), "--db", url(db)]) == 0
    configure(
        db,
        district_quotas=DISTRICT_QUOTAS,
        industry_quotas=[(d, i, n) for (d, i), n in PAIR_QUOTAS.items()],
    )
    for round_name in ROUNDS:
        out = tmp_path / f"candidates_{round_name}.csv"
        assert main(["candidates", "--round", round_name, "--out", str(out), "--db", url(db)]) == 0
        got = {r["统一社会信用代码"]: r for r in _csv(out)}
        want = _hand_computed(round_name)
        assert set(got) == set(want)
        for uscc, (status, place, reasons) in want.items():
            assert (got[uscc]["状态"], got[uscc]["候补序号"], got[uscc]["原因"]) == (status, place, reasons), uscc
        for twin in TWINS:  # the twins really tie with their originals
            assert got[twin["uscc"]]["综合得分"] == got[twin["of"]]["综合得分"]
        # The twins decide their cells: A (earlier 申报日期) and B (smaller USCC) are 入选, the originals 候补 1.
        assert [want[t["uscc"]][0] for t in TWINS] == ["入选", "入选"]
        assert [want[t["of"]][:2] for t in TWINS] == [("候补", "1"), ("候补", "1")]
        statuses = [w[0] for w in want.values()]
        assert statuses.count("候补") >= 6 and statuses.count("入选") >= 10


@pytest.mark.parametrize("round_name", ROUNDS)
def test_hand_computation_without_quotas_is_the_expected_csv(round_name: str) -> None:
    """Sanity check of the hand computation itself: no twins' effect on others, reasons carried over."""
    want = _hand_computed(round_name)
    for r in _csv(EXPECTED / f"candidates_{round_name}.csv"):
        if r["状态"] == "不符合":
            assert want[r["统一社会信用代码"]] == ("不符合", "", r["原因"])
