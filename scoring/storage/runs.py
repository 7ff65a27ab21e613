"""Scoring runs (SPEC §5): saved once, never changed; results read back exactly as they were saved.

A run stores the merchant results (§5.1), the candidate decisions (§5.4) and the district
ranking (§5.5). Known columns get typed table columns (filterable, indexable); indicator points
and dimension subtotals go into JSON objects; any other column the engine adds is kept in an
``extra`` JSON object, and the run's ``layout`` remembers every frame's column order and dtype,
so ``load_run_results`` returns frames equal to those given to ``save_run``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from scoring.storage import cells
from scoring.storage.bulk import insert_rows
from scoring.storage.columns import decode_objects, encode_objects, json_literals, utcnow
from scoring.storage.errors import StorageError
from scoring.storage.models import CandidateResult, DistrictResult, MerchantResult, Round, ScoringRun

_N: cells.CellKind = "number"
_T: cells.CellKind = "text"
_C: cells.CellKind = "count"
SCORE_FIELDS: dict[str, cells.CellKind] = {
    "uscc": _T, "name": _T, "district": _T, "industry": _T, "base": _N, "bonus": _N, "total": _N,
    "grade": _T, "veto_text": _T, "city_rank": _C, "district_rank": _C, "industry_rank": _C,
}  # fmt: skip
CANDIDATE_FIELDS: dict[str, cells.CellKind] = {
    "uscc": _T, "name": _T, "district": _T, "industry": _T, "total": _N, "status": _T,
    "waitlist_no": _C, "reasons": _T,
}  # fmt: skip
DISTRICT_FIELDS: dict[str, cells.CellKind] = {
    "district": _T, "applicants": _C, "inspected_applicants": _C, "coverage": _N, "mean_base": _N,
    "excellent_rate": _N, "veto_rate": _N, "satisfaction": _N, "on_time_rate": _N, "selected": _C,
    "district_index": _N, "rank": _C,
}  # fmt: skip


@dataclass(frozen=True)
class RunMeta:
    """What a run records about itself (SPEC §1 step 3)."""

    round_name: str
    created_by: str
    indicator_id: str
    indicator_version: str
    indicator_hash: str
    data_fingerprint: str
    point_codes: Sequence[str]  # indicator and bonus codes: columns of the scores frame (A1 … G4)
    dimension_codes: Sequence[str]  # dimension subtotal columns (A … F)
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunInfo:
    id: int
    round_name: str
    created_at: datetime
    created_by: str
    indicator_id: str
    indicator_version: str
    indicator_hash: str
    data_fingerprint: str
    settings: Any
    merchant_count: int
    point_codes: tuple[str, ...]
    dimension_codes: tuple[str, ...]


@dataclass(frozen=True)
class RunResults:
    run: RunInfo
    scores: pd.DataFrame
    candidates: pd.DataFrame
    districts: pd.DataFrame


def score_frame(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Plain result rows as a frame whose §5.1 columns carry their kinds' dtypes (float, Int64, str)."""
    frame = pd.DataFrame.from_records(list(map(tuple, rows)), columns=list(columns))
    for name, kind in SCORE_FIELDS.items():
        if name not in frame:
            continue
        if kind == "number":
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        elif kind == "count":
            frame[name] = frame[name].astype("Int64")
        else:
            frame[name] = frame[name].astype("str")
    return frame


def save_run(
    session: Session, meta: RunMeta, scores: pd.DataFrame, candidates: pd.DataFrame, districts: pd.DataFrame
) -> int:
    """Store a run and its three result frames; returns the run id."""
    round_id = session.execute(select(Round.id).where(Round.name == meta.round_name)).scalar_one_or_none()
    if round_id is None:
        raise StorageError(f"未找到评估轮次：{meta.round_name}")
    for frame, required, label in (
        (scores, "uscc", "得分"),
        (candidates, "uscc", "候选"),
        (districts, "district", "区县"),
    ):
        if required not in frame.columns and not frame.empty:
            raise StorageError(f"{label}结果缺少列 {required}")
    json_cols = {"points": tuple(meta.point_codes), "dimensions": tuple(meta.dimension_codes)}
    layout = {
        name: {"columns": [str(c) for c in frame.columns], "dtypes": {str(c): str(t) for c, t in frame.dtypes.items()}}
        for name, frame in (("scores", scores), ("candidates", candidates), ("districts", districts))
    }
    run = ScoringRun(
        round_id=round_id,
        created_at=utcnow(),
        created_by=meta.created_by,
        indicator_id=meta.indicator_id,
        indicator_version=meta.indicator_version,
        indicator_hash=meta.indicator_hash,
        data_fingerprint=meta.data_fingerprint,
        settings=dict(meta.settings),
        merchant_count=len(scores),
        layout={**layout, **{k: list(v) for k, v in json_cols.items()}},
    )
    session.add(run)
    session.flush()
    _insert(session, model=MerchantResult, run_id=run.id, frame=scores, fields=SCORE_FIELDS, json_cols=json_cols)
    _insert(session, model=CandidateResult, run_id=run.id, frame=candidates, fields=CANDIDATE_FIELDS, json_cols={})
    _insert(session, model=DistrictResult, run_id=run.id, frame=districts, fields=DISTRICT_FIELDS, json_cols={})
    return run.id


