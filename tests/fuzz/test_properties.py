"""Property tests on messy whole files: every upload ends in an UploadError with a Chinese message, or in a
parse where every row is accounted for (read = stored + rejected + blank); nothing else ever escapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.ingest.gate import UploadError
from scoring.ingest.parse import parse_upload
from scoring.ingest.refs import ReferenceData
from scoring.ingest.sheets import SheetSpec, sheet_specs
from tests.fuzz.strategies import files
from tests.ingest.conftest import DEFAULT_YAML, assert_accounted

SYSTEM = load_indicator_system(DEFAULT_YAML.read_bytes())
SPECS: list[SheetSpec] = list(sheet_specs(SYSTEM))


def check(file: tuple[str, bytes], system: IndicatorSystem = SYSTEM) -> None:
    refs = ReferenceData(districts={"上城区"}, rounds={"2026年初期评估"})
    try:
        result = parse_upload([file], system, refs)
    except UploadError as exc:
        assert exc.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.message)
        return
    assert_accounted(result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files(SPECS))
def test_messy_files_are_refused_or_fully_accounted(file: tuple[str, bytes]) -> None:
    check(file)
