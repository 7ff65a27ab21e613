"""Results that say how they were made: method, parameters and normalisation travel with the numbers.

Every weighting or ranking result of this package is a frozen dataclass carrying a ``Provenance``
(after scikit-criteria's ``RankResult("WeightedSumModel", ..., extra={...})``), so a figure shown on
the 分析 page can always be traced back to the method and options that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

ParamValue = str | float | int | bool


class WeightingError(ValueError):
    """The input cannot be weighted or ranked; the message is Chinese and shown to the user as is."""


@dataclass(frozen=True)
class Provenance:
    """How a result was computed: a method identifier, its Chinese name, parameters and normalisation."""

    method: str
    label: str
    normalisation: str = ""
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def describe(self) -> str:
        """One Chinese line, e.g. ``TOPSIS（归一化：向量归一化；权重：熵权法）``."""
        parts = [f"归一化：{self.normalisation}"] if self.normalisation else []
        parts += [f"{k}：{_text(v)}" for k, v in self.params.items()]
        return f"{self.label}（{'；'.join(parts)}）" if parts else self.label

    def as_dict(self) -> dict[str, ParamValue]:
        return {"method": self.method, "label": self.label, "normalisation": self.normalisation, **self.params}


def _text(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class WeightResult:
    """Criterion weights (index = criterion codes, summing to 1) and per-criterion working figures."""

    weights: pd.Series
    provenance: Provenance
    extra: Mapping[str, pd.Series] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def table(self) -> pd.DataFrame:
        """Weights and working figures side by side, one row per criterion."""
        return pd.DataFrame({"weight": self.weights, **self.extra})
