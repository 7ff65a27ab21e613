"""The audit page's readable detail (display only): labels, hashes cut, sheets summarised, JSON kept for unknowns."""

from __future__ import annotations

import json

from ui.audit_parts import readable


def test_a_detail_reads_as_labelled_text() -> None:
    export = {"what": "商户排名（CSV）", "scope": "上城区", "rows": 13, "by_admin": False, "district": None}
    assert readable(json.dumps(export, ensure_ascii=False)) == (
        "内容：商户排名（CSV） · 范围：上城区 · 行数：13 · 管理员操作：否 · 区县：—"
    )


def test_upload_details_summarise_sheets_and_cut_the_hash() -> None:
    sheets = [{"sheet": "商户名录", "read": 10, "stored": 9, "rejected": 1, "blank": 0}]
    text = readable(json.dumps({"file": "a.xlsx", "sha256": "ab" * 32, "sheets": sheets}, ensure_ascii=False))
    assert text == "文件：a.xlsx · SHA-256：abababababab · 各表：商户名录 读取 10 导入 9 拒绝 1"


def test_unknown_keys_nested_values_and_bad_text_survive() -> None:
    assert readable('{"mystery": 1, "after": {"role": "leader", "active": true}}') == (
        "mystery：1 · 修改后：角色 领导，启用 是"
    )
    assert readable("not json") == "not json"
    assert readable("") == ""
