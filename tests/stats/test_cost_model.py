"""Cost on the evaluations' design: each group's criminal-justice cost per person-year before and after referral
on the same cohorts, priced at unit costs (the nearest earlier year's price when a year has none), LEAD's
program cost added after referral, by fiscal year only where its own cohort carries it; the visitor's prices;
payer shares."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadsf.stats import cost_model as cm


def costs(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["fiscal_year", "item", "item_type", "payer", "amount", "unit", "source"])
    frame["withheld"] = frame["amount"].isna()
    return frame


BASE = [
    ("2015", "case_management", "program_spending", "city", 100_000.0, "USD", ""),
    ("2015", "treatment_services", "program_spending", "medicaid", 150_000.0, "USD", ""),
    ("2015", "participant_months", "participants", "all", 600.0, "participant-months", ""),
    ("2015", "jail_day", "unit_cost", "county", 87.0, "USD per jail day", "SFCF 2013"),
    ("2015", "booking", "unit_cost", "county", 400.0, "USD per booking", "County"),
    ("2015", "prosecution_case", "unit_cost", "state", 700.0, "USD per case", "DA"),
    ("2015", "defence_case", "unit_cost", "state", 500.0, "USD per case", "LOPD"),
    ("2016", "case_management", "program_spending", "city", 120_000.0, "USD", ""),
    ("2016", "participant_months", "participants", "all", 720.0, "participant-months", ""),
    ("2016", "jail_day", "unit_cost", "county", 90.0, "USD per jail day", "SFCF"),
]
# Two calendar-year cohorts, a year before and a year after referral, and the pooled row over both (as a release
# since issue 23 publishes it). Per person-year: LEAD 2.0 bookings, 50 jail days, 60% charged before; 0.8, 20
# and 40% after. Comparison 2.0, 60, 60% before; 2.0, 70, 65% after.
PER_COHORT = {("lead", "pre_12m"): (50, 100, 2500, 30), ("lead", "post_12m"): (50, 40, 1000, 20),
              ("comparison", "pre_12m"): (40, 80, 2400, 24), ("comparison", "post_12m"): (40, 80, 2800, 26)}


def use_rows(cohorts=("2014", "2015"), before_only=(), scale_before_only=1.0, withheld=()) -> pd.DataFrame:
    rows = []
    for cohort in (*cohorts, *before_only):
        for (group, window), (n, bookings, days, charged) in PER_COHORT.items():
            if cohort in before_only and window.startswith("post"):
                continue
            k = scale_before_only if cohort in before_only else 1.0
            for measure, count in (("jail_bookings", bookings), ("jail_days", days), ("new_charge", charged)):
                hidden = (cohort, group, window, measure) in withheld
                rows.append({"cohort": cohort, "cohort_type": "year", "cohort_first_month": f"{cohort}-01",
                             "cohort_last_month": f"{cohort}-12", "group": group, "window": window,
                             "window_months": 12 if window.startswith("post") else -12, "measure": measure,
                             "value_type": "people" if measure == "new_charge" else "total", "followed": n,
                             "count": pd.NA if hidden else int(round(count * k)), "withheld": hidden})
    frame = pd.DataFrame(rows)
    terms = frame[frame["cohort"].isin(cohorts)]
    pooled = (terms.groupby(["group", "window", "window_months", "measure", "value_type"], as_index=False)
              .agg(followed=("followed", "sum"), count=("count", lambda c: c.sum() if c.notna().all() else pd.NA)))
    pooled = pooled.assign(cohort="all", cohort_type="all", cohort_first_month=f"{cohorts[0]}-01",
                           cohort_last_month=f"{cohorts[-1]}-12", withheld=pooled["count"].isna())
    out = pd.concat([frame, pooled], ignore_index=True)
    out["count"] = out["count"].astype("Int64")
    return out


COSTS = BASE + [
    ("2016", "booking", "unit_cost", "county", 500.0, "USD per booking", "County"),
    ("2016", "prosecution_case", "unit_cost", "state", 700.0, "USD per case", "DA"),
    ("2016", "defence_case", "unit_cost", "state", 500.0, "USD per case", "LOPD"),
]


def test_program_cost_per_participant_year():
    out = cm.program_cost(costs(BASE)).set_index("fiscal_year")
    assert out.loc["2015", "per_participant_year"] == pytest.approx(250_000 / 50)   # 600 months = 50 years
    assert out.loc["2016", "per_participant_year"] == pytest.approx(120_000 / 60)


def test_each_groups_change_from_before_to_after_on_the_same_cohorts():
    table = cm.cost_table(costs(COSTS), use_rows(), "12m")
    pooled = table[table["estimate"] == "all"].set_index(["group", "period"])
    # Priced at the latest fiscal year's unit costs (2016: jail day 90, booking 500, a case 700 + 500).
    assert pooled.loc[("lead", "before"), "total"] == pytest.approx(50 * 90 + 2.0 * 500 + 0.6 * 1200, abs=1)
    assert pooled.loc[("lead", "after"), "jail_days"] == pytest.approx(20 * 90)
    assert pooled.loc[("comparison", "after"), "total"] == pytest.approx(70 * 90 + 2.0 * 500 + 0.65 * 1200, abs=1)
    # Program cost after referral, LEAD only: cohorts 2014 and 2015 centre on FY2015 and FY2016 together.
    program = (250_000 + 120_000) / ((600 + 720) / 12)
    assert pooled.loc[("lead", "after"), "program"] == pytest.approx(program, abs=1)
    assert pooled.loc[("lead", "before"), "program"] == 0 and pooled.loc[("comparison", "after"), "program"] == 0
    assert pooled.loc[("lead", "before"), "followed"] == 100
    change = cm.changes(table)
    assert change["lead"]["change"] == pytest.approx((20 - 50) * 90 + (0.8 - 2.0) * 500 + (0.4 - 0.6) * 1200, abs=2)
    assert change["comparison"]["change"] == pytest.approx(10 * 90 + 0.05 * 1200, abs=2)
    assert change["lead"]["total"] == pytest.approx(program + 20 * 90 + 0.8 * 500 + 0.4 * 1200, abs=2)


def test_a_fiscal_year_has_its_own_figure_only_where_its_own_cohort_carries_it():
    # Cohort 2014 centres on FY2015, cohort 2015 on FY2016; each priced at its own year's unit costs.
    table = cm.cost_table(costs(COSTS), use_rows(), "12m")
    assert list(dict.fromkeys(table["estimate"])) == ["all", "2015", "2016"]
    fy2015 = table[table["estimate"] == "2015"].set_index(["group", "period"])
    assert fy2015.loc[("lead", "after"), "program"] == pytest.approx(5000)
    assert fy2015.loc[("lead", "after"), "bookings"] == pytest.approx(0.8 * 400)
    assert (fy2015["cohorts"] == "2014").all()
    # A suppressed number in cohort 2015: FY2016 has no figure of its own, the pooled one stays (its row is whole).
    hidden = use_rows(withheld={("2015", "comparison", "post_12m", "new_charge")})
    hidden.loc[(hidden["cohort"] == "all") & (hidden["measure"] == "new_charge") & (hidden["group"] == "comparison")
               & (hidden["window"] == "post_12m"), ["count", "withheld"]] = [52, False]
    table = cm.cost_table(costs(COSTS), hidden, "12m")
    assert list(dict.fromkeys(table["estimate"])) == ["all", "2015"]
    assert cm.changes(table) == cm.changes(cm.cost_table(costs(COSTS), use_rows(), "12m"))
    # A span of years carries no fiscal year of its own.
    span = use_rows().replace({"cohort_type": {"year": "span"}})
    assert list(dict.fromkeys(cm.cost_table(costs(COSTS), span, "12m")["estimate"])) == ["all"]


def test_a_cohort_with_no_after_window_changes_nothing():
    base = cm.cost_table(costs(COSTS), use_rows(), "12m")
    for scale in (1.0, 5.0):
        with_it = cm.cost_table(costs(COSTS), use_rows(before_only=("2016",), scale_before_only=scale), "12m")
        pd.testing.assert_frame_equal(with_it, base)


def test_visitor_prices_replace_the_published_ones_in_every_year():
    table = cm.cost_table(costs(COSTS), use_rows(), "12m", {"jail_day": 200.0, "booking": 1000.0})
    comp = table[(table["group"] == "comparison") & (table["period"] == "after")]
    assert (comp["jail_days"] == 70 * 200).all()
    assert (table[(table["group"] == "lead") & (table["period"] == "after")]["bookings"] == 800).all()


def test_withheld_numbers_give_no_cost_never_zero():
    rows = [r if r[1] != "participant_months" or r[0] != "2016" else (*r[:4], None, *r[5:]) for r in COSTS]
    table = cm.cost_table(costs(rows), use_rows(), "12m").set_index(["estimate", "group", "period"])
    assert pd.isna(table.loc[("2016", "lead", "after"), "program"])
    assert pd.isna(table.loc[("2016", "lead", "after"), "total"])
    assert table.loc[("2016", "lead", "before"), "total"] > 0  # before referral there is no program to price
    use = use_rows(withheld={("2014", "lead", "post_12m", "jail_days"), ("2015", "lead", "post_12m", "jail_days")})
    table = cm.cost_table(costs(COSTS), use, "12m").set_index(["estimate", "group", "period"])
    assert pd.isna(table.loc[("all", "lead", "after"), "jail_days"])
    assert not pd.isna(table.loc[("all", "comparison", "after"), "total"])
    assert cm.changes(cm.cost_table(costs(COSTS), use, "12m")) is None
    assert cm.cost_table(costs(COSTS), use_rows().iloc[0:0], "12m").empty


def test_payer_shares():
    shares = cm.payer_shares(costs(BASE))
    y2015 = shares[shares["fiscal_year"] == "2015"].set_index("payer")["share_pct"]
    assert y2015["medicaid"] == 60.0 and y2015["city"] == 40.0
    assert np.isclose(shares.groupby("fiscal_year")["share_pct"].sum(), 100, atol=0.2).all()
