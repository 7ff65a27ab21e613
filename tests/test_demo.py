"""The demo campaign (SPEC §7 ``demo``): deterministic, complete, importable, and full of edge cases.

Edge cases are counted from the cells of the workbook itself, not taken on the generator's word.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter, defaultdict
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from scoring.demo import (
    CITIES,
    EDGE_CASES,
    MIN_MERCHANTS,
    ROUNDS,
    build_demo_workbook,
    default_system,
    demo_summary,
    generate_demo,
)
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.uscc import ALPHABET, check_character
from scoring.ingest.sheets import LIKERT_LABELS, LIST_TYPES, SheetSpec, sheet_specs
from scoring.ingest.template import INSTRUCTIONS_SHEET, build_template

Rows = list[dict[str, Any]]
D1 = ROUNDS[0][2]  # 初期 reference date 2026-04-30


@pytest.fixture(scope="module")
def system() -> IndicatorSystem:
    return default_system()


@pytest.fixture(scope="module")
def specs(system: IndicatorSystem) -> dict[str, SheetSpec]:
    return {s.key: s for s in sheet_specs(system)}


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return build_demo_workbook()


def _read(data: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.fixture(scope="module")
def cells(workbook: bytes) -> dict[str, list[list[Any]]]:
    return _read(workbook)


@pytest.fixture(scope="module")
def sheets(cells: dict[str, list[list[Any]]], specs: dict[str, SheetSpec]) -> dict[str, Rows]:
    """Data rows per sheet key as {canonical column: value}; header texts must be the spec's."""
    out: dict[str, Rows] = {}
    for key, spec in specs.items():
        header, *rows = cells[spec.title]
        assert tuple(header) == spec.headers
        out[key] = [{c.name: v for c, v in zip(spec.columns, row, strict=True)} for row in rows]
    return out


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _fires(record: dict[str, Any], reference: dt.date) -> bool:
    """SPEC §4 veto windows, computed independently of the engine."""
    listed, removed = record["listed_on"], record["removed_on"]
    if record["list_type"] in ("行政处罚", "重大消费安全事故"):
        return bool(reference - dt.timedelta(days=365) < listed <= reference)
    return bool(listed <= reference and (_blank(removed) or removed > reference))


def test_same_seed_gives_identical_bytes() -> None:
    assert build_demo_workbook(80, seed=7) == build_demo_workbook(80, seed=7)


def test_different_seeds_differ() -> None:
    one, two = _read(build_demo_workbook(80, seed=1)), _read(build_demo_workbook(80, seed=2))
    assert one["区县"] == two["区县"] and one["评估轮次"] == two["评估轮次"]
    assert one["商户名录"] != two["商户名录"]
    assert one["实地检查"] != two["实地检查"]


def test_demo_is_the_filled_template(workbook: bytes, system: IndicatorSystem) -> None:
    demo = openpyxl.load_workbook(io.BytesIO(workbook))
    campaign = generate_demo()
    template = openpyxl.load_workbook(
        io.BytesIO(build_template(system, districts=list(campaign.districts), rounds=list(campaign.rounds)))
    )
    assert demo.sheetnames == template.sheetnames
    assert demo.sheetnames[0] == INSTRUCTIONS_SHEET
    for name in template.sheetnames[1:]:
        assert [c.value for c in demo[name][1]] == [c.value for c in template[name][1]]
        assert demo[name].freeze_panes == template[name].freeze_panes
        got = [(str(dv.sqref), dv.type, dv.formula1) for dv in demo[name].data_validations.dataValidation]
        want = [(str(dv.sqref), dv.type, dv.formula1) for dv in template[name].data_validations.dataValidation]
        assert got == want
    merchants = demo["商户名录"]
    assert merchants["A2"].number_format == "@" and merchants["G2"].number_format == "yyyy-mm-dd"


def test_rows_and_realistic_volumes(sheets: dict[str, Rows]) -> None:
    assert len(sheets["districts"]) == 6
    assert [r["name"] for r in sheets["rounds"]] == ["2026年初期评估", "2026年中期评估", "2026年末期评估"]
    assert len(sheets["merchants"]) == 300
    per_round = Counter(r["round"] for r in sheets["inspections"])
    assert per_round["2026年初期评估"] > 200 and per_round["2026年中期评估"] > 200
    assert 0 < per_round["2026年末期评估"] < per_round["2026年中期评估"]  # 末期 in progress
    responses = Counter((r["round"], r["uscc"]) for r in sheets["surveys"])
    inspected = {(r["round"], r["uscc"]) for r in sheets["inspections"]}
    assert set(responses) == inspected
    typical = [n for n in responses.values() if 8 <= n <= 15]
    assert len(typical) > 0.85 * len(responses)


