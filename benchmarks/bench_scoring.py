"""Benchmark: score a round of 1,000,000 merchants in memory (issue 2): time and peak RSS.

    .venv/bin/python -m benchmarks.bench_scoring [--merchants 1000000] [--repeat 3]
        [--surveys-applicant 10] [--surveys-other 1]

The work runs in a child process (a fresh interpreter, nothing else in memory). The child builds
the round (``benchmarks.round_data``: vectorised, not timed), then times ``score_round`` +
``candidates`` + ``district_ranking`` with the default indicator system, best of ``--repeat``.

Memory, in the child (Linux ``/proc/self/status``):
- *data*: RSS once the round is built and garbage-collected — the input tables in memory;
- *peak while scoring*: the kernel's peak-RSS mark, reset after the data was built (``clear_refs``),
  read after the last repetition — data plus everything scoring allocates, whole process;
- *scoring's own*: peak while scoring − data, i.e. what scoring needs on top of its inputs.
The target (< 2 GB) is judged on scoring's own peak; both other figures are printed beside it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import load, peak_rss_mb, reset_peak_rss, rss_mb, settle, status_kib  # noqa: E402

SECONDS, MEGABYTES = 5.0, 2048.0


@dataclass
class ScoringResult:
    merchants: int
    rows: dict[str, int]
    build_seconds: float
    runs: list[dict[str, float]]
    data_mb: float
    peak_mb: float
    build_peak_mb: float

    @property
    def best(self) -> dict[str, float]:
        return min(self.runs, key=lambda r: r["total"])

    @property
    def own_mb(self) -> float:
        return self.peak_mb - self.data_mb

    @property
    def time_passed(self) -> bool:
        return self.best["total"] < SECONDS

    @property
    def memory_passed(self) -> bool:
        return self.own_mb < MEGABYTES


def child(merchants: int, repeat: int, applicant: float, other: float, wait: float = 0.0) -> dict[str, Any]:
    """Runs in the child process: build the round, then time and measure the scoring."""
    from benchmarks.round_data import round_data, selection_settings
    from scoring.engine.districts import district_ranking
    from scoring.engine.scores import score_round
    from scoring.engine.selection import candidates
    from scoring.services.indicators import default_system

    system = default_system()
    started = time.perf_counter()
    data = round_data(system, merchants, applicant, other)
    settings = selection_settings(system, data)
    build = time.perf_counter() - started
    build_peak = peak_rss_mb()
    gc.collect()
    data_mb = rss_mb()
    reset = reset_peak_rss()
    runs = []
    for _ in range(repeat):
        settle(wait)
        cpu = time.process_time()
        t0 = time.perf_counter()
        scores = score_round(data, system)
        t1 = time.perf_counter()
        chosen = candidates(data, scores, system, settings)
        t2 = time.perf_counter()
        district_ranking(data, scores, chosen, system)
        t3 = time.perf_counter()
        times = {"score_round": t1 - t0, "candidates": t2 - t1, "district_ranking": t3 - t2, "total": t3 - t0}
        runs.append(times | {"cpu": time.process_time() - cpu, "load": os.getloadavg()[0]})
        del scores, chosen
        gc.collect()
    peak = peak_rss_mb() if reset else max(peak_rss_mb(), status_kib("VmRSS") / 1024)
    rows = {name: len(getattr(data, name)) for name in ("merchants", "inspections", "surveys", "complaints", "credit")}
    return {
        "merchants": merchants,
        "rows": rows,
        "build_seconds": build,
        "runs": runs,
        "data_mb": data_mb,
        "peak_mb": peak,
        "build_peak_mb": build_peak,
        "peak_reset": reset,
    }


def run(
    merchants: int = 1_000_000,
    repeat: int = 3,
    applicant: float = 10.0,
    other: float = 1.0,
    verbose: bool = True,
    wait: float = 0.0,
) -> ScoringResult:
    command = [
        sys.executable, "-m", "benchmarks.bench_scoring", "--child", "--merchants", str(merchants),
        "--repeat", str(repeat), "--surveys-applicant", str(applicant), "--surveys-other", str(other),
        "--settle", str(wait),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603 (our own argv)
    if done.returncode != 0:
        raise RuntimeError(f"scoring benchmark child failed:\n{done.stderr[-4000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if verbose and not out["peak_reset"]:
        print("  (peak RSS could not be reset after building the data: the peak includes the build)")
    out.pop("peak_reset")
    return ScoringResult(**out)


def report(result: ScoringResult) -> None:
    rows = ", ".join(f"{k} {v:,}" for k, v in result.rows.items())
    print(f"round built in {result.build_seconds:.1f} s (not timed): {rows}")
    for i, r in enumerate(result.runs, 1):
        print(
            f"  run {i}: score_round {r['score_round']:.2f} s, candidates {r['candidates']:.2f} s, "
            f"district_ranking {r['district_ranking']:.2f} s = {r['total']:.2f} s "
            f"(CPU {r['cpu']:.2f} s on two threads; load {r['load']:.1f})"
        )
    verdict = "PASS" if result.time_passed else "FAIL"
    print(f"best total {result.best['total']:.2f} s (target < {SECONDS:g} s): {verdict}")
    print(
        f"RSS: data {result.data_mb:,.0f} MB; peak while scoring {result.peak_mb:,.0f} MB (whole process); "
        f"scoring's own {result.own_mb:,.0f} MB (target < {MEGABYTES:,.0f} MB): "
        f"{'PASS' if result.memory_passed else 'FAIL'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--merchants", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--surveys-applicant", type=float, default=10.0, help="mean responses per applicant")
    parser.add_argument("--surveys-other", type=float, default=1.0, help="mean responses per other merchant")
    parser.add_argument("--settle", type=float, default=0.0, help="wait up to this many s for a quiet machine")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child(args.merchants, args.repeat, args.surveys_applicant, args.surveys_other, args.settle)
        print(json.dumps(result))
        return
    print(load())
    report(run(args.merchants, args.repeat, args.surveys_applicant, args.surveys_other, wait=args.settle))
    print(load())


if __name__ == "__main__":
    main()
