"""Canonical in-memory tables: what ingest produces, storage stores and loads, and the engine reads.

Column names are English identifiers (SPEC §2); Chinese sheet headers live in ``scoring.ingest``.
Types after import:
- dates: ``datetime64`` columns (NaT when blank);
- ``applied`` bool; ``on_time`` pandas ``boolean`` (NA when blank); ``invalid`` bool;
- inspection items: a check item holds one of 符合/部分符合/不符合/不适用 (str); a deduct item holds
  the number of findings as float, NaN meaning 不适用; a bonus item holds 1.0/0.0 (flag) or the
  count (float);
- survey answers Q1…Q8: float 1–5, NaN when unanswered.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

DISTRICT_COLUMNS = ("name", "code", "city")
ROUND_COLUMNS = ("name", "start", "end")
MERCHANT_COLUMNS = (
    "uscc",
    "name",
    "district",
    "industry",
    "address",
    "store_name",
    "established",
    "applied",
    "applied_on",
    "contact_person",
    "phone",
)
INSPECTION_FIXED = ("round", "uscc", "name", "inspected_on", "method", "inspectors", "note")
SURVEY_FIXED = ("response_no", "round", "uscc", "surveyed_on", "method", "invalid")
COMPLAINT_COLUMNS = (
    "complaint_no",
    "uscc",
    "name",
    "registered_on",
    "closed_on",
    "outcome",
    "on_time",
    "amount",
    "category",
)
CREDIT_COLUMNS = ("uscc", "list_type", "listed_on", "removed_on", "reason", "authority", "doc_no")

# Complaint outcomes (处理结果) and how they count (SPEC §4).
OUTCOMES = ("处理中", "调解成功", "调解终止", "不予受理", "撤诉")
CLOSED_OUTCOMES = ("调解成功", "调解终止", "撤诉")
MEDIATED_OUTCOMES = ("调解成功", "调解终止")
NOT_REGISTERED_OUTCOMES = ("不予受理",)


@dataclass(frozen=True)
class RoundData:
    """Everything the engine needs to score one round.

    ``merchants`` holds every registered merchant (with its district and industry);
    ``inspections`` and ``surveys`` only the round's rows; ``complaints`` every complaint
    (the engine selects the round's by 登记日期); ``credit`` every credit record.
    """

    round_name: str
    start: pd.Timestamp
    end: pd.Timestamp
    merchants: pd.DataFrame
    inspections: pd.DataFrame
    surveys: pd.DataFrame
    complaints: pd.DataFrame
    credit: pd.DataFrame
    districts: tuple[str, ...] = ()  # every known 区县, also those without merchants

    @property
    def reference_date(self) -> pd.Timestamp:
        """评估基准日 = the round's end date."""
        return self.end
