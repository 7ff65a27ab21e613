"""Small hand-made rounds for engine tests (every figure in the tests is computed by hand)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.engine.frames import RoundData
from scoring.engine.indicators import IndicatorSystem, load_indicator_system

DEFAULT_YAML = Path(__file__).resolve().parents[2] / "data" / "indicators" / "fangxin-2026.yaml"

ALL_OK = {
    "A1": "符合", "A2": 0.0, "A3": 0.0, "B1": "符合", "B2": 0.0, "B3": "符合", "C1": 0.0, "C2": "符合",
    "D1": 0.0, "D2": "符合", "D3": "符合", "E1": "符合", "E2": "符合",
    "G1": 0.0, "G2": 0.0, "G3": 0.0, "G4": 0.0,
}  # fmt: skip


@pytest.fixture(scope="session")
def system() -> IndicatorSystem:
    return load_indicator_system(DEFAULT_YAML.read_bytes())


def merchant(uscc: str, district: str = "上城区", industry: str = "餐饮", **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "uscc": uscc, "name": f"商户{uscc[-2:]}", "district": district, "industry": industry, "address": "",
        "store_name": "", "established": pd.Timestamp("2010-01-01"), "applied": True,
        "applied_on": pd.Timestamp("2026-02-01"), "contact_person": "", "phone": "",
    }  # fmt: skip
    row.update(kw)
    return row


def inspection(uscc: str, **items: object) -> dict[str, object]:
    row: dict[str, object] = {"round": "R", "uscc": uscc, "inspected_on": pd.Timestamp("2026-03-01")}
    row.update(ALL_OK)
    row.update(items)
    return row


def surveys(uscc: str, answers: list[list[float]]) -> list[dict[str, object]]:
    out = []
    for n, ans in enumerate(answers):
        row: dict[str, object] = {"response_no": f"{uscc}-{n}", "round": "R", "uscc": uscc}
        row.update({f"Q{i + 1}": a for i, a in enumerate(ans)})
        out.append(row)
    return out


def make_round(
    merchants: list[dict[str, object]],
    inspections: list[dict[str, object]],
    survey_rows: list[dict[str, object]] | None = None,
    complaints: list[dict[str, object]] | None = None,
    credit: list[dict[str, object]] | None = None,
    end: str = "2026-04-30",
) -> RoundData:
    q = [f"Q{i}" for i in range(1, 9)]
    sv = pd.DataFrame(survey_rows or [], columns=["response_no", "round", "uscc", *q])
    sv[q] = sv[q].astype(float)
    cp = pd.DataFrame(complaints or [], columns=["complaint_no", "uscc", "registered_on", "outcome", "on_time"])
    cp["registered_on"] = pd.to_datetime(cp["registered_on"])
    cp["on_time"] = cp["on_time"].astype("boolean")
    cr = pd.DataFrame(credit or [], columns=["uscc", "list_type", "listed_on", "removed_on"])
    cr["listed_on"] = pd.to_datetime(cr["listed_on"])
    cr["removed_on"] = pd.to_datetime(cr["removed_on"])
    ins = pd.DataFrame(inspections)
    for code in ("A2", "A3", "B2", "C1", "D1", "G1", "G2", "G3", "G4"):
        if code in ins:
            ins[code] = ins[code].astype(float)
    return RoundData(
        "R", pd.Timestamp("2026-01-01"), pd.Timestamp(end), pd.DataFrame(merchants), ins, sv, cp, cr,
        districts=("上城区", "余杭区"),
    )  # fmt: skip


NAN = np.nan
