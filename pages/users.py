"""用户管理 (admin): accounts, roles, 区县 scope, deactivation, password resets — every change audited."""

import streamlit as st

from scoring.auth import accounts
from scoring.services.context import ROLE_LABELS
from ui import data, state
from ui.i18n import t

user = state.require_user()
engine = data.engine()
st.title(t("users.title"))
found = accounts.list_users(engine, user)
st.dataframe(accounts.accounts_frame(found), hide_index=True, width="stretch")
districts = accounts.district_choices(engine)
roles = list(accounts.ROLES)
create, edit, reset = st.tabs([t("users.tab_create"), t("users.tab_edit"), t("users.tab_reset")])
with create, st.form("user_create", clear_on_submit=True):
    name = st.text_input(t("users.username"))
    role = st.selectbox(t("users.role"), roles, format_func=ROLE_LABELS.get)
    district = st.selectbox(t("users.district"), [None, *districts], format_func=lambda d: d or t("users.all"))
    if st.form_submit_button(t("users.create"), type="primary"):
        try:
            password = accounts.create_user(engine, user, name, role, district=district)
            st.success(t("users.created", name=name, password=password))
        except (accounts.AccountError, PermissionError) as exc:
            st.error(str(exc))
with edit, st.form("user_edit"):
    target = st.selectbox(t("users.username"), [a.username for a in found])
    current = next((a for a in found if a.username == target), None)
    new_role = st.selectbox(t("users.role"), roles, format_func=ROLE_LABELS.get,
                            index=roles.index(current.role) if current else 0)  # fmt: skip
    new_district = st.selectbox(t("users.district"), [None, *districts], format_func=lambda d: d or t("users.all"))
    active = st.checkbox(t("users.active"), value=current.active if current else True)
    if st.form_submit_button(t("users.save")):
        try:
            accounts.update_user(engine, user, target, role=new_role, district=new_district, active=active)
            state.flash("success", t("users.saved", name=target))
            st.rerun()
        except (accounts.AccountError, PermissionError) as exc:
            st.error(str(exc))
with reset, st.form("user_reset"):
    target = st.selectbox(t("users.username"), [a.username for a in found], key="reset_target")
    if st.form_submit_button(t("users.reset")):
        try:
            password = accounts.random_password()
            accounts.set_password(engine, user, target, password)
            st.success(t("users.reset_done", name=target, password=password))
        except (accounts.AccountError, PermissionError) as exc:
            st.error(str(exc))
