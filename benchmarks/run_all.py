"""Every speed target of issue 2, measured in one run, with a table for the README.

    .venv/bin/python benchmarks/run_all.py [--repeat 5] [--quick]     (or: make bench)

1. Import: a 100,000-row 实地检查 workbook through ``services.imports.import_file`` (gate, read,
   validate, store into SQLite) vs. python-calamine alone reading it; target ≤ 2 ×.
2. Scoring: 1,000,000 merchants of one round in memory, ``score_round`` + ``candidates`` +
   ``district_ranking`` with the default indicator system, in a child process; targets < 5 s
   and < 2 GB peak RSS (scoring's own; the whole process is printed beside it). Also the stress
   case of 10 survey responses for every merchant (10 million responses).
3. Storage: bulk upserts of 100,000 merchants and inspections (``benchmarks/bench_upsert.py``).

Generated inputs are cached in the system temp dir (``fangxin-bench``); the first run builds them.
The machine is shared, so each figure is the best of ``--repeat`` runs, each run waits (up to
``--settle`` seconds) for the load average to drop below 1.5, and the load is printed.
``--quick`` runs everything at a tenth of the size (a smoke test of the script, not the targets).
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_import, bench_scoring, bench_upsert  # noqa: E402
from benchmarks.common import load  # noqa: E402


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (best is reported)")
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes: checks the script only")
    parser.add_argument("--skip-stress", action="store_true", help="skip the 10-responses-per-merchant case")
    parser.add_argument(
        "--settle", type=float, default=60.0, help="before each run, wait up to this many s for a quiet machine"
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    rows, merchants = 100_000 // scale, 1_000_000 // scale
    before = load()
    print(before)

    print(f"\n## 1. Import {rows:,} 实地检查 rows (best of {args.repeat})")
    imported = bench_import.run(rows, args.repeat, wait=args.settle)
    bench_import.report(imported)

    print(f"\n## 2. Score {merchants:,} merchants, one round (best of {args.repeat})")
    scored = bench_scoring.run(merchants, args.repeat, applicant=10.0, other=1.0, wait=args.settle)
    bench_scoring.report(scored)
    stress = None
    if not args.skip_stress:
        print(f"\n## 2b. Stress: 10 survey responses for every merchant (best of {args.repeat})")
        stress = bench_scoring.run(merchants, args.repeat, applicant=10.0, other=10.0, wait=args.settle)
        bench_scoring.report(stress)

    print(f"\n## 3. Bulk upserts, {rows:,} rows (best of {args.repeat})")
    upserted = bench_upsert.best_of(rows, None, args.repeat, verbose=False)
    for key, seconds in upserted.items():
        print(f"  {key:<24} {seconds:6.3f} s")

    after = load()
    print(f"\n{after}\n")
    print("## README table\n")
    command = " ".join([".venv/bin/python", "benchmarks/run_all.py", *sys.argv[1:]])
    print(f"Measured with `{command}` (what `make bench` runs), Python {platform.python_version()},")
    print(
        f"best of {args.repeat} runs; {before.split(': ', 1)[1]} at the start, {after.split(': ', 1)[1]} at the end.\n"
    )
    print("| Target (issue 2) | Measured | Result |")
    print("|---|---|---|")
    ratio = (
        f"**{imported.median_ratio:.2f} ×** median run by run ({', '.join(f'{r:.2f}' for r in imported.paired)}); "
        f"best {imported.imported.best:.2f} s vs {imported.calamine.best:.2f} s = {imported.ratio:.2f} ×"
    )
    print(
        f"| Import {rows:,} 实地检查 rows (gate + read + validate + store, SQLite) ≤ 2 × python-calamine reading "
        f"the same file | {ratio} | {_verdict(imported.passed)} |"
    )
    surveys = scored.rows["surveys"]
    print(
        f"| Score {merchants:,} merchants, one round, in memory (score + candidates + districts; "
        f"{surveys / 1e6:.1f} M survey responses) < 5 s | **{scored.best['total']:.2f} s** "
        f"(score {scored.best['score_round']:.2f}, candidates {scored.best['candidates']:.2f}, "
        f"districts {scored.best['district_ranking']:.2f}) | {_verdict(scored.time_passed)} |"
    )
    memory = f"scoring's own **{scored.own_mb:,.0f} MB**; whole process {scored.peak_mb:,.0f} MB"
    print(
        f"| … peak RSS < 2 GB | {memory}, of which the input data {scored.data_mb:,.0f} MB "
        f"| {_verdict(scored.memory_passed)} |"
    )
    if stress is not None:
        print(
            f"| Stress: 10 responses for every merchant ({stress.rows['surveys'] / 1e6:.1f} M), not a target "
            f"| {stress.best['total']:.2f} s; scoring's own {stress.own_mb:,.0f} MB, whole process "
            f"{stress.peak_mb:,.0f} MB | — |"
        )
    print(
        f"| Bulk upsert {rows:,} inspections into SQLite (insert / identical again / 1 % corrected) "
        f"| {upserted['inspections insert']:.2f} / {upserted['inspections same']:.2f} / "
        f"{upserted['inspections corrected']:.2f} s | — |"
    )


if __name__ == "__main__":
    main()
