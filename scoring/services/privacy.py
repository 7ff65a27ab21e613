"""Personal data (SPEC §3.3: 负责人, 联系电话): masked for roles that may not see it, in the service layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.services.context import UserContext

PERSONAL_FIELDS = ("contact_person", "phone")


def mask_phone(phone: str | None) -> str | None:
    """13812341234 → 138****1234; short numbers keep only their last two characters."""
    if not phone:
        return phone
    text = str(phone).strip()
    if len(text) >= 7:
        return text[:3] + "****" + text[-4:]
    return "*" * max(0, len(text) - 2) + text[-2:]


def mask_person(name: str | None) -> str | None:
    """王小明 → 王**: the family name stays, the rest is hidden."""
    if not name:
        return name
    text = str(name).strip()
    return text[:1] + "*" * max(1, len(text) - 1)


def for_user(user: UserContext, record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` with its personal fields masked when the user's role requires it."""
    out = dict(record)
    if user.masks_personal_data:
        if "contact_person" in out:
            out["contact_person"] = mask_person(out["contact_person"])
        if "phone" in out:
            out["phone"] = mask_phone(out["phone"])
    return out
