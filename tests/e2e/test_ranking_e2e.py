"""商户排名 in real headless Chromium: sorting the whole ranking, paging, searching and downloading the
filtered CSV (the filters and table run as a fragment, drawn table first)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from scoring.services import dashboard
from scoring.services.context import CLI_USER
from scoring.storage.database import make_engine
from tests.e2e.conftest import Server, choose_round, grid_cell, open_page, settle, shot, sign_in

pytestmark = pytest.mark.e2e
ROUND = "2026年初期评估"


def _expected(server: Server, f: dashboard.RankingFilter, order: dashboard.RankingOrder) -> list[str]:
    engine = make_engine(server.db_url)
    try:
        run_id = next(r.run_id for r in dashboard.rounds(engine, CLI_USER) if r.name == ROUND)
        assert run_id is not None
        return dashboard.ranking_table(engine, CLI_USER, run_id, f, order)["uscc"].tolist()
    finally:
        engine.dispose()


def _pick(page: object, label: str, option: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text=label).first.click()  # type: ignore[attr-defined]
    page.get_by_role("option").filter(has_text=option).first.click()  # type: ignore[attr-defined]
    settle(page)


def _rows_show(page: object, usccs: list[str]) -> None:
    """Wait until the grid's first rows hold ``usccs`` (its cell table follows the paint by 200 ms)."""
    cells = {f"glide-cell-3-{r}": u for r, u in enumerate(usccs)}
    page.wait_for_function(  # type: ignore[attr-defined]
        "(cells) => Object.entries(cells).every(([id, text]) => {"
        ' const c = document.querySelector(`[data-testid=stDataFrame] [data-testid="${id}"]`);'
        " return c && c.innerText.trim() === text; })",
        arg=cells,
        timeout=15_000,
    )
    assert [grid_cell(page, 3, r) for r in range(len(usccs))] == usccs


def _caption(page: object) -> str:
    main = page.get_by_test_id("stMain")  # type: ignore[attr-defined]
    return str(main.get_by_test_id("stCaptionContainer").filter(has_text="显示第").first.inner_text())


def test_sort_page_search_and_download_the_ranking(page: object, demo_server: Server) -> None:
    by_total = _expected(demo_server, dashboard.RankingFilter(), dashboard.RankingOrder("total", descending=True))
    assert len(by_total) > 100  # two pages of 100
    sign_in(page, demo_server)
    choose_round(page, ROUND)
    open_page(page, "商户排名")

    _pick(page, "排序", "综合得分")
    page.get_by_test_id("stButtonGroup").get_by_text("降序").click()  # type: ignore[attr-defined]
    settle(page)
    _rows_show(page, by_total[:3])

    _pick(page, "每页条数", "100")
    page.get_by_label("页码").fill("2")  # type: ignore[attr-defined]
    page.get_by_label("页码").press("Enter")  # type: ignore[attr-defined]
    settle(page)
    _rows_show(page, by_total[100:102])
    assert _caption(page).startswith(f"显示第 101–{len(by_total)} 条")
    shot(page, "08_ranking_sorted_page2")

    uscc = by_total[5]
    page.get_by_label("名称或信用代码").fill(uscc[:14].lower())  # type: ignore[attr-defined]
    page.get_by_label("名称或信用代码").press("Enter")  # type: ignore[attr-defined]
    settle(page)
    found = _expected(demo_server, dashboard.RankingFilter(text=uscc[:14]), dashboard.RankingOrder("total", True))
    _rows_show(page, found[:1])
    assert uscc in found
    assert _caption(page).startswith(f"显示第 1–{len(found)} 条，筛选结果 {len(found)} / {len(by_total)}")

    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name=f"下载筛选结果（CSV，{len(found)} 家）").click()  # type: ignore[attr-defined]
    with open(info.value.path(), "rb") as f:
        table = pd.read_csv(io.BytesIO(f.read()), encoding="utf-8-sig", dtype=str)
    assert table["统一社会信用代码"].tolist() == found
