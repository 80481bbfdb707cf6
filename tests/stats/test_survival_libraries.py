"""lifelines on the pinned pandas 3: it declares pandas<3.0 and is installed without its declared dependencies
(requirements-nodeps.txt), so its Kaplan-Meier, median and log-rank are checked against statsmodels' own,
an independent implementation that supports pandas 3, on a small life table with weights."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

# (month, re-arrested, censored) per group: counts of people, as in a published life table.
TABLE = {"lead": [(3, 14, 0), (6, 12, 11), (12, 20, 15), (18, 11, 13), (24, 0, 40)],
         "comparison": [(3, 25, 0), (6, 19, 12), (12, 22, 11), (18, 12, 0), (24, 0, 30)]}


def weighted(group: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [(m, 1, e) for m, e, _ in TABLE[group] if e] + [(m, 0, c) for m, _, c in TABLE[group] if c]
    time, event, weight = (np.array(col) for col in zip(*rows))
    return time, event, weight


def test_pandas_is_the_pinned_major_version():
    assert pd.__version__.split(".")[0] == "3", pd.__version__


@pytest.mark.parametrize("group", sorted(TABLE))
def test_kaplan_meier_and_median_agree_with_statsmodels(group):
    time, event, weight = weighted(group)
    km = KaplanMeierFitter().fit(time, event, weights=weight)
    sm = SurvfuncRight(time, event, freq_weights=weight)
    ours = km.survival_function_at_times(sm.surv_times).to_numpy()
    assert np.allclose(ours, sm.surv_prob, atol=1e-12)
    median = sm.quantile(0.5)  # statsmodels: nan where the curve never reaches one half; lifelines: inf
    assert km.median_survival_time_ == median or (np.isinf(km.median_survival_time_) and np.isnan(median))


def test_the_table_has_a_median_reached_and_one_not():
    medians = [KaplanMeierFitter().fit(*weighted(g)[:2], weights=weighted(g)[2]).median_survival_time_ for g in TABLE]
    assert sorted(np.isinf(medians)) == [False, True]


def test_log_rank_agrees_with_statsmodels_on_the_expanded_rows():
    (ta, ea, wa), (tb, eb, wb) = weighted("lead"), weighted("comparison")
    ours = logrank_test(ta, tb, ea, eb, weights_A=wa, weights_B=wb)
    time = np.concatenate([np.repeat(ta, wa), np.repeat(tb, wb)])
    status = np.concatenate([np.repeat(ea, wa), np.repeat(eb, wb)])
    group = np.array(["lead"] * int(wa.sum()) + ["comparison"] * int(wb.sum()))
    statistic, p = survdiff(time, status, group)
    assert ours.test_statistic == pytest.approx(statistic, rel=1e-9)
    assert ours.p_value == pytest.approx(p, rel=1e-9)