def test_every_required_cell_is_filled(sheets: dict[str, Rows], specs: dict[str, SheetSpec]) -> None:
    for key, spec in specs.items():
        for number, row in enumerate(sheets[key], start=2):
            for col in spec.columns:
                if col.required:
                    assert not _blank(row[col.name]), (spec.title, number, col.header)
                if col.choices and not _blank(row[col.name]):
                    assert row[col.name] in col.choices, (spec.title, number, col.header, row[col.name])
    for row in sheets["complaints"]:
        if row["outcome"] in ("调解成功", "调解终止", "撤诉"):
            assert row["on_time"] in ("是", "否")


def test_natural_keys_are_unique(sheets: dict[str, Rows], specs: dict[str, SheetSpec]) -> None:
    for key, spec in specs.items():
        keys = [tuple(row[n] for n in spec.natural_key) for row in sheets[key]]
        assert len(keys) == len(set(keys)), spec.title


def test_dates_are_dates_and_consistent(sheets: dict[str, Rows]) -> None:
    period = {r["name"]: (r["start"], r["end"]) for r in sheets["rounds"]}
    for r in sheets["rounds"]:
        assert isinstance(r["start"], dt.date) and r["start"] < r["end"]
    for key, column in (("inspections", "inspected_on"), ("surveys", "surveyed_on")):
        for row in sheets[key]:
            start, end = period[row["round"]]
            assert start <= row[column] <= end
    for row in sheets["complaints"]:
        assert _blank(row["closed_on"]) or row["closed_on"] >= row["registered_on"]
        assert isinstance(row["amount"], float) and row["amount"] >= 0
    for row in sheets["credit"]:
        assert _blank(row["removed_on"]) or row["removed_on"] > row["listed_on"]


def test_usccs_follow_gb32100_except_the_deliberate_warnings(sheets: dict[str, Rows]) -> None:
    codes = {r["name"]: r["code"] for r in sheets["districts"]}
    assert all(re.fullmatch(r"\d{6}", c) for c in codes.values())
    wrong = []
    for row in sheets["merchants"]:
        uscc = row["uscc"]
        assert len(uscc) == 18 and set(uscc) <= set(ALPHABET)
        assert uscc[2:8] == codes[row["district"]]
        assert uscc[:2] in ("91", "92")
        if check_character(uscc[:17]) != uscc[17]:
            wrong.append(uscc)
    assert sorted(wrong) == sorted(generate_demo().edge_cases["bad_check_char"])
    assert 1 <= len(wrong) <= 5


def test_personal_data_looks_real(sheets: dict[str, Rows]) -> None:
    for row in sheets["merchants"]:
        assert re.fullmatch(r"1[3-9]\d{9}", row["phone"])
        assert 2 <= len(row["contact_person"]) <= 3
        assert row["address"].startswith(f"杭州市{row['district']}")
        assert row["name"].startswith("杭州")


def test_not_applicable_is_used_on_check_and_deduct_items(sheets: dict[str, Rows], system: IndicatorSystem) -> None:
    check = [i.code for i in system.indicators if i.type == "check"]
    deduct = [i.code for i in system.indicators if i.type == "deduct" and i.from_inspection]
    rows = sheets["inspections"]
    assert any(row[code] == "不适用" for row in rows for code in check)
    assert any(row[code] == "不适用" for row in rows for code in deduct)
    values = Counter(row[code] for row in rows for code in check)
    assert values["符合"] > values["部分符合"] > 0 and values["不符合"] > 0
    assert any(isinstance(row[code], float) and row[code] >= 2 for row in rows for code in deduct)


