"""Every view says something (issue 12), through AppTest on the sample release: trend charts show a trend over
the whole published history with the selected period shaded, time axes run in time order, a block with
nothing published says why and offers what to try instead, and the area profile opens on a covered area."""
from __future__ import annotations

import base64
import json
import math

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from leadsf.pipeline.db import open_release
from leadsf.site import charts
from leadsf.stats import highlights as hl
from tests.site.test_pages_public import run_page as run

MEASURE_PAGES = ("referrals", "engagement", "overdoses", "property_crime")
ALL_PAGES = ("home", *MEASURE_PAGES, "area_profile")


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def title(fig: dict) -> str:
    return fig["layout"].get("title", {}).get("text", "").replace("<br>", " ")


def lines(fig: dict) -> list[dict]:
    return [tr for tr in fig["data"] if tr.get("type") == "scatter" and "lines" in tr.get("mode", "")]


def values(v) -> list:
    """A trace's array as a list, NaN as None: plotly sends numpy arrays as base64 typed arrays."""
    if isinstance(v, dict) and "bdata" in v:
        v = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return [None if x is None or (isinstance(x, float) and math.isnan(x)) else x for x in v]


def points(trace: dict) -> int:
    return sum(y is not None for y in values(trace["y"]))


def shaded(fig: dict) -> bool:
    return any(s.get("type") == "rect" for s in fig["layout"].get("shapes", []))


@pytest.fixture
def rel(store):
    return open_release(store, store.current())


@pytest.mark.parametrize("page", MEASURE_PAGES)
def test_default_trends_show_the_history_with_the_period_shaded(sample, page):
    """Default period (last 12 months): every over-time chart still draws at least 4 points on a line, and
    the selected 12 months are shaded; the headline cards answer for the 12 months."""
    at = run(page)
    trends = [f for f in figures(at) if lines(f) and shaded(f)]
    assert trends, f"no shaded trend chart on {page}"
    for fig in trends:
        assert max(points(tr) for tr in lines(fig)) >= 4, title(fig)
        rect = next(s for s in fig["layout"]["shapes"] if s.get("type") == "rect")
        assert str(rect["x0"]).startswith("2025-01-01") and str(rect["x1"]).startswith("2026-01-01")
    assert any("January 2025 to December 2025" in c.value for c in at.caption)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_time_axes_run_in_time_order(sample, page):
    at = run(page)
    for fig in figures(at):
        for trace in lines(fig):
            xs = [x for x in values(trace["x"]) if x is not None]
            assert xs == sorted(xs) and len(set(xs)) == len(xs), (title(fig), trace.get("name"))
        if lines(fig):
            assert fig["layout"]["xaxis"].get("type") == "date", title(fig)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_titles_are_ours_and_never_doubled_bold(sample, page):
    """Streamlit's theme wraps a title in <b> on every redraw: our charts are drawn without it."""
    at = run(page)
    for el in at.get("plotly_chart"):
        assert el.proto.theme != "streamlit"
        text = title(json.loads(el.proto.spec))
        assert "<b>" not in text and text


def test_county_state_chart_in_time_order_unit():
    """The years of the county line and the state lines come in any order (state rows first appear for
    2014-2017 and 2022-2023): each line is drawn in ascending time."""
    years = ["2014", "2015", "2016", "2017", "2022", "2023", "2018", "2019", "2020", "2021", "2024", "2025"]
    frame = pd.DataFrame({"year": years + ["2023", "2014", "2019"],
                          "series": ["county"] * len(years) + ["state"] * 3,
                          "rate": list(range(len(years))) + [1.0, 2.0, 3.0]})
    fig = charts.compare_lines(frame, x="year", y="rate", series="series", title="t", y_title="y")
    for trace in fig.data:
        xs = list(trace.x)
        assert xs == sorted(xs), trace.name
    assert fig.layout.xaxis.type == "date"
    county = next(tr for tr in fig.data if tr.name == "county")
    # the values follow their years: 2018 (index 6 in the input) is drawn fifth
    assert list(county.y)[4] == 6


def test_county_state_chart_on_the_page(sample):
    at = run("overdoses")
    state = [f for f in figures(at) if len(lines(f)) >= 2 and not shaded(f)]
    assert state, "no county/state chart"
    for trace in lines(state[-1]):
        xs = [x for x in values(trace["x"]) if x is not None]
        assert xs == sorted(xs), trace["name"]


