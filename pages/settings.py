"""活动设置 (SPEC §1, §5.4, §8): city and year, score threshold, quotas per 区县 and per 区县 × 行业,
公示期 and objection channel. One form, saved explicitly; every problem is listed at once."""

import streamlit as st

from scoring.services import campaign_form
from ui import data, state, widgets
from ui.i18n import t

user = state.require_user()
st.title(t("settings.title"))
if not user.can("manage_campaign"):
    st.error(t("settings.denied"))
    st.stop()
engine = data.engine()
form = campaign_form.load_form(engine, user)
text, pick = st.column_config.TextColumn, st.column_config.SelectboxColumn
with st.form("campaign_settings", border=False):
    c1, c2, c3 = st.columns(3)
    city = c1.text_input(t("settings.city"), form.city, placeholder=t("settings.city_hint"))
    year = c2.text_input(t("settings.year"), form.year, placeholder=t("settings.year_hint"), max_chars=4)
    threshold = c3.number_input(t("settings.threshold"), 0.0, campaign_form.MAX_THRESHOLD, form.threshold, 0.5,
                                placeholder=t("settings.threshold_hint"))  # fmt: skip
    st.subheader(t("settings.notice"))
    c4, c5 = st.columns(2)
    start = c4.date_input(t("settings.notice_start"), form.notice_start, format="YYYY-MM-DD")
    end = c5.date_input(t("settings.notice_end"), form.notice_end, format="YYYY-MM-DD")
    channel = st.text_area(t("settings.channel"), form.objection_channel, placeholder=t("settings.channel_hint"))
    st.subheader(t("settings.quotas"))
    st.caption(t("settings.quota_help"))
    quota = text(t("settings.col_quota"), validate=r"^\s*\d*\s*$", help=t("settings.quota_blank"))
    per_district = st.data_editor(
        form.district_quotas, key="quota_district", hide_index=True, disabled=["district"],
        column_config={"district": t("settings.col_district"), "quota": quota},
    )  # fmt: skip
    st.caption(t("settings.pair_help"))
    per_pair = st.data_editor(
        form.industry_quotas, key="quota_pair", hide_index=True, num_rows="dynamic",
        column_config={
            "district": pick(t("settings.col_district"), options=list(form.district_quotas["district"])),
            "industry": pick(t("settings.col_industry"), options=list(campaign_form.INDUSTRIES)),
            "quota": quota,
        },
    )  # fmt: skip
    saved = st.form_submit_button(t("settings.save"), type="primary", icon=":material/save:")
if saved:
    edited = campaign_form.SettingsForm(
        city,
        year,
        threshold,
        start or None,
        end or None,
        channel,
        per_district,
        per_pair,  # type: ignore[arg-type]
    )
    try:
        campaign_form.save_form(engine, user, edited)
    except campaign_form.SettingsError as exc:
        st.error(t("settings.problems", n=len(exc.problems)))
        st.markdown("\n".join(f"- {widgets.plain(p)}" for p in exc.problems))
    else:
        data.clear()
        state.flash("success", t("settings.saved"))
        st.rerun()
