"""Benchmark: robustness of candidate decisions (SPEC §5.6) — 1,000 draws over 10,000 merchants.

Target (issue 6): under 10 s. The round is generated in memory (seeded, vectorised): 10,000 merchants
in six 区县 and the 13 default 行业, inspection results with realistic findings, five or more survey
responses each, quotas per 区县 and for two (区县, 行业) cells, so the quota cut runs in every draw.
Scoring and selection run once (not timed); the timed part is ``stay_selected_share``.

Run: ``.venv/bin/python benchmarks/bench_robustness.py [--merchants 10000] [--draws 1000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring.engine.frames import RoundData  # noqa: E402
from scoring.engine.indicators import IndicatorSystem, load_indicator_system  # noqa: E402
from scoring.engine.robustness import MARGINAL, RobustnessSettings, stay_selected_share  # noqa: E402
from scoring.engine.scores import score_round  # noqa: E402
from scoring.engine.selection import Quotas, SelectionSettings, candidates  # noqa: E402
from scoring.ingest.sheets import DEFAULT_INDUSTRIES  # noqa: E402

DISTRICTS = ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区")
TARGET_SECONDS = 10.0


def round_data(system: IndicatorSystem, n: int, seed: int = 2026) -> tuple[RoundData, pd.Series]:
    """A scored-ready round of ``n`` merchants, and their 申报日期 (the §5.4 tie-break)."""
    rng = np.random.default_rng(seed)
    usccs = np.array([f"9133010{i:010d}X" for i in range(n)])
    applied_on = pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    merchants = pd.DataFrame(
        {
            "uscc": usccs, "name": [f"商户{i:05d}" for i in range(n)], "district": rng.choice(DISTRICTS, n),
            "industry": rng.choice(DEFAULT_INDUSTRIES, n), "address": "", "store_name": "",
            "established": pd.Timestamp("2015-01-01"), "applied": rng.random(n) < 0.9, "applied_on": applied_on,
            "contact_person": "", "phone": "",
        }
    )  # fmt: skip
    inspections = pd.DataFrame({"round": "R", "uscc": usccs, "inspected_on": pd.Timestamp("2026-03-01")})
    for ind in system.indicators:
        if ind.type == "check":
            choices = list(ind.check_points)
            weights = np.array([6.0 if c == "符合" else 1.0 for c in choices])
            inspections[ind.code] = rng.choice(choices, n, p=weights / weights.sum())
        elif ind.type == "deduct" and ind.from_inspection:
            inspections[ind.code] = rng.poisson(0.4, n).astype(float)
    for item in system.bonus_items:
        inspections[item.code] = (rng.random(n) < 0.25).astype(float)
    questions = [q.code for q in system.survey_questions]
    per = rng.integers(4, 9, n)
    owner = np.repeat(np.arange(n), per)
    surveys = pd.DataFrame({"response_no": [f"S{i}" for i in range(len(owner))], "round": "R", "uscc": usccs[owner]})
    for q in questions:
        surveys[q] = rng.choice([3.0, 4.0, 5.0], len(owner), p=[0.15, 0.45, 0.4])
    surveys["invalid"] = False
    complaints = pd.DataFrame(
        {"complaint_no": pd.Series(dtype=str), "uscc": pd.Series(dtype=str),
         "registered_on": pd.Series(dtype="datetime64[us]"), "outcome": pd.Series(dtype=str),
         "on_time": pd.Series(dtype="boolean")}
    )  # fmt: skip
    credit = pd.DataFrame(
        {"uscc": pd.Series(dtype=str), "list_type": pd.Series(dtype=str),
         "listed_on": pd.Series(dtype="datetime64[us]"), "removed_on": pd.Series(dtype="datetime64[us]")}
    )  # fmt: skip
    data = RoundData(
        "R", pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-30"), merchants, inspections, surveys, complaints,
        credit, districts=DISTRICTS,
    )  # fmt: skip
    return data, pd.Series(applied_on, index=usccs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--merchants", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timed runs")
    args = parser.parse_args(argv)
    system = load_indicator_system((ROOT / "data" / "indicators" / "fangxin-2026.yaml").read_bytes())
    data, applied_on = round_data(system, args.merchants)
    per_district = max(1, args.merchants // 40)
    quotas = Quotas(
        district=dict.fromkeys(DISTRICTS, per_district),
        district_industry={("上城区", "餐饮"): max(1, per_district // 5), ("西湖区", "住宿"): 3},
    )
    settings = SelectionSettings(system.threshold, quotas)
    scores = score_round(data, system)
    cands = candidates(data, scores, system, settings)
    robust = RobustnessSettings(draws=args.draws, seed=2026)
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        out = stay_selected_share(scores, cands, system, settings, robust, applied_on=applied_on)
        timings.append(time.perf_counter() - start)
    best = min(timings)
    counts = cands["status"].value_counts().to_dict()
    print(f"商户 {args.merchants:,}，抽样 {args.draws:,} 次；候选：{counts}")
    print(f"边缘 {int((out['flag'] == MARGINAL).sum())} 家；决定在抽样中变动过的 "
          f"{int(((out['stay_selected'] > 0) & (out['stay_selected'] < 1)).sum())} 家")  # fmt: skip
    print(f"stay_selected_share: best {best:.2f} s of {args.repeat} (all: {', '.join(f'{t:.2f}' for t in timings)})")
    ok = best < TARGET_SECONDS
    print(f"target < {TARGET_SECONDS:.0f} s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
