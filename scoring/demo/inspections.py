"""Generator part: 实地检查 rows (random, or fixed for the crafted edge carriers)."""

from __future__ import annotations

import datetime as dt

from scoring.demo.base import GeneratorBase
from scoring.demo.edges import EXACT
from scoring.demo.model import Merchant
from scoring.demo.settings import DATA_CUTOFF, ROUNDS
from scoring.demo.vocab import NA_BY_INDUSTRY
from scoring.engine.indicators import NOT_APPLICABLE
from scoring.ingest.sheets import INSPECTION_METHODS
from scoring.ingest.template import Cell


class InspectionRows(GeneratorBase):
    def _full_marks(self) -> dict[str, Cell]:
        out: dict[str, Cell] = {}
        for code in self.items:
            kind = self.kinds[code]
            out[code] = "符合" if kind == "check" else 0 if kind in ("deduct", "count") else "否"
        return out

    def _random_items(self, m: Merchant, quality: float) -> dict[str, Cell]:
        rng = self.rng
        na_codes = NA_BY_INDUSTRY.get(m.industry, ())
        out: dict[str, Cell] = {}
        for code in self.items:
            kind = self.kinds[code]
            if kind in ("check", "deduct") and ((code in na_codes and rng.random() < 0.85) or rng.random() < 0.012):
                out[code] = NOT_APPLICABLE
            elif kind == "check":
                if rng.random() < 0.3 + 0.66 * quality:
                    out[code] = "符合"
                elif code in self.partial and rng.random() < 0.65:
                    out[code] = "部分符合"
                else:
                    out[code] = "不符合"
            elif kind == "deduct":
                out[code] = self._poisson(2.2 * (1.0 - quality) + 0.05)
            elif kind == "count":
                out[code] = rng.choices((0, 1, 2, 3), weights=(84, 11, 4, 1))[0]
            else:
                share = {"G2": 0.08 + 0.22 * quality}.get(code, 0.03 + 0.1 * quality)
                out[code] = "是" if rng.random() < share else "否"
        return out

    def _crafted_items(self, m: Merchant, round_index: int) -> dict[str, Cell] | None:
        """Fixed item values for the carriers whose score is part of the edge case."""
        items = self._full_marks()
        if m.edge in EXACT:
            items.update({k: v for k, v in EXACT[m.edge][0].items() if k in items})
            return items
        if m.edge == "bonus_cap":  # 5 + 3 + 6 + 3 = 17 (G3 = 3 or 2: both 6 points) → capped at 15
            g3 = 3 if self.edges["bonus_cap"].index(m.uscc) == 0 else 2
            items.update({"G1": "是", "G2": "是", "G3": g3, "G4": "是", "C1": 1})
        elif m.edge == "low_score":  # 78 − 39 = 39 + 12 + F1 → below 60 on points alone
            items.update({"A1": "不符合", "B1": "不符合", "C2": "不符合", "D3": "不符合", "A2": 2, "C1": 2, "D1": 1})
        elif m.edge == "g3_1":
            items.update({"G3": 1, "A2": 1})
        elif m.edge == "na_check":
            items["D3"] = NOT_APPLICABLE
        elif m.edge == "na_deduct":
            items["A3"] = NOT_APPLICABLE
        elif m.edge == "na_many":
            items.update({"A3": NOT_APPLICABLE, "B2": NOT_APPLICABLE, "B3": NOT_APPLICABLE, "D3": NOT_APPLICABLE})
        else:
            return None
        if m.edge.startswith("na_"):
            items.update({"C1": 1} if round_index == 0 else {"A2": 1})
        return {k: v for k, v in items.items() if k in self.kinds}

    def _inspect(self, m: Merchant, r: int, items: dict[str, Cell], name: str | None = None) -> None:
        rng = self.rng
        start, end = ROUNDS[r][1], min(ROUNDS[r][2], DATA_CUTOFF)
        spec = self.specs["inspections"]
        staff = self.inspectors[m.district]
        team = rng.sample(staff, 2)
        findings = sum(1 for v in items.values() if v in ("不符合", "部分符合") or (isinstance(v, int) and v > 0))
        note = ""
        if findings >= 3 and rng.random() < 0.5:
            note = "已责令限期整改，下次复查"
        elif findings and rng.random() < 0.15:
            note = "现场整改完毕"
        method = rng.choices(INSPECTION_METHODS, weights=(60, 25, 15))[0]
        values: dict[str, Cell] = {
            "round": ROUNDS[r][0],
            "uscc": m.uscc,
            "name": name or m.name,
            "inspected_on": self._date(start + dt.timedelta(days=10), end - dt.timedelta(days=5)),
            "method": method,
            "inspectors": "、".join(team),
            "note": note,
            **items,
        }
        self.inspections.append([values.get(c.name) for c in spec.columns])
