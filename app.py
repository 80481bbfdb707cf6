"""`make run`: the dashboard (dashboard.py) plus what nginx adds in production (deploy/): the open-data
addresses at /data/, robots.txt, and the page head with the site's title, description and the feeds' links
(leadsf.site.data_route), as Streamlit 1.67's st.App: `streamlit run app.py` finds `app` and serves it.
Production runs dashboard.py itself behind nginx."""
import streamlit as st
from starlette.middleware import Middleware

from deploy import site
from leadsf.site import data_route

data_route.build_tree()
app = st.App("dashboard.py", middleware=[
    Middleware(data_route.DataAddresses),
    Middleware(data_route.Robots, text=site.ROBOTS.read_text(encoding="utf-8")),
    Middleware(data_route.HeadLinks, head=site.page_head())])
