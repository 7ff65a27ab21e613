"""Golden test: the public sample workbook through the CLI reproduces every expected figure.

The expected CSVs in shared/samples were computed independently from SPEC.md. This runs the whole
path a user runs (import → score → candidates → districts) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from scoring.cli import main
from scoring.storage.models import AuditLog

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
EXPECTED = SAMPLES / "sample-2026.expected"
ROUNDS = ("2026年初期评估", "2026年中期评估")
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"sample data not found at {SAMPLES}")


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must carry a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _compare(got: list[dict[str, str]], want: list[dict[str, str]], key: str, numeric: set[str]) -> None:
    assert [r[key] for r in got] == [r[key] for r in want], "row order differs"
    assert list(got[0]) == list(want[0]), "columns differ"
    for g, w in zip(got, want, strict=True):
        for col, expected in w.items():
            value = g[col]
            if col in numeric and expected and value:
                assert abs(float(value) - float(expected)) < 0.01 - 1e-9, (g[key], col, value, expected)
                assert value == expected, (g[key], col, value, expected)  # half-up exactly, 2/4 decimals
            else:
                assert value == expected, (g[key], col, value, expected)


def test_sample_reproduces_expected_results(db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _url(db)
    assert main(["import", str(SAMPLES / "sample-2026.xlsx"), "--db", url]) == 0
    printed = capsys.readouterr().out
    counts = json.loads((EXPECTED / "import.json").read_text(encoding="utf-8"))
    for sheet, c in counts["sheets"].items():
        assert f"{sheet}: 读取 {c['read']}，导入 {c['stored']}，拒绝 {c['rejected']}，空行 {c['blank']}" in printed
    assert "未匹配" in printed and f"{counts['complaints_unmatched']} 条" in printed

    for name in ROUNDS:
        out = {k: tmp_path / f"{k}_{name}.csv" for k in ("scores", "candidates", "districts")}
        assert main(["--db", url, "score", "--round", name, "--out", str(out["scores"])]) == 0
        assert main(["candidates", "--round", name, "--out", str(out["candidates"]), "--db", url]) == 0
        assert main(["districts", "--round", name, "--out", str(out["districts"]), "--db", url]) == 0
        scores = _rows(out["scores"].read_bytes())
        want = _rows((EXPECTED / f"scores_{name}.csv").read_bytes())
        text_cols = {"统一社会信用代码", "单位名称", "区县", "行业", "等级", "否决原因"}
        _compare(scores, want, "统一社会信用代码", set(want[0]) - text_cols)
        cands = _rows(out["candidates"].read_bytes())
        want = _rows((EXPECTED / f"candidates_{name}.csv").read_bytes())
        _compare(cands, want, "统一社会信用代码", {"综合得分"})
        dists = _rows(out["districts"].read_bytes())
        want = _rows((EXPECTED / f"districts_{name}.csv").read_bytes())
        _compare(dists, want, "区县", set(want[0]) - {"区县"})

    meta = json.loads((EXPECTED / "meta.json").read_text(encoding="utf-8"))
    for name, cases in meta["halfway"].items():
        scores = {r["统一社会信用代码"]: r for r in _rows((tmp_path / f"scores_{name}.csv").read_bytes())}
        for uscc, figures in cases.items():
            for col, value in figures.items():
                assert scores[uscc][col] == value, (name, uscc, col)

    # Every --out file is an audited export (SPEC §9): what, scope, row count and file name.
    with db.connect() as conn:
        exports = [d for a, d in conn.execute(select(AuditLog.action, AuditLog.detail)) if a == "export"]
    assert len(exports) == 3 * len(ROUNDS)
    by_file = {e["file"]: e for e in exports}
    first = ROUNDS[0]
    assert by_file[f"scores_{first}.csv"]["rows"] == len(_rows((tmp_path / f"scores_{first}.csv").read_bytes()))
    assert by_file[f"districts_{first}.csv"]["what"] == "区县排名（命令行）"
    assert all(e["scope"] == "全部区县" and e["round"] in ROUNDS for e in exports)
