"""The dashboard in real headless Chromium: upload → confirm → score → ranking → explanation; a bad file;
the district ranking following the round; a 1440×900 screenshot of every page (out/screenshots/)."""

from __future__ import annotations

import io
from urllib.parse import urlparse

import openpyxl
import pytest

from tests.e2e.conftest import Server, choose_round, grid_cell, open_page, settle, shot, sign_in
from tests.ui.files import BAD_FILE_NAME, BAD_REJECTED, SAMPLE, SAMPLE_FIRST, SAMPLE_ROUND, bad_workbook

pytestmark = pytest.mark.e2e


def upload(page: object, name: str, content: bytes, mime: str) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(  # type: ignore[attr-defined]
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )
    page.get_by_text("预览（尚未写入数据库）").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    settle(page)


def metric(page: object, label: str) -> str:
    tile = page.get_by_test_id("stMetric").filter(has_text=label).first  # type: ignore[attr-defined]
    return str(tile.get_by_test_id("stMetricValue").inner_text())


def test_sample_upload_confirm_score_rank_and_explain(page: object, empty_server: Server) -> None:
    uscc, name, total = SAMPLE_FIRST
    sign_in(page, empty_server)
    open_page(page, "数据导入")
    shot(page, "02_import_empty")

    upload(page, SAMPLE.name, SAMPLE.read_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert metric(page, "可导入") == "1884"
    assert metric(page, "拒绝") == "0"
    shot(page, "03_import_preview")
    page.get_by_role("button", name="确认导入（1884 行）").click()  # type: ignore[attr-defined]
    page.get_by_text("已导入 1 个文件").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    settle(page)

    choose_round(page, SAMPLE_ROUND)
    open_page(page, "商户排名")
    page.get_by_role("button", name=f"运行评分：{SAMPLE_ROUND}").click()  # type: ignore[attr-defined]
    page.get_by_text("评分完成").first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
    settle(page)
    assert [grid_cell(page, c, 0) for c in (1, 2, 3, 6)] == ["1", name, uscc, f"{total:.2f}"]
    shot(page, "04_ranking_sample")

    grid = page.get_by_test_id("stDataFrame").first.bounding_box()  # type: ignore[attr-defined]
    page.mouse.click(grid["x"] + 18, grid["y"] + 35 + 17)  # type: ignore[attr-defined]  # row 1's selection box
    page.get_by_role("button", name=f"查看“{name}”的得分说明").click()  # type: ignore[attr-defined]
    settle(page)
    main = page.get_by_test_id("stMain")  # type: ignore[attr-defined]
    main.get_by_role("heading", name=name).wait_for()
    main.get_by_text("候选决定", exact=True).wait_for()  # the last section of the explanation chain
    text = main.inner_text()
    assert uscc in text
    assert "基础得分 = 100 ×" in text
    assert f"{total:.2f}" in text
    assert "候选决定" in text
    shot(page, "05_merchant_sample")


def test_bad_file_lists_the_errors_and_downloads_the_error_workbook(page: object, empty_server: Server) -> None:
    sign_in(page, empty_server)
    open_page(page, "数据导入")

    upload(page, BAD_FILE_NAME, bad_workbook(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    assert metric(page, "拒绝") == str(BAD_REJECTED)
    page.get_by_text("问题清单：错误 5 条，警告 3 条").wait_for()  # type: ignore[attr-defined]
    issues = page.get_by_test_id("stDataFrame").nth(1)  # type: ignore[attr-defined]
    cells = issues.locator("td").all_inner_texts()
    assert any(c.startswith('未知区县"火星区"，已知区县：') for c in cells)
    assert "统一社会信用代码长度应为 18 位，实际为 3 位" in cells
    shot(page, "06_import_errors")

    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name=f"下载问题清单：{BAD_FILE_NAME}").click()  # type: ignore[attr-defined]
    download = info.value
    assert download.suggested_filename == "商户名录-有错误-问题清单.xlsx"
    with open(download.path(), "rb") as f:
        sheet = openpyxl.load_workbook(io.BytesIO(f.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("工作表", "行号", "列", "值", "级别", "原因")
    assert sorted({r[1] for r in rows[1:] if r[4] == "错误"}) == [3, 4, 5, 6]


def _district_table(page: object) -> list[tuple[str, str]]:
    return [(grid_cell(page, 1, r), grid_cell(page, 2, r)) for r in range(6)]  # (区县, 综合指数)


def test_changing_the_round_changes_the_district_ranking(page: object, demo_server: Server) -> None:
    sign_in(page, demo_server)
    choose_round(page, "2026年初期评估")
    open_page(page, "区县排名")
    page.get_by_text("没有更早的已评分轮次可供比较").wait_for()  # type: ignore[attr-defined]  # the first round
    before = _district_table(page)

    choose_round(page, "2026年中期评估")
    page.get_by_text("与上一轮次（2026年初期评估）相比").wait_for()  # type: ignore[attr-defined]
    settle(page)
    after = _district_table(page)

    assert sorted(d for d, _ in before) == sorted(d for d, _ in after)
    assert before != after
    shot(page, "07_districts")


def test_screenshot_of_every_page(page: object, demo_server: Server) -> None:
    sign_in(page, demo_server)
    choose_round(page, "2026年中期评估")
    shot(page, "01_overview")
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link")  # type: ignore[attr-defined]
    for i in range(nav.count()):
        link = nav.nth(i)
        title = link.inner_text().split("\n")[-1]  # the text after the icon's ligature
        url = urlparse(link.get_attribute("href") or "").path.strip("/")
        link.click()
        settle(page)
        page.wait_for_timeout(600)  # type: ignore[attr-defined]  # charts finish drawing
        shot(page, f"page_{i:02d}_{url or 'overview'}")
        main = page.get_by_test_id("stMain").inner_text()  # type: ignore[attr-defined]
        assert "Traceback" not in main
        assert "页面处理时出现意外错误" not in main, title
        if url == "merchant":  # open a merchant and photograph each tab of its detail page
            page.get_by_label("查找商户").fill("杭州")  # type: ignore[attr-defined]
            page.get_by_label("查找商户").press("Enter")  # type: ignore[attr-defined]
            settle(page)
            page.get_by_role("button", name="打开", exact=True).click()  # type: ignore[attr-defined]
            settle(page)
            for n, tab in enumerate(("得分说明", "同类对比", "历次评估")):
                page.get_by_role("tab", name=tab).click()  # type: ignore[attr-defined]
                page.get_by_role("tabpanel").filter(visible=True).first.scroll_into_view_if_needed()  # type: ignore[attr-defined]
                page.mouse.wheel(0, 350)  # type: ignore[attr-defined]
                page.wait_for_timeout(500)  # type: ignore[attr-defined]
                shot(page, f"page_{i:02d}_merchant_{n}")
