"""Robustness of candidate decisions (SPEC §5.6): seeded draws, the 边缘 flag, the quota cut per draw."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.engine.robustness import MARGINAL, RobustnessSettings, stay_selected_share
from scoring.engine.scores import score_round
from scoring.engine.selection import Quotas, SelectionSettings, candidates
from scoring.services.candidates import robustness
from tests.engine.conftest import inspection, make_round, merchant, surveys
from tests.review.conftest import ADMIN, EV_FUYANG, ROUND

YAML = Path(__file__).resolve().parents[2] / "data" / "indicators" / "fangxin-2026.yaml"


@pytest.fixture(scope="module")
def system() -> IndicatorSystem:
    return load_indicator_system(YAML.read_bytes())


def _round(n: int = 60, seed: int = 7) -> tuple[object, pd.Series]:
    """A round of ``n`` merchants in two 区县 × two 行业 with varied findings and survey answers."""
    rng = random.Random(seed)
    ms, ins, sv = [], [], []
    for k in range(n):
        uscc = f"U{k:03d}"
        day = pd.Timestamp("2026-01-01") + pd.Timedelta(days=rng.randrange(60))
        ms.append(merchant(uscc, district=("上城区", "余杭区")[k % 2], industry=("餐饮", "住宿")[k // 2 % 2],
                           applied_on=day))  # fmt: skip
        findings = {code: float(rng.choice([0, 0, 0, 1, 2])) for code in ("A2", "A3", "B2", "C1", "D1")}
        checks = {code: rng.choice(["符合", "符合", "部分符合", "不符合"]) for code in ("B1", "D2", "D3", "E2")}
        ins.append(inspection(uscc, **findings, **checks, G2=float(rng.random() < 0.3)))
        sv += surveys(uscc, [[float(rng.choice([3, 4, 5])) for _ in range(8)] for _ in range(5)])
    data = make_round(ms, ins, sv)
    return data, pd.DataFrame(ms).set_index("uscc")["applied_on"]


def _run(system: IndicatorSystem, settings: SelectionSettings, robust: RobustnessSettings) -> pd.DataFrame:
    data, applied = _round()
    scores = score_round(data, system)  # type: ignore[arg-type]
    cands = candidates(data, scores, system, settings)  # type: ignore[arg-type]
    return stay_selected_share(scores, cands, system, settings, robust, applied_on=applied)


def test_reproducible_with_a_seed(system: IndicatorSystem) -> None:
    settings = SelectionSettings(80, Quotas(district={"上城区": 5}))
    first = _run(system, settings, RobustnessSettings(draws=300, seed=11))
    again = _run(system, settings, RobustnessSettings(draws=300, seed=11))
    other = _run(system, settings, RobustnessSettings(draws=300, seed=12))
    pd.testing.assert_frame_equal(first, again)
    assert not first["stay_selected"].equals(other["stay_selected"])
    assert first["stay_selected"].between(0, 1).all()


def test_a_merchant_exactly_at_the_threshold_is_marginal(system: IndicatorSystem) -> None:
    data, applied = _round()
    scores = score_round(data, system)  # type: ignore[arg-type]
    # A merchant in the middle of the field, with mixed points: the threshold is set to its total.
    middle = scores.sort_values("total").iloc[len(scores) // 2]
    settings = SelectionSettings(float(middle["total"]))
    cands = candidates(data, scores, system, settings)  # type: ignore[arg-type]
    assert cands.set_index("uscc").loc[middle["uscc"], "status"] == "入选"
    out = stay_selected_share(scores, cands, system, settings, RobustnessSettings(draws=1000, seed=1),
                              applied_on=applied).set_index("uscc")  # fmt: skip
    row = out.loc[middle["uscc"]]
    assert row["flag"] == MARGINAL
    assert 0.2 < row["stay_selected"] < 0.8  # the draws alone put it near a coin toss
    far = out[(out["distance"] > 8) & (out["status"] == "入选")]
    assert not far.empty and set(far["flag"]) == {""}


def test_at_the_threshold_is_marginal_even_when_the_draws_cannot_move_it(system: IndicatorSystem) -> None:
    # Full points everywhere: every draw gives exactly 100, yet 100 is the threshold — still 边缘.
    data = make_round([merchant("U1")], [inspection("U1")], surveys("U1", [[5.0] * 8] * 5))
    scores = score_round(data, system)
    settings = SelectionSettings(100.0)
    cands = candidates(data, scores, system, settings)
    out = stay_selected_share(scores, cands, system, settings, RobustnessSettings(draws=50))
    assert out.iloc[0]["total"] == 100.0 and out.iloc[0]["stay_selected"] == 1.0
    assert out.iloc[0]["flag"] == MARGINAL


def test_each_draw_applies_the_official_quota_cut(system: IndicatorSystem) -> None:
    """The vectorised draws equal the §5.4 cut applied draw by draw with plain sorting."""
    data, applied = _round()
    quotas = Quotas(district={"上城区": 6, "余杭区": 4}, district_industry={("余杭区", "住宿"): 2})
    settings = SelectionSettings(80, quotas)
    robust = RobustnessSettings(draws=40, seed=5)
    scores = score_round(data, system)  # type: ignore[arg-type]
    cands = candidates(data, scores, system, settings)  # type: ignore[arg-type]
    got = stay_selected_share(scores, cands, system, settings, robust, applied_on=applied).set_index("uscc")
    assert (cands["status"] == "候补").sum() >= 3  # the quotas bite
    assert got["stay_selected"].between(0.01, 0.99).sum() >= 3  # and some decisions move between draws

    s = scores.set_index("uscc")
    codes = [i.code for i in system.indicators]
    maxima = np.array([i.max_points for i in system.indicators])
    factors = np.random.default_rng(robust.seed).uniform(robust.low, robust.high, size=(robust.draws, len(codes)))
    reasons = cands.set_index("uscc")["reasons"]
    eligible = [u for u in s.index if all(p.startswith("得分不足") for p in reasons[u].split("；") if p)]
    counts = dict.fromkeys(s.index, 0)
    for f in factors:
        totals = {}
        for u in eligible:
            pts = s.loc[u, codes].to_numpy(dtype=float)
            ok = ~np.isnan(pts)
            base = 100 * float((np.nan_to_num(pts) * f).sum()) / float((ok * maxima * f).sum())
            totals[u] = float(np.floor((base + s.loc[u, "bonus"]) * 100 + 0.5 + 1e-7) / 100)
        cells: dict[tuple[str, str], list[str]] = {}
        for u in eligible:
            if totals[u] < 80:
                continue
            d, i = s.loc[u, "district"], s.loc[u, "industry"]
            cell = (d, i) if (d, i) in quotas.district_industry else (d, "")
            cells.setdefault(cell, []).append(u)
        for cell, members in cells.items():
            cap = quotas.district_industry.get(cell) if cell[1] else quotas.district.get(cell[0])
            members.sort(key=lambda u: (-totals[u], -s.loc[u, "E"], s.loc[u, "registered"], applied[u], u))
            for u in members[: cap if cap is not None else len(members)]:
                counts[u] += 1
    for u, n in counts.items():
        assert got.loc[u, "stay_selected"] == pytest.approx(n / robust.draws), u


def test_the_service_is_seeded_and_scoped(sample_db: Engine) -> None:
    first = robustness(sample_db, ADMIN, ROUND, draws=200, seed=3)
    assert first.equals(robustness(sample_db, ADMIN, ROUND, draws=200, seed=3))
    assert {"uscc", "name", "district", "stay_selected", "flag", "near"} <= set(first.columns)
    assert set(robustness(sample_db, EV_FUYANG, ROUND, draws=50)["district"]) == {"富阳区"}
    near = first[first["near"]]
    moved = (near["stay_selected"] > 0) & (near["stay_selected"] < 1)
    assert not near.empty and (moved | (near["flag"] == MARGINAL)).all()
