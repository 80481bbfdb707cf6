"""`make run`: the dashboard (dashboard.py) plus the open-data addresses at /data/ and the feeds' links in the
page head (leadsf.site.data_route), as Streamlit 1.67's st.App: `streamlit run app.py` finds `app` and serves
it. Production runs dashboard.py itself behind nginx, which serves /data/ and adds the links (deploy/)."""
import streamlit as st
from starlette.middleware import Middleware

from leadsf.site import data_route

data_route.build_tree()
app = st.App("dashboard.py", middleware=[Middleware(data_route.DataAddresses), Middleware(data_route.HeadLinks)])
