"""The string catalogue: both languages for every key, and no page or widget of the dashboard writes its own."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from ui.i18n import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_FILES = [
    "app.py",
    *(f"pages/{n}.py" for n in ("overview", "imports", "ranking", "merchant", "districts", "progress", "indicators")),
    *(f"ui/{n}.py" for n in ("shell", "widgets", "tables", "state", "data", "import_report", "merchant_parts")),
    *(f"ui/{n}.py" for n in ("progress_parts", "indicator_parts", "auth", "audit_parts")),
    "pages/audit.py",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.\-]+)["']""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    missing = [k for k, (zh, en) in CATALOGUE.items() if not zh.strip() or not en.strip()]
    mismatched = [k for k, (zh, en) in CATALOGUE.items() if _fields(zh) != _fields(en)]
    assert not missing
    assert not mismatched


@pytest.mark.parametrize("name", DASHBOARD_FILES)
def test_pages_and_widgets_hold_no_chinese_text_of_their_own(name: str) -> None:
    code = "\n".join(
        line for line in (ROOT / name).read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    )
    body = re.sub(r'^\s*"""[\s\S]*?"""', "", code, count=1)  # the module docstring may name pages in Chinese
    body = re.sub(r'"""[\s\S]*?"""', "", body)  # function docstrings too
    found = [m.group(0) for m in CJK.finditer(body)]
    assert not found, f"{name} writes Chinese text outside ui/i18n.py"


@pytest.mark.parametrize("name", DASHBOARD_FILES)
def test_every_literal_key_used_is_in_the_catalogue(name: str) -> None:
    used = set(KEY.findall((ROOT / name).read_text(encoding="utf-8")))
    assert used <= set(CATALOGUE), sorted(used - set(CATALOGUE))
