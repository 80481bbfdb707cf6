"""A page with one of each defect the crawl must catch (tests/e2e/test_crawl.py runs it on its own server)."""
import plotly.graph_objects as go
import streamlit as st

st.title("Canary")
st.plotly_chart(go.Figure(layout={"title": {"text": "no data"}}))
st.plotly_chart(go.Figure([go.Scatter(x=["2025"], y=[v], mode="lines+markers", name=n)
                           for n, v in (("a", 12), ("b", 30), ("c", 41))], layout={"title": {"text": "one dot each"}}))
st.plotly_chart(go.Figure([go.Scatter(x=[1, 2, 3, 4], y=[12, None, 14, None], mode="lines+markers", name="count"),
                           go.Scatter(x=[2, 4], y=[0, 0], mode="markers", name="suppressed")],
                          layout={"title": {"text": "two dots two gaps"}}))
st.plotly_chart(go.Figure([go.Scatter(x=[1, 2, 3], y=[12, 14, 15], mode="lines", name="fine")],
                          layout={"title": {"text": "a line"}}))
st.columns(6)[0].metric("A metric label far too long for a sixth of the page", "suppressed")
st.html('<img src="http://foreign.invalid/pixel.png" alt="">')
st.html("<script>console.error('canary error')</script>", unsafe_allow_javascript=True)
st.markdown('<img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=" width="40" height="40">',
            unsafe_allow_html=True)  # no alt text
