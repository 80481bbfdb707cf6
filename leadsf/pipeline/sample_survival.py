"""SYNTHETIC sample life table (time to re-arrest). Made-up people, NOT real program results.

Calibration (docs/outcomes-method.md): Santa Fe's evaluation found LEAD participants' time to any re-arrest
was over a month longer than the comparison group's. Both groups are people with a pattern of re-arrest about
every 6 months (about 55% re-arrested within 6 months, as the outcome sample before referral), so the comparison
group's median time to re-arrest is about 6 months and LEAD's about 7. With a few hundred people in each group
that month is not a clear difference by the log-rank test, which the page then says. People differ in how often they are
arrested (gamma frailty of the outcome sample), so the curves flatten: a few are hardly ever re-arrested.

The people are those of the outcome sample's cohorts: everyone referred to LEAD in 2014 to 2024 (each person
once) and a comparison group about 0.75 times as large, followed from the referral month for up to 36 months,
or until data_through. A re-arrest is found in the state's records wherever a person goes, so follow-up ends
only there (deaths are left out of the sample).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import contract
from .sample_basis import (COMPARISON_SIZE, FRAILTY_SHAPE, OUTCOMES_THROUGH, REREFERRAL_SHARE,
                           rng)

FIRST_COHORT, LAST_COHORT = "2014", "2024"
MAX_FOLLOW_UP = 36  # months: the longest follow-up an evaluation of the program would report
# Monthly hazard of re-arrest for an average person (frailty 1); with FRAILTY_SHAPE these give medians of
# about 6 months (comparison) and 7 months (LEAD): "over a month longer".
HAZARD = {"comparison": 0.17, "lead": 0.14}


def _months_between(first: str, last: str) -> int:
    return (int(last[:4]) * 12 + int(last[5:7])) - (int(first[:4]) * 12 + int(first[5:7]))


def _group_rows(rng: np.random.Generator, group: str, referral_months: np.ndarray, through: str) -> list[tuple]:
    n = len(referral_months)
    frailty = rng.gamma(FRAILTY_SHAPE, 1 / FRAILTY_SHAPE, n)
    event = np.ceil(rng.exponential(1 / (HAZARD[group] * frailty))).astype(np.int64).clip(min=1)
    available = np.array([_months_between(m, through) for m in referral_months])
    end = np.minimum(available, MAX_FOLLOW_UP).clip(min=1)
    re_arrested = event <= end
    exit_month = np.where(re_arrested, event, end)
    rows = []
    at_risk = n
    for month in range(1, int(exit_month.max()) + 1):
        events = int((re_arrested & (exit_month == month)).sum())
        censored = int((~re_arrested & (exit_month == month)).sum())
        rows.append((through, FIRST_COHORT, LAST_COHORT, group, month, at_risk, events, censored))
        at_risk -= events + censored
    return rows


def life_table(referral_frame: pd.DataFrame) -> pd.DataFrame:
    """The life-table extract: LEAD and comparison, by month since referral, every relation of the contract kept."""
    generator = rng("life_table")
    through = OUTCOMES_THROUGH
    in_span = referral_frame[referral_frame["month"].str[:4].between(FIRST_COHORT, LAST_COHORT)]
    per_month = in_span.groupby("month")["count"].sum()
    per_month = per_month[per_month > 0]
    rows = []
    for group, size in (("lead", 1 - REREFERRAL_SHARE), ("comparison", COMPARISON_SIZE)):
        people = generator.binomial(per_month.to_numpy(), size) if group == "lead" else \
            generator.poisson(per_month.to_numpy() * size)
        months = np.repeat(per_month.index.to_numpy(), people)
        rows += _group_rows(generator, group, months, through)
    # Numbers as the CSV holds them (like the costs sample's amounts): the extract is text until validated.
    return pd.DataFrame(rows, columns=list(contract.TABLE_KINDS["life_table"].columns)).astype(str)
