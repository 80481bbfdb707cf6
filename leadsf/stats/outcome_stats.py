"""95% intervals for outcome cells and the difference in differences between LEAD and its comparison group.

Every interval comes from statsmodels, never from a formula written here:
- a share of people (count of `followed`): Wilson score interval (`proportion_confint(method="wilson")`), which
  stays inside 0-1 and gives an interval at 0 events (UK OHID's preferred method for proportions);
- a total per person-year (jail bookings, jail days): the exact central Poisson interval (Garwood,
  `confint_poisson(method="exact-c")`);
- the difference in differences: a GLM fitted to the four aggregated cells (LEAD and comparison, before and
  after). Shares: Binomial family, identity link, so the interaction is LEAD's change minus the comparison
  group's change in proportion points. Totals: Poisson family, log link, log person-years as offset, so the
  exponentiated interaction is a ratio of rate ratios (1 = the same relative change). Wald 95% intervals.

Assumption (said on the page too): the before and after windows are treated as independent samples. They are the
same people, so this ignores the within-person correlation; for a before/after change that correlation is
usually positive, which makes these intervals wider than a paired analysis would give (conservative). Jail days
come in stays, and bookings come from the same few people, so totals vary more than a Poisson count would:
the rate model's scale is the over-dispersion estimated from how the cohorts' cells scatter around a common
effect (quasi-Poisson, Pearson chi-squared over its degrees of freedom, never below 1), see `rate_dispersion`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

ALPHA = 0.05


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Did:
    """A difference in differences. `scale` is "difference" (proportion points; no effect = 0) or "ratio"
    (ratio of rate ratios; no effect = 1)."""
    estimate: float
    low: float
    high: float
    scale: str
    lead_change: float      # LEAD's after minus before (points) or after / before (ratio)
    comparison_change: float

    @property
    def null(self) -> float:
        return 0.0 if self.scale == "difference" else 1.0

    @property
    def clear(self) -> bool:
        """The 95% interval excludes "no difference"."""
        return self.low > self.null or self.high < self.null

    @property
    def direction(self) -> str | None:
        """"lower" or "higher" (LEAD against what the comparison group's change predicts) when clear."""
        if not self.clear:
            return None
        return "lower" if self.high < self.null else "higher"


def wilson(count: int, followed: int, alpha: float = ALPHA) -> Interval:
    """Share of `followed` people with the event, and its Wilson score interval."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(int(count), int(followed), alpha=alpha, method="wilson")
    return Interval(count / followed, float(low), float(high))


def poisson_rate(total: int, person_years: float, alpha: float = ALPHA) -> Interval:
    """Events per person-year and the exact (Garwood) Poisson interval."""
    from statsmodels.stats.rates import confint_poisson

    low, high = confint_poisson(int(total), float(person_years), method="exact-c", alpha=alpha)
    return Interval(total / person_years, float(low), float(high))


def _design() -> np.ndarray:
    # rows: LEAD before, LEAD after, comparison before, comparison after; columns: 1, lead, after, lead x after
    return np.array([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0], [1, 0, 1, 0]], dtype=float)


def _fit(endog, family, scale=None, **kw):
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a saturated model: statsmodels warns about the perfect fit
        res = sm.GLM(endog, _design(), family=family, **kw).fit(scale=scale)
    low, high = res.conf_int(alpha=ALPHA)[3]
    return float(res.params[3]), float(low), float(high)


def did_proportion(lead_before: tuple[int, int], lead_after: tuple[int, int],
                   comparison_before: tuple[int, int], comparison_after: tuple[int, int]) -> Did | None:
    """(count, followed) for each cell -> LEAD's change in share minus the comparison group's, in proportion
    points, with its 95% interval. None when the model cannot be fitted (a share of exactly 0 or 1 has no
    variance under the identity link, so there is no interval to give)."""
    import statsmodels.api as sm

    cells = [lead_before, lead_after, comparison_before, comparison_after]
    if any(c <= 0 or c >= n for c, n in cells):
        return None
    endog = np.array([[c, n - c] for c, n in cells], dtype=float)
    try:
        est, low, high = _fit(endog, sm.families.Binomial(link=sm.families.links.Identity()))
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not np.isfinite([est, low, high]).all():
        return None
    shares = [c / n for c, n in cells]
    return Did(est, low, high, "difference", shares[1] - shares[0], shares[3] - shares[2])


def did_rate(lead_before: tuple[int, float], lead_after: tuple[int, float],
             comparison_before: tuple[int, float], comparison_after: tuple[int, float],
             dispersion: float = 1.0) -> Did | None:
    """(total, person-years) for each cell -> the ratio of rate ratios (LEAD's after/before rate over the
    comparison group's) with its 95% interval, the variance scaled by `dispersion` (quasi-Poisson). None when a
    cell has no events (the log link has no estimate)."""
    import statsmodels.api as sm

    cells = [lead_before, lead_after, comparison_before, comparison_after]
    if any(c <= 0 or py <= 0 for c, py in cells):
        return None
    counts = np.array([c for c, _ in cells], dtype=float)
    offset = np.log([py for _, py in cells])
    est, low, high = _fit(counts, sm.families.Poisson(), scale=float(dispersion), offset=offset)
    rates = [c / py for c, py in cells]
    return Did(float(np.exp(est)), float(np.exp(low)), float(np.exp(high)), "ratio", rates[1] / rates[0],
               rates[3] / rates[2])


def rate_dispersion(cohorts: list[list[tuple[int, float]]]) -> float | None:
    """Over-dispersion of totals, from several cohorts' four cells each ((total, person-years) in the order of
    `did_rate`): a Poisson GLM with each cohort's own level, group and window effects and one common
    LEAD-after effect; Pearson chi-squared over the residual degrees of freedom (one per cohort beyond the
    first), floored at 1. None with fewer than two usable cohorts (nothing to estimate it from)."""
    import statsmodels.api as sm

    usable = [c for c in cohorts if len(c) == 4 and all(n > 0 and py > 0 for n, py in c)]
    if len(usable) < 2:
        return None
    k = len(usable)
    rows, counts, offset = [], [], []
    for i, four in enumerate(usable):
        for (n, py), (_, lead, after, both) in zip(four, _design()):
            x = np.zeros(3 * k + 1)
            x[3 * i:3 * i + 3] = (1, lead, after)
            x[-1] = both
            rows.append(x)
            counts.append(n)
            offset.append(np.log(py))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(np.array(counts, float), np.array(rows), family=sm.families.Poisson(),
                     offset=np.array(offset)).fit()
    return max(1.0, float(res.pearson_chi2 / res.df_resid))
