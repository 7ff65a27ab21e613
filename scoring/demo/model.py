"""The generator's merchant record and the generated campaign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scoring.ingest.template import Cell


@dataclass
class Merchant:
    uscc: str
    name: str
    short: str  # 字号, e.g. 鑫盛
    district: int
    industry: str
    individual: bool
    address: str
    store: str
    established: dt.date | None
    applied: bool
    applied_on: dt.date | None
    person: str
    phone: str
    quality: float
    satisfaction: float
    edge: str = ""  # the crafted edge case this merchant carries ("" = ordinary)
    rounds: tuple[int, ...] = ()  # rounds it is inspected in


@dataclass(frozen=True)
class DemoCampaign:
    """The generated campaign: rows per sheet (in the template's column order) and the edge cases."""

    city: str
    seed: int
    districts: tuple[str, ...]
    rounds: tuple[str, ...]
    rows: dict[str, list[list[Cell]]]
    edge_cases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {sheet: len(rows) for sheet, rows in self.rows.items()}
