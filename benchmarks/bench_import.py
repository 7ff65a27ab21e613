"""Benchmark: import a large 实地检查 workbook vs. python-calamine alone reading it (issue 2, SPEC §9).

    .venv/bin/python -m benchmarks.bench_import [--rows 100000] [--repeat 5]

Both are timed in the same run, interleaved, from the file's bytes in memory. The import is the real
path, ``services.imports.import_file``: upload gate, calamine read, header search, normalisation and
validation of every cell, the ledger, and the upsert of every valid row (one transaction) into a
fresh copy of an SQLite file that already holds the registry (120 % of the rows) and the rounds.
The target is import ≤ 2 × calamine, judged on the median of the run-by-run ratios (each import
against the calamine read just before it, under the same load); best / best is printed too.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import python_calamine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import Timings, load, settle  # noqa: E402
from benchmarks.inspection_workbook import SHEET, fresh_copy, inspection_workbook, registry_db  # noqa: E402
from scoring.ingest.parse import parse_upload  # noqa: E402
from scoring.services.context import CLI_USER  # noqa: E402
from scoring.services.imports import import_file, reference_data  # noqa: E402
from scoring.services.indicators import default_system  # noqa: E402
from scoring.storage.database import make_engine  # noqa: E402

TARGET = 2.0


@dataclass
class ImportResult:
    rows: int
    megabytes: float
    calamine: Timings
    parse: Timings
    imported: Timings
    counts: str
    cpu: list[float]  # import / calamine in CPU seconds of the whole process (all threads), run by run

    @property
    def ratio(self) -> float:
        """best / best."""
        return self.imported.best / self.calamine.best

    @property
    def median_ratio(self) -> float:
        paired = sorted(self.paired)
        return paired[len(paired) // 2]

    @property
    def passed(self) -> bool:
        return self.median_ratio <= TARGET

    @property
    def paired(self) -> list[float]:
        """import / calamine of each run (both measured back to back, under the same load)."""
        return [i / c for i, c in zip(self.imported.seconds, self.calamine.seconds, strict=True)]


def calamine_read(data: bytes) -> int:
    """What python-calamine alone does: open the workbook and read the sheet into Python rows."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return len(book.get_sheet_by_name(SHEET).to_python())


def run(rows: int = 100_000, repeat: int = 5, verbose: bool = True, wait: float = 0.0) -> ImportResult:
    system = default_system()
    started = time.perf_counter()
    path = inspection_workbook(system, rows)
    registry_db(rows)
    data = path.read_bytes()
    if verbose:
        print(f"inputs ready in {time.perf_counter() - started:.1f} s: {path} ({len(data) / 1e6:.1f} MB)")
    calamine = Timings("python-calamine read (to_python)")
    parse = Timings("parse_upload (gate + read + validate)")
    imported = Timings("import_file (gate + read + validate + store)")
    counts = ""
    cpu: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(repeat):
            waited = settle(wait)
            if verbose and waited:
                print(f"  (waited {waited:.0f} s for the machine to quieten)")
            gc.collect()
            cpu_start = time.process_time()
            calamine.timed(lambda: calamine_read(data))
            calamine_cpu = time.process_time() - cpu_start
            db = fresh_copy(rows, Path(folder))
            engine = make_engine(f"sqlite:///{db}")
            try:
                with engine.connect() as conn:  # a running app holds an open pool
                    conn.exec_driver_sql("SELECT 1")
                refs = reference_data(engine, system, CLI_USER)
                gc.collect()
                parse.timed(lambda: parse_upload([("实地检查.xlsx", data)], system, refs))  # noqa: B023
                gc.collect()
                cpu_start = time.process_time()
                outcome: Any = imported.timed(lambda: import_file(engine, CLI_USER, "实地检查.xlsx", data, system))  # noqa: B023
                cpu.append((time.process_time() - cpu_start) / calamine_cpu)
            finally:
                engine.dispose()
            if outcome.status != "committed":
                raise RuntimeError(f"import failed: {outcome.status} {outcome.error}")
            counts = "；".join(outcome.lines()[:1])
            if verbose:
                print(
                    f"  run {i + 1}: calamine {calamine.seconds[-1]:.2f} s, parse {parse.seconds[-1]:.2f} s, "
                    f"import {imported.seconds[-1]:.2f} s ({imported.seconds[-1] / calamine.seconds[-1]:.2f} ×; "
                    f"load {os.getloadavg()[0]:.2f})"
                )
    return ImportResult(rows, len(data) / 1e6, calamine, parse, imported, counts, cpu)


def report(result: ImportResult) -> None:
    print(result.calamine.text())
    print(result.parse.text())
    print(result.imported.text())
    print(f"  {result.counts}")
    verdict = "PASS" if result.passed else "FAIL"
    runs = ", ".join(f"{r:.2f}" for r in result.paired)
    median = result.median_ratio
    print(f"import / calamine = {median:.2f} × (median run by run: {runs}; target ≤ {TARGET:g} ×): {verdict}")
    print(f"  best / best: {result.ratio:.2f} ×")
    cpu = sorted(result.cpu)
    print(
        f"  CPU seconds, whole process (all threads; steadier than wall time on a busy machine): import / calamine "
        f"median {cpu[len(cpu) // 2]:.2f} × (runs: {', '.join(f'{r:.2f}' for r in result.cpu)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--settle", type=float, default=0.0, help="wait up to this many s for a quiet machine")
    args = parser.parse_args()
    print(load())
    report(run(args.rows, args.repeat, wait=args.settle))
    print(load())


if __name__ == "__main__":
    main()
