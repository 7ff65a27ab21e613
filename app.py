"""放心消费创建评价系统 — router: page config, login gate, the menu the role may see, sidebar, error boundary."""

import streamlit as st

from ui import data, shell
from ui.i18n import t
from ui.session import current_user

st.set_page_config(page_title=t("app.title"), page_icon=":material/verified:", layout="wide")
try:
    engine = data.engine()
except data.SchemaNotReady as exc:  # migrations are a deployment step, never run by a page (docs/DEPLOY.md)
    st.title(t("app.title"))
    st.error(t("app.schema_outdated", current=exc.current or t("app.schema_empty"), head=exc.head or "—"))
    st.stop()
try:
    from ui import auth
except ImportError:  # the login module is not there yet: only an injected session user gets in
    auth = None  # type: ignore[assignment]

user = auth.signed_in_user(engine) if auth is not None else current_user()
if user is None:

    def sign_in() -> None:
        if auth is not None:
            auth.login_page(engine)
        else:
            st.title(t("app.title"))
            st.error(t("app.no_login"))

    shell.login_navigation(sign_in).run()
    st.stop()

page = shell.navigation(user)
shell.sidebar(engine, user)
shell.user_caption(user)
if auth is not None:
    auth.account_box(engine, user)
shell.show_flash()
shell.run_page(page)
