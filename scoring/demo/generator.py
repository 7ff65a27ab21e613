"""The demo generator: merchants, their rounds, then every sheet's rows in a fixed order of draws."""

from __future__ import annotations

import datetime as dt

import numpy as np

from scoring.demo.edges import CREDIT, CREDIT_REASONS, EDGE_CASES
from scoring.demo.inspections import InspectionRows
from scoring.demo.model import DemoCampaign, Merchant
from scoring.demo.records import RecordRows
from scoring.demo.settings import COMPLAINTS_FROM, DATA_CUTOFF, ROUND_COVERAGE, ROUNDS
from scoring.demo.surveys import SurveyRows
from scoring.demo.vocab import COMPLAINT_RATE, INDUSTRY_WEIGHTS
from scoring.engine.uscc import ALPHABET
from scoring.ingest.template import Cell


class Generator(InspectionRows, SurveyRows, RecordRows):
    def run(self) -> DemoCampaign:
        rng = self.rng
        merchants = [self._merchant(i) for i in range(self.n)]
        self._assign_edges(merchants)
        for m in merchants:
            if m.edge:
                continue
            never = rng.random() < 0.04
            rounds = []
            for r, coverage in enumerate(ROUND_COVERAGE):
                share = coverage if m.applied else coverage * 0.5
                if not never and rng.random() < share:
                    rounds.append(r)
            m.rounds = tuple(rounds)
            if m.applied and not m.rounds:
                self.edges["not_inspected"].append(m.uscc)

        # deliberate wrong check characters (stored with a warning)
        ordinary = [m for m in merchants if not m.edge]
        for m in rng.sample(ordinary, 3):
            good = m.uscc[17]
            self.usccs.discard(m.uscc)
            m.uscc = m.uscc[:17] + ALPHABET[(ALPHABET.index(good) + 7) % len(ALPHABET)]
            self.usccs.add(m.uscc)
            self.edges["bad_check_char"].append(m.uscc)
        mismatch = {m.uscc for m in rng.sample([m for m in ordinary if 0 in m.rounds], 2)}

        tie_items: dict[int, dict[str, Cell]] = {}
        tie_answers: dict[int, list[list[int | None]]] = {}
        for m in merchants:
            for r in m.rounds:
                trend = 0.0 if m.edge == "low_score" else 0.03 * r  # most merchants improve over the campaign
                quality = min(1.0, max(0.0, m.quality + trend + rng.gauss(0, 0.05)))
                satisfaction = min(1.0, max(0.0, m.satisfaction + 0.02 * r + rng.gauss(0, 0.04)))
                if m.edge == "tie":
                    if r not in tie_items:
                        tie_items[r] = self._random_items(m, 0.95)
                        drawn = self._random_answers(np.full(10, 0.85))
                        tie_answers[r] = [[a or 4 for a in row] for row in drawn]
                    items = tie_items[r]
                    self._survey_rows(m, r, tie_answers[r])
                else:
                    items = self._crafted_items(m, r) or self._random_items(m, quality)
                name = None
                if m.uscc in mismatch and r == 0:
                    name = m.store or m.short + m.industry
                    self.edges["name_mismatch"].append(m.uscc)
                self._inspect(m, r, items, name)
                self._survey(m, r, satisfaction)

        for m in merchants:
            if m.edge in CREDIT:
                for list_type, listed, removed in CREDIT[m.edge]:
                    self._credit(
                        m,
                        list_type,
                        dt.date.fromisoformat(listed),
                        dt.date.fromisoformat(removed) if removed else None,
                        CREDIT_REASONS[list_type],
                    )
            elif not m.edge:
                self._random_credit(m)
            if m.edge:
                self._crafted_complaints(m)
                continue
            lam = COMPLAINT_RATE[m.industry] * (0.25 + 1.3 * (1.0 - m.quality))  # per year
            for _ in range(self._poisson(lam)):
                self._complaint(m.uscc, m.name, m.industry, self._date(COMPLAINTS_FROM, DATA_CUTOFF))

        # one complaint registered before the campaign's first round (belongs to no round)
        m = ordinary[0]
        self._complaint(m.uscc, m.name, m.industry, dt.date(2025, 12, 23))
        # complaints against businesses not (yet) in the registry
        for _ in range(3 + self.n // 150):
            district = rng.randrange(len(self.districts))
            industry = rng.choices(list(INDUSTRY_WEIGHTS), weights=list(INDUSTRY_WEIGHTS.values()))[0]
            name, _, individual = self._name(industry)
            uscc = self._uscc(district, individual)
            self.edges["unmatched_complaint"].append(uscc)
            for _ in range(rng.randint(1, 2)):
                self._complaint(uscc, name, industry, self._date(dt.date(2026, 1, 1), DATA_CUTOFF))
        self._write_surveys()
        return self._finish(merchants)

    def _finish(self, merchants: list[Merchant]) -> DemoCampaign:
        specs = self.specs
        district_rows: list[list[Cell]] = []
        for name, code, _ in self.districts:
            values: dict[str, Cell] = {"name": name, "code": code, "city": self.city}
            district_rows.append([values.get(c.name) for c in specs["districts"].columns])
        round_rows: list[list[Cell]] = []
        for name, start, end in ROUNDS:
            values = {"name": name, "start": start, "end": end}
            round_rows.append([values.get(c.name) for c in specs["rounds"].columns])
        merchant_rows: list[list[Cell]] = []
        for m in merchants:
            values = {
                "uscc": m.uscc,
                "name": m.name,
                "district": self.districts[m.district][0],
                "industry": m.industry,
                "address": m.address,
                "store_name": m.store,
                "established": m.established,
                "applied": "是" if m.applied else "否",
                "applied_on": m.applied_on,
                "contact_person": m.person,
                "phone": m.phone,
            }
            merchant_rows.append([values.get(c.name) for c in specs["merchants"].columns])

        # complaint numbers in registration order, like a 12315 export
        self.complaints.sort(key=lambda item: item[0])
        complaint_rows: list[list[Cell]] = []
        number_at = [c.name for c in specs["complaints"].columns].index("complaint_no")
        for seq, (registered, row) in enumerate(self.complaints, start=1):
            row[number_at] = f"TS{registered:%Y%m%d}{seq:05d}"
            complaint_rows.append(row)
            if registered < ROUNDS[0][1]:
                self.edges["complaint_before_campaign"].append(str(row[number_at]))

        names = [c.name for c in specs["inspections"].columns]
        if "G3" in names:  # one merchant per G3 count, e.g. "G3=2:91330102…"
            first: dict[int, str] = {}
            for row in self.inspections:
                value = row[names.index("G3")]
                if isinstance(value, int):
                    first.setdefault(value, str(row[names.index("uscc")]))
            self.edges["g3_counts"] = [f"G3={k}:{first[k]}" for k in sorted(first)]

        self.edges["applied_on_blank"] = [m.uscc for m in merchants if m.applied and m.applied_on is None]
        edges = {key: tuple(dict.fromkeys(v)) for key, v in self.edges.items() if key in EDGE_CASES}
        titles = {key: spec.title for key, spec in specs.items()}
        rows = {
            titles["districts"]: district_rows,
            titles["rounds"]: round_rows,
            titles["merchants"]: merchant_rows,
            titles["inspections"]: self.inspections,
            titles["surveys"]: self.surveys,
            titles["complaints"]: complaint_rows,
            titles["credit"]: self.credit,
        }
        return DemoCampaign(
            city=self.city,
            seed=self.seed,
            districts=tuple(d[0] for d in self.districts),
            rounds=tuple(r[0] for r in ROUNDS),
            rows=rows,
            edge_cases=edges,
        )
