"""Cost per participant-year: LEAD's program cost plus the criminal-justice use of LEAD and comparison-group
participants priced at published unit costs (or the visitor's own), by fiscal year. No Streamlit here.

- Program cost per participant-year = program spending / (participant-months / 12).
- Criminal-justice cost per person-year = (jail bookings, jail days and new-charge court cases per person-year
  after referral, all cohorts together) x unit costs. A person with a new charge in the window is counted as one
  court case, priced at a prosecution plus a defence case.
Fiscal year YYYY ends on 30 June of YYYY. A year without its own price of an item uses the nearest earlier
year's (else the nearest later year's), and says which year the price is from.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PROGRAM_ITEMS = ("case_management", "treatment_services", "housing", "administration")
UNIT_ITEMS = ("jail_day", "booking", "prosecution_case", "defence_case", "court_hearing", "ed_visit",
              "ems_transport")
# Components of criminal-justice cost: (use measure, unit cost items priced per unit of use)
JUSTICE = {"jail_days": ("jail_days", ("jail_day",)), "bookings": ("jail_bookings", ("booking",)),
           "court_cases": ("new_charge", ("prosecution_case", "defence_case"))}
VISITOR_ITEMS = ("jail_day", "booking")  # unit costs a visitor can change


def fiscal_years(costs: pd.DataFrame) -> list[str]:
    return sorted(costs["fiscal_year"].astype(str).unique())


def program_cost(costs: pd.DataFrame) -> pd.DataFrame:
    """Per fiscal year: program spending, participant-years and spending per participant-year (NaN when a
    number needed is withheld or missing)."""
    out = []
    for fy in fiscal_years(costs):
        year = costs[costs["fiscal_year"].astype(str) == fy]
        spend = year[year["item_type"] == "program_spending"]
        months = year[year["item"] == "participant_months"]["amount"]
        spending = np.nan if spend.empty or spend["amount"].isna().any() else float(spend["amount"].sum())
        py = np.nan if months.empty or months.isna().any() else float(months.sum()) / 12
        out.append({"fiscal_year": fy, "spending": spending, "participant_years": py,
                    "per_participant_year": spending / py if py and py == py and spending == spending else np.nan})
    return pd.DataFrame(out, columns=["fiscal_year", "spending", "participant_years", "per_participant_year"])


def payer_shares(costs: pd.DataFrame) -> pd.DataFrame:
    """Program spending by fiscal year and payer, with each payer's share of that year's spending (%)."""
    spend = costs[(costs["item_type"] == "program_spending") & costs["amount"].notna()]
    by = spend.groupby(["fiscal_year", "payer"], as_index=False)["amount"].sum()
    by["share_pct"] = (100 * by["amount"] / by.groupby("fiscal_year")["amount"].transform("sum")).round(1)
    return by.sort_values(["fiscal_year", "amount"], ascending=[True, False]).reset_index(drop=True)


def unit_costs(costs: pd.DataFrame) -> pd.DataFrame:
    """The published unit costs with their units, payers and sources, by fiscal year (one row per payer)."""
    units = costs[costs["item_type"] == "unit_cost"]
    return units[["fiscal_year", "item", "payer", "amount", "unit", "source"]].reset_index(drop=True)


def price(units: pd.DataFrame, item: str, fiscal_year: str) -> tuple[float | None, str | None]:
    """(unit cost, fiscal year it is from) for `item` in `fiscal_year`: that year's, else the nearest earlier
    year's, else the nearest later year's; (None, None) when never published."""
    rows = units[(units["item"] == item) & units["amount"].notna()]
    if rows.empty:
        return None, None
    by_year = rows.groupby(rows["fiscal_year"].astype(str))["amount"].sum()  # a cost shared by payers adds up
    earlier = by_year[by_year.index <= fiscal_year]
    year = earlier.index[-1] if len(earlier) else by_year.index[0]
    return float(by_year[year]), str(year)


def justice_use(use: pd.DataFrame) -> dict[str, dict[str, float]]:
    """group -> use measure -> events per person-year after referral (NaN when withheld)."""
    out: dict[str, dict[str, float]] = {}
    for r in use.itertuples(index=False):
        # a total over person-years; for people with a new charge, one case each over person-years
        per_year = (np.nan if r.withheld or pd.isna(r.count)
                    else float(r.count) / int(r.followed) / (abs(int(r.window_months)) / 12))
        out.setdefault(r.group, {})[r.measure] = per_year
    return out


def cost_per_year(costs: pd.DataFrame, use: pd.DataFrame, overrides: dict[str, float] | None = None
                  ) -> pd.DataFrame:
    """One row per fiscal year and group ('lead', 'comparison'): program cost (LEAD only), the cost of each
    criminal-justice component, and the total, in USD per participant-year. `overrides` replaces the published
    unit cost of an item in every year (the visitor's assumption)."""
    overrides = overrides or {}
    units = unit_costs(costs)
    program = program_cost(costs).set_index("fiscal_year")
    rates = justice_use(use)
    out = []
    for fy in fiscal_years(costs):
        for group in ("lead", "comparison"):
            row = {"fiscal_year": fy, "group": group,
                   "program": program.loc[fy, "per_participant_year"] if group == "lead" else 0.0}
            for name, (measure, items) in JUSTICE.items():
                prices = [overrides[i] if i in overrides else price(units, i, fy)[0] for i in items]
                known = [p for p in prices if p is not None]  # an item never published is left out (the page lists it)
                per_unit = sum(known) if known else np.nan
                row[name] = rates.get(group, {}).get(measure, np.nan) * per_unit
            row["total"] = row["program"] + sum(row[n] for n in JUSTICE)
            out.append(row)
    frame = pd.DataFrame(out, columns=["fiscal_year", "group", "program", *JUSTICE, "total"])
    for c in ("program", *JUSTICE, "total"):
        frame[c] = frame[c].astype("Float64").round(0)
    return frame
