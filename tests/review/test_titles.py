"""Recognised units (SPEC §5.7): 3-year validity, revocation alerts on a new veto, 摘牌, expiry."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from scoring.services import review, titles
from scoring.services.context import CLI_USER, PermissionDenied
from scoring.services.imports import import_files
from scoring.services.indicators import active_system
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from tests.review.conftest import ADMIN, EV_FUYANG, EV_SHANGCHENG, LEADER, REVIEWER, ROUND

RECOGNISED_ON = date(2026, 9, 25)


@pytest.mark.parametrize(
    ("recognised", "last_day"),
    [
        (date(2026, 9, 25), date(2029, 9, 24)),
        (date(2026, 1, 1), date(2028, 12, 31)),
        (date(2028, 2, 29), date(2031, 2, 28)),  # no 29 February in 2031
        (date(2027, 3, 1), date(2030, 2, 28)),
    ],
)
def test_validity_is_three_years_from_recognition(recognised: date, last_day: date) -> None:
    assert review.valid_until(recognised) == last_day


def _recognise(engine: Engine, districts: tuple[str, ...] = ("富阳区",)) -> list[int]:
    review.open_review(engine, ADMIN, ROUND)
    cases = review.cases(engine, ADMIN, ROUND)
    ids = [int(i) for i in cases[cases["district"].isin(districts)]["id"]]
    for key in ("district_approve", "city_approve", "publish", "recognise"):
        review.transition(engine, ADMIN, ids, key, "按程序办理", on=RECOGNISED_ON)
    return ids


def _credit_record(engine: Engine, uscc: str, list_type: str, listed_on: str) -> None:
    """A newly imported 信用记录 (CSV, as the 12315 / credit systems export it)."""
    header = "统一社会信用代码,名单类型,列入日期,事由,决定机关"
    text = f"{header}\n{uscc},{list_type},{listed_on},未按规定公示年报,某区市场监督管理局\n"
    outcome = import_files(engine, CLI_USER, [("信用记录.csv", text.encode("utf-8-sig"))], active_system(engine))[0]
    assert outcome.ok, outcome.lines()


def test_recognised_units_carry_their_validity(sample_db: Engine) -> None:
    ids = _recognise(sample_db)
    held = titles.titles(sample_db, LEADER, today=date(2026, 10, 1))
    assert set(held["id"]) == set(ids)
    assert set(held["state"]) == {"已认定"}
    assert set(held["recognised_on"]) == {RECOGNISED_ON}
    assert set(held["valid_until"]) == {date(2029, 9, 24)}
    assert set(held["validity"]) == {"有效"}
    soon = titles.titles(sample_db, LEADER, today=date(2029, 8, 1))
    assert set(soon["validity"]) == {"即将到期（54 天）"}
    assert titles.titles(sample_db, EV_SHANGCHENG).empty  # another 区县's titles are not shown


def test_a_new_veto_on_a_recognised_unit_raises_a_revocation_alert(sample_db: Engine) -> None:
    ids = _recognise(sample_db)
    assert titles.check_revocations(sample_db, LEADER, today=date(2026, 10, 20)) == 0
    uscc = str(review.cases(sample_db, ADMIN, ROUND).set_index("id").loc[ids[0], "uscc"])
    _credit_record(sample_db, uscc, "经营异常名录", "2026-10-15")

    assert titles.check_revocations(sample_db, LEADER, today=date(2026, 10, 20)) == 1
    assert titles.check_revocations(sample_db, LEADER, today=date(2026, 10, 21)) == 0  # raised once
    alerts = titles.alerts(sample_db, REVIEWER)
    assert list(alerts["uscc"]) == [uscc]
    assert alerts.iloc[0]["veto_text"] == "列入经营异常名录（2026-10-15）"
    assert titles.alerts(sample_db, EV_SHANGCHENG).empty
    assert len(titles.alerts(sample_db, EV_FUYANG)) == 1
    with session_scope(sample_db, write=False) as s:
        assert repo.list_audit(s, action="revocation_alert").iloc[0]["detail"]["uscc"] == uscc

    review.transition(sample_db, REVIEWER, [ids[0]], "revoke", "列入经营异常名录，依规摘牌")
    assert titles.alerts(sample_db, REVIEWER).empty
    closed = titles.alerts(sample_db, REVIEWER, open_only=False).iloc[0]
    assert closed["resolution"] == "已摘牌：列入经营异常名录，依规摘牌" and closed["resolved_by"] == "rev1"
    assert review.cases(sample_db, ADMIN, ROUND).set_index("id").loc[ids[0], "state"] == "摘牌"


def test_an_old_penalty_outside_the_window_raises_nothing(sample_db: Engine) -> None:
    ids = _recognise(sample_db)
    uscc = str(review.cases(sample_db, ADMIN, ROUND).set_index("id").loc[ids[0], "uscc"])
    _credit_record(sample_db, uscc, "行政处罚", "2025-10-01")  # more than 365 days before the check
    assert titles.check_revocations(sample_db, ADMIN, today=date(2026, 10, 20)) == 0


def test_an_alert_can_be_resolved_with_a_reason_by_a_city_reviewer(sample_db: Engine) -> None:
    ids = _recognise(sample_db)
    uscc = str(review.cases(sample_db, ADMIN, ROUND).set_index("id").loc[ids[0], "uscc"])
    _credit_record(sample_db, uscc, "失信被执行人", "2026-10-15")
    titles.check_revocations(sample_db, ADMIN, today=date(2026, 10, 20))
    alert_id = int(titles.alerts(sample_db, ADMIN).iloc[0]["id"])
    with pytest.raises(PermissionDenied):
        titles.resolve_alert(sample_db, EV_FUYANG, alert_id, "已核实")
    with pytest.raises(review.ReviewError, match="请填写理由"):
        titles.resolve_alert(sample_db, REVIEWER, alert_id, "")
    titles.resolve_alert(sample_db, REVIEWER, alert_id, "法院已撤销执行，记录有误")
    assert titles.alerts(sample_db, ADMIN).empty
    with pytest.raises(review.ReviewError, match="已于"):
        titles.resolve_alert(sample_db, REVIEWER, alert_id, "再次处理")


def test_expiry_after_three_years(sample_db: Engine) -> None:
    ids = _recognise(sample_db)
    assert titles.expire_due(sample_db, ADMIN, today=date(2029, 9, 24)) == 0
    assert sorted(titles.due_for_expiry(sample_db, ADMIN, today=date(2029, 9, 25))["id"]) == sorted(ids)
    with pytest.raises(PermissionDenied):
        titles.expire_due(sample_db, LEADER, today=date(2029, 9, 25))
    assert titles.expire_due(sample_db, REVIEWER, today=date(2029, 9, 25)) == len(ids)
    states = review.cases(sample_db, ADMIN, ROUND).set_index("id").loc[ids, "state"]
    assert set(states) == {"到期"}
    last = review.history(sample_db, ADMIN, ids[0]).iloc[-1]
    assert last["action"] == "到期" and "有效期" in last["reason"]
