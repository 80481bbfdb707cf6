"""Kaplan-Meier curves, median time to re-arrest and the log-rank test, from a published (pooled) life table.

The curve is statsmodels' Kaplan-Meier (SurvfuncRight) on the aggregated counts as frequency weights: one
duration per interval end, an event flag, and the count as the weight; that is the same fit as on one row per
person (tests check it). A pooled interval's re-arrests all sit at its end, so the curve steps at the published
interval ends only. The 95% band is Greenwood's variance with the log(-log) transform, worked out here from the
fit's risk sets and re-arrests: statsmodels gives, with weights, Tsiatis' variance and no pointwise band, and these
are the bands (and median intervals) the site has published since it began (tests hold them to those figures).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from leadsf import config

ALPHA = config.get("outcome_alpha")  # 95% bands and intervals; a difference is "clear" only when p < ALPHA


@dataclass(frozen=True)
class Weighted:
    durations: np.ndarray
    events: np.ndarray
    weights: np.ndarray


def weighted(intervals: pd.DataFrame) -> Weighted:
    """Durations, event flags and weights of one group's intervals (interval_to, re_arrested, censored)."""
    ends = intervals["interval_to"].to_numpy(float)
    durations = np.r_[ends, ends]
    events = np.r_[np.ones(len(ends), bool), np.zeros(len(ends), bool)]
    weights = np.r_[intervals["re_arrested"].to_numpy(float), intervals["censored"].to_numpy(float)]
    keep = weights > 0
    return Weighted(durations[keep], events[keep], weights[keep])


@dataclass(frozen=True)
class Fit:
    """One group's Kaplan-Meier curve: month, survival, low, high at month 0 and every published interval end."""
    label: str
    table: pd.DataFrame


def _band(survival: np.ndarray, greenwood: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pointwise band of S: log(-log S) +- z * sqrt(var) / log S, back on the survival scale. Where S is 1
    (before the first re-arrest) the band is 1; where S is 0 it is 0."""
    z = norm.ppf(1 - ALPHA / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.exp(z * np.sqrt(greenwood) / np.log(survival))
    low, high = survival ** (1 / spread), survival ** spread
    before = survival == 1
    low[before] = high[before] = 1.0
    return low, high


def fit(intervals: pd.DataFrame, label: str = "KM_estimate") -> Fit:
    w = weighted(intervals)
    km = SurvfuncRight(w.durations, w.events.astype(float), freq_weights=w.weights)
    months = np.unique(np.r_[0.0, w.durations])
    # The curve's value at each month is its value at the last re-arrest time at or before it.
    step = np.searchsorted(km.surv_times, months, side="right") - 1
    n, d = km.n_risk.astype(float), km.n_events.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n > d, d / (n * (n - d)), 0.0)  # Greenwood; a risk set all re-arrested adds nothing
    survival = np.r_[1.0, km.surv_prob][step + 1]
    greenwood = np.r_[0.0, np.cumsum(terms)][step + 1]
    low, high = _band(survival, greenwood)
    return Fit(label, pd.DataFrame({"month": months, "survival": survival, "low": low, "high": high}))


def curve(fitted: Fit) -> pd.DataFrame:
    """month, survival and its 95% band at every step of the curve (month 0 included)."""
    return fitted.table.copy()


@dataclass(frozen=True)
class Median:
    estimate: float  # months; inf when the curve never falls to one half
    low: float       # 95% interval; inf when that side is not reached
    high: float

    @property
    def reached(self) -> bool:
        return bool(np.isfinite(self.estimate))


def _first_at_or_below_half(months: pd.Series, values: pd.Series) -> float:
    below = months[values.to_numpy() <= 0.5]
    return float(below.iloc[0]) if len(below) else float("inf")


def median(fitted: Fit) -> Median:
    """The first month at which the curve is at or below one half; its interval where the band's edges are."""
    c = fitted.table
    return Median(*(_first_at_or_below_half(c["month"], c[col]) for col in ("survival", "low", "high")))


def share_at(fitted: Fit, month: float) -> tuple[float, float, float, float] | None:
    """(survival, low, high, month it rests on) at `month`: the curve's value at its last step at or before it.
    None past the last published month, where the curve says nothing."""
    c = fitted.table
    if month > c["month"].max():
        return None
    row = c[c["month"] <= month].iloc[-1]
    return float(row["survival"]), float(row["low"]), float(row["high"]), float(row["month"])


@dataclass(frozen=True)
class LogRank:
    statistic: float
    p_value: float

    @property
    def clear(self) -> bool:
        return self.p_value < ALPHA


def logrank(a: pd.DataFrame, b: pd.DataFrame) -> LogRank:
    """statsmodels' log-rank test (survdiff) on the two tables expanded into one row per person: survdiff takes no
    weights, and a published table holds at most a few thousand people."""
    wa, wb = weighted(a), weighted(b)
    counts = np.r_[wa.weights, wb.weights].astype(int)
    time = np.repeat(np.r_[wa.durations, wb.durations], counts)
    status = np.repeat(np.r_[wa.events, wb.events].astype(float), counts)
    group = np.repeat(np.r_[np.zeros(len(wa.weights)), np.ones(len(wb.weights))], counts)
    try:
        statistic, p_value = survdiff(time, status, group)
    except np.linalg.LinAlgError:  # no re-arrest while both groups were followed: nothing tells them apart
        return LogRank(0.0, 1.0)
    return LogRank(float(statistic), float(p_value))


def longer(a: Fit, b: Fit) -> bool:
    """Whether group a goes longer before re-arrest than b: by the medians when both are reached, otherwise by
    the share not re-arrested at the last month both curves cover."""
    ma, mb = median(a), median(b)
    if ma.reached and mb.reached and ma.estimate != mb.estimate:
        return ma.estimate > mb.estimate
    last = min(a.table["month"].max(), b.table["month"].max())
    return share_at(a, last)[0] > share_at(b, last)[0]
