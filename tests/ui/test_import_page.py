"""数据导入: template download, upload → preview listing every problem → explicit confirm → history."""

from __future__ import annotations

import io

import openpyxl

from scoring.services import runs
from scoring.services.context import CLI_USER
from scoring.storage import repository as repo
from scoring.storage.database import make_engine, session_scope
from tests.ui.conftest import EVALUATOR, MediaFiles, open_page, texts
from tests.ui.files import BAD_FILE_NAME, BAD_REJECTED, SAMPLE, SAMPLE_FIRST, SAMPLE_ROUND, XLSX, bad_workbook


def _figures(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}  # type: ignore[attr-defined]


def test_the_template_download_is_the_import_workbook(empty_db: str, media: MediaFiles) -> None:
    at = open_page("pages/imports.py")

    button = at.download_button[0]
    assert button.label == "下载导入模板"
    button.click().run()
    workbook = openpyxl.load_workbook(io.BytesIO(media.content(at.download_button[0].proto.url)))
    assert {"区县", "评估轮次", "商户名录", "实地检查", "满意度调查", "投诉记录", "信用记录"} <= set(
        workbook.sheetnames
    )
    assert "尚未选择文件" in at.info[0].value


def test_sample_upload_previews_then_imports_only_after_confirm(empty_db: str) -> None:
    at = open_page("pages/imports.py")

    at.file_uploader(key="import_files").set_value((SAMPLE.name, SAMPLE.read_bytes(), XLSX)).run()

    assert _figures(at) == {"读取行数": "1884", "可导入": "1884", "拒绝": "0", "空行": "0", "带警告导入": "0"}
    assert "预览（尚未写入数据库）" in texts(at)
    counts = at.dataframe[0].value
    assert counts["工作表"].tolist()[:3] == ["区县", "评估轮次", "商户名录"]
    engine = make_engine(empty_db)
    with session_scope(engine, write=False) as s:
        assert repo.data_counts(s)["merchants"] == 0  # a preview stores nothing
    confirm = at.button(key="import_confirm")
    assert confirm.label == "确认导入（1884 行）"

    confirm.click().run()

    assert "已导入 1 个文件" in at.success[0].value
    with session_scope(engine, write=False) as s:
        assert repo.data_counts(s)["merchants"] == 120
    history = at.dataframe[-1].value
    assert history["文件名"].tolist() == [SAMPLE.name]
    assert history["状态"].tolist() == ["已导入"]
    first = runs.run_scoring(engine, CLI_USER, SAMPLE_ROUND).scores.iloc[0]
    assert (first["uscc"], first["name"], first["total"]) == SAMPLE_FIRST


def test_a_bad_file_lists_every_problem_and_offers_the_error_workbook(demo_db: str, media: MediaFiles) -> None:
    at = open_page("pages/imports.py")

    at.file_uploader(key="import_files").set_value((BAD_FILE_NAME, bad_workbook(), XLSX)).run()

    assert _figures(at)["拒绝"] == str(BAD_REJECTED)
    issues = at.dataframe[1].value
    assert list(issues.columns) == ["文件", "工作表", "行号", "列", "值", "级别", "原因"]
    errors = issues[issues["级别"] == "错误"]
    assert sorted(set(errors["行号"])) == [3, 4, 5, 6]
    assert "未知区县" in " ".join(errors["原因"])
    assert any("问题清单：错误" in s for s in texts(at).splitlines())
    assert "有 4 行被拒绝" in at.warning[0].value

    download = at.download_button(key="preview_errors_0")
    assert download.label == f"下载问题清单：{BAD_FILE_NAME}"
    download.click().run()
    sheet = openpyxl.load_workbook(io.BytesIO(media.content(download.proto.url))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("工作表", "行号", "列", "值", "级别", "原因")
    assert {r[1] for r in rows[1:] if r[4] == "错误"} == {3, 4, 5, 6}


def test_an_unreadable_file_gets_a_chinese_message(empty_db: str) -> None:
    at = open_page("pages/imports.py")

    at.file_uploader(key="import_files").set_value(("坏文件.xlsx", b"this is not a workbook", XLSX)).run()

    assert not at.exception
    assert "坏文件.xlsx" in at.error[0].value
    assert at.button(key="import_confirm").disabled


def test_an_evaluator_cannot_import_districts(demo_db: str) -> None:
    at = open_page("pages/imports.py", user=EVALUATOR)

    at.file_uploader(key="import_files").set_value((BAD_FILE_NAME, bad_workbook(), XLSX)).run()

    issues = at.dataframe[1].value
    district_rows = issues[issues["工作表"] == "区县"]
    assert district_rows["原因"].tolist() == ["区县由管理员维护，评估员不能导入或修改"]
    assert _figures(at)["拒绝"] == str(BAD_REJECTED + 1)
