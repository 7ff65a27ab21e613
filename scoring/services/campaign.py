"""Campaign settings (SPEC §1 step 1, §5.4 threshold and quotas, §8 notice details)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystem
from scoring.engine.selection import Quotas, SelectionSettings
from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage.database import session_scope

SETTINGS_KEY = "campaign"


@dataclass
class CampaignSettings:
    city: str = ""
    year: str = ""
    threshold: float | None = None  # None = the indicator system's default (80 in the 2026 version)
    district_quotas: dict[str, int] = field(default_factory=dict)
    industry_quotas: list[tuple[str, str, int]] = field(default_factory=list)  # (区县, 行业, 名额)
    notice_start: str = ""  # 公示期
    notice_end: str = ""
    objection_channel: str = ""  # 异议受理：部门、电话、邮箱、地址

    def selection(self, system: IndicatorSystem) -> SelectionSettings:
        threshold = system.threshold if self.threshold is None else float(self.threshold)
        quotas = Quotas(
            district={k: int(v) for k, v in self.district_quotas.items()},
            district_industry={(d, i): int(n) for d, i, n in self.industry_quotas},
        )
        return SelectionSettings(threshold, quotas)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["industry_quotas"] = [list(x) for x in self.industry_quotas]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CampaignSettings:
        data = dict(data or {})
        data["industry_quotas"] = [tuple(x) for x in data.get("industry_quotas") or []]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def load_settings(engine: Engine) -> CampaignSettings:
    with session_scope(engine, write=False) as s:
        return CampaignSettings.from_json(repo.get_setting(s, SETTINGS_KEY))


def save_settings(engine: Engine, user: UserContext, settings: CampaignSettings) -> None:
    user.require("manage_campaign")
    with session_scope(engine) as s:
        repo.set_setting(s, SETTINGS_KEY, settings.as_json(), user.username)
        repo.append_audit(s, user.username, "campaign_settings", settings.as_json())
