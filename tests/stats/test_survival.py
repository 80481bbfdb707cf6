"""Kaplan-Meier, median and log-rank from the aggregated counts (weights), against the figures lifelines gave
before the move to statsmodels (survival_today.json, recorded by record_survival_today.py at that commit): equal
to within 1e-9 on the hand tables, the small tables the library comparison used and the sample; the weighted fit
equals one on the table expanded into one row per person. And the words: a difference only when p < 0.05."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from leadsf.stats import survival

TOL = 1e-9
TODAY = json.loads(Path(__file__).with_name("survival_today.json").read_text(encoding="utf-8"))

# Two small published tables (interval ends, re-arrested, censored), pooled as a release would publish them.
LEAD = pd.DataFrame({"interval_from": [0, 2, 3, 6, 12], "interval_to": [2, 3, 6, 12, 20],
                     "at_risk": [120, 96, 84, 58, 25], "re_arrested": [24, 12, 15, 22, 11],
                     "censored": [0, 0, 11, 11, 14]})
COMPARISON = pd.DataFrame({"interval_from": [0, 1, 2, 4, 9], "interval_to": [1, 2, 4, 9, 20],
                           "at_risk": [100, 78, 62, 40, 18], "re_arrested": [22, 16, 22, 11, 0],
                           "censored": [0, 0, 0, 11, 18]})


def recorded(name: str) -> pd.DataFrame:
    return pd.DataFrame(TODAY["groups"][name]["table"])


def value(x: float | str) -> float:
    return float("inf") if x == "inf" else float(x)


def expanded(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One row per person: their interval end and whether they were re-arrested."""
    durations = np.r_[np.repeat(table["interval_to"], table["re_arrested"]),
                      np.repeat(table["interval_to"], table["censored"])].astype(float)
    events = np.r_[np.ones(int(table["re_arrested"].sum()), bool), np.zeros(int(table["censored"].sum()), bool)]
    return durations, events


def test_the_tables_are_consistent_life_tables():
    for table in (LEAD, COMPARISON):
        left = table["at_risk"] - table["re_arrested"] - table["censored"]
        assert list(table["at_risk"].iloc[1:]) == list(left.iloc[:-1]) and left.iloc[-1] == 0


def test_the_recorded_hand_tables_are_these():
    for name, table in (("hand_lead", LEAD), ("hand_comparison", COMPARISON)):
        pd.testing.assert_frame_equal(recorded(name), table[["interval_to", "re_arrested", "censored"]])


@pytest.mark.parametrize("name", sorted(TODAY["groups"]))
def test_curve_and_band_are_todays(name):
    curve = survival.curve(survival.fit(recorded(name)))
    today = pd.DataFrame(TODAY["groups"][name]["curve"])
    assert list(curve.columns) == list(today.columns)
    assert np.allclose(curve["month"], today["month"], atol=0, rtol=0)
    for col in ("survival", "low", "high"):
        assert np.allclose(curve[col], today[col], atol=TOL, rtol=0), col
    # The figures are real steps: the curve falls, and the band holds it.
    assert curve["survival"].is_monotonic_decreasing
    assert ((curve["low"] <= curve["survival"] + TOL) & (curve["survival"] <= curve["high"] + TOL)).all()


@pytest.mark.parametrize("name", sorted(TODAY["groups"]))
def test_median_and_its_interval_are_todays(name):
    ours = survival.median(survival.fit(recorded(name)))
    estimate, low, high = (value(x) for x in TODAY["groups"][name]["median"])
    assert ours.estimate == pytest.approx(estimate, abs=TOL)
    assert ours.low == pytest.approx(low, abs=TOL)
    assert ours.high == pytest.approx(high, abs=TOL)
    assert ours.low <= ours.estimate <= ours.high


@pytest.mark.parametrize("name", sorted(TODAY["groups"]))
def test_shares_are_todays(name):
    fitted = survival.fit(recorded(name))
    for month, today in TODAY["groups"][name]["share_at"].items():
        ours = survival.share_at(fitted, float(month))
        assert (ours is None) == (today is None), month
        if today is not None:
            assert ours == pytest.approx(tuple(today), abs=TOL), month


