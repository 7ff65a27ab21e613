"""The 商户排名 page's reads in SQL: filter, sort and page a run's ranking without loading the whole run.

A run of 100,000 merchants is never handed to pandas for one screen: the filters become a WHERE
clause, the sort an ORDER BY (ties by city rank, then USCC; blanks last), and only one page of
rows is read. The sort runs over ids only (a deferred join), so the database sorts narrow
records and reads the wide columns for the page's rows alone. Every query is limited to the
districts the caller may see (None = all), like every read in ``views``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from scoring.storage.models import CandidateResult, MerchantResult
from scoring.storage.runs import SCORE_FIELDS, score_frame

VetoFilter = Literal["all", "vetoed", "clean"]
COLUMNS = tuple(SCORE_FIELDS)  # the typed §5.1 columns (no indicator points)
SORT_KEYS = ("city_rank", "total", "base", "bonus", "district_rank", "industry_rank", "name", "uscc")


@dataclass(frozen=True)
class RankingFilter:
    districts: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    veto: VetoFilter = "all"
    text: str = ""  # part of a name or the start of a USCC


@dataclass(frozen=True)
class RankingOrder:
    key: str = "city_rank"  # one of SORT_KEYS
    descending: bool = False


def _vetoed() -> ColumnElement[bool]:
    return func.coalesce(MerchantResult.veto_text, "") != ""


def _where(run_id: int, districts: Collection[str] | None, f: RankingFilter) -> list[ColumnElement[bool]]:
    t = MerchantResult
    conditions: list[ColumnElement[bool]] = [t.run_id == run_id]
    if districts is not None:
        conditions.append(t.district.in_(sorted(districts)))
    if f.districts:
        conditions.append(t.district.in_(f.districts))
    if f.industries:
        conditions.append(t.industry.in_(f.industries))
    if f.grades:
        conditions.append(t.grade.in_(f.grades))
    if f.veto != "all":
        conditions.append(_vetoed() if f.veto == "vetoed" else ~_vetoed())
    text = f.text.strip()
    if text:  # bound and escaped: % and _ in the search box are plain characters
        name = t.name.icontains(text, autoescape=True)  # lower() on both sides: the same on SQLite and PostgreSQL
        conditions.append(name | t.uscc.startswith(text.upper(), autoescape=True))
    return conditions


def _order(order: RankingOrder) -> list[Any]:
    if order.key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {order.key!r}")
    t = MerchantResult
    first = getattr(t, order.key)
    keys = [(first.desc() if order.descending else first.asc()).nulls_last()]
    if order.key != "city_rank":
        keys.append(t.city_rank.asc().nulls_last())
    if order.key != "uscc":
        keys.append(t.uscc.asc())
    return keys


def count(session: Session, run_id: int, districts: Collection[str] | None, f: RankingFilter) -> int:
    """How many of the run's merchants within ``districts`` pass the filter."""
    stmt = select(func.count()).select_from(MerchantResult).where(and_(*_where(run_id, districts, f)))
    return int(session.execute(stmt).scalar_one())


def rows(
    session: Session,
    run_id: int,
    districts: Collection[str] | None,
    f: RankingFilter,
    order: RankingOrder,
    offset: int = 0,
    limit: int | None = None,
) -> pd.DataFrame:
    """The §5.1 columns, 候选 status and ``vetoed`` of the filtered rows in ``order``.

    ``limit`` rows from ``offset``; None = every filtered row.
    """
    t, c = MerchantResult, CandidateResult
    ids = select(t.id).where(and_(*_where(run_id, districts, f))).order_by(*_order(order)).offset(offset or None)
    if limit is not None:
        ids = ids.limit(limit)
    stmt = select(*(getattr(t, n) for n in COLUMNS)).where(t.id.in_(ids.scalar_subquery())).order_by(*_order(order))
    core = session.connection()  # Core rows: no ORM objects for a page of plain values
    frame = score_frame(core.execute(stmt).all(), COLUMNS)
    status = select(c.uscc, c.status).where(c.run_id == run_id)
    if districts is not None:
        status = status.where(c.district.in_(sorted(districts)))
    if limit is not None:  # a page: look up its own rows (unique index on run and USCC)
        status = status.where(c.uscc.in_(frame["uscc"].tolist()))
    found: dict[str, str] = {uscc: state for uscc, state in core.execute(status)}
    frame["candidate"] = frame["uscc"].map(found).astype("str")
    frame["vetoed"] = frame["veto_text"].fillna("").str.len() > 0
    return frame


Facets = tuple[list[str], list[str], set[str], int]  # districts, industries, grades, merchants


def facets(session: Session, run_id: int, districts: Collection[str] | None) -> Facets:
    """The filter choices of a run within ``districts``: its districts, industries and grades, and how many
    merchants it scored. Three narrow reads (DISTINCT rather than one grouped count: a third of the time)."""
    t = MerchantResult
    where = _where(run_id, districts, RankingFilter())
    found = sorted(d for (d,) in session.execute(select(t.district).where(*where).distinct()) if d is not None)
    pairs = session.execute(select(t.industry, t.grade).where(*where).distinct()).all()
    merchants = int(session.execute(select(func.count()).select_from(t).where(*where)).scalar_one())
    industries = sorted({i for i, _ in pairs if i is not None})
    return found, industries, {g for _, g in pairs if g is not None}, merchants
