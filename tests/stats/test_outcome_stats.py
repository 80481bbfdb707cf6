"""Intervals against published values, the difference in differences against its textbook form, and the
statement's wording: a direction only when the 95% interval excludes no difference."""
from __future__ import annotations

import math

import pytest

from leadsf.site import outcome_views as ov
from leadsf.stats import outcome_stats as st

# Wilson score 95% intervals published in Newcombe RG (1998), "Two-sided confidence intervals for the single
# proportion: comparison of seven methods", Statistics in Medicine 17:857-872, Table I (method 3), and 15/50
# (0.1910-0.4375) as quoted in standard references for the Wilson interval.
WILSON = [((81, 263), (0.2553, 0.3662)), ((15, 148), (0.0624, 0.1605)), ((0, 20), (0.0, 0.1611)),
          ((1, 29), (0.0061, 0.1718)), ((15, 50), (0.1910, 0.4375))]
# Exact (Garwood 1936) 95% limits for a Poisson count, as tabulated e.g. in Ulm K (1990), "A simple method to
# calculate the confidence interval of a standardized mortality ratio", Am J Epidemiol 131:373-375.
POISSON = [(0, (0.0, 3.689)), (1, (0.0253, 5.572)), (10, (4.795, 18.390)), (20, (12.217, 30.888))]


@pytest.mark.parametrize("cell,published", WILSON)
def test_wilson_matches_published_values(cell, published):
    iv = st.wilson(*cell)
    assert (round(iv.low, 4), round(iv.high, 4)) == published
    assert iv.estimate == pytest.approx(cell[0] / cell[1])


@pytest.mark.parametrize("count,published", POISSON)
def test_exact_poisson_matches_published_values(count, published):
    iv = st.poisson_rate(count, 1.0)
    assert iv.low == pytest.approx(published[0], abs=6e-4) and iv.high == pytest.approx(published[1], abs=6e-4)
    # per person-year: the same limits divided by the person-years
    per = st.poisson_rate(count, 4.0)
    assert per.high == pytest.approx(iv.high / 4)


def test_did_proportion_is_the_wald_difference_of_differences():
    cells = [(60, 100), (30, 100), (55, 90), (45, 90)]
    did = st.did_proportion(*cells)
    p = [c / n for c, n in cells]
    est = (p[1] - p[0]) - (p[3] - p[2])
    se = math.sqrt(sum(q * (1 - q) / n for q, (_, n) in zip(p, cells)))
    assert did.estimate == pytest.approx(est)
    assert (did.low, did.high) == pytest.approx((est - 1.959964 * se, est + 1.959964 * se), abs=1e-6)
    assert did.scale == "difference" and did.lead_change == pytest.approx(-0.3)


def test_did_rate_is_the_ratio_of_rate_ratios():
    cells = [(120, 100.0), (60, 100.0), (100, 90.0), (90, 90.0)]
    did = st.did_rate(*cells)
    assert did.estimate == pytest.approx((60 / 120) / (90 / 100))
    se = math.sqrt(sum(1 / c for c, _ in cells))  # Poisson: the log ratio's standard error
    assert did.low == pytest.approx(did.estimate * math.exp(-1.959964 * se), rel=1e-6)
    assert did.clear and did.direction == "lower"
    wide = st.did_rate(*cells, dispersion=4.0)  # quasi-Poisson: twice the standard error
    assert math.log(wide.high / wide.estimate) == pytest.approx(2 * math.log(did.high / did.estimate))


def test_dispersion_from_the_cohorts_scatter():
    cohorts = [[(100, 50.0), (60, 48.0), (90, 50.0), (80, 48.0)], [(140, 50.0), (50, 48.0), (70, 50.0), (75, 48.0)],
               [(90, 50.0), (70, 48.0), (100, 50.0), (70, 48.0)]]
    phi = st.rate_dispersion(cohorts)
    assert phi > 1
    # Ten times the events with the same proportions: ten times the dispersion of a count.
    assert st.rate_dispersion([[(10 * n, py) for n, py in c] for c in cohorts]) == pytest.approx(10 * phi)
    assert st.rate_dispersion(cohorts[:1]) is None  # one cohort: nothing to estimate it from
    alike = [[(100, 50.0), (50, 50.0), (100, 50.0), (50, 50.0)]] * 3
    assert st.rate_dispersion(alike) == 1.0  # never below Poisson


def test_no_interval_when_a_share_is_zero_or_a_total_has_no_events():
    assert st.did_proportion((0, 40), (5, 40), (10, 40), (12, 40)) is None
    assert st.did_rate((0, 10.0), (5, 10.0), (6, 10.0), (7, 10.0)) is None


def row(did: st.Did) -> dict:
    scale = 1 if did.scale == "ratio" else 100
    return {"did": did.estimate * scale, "did_low": did.low * scale, "did_high": did.high * scale,
            "clear": did.clear, "direction": did.direction}


def test_statement_says_no_clear_difference_when_the_interval_spans_zero():
    did = st.did_proportion((60, 100), (30, 100), (55, 90), (45, 90))  # -18.9 points, interval -38.4 to 0.6
    assert did.low < 0 < did.high and not did.clear and did.direction is None
    text = ov.statement("any_arrest", "6m", row(did))
    assert "no clear difference" in text and "includes zero" in text
    assert "lower" not in text and "higher" not in text


def test_statement_names_the_direction_only_when_clear():
    did = st.did_proportion((120, 400), (60, 400), (110, 360), (100, 360))
    assert did.clear and did.high < 0
    text = ov.statement("any_arrest", "6m", row(did))
    assert "a clear difference" in text and "lower than the comparison group's change" in text
    assert "no clear difference" not in text
    rate = st.did_rate((120, 100.0), (60, 100.0), (100, 90.0), (90, 90.0))
    assert "44% lower" in ov.statement("jail_days", "12m", row(rate))
    spans_one = st.did_rate((12, 10.0), (9, 10.0), (11, 10.0), (10, 10.0))
    assert spans_one.low < 1 < spans_one.high
    assert "includes 1" in ov.statement("jail_days", "12m", row(spans_one))
    assert "cannot be worked out" in ov.statement("jail_days", "12m", None)


def test_statement_in_spanish():
    from leadsf import i18n

    did = st.did_proportion((60, 100), (30, 100), (55, 90), (45, 90))
    i18n.set_language("es")
    try:
        text = ov.statement("any_arrest", "6m", row(did))
    finally:
        i18n.set_language("en")
    assert "sin una diferencia clara" in text and "incluye el cero" in text and "-18,9" in text


def test_a_bound_next_to_zero_keeps_its_side():
    text = ov.statement("any_arrest", "12m", {"did": -9.0, "did_low": -18.0, "did_high": -0.004, "clear": True,
                                              "direction": "lower"})
    assert "-18.0 to -0.004" in text
