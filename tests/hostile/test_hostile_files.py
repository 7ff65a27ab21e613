"""Hostile files (issue 5): each gets its specific Chinese answer through the CLI and the import page,
nothing is half-imported, and the next, good file still imports (the process is still answering)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, text

from scoring.ingest.gate import MAX_COLUMNS, check_xlsx
from tests.hostile import corpus
from tests.hostile.conftest import ROOT, cli, district_count, ids, page_text, page_upload, upload_page
from tests.hostile.corpus import CASES, READ, REFUSED, Case

PEAK_LIMIT_MB = 200
# The child's own peak: VmHWM belongs to its address space after exec, whereas ru_maxrss would also
# count the pages of the (large) pytest process it was forked from.
PEAK = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024"


def _import(capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, name: str, data: bytes) -> tuple[int, str]:
    path = tmp_path / name
    path.write_bytes(data)
    return cli(capsys, "import", str(path), "--db", url)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_cli_gives_the_specific_message(
    case: Case,
    built: dict[str, bytes],
    sqlite_url: str,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _import(capsys, tmp_path, sqlite_url, case.file_name, built[case.id])
    assert code == case.exit_code, out
    for words in case.expect:
        assert words in out
    assert "Traceback" not in out
    assert district_count(engine) == case.stored_districts  # refused files store nothing at all
    # the same process goes on answering: a good file imports right after
    code, out = _import(capsys, tmp_path, sqlite_url, "区县-好.xlsx", corpus.plain_workbook())
    assert code == 0 and "区县: 读取 2，导入 2" in out
    assert district_count(engine) >= 2


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_import_page_gives_the_same_message(
    case: Case, built: dict[str, bytes], sqlite_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = page_upload(upload_page(sqlite_url, monkeypatch), [(case.file_name, built[case.id])])
    assert not at.exception
    shown = page_text(at)
    for words in case.expect:
        if not words.startswith("区县: 读取"):  # the page shows counts as a table, not as the CLI line
            assert words in shown, shown
    if case in READ:
        counts = at.dataframe[0].value
        assert counts.iloc[0].tolist()[2:4] == [2, 2]  # 读取, 可导入
        at.button(key="import_confirm").click().run()
        assert not at.exception
        assert district_count(engine) == case.stored_districts
    else:
        assert district_count(engine) == 0
    # the page still answers: a good file previews and imports
    good = page_upload(at, [("区县-好.xlsx", corpus.plain_workbook())])
    assert not good.exception
    good.button(key="import_confirm").click().run()
    assert not good.exception and district_count(engine) >= 2


@pytest.mark.parametrize("case_id", ["zip-bomb", "stealth-bomb"])
def test_zip_bomb_is_refused_with_little_memory(
    case_id: str, built: dict[str, bytes], sqlite_url: str, tmp_path: Path
) -> None:
    """> 1 GB inflated, about 1 MB on disk: the CLI refuses it in a child process that stays under 200 MB."""
    data = built[case_id]
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    assert (len(data) < 2 * 1024 * 1024 and corpus_inflated_size(data) > 1024**3) or case_id == "stealth-bomb"
    probe = (
        "import json, sys\n"
        "from scoring.cli import main\n"
        "code = main(sys.argv[1:])\n"
        f"print(json.dumps({{'code': code, 'peak_mb': {PEAK}}}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, "import", str(path), "--db", sqlite_url],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["code"] == 1, run.stdout + run.stderr
    assert "压缩炸弹" in run.stdout
    assert result["peak_mb"] < PEAK_LIMIT_MB, result
    print(f"{case_id}: {len(data):,} bytes, peak {result['peak_mb']:.0f} MB")


def corpus_inflated_size(data: bytes) -> int:
    import zipfile

    return sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())


def test_formatted_empty_rows_are_cheap(built: dict[str, bytes], sqlite_url: str, tmp_path: Path) -> None:
    """1,000,000 formatted empty rows: calamine reads only the used range; time and memory stay small."""
    path = tmp_path / "格式.xlsx"
    path.write_bytes(built["formatted-rows"])
    probe = (
        "import json, sys, time\n"
        "from scoring.cli import main\n"
        "t = time.perf_counter(); code = main(sys.argv[1:])\n"
        f"print(json.dumps({{'code': code, 'seconds': time.perf_counter() - t, 'peak_mb': {PEAK}}}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, "import", str(path), "--db", sqlite_url],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["code"] == 0 and "区县: 读取 2，导入 2" in run.stdout
    assert result["peak_mb"] < 400 and result["seconds"] < 20, result
    print(f"1,000,000 formatted rows: {result['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB")


def test_formula_cells_are_stored_as_their_values(
    built: dict[str, bytes], sqlite_url: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _import(capsys, tmp_path, sqlite_url, "公式.xlsx", built["formulas"])
    assert code == 0
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, code FROM district ORDER BY name")).all()
    assert sorted(map(tuple, rows)) == [("点我区", "330102"), ("西湖区", "330106")]  # cached values, no formula


def test_merged_cells_read_as_excel_shows_them(
    built: dict[str, bytes], sqlite_url: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _import(capsys, tmp_path, sqlite_url, "合并.xlsx", built["merged-header"])
    assert code == 0 and "2 处跨行的合并单元格" in out
    with engine.connect() as conn:
        cities = conn.execute(text("SELECT city FROM district ORDER BY code")).scalars().all()
    assert cities == ["杭州市", "杭州市"]  # 所属城市 merged down both rows


def test_hidden_sheet_with_a_template_title_is_not_imported(
    built: dict[str, bytes], sqlite_url: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _import(capsys, tmp_path, sqlite_url, "隐藏.xlsx", built["hidden-sheet"])
    assert code == 0 and "未导入" in out
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM round")).scalar_one() == 0


def test_defusedxml_is_active_for_openpyxl() -> None:
    """openpyxl parses through defusedxml: the billion-laughs part raises instead of expanding."""
    assert openpyxl.DEFUSEDXML is True
    from defusedxml.common import EntitiesForbidden

    with pytest.raises(ValueError, match="invalid XML") as caught:
        openpyxl.load_workbook(io.BytesIO(corpus.billion_laughs()))
    assert isinstance(caught.value.__cause__ or caught.value.__context__, EntitiesForbidden)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ('<row r="1"><c r="BM1"><v>1</v></c></row>', f"超过 {MAX_COLUMNS} 列（BM 列有内容）"),
        ('<row r="300011"><c r="A300011" t="inlineStr"><is><t>x</t></is></c></row>', "第 300,011 行有内容"),
        ('<row r="400000"><c><v>1</v></c></row>', "第 400,000 行有内容"),  # position implied by the row
        ('<row r="2"><c r="A400000"><v>1</v></c></row>', "第 400,000 行有内容"),  # the cell's own reference wins
        ("<row r='9'><c r = 'A400000' ><v>1</v></c></row>", "第 400,000 行有内容"),  # other quoting
        ('<row r="9"><x:c xmlns:x="urn:x" r="A400000"><x:v>1</x:v></x:c></row>', "第 400,000 行有内容"),
        ('<row r="9"><c r="A400000" foo="/>"><v>1</v></c></row>', "第 400,000 行有内容"),  # '/>' inside a value
    ],
)
def test_a_far_cell_in_any_spelling_is_refused_before_calamine(cells: str, message: str) -> None:
    from scoring.ingest.gate import UploadError
    from tests.hostile.xlsx_parts import Sheet, xlsx

    with pytest.raises(UploadError, match=message):
        check_xlsx("x.xlsx", xlsx([Sheet("区县", cells)]))


def test_far_formatted_cells_are_not_counted() -> None:
    """Formatting alone (a styled empty cell far away) does not make a sheet too large: calamine skips it."""
    from tests.hostile.xlsx_parts import Sheet, xlsx

    cells = (
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="500000"><c r="XFD500000" s="1"/><c r="A500000" s="2"></c></row>'
    )
    check_xlsx("x.xlsx", xlsx([Sheet("区县", cells)]))


def test_refused_and_read_cases_cover_the_acceptance_list() -> None:
    names = {c.id for c in REFUSED + READ}
    wanted = {
        "zip-bomb", "billion-laughs", "formulas", "merged-header", "hidden-sheet", "formatted-rows", "encrypted",
        "xls-renamed", "png-renamed", "empty", "csv-gb18030", "csv-utf16", "long-cell",
    }  # fmt: skip
    assert wanted <= names
