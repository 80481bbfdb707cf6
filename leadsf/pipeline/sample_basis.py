"""What the SYNTHETIC sample's generators share (leadsf.pipeline.sample for the extracts, and
leadsf.pipeline.sample_survival for the life table): its months, its random streams and who the outcome
sample's people are. Made-up numbers, NOT real program results; the sources are in sample.py's docstring."""
from __future__ import annotations

import numpy as np

FIRST_MONTH = "2014-01"
LAST_MONTH = "2025-12"  # the latest full month of 2025
OUTCOMES_THROUGH = LAST_MONTH
SEED = 20140501  # any fixed number works; this one is the month of the first LEAD Santa Fe referral
KIND_NAMES = ("referrals", "engagement", "overdoses", "property_crime", "outcomes", "costs", "outcome_groups",
              "life_table")

COMPARISON_SIZE = 0.75  # comparison people per LEAD person in each cohort
REREFERRAL_SHARE = 0.1  # referrals of someone already referred: one person, one cohort
FRAILTY_SHAPE = 0.9     # people differ in how often they are arrested (gamma, mean 1): a few are arrested a lot


def rng(kind_name: str) -> np.random.Generator:
    # One stream per kind, so retuning one kind leaves the others' numbers unchanged.
    return np.random.default_rng([SEED, KIND_NAMES.index(kind_name)])
