"""Page module: only defines render() (see dashboard.py)."""
import streamlit as st

from leadsf.i18n import t


def render() -> None:
    st.title(t("nav.property_crime"))
    st.info(t("ui.no_release"))
