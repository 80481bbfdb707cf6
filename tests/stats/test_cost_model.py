"""Cost per participant-year: program spending over participant-years, criminal-justice use priced at unit
costs (the nearest earlier year's price when a year has none), the visitor's prices, and payer shares."""
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
# post_12m, all cohorts: 100 people followed a year each
USE = pd.DataFrame({"group": ["lead"] * 3 + ["comparison"] * 3,
                    "measure": ["jail_bookings", "jail_days", "new_charge"] * 2,
                    "value_type": ["total", "total", "people"] * 2, "followed": [100] * 6, "window_months": [12] * 6,
                    "count": pd.array([50, 1100, 30, 180, 5700, 55], dtype="Int64"),
                    "mean_per_person": [0.5, 11.0, None, 1.8, 57.0, None], "withheld": [False] * 6})


def test_program_cost_per_participant_year():
    out = cm.program_cost(costs(BASE)).set_index("fiscal_year")
    assert out.loc["2015", "per_participant_year"] == pytest.approx(250_000 / 50)   # 600 months = 50 years
    assert out.loc["2016", "per_participant_year"] == pytest.approx(120_000 / 60)


def test_justice_cost_priced_at_unit_costs_with_the_earlier_years_price_carried():
    table = cm.cost_per_year(costs(BASE), USE).set_index(["fiscal_year", "group"])
    lead = table.loc[("2015", "lead")]
    assert lead["jail_days"] == pytest.approx(11.0 * 87, abs=0.5)
    assert lead["bookings"] == pytest.approx(0.5 * 400)
    assert lead["court_cases"] == pytest.approx(0.30 * (700 + 500))
    assert lead["total"] == pytest.approx(5000 + 957 + 200 + 360, abs=1)
    comp = table.loc[("2015", "comparison")]
    assert comp["program"] == 0 and comp["total"] == pytest.approx(57 * 87 + 1.8 * 400 + 0.55 * 1200, abs=1)
    # 2016 publishes its own jail-day cost but no booking cost: 2015's is used.
    assert table.loc[("2016", "lead"), "bookings"] == pytest.approx(200)
    assert table.loc[("2016", "lead"), "jail_days"] == pytest.approx(990)
    assert cm.price(cm.unit_costs(costs(BASE)), "booking", "2016") == (400.0, "2015")
    assert cm.price(cm.unit_costs(costs(BASE)), "ed_visit", "2016") == (None, None)


def test_visitor_prices_replace_the_published_ones_in_every_year():
    table = cm.cost_per_year(costs(BASE), USE, {"jail_day": 200.0, "booking": 1000.0})
    assert (table[table["group"] == "comparison"]["jail_days"] == 57 * 200).all()
    assert (table[table["group"] == "lead"]["bookings"] == 500).all()


def test_withheld_numbers_give_no_cost_never_zero():
    rows = [r if r[1] != "participant_months" or r[0] != "2016" else (*r[:4], None, *r[5:]) for r in BASE]
    table = cm.cost_per_year(costs(rows), USE).set_index(["fiscal_year", "group"])
    assert pd.isna(table.loc[("2016", "lead"), "program"]) and pd.isna(table.loc[("2016", "lead"), "total"])
    use = USE.copy()
    use.loc[1, ["count", "withheld"]] = [pd.NA, True]
    table = cm.cost_per_year(costs(BASE), use).set_index(["fiscal_year", "group"])
    assert pd.isna(table.loc[("2015", "lead"), "jail_days"]) and not pd.isna(table.loc[("2015", "comparison"), "total"])


def test_payer_shares():
    shares = cm.payer_shares(costs(BASE))
    y2015 = shares[shares["fiscal_year"] == "2015"].set_index("payer")["share_pct"]
    assert y2015["medicaid"] == 60.0 and y2015["city"] == 40.0
    assert np.isclose(shares.groupby("fiscal_year")["share_pct"].sum(), 100, atol=0.2).all()
