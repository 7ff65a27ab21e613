"""The 审计日志 page's readable 详情: the JSON detail of an entry as labelled text (display only;
the export keeps the JSON, which auditors' tools read)."""

from __future__ import annotations

import json
from typing import Any

from ui.i18n import CATALOGUE, role_label, t

_HASHES = {"sha256", "hash", "indicator_hash"}


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t("audit.yes") if value else t("audit.no")
    if key == "role" and isinstance(value, str):
        return role_label(value)
    if key in _HASHES and isinstance(value, str):
        return value[:12]
    if key == "sheets" and isinstance(value, list):
        return "；".join(
            t("audit.sheet", sheet=s.get("sheet", ""), read=s.get("read", 0), stored=s.get("stored", 0),
              rejected=s.get("rejected", 0))
            for s in value if isinstance(s, dict)
        )  # fmt: skip
    if isinstance(value, dict):
        return "，".join(f"{_label(k)} {_value(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value)
    return str(value)


def _label(key: str) -> str:
    name = f"audit.key.{key}"
    return t(name) if name in CATALOGUE else key


def readable(detail: str) -> str:
    """``{"scope": "上城区", "rows": 13}`` → ``范围：上城区 · 行数：13`` (unknown keys keep their name)."""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return str(data)
    return " · ".join(f"{_label(k)}：{_value(k, v)}" for k, v in data.items())
