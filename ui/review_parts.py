"""The review parts of the 示范单位候选 page (SPEC §5.7): cases, actions with a reason (bulk too),
history, 递补, recognised units with their validity, revocation alerts, 摘牌 and expiry."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring.engine.selection import WAITING
from scoring.services import review, titles
from scoring.services.context import PermissionDenied, UserContext, local_today
from scoring.services.runs import RoundResults
from ui import data, state, widgets
from ui.i18n import t
from ui.tables import label

CASE_COLUMNS = ["uscc", "name", "district", "industry", "total", "grade", "state", "updated_by", "updated_at"]


def _done(message: str) -> None:
    data.clear()
    state.flash("success", message)
    st.rerun()


def alerts_banner(user: UserContext) -> None:
    """Check credit records against 已认定 units, then show every open revocation alert."""
    titles.check_revocations(data.engine(), user)
    found = titles.alerts(data.engine(), user)
    raised = widgets.local_time(found["raised_at"]).dt.strftime("%Y-%m-%d")
    for alert, at in zip(found.to_dict("records"), raised, strict=True):
        text = t("review.alert", name=alert["name"], district=alert["district"], veto=alert["veto_text"], at=at)
        st.error(widgets.plain(text), icon=":material/warning:")


def _labelled(view: pd.DataFrame, own: tuple[str, ...]) -> pd.DataFrame:
    """Column labels: this page's own (review.col_*) or the shared result columns (col.*)."""
    return view.rename(columns=lambda c: t(f"review.col_{c}") if c in own else label(c))


def _case_view(cases: pd.DataFrame) -> pd.DataFrame:
    view = cases[CASE_COLUMNS].assign(updated_at=widgets.local_time(cases["updated_at"]))
    return _labelled(view, ("state", "updated_by", "updated_at"))


def cases_panel(user: UserContext, round_name: str, found: RoundResults) -> None:
    """Open review, pick cases (several for a bulk action), act with one written reason, see history."""
    engine = data.engine()
    cases = review.cases(engine, user, round_name)
    if cases.empty:
        widgets.empty(
            t("review.none") + " " + (t("review.next_open") if user.can("review_city") else t("review.next_wait"))
        )
        if user.can("review_city") and st.button(t("review.open"), type="primary", key="review_open"):
            _done(t("review.opened", n=review.open_review(engine, user, round_name)))
        return
    counts = cases["state"].value_counts()
    st.caption(" · ".join(f"{s} {int(counts[s])}" for s in review.STATES if s in counts))
    states = st.multiselect(t("review.filter_state"), list(counts.index), key="review_states")
    shown = cases[cases["state"].isin(states)] if states else cases
    event = st.dataframe(
        _case_view(shown), hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
        key="review_table", column_config={label("total"): st.column_config.NumberColumn(format="%.2f")},
    )  # fmt: skip
    picked = shown.iloc[[r for r in event.selection.rows if r < len(shown)]]
    if picked.empty:
        st.caption(t("review.select_hint"))
    else:
        _actions(user, picked)
        if len(picked) == 1:
            _history(user, int(picked["id"].iloc[0]))
    _nominate(user, round_name, found, set(cases["uscc"]))


def _actions(user: UserContext, picked: pd.DataFrame) -> None:
    """The actions allowed on every picked case, one reason for all of them."""
    allowed = None
    for case in picked.to_dict("records"):
        keys = [a.key for a in review.available_actions(user, case["state"], case["district"])]
        allowed = keys if allowed is None else [k for k in allowed if k in keys]
    if not allowed:
        st.info(t("review.no_action", n=len(picked)))
        return
    with st.form("review_action", clear_on_submit=True, border=True):
        st.markdown(t("review.acting_on", n=len(picked)))
        key = st.radio(t("review.action"), allowed, format_func=lambda k: review.ACTIONS[k].label, horizontal=True)
        reason = st.text_area(t("review.reason"), placeholder=t("review.reason_hint"), max_chars=review.MAX_REASON)
        on = st.date_input(t("review.on"), value=local_today(), help=t("review.on_help"))
        if st.form_submit_button(t("review.submit"), type="primary"):
            try:
                moved = review.transition(data.engine(), user, [int(i) for i in picked["id"]], key, reason, on=on)
            except (review.ReviewError, PermissionDenied) as exc:
                st.error(widgets.plain(str(exc)))
            else:
                _done(t("review.moved", n=moved, action=review.ACTIONS[key].label))


def _history(user: UserContext, case_id: int) -> None:
    events = review.history(data.engine(), user, case_id)
    st.markdown(t("review.history"))
    view = events[["at", "username", "action", "from_state", "to_state", "reason"]].assign(
        at=widgets.local_time(events["at"])
    )
    st.dataframe(view.rename(columns=lambda c: t(f"review.col_{c}")), hide_index=True, width="stretch")


def _nominate(user: UserContext, round_name: str, found: RoundResults, taken: set[str]) -> None:
    """递补: a 候补 of the latest run without a case enters review, with a reason."""
    if not (user.can("review_district") or user.can("review_city")):
        return
    waiting = found.candidates[(found.candidates["status"] == WAITING) & ~found.candidates["uscc"].isin(taken)]
    if waiting.empty:
        return
    with st.expander(t("review.nominate"), icon=":material/person_add:"):
        waiting = waiting.sort_values(["district", "industry", "waitlist_no"])
        options = {
            r["uscc"]: t("review.nominee", name=r["name"], district=r["district"], place=int(r["waitlist_no"]))
            for r in waiting.to_dict("records")
        }
        uscc = st.selectbox(t("review.nominee_pick"), list(options), format_func=options.get, key="nominee")
        reason = st.text_input(t("review.reason"), key="nominate_reason")
        if st.button(t("review.nominate_submit"), key="nominate_go"):
            try:
                review.nominate(data.engine(), user, round_name, str(uscc), reason)
            except (review.ReviewError, PermissionDenied) as exc:
                st.error(widgets.plain(str(exc)))
            else:
                _done(t("review.nominated", name=options[uscc]))


def titles_panel(user: UserContext) -> None:
    """已认定 units with 有效期, expiry of those past it, and resolution of revocation alerts."""
    engine = data.engine()
    held = titles.titles(engine, user)
    if held.empty:
        widgets.empty(t("review.no_titles"))
    else:
        own = ("state", "recognised_on", "valid_until", "validity")
        view = _labelled(held[["uscc", "name", "district", "industry", "grade", *own]], own)
        st.dataframe(view, hide_index=True, width="stretch")
    due = titles.due_for_expiry(engine, user)
    if not due.empty:
        st.warning(t("review.due", n=len(due)))
        if user.can("review_city") and st.button(t("review.expire"), key="expire_due"):
            _done(t("review.expired", n=titles.expire_due(engine, user)))
    open_alerts = titles.alerts(engine, user)
    if open_alerts.empty or not user.can("review_city"):
        return
    st.markdown(t("review.alerts"))
    labels = {int(a["id"]): f"{a['name']} · {a['veto_text']}" for a in open_alerts.to_dict("records")}
    with st.form("resolve_alert", clear_on_submit=True):
        alert_id = st.selectbox(t("review.alert_pick"), list(labels), format_func=labels.get)
        st.caption(t("review.alert_help"))
        reason = st.text_input(t("review.reason"))
        if st.form_submit_button(t("review.resolve")):
            try:
                titles.resolve_alert(engine, user, int(alert_id), reason)
            except (review.ReviewError, PermissionDenied) as exc:
                st.error(widgets.plain(str(exc)))
            else:
                _done(t("review.resolved"))
