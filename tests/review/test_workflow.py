"""Review workflow (SPEC §5.7): each transition only by its permitted role, with a written reason,
an audit row and a history row; illegal transitions refused with a Chinese message."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine

from scoring.services import notice, review
from scoring.services.context import PermissionDenied, UserContext
from scoring.services.runs import run_scoring
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from tests.review.conftest import (
    ADMIN,
    EV_FUYANG,
    EV_SHANGCHENG,
    EVERYONE,
    LEADER,
    REVIEWER,
    ROUND,
    configure,
)

# Who may take each action on a unit of 富阳区 (the table of scoring.services.review, by hand).
DISTRICT_LEVEL = {ADMIN.username, EV_FUYANG.username}
CITY_LEVEL = {ADMIN.username, REVIEWER.username}
ALLOWED = {
    "district_approve": DISTRICT_LEVEL,
    "district_return": DISTRICT_LEVEL,
    "resubmit": DISTRICT_LEVEL,
    "city_approve": CITY_LEVEL,
    "city_return": CITY_LEVEL,
    "publish": CITY_LEVEL,
    "recognise": CITY_LEVEL,
    "revoke": CITY_LEVEL,
    "expire": CITY_LEVEL,
}
# A path of admin actions that brings a fresh case into each action's first source state.
PATH_TO = {
    "待审核": [],
    "区县审核通过": ["district_approve"],
    "区县退回": ["district_return"],
    "市级审核通过": ["district_approve", "city_approve"],
    "公示中": ["district_approve", "city_approve", "publish"],
    "已认定": ["district_approve", "city_approve", "publish", "recognise"],
}
AFTER_NOTICE = date(2026, 9, 25)  # the sample settings' 公示期 ends 2026-09-24
AFTER_VALIDITY = date(2029, 9, 25)  # recognised 2026-09-25 → valid up to 2029-09-24


def _case(engine: Engine, district: str = "富阳区", n: int = 0) -> int:
    cases = review.cases(engine, ADMIN, ROUND)
    return int(cases[cases["district"] == district]["id"].iloc[n])


def _state(engine: Engine, case_id: int) -> str:
    cases = review.cases(engine, ADMIN, ROUND)
    return str(cases.set_index("id").loc[case_id, "state"])


def _advance(engine: Engine, case_id: int, state: str) -> None:
    for key in PATH_TO[state]:
        review.transition(engine, ADMIN, [case_id], key, f"推进到{state}", on=AFTER_NOTICE)


def test_open_review_creates_a_pending_case_per_selected_candidate(sample_db: Engine) -> None:
    for user in (EV_FUYANG, LEADER):
        with pytest.raises(PermissionDenied, match="无权"):
            review.open_review(sample_db, user, ROUND)
    assert review.open_review(sample_db, REVIEWER, ROUND) == 25  # the sample's 入选 without quotas
    assert review.open_review(sample_db, REVIEWER, ROUND) == 0  # opened once
    cases = review.cases(sample_db, ADMIN, ROUND)
    assert set(cases["state"]) == {"待审核"}
    assert len(review.history(sample_db, ADMIN, int(cases["id"].iloc[0]))) == 1


@pytest.mark.parametrize("action", list(ALLOWED))
def test_each_transition_only_by_its_permitted_role(sample_db: Engine, action: str) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    source = review.ACTIONS[action].sources[0]
    on = AFTER_VALIDITY if action == "expire" else AFTER_NOTICE
    for n, user in enumerate(EVERYONE):  # a fresh 富阳区 case per user
        case_id = _case(sample_db, n=n)
        _advance(sample_db, case_id, source)
        if user.username in ALLOWED[action]:
            assert review.transition(sample_db, user, [case_id], action, "经核实，同意", on=on) == 1
            assert _state(sample_db, case_id) == review.ACTIONS[action].target
        else:
            with pytest.raises(PermissionDenied) as refused:
                review.transition(sample_db, user, [case_id], action, "经核实，同意", on=on)
            assert "无权" in str(refused.value) or "只能办理本区县" in str(refused.value)
            assert _state(sample_db, case_id) == source


def test_final_states_use_a_new_case(sample_db: Engine) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    first, second = _case(sample_db, n=0), _case(sample_db, n=1)
    _advance(sample_db, first, "已认定")
    _advance(sample_db, second, "已认定")
    review.transition(sample_db, REVIEWER, [first], "revoke", "发现严重违法行为")
    review.transition(sample_db, ADMIN, [second], "expire", "有效期届满", on=AFTER_VALIDITY)
    assert (_state(sample_db, first), _state(sample_db, second)) == ("摘牌", "到期")
    for key in review.ACTIONS:  # nothing leaves 摘牌 or 到期
        with pytest.raises(review.ReviewError, match="当前状态为"):
            review.transition(sample_db, ADMIN, [first], key, "试图恢复", on=AFTER_VALIDITY)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_written_reason_is_required(sample_db: Engine, reason: str | None) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    case_id = _case(sample_db)
    events = len(review.history(sample_db, ADMIN, case_id))
    with pytest.raises(review.ReviewError, match="请填写理由"):
        review.transition(sample_db, ADMIN, [case_id], "district_approve", reason)
    assert _state(sample_db, case_id) == "待审核"
    assert len(review.history(sample_db, ADMIN, case_id)) == events


def test_audit_and_history_rows_are_written(sample_db: Engine) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    case_id = _case(sample_db)
    review.transition(sample_db, EV_FUYANG, [case_id], "district_approve", "材料齐全，现场复核合格")
    history = review.history(sample_db, REVIEWER, case_id)
    last = history.iloc[-1]
    assert (last["from_state"], last["to_state"], last["username"], last["role"]) == (
        "待审核", "区县审核通过", "ev-fy", "evaluator",
    )  # fmt: skip
    assert last["reason"] == "材料齐全，现场复核合格"
    with session_scope(sample_db, write=False) as s:
        audit = repo.list_audit(s, action="review")
    entry = audit.iloc[0]
    assert entry["user"] == "ev-fy"
    assert entry["detail"]["case_id"] == case_id
    assert (entry["detail"]["from"], entry["detail"]["to"]) == ("待审核", "区县审核通过")
    assert entry["detail"]["reason"] == "材料齐全，现场复核合格"


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        ("待审核", "city_approve", "当前状态为“待审核”，不能“市级审核通过”"),
        ("待审核", "publish", "当前状态为“待审核”"),
        ("区县审核通过", "district_approve", "当前状态为“区县审核通过”"),
        ("市级审核通过", "recognise", "只适用于“公示中”状态"),
        ("公示中", "revoke", "当前状态为“公示中”，不能“摘牌”"),
        ("区县退回", "city_approve", "当前状态为“区县退回”"),
    ],
)
def test_illegal_transitions_are_refused(sample_db: Engine, state: str, action: str, message: str) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    case_id = _case(sample_db)
    _advance(sample_db, case_id, state)
    with pytest.raises(review.ReviewError, match=message):
        review.transition(sample_db, ADMIN, [case_id], action, "越级操作", on=AFTER_NOTICE)
    assert _state(sample_db, case_id) == state


def test_dates_guard_publication_recognition_and_expiry(sample_db: Engine) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    case_id = _case(sample_db)
    _advance(sample_db, case_id, "市级审核通过")
    configure(sample_db, notice_start="", notice_end="")
    with pytest.raises(review.ReviewError, match="请先在活动设置中填写公示期"):
        review.transition(sample_db, ADMIN, [case_id], "publish", "进入公示")
    configure(sample_db)
    review.transition(sample_db, ADMIN, [case_id], "publish", "进入公示")
    with pytest.raises(review.ReviewError, match="公示期至 2026-09-24，期满后才能认定"):
        review.transition(sample_db, ADMIN, [case_id], "recognise", "公示无异议", on=date(2026, 9, 24))
    review.transition(sample_db, ADMIN, [case_id], "recognise", "公示无异议", on=AFTER_NOTICE)
    with pytest.raises(review.ReviewError, match="有效期至 2029-09-24，尚未到期"):
        review.transition(sample_db, ADMIN, [case_id], "expire", "到期", on=date(2029, 9, 24))


def test_bulk_action_is_all_or_nothing_with_one_reason(sample_db: Engine) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    cases = review.cases(sample_db, ADMIN, ROUND)
    fuyang = [int(i) for i in cases[cases["district"] == "富阳区"]["id"]]
    others = [int(i) for i in cases[cases["district"] != "富阳区"]["id"]]
    with pytest.raises(PermissionDenied, match="只能办理本区县"):
        review.transition(sample_db, EV_FUYANG, [*fuyang, others[0]], "district_approve", "批量通过")
    assert set(review.cases(sample_db, ADMIN, ROUND)["state"]) == {"待审核"}  # nothing moved
    assert review.transition(sample_db, EV_FUYANG, fuyang, "district_approve", "批量通过") == len(fuyang)
    batches = {review.history(sample_db, ADMIN, i).iloc[-1]["batch"] for i in fuyang}
    reasons = {review.history(sample_db, ADMIN, i).iloc[-1]["reason"] for i in fuyang}
    assert len(batches) == 1 and None not in batches and reasons == {"批量通过"}


def test_evaluators_see_only_their_own_district(sample_db: Engine) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    assert set(review.cases(sample_db, EV_SHANGCHENG, ROUND)["district"]) == {"上城区"}
    other = _case(sample_db, "富阳区")
    with pytest.raises(review.ReviewError, match="未找到审核记录"):
        review.history(sample_db, EV_SHANGCHENG, other)
    assert len(review.cases(sample_db, LEADER, ROUND)) == 25


def test_available_actions_follow_the_role_table() -> None:
    def keys(user: UserContext, state: str, district: str = "富阳区") -> list[str]:
        return [a.key for a in review.available_actions(user, state, district)]

    assert keys(EV_FUYANG, "待审核") == ["district_approve", "district_return"]
    assert keys(EV_SHANGCHENG, "待审核") == []
    assert keys(REVIEWER, "待审核") == []
    assert keys(REVIEWER, "区县审核通过") == ["city_approve", "city_return"]
    assert keys(ADMIN, "已认定") == ["revoke", "expire"]
    assert keys(LEADER, "已认定") == []


def test_nominate_from_the_waiting_list(sample_db: Engine) -> None:
    configure(sample_db, industry_quotas=[("富阳区", "餐饮", 0)])  # the 富阳区 餐饮 unit becomes 候补 1
    run_scoring(sample_db, ADMIN, ROUND)
    review.open_review(sample_db, ADMIN, ROUND)
    waiting = "91330111AC2F8GL67K"
    assert waiting not in set(review.cases(sample_db, ADMIN, ROUND)["uscc"])
    with pytest.raises(PermissionDenied, match="无权"):
        review.nominate(sample_db, LEADER, ROUND, waiting, "递补")
    with pytest.raises(review.ReviewError, match="不在您的查看范围内"):  # another 区县's unit is invisible
        review.nominate(sample_db, EV_SHANGCHENG, ROUND, waiting, "递补")
    with pytest.raises(review.ReviewError, match="请填写理由"):
        review.nominate(sample_db, EV_FUYANG, ROUND, waiting, " ")
    with pytest.raises(review.ReviewError, match="不能递补"):
        review.nominate(sample_db, ADMIN, ROUND, "91330113L49UAGWL0H", "递补")  # 不符合（问卷不足）
    assert review.nominate(sample_db, EV_FUYANG, ROUND, waiting, "原入选单位退出，按候补顺序递补") == 1
    with pytest.raises(review.ReviewError, match="已有审核记录"):
        review.nominate(sample_db, ADMIN, ROUND, waiting, "再次递补")
    case = review.cases(sample_db, ADMIN, ROUND).set_index("uscc").loc[waiting]
    assert bool(case["nominated"]) and case["state"] == "待审核"
    for key in ("district_approve", "city_approve"):
        review.transition(sample_db, ADMIN, [int(case["id"])], key, "同意")
    doc = notice.notice_document(sample_db, REVIEWER, ROUND, public=True)
    assert doc.rows.set_index("uscc").loc[waiting, "note"] == "递补"


def test_cases_frame_columns(sample_db: Engine) -> None:
    review.open_review(sample_db, ADMIN, ROUND)
    cases = review.cases(sample_db, ADMIN, ROUND)
    assert {"id", "uscc", "name", "district", "industry", "total", "grade", "state"} <= set(cases.columns)
    assert pd.api.types.is_float_dtype(cases["total"])
