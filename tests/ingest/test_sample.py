"""The public sample workbook imports with exactly the expected counts and no issue at all."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from scoring.engine.frames import INSPECTION_FIXED, MERCHANT_COLUMNS
from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.refs import ReferenceData
from scoring.ingest.results import UploadParse
from tests.ingest.conftest import SAMPLES, assert_accounted, parse

SAMPLE = SAMPLES / "sample-2026.xlsx"
EXPECTED = SAMPLES / "sample-2026.expected" / "import.json"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample not available")


@pytest.fixture(scope="module")
def sample(system: IndicatorSystem) -> tuple[UploadParse, ReferenceData]:
    refs = ReferenceData()
    return parse([(SAMPLE.name, SAMPLE.read_bytes())], system, refs), refs


def test_counts_match_the_expected_import(sample: tuple[UploadParse, ReferenceData]) -> None:
    result, _ = sample
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    counts = {
        s.sheet: {"read": s.read, "stored": s.stored, "rejected": s.rejected, "blank": s.blank} for s in result.sheets
    }
    assert counts == expected["sheets"]
    assert {s.sheet: s.header_row for s in result.sheets} == expected["header_row"]
    assert result.complaints_unmatched == expected["complaints_unmatched"] == 3
    assert result.survey_invalid == expected["survey_invalid"]
    assert result.issues == [] and result.notices == []
    assert result.ok
    assert_accounted(result)


def test_sheets_are_processed_in_dependency_order_and_extend_the_refs(
    sample: tuple[UploadParse, ReferenceData],
) -> None:
    result, refs = sample
    assert [s.key for s in result.sheets] == [
        "districts", "rounds", "merchants", "inspections", "surveys", "complaints", "credit",
    ]  # fmt: skip
    assert len(refs.districts) == 4 and len(refs.merchants) == 120
    assert refs.rounds == {"2026年初期评估", "2026年中期评估"}


def test_frames_carry_the_canonical_columns_and_types(
    sample: tuple[UploadParse, ReferenceData], system: IndicatorSystem
) -> None:
    result, _ = sample
    merchants = result.frame("merchants")
    assert tuple(merchants.columns) == (*MERCHANT_COLUMNS, "row", "warning", "uscc_warning")
    assert merchants["applied"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(merchants["established"])
    inspections = result.frame("inspections")
    assert tuple(inspections.columns) == (*INSPECTION_FIXED, *system.inspection_items, "row", "warning", "name_warning")
    assert inspections["row"].tolist() == list(range(2, 202))
    assert set(inspections["A1"].dropna()) <= {"符合", "不符合", "不适用"}
    assert inspections["A2"].dtype == float and inspections["G1"].isin([0.0, 1.0]).all()
    surveys = result.frame("surveys")
    assert surveys["invalid"].dtype == bool and int(surveys["invalid"].sum()) == 78
    complaints = result.frame("complaints")
    assert str(complaints["on_time"].dtype) == "boolean"
    assert complaints.loc[complaints["outcome"] == "处理中", "on_time"].isna().all()
