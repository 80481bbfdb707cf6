"""Kaplan-Meier, median and log-rank from the aggregated counts (weights) against lifelines fitted on the same
table expanded into one row per person: equal to within 1e-9. And the words: a difference only when p < 0.05."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times

from leadsf.stats import survival

TOL = 1e-9

# Two small published tables (interval ends, re-arrested, censored), pooled as a release would publish them.
LEAD = pd.DataFrame({"interval_from": [0, 2, 3, 6, 12], "interval_to": [2, 3, 6, 12, 20],
                     "at_risk": [120, 96, 84, 58, 25], "re_arrested": [24, 12, 15, 22, 11],
                     "censored": [0, 0, 11, 11, 14]})
COMPARISON = pd.DataFrame({"interval_from": [0, 1, 2, 4, 9], "interval_to": [1, 2, 4, 9, 20],
                           "at_risk": [100, 78, 62, 40, 18], "re_arrested": [22, 16, 22, 11, 0],
                           "censored": [0, 0, 0, 11, 18]})


def expanded(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One row per person: their interval end and whether they were re-arrested."""
    durations = np.r_[np.repeat(table["interval_to"], table["re_arrested"]),
                      np.repeat(table["interval_to"], table["censored"])].astype(float)
    events = np.r_[np.ones(int(table["re_arrested"].sum()), bool), np.zeros(int(table["censored"].sum()), bool)]
    return durations, events


def person_fit(table: pd.DataFrame) -> KaplanMeierFitter:
    d, e = expanded(table)
    return KaplanMeierFitter(alpha=0.05).fit(d, e)


def test_the_tables_are_consistent_life_tables():
    for table in (LEAD, COMPARISON):
        left = table["at_risk"] - table["re_arrested"] - table["censored"]
        assert list(table["at_risk"].iloc[1:]) == list(left.iloc[:-1]) and left.iloc[-1] == 0


@pytest.mark.parametrize("table", [LEAD, COMPARISON], ids=["lead", "comparison"])
def test_curve_and_band_equal_the_per_person_fit(table):
    ours, theirs = survival.fit(table), person_fit(table)
    curve = survival.curve(ours)
    sf = theirs.survival_function_.iloc[:, 0]
    ci = theirs.confidence_interval_survival_function_
    assert np.allclose(curve["month"], sf.index, atol=TOL, rtol=0)
    assert np.allclose(curve["survival"], sf.to_numpy(), atol=TOL, rtol=0)
    assert np.allclose(curve["low"], ci.iloc[:, 0].to_numpy(), atol=TOL, rtol=0)
    assert np.allclose(curve["high"], ci.iloc[:, 1].to_numpy(), atol=TOL, rtol=0)
    # The figures are real steps: the curve falls, and the band holds it.
    assert curve["survival"].is_monotonic_decreasing and (curve["low"] <= curve["survival"] + TOL).all()


@pytest.mark.parametrize("table", [LEAD, COMPARISON], ids=["lead", "comparison"])
def test_median_and_its_interval_equal_the_per_person_fit(table):
    ours, theirs = survival.median(survival.fit(table)), person_fit(table)
    bounds = median_survival_times(theirs.confidence_interval_survival_function_)
    assert ours.estimate == pytest.approx(theirs.median_survival_time_, abs=TOL)
    assert ours.low == pytest.approx(float(bounds.iloc[0, 0]), abs=TOL)
    assert ours.high == pytest.approx(float(bounds.iloc[0, 1]), abs=TOL)
    assert ours.low <= ours.estimate <= ours.high


def test_median_by_hand():
    # LEAD: S(2) = 96/120 = 0.8, S(3) = 0.8 * 84/96 = 0.7, S(6) = 0.7 * 69/84 = 0.575, S(12) = 0.575 * 36/58 < 0.5.
    assert survival.median(survival.fit(LEAD)).estimate == 12
    fitter = survival.fit(LEAD)
    assert survival.share_at(fitter, 6)[0] == pytest.approx(0.575, abs=TOL)
    # A month inside a pooled interval rests on the interval's start (the curve steps only at ends).
    assert survival.share_at(fitter, 5)[3] == 3 and survival.share_at(fitter, 5)[0] == pytest.approx(0.7, abs=TOL)
    assert survival.share_at(fitter, 24) is None


def test_median_not_reached():
    few = pd.DataFrame({"interval_from": [0, 6], "interval_to": [6, 12], "at_risk": [100, 80],
                        "re_arrested": [20, 15], "censored": [0, 65]})
    m = survival.median(survival.fit(few))
    assert not m.reached and np.isinf(m.estimate)


def test_share_at_equals_the_per_person_fit():
    ours, theirs = survival.fit(LEAD), person_fit(LEAD)
    for month in (6, 12):
        value, low, high, _ = survival.share_at(ours, month)
        assert value == pytest.approx(float(theirs.survival_function_at_times(month).iloc[0]), abs=TOL)
        ci = theirs.confidence_interval_survival_function_.loc[:month].iloc[-1]
        assert (low, high) == (pytest.approx(float(ci.iloc[0]), abs=TOL), pytest.approx(float(ci.iloc[1]), abs=TOL))


def test_logrank_equals_the_per_person_test():
    ours = survival.logrank(LEAD, COMPARISON)
    (da, ea), (db, eb) = expanded(LEAD), expanded(COMPARISON)
    theirs = logrank_test(da, db, ea, eb)
    assert ours.statistic == pytest.approx(theirs.test_statistic, abs=TOL)
    assert ours.p_value == pytest.approx(theirs.p_value, abs=TOL)


def test_clear_only_below_005_and_direction():
    ours = survival.logrank(LEAD, COMPARISON)
    assert ours.clear == (ours.p_value < 0.05)
    assert ours.clear, "these two tables differ clearly (LEAD's median 12 months, comparison's 4)"
    assert survival.longer(survival.fit(LEAD), survival.fit(COMPARISON))
    assert not survival.longer(survival.fit(COMPARISON), survival.fit(LEAD))
    same = survival.logrank(LEAD, LEAD)
    assert same.p_value == pytest.approx(1.0) and not same.clear
