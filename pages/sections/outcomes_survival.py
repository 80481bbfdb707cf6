"""Outcomes page, time to re-arrest: the log-rank statement, the Kaplan-Meier curves with their table and CSV,
the medians, the share not re-arrested at 6, 12 and 24 months, and the method. The view is
leadsf.site.survival_views; a release without a life table says so."""
from __future__ import annotations

import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline.db import PublicRelease
from leadsf.site import survival_views, ui


def render(rel: PublicRelease) -> None:
    st.header(t("survival.title"))
    view = survival_views.view()
    if view is None:
        ui.empty_state("survival.no_table")
        return
    st.markdown(t("survival.intro", span=view["span"]))
    with st.container(border=True, key="survival_statement"):
        st.markdown(view["statement"])
    ui.draw_chart(view["chart"], key="survival_curves", filename="lead-santa-fe-time-to-rearrest",
                  source_key="survival.source", rel=rel)
    st.subheader(t("survival.medians_title"))
    st.markdown("\n".join(f"- {line}" for line in view["medians"]))
    st.subheader(t("survival.shares_title"))
    with st.container(key="survival_shares"):
        ui.text_table(view["shares"])
    st.caption(t("survival.shares_note"))
    with st.expander(t("survival.method_title")):
        st.markdown(t("survival.method"))
