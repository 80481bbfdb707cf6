"""Kaplan-Meier curves, median time to re-arrest and the log-rank test, from a published (pooled) life table.

Everything is fitted by lifelines on the aggregated counts as weights: one duration per interval end, an event
flag, and the count as the weight; that is the same fit as on one row per person (tests check it). A pooled
interval's re-arrests all sit at its end, so the curve steps at the published interval ends only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times

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


def fit(intervals: pd.DataFrame, label: str = "KM_estimate") -> KaplanMeierFitter:
    w = weighted(intervals)
    return KaplanMeierFitter(alpha=ALPHA).fit(w.durations, w.events, weights=w.weights, label=label)


def curve(fitter: KaplanMeierFitter) -> pd.DataFrame:
    """month, survival and its 95% band at every step of the curve (month 0 included)."""
    sf = fitter.survival_function_.iloc[:, 0]
    ci = fitter.confidence_interval_survival_function_
    return pd.DataFrame({"month": sf.index.to_numpy(float), "survival": sf.to_numpy(float),
                         "low": ci.iloc[:, 0].to_numpy(float), "high": ci.iloc[:, 1].to_numpy(float)})


@dataclass(frozen=True)
class Median:
    estimate: float  # months; inf when the curve never falls to one half
    low: float       # 95% interval; inf when that side is not reached
    high: float

    @property
    def reached(self) -> bool:
        return bool(np.isfinite(self.estimate))


def median(fitter: KaplanMeierFitter) -> Median:
    bounds = median_survival_times(fitter.confidence_interval_survival_function_)
    return Median(float(fitter.median_survival_time_), float(bounds.iloc[0, 0]), float(bounds.iloc[0, 1]))


def share_at(fitter: KaplanMeierFitter, month: float) -> tuple[float, float, float, float] | None:
    """(survival, low, high, month it rests on) at `month`: the curve's value at its last step at or before it.
    None past the last published month, where the curve says nothing."""
    sf = fitter.survival_function_.iloc[:, 0]
    if month > sf.index.max():
        return None
    at = sf.index[sf.index <= month].max()
    ci = fitter.confidence_interval_survival_function_.loc[at]
    return float(sf.loc[at]), float(ci.iloc[0]), float(ci.iloc[1]), float(at)


@dataclass(frozen=True)
class LogRank:
    statistic: float
    p_value: float

    @property
    def clear(self) -> bool:
        return self.p_value < ALPHA


def logrank(a: pd.DataFrame, b: pd.DataFrame) -> LogRank:
    wa, wb = weighted(a), weighted(b)
    result = logrank_test(wa.durations, wb.durations, wa.events, wb.events, weights_A=wa.weights,
                          weights_B=wb.weights)
    return LogRank(float(result.test_statistic), float(result.p_value))


def longer(a: KaplanMeierFitter, b: KaplanMeierFitter) -> bool:
    """Whether group a goes longer before re-arrest than b: by the medians when both are reached, otherwise by
    the share not re-arrested at the last month both curves cover."""
    ma, mb = median(a), median(b)
    if ma.reached and mb.reached and ma.estimate != mb.estimate:
        return ma.estimate > mb.estimate
    last = min(a.survival_function_.index.max(), b.survival_function_.index.max())
    return share_at(a, last)[0] > share_at(b, last)[0]
