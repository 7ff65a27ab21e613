"""Upload files for the dashboard tests (AppTest and e2e): the public sample and a workbook full of mistakes."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

SAMPLE = Path("/work/shared/samples/sample-2026.xlsx")
SAMPLE_FIRST = ("913301135NU4HPGDMY", "杭州梁记面馆", 108.69)  # 2026年初期评估, rank 1 (SPEC acceptance)
SAMPLE_ROUND = "2026年初期评估"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_FILE_NAME = "商户名录-有错误.xlsx"
BAD_REJECTED = 4  # rows of 商户名录 that must each be rejected with a reason
BAD_MERCHANTS = (
    ("统一社会信用代码", "单位名称", "区县", "行业", "是否申报", "联系电话"),
    ("91330102MA2B3C4D5X", "杭州好味道餐饮有限公司", "上城区", "餐饮", "是", "13800001111"),
    ("123", "杭州短码商店", "上城区", "商超零售", "是", ""),
    ("91330102MA2B3C4D6Y", "杭州无名区商店", "火星区", "商超零售", "是", ""),
    ("91330102MA2B3C4D7Z", "", "上城区", "餐饮", "是", ""),
    ("91330102MA2B3C4D8A", "杭州未知行业公司", "上城区", "星际旅行", "否", ""),
)


def bad_workbook() -> bytes:
    """A 区县 sheet (so the file stands alone) and a 商户名录 sheet with four bad rows of five."""
    wb = Workbook()
    districts = wb.active
    districts.title = "区县"
    districts.append(["区县名称", "区县代码", "所属城市"])
    districts.append(["上城区", "330102", "杭州市"])
    merchants = wb.create_sheet("商户名录")
    for row in BAD_MERCHANTS:
        merchants.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
