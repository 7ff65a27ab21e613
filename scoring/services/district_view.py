"""The district ranking page (SPEC §5.5): the table, the score distribution and the change since the previous round."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage import views
from scoring.storage.database import session_scope


@dataclass(frozen=True)
class DistrictView:
    round_name: str
    run_id: int
    table: pd.DataFrame  # §5.5 rows by rank
    scores: pd.DataFrame  # district, total of every scored merchant (distribution)
    previous_round: str | None  # the newest earlier round with a run
    changes: pd.DataFrame  # district, index, previous_index, index_change, rank, previous_rank, rank_change


def district_view(engine: Engine, user: UserContext, round_name: str) -> DistrictView | None:
    """The round's district figures within the user's districts; None when the round has no run."""
    user.require("view")
    with session_scope(engine, write=False) as s:
        latest = views.latest_run_ids(s)
        run_id = latest.get(round_name)
        if run_id is None:
            return None
        table = views.district_rows(s, run_id, user.scope)
        ranking = views.ranking_rows(s, run_id, user.scope)
        names = repo.round_names(s)
        earlier = [r for r in names[: names.index(round_name)] if r in latest] if round_name in names else []
        previous = earlier[-1] if earlier else None
        before = views.district_rows(s, latest[previous], user.scope) if previous else None
    scores = ranking.loc[ranking["total"].notna(), ["district", "total"]].reset_index(drop=True)
    return DistrictView(round_name, run_id, table, scores, previous, changes(table, before))


def changes(now: pd.DataFrame, before: pd.DataFrame | None) -> pd.DataFrame:
    """District index and rank now and in the previous round; a positive rank_change means moved up."""
    out = now[["district", "district_index", "rank"]].rename(columns={"district_index": "index"})
    if before is None:
        out = out.assign(previous_index=float("nan"), previous_rank=pd.Series(pd.NA, index=out.index, dtype="Int64"))
    else:
        prev = before.set_index("district")
        out = out.assign(
            previous_index=out["district"].map(prev["district_index"]),
            previous_rank=out["district"].map(prev["rank"]).astype("Int64"),
        )
    out["index_change"] = (out["index"] - out["previous_index"]).round(2)
    out["rank_change"] = (out["previous_rank"].astype("Float64") - out["rank"].astype("Float64")).astype("Int64")
    return out[["district", "index", "previous_index", "index_change", "rank", "previous_rank", "rank_change"]]
