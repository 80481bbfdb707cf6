"""Entry point and router: `streamlit run dashboard.py`.

Page modules only define render(), so a deep link on a freshly started server (Streamlit's legacy pages/
mode) cannot run one directly; the staff page also checks sign-in itself.
"""
import streamlit as st

from leadsf import ui
from leadsf.i18n import t
from pages import (about, area_profile, engagement, home, maps, overdoses, property_crime, referrals,
                   staff)
from pages import cost, outcomes

st.set_page_config(page_title="LEAD Santa Fe", page_icon=":material/monitoring:", layout="wide",
                   initial_sidebar_state="auto")
ui.choose_language()

public = [
    st.Page(home.render, title=t("nav.home"), icon=":material/home:", url_path="home", default=True),
    st.Page(referrals.render, title=t("nav.referrals"), icon=":material/call_split:", url_path="referrals"),
    st.Page(engagement.render, title=t("nav.engagement"), icon=":material/diversity_3:", url_path="engagement"),
    st.Page(overdoses.render, title=t("nav.overdoses"), icon=":material/emergency:", url_path="overdoses"),
    st.Page(property_crime.render, title=t("nav.property_crime"), icon=":material/home_work:",
            url_path="property-crime"),
    st.Page(maps.render, title=t("nav.maps"), icon=":material/map:", url_path="maps"),
    st.Page(area_profile.render, title=t("nav.area_profile"), icon=":material/location_on:",
            url_path="area"),
    st.Page(outcomes.render, title=t("nav.outcomes"), icon=":material/query_stats:", url_path="outcomes"),
    st.Page(cost.render, title=t("nav.cost"), icon=":material/payments:", url_path="cost"),
    st.Page(about.render, title=t("nav.about"), icon=":material/info:", url_path="about"),
]
# Staff reach /staff directly; it is listed in the menu only for a signed-in staff session, and the page
# checks sign-in itself, so it shows nothing private to anyone else.
signed_in = bool(st.session_state.get(staff.SESSION))
staff_pages = [st.Page(staff.render, title=t("nav.staff"), icon=":material/lock:", url_path="staff",
                       visibility="visible" if signed_in else "hidden")]
page = st.navigation({t("nav.explore"): public, t("nav.staff_section"): staff_pages})
ui.sidebar(ui.release())
page.run()
