"""The ranking page's SQL reads (filter, sort, page, count, choices, CSV) on both backends, checked
against the same operations done in pandas on the run's full results."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import Engine, update

from scoring.demo import build_demo_workbook
from scoring.services import dashboard, runs
from scoring.services.context import CLI_USER, PermissionDenied, UserContext
from scoring.services.dashboard import RankingFilter, RankingOrder
from scoring.services.imports import import_files
from scoring.services.indicators import active_system
from scoring.storage.database import session_scope
from scoring.storage.models import MerchantResult

ROUND = "2026年初期评估"
EVALUATOR = UserContext("ev", "evaluator", "上城区")
LEADER = UserContext("leader", "leader")


def _scored(db: Engine) -> tuple[int, pd.DataFrame]:
    outcome = import_files(db, CLI_USER, [("demo.xlsx", build_demo_workbook(merchants=60, seed=3))], active_system(db))
    assert outcome[0].status == "committed"
    results = runs.run_scoring(db, CLI_USER, ROUND)
    scores = runs.results(db, CLI_USER, ROUND).scores
    scores["vetoed"] = scores["veto_text"].fillna("").str.len() > 0
    return results.run.id, scores


def _expected(scores: pd.DataFrame, f: RankingFilter, order: RankingOrder) -> list[str]:
    kept = dashboard.filter_ranking(scores, f)
    keys = [order.key] + [k for k in ("city_rank", "uscc") if k != order.key]
    ascending = [not order.descending] + [True] * (len(keys) - 1)
    return kept.sort_values(keys, ascending=ascending, na_position="last", kind="stable")["uscc"].tolist()


CASES = [
    (RankingFilter(), RankingOrder()),
    (RankingFilter(districts=("上城区", "西湖区")), RankingOrder("total", descending=True)),
    (RankingFilter(veto="vetoed"), RankingOrder("base")),
    (RankingFilter(veto="clean", grades=("良好", "合格")), RankingOrder("bonus", descending=True)),
    (RankingFilter(industries=("餐饮", "住宿")), RankingOrder("industry_rank")),
    (RankingFilter(text="杭州"), RankingOrder("name", descending=True)),
    (RankingFilter(), RankingOrder("district_rank")),
]


def test_pages_of_every_filter_and_order_match_pandas(db: Engine) -> None:
    run_id, scores = _scored(db)
    for f, order in CASES:
        want = _expected(scores, f, order)
        assert want or f.veto == "vetoed", (f, order)  # the cases select something
        got: list[str] = []
        for page in range(1, 5):
            found = dashboard.ranking_page(db, CLI_USER, run_id, f, order, page, 17)
            assert found.matched == len(want) and found.total == len(scores)
            got += found.rows["uscc"].tolist() if found.offset == (page - 1) * 17 else []
        assert got == want, (f, order)
        whole = dashboard.ranking_table(db, CLI_USER, run_id, f, order)
        assert whole["uscc"].tolist() == want
    last = dashboard.ranking_page(db, CLI_USER, run_id, RankingFilter(), RankingOrder(), 99, 25)
    assert last.offset == 50 and last.rows["uscc"].tolist() == scores["uscc"].tolist()[50:]
    with pytest.raises(ValueError, match="unknown sort key"):
        dashboard.ranking_page(db, CLI_USER, run_id, RankingFilter(), RankingOrder("points"), 1, 10)


def test_search_text_is_literal_and_matches_a_name_part_or_a_code_start(db: Engine) -> None:
    run_id, scores = _scored(db)
    first = scores.iloc[3]
    with session_scope(db) as s:  # a name with LIKE wildcards and a formula start
        s.execute(update(MerchantResult).where(MerchantResult.uscc == first["uscc"]).values(name="=100%_Shop"))

    def found(text: str) -> list[str]:
        page = dashboard.ranking_page(db, CLI_USER, run_id, RankingFilter(text=text), RankingOrder(), 1, 100)
        return page.rows["uscc"].tolist()

    assert found("100%_s") == [first["uscc"]]  # case-insensitive for Latin letters, % and _ literal
    assert found("%") == [first["uscc"]] and found("_") == [first["uscc"]]
    assert (
        found(str(first["uscc"])[:12].lower())
        == scores.loc[scores["uscc"].str.startswith(first["uscc"][:12]), "uscc"].tolist()
    )
    assert found("不存在的名称") == []

    csv = dashboard.ranking_csv(db, CLI_USER, run_id, RankingFilter(text="100%"), RankingOrder())
    table = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str)
    assert table["单位名称"].tolist() == ["'=100%_Shop"]  # SPEC §8: text never becomes a formula
    assert table.columns[-1] == "候选状态"


def test_the_ranking_reads_stay_in_the_evaluators_district(db: Engine) -> None:
    run_id, scores = _scored(db)
    own = scores[scores["district"] == EVALUATOR.district]
    assert 0 < len(own) < len(scores)

    page = dashboard.ranking_page(db, EVALUATOR, run_id, RankingFilter(districts=("西湖区",)), RankingOrder(), 1, 50)
    assert page.matched == 0 and page.total == len(own)  # asking for another district finds nothing
    page = dashboard.ranking_page(db, EVALUATOR, run_id, RankingFilter(), RankingOrder("total", True), 1, 200)
    assert set(page.rows["district"]) == {EVALUATOR.district} and page.matched == len(own)
    choices = dashboard.ranking_choices(db, EVALUATOR, run_id, ["优秀", "良好", "合格", "不合格"])
    assert choices.districts == [EVALUATOR.district] and choices.merchants == len(own)
    assert choices.industries == sorted(set(own["industry"]))
    csv = dashboard.ranking_csv(db, EVALUATOR, run_id, RankingFilter(), RankingOrder())
    assert set(pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str)["区县"]) == {EVALUATOR.district}

    everyone = dashboard.ranking_choices(db, CLI_USER, run_id, ["优秀", "良好", "合格", "不合格"])
    assert everyone.districts == sorted(set(scores["district"])) and everyone.merchants == len(scores)
    present = set(scores["grade"])
    assert everyone.grades[: len(present & {"优秀", "良好", "合格", "不合格"})] == [
        g for g in ["优秀", "良好", "合格", "不合格"] if g in present
    ]
    with pytest.raises(PermissionDenied):  # a leader reads the ranking but exports public lists only
        dashboard.ranking_csv(db, LEADER, run_id, RankingFilter(), RankingOrder())