def test_empty_block_says_why_and_offers_what_to_try(store, rel):
    """Referrals by area are not published for the last 12 months: the block says so and offers the latest
    year that is published by area; the button sets the period filter and the chart appears."""
    at = run("referrals")
    assert any("Referrals by area are not published for this period" in i.value for i in at.info)
    offer = at.button(key="offer_referrals_no_area_0")
    latest = rel.con.execute("select max(period) from referrals where area_id <> 'city' and period_type = 'year' "
                             "and pathway = 'all' and agency = 'all' and not withheld").fetchone()[0]
    assert offer.label == f"Show {latest}, the latest year published"
    offer.click().run()
    assert not at.exception
    assert at.query_params["period"] in ("years", ["years"])
    assert at.selectbox(key="filter_from").value == latest == at.selectbox(key="filter_to").value
    assert not any("Referrals by area are not published" in i.value for i in at.info)
    assert any(title(f).startswith("Referrals in the period, by area") for f in figures(at))


def test_empty_trend_offers_the_whole_area(store, monkeypatch):
    """A trend with no published value at all says so and offers the whole area."""
    from leadsf.site import ui

    real = ui.query

    def no_counts(name, **params):
        rows = real(name, **params)
        if name == "engagement_window" and params.get("area") != "*":
            rows = rows.assign(count=pd.NA, withheld=True)
        return rows

    monkeypatch.setattr(ui, "query", no_counts)
    at = run("engagement", {"area": "87501"})
    assert any("No published numbers match these filters" in i.value for i in at.info)
    at.button(key="offer_ui_empty_0").click().run()
    assert at.selectbox(key="filter_area").value == "city"


def test_area_profile_opens_on_the_best_covered_area(store, rel):
    at = run("area_profile")
    coverage = rel.run("profile_coverage", measures="referrals.all,engagement.engaged_case_management,"
                                                  "overdoses.nonfatal_ed,property_crime.all")
    assert at.selectbox(key="profile_area").value == coverage["area_id"].iloc[0]
    assert coverage["published"].iloc[0] > 0
    figs = figures(at)
    assert len(figs) == len(at.subheader)  # every domain draws its chart: none is empty
    for fig in figs:
        drawn = [tr["name"] for tr in lines(fig)]
        assert all(points(tr) for tr in lines(fig)), title(fig)  # the legend names only what is drawn
        assert "Santa Fe County" in drawn and "this area and Santa Fe County" in title(fig)
    # Short forms in the metric boxes, the reason beside them.
    for m in at.metric:
        assert len(m.value) <= 12, m.value


def _area_metrics_script():
    from pages.sections import area_domain

    for delta in (-3.0, 0.0, 2.6, 0.2):
        area_domain._metrics({"year": "2024", "delta": delta, "unstable": False, "now": 40.0, "city": 400.0,
                              "rank": (2, 9)}, "People referred", "people", rate=False)


def test_area_change_is_signed_with_the_minus_and_its_arrow_follows_the_sign():
    """Streamlit reads a delta's direction from a leading hyphen only; the change is written with the
    typographic minus, so its arrow is set from the number (a change that rounds to 0 has none)."""
    from streamlit.proto.Metric_pb2 import Metric

    at = AppTest.from_function(_area_metrics_script).run()
    assert not at.exception
    changes = [(m.delta, m.proto.direction) for m in at.metric if m.delta]
    assert changes == [("\u22123 on 2023", Metric.MetricDirection.DOWN), ("0 on 2023", Metric.MetricDirection.NONE),
                       ("+3 on 2023", Metric.MetricDirection.UP), ("0 on 2023", Metric.MetricDirection.NONE)]


def test_history_grain():
    def rows(grain, periods, withheld=()):
        return pd.DataFrame({"period_type": grain, "period": periods,
                             "count": pd.array([None if p in withheld else 20 for p in periods], dtype="Int64")})
    months = [f"{y}-{m:02d}" for y in range(2014, 2026) for m in range(1, 13)]
    years = [str(y) for y in range(2014, 2026)]
    assert hl.history_grain(pd.concat([rows("month", months), rows("year", years)])) == "month"
    # one published year of months does not beat ten years of years
    assert hl.history_grain(pd.concat([rows("month", months[-12:]), rows("year", years)])) == "year"
    # withheld values do not count as published
    assert hl.history_grain(pd.concat([rows("month", months, withheld=set(months[::2])),
                                       rows("year", years)])) == "year"
    assert hl.history_grain(rows("year", ["2024"], withheld={"2024"})) is None
