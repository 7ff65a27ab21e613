"""What an upload may reference: the districts, rounds and merchants already known."""

from __future__ import annotations

from dataclasses import dataclass, field

from scoring.ingest.sheets import DEFAULT_INDUSTRIES


@dataclass
class ReferenceData:
    """Known keys, extended in place by the valid rows of earlier sheets of the same upload."""

    districts: set[str] = field(default_factory=set)
    rounds: set[str] = field(default_factory=set)
    merchants: dict[str, str] = field(default_factory=dict)  # uscc -> 单位名称
    merchant_districts: dict[str, str] = field(default_factory=dict)  # uscc -> 区县
    industries: tuple[str, ...] = DEFAULT_INDUSTRIES
    allowed_districts: frozenset[str] | None = None  # an evaluator's scope; None = all
