"""Generator part: 12315 投诉记录 and 信用记录 rows."""

from __future__ import annotations

import datetime as dt
import math

from scoring.demo.base import GeneratorBase, days_between
from scoring.demo.model import Merchant
from scoring.demo.settings import DATA_CUTOFF, ROUNDS
from scoring.demo.vocab import CATEGORIES, PENALTY_REASONS
from scoring.ingest.template import Cell


class RecordRows(GeneratorBase):
    def _complaint(
        self,
        uscc: str,
        name: str,
        industry: str,
        registered: dt.date,
        *,
        outcome: str | None = None,
        on_time: bool | None = None,
        closed: dt.date | None = None,
    ) -> dt.date:
        rng = self.rng
        if outcome is None:
            recent = days_between(registered, DATA_CUTOFF) < 30
            if recent and rng.random() < 0.7:
                outcome = "处理中"
            else:
                outcome = rng.choices(("调解成功", "调解终止", "撤诉", "不予受理", "处理中"), (52, 27, 10, 8, 3))[0]
        if on_time is None and outcome in ("调解成功", "调解终止", "撤诉"):
            on_time = rng.random() > 0.06
        if closed is None and outcome != "处理中":
            if outcome == "不予受理":
                closed = registered + dt.timedelta(days=rng.randint(3, 10))
            elif on_time:
                closed = registered + dt.timedelta(days=rng.randint(2 if outcome == "撤诉" else 5, 60))
            else:
                closed = registered + dt.timedelta(days=rng.randint(70, 120))
            if closed > DATA_CUTOFF:
                outcome, closed, on_time = "处理中", None, None
        amount: float = 0.0 if rng.random() < 0.1 else round(math.exp(rng.gauss(5.5, 1.1)))
        if amount and rng.random() < 0.2:
            amount = round(amount + rng.randint(1, 99) / 100, 2)
        row: dict[str, Cell] = {
            "uscc": uscc,
            "name": name,
            "registered_on": registered,
            "closed_on": closed,
            "outcome": outcome,
            "on_time": None if on_time is None else ("是" if on_time else "否"),
            "amount": amount,
            "category": rng.choice(CATEGORIES.get(industry, CATEGORIES["其他"])),
        }
        self.complaints.append((registered, [row.get(c.name) for c in self.specs["complaints"].columns]))
        return registered

    def _crafted_complaints(self, m: Merchant) -> None:
        d1 = ROUNDS[0][2]
        day = dt.timedelta(days=1)
        if m.edge in ("ontime_95", "ontime_90"):  # 20 (10) closed in 初期, one of them late
            for k in range(20 if m.edge == "ontime_95" else 10):
                registered = dt.date(2026, 1, 5) + k * 5 * day
                closed = registered + (20 if k != 3 else 75) * day
                self._complaint(
                    m.uscc, m.name, m.industry, registered, outcome="调解成功", on_time=k != 3, closed=closed
                )
        elif m.edge == "complaints_pending_only":
            for registered in (dt.date(2026, 4, 10), dt.date(2026, 4, 22)):
                self._complaint(m.uscc, m.name, m.industry, registered, outcome="处理中")
        elif m.edge == "complaints_rejected_only":
            for registered in (dt.date(2026, 2, 9), dt.date(2026, 3, 16)):
                self._complaint(m.uscc, m.name, m.industry, registered, outcome="不予受理", closed=registered + 5 * day)
        elif m.edge == "complaint_closed_after_d":
            self._complaint(
                m.uscc, m.name, m.industry, d1 - 10 * day, outcome="调解成功", on_time=True, closed=d1 + 25 * day
            )

    # -- credit -------------------------------------------------------------------------------

    def _credit(self, m: Merchant, list_type: str, listed: dt.date, removed: dt.date | None, reason: str) -> None:
        dname, code, _ = self.districts[m.district]
        n = self.rng.randint(10, 999)
        y = listed.year
        if list_type == "失信被执行人":
            authority = f"{self.city}{dname}人民法院"
            doc = f"（{y - 1}）{self.province}{code[2:]}执{n}号"
        else:
            authority = f"{self.city}{dname}市场监督管理局"
            kind = {"行政处罚": "罚处", "经营异常名录": "异列", "严重违法失信名单": "严列"}.get(list_type, "事故")
            doc = f"{self.short_city[0]}{dname[0]}市监{kind}〔{y}〕{n}号"
        values: dict[str, Cell] = {
            "uscc": m.uscc,
            "list_type": list_type,
            "listed_on": listed,
            "removed_on": removed,
            "reason": reason,
            "authority": authority,
            "doc_no": doc,
        }
        self.credit.append([values.get(c.name) for c in self.specs["credit"].columns])

    def _random_credit(self, m: Merchant) -> None:
        draw = self.rng.random()
        if draw < 0.025:
            listed = self._date(dt.date(2025, 6, 1), dt.date(2026, 7, 31))
            removed = listed + dt.timedelta(days=self.rng.randint(40, 200)) if self.rng.random() < 0.6 else None
            if removed is not None and removed > DATA_CUTOFF:
                removed = None
            self._credit(m, "经营异常名录", listed, removed, "未按规定报送年度报告")
        elif draw < 0.05:
            listed = self._date(dt.date(2023, 3, 1), dt.date(2026, 10, 31))
            self._credit(m, "行政处罚", listed, None, self.rng.choice(PENALTY_REASONS))
        elif draw < 0.053:
            self._credit(
                m, "失信被执行人", self._date(dt.date(2024, 1, 1), dt.date(2026, 6, 30)), None, "未履行生效法律文书"
            )
