"""Benchmark (not a test): upsert N merchants and N inspections into a fresh database.

    .venv/bin/python -m benchmarks.bench_upsert [--rows 100000] [--db URL] [--repeat 3]

Without --db: a fresh SQLite file in a temporary folder. With a PostgreSQL URL: a fresh schema,
dropped afterwards. Prints the best of --repeat runs for: first import (all inserted),
identical re-import (all unchanged), corrected import (1% of rows changed), and load_round_data.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from scoring.storage.database import make_engine, session_scope  # noqa: E402
from scoring.storage.migrations import upgrade  # noqa: E402
from scoring.storage.repository import load_round_data, upsert  # noqa: E402
from tests.storage import factories as f  # noqa: E402

ITEMS = ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "D1", "D2", "D3", "E1", "E2", "G1", "G2", "G3", "G4")


def _timed(label: str, action: Callable[[], Any], verbose: bool = True) -> float:
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    if verbose:
        print(f"  {label:<34} {seconds:6.3f} s  {result if not hasattr(result, 'inspections') else ''}")
    return seconds


def _fresh(url: str | None, folder: Path) -> tuple[Engine, Callable[[], None]]:
    if url is None or url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}")
        return engine, engine.dispose
    admin = make_engine(url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = make_engine(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    return engine, drop


def run(rows: int, url: str | None, folder: Path, verbose: bool = True) -> dict[str, float]:
    merchants, inspections = f.many_inspections(rows)
    corrected = inspections.copy()
    corrected.loc[: rows // 100 - 1, "A2"] = 9.0
    engine, close = _fresh(url, folder)
    try:
        upgrade(engine)
        with session_scope(engine) as s:
            upsert(s, "districts", f.districts(), None)
            upsert(s, "rounds", f.rounds(), None)

        def write(kind: str, frame: Any) -> Callable[[], Any]:
            def action() -> Any:
                with session_scope(engine) as s:
                    return upsert(s, kind, frame, None)  # type: ignore[arg-type]

            return action

        def read() -> Any:
            with session_scope(engine, write=False) as s:
                return load_round_data(s, f.ROUND, ITEMS, f.QUESTION_CODES)

        return {
            "merchants insert": _timed(f"{rows:,} merchants, insert", write("merchants", merchants), verbose),
            "inspections insert": _timed(f"{rows:,} inspections, insert", write("inspections", inspections), verbose),
            "inspections same": _timed("same inspections again", write("inspections", inspections), verbose),
            "inspections corrected": _timed("1% of inspections corrected", write("inspections", corrected), verbose),
            "load_round_data": _timed("load_round_data", read, verbose),
        }
    finally:
        close()


def best_of(rows: int, url: str | None, repeat: int, verbose: bool = True) -> dict[str, float]:
    """Best seconds of ``repeat`` runs for each step."""
    with tempfile.TemporaryDirectory() as folder:
        results = []
        for i in range(repeat):
            if verbose:
                print(f"run {i + 1}:")
            results.append(run(rows, url, Path(folder), verbose))
    return {key: min(r[key] for r in results) for key in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    best = best_of(args.rows, args.db, args.repeat)
    print("best of", args.repeat)
    for key, seconds in best.items():
        print(f"  {key:<24} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
