"""Staff page: sign-in, then upload -> validate -> preview -> publish, history and rollback, audit log,
templates and boundary sets, one tab per section module (pages/staff_*.py). Page module: only defines render()
(see dashboard.py). Everything private sits behind the sign-in gate, checked on this page itself (R-14).
"""
from __future__ import annotations

import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline.store import Store
from pages.sections.staff_boundaries import boundaries_tab
from pages.sections.staff_records import audit_tab, history_tab, templates_tab
from pages.sections.staff_signin import (
    SESSION,
    current_session,
    method,
    not_configured,
    oidc_gate,
    password_form,
    sign_out,
)
from pages.sections.staff_upload import upload_tab

__all__ = ["SESSION", "render"]


def render() -> None:
    st.title(t("staff.title"))
    how = method()
    if how is None:
        not_configured()
        return
    if how == "oidc":
        session = oidc_gate()
    else:
        session = current_session()
        if session is None:
            if st.session_state.get("staff_notice"):
                st.warning(t(st.session_state["staff_notice"]))
            password_form()
    if session is None:
        return  # signed out: nothing private below this line

    st.caption(t("staff.signed_in_as", who=session["who"]))
    if st.button(t("staff.sign_out"), key="staff_sign_out", icon=":material/logout:"):
        Store().log("sign_out", who=session["who"], reason="signed out")
        sign_out()
        if how == "oidc":
            st.logout()
        st.rerun()
    upload, history, audit_log, templates, bsets = st.tabs(
        [t("staff.tab_upload"), t("staff.tab_history"), t("staff.tab_audit"), t("staff.tab_templates"),
         t("staff.tab_boundaries")])
    with upload:
        upload_tab(session)
    with history:
        history_tab(session)
    with audit_log:
        audit_tab()
    with templates:
        templates_tab()
    with bsets:
        boundaries_tab(session)


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
