"""区县排名: the §5.5 table, charts, and the change since the previous round."""

from __future__ import annotations

from scoring.services import runs
from scoring.storage.database import make_engine
from tests.ui.conftest import ADMIN, ROUNDS, open_page, texts


def test_table_is_the_runs_district_ranking_in_percent(demo_db: str) -> None:
    at = open_page("pages/districts.py", round_name=ROUNDS[1])

    expected = runs.results(make_engine(demo_db), ADMIN, ROUNDS[1]).districts
    table = at.dataframe[0].value
    assert table["区县"].tolist() == expected["district"].tolist()
    assert table["综合指数"].tolist() == expected["district_index"].tolist()
    assert table["覆盖率"].round(2).tolist() == (expected["coverage"] * 100).round(2).tolist()
    assert len(at.get("plotly_chart")) == 2


def test_change_since_the_previous_round(demo_db: str) -> None:
    at = open_page("pages/districts.py", round_name=ROUNDS[1])

    engine = make_engine(demo_db)
    now = runs.results(engine, ADMIN, ROUNDS[1]).districts.set_index("district")
    before = runs.results(engine, ADMIN, ROUNDS[0]).districts.set_index("district")
    assert f"与上一轮次（{ROUNDS[0]}）相比" in texts(at)
    changes = at.dataframe[1].value.set_index("区县")
    for district, row in changes.iterrows():
        assert row["上轮指数"] == before.loc[district, "district_index"]
        assert row["名次变化（+ 为上升）"] == before.loc[district, "rank"] - now.loc[district, "rank"]


def test_the_first_round_has_nothing_to_compare_with(demo_db: str) -> None:
    at = open_page("pages/districts.py", round_name=ROUNDS[0])

    assert "没有更早的已评分轮次可供比较" in texts(at)


def test_changing_the_round_changes_the_ranking(demo_db: str) -> None:
    at = open_page("pages/districts.py", round_name=ROUNDS[0])
    first = at.dataframe[0].value["综合指数"].tolist()

    at.sidebar.selectbox(key="round").set_value(ROUNDS[1]).run()

    assert at.dataframe[0].value["综合指数"].tolist() != first
