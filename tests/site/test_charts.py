"""The chart builders skip plotly's per-property validation for speed (charts.build_figure); every figure they make
must still be one plotly accepts when validated, and withheld values must be gaps, never zeros."""
import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from leadsf import i18n
from leadsf.site import charts

FRAME = pd.DataFrame({
    "period": ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"] * 2,
    "pathway": ["social_contact"] * 4 + ["arrest_diversion"] * 4,
    "count": pd.array([14, None, 22, 31, 12, 18, None, 40], dtype="Int64"),
})


def figures():
    yield charts.trend(FRAME, x="period", y="count", series="pathway", title="Referrals by quarter, 2023",
                       y_title="Referrals")
    yield charts.trend(FRAME[FRAME["pathway"] == "social_contact"], x="period", y="count", series=None,
                       title="Referrals", y_title="Referrals", mark_lead_start=True)
    yield charts.bars(FRAME.head(4), x="period", y="count", title="By quarter", y_title="Referrals")
    yield charts.bars(FRAME.head(4), x="period", y="count", title="By quarter", y_title="Referrals",
                      horizontal=True)
    funnel = pd.DataFrame({"stage": ["referred", "intake_completed", "engaged_case_management"],
                           "value": pd.array([40, 31, None], dtype="Int64")})
    yield charts.funnel(funnel, stage="stage", value="value", title="From referral to engagement")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_fast_figures_pass_plotly_validation(lang):
    i18n.set_language(lang)
    try:
        for fig in figures():
            as_json = fig.to_plotly_json()
            validated = go.Figure(as_json)  # raises on any property plotly does not know
            assert validated.to_plotly_json()["layout"]["title"] == as_json["layout"]["title"]
    finally:
        i18n.set_language("en")


def test_withheld_values_are_gaps_not_zeros():
    fig = charts.trend(FRAME, x="period", y="count", series="pathway", title="t", y_title="y")
    line = next(tr for tr in fig.data if tr.name and "ocial" in tr.name)
    ys = list(line.y)
    assert math.isnan(ys[1]) and 0 not in ys[:1]