@pytest.mark.parametrize("pair", TODAY["logrank"], ids=lambda p: f"{p['a']}-{p['b']}")
def test_logrank_is_todays(pair):
    ours = survival.logrank(recorded(pair["a"]), recorded(pair["b"]))
    assert ours.statistic == pytest.approx(pair["statistic"], abs=TOL)
    assert ours.p_value == pytest.approx(pair["p_value"], abs=TOL)


@pytest.mark.parametrize("name", sorted(TODAY["groups"]))
def test_weighted_curve_equals_the_per_person_fit(name):
    table = recorded(name)
    person = SurvfuncRight(*expanded(table))
    curve = survival.curve(survival.fit(table)).set_index("month")
    assert np.allclose(curve.loc[person.surv_times, "survival"], person.surv_prob, atol=TOL, rtol=0)


def test_median_by_hand():
    # LEAD: S(2) = 96/120 = 0.8, S(3) = 0.8 * 84/96 = 0.7, S(6) = 0.7 * 69/84 = 0.575, S(12) = 0.575 * 36/58 < 0.5.
    assert survival.median(survival.fit(LEAD)).estimate == 12
    fitter = survival.fit(LEAD)
    assert survival.share_at(fitter, 6)[0] == pytest.approx(0.575, abs=TOL)
    # A month inside a pooled interval rests on the interval's start (the curve steps only at ends).
    assert survival.share_at(fitter, 5)[3] == 3 and survival.share_at(fitter, 5)[0] == pytest.approx(0.7, abs=TOL)
    assert survival.share_at(fitter, 24) is None


def test_median_is_the_first_month_at_or_below_one_half():
    # 100 people, 50 re-arrested by month 6: the curve sits exactly at one half there, and that is the median.
    half = pd.DataFrame({"interval_to": [6, 12], "re_arrested": [50, 20], "censored": [0, 30]})
    assert survival.share_at(survival.fit(half), 6)[0] == pytest.approx(0.5, abs=TOL)
    assert survival.median(survival.fit(half)).estimate == 6


def test_band_by_hand():
    # Greenwood's variance of log S and the log(-log) transform: at LEAD's month 2, S = 0.8 with
    # var = 24 / (120 * 96); the band is S ** exp(-+1.96 * sqrt(var) / log S).
    s, var = 0.8, 24 / (120 * 96)
    z = 1.959963984540054
    low, high = (s ** np.exp(sign * z * np.sqrt(var) / np.log(s)) for sign in (-1, 1))
    row = survival.curve(survival.fit(LEAD)).set_index("month").loc[2]
    assert (row["low"], row["high"]) == (pytest.approx(low, abs=TOL), pytest.approx(high, abs=TOL))


def test_median_not_reached():
    few = pd.DataFrame({"interval_from": [0, 6], "interval_to": [6, 12], "at_risk": [100, 80],
                        "re_arrested": [20, 15], "censored": [0, 65]})
    m = survival.median(survival.fit(few))
    assert not m.reached and np.isinf(m.estimate)


def test_no_re_arrest_while_both_are_followed_is_no_difference():
    # Every comparison person is censored at month 2, before LEAD's first re-arrest: as lifelines said, p = 1.
    gone = pd.DataFrame({"interval_to": [2], "re_arrested": [0], "censored": [40]})
    ours = survival.logrank(LEAD.iloc[1:], gone)
    assert (ours.statistic, ours.p_value) == (0.0, 1.0) and not ours.clear


def test_clear_only_below_005_and_direction():
    ours = survival.logrank(LEAD, COMPARISON)
    assert ours.clear == (ours.p_value < 0.05)
    assert ours.clear, "these two tables differ clearly (LEAD's median 12 months, comparison's 4)"
    assert survival.longer(survival.fit(LEAD), survival.fit(COMPARISON))
    assert not survival.longer(survival.fit(COMPARISON), survival.fit(LEAD))
    same = survival.logrank(LEAD, LEAD)
    assert same.p_value == pytest.approx(1.0) and not same.clear
