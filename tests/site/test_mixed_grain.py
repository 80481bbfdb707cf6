"""A quarterly trend whose county quarters of some years are not published (config.BACKBONE: a year with one
small quarter is shown by year): drawn by quarter, those years as years, marked on the chart and in the note."""
from __future__ import annotations

import numpy as np
import pandas as pd

from leadsf.site import charts
from leadsf.site.ui import trends
from leadsf.site.ui.filters import Window

WINDOW = Window("2014-01", "2018-12", "all")


def history(quarter_years=("2017", "2018"), year_only=("2014", "2015", "2016")) -> pd.DataFrame:
    rows = [{"period": y, "period_type": "year", "count": 40 + i, "withheld": False}
            for i, y in enumerate([*year_only, *quarter_years])]
    rows += [{"period": f"{y}-Q{q}", "period_type": "quarter", "count": 12 + q, "withheld": False}
             for y in quarter_years for q in range(1, 5)]
    return pd.DataFrame(rows)


def test_years_without_quarters_are_drawn_as_years_among_quarters():
    series, grain, missing = trends.trend_series(history(), WINDOW, "count", mixed=True)
    assert grain == "quarter" and missing == []
    assert trends.years_shown_as_years(series, grain) == ["2014", "2015", "2016"]
    assert set(series.loc[series["period_type"] == "quarter", "period"].str[:4]) == {"2017", "2018"}
    # The years whose quarters are drawn are not drawn twice.
    assert not series["period"].isin(["2017", "2018"]).any()


def test_without_mixing_the_same_history_is_drawn_by_year():
    series, grain, _ = trends.trend_series(history(), WINDOW, "count", mixed=False)
    assert grain == "year" and list(series["period"]) == ["2014", "2015", "2016", "2017", "2018"]


def test_every_year_by_quarter_draws_no_year():
    frame = history(quarter_years=("2014", "2015", "2016", "2017", "2018"), year_only=())
    series, grain, _ = trends.trend_series(frame, WINDOW, "count", mixed=True)
    assert grain == "quarter" and trends.years_shown_as_years(series, grain) == []


def test_chart_marks_each_year_shown_as_a_year_at_its_quarterly_average():
    trend = trends.trend_view(history(), WINDOW, title="Deaths, by quarter", alt="Deaths")
    traces = trend.chart.fig.data
    years = [tr for tr in traces if tr.legendgroup == "years_as_years"]
    assert len(years) == 1 and years[0].line.dash == "dash" and years[0].showlegend
    ys = np.asarray(years[0].y, dtype=float)
    assert list(ys[~np.isnan(ys)]) == [10.0, 10.0, 10.25, 10.25, 10.5, 10.5]  # 40, 41, 42 over four quarters
    assert any("40" in str(h) for h in years[0].customdata), "the hover does not give the year's own figure"
    quarters = [tr for tr in traces if tr.legendgroup != "years_as_years"]
    assert sum(np.isfinite(np.asarray(tr.y, dtype=float)).sum() for tr in quarters) == 8
    # The table alternative holds the years' own figures, and the alt text names them.
    assert {"2014", "2015", "2016"} <= set(trend.chart.table["period"])
    assert "2014, 2015, 2016" in trend.chart.alt


def test_rates_are_not_divided():
    """Rates are per year at every grain (leadsf.pipeline.release.public_table): a year's rate is drawn as is."""
    frame = history().assign(rate=lambda f: f["count"] * 1.0)
    series, _, _ = trends.trend_series(frame, WINDOW, "rate", mixed=True)
    fig = charts.trend(series, x="period", y="rate", series=None, title="t", y_title="y")
    years = next(tr for tr in fig.data if tr.legendgroup == "years_as_years")
    assert np.nanmax(np.asarray(years.y, dtype=float)) == 42.0


def test_a_county_line_among_others_draws_its_unpublished_years_as_years():
    """The area profile's quarterly chart: the area by quarter, the county by quarter where published and by
    year (trends.years_without_quarters) where not."""
    county = history()
    fill = trends.years_without_quarters(county)
    assert list(fill["period"]) == ["2014", "2015", "2016"]
    county = pd.concat([county[county["period_type"] == "quarter"], fill]).assign(where="county")
    area = county[county["period_type"] == "quarter"].assign(where="area", count=lambda f: f["count"] - 5)
    fig = charts.trend(pd.concat([area, county]).sort_values("period"), x="period", y="count", series="where",
                       title="t", y_title="y", year_scale=0.25)
    steps = [tr for tr in fig.data if tr.legendgroup == "years_as_years"]
    assert len(steps) == 1 and steps[0].line.color == fig.data[-2].line.color  # drawn in the county's colour
    assert sorted({str(v)[:4] for v in steps[0].x}) == ["2014", "2015", "2016"]


def test_area_profile_by_quarter_draws_the_countys_unpublished_years_as_years(store):
    """On the sample the county's referral quarters of several years are not published (one quarter of each is
    1 to 10): the profile's quarterly referrals chart draws those years as years on the county's line."""
    import json

    from tests.site.test_pages_public import run_page

    at = run_page("area_profile", {"area": "87507"})
    at.radio(key="grain_referrals").set_value("quarter").run()
    assert not at.exception, [e.value for e in at.exception]
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    steps = [tr for f in figs for tr in f["data"] if tr.get("legendgroup") == "years_as_years"]
    assert steps, "no year drawn as a year on the quarterly chart"
    assert any("2018" in str(x) for tr in steps for x in tr["x"])


def test_a_quarterly_history_with_a_year_left_out_fills_it_with_the_year():
    """Drawn by quarter on its own (most years by quarter), the one year without quarters is drawn as a year,
    not left as a hole."""
    frame = history(quarter_years=("2014", "2015", "2017", "2018"), year_only=("2016",))
    series, grain, missing = trends.trend_series(frame, WINDOW, "count", mixed=False)
    assert grain == "quarter" and "2016-Q1" in missing  # without mixing: a hole
    series, grain, missing = trends.trend_series(frame, WINDOW, "count", mixed=True)
    assert grain == "quarter" and missing == [] and trends.years_shown_as_years(series, grain) == ["2016"]
