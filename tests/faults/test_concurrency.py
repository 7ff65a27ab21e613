"""Two processes importing overlapping files into one database (SQLite file, PostgreSQL) end in the state of
one serial order of the two imports, and neither prints "database is locked"."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.sheets import SheetSpec
from scoring.services import imports
from scoring.services.context import CLI_USER
from scoring.storage.database import make_engine
from tests.faults.conftest import data_state, specs, system, uploads, workbook

__all__ = ["specs", "system"]
ROOT = Path(__file__).resolve().parents[2]
N = 1_200  # merchants per file: each import takes about a second, so the two overlap


def _files(specs: dict[str, SheetSpec], tmp_path: Path) -> list[Path]:
    """A: merchants 1…N named A<n>; B: merchants N/2…1.5N named B<n>, and inspections of 1…N/4 (all of A's)."""
    a, b = tmp_path / "甲.xlsx", tmp_path / "乙.xlsx"
    a.write_bytes(workbook(specs, range(1, N + 1), "A"))
    b.write_bytes(workbook(specs, range(N // 2, N + N // 2), "B", inspected=range(1, N // 4)))
    return [a, b]


def _serial(order: list[Path], template: Path, tmp_path: Path, system: IndicatorSystem, name: str) -> Any:
    path = tmp_path / f"{name}.db"
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    for file in order:
        imports.import_file(engine, CLI_USER, file.name, file.read_bytes(), system)
    state = data_state(engine, system)
    engine.dispose()
    return state


@pytest.fixture(scope="module")
def scenario(
    specs: dict[str, SheetSpec],
    system: IndicatorSystem,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Path], list[Any]]:
    """The two files, and the data after each serial order (computed once, on SQLite)."""
    tmp_path = tmp_path_factory.mktemp("concurrency")
    files = _files(specs, tmp_path)
    a_then_b = _serial(files, sqlite_template, tmp_path, system, "ab")
    b_then_a = _serial(files[::-1], sqlite_template, tmp_path, system, "ba")
    assert a_then_b != b_then_a
    return files, [a_then_b, b_then_a]


def test_two_processes_end_as_one_serial_order(
    db: Engine, url: str, system: IndicatorSystem, scenario: tuple[list[Path], list[Any]]
) -> None:
    files, serial_states = scenario
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "scoring", "import", str(f), "--db", url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for f in files
    ]
    outputs = [c.communicate(timeout=180)[0] for c in children]
    for child, output in zip(children, outputs, strict=True):
        assert "database is locked" not in output.lower() and "Traceback" not in output, output
        assert child.returncode in (0, 1), output  # 1: B's inspections of A's merchants, if B went first
    assert [s for _, s in uploads(db)] == ["committed", "committed"]
    assert data_state(db, system) in serial_states
