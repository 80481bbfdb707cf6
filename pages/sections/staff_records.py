"""Staff page, history, audit-log and templates tabs: releases and rollback, the audit log, blank templates.
Used by pages/staff.py."""
from __future__ import annotations

import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import contract, downloads, extracts, publishing
from leadsf.pipeline.store import PublishError, Store
from leadsf.site import staff as logic
from pages.sections.staff_signin import current_session


def history_tab(session: dict) -> None:
    store = Store()
    frame = logic.history_frame(store)
    if frame.empty:
        st.info(t("staff.no_releases"))
        return
    st.dataframe(frame, hide_index=True, width="stretch", key="staff_history")
    others = [int(v) for v in frame.loc[~frame["current"], "version"]]
    if not others:
        return
    st.subheader(t("staff.rollback_title"))
    target = st.selectbox(t("staff.rollback_to"), others, key="staff_rollback_target")
    confirm = st.checkbox(t("staff.rollback_confirm", version=target), key="staff_rollback_confirm")
    if st.button(t("staff.rollback"), disabled=not confirm, key="staff_rollback"):
        if current_session() is None:
            st.rerun()
        try:
            manifest = publishing.rollback(store, int(target), who=session["who"])
        except PublishError as exc:
            st.error(t("staff.rollback_failed", reason=str(exc)))
            return
        st.success(t("staff.rolled_back", version=manifest["version"]))


def audit_tab() -> None:
    frame = logic.audit_frame(Store())
    if frame.empty:
        st.info(t("staff.no_audit"))
        return
    st.dataframe(frame.head(500), hide_index=True, width="stretch", key="staff_audit")
    st.download_button(t("staff.download_audit"), downloads.to_csv(frame), file_name="audit_log.csv",
                       mime="text/csv", key="staff_audit_csv", icon=":material/download:")


def templates_tab() -> None:
    st.caption(t("staff.templates_help"))
    for kind in contract.EXTRACTS:
        st.download_button(t("staff.template", kind=kind), extracts.template(kind).encode("utf-8"),
                           file_name=f"{kind}_template.csv", mime="text/csv", key=f"staff_template_{kind}",
                           icon=":material/download:")
