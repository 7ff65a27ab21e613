"""一票否决 (SPEC §4, §10.7): which credit records fire at the reference date, and their texts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scoring.engine.indicators import IndicatorSystem

ObjArray = np.ndarray[Any, np.dtype[np.object_]]


def _fill(template: str, dates: ObjArray) -> ObjArray:
    """``template`` with every ``{date}`` replaced by each of ``dates``, for all records at once."""
    head, *rest = template.split("{date}")
    texts: ObjArray = np.full(len(dates), head, dtype=object)
    for tail in rest:
        texts = texts + dates + tail
    return texts


def fired_vetoes(credit: pd.DataFrame, system: IndicatorSystem, reference_date: pd.Timestamp) -> pd.DataFrame:
    """One row per fired record: uscc, code, text; ordered by rule order, then 列入日期."""
    cols = ["uscc", "code", "text", "listed_on"]
    if credit.empty or not system.vetoes:
        return pd.DataFrame(columns=cols)
    d = pd.Timestamp(reference_date)
    parts = []
    for order, veto in enumerate(system.vetoes):
        rec = credit[credit["list_type"] == veto.list_type]
        listed = rec["listed_on"]
        if veto.window == "listed":
            removed = rec["removed_on"]
            fires = (listed <= d) & (removed.isna() | (removed > d))
        else:
            fires = (listed > d - pd.Timedelta(days=veto.days)) & (listed <= d)
        hit = rec[fires.fillna(False).to_numpy(dtype=bool)]
        if hit.empty:
            continue
        days = pd.to_datetime(hit["listed_on"]).to_numpy(dtype="datetime64[D]")
        dates = np.datetime_as_string(days, unit="D").astype(object)
        text = veto.text.replace("{list_type}", veto.list_type)
        parts.append(
            pd.DataFrame(
                {
                    "uscc": hit["uscc"].to_numpy(),
                    "code": veto.code,
                    "text": _fill(text, dates),
                    "listed_on": hit["listed_on"].to_numpy(),
                    "order": order,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=cols)
    fired = pd.concat(parts, ignore_index=True).sort_values(["uscc", "order", "listed_on"], kind="stable")
    return fired[cols].reset_index(drop=True)


def veto_texts(fired: pd.DataFrame, sep: str = "；") -> pd.Series:
    """Per USCC, the fired rules joined (否决原因 uses ；, the candidate reason 、).

    USCCs in order of first appearance, texts in row order; joined one place at a time (a
    merchant has a handful of records at most), never one merchant at a time.
    """
    if fired.empty:
        return pd.Series(dtype="string", name="veto_text")
    codes, uniques = pd.factorize(fired["uscc"], use_na_sentinel=True)
    keep = np.flatnonzero(codes >= 0)
    order = keep[np.argsort(codes[keep], kind="stable")]
    grouped = codes[order]
    texts = fired["text"].to_numpy(dtype=object)[order]
    starts = np.r_[True, grouped[1:] != grouped[:-1]] if len(grouped) else np.zeros(0, dtype=bool)
    first = np.maximum.accumulate(np.where(starts, np.arange(len(grouped)), 0))
    place = np.arange(len(grouped)) - first
    joined: ObjArray = np.empty(len(uniques), dtype=object)
    joined[grouped[starts]] = texts[starts]
    for k in range(1, int(place.max(initial=0)) + 1):
        at = place == k
        joined[grouped[at]] = joined[grouped[at]] + sep + texts[at]
    index = pd.Index(uniques, name="uscc")
    return pd.Series(joined, index=index, name="text").astype("string")
