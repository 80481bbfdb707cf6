"""95% intervals for outcome cells and the difference in differences between LEAD and its comparison group.

Every interval comes from statsmodels, never from a formula written here:
- a share of people (count of `followed`): Wilson score interval (`proportion_confint(method="wilson")`), which
  stays inside 0-1 and gives an interval at 0 events (UK OHID's preferred method for proportions);
- a total per person-year (jail bookings, jail days): the exact central Poisson interval (Garwood,
  `confint_poisson(method="exact-c")`);
- the difference in differences: a GLM fitted to the four aggregated cells (LEAD and comparison, before and
  after) of each cohort, every cohort a stratum with its own level, LEAD and after terms and one common
  LEAD x after term (`pooled_proportion`, `pooled_rate`; one cohort is the same model with one stratum).
  Shares: Binomial family, identity link, so the interaction is LEAD's change minus the comparison group's
  change in proportion points. Totals: Poisson family, log link, log person-years as offset, so the
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
import pandas as pd

from leadsf import config

ALPHA = config.get("outcome_alpha")
ALL = "all"


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


def _design(strata: int = 1) -> np.ndarray:
    """Rows: for each cohort, LEAD before, LEAD after, comparison before, comparison after. Columns: each
    cohort's own level, LEAD and after terms (so differences between cohorts stay out of the estimate), then
    one LEAD x after term common to all of them, the difference in differences."""
    one = np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0], [1, 0, 1]], dtype=float)
    both = np.array([0, 1, 0, 0], dtype=float)
    rows = np.zeros((4 * strata, 3 * strata + 1))
    for i in range(strata):
        rows[4 * i:4 * i + 4, 3 * i:3 * i + 3] = one
        rows[4 * i:4 * i + 4, -1] = both
    return rows


def _fit(endog, strata, family, scale=None, **kw):
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one cohort is a saturated model: statsmodels warns about the perfect fit
        res = sm.GLM(endog, _design(strata), family=family, **kw).fit(scale=scale)
    low, high = res.conf_int(alpha=ALPHA)[-1]
    return float(res.params[-1]), float(low), float(high)


def _summed(cohorts) -> list[tuple[float, float]]:
    return [(sum(c[i][0] for c in cohorts), sum(c[i][1] for c in cohorts)) for i in range(4)]


def did_proportion(lead_before: tuple[int, int], lead_after: tuple[int, int],
                   comparison_before: tuple[int, int], comparison_after: tuple[int, int]) -> Did | None:
    """(count, followed) for each cell -> LEAD's change in share minus the comparison group's, in proportion
    points, with its 95% interval. None when the model cannot be fitted (a share of exactly 0 or 1 has no
    variance under the identity link, so there is no interval to give)."""
    return pooled_proportion([[lead_before, lead_after, comparison_before, comparison_after]])


def pooled_proportion(cohorts: list[list[tuple[int, int]]]) -> Did | None:
    """The difference in differences of a share over several cohorts, each cohort a stratum: a Binomial GLM
    (identity link) with each cohort's own level, LEAD and after terms and one common LEAD x after term, so a
    cohort that is larger in one group or window cannot move the estimate by being larger. Every cohort needs
    all four cells (count, followed). One cohort needs 0 < count < followed in each cell (a share of exactly 0
    or 1 has no variance under the identity link); several need that of their summed cells, a cohort with a
    share of 0 being informative once the others fix the common term. None when the fit fails. The changes
    reported beside it are those of the cohorts' summed cells (the same people both sides)."""
    import statsmodels.api as sm

    if not cohorts or any(len(c) != 4 or any(n <= 0 or not 0 <= k <= n for k, n in c) for c in cohorts):
        return None
    strict = cohorts if len(cohorts) == 1 else [_summed(cohorts)]
    if any(not 0 < k < n for four in strict for k, n in four):
        return None
    endog = np.array([[k, n - k] for four in cohorts for k, n in four], dtype=float)
    try:
        est, low, high = _fit(endog, len(cohorts), sm.families.Binomial(link=sm.families.links.Identity()))
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not np.isfinite([est, low, high]).all():
        return None
    shares = [k / n for k, n in _summed(cohorts)]
    return Did(est, low, high, "difference", shares[1] - shares[0], shares[3] - shares[2])


def did_rate(lead_before: tuple[int, float], lead_after: tuple[int, float],
             comparison_before: tuple[int, float], comparison_after: tuple[int, float],
             dispersion: float = 1.0) -> Did | None:
    """(total, person-years) for each cell -> the ratio of rate ratios (LEAD's after/before rate over the
    comparison group's) with its 95% interval, the variance scaled by `dispersion` (quasi-Poisson). None when a
    cell has no events (the log link has no estimate)."""
    return pooled_rate([[lead_before, lead_after, comparison_before, comparison_after]], dispersion)