def _insert(
    session: Session,
    *,
    model: type[MerchantResult | CandidateResult | DistrictResult],
    run_id: int,
    frame: pd.DataFrame,
    fields: Mapping[str, cells.CellKind],
    json_cols: Mapping[str, Sequence[str]],
) -> None:
    if frame.empty:
        return
    frame = frame.reset_index(drop=True)
    rows = len(frame)
    values: dict[str, list[Any]] = {"run_id": [run_id] * rows}
    for name, kind in fields.items():
        values[name] = cells.to_db(frame[name], kind) if name in frame.columns else cells.missing_column(kind, rows)
    used = set(fields)
    for column, codes in json_cols.items():
        present = [c for c in codes if c in frame.columns]
        values[column] = encode_objects({c: json_literals(frame[c]) for c in present}, rows)
        used.update(present)
    rest = [str(c) for c in frame.columns if c not in used]
    values["extra"] = (
        encode_objects({c: json_literals(_jsonable(frame[c])) for c in rest}, rows) if rest else [None] * rows
    )
    table = model.__table__
    assert isinstance(table, Table)
    insert_rows(session, table, values)


def _jsonable(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return pd.Series(series.dt.strftime("%Y-%m-%dT%H:%M:%S.%f"), index=series.index, dtype="str")
    return series


def _info(run: ScoringRun, round_name: str) -> RunInfo:
    layout = run.layout or {}
    return RunInfo(
        run.id,
        round_name,
        run.created_at,
        run.created_by,
        run.indicator_id,
        run.indicator_version,
        run.indicator_hash,
        run.data_fingerprint,
        run.settings,
        run.merchant_count,
        tuple(layout.get("points", ())),
        tuple(layout.get("dimensions", ())),
    )


def list_runs(session: Session, round_name: str | None = None) -> list[RunInfo]:
    """Runs, newest first (optionally of one round)."""
    stmt = select(ScoringRun, Round.name).join(Round, Round.id == ScoringRun.round_id)
    if round_name is not None:
        stmt = stmt.where(Round.name == round_name)
    return [_info(run, name) for run, name in session.execute(stmt.order_by(ScoringRun.id.desc()))]


def latest_run(session: Session, round_name: str) -> RunInfo | None:
    """The newest run of ``round_name``, or None."""
    runs = list_runs(session, round_name)
    return runs[0] if runs else None


def load_run_results(session: Session, run_id: int) -> RunResults:
    """A run's result frames with the columns, order and dtypes they were saved with."""
    found = session.execute(
        select(ScoringRun, Round.name).join(Round, Round.id == ScoringRun.round_id).where(ScoringRun.id == run_id)
    ).one_or_none()
    if found is None:
        raise StorageError(f"未找到评分批次：{run_id}")
    run, round_name = found
    layout = run.layout or {}
    json_cols = {"points": layout.get("points", []), "dimensions": layout.get("dimensions", [])}
    return RunResults(
        _info(run, round_name),
        _load(
            session,
            model=MerchantResult,
            run_id=run_id,
            fields=SCORE_FIELDS,
            json_cols=json_cols,
            layout=layout.get("scores"),
        ),
        _load(
            session,
            model=CandidateResult,
            run_id=run_id,
            fields=CANDIDATE_FIELDS,
            json_cols={},
            layout=layout.get("candidates"),
        ),
        _load(
            session,
            model=DistrictResult,
            run_id=run_id,
            fields=DISTRICT_FIELDS,
            json_cols={},
            layout=layout.get("districts"),
        ),
    )


def _load(
    session: Session,
    *,
    model: type[MerchantResult | CandidateResult | DistrictResult],
    run_id: int,
    fields: Mapping[str, cells.CellKind],
    json_cols: Mapping[str, Sequence[str]],
    layout: Mapping[str, Any] | None,
) -> pd.DataFrame:
    table = model.__table__
    assert isinstance(table, Table)
    names = [*fields, *json_cols, "extra"]
    rows = session.execute(
        select(*(table.c[n] for n in names)).where(table.c.run_id == run_id).order_by(table.c.id)
    ).all()
    raw = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    parts = [pd.DataFrame({n: cells.from_db(v, fields[n]) for n, v in zip(fields, raw, strict=False)})]
    for i, (_column, codes) in enumerate(json_cols.items()):
        parts.append(decode_objects(list(raw[len(fields) + i]), list(codes)))
    columns = list((layout or {}).get("columns", fields))
    extra = [c for c in columns if c not in fields and all(c not in codes for codes in json_cols.values())]
    parts.append(decode_objects(list(raw[-1]), extra))
    frame = pd.concat(parts, axis=1).reindex(columns=columns)
    for col, dtype in (layout or {}).get("dtypes", {}).items():
        frame[col] = _restore(frame[col], dtype)
    return frame


def _restore(series: pd.Series, dtype: str) -> pd.Series:
    if str(series.dtype) == dtype:
        return series
    try:
        target = pd.api.types.pandas_dtype(dtype)
        if dtype.startswith("datetime64"):
            return pd.Series(pd.to_datetime(series), index=series.index).astype(target)
        return series.astype(target)
    except (TypeError, ValueError):  # a dtype this pandas cannot rebuild: keep the decoded values
        return series
