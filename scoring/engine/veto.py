"""一票否决 (SPEC §4, §10.7): which credit records fire at the reference date, and their texts."""

from __future__ import annotations

import pandas as pd

from scoring.engine.indicators import IndicatorSystem


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
        dates = hit["listed_on"].dt.strftime("%Y-%m-%d")
        text = veto.text.replace("{list_type}", veto.list_type)
        parts.append(
            pd.DataFrame(
                {
                    "uscc": hit["uscc"].to_numpy(),
                    "code": veto.code,
                    "text": [text.replace("{date}", x) for x in dates],
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
    """Per USCC, the fired rules joined (否决原因 uses ；, the candidate reason 、)."""
    if fired.empty:
        return pd.Series(dtype="string", name="veto_text")
    return fired.groupby("uscc", sort=False)["text"].agg(sep.join).astype("string")