def test_bonus_items_cover_g3_counts_and_the_cap(sheets: dict[str, Rows], system: IndicatorSystem) -> None:
    rows = sheets["inspections"]
    assert {row["G3"] for row in rows} == {0.0, 1.0, 2.0, 3.0}

    def bonus(row: dict[str, Any]) -> float:
        total = 0.0
        for item in system.bonus_items:
            raw = row[item.code]
            total += (
                item.points if raw == "是" else min(item.max_points, item.points * raw) if item.kind == "count" else 0
            )
        return total

    assert max(bonus(row) for row in rows) > system.bonus_cap == 15


def test_every_list_type_and_veto_boundary(sheets: dict[str, Rows]) -> None:
    credit = sheets["credit"]
    assert {r["list_type"] for r in credit} == set(LIST_TYPES)
    fired = {r["list_type"] for r in credit if _fires(r, D1)}
    assert fired == set(LIST_TYPES)  # V1–V5 each fire at 初期's reference date
    assert any(r["listed_on"] > D1 for r in credit)  # listed after D
    assert any(not _blank(r["removed_on"]) and r["removed_on"] <= D1 for r in credit)  # removed before / on D
    assert any(r["removed_on"] == D1 for r in credit)
    penalties = [r for r in credit if r["list_type"] == "行政处罚"]
    assert any(r["listed_on"] <= D1 - dt.timedelta(days=365) for r in penalties)  # older than 365 days
    assert any(r["listed_on"] == D1 - dt.timedelta(days=365) for r in penalties)  # exactly on the edge
    per_merchant = Counter(r["uscc"] for r in credit if _fires(r, D1))
    assert max(per_merchant.values()) >= 2  # several vetoes at once


def test_invalid_and_short_surveys(sheets: dict[str, Rows], system: IndicatorSystem) -> None:
    codes = [q.code for q in system.survey_questions]
    blanks = [sum(_blank(row[c]) for c in codes) for row in sheets["surveys"]]
    invalid = sum(b >= 5 for b in blanks)
    assert 0.03 < invalid / len(blanks) < 0.12  # about 8 % 废卷 in practice
    assert 4 in blanks  # 4 unanswered: still valid
    valid: defaultdict[tuple[str, str], int] = defaultdict(int)
    for row, b in zip(sheets["surveys"], blanks, strict=True):
        valid[row["round"], row["uscc"]] += b < 5
    assert any(n < 5 for n in valid.values())
    assert any(n == 5 for n in valid.values())
    answers = {row[c] for row in sheets["surveys"] for c in codes if not _blank(row[c])}
    assert {1.0, 2.0, 3.0, 4.0, 5.0} <= answers
    assert set(LIKERT_LABELS) <= answers  # some teams record answers in words


def test_complaints_have_every_outcome_and_unmatched_usccs(sheets: dict[str, Rows]) -> None:
    complaints = sheets["complaints"]
    assert {r["outcome"] for r in complaints} == {"处理中", "调解成功", "调解终止", "不予受理", "撤诉"}
    assert {r["on_time"] for r in complaints} >= {"是", "否", ""}
    registered = {r["uscc"] for r in sheets["merchants"]}
    unmatched = {r["uscc"] for r in complaints} - registered
    assert len(unmatched) >= 3
    assert all(check_character(u[:17]) == u[17] for u in unmatched)
    assert any(r["registered_on"] < ROUNDS[0][1] for r in complaints)  # before the first round
    assert all(re.fullmatch(r"TS\d{13}", r["complaint_no"]) for r in complaints)
    per_merchant = Counter(r["uscc"] for r in complaints if ROUNDS[0][1] <= r["registered_on"] <= D1)
    assert max(per_merchant.values()) >= 20  # the 19-of-20-on-time merchant


def test_merchant_edge_cases(sheets: dict[str, Rows]) -> None:
    merchants = sheets["merchants"]
    inspected = {r["uscc"] for r in sheets["inspections"]}
    assert any(r["applied"] == "否" and r["uscc"] in inspected for r in merchants)
    assert 0.8 < sum(r["applied"] == "是" for r in merchants) / len(merchants) < 0.95
    assert any(r["applied"] == "是" and r["uscc"] not in inspected for r in merchants)
    assert any(r["applied"] == "是" and _blank(r["applied_on"]) for r in merchants)
    founded = [r["established"] for r in merchants if not _blank(r["established"])]
    assert any((D1 - d).days < 365 for d in founded)
    assert any((D1 - d).days == 365 for d in founded) and any((D1 - d).days == 364 for d in founded)
    assert any(_blank(r["established"]) for r in merchants)
    names = {r["uscc"]: r["name"] for r in merchants}
    assert any(r["name"] != names[r["uscc"]] for r in sheets["inspections"])  # 名称不一致 warning


