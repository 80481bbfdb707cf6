"""Public outcome, cost and group-definition tables with exactly the columns of leadsf/pipeline/export.py, for the
pages' tests, and a store whose live release carries them.

When the published sample already has these tables (helper 13a's sample data), `store_with_outcomes` uses the
sample's own; otherwise it writes these into the release folder, so the pages are tested either way.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

WINDOWS = {"pre_12m": -12, "pre_6m": -6, "post_6m": 6, "post_12m": 12, "post_24m": 24}
PEOPLE = ("any_arrest", "new_charge", "felony_charge", "jail_booking", "ed_visit", "nonfatal_overdose", "housed",
          "employed", "income_or_benefits")
TOTALS = ("jail_bookings", "jail_days")
DATA_THROUGH = "2020-12"
# share of people with the event (people measures) or events per person-year (totals), by group and window
BASE = {"any_arrest": 0.55, "new_charge": 0.45, "felony_charge": 0.18, "jail_booking": 0.5, "ed_visit": 0.4,
        "nonfatal_overdose": 0.15, "housed": 0.15, "employed": 0.12, "income_or_benefits": 0.35,
        "jail_bookings": 1.9, "jail_days": 45.0}
LEAD_EFFECT = {"post_6m": 0.55, "post_12m": 0.85, "post_24m": 0.9}  # LEAD's after/before multiplier beyond comparison
GOOD = {"housed", "employed", "income_or_benefits"}  # measures LEAD should raise


def _cell_value(measure: str, group: str, window: str) -> float:
    base = BASE[measure] * (0.9 if group == "comparison" and measure not in GOOD else 1.0)
    if window.startswith("pre"):
        return base * (0.7 if window == "pre_6m" and measure not in TOTALS else 1.0)
    drift = 0.85  # regression to the mean: both groups fall after a peak
    effect = LEAD_EFFECT[window] if group == "lead" else 1.0
    if measure in GOOD:
        return min(0.9, base * (1 / drift) * (2 - effect))
    value = base * drift * effect
    return value * (0.7 if window == "post_6m" and measure not in TOTALS else 1.0)


# The after-window a before-window is pooled with (leadsf.pipeline.cohorts.POOLED_WITH).
POOLED_WITH = {"pre_6m": "post_6m", "pre_12m": "post_12m"}


def outcomes_table(cohorts=(2015, 2016, 2017, 2018), withhold_small: bool = True, pre_scale: dict | None = None,
                   mixed_all: bool = False) -> pd.DataFrame:
    """Cohort rows and the pooled 'all' rows, which (as a release since issue 23 publishes them) sum, for a
    before-window, only the cohorts whose paired after-window is complete. `pre_scale` multiplies the
    before-window counts of the given cohort years; `mixed_all` builds the pooled rows as releases before issue
    23 did, every cohort with the window."""
    rows = []
    sizes = {}
    for year in cohorts:
        rng = np.random.default_rng([13, year])  # one stream per cohort: adding a cohort changes no other
        for group in ("lead", "comparison"):
            sizes[(year, group)] = int(rng.integers(30, 60))
        for group in ("lead", "comparison"):
            for window, months in WINDOWS.items():
                last = f"{year}-12"
                end_year = year + (1 + (months - 1) // 12 if months > 0 else 0)
                if months > 0 and f"{end_year}-12" > DATA_THROUGH:
                    continue
                n = sizes[(year, group)] - (int(months / 6) if months > 0 else 0)  # a few lost to follow-up
                for measure in PEOPLE + TOTALS:
                    v = _cell_value(measure, group, window)
                    scale = (pre_scale or {}).get(year, 1.0) if months < 0 else 1.0
                    if measure in TOTALS:
                        count = int(round(v * n * abs(months) / 12 * rng.uniform(0.85, 1.15) * scale))
                    else:
                        count = int(min(n, round(v * n * rng.uniform(0.85, 1.15) * scale)))
                    rows.append({"cohort": str(year), "cohort_type": "year", "cohort_first_month": f"{year}-01",
                                 "cohort_last_month": last, "group": group, "window": window,
                                 "window_months": months, "measure": measure,
                                 "value_type": "total" if measure in TOTALS else "people", "followed": n,
                                 "count": count})
    frame = pd.DataFrame(rows)
    followed_in = {(c, w) for c, w in zip(frame["cohort"], frame["window"])}
    terms = frame[[mixed_all or (c, POOLED_WITH.get(w, w)) in followed_in
                   for c, w in zip(frame["cohort"], frame["window"])]]
    pooled = (terms.groupby(["group", "window", "window_months", "measure", "value_type"], as_index=False)
              .agg(followed=("followed", "sum"), count=("count", "sum"),
                   cohort_first_month=("cohort_first_month", "min"), cohort_last_month=("cohort_last_month", "max")))
    pooled["cohort"], pooled["cohort_type"] = "all", "all"
    frame = pd.concat([frame, pooled], ignore_index=True)
    frame["count"] = frame["count"].astype("Int64")
    frame["followed"] = frame["followed"].astype("Int64")
    small = frame["value_type"].eq("people") & frame["count"].between(1, 10)
    small |= frame["value_type"].eq("total") & (frame["followed"] < 20)
    frame["withheld"] = small if withhold_small else False
    frame.loc[frame["withheld"], "count"] = pd.NA
    totals = frame["value_type"].eq("total")
    frame["mean_per_person"] = (frame["count"].astype("Float64") / frame["followed"]).where(totals)
    frame["data_through"] = DATA_THROUGH
    return frame[["cohort", "cohort_type", "cohort_first_month", "cohort_last_month", "group", "window",
                  "window_months", "measure", "value_type", "followed", "count", "mean_per_person", "withheld",
                  "data_through"]]


def costs_table() -> pd.DataFrame:
    rows = []
    for fy in range(2015, 2020):
        grow = 1 + 0.05 * (fy - 2015)
        lines = {("case_management", "city"): 120_000, ("case_management", "grant"): 60_000,
                 ("treatment_services", "medicaid"): 150_000, ("treatment_services", "county"): 40_000,
                 ("housing", "city"): 30_000, ("housing", "grant"): 20_000, ("administration", "city"): 30_000}
        for (item, payer), amount in lines.items():
            rows.append((str(fy), item, "program_spending", payer, amount * grow, "USD", "LEAD Santa Fe budget"))
        rows.append((str(fy), "participants_served", "participants", "all", 60.0 + 5 * (fy - 2015), "people", ""))
        rows.append((str(fy), "participant_months", "participants", "all", 500.0 + 60 * (fy - 2015),
                     "participant-months", ""))
        for item, amount, unit, source in (
                ("jail_day", 87.0, "USD per jail day", "Santa Fe Community Foundation 2013: $1M for 11,502 jail days"),
                ("booking", 250.0, "USD per booking", "Santa Fe County Adult Detention Center, booking cost"),
                ("prosecution_case", 900.0, "USD per case", "First Judicial District Attorney, cost per case"),
                ("defence_case", 700.0, "USD per case", "NM Public Defender, cost per case")):
            rows.append((str(fy), item, "unit_cost", "all", amount * grow, unit, source))
    frame = pd.DataFrame(rows, columns=["fiscal_year", "item", "item_type", "payer", "amount", "unit", "source"])
    frame["withheld"] = False
    return frame


def groups_table() -> pd.DataFrame:
    return pd.DataFrame({
        "group": ["comparison", "lead"],
        "definition_en": ["People arrested in Santa Fe for the same low-level drug offences, in the same years, "
                          "who were not referred to LEAD.", "People referred to LEAD in the cohort's period."],
        "definition_es": ["Personas detenidas en Santa Fe por los mismos delitos menores de drogas, en los mismos "
                          "años, que no fueron derivadas a LEAD.", "Personas derivadas a LEAD en el periodo de la "
                          "cohorte."]})


TABLES = {"outcomes": outcomes_table, "costs": costs_table, "outcome_groups": groups_table}


def install(store, monkeypatch, tables: dict[str, pd.DataFrame] | None = None) -> None:
    """Write the tables into the live release folder (unless the release already has them, or `tables` says
    otherwise) and let leadsf.pipeline.db load them."""
    from leadsf.pipeline import db

    folder = store.release_dir(store.current())
    for name, make in TABLES.items():
        path = folder / f"{name}.parquet"
        if tables is not None and name in tables:
            tables[name].to_parquet(path, index=False)
        elif not path.exists():
            make().to_parquet(path, index=False)
    if "outcomes" not in db.PUBLIC_TABLES:
        monkeypatch.setattr(db, "PUBLIC_TABLES", (*db.PUBLIC_TABLES, *TABLES))


def remove(store) -> None:
    """The live release as one published before outcomes existed (no outcome, cost, group or life tables)."""
    folder = store.release_dir(store.current())
    for name in (*TABLES, "life_table"):
        (folder / f"{name}.parquet").unlink(missing_ok=True)
