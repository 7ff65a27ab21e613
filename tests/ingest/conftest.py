"""Workbooks built in the tests with openpyxl, and a small valid campaign to build them from."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.engine.uscc import check_character
from scoring.ingest.parse import parse_upload
from scoring.ingest.refs import ReferenceData
from scoring.ingest.results import SheetResult, UploadParse
from scoring.ingest.sheets import SheetSpec, sheet_specs

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_YAML = ROOT / "data" / "indicators" / "fangxin-2026.yaml"
SAMPLES = Path("/work/shared/samples")
ROUND = "2026年初期评估"


def uscc(serial: int, region: str = "330102") -> str:
    """A well-formed USCC with a correct check character."""
    body = f"91{region}" + f"{serial:09d}"
    return body + check_character(body)


GOOD = [uscc(i) for i in range(1, 6)]
ITEMS_OK: dict[str, object] = {
    "A1": "符合", "A2": 0, "A3": 1, "B1": "部分符合", "B2": 0, "B3": "不适用", "C1": 2, "C2": "符合",
    "D1": 0, "D2": "符合", "D3": "不符合", "E1": "符合", "E2": "符合", "G1": "是", "G2": "否", "G3": 1, "G4": "否",
}  # fmt: skip


@pytest.fixture(scope="session")
def system() -> IndicatorSystem:
    return load_indicator_system(DEFAULT_YAML.read_bytes())


@pytest.fixture(scope="session")
def specs(system: IndicatorSystem) -> dict[str, SheetSpec]:
    return {s.key: s for s in sheet_specs(system)}


def xlsx(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    """A workbook with one sheet per entry, rows written from A1."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def base_sheets(specs: dict[str, SheetSpec]) -> dict[str, list[list[Any]]]:
    """区县, 评估轮次 and 商户名录 sheets with five valid merchants in 上城区."""
    merchants = specs["merchants"]
    return {
        "区县": [list(specs["districts"].headers), ["上城区", "330102", "杭州市"], ["西湖区", "330106", "杭州市"]],
        "评估轮次": [list(specs["rounds"].headers), [ROUND, dt.date(2026, 1, 1), dt.date(2026, 4, 30)]],
        "商户名录": [list(merchants.headers)]
        + [[u, f"商户{i}", "上城区", "餐饮", "", "", None, "是", None, "", ""] for i, u in enumerate(GOOD, 1)],
    }


def inspection_row(specs: dict[str, SheetSpec], code: str, **changes: object) -> list[object]:
    """A valid 实地检查 row in template column order; ``changes`` by canonical name."""
    values: dict[str, object] = {
        "round": ROUND, "uscc": code, "name": "", "inspected_on": dt.date(2026, 3, 5), "method": "定期",
        "inspectors": "张三", **ITEMS_OK, "note": "",
    }  # fmt: skip
    values.update(changes)
    return [values[c.name] for c in specs["inspections"].columns]


def survey_row(specs: dict[str, SheetSpec], number: str, code: str, answers: Sequence[object]) -> list[object]:
    return [number, ROUND, code, dt.date(2026, 3, 6), "扫码", *answers]


def parse(files: list[tuple[str, bytes]], system: IndicatorSystem, refs: ReferenceData | None = None) -> UploadParse:
    return parse_upload(files, system, refs if refs is not None else ReferenceData())


def sheet(result: UploadParse, key: str) -> SheetResult:
    found = result.results(key)
    assert len(found) == 1, [s.key for s in result.sheets]
    return found[0]


def reasons(result: SheetResult) -> dict[int, list[str]]:
    """Row number → the reasons of its issues."""
    out: dict[int, list[str]] = {}
    for issue in result.issues:
        out.setdefault(issue.row, []).append(issue.reason)
    return out


def assert_accounted(result: UploadParse) -> None:
    """read = stored + rejected + blank for every sheet; rejected rows are exactly the rows with errors."""
    for s in result.sheets:
        assert s.read == s.stored + s.rejected + s.blank, s.summary()
        assert len(s.frame) == s.stored
        error_rows = {i.row for i in s.issues if i.level == "错误" and i.row > s.header_row}
        assert len(error_rows) == s.rejected, s.summary()
        assert not error_rows & set(s.frame["row"].tolist())
