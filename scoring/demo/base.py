"""The generator's state and its merchants: names, codes, people, and the crafted edge carriers."""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np

from scoring.demo.edges import CARRIERS, EDGE_CASES, EDGE_OF, ESTABLISHED, EXACT
from scoring.demo.model import Merchant
from scoring.demo.settings import CITIES, DATA_CUTOFF, ROUNDS
from scoring.demo.vocab import GIVEN, INDUSTRY_WEIGHTS, PHONE_PREFIXES, SUFFIXES, SURNAMES, TRADE_CHARS
from scoring.engine.indicators import IndicatorSystem
from scoring.engine.uscc import ALPHABET, check_character
from scoring.ingest.sheets import DEFAULT_INDUSTRIES, sheet_specs
from scoring.ingest.template import Cell

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check


def days_between(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def _org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and its check character."""
    body = "".join(rng.choice(ALPHABET[:10] if i < 2 else ALPHABET) for i in range(8))
    total = sum(
        ALPHABET.index(c) * w if c.isdigit() else (ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


class GeneratorBase:
    def __init__(self, n: int, seed: int, city: str, system: IndicatorSystem) -> None:
        self.n = n
        self.seed = seed
        self.city = city
        self.short_city = city.removesuffix("市")
        self.province, self.districts = CITIES[city]
        self.system = system
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.specs = {s.key: s for s in sheet_specs(system, DEFAULT_INDUSTRIES)}
        self.items = system.inspection_items
        self.kinds: dict[str, str] = {i.code: i.type for i in system.indicators if i.from_inspection}
        self.kinds.update({b.code: b.kind for b in system.bonus_items})
        self.partial = {i.code for i in system.indicators if i.type == "check" and "部分符合" in i.check_points}
        self.questions = tuple(q.code for q in system.survey_questions)
        self.invalid_at = system.survey_invalid_unanswered
        self.usccs: set[str] = set()
        self.names: set[str] = set()
        self.edges: dict[str, list[str]] = {key: [] for key in EDGE_CASES}
        self.inspections: list[list[Cell]] = []
        self.surveys: list[list[Cell]] = []
        self.complaints: list[tuple[dt.date, list[Cell]]] = []
        self.credit: list[list[Cell]] = []
        self.survey_seq = [0] * len(ROUNDS)
        # (merchant, round, fixed answers or None, satisfaction, count, share answered in words)
        self.survey_plan: list[tuple[Merchant, int, list[list[int | None]] | None, float, int, float]] = []
        self.round_days = [
            [start + dt.timedelta(days=k) for k in range(days_between(start, min(end, DATA_CUTOFF)) + 1)]
            for _, start, end in ROUNDS
        ]
        own = ("response_no", "round", "uscc", "surveyed_on", "method", *self.questions)
        sheet = tuple(c.name for c in self.specs["surveys"].columns)
        self.survey_order = None if sheet == own else [own.index(n) if n in own else None for n in sheet]
        self.inspectors = [
            [self._person() for _ in range(8)] for _ in self.districts
        ]  # each district's inspection staff

    # -- people, names, codes -----------------------------------------------------------------

    def _person(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def _phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _uscc(self, district: int, individual: bool) -> str:
        while True:
            first17 = ("92" if individual else "91") + self.districts[district][1] + _org_code(self.rng)
            code = first17 + check_character(first17)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def _name(self, industry: str) -> tuple[str, str, bool]:
        for _ in range(50):
            suffix, individual = self.rng.choice(SUFFIXES[industry])
            if individual and self.rng.random() < 0.3:
                short = self.rng.choice(SURNAMES) + "记"
            else:
                short = self.rng.choice(TRADE_CHARS) + self.rng.choice(TRADE_CHARS)
                if short[0] == short[1]:
                    continue
            name = self.short_city + short + suffix
            if name not in self.names:
                self.names.add(name)
                return name, short, individual
        name = f"{name}（{len(self.names)}）"
        self.names.add(name)
        return name, short, individual

    def _date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, days_between(start, end))))

    # -- merchants ----------------------------------------------------------------------------

    def _merchant(self, index: int) -> Merchant:
        rng = self.rng
        district = rng.choices(range(len(self.districts)), weights=(13, 10, 12, 8, 11, 9)[: len(self.districts)])[0]
        industry = rng.choices(list(INDUSTRY_WEIGHTS), weights=list(INDUSTRY_WEIGHTS.values()))[0]
        name, short, individual = self._name(industry)
        dname, _, roads = self.districts[district]
        address = f"{self.city}{dname}{rng.choice(roads)}{rng.randint(1, 999)}号"
        if not individual and rng.random() < 0.3:
            address += f"{rng.randint(1, 30)}幢{rng.randint(1, 20)}0{rng.randint(1, 9)}室"
        store = ""
        if rng.random() < 0.6:
            store = short + rng.choice(("旗舰店", "总店", f"（{rng.choice(roads)}店）", "店"))
        age = min(int(rng.expovariate(1 / 2800)) + 120, 10_000)
        established: dt.date | None = dt.date(2026, 3, 1) - dt.timedelta(days=age)
        if rng.random() < 0.02:
            established = None
        applied = rng.random() < 0.88
        applied_on = self._date(dt.date(2025, 12, 1), dt.date(2026, 3, 31)) if applied else None
        if applied and rng.random() < 0.03:
            applied_on = None
        quality = rng.betavariate(4.0, 1.5)
        satisfaction = min(1.0, 0.55 * quality + 0.45 * rng.betavariate(4, 2))
        return Merchant(
            uscc=self._uscc(district, individual),
            name=name,
            short=short,
            district=district,
            industry=industry,
            individual=individual,
            address=address,
            store=store,
            established=established,
            applied=applied,
            applied_on=applied_on,
            person=self._person(),
            phone=self._phone(),
            quality=quality,
            satisfaction=satisfaction,
        )

    # -- crafted edge carriers ----------------------------------------------------------------

    def _rehome(self, m: Merchant, district: int, industry: str) -> None:
        """Move a merchant to another district and industry: new name, code and address to match."""
        m.district, m.industry = district, industry
        m.name, m.short, m.individual = self._name(industry)
        self.usccs.discard(m.uscc)
        m.uscc = self._uscc(district, m.individual)
        dname, _, roads = self.districts[district]
        m.address = f"{self.city}{dname}{self.rng.choice(roads)}{self.rng.randint(1, 999)}号"

    def _assign_edges(self, merchants: list[Merchant]) -> None:
        """Turn randomly chosen merchants into the carriers of the crafted edge cases."""
        carriers = self.rng.sample(range(len(merchants)), len(CARRIERS))
        first_tie: Merchant | None = None
        for key, index in zip(CARRIERS, carriers, strict=True):
            m = merchants[index]
            m.edge = key
            m.applied = key != "non_applicant"
            m.applied_on = (m.applied_on or dt.date(2026, 1, 20)) if m.applied else None
            m.quality = max(m.quality, 0.93)
            m.satisfaction = max(m.satisfaction, 0.85)
            if m.established is None or m.established > dt.date(2024, 1, 1):
                m.established = dt.date(2016, 6, 1) + dt.timedelta(days=index % 900)
            m.rounds = () if key == "not_inspected" else tuple(range(len(ROUNDS)))
            if key in ESTABLISHED:
                m.established = ESTABLISHED[key]
            elif key == "est_blank":
                m.established = None
            elif key == "low_score":
                m.quality, m.satisfaction = 0.05, 0.15
            elif key == "na_many":
                self._rehome(m, m.district, "教育培训")
            elif key in ("ontime_95", "ontime_90"):
                self._rehome(m, m.district, "商超零售")
            elif key in EXACT:
                m.applied_on = dt.date(2026, 2, 1)
            elif key == "tie":
                if first_tie is None:
                    first_tie = m
                    m.applied_on = dt.date(2026, 1, 10)
                else:
                    self._rehome(m, first_tie.district, first_tie.industry)
                    m.applied_on = dt.date(2026, 1, 5) if len(self.edges["tie"]) == 1 else None
            self.edges[EDGE_OF.get(key, key)].append(m.uscc)

    def _poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k