def test_tied_merchants_have_identical_inputs(sheets: dict[str, Rows], system: IndicatorSystem) -> None:
    tie = generate_demo().edge_cases["tie"]
    assert len(tie) == 3
    items = system.inspection_items
    for name, _, _ in ROUNDS[:2]:
        rows = [r for r in sheets["inspections"] if r["round"] == name and r["uscc"] in tie]
        assert len({tuple(r[c] for c in items) for r in rows}) == 1
        answers = [
            sorted(
                tuple(r[q.code] for q in system.survey_questions)
                for r in sheets["surveys"]
                if r["round"] == name and r["uscc"] == u
            )
            for u in tie
        ]
        assert answers[0] == answers[1] == answers[2]
    merchants = [r for r in sheets["merchants"] if r["uscc"] in tie]
    assert len({(r["district"], r["industry"]) for r in merchants}) == 1


def test_every_edge_case_is_named(sheets: dict[str, Rows]) -> None:
    campaign = generate_demo()
    assert set(campaign.edge_cases) == set(EDGE_CASES)
    assert all(campaign.edge_cases[key] for key in EDGE_CASES), [k for k in EDGE_CASES if not campaign.edge_cases[k]]
    registered = {r["uscc"] for r in sheets["merchants"]}
    for key in ("veto_v1", "halfup", "not_inspected", "non_applicant", "est_364", "ontime_95"):
        assert set(campaign.edge_cases[key]) <= registered
    assert not set(campaign.edge_cases["unmatched_complaint"]) & registered
    summary = demo_summary()
    assert summary["rows"]["商户名录"] == 300
    assert summary["edge_cases"]["veto_v1"]["keys"] == list(campaign.edge_cases["veto_v1"])


def test_other_cities_and_bad_parameters() -> None:
    nanjing = generate_demo(MIN_MERCHANTS, seed=3, city="南京市")
    codes = {row[1] for row in nanjing.rows["区县"]}
    assert codes == {code for _, code, _ in CITIES["南京市"][1]}
    assert all(str(row[0])[2:8] in codes for row in nanjing.rows["商户名录"])
    with pytest.raises(ValueError, match="商户数至少"):
        generate_demo(MIN_MERCHANTS - 1)
    with pytest.raises(ValueError, match="未内置城市"):
        generate_demo(city="不存在市")


def test_imports_without_rejected_rows(workbook: bytes, system: IndicatorSystem) -> None:
    parse = pytest.importorskip("scoring.ingest.parse")
    refs = pytest.importorskip("scoring.ingest.refs")
    result = parse.parse_upload([("demo.xlsx", workbook)], system, refs.ReferenceData())
    assert result.rejected == 0, [str(i) for i in result.errors[:10]]
    campaign = generate_demo()
    expected = len(campaign.edge_cases["bad_check_char"]) + len(campaign.edge_cases["name_mismatch"])
    assert len(result.warnings) == expected


def test_demo_command_loads_a_scored_campaign_with_its_phase_plan(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`demo` (what `make run` calls) leaves every page something to show, the 阶段进度 page included."""
    from scoring.cli import main
    from scoring.services import progress
    from scoring.services.context import CLI_USER
    from scoring.storage.database import make_engine

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--merchants", "80", "--seed", "11", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "已评分：2026年初期评估" in out and "已按默认计划创建阶段与各区县任务" in out
    engine = make_engine(url)
    try:
        plan = progress.phases(engine, CLI_USER)
        assert list(plan["name"]) == ["筹备", "实施", "总结"]
        districts = progress.districts(engine, CLI_USER)
        done = [int((progress.checklist(engine, CLI_USER, d)["status"] == "done").sum()) for d in districts]
        assert done == [5 + i % 3 for i in range(len(districts))]
        # A second `demo --if-empty` changes nothing: the plan and its statuses stay as they are.
        assert main(["demo", "--if-empty", "--db", url]) == 0
        assert "已按默认计划" not in capsys.readouterr().out
        assert [int((progress.checklist(engine, CLI_USER, d)["status"] == "done").sum()) for d in districts] == done
    finally:
        engine.dispose()