def pooled_rate(cohorts: list[list[tuple[int, float]]], dispersion: float = 1.0) -> Did | None:
    """The ratio of rate ratios over several cohorts, each cohort a stratum: a Poisson GLM (log link, log
    person-years as offset) with each cohort's own level, LEAD and after terms and one common LEAD x after
    term, its variance scaled by `dispersion`. Every cohort needs all four cells with person-years; one cohort
    needs events in each cell (the log link has no estimate at 0), several in each summed cell. None otherwise
    or when the fit does not give a finite interval."""
    import statsmodels.api as sm

    if not cohorts or any(len(c) != 4 or any(k < 0 or py <= 0 for k, py in c) for c in cohorts):
        return None
    strict = cohorts if len(cohorts) == 1 else [_summed(cohorts)]
    if any(k <= 0 for four in strict for k, _ in four):
        return None
    counts = np.array([k for four in cohorts for k, _ in four], dtype=float)
    offset = np.log([py for four in cohorts for _, py in four])
    est, low, high = _fit(counts, len(cohorts), sm.families.Poisson(), scale=float(dispersion), offset=offset)
    if not np.isfinite([est, low, high]).all():
        return None
    rates = [k / py for k, py in _summed(cohorts)]
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
    counts = np.array([n for four in usable for n, _ in four], dtype=float)
    offset = np.log([py for four in usable for _, py in four])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(counts, _design(len(usable)), family=sm.families.Poisson(), offset=offset).fit()
    return max(1.0, float(res.pearson_chi2 / res.df_resid))


# ------------------------------------------------------------------------------------- the same cohorts

def same_cohorts(rows: pd.DataFrame, measure: str, before: str, after: str
                 ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Published outcome rows of one measure and window pair -> (the cohorts' rows, the pooled 'all' rows,
    the cohorts 'all' covers). A cohort is kept only with both groups in both windows (its after-window
    complete), so before and after are the same cohorts. Years and multi-year spans; quarters only when a
    release has nothing coarser.

    'all' is the release's pooled row when it sums exactly the kept cohorts in every cell (a release built
    since issue 23: its before-window row leaves out cohorts with no after-window). Otherwise (an older release,
    whose pooled before-window also counted cohorts not yet followed after referral) it is the sums over the
    kept cohorts whose four cells are all published."""
    part = rows[(rows["measure"] == measure) & rows["window"].isin([before, after])]
    published_all = part[part["cohort_type"] == ALL]
    part = part[part["cohort_type"] != ALL]
    coarse = part["cohort_type"].isin(["year", "span"])
    part = part[coarse if coarse.any() else part["cohort_type"] == "quarter"]
    part = part[part.groupby("cohort")["window"].transform("size") == 4]
    if sums_the_cohorts(published_all, part):
        return part, published_all, _in_order(part["cohort"])
    known = fully_published(part)
    kept = part[part["cohort"].isin(known)]
    sums = (kept.groupby(["group", "window", "window_months"], as_index=False, sort=False)
            .agg(followed=("followed", "sum"), count=("count", "sum"),
                 cohort_first_month=("cohort_first_month", "min"), cohort_last_month=("cohort_last_month", "max"))
            .assign(cohort=ALL, cohort_type=ALL, measure=measure, withheld=False))
    return part, sums, known


def fully_published(part: pd.DataFrame) -> list[str]:
    """Cohorts (not 'all') all of whose rows in `part` carry a published count."""
    part = part[part["cohort"] != ALL]
    shown = ~part["withheld"].astype(bool) & part["count"].notna()
    ok = shown.groupby(part["cohort"], sort=False).all()
    return _in_order(c for c, good in ok.items() if good)


def sums_the_cohorts(pooled: pd.DataFrame, part: pd.DataFrame) -> bool:
    """`pooled` has the four cells (two groups x two windows) and its people followed are exactly those of the
    cohorts in `part` in each (people followed are never withheld)."""
    part = part[part["cohort"] != ALL]
    if len(pooled) != 4 or part.empty:
        return False
    sizes: dict[tuple, int] = {}  # a sum per group and window, in plain Python: a few dozen rows, asked often
    for group, window, followed in zip(part["group"], part["window"], part["followed"]):
        if not pd.isna(followed):
            sizes[(group, window)] = sizes.get((group, window), 0) + followed
    return all(sizes.get((g, w)) == n for g, w, n in zip(pooled["group"], pooled["window"], pooled["followed"]))


def covered_cohorts(part: pd.DataFrame) -> list[str]:
    """The cohorts the 'all' rows of `part` (cohort rows and pooled rows together) cover, by the rule of
    `same_cohorts`."""
    cohorts = part[part["cohort"] != ALL]
    if sums_the_cohorts(part[part["cohort"] == ALL], cohorts):
        return _in_order(cohorts["cohort"])
    return fully_published(cohorts)


def _in_order(cohorts) -> list[str]:
    """Cohort labels by when they start ('2019-Q2', '2019', '2019–2021' all start in 2019)."""
    return sorted(dict.fromkeys(cohorts), key=lambda c: (c[:4], c))
