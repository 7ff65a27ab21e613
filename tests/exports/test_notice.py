"""The 公示名单 (SPEC §8): title, 公示期, objection channel, grouping, exact columns, no personal data,
print-ready (A4 landscape, header row on every page) — checked with openpyxl and, when LibreOffice is
installed, in the PDF it prints to."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.cli import main
from scoring.exports.notice import COLUMNS, NoticeDocument, notice_columns, notice_xlsx, text_width
from scoring.ingest.sheets import DEFAULT_INDUSTRIES
from scoring.services import notice, review
from scoring.services.context import PermissionDenied
from tests.review.conftest import ADMIN, CHANNEL, EV_FUYANG, LEADER, REVIEWER, ROUND, SAMPLE, configure, url

TITLE = "杭州市2026年度放心消费示范单位拟认定名单"
DISTRICT_CODES = ("上城区", "余杭区", "富阳区", "临平区")  # 330102, 330110, 330111, 330113


def _reviewed(engine: Engine) -> set[str]:
    """Open review and walk every case but those of 临平区 through city review; publish 富阳区."""
    review.open_review(engine, REVIEWER, ROUND)
    cases = review.cases(engine, ADMIN, ROUND)
    ids = [int(i) for i in cases[cases["district"] != "临平区"]["id"]]
    review.transition(engine, ADMIN, [int(i) for i in cases["id"]], "district_approve", "区县审核通过")
    review.transition(engine, REVIEWER, ids, "city_approve", "市级审核会议通过")
    fuyang = [int(i) for i in cases[cases["district"] == "富阳区"]["id"]]
    review.transition(engine, REVIEWER, fuyang, "publish", "进入公示")
    return set(cases[cases["district"] != "临平区"]["uscc"])


def _personal_data() -> set[str]:
    book = openpyxl.load_workbook(SAMPLE, read_only=True)
    rows = list(book["商户名录"].iter_rows(values_only=True))
    head = list(rows[0])
    values = {str(r[head.index(c)]) for r in rows[1:] for c in ("负责人", "联系电话") if r[head.index(c)]}
    return values | {"负责人", "联系电话"}


def _table(data: bytes, header_row: int = 4) -> tuple[openpyxl.worksheet.worksheet.Worksheet, pd.DataFrame]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in ws.iter_rows(min_row=header_row, values_only=True)]
    body = [r for r in rows[1:] if isinstance(r[0], int)]
    return ws, pd.DataFrame(body, columns=rows[0])


def test_public_notice_has_title_dates_channel_grouping_and_exact_columns(sample_db: Engine) -> None:
    listed = _reviewed(sample_db)
    data, doc = notice.notice_bytes(sample_db, LEADER, ROUND, public=True)
    ws, table = _table(data)
    assert ws["A1"].value == TITLE
    assert ws["A2"].value == "公示期：2026年9月10日至2026年9月24日（共 15 天）"
    assert CHANNEL in ws["A3"].value
    assert tuple(c.value for c in ws[4]) == COLUMNS
    assert list(table["序号"]) == list(range(1, len(listed) + 1))
    assert set(table["统一社会信用代码"]) == listed  # 市级审核通过 and 公示中; 临平区 stopped at 区县审核通过
    # Grouped by 区县 (administrative code order), then 行业 (configured order), then 综合得分.
    d_rank = table["区县"].map(DISTRICT_CODES.index)
    i_rank = table["行业"].map(list(DEFAULT_INDUSTRIES).index)
    assert list(zip(d_rank, i_rank, strict=True)) == sorted(zip(d_rank, i_rank, strict=True))
    assert table["区县"].iloc[0] == "上城区"
    cases = review.cases(sample_db, ADMIN, ROUND).set_index("uscc")
    assert list(table["等级"]) == list(cases.loc[table["统一社会信用代码"], "grade"])
    assert table["经营地址"].str.startswith("杭州市").all()
    assert ws.cell(4 + len(table) + 1, 1).value == f"共 {len(table)} 家单位。"
    assert len(doc.rows) == len(table)


def test_no_personal_data_anywhere_in_the_file(sample_db: Engine) -> None:
    _reviewed(sample_db)
    data, _ = notice.notice_bytes(sample_db, REVIEWER, ROUND, public=True, include_score=True)
    archive = zipfile.ZipFile(io.BytesIO(data))
    xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    cells = [
        str(c.value) for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows() for c in row if c.value
    ]
    for value in _personal_data():
        assert value not in xml
        assert not any(value in c for c in cells)
    assert not re.search(r"1[3-9]\d{9}", xml)  # no mobile number at all


def test_print_setup_and_string_cells(sample_db: Engine) -> None:
    _reviewed(sample_db)
    data, _ = notice.notice_bytes(sample_db, REVIEWER, ROUND, public=True)
    ws, table = _table(data)
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == "$4:$4"  # the header row repeats on every printed page
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0  # one page wide
    assert "&P" in ws.oddFooter.center.text
    for j, name in enumerate(COLUMNS, start=1):  # fitted: wide enough for the header, capped for long text
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width
        assert text_width(name) + 2 <= width <= 46
    uscc_width = ws.column_dimensions["D"].width
    assert uscc_width >= 20
    for row in ws.iter_rows(min_row=5, max_row=4 + len(table)):
        assert all(c.data_type in ("s", "n") for c in row if c.value is not None)  # never a formula
        assert row[3].data_type == "s"  # the USCC stays text


def test_score_column_is_optional(sample_db: Engine) -> None:
    _reviewed(sample_db)
    data, _ = notice.notice_bytes(sample_db, REVIEWER, ROUND, public=True, include_score=True)
    ws, table = _table(data)
    assert tuple(c.value for c in ws[4]) == (*COLUMNS[:7], "综合得分", "备注")
    cases = review.cases(sample_db, ADMIN, ROUND).set_index("uscc")
    assert list(table["综合得分"]) == list(cases.loc[table["统一社会信用代码"], "total"])


def test_public_list_needs_review_and_settings_internal_draft_does_not(sample_db: Engine) -> None:
    with pytest.raises(notice.NoticeError, match="尚未开始审核"):
        notice.notice_document(sample_db, REVIEWER, ROUND, public=True)
    draft = notice.notice_document(sample_db, REVIEWER, ROUND, public=False)
    assert draft.draft_note.startswith("草稿") and len(draft.rows) == 25
    ws, table = _table(notice.notice_bytes(sample_db, REVIEWER, ROUND, public=False, include_score=True)[0], 5)
    assert "草稿" in ws["A4"].value and len(table) == 25
    review.open_review(sample_db, REVIEWER, ROUND)
    with pytest.raises(notice.NoticeError, match="尚无通过市级审核"):
        notice.notice_document(sample_db, REVIEWER, ROUND, public=True)
    _reviewed(sample_db)
    configure(sample_db, objection_channel="", notice_end="")
    with pytest.raises(notice.NoticeError, match="公示期、异议受理方式"):
        notice.notice_document(sample_db, REVIEWER, ROUND, public=True)


def test_who_may_export_which_list(sample_db: Engine) -> None:
    _reviewed(sample_db)
    with pytest.raises(PermissionDenied):
        notice.notice_document(sample_db, EV_FUYANG, ROUND, public=True)
    with pytest.raises(PermissionDenied):
        notice.internal_bytes(sample_db, LEADER, ROUND)
    notice.notice_document(sample_db, LEADER, ROUND, public=True)


def test_internal_workbook_has_the_three_lists_scoped(sample_db: Engine) -> None:
    book = openpyxl.load_workbook(io.BytesIO(notice.internal_bytes(sample_db, EV_FUYANG, ROUND)))
    assert book.sheetnames == ["得分明细", "候选名单", "区县排名"]
    full = pd.DataFrame(list(book["得分明细"].iter_rows(values_only=True))[1:],
                        columns=[c.value for c in book["得分明细"][1]])  # fmt: skip
    assert set(full["区县"]) == {"富阳区"}
    assert list(full.columns[:12]) == ["统一社会信用代码", "单位名称", "区县", "行业", "基础得分", "加分", "综合得分",
                                       "等级", "否决原因", "全市排名", "区县排名", "行业排名"]  # fmt: skip
    assert full["评分说明"].str.contains("【基础得分】").all() and full["评分说明"].str.contains("示范单位候选").all()
    cands = [c.value for c in book["候选名单"][1]]
    assert cands == ["统一社会信用代码", "单位名称", "区县", "行业", "综合得分", "状态", "候补序号", "原因"]
    assert book["区县排名"]["A1"].value == "区县"


def test_cli_shortlist(sample_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "公示名单.xlsx"
    assert main(["shortlist", "--round", ROUND, "--out", str(out), "--public", "--db", url(sample_db)]) == 1
    assert "尚未开始审核" in capsys.readouterr().err
    assert main(["shortlist", "--round", ROUND, "--out", str(out), "--db", url(sample_db)]) == 0
    assert "草稿" in capsys.readouterr().out
    _reviewed(sample_db)
    assert main(["shortlist", "--round", ROUND, "--out", str(out), "--public", "--db", url(sample_db)]) == 0
    ws, _ = _table(out.read_bytes())
    assert ws["A1"].value == TITLE and tuple(c.value for c in ws[4]) == COLUMNS
    assert main(["shortlist", "--round", ROUND, "--out", str(tmp_path / "x.csv"), "--db", url(sample_db)]) == 2


# --- the printed page --------------------------------------------------------------------------

LONG_NAME = "杭州市上城区湖滨街道某某老字号餐饮管理连锁有限责任公司第三分公司（湖滨银泰店）"
LONG_ADDRESS = "浙江省杭州市上城区湖滨街道延安路258号湖滨银泰in77购物中心C区地下一层B1-023、B1-025号商铺（近东坡路口）"


def _long_document(n: int = 70) -> NoticeDocument:
    industries = ["商超零售", "餐饮", "住宿", "美容美发"]
    rows = pd.DataFrame(
        {
            "district": [DISTRICT_CODES[k * len(DISTRICT_CODES) // n] for k in range(n)],
            "industry": [industries[k % 4] for k in range(n)],
            "name": [LONG_NAME if k % 9 == 0 else f"杭州市示范商户{k:02d}有限公司" for k in range(n)],
            "uscc": [f"91330102MA2{k:05d}X{k % 10}" for k in range(n)],
            "address": [LONG_ADDRESS if k % 7 == 0 else f"杭州市上城区解放路{k}号" for k in range(n)],
            "grade": ["优秀" if k % 3 else "良好" for k in range(n)],
            "total": [90.0 - k / 10 for k in range(n)],
            "note": ["递补" if k % 11 == 0 else "" for k in range(n)],
        }
    )
    period = "公示期：2026年9月10日至2026年9月24日（共 15 天）"
    return NoticeDocument(
        TITLE, period, "公示期内，对名单中的单位有异议的，请以书面形式实名反映。异议受理：" + CHANNEL, rows
    )


def _tools() -> str | None:
    missing = [t for t in ("soffice", "pdfinfo", "pdftotext") if shutil.which(t) is None]
    if missing:
        return f"需要 {'、'.join(missing)}（apt-get install -y libreoffice-calc poppler-utils）"
    return None


@pytest.mark.slow
@pytest.mark.parametrize("include_score", [False, True])
def test_pdf_fits_a4_landscape_with_the_header_on_every_page(tmp_path: Path, include_score: bool) -> None:
    reason = _tools()
    if reason:
        print(f"跳过 PDF 检查：{reason}")
        pytest.skip(f"PDF check skipped: {reason}")
    doc = _long_document()
    xlsx = tmp_path / "notice.xlsx"
    xlsx.write_bytes(notice_xlsx(doc, include_score=include_score))
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"  # no clash with another soffice
    subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    pdf = tmp_path / "notice.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], check=True, capture_output=True, text=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    assert pages >= 2 and len(sizes) == pages
    for w, h in sizes:  # A4 landscape: 842 × 595 pt
        assert abs(float(w) - 841.9) < 2 and abs(float(h) - 595.3) < 2
    headers = notice_columns(include_score)
    for page in range(1, pages + 1):
        flat = _pdf_text(pdf, page, page)
        for name in headers:  # every column on every page: nothing spills onto extra pages
            assert name in flat, (page, name)
        assert f"第{page}页，共{pages}页" in flat
    first = _pdf_text(pdf, 1, 1)
    assert TITLE in first and "2026年9月10日至2026年9月24日" in first
    everything = _pdf_text(pdf, 1, pages)
    assert "共70家单位" in everything
    assert all(row["uscc"] in everything for row in doc.rows.to_dict("records"))  # no row lost or cut


def _pdf_text(pdf: Path, first: int, last: int) -> str:
    """The text of pages first..last with all white space removed."""
    command = ["pdftotext", "-f", str(first), "-l", str(last), "-layout", str(pdf), "-"]
    return re.sub(r"\s+", "", subprocess.run(command, check=True, capture_output=True, text=True).stdout)
