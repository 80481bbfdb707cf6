"""Entry point and router: `streamlit run dashboard.py`. The pages and their order are leadsf.site.nav.PAGES.

Page modules only define render(), so a deep link on a freshly started server (Streamlit's legacy pages/
mode) cannot run one directly; the staff page also checks sign-in itself.
"""
import importlib

import streamlit as st

from leadsf.i18n import t
from leadsf.site import nav, ui

st.set_page_config(page_title="LEAD Santa Fe", page_icon=nav.tab_icon(), layout="wide", initial_sidebar_state="auto")
ui.tune_process()
release = ui.begin_run()
ui.choose_language()

# Staff reach /staff directly; it is listed in the menu only for a signed-in staff session, and the page
# checks sign-in itself, so it shows nothing private to anyone else.
signed_in = bool(st.session_state.get(nav.STAFF_SESSION))


def staff_page() -> None:
    """The staff page's module loads the publishing pipeline (validation, suppression, cohorts), so it is
    imported when the staff page runs, not for every visitor of a process that routes it (make run)."""
    importlib.import_module("pages.staff").render()


pages = {spec.key: st.Page(importlib.import_module(f"pages.{spec.module}").render if spec.public else staff_page,
                           title=t(f"nav.{spec.key}"),
                           icon=spec.icon, url_path=spec.url_path, default=spec is nav.DEFAULT,
                           visibility="visible" if spec.public or signed_in else "hidden")
         for spec in nav.routed()}
home = pages[nav.DEFAULT.key]
# /home is where many visitors look for the home page; Streamlit serves the default page at "/" only.
alias = st.Page(lambda: st.switch_page(home, query_params=st.query_params.to_dict()), title=t("nav.home"),
                url_path=nav.HOME_ALIAS, visibility="hidden")
# One flat list: with sections, Streamlit puts the section headers (<div>) inside the menu's <ul>, which
# screen readers announce as a broken list (axe `list`, serious).
page = st.navigation([*pages.values(), alias], expanded=True)
ui.sidebar(release)
page.run()
