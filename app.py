"""`make run`: the dashboard (dashboard.py) plus what nginx adds in production (deploy/): the open-data
addresses at /data/, robots.txt, and the page head with the site's title, description and the feeds' links
(leadsf.site.data_route), as Streamlit 1.67's st.App: `streamlit run app.py` finds `app` and serves it.
Production runs dashboard.py itself behind nginx.

Before it serves anyone, an empty store gets the bundled sample and an older store its /data/ tree
(leadsf.pipeline.publishing.start, as deploy/serve.py and the systemd unit do): no visitor's page run publishes."""
import logging

import streamlit as st
from starlette.middleware import Middleware

from deploy import site
from leadsf.pipeline import publishing
from leadsf.site import data_route

try:
    publishing.start()
except Exception:  # noqa: BLE001 - the site still runs: its pages say nothing is published, /data/ answers 404
    logging.getLogger("app").exception("start: could not publish the sample or build the /data/ tree")
app = st.App("dashboard.py", middleware=[
    Middleware(data_route.DataAddresses),
    Middleware(data_route.Robots, text=site.ROBOTS.read_text(encoding="utf-8")),
    Middleware(data_route.HeadLinks, head=site.page_head())])
