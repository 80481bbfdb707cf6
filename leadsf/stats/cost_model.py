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

from leadsf import memo

PROGRAM_ITEMS = ("case_management", "treatment_services", "housing", "administration")
UNIT_ITEMS = ("jail_day", "booking", "prosecution_case", "defence_case", "court_hearing", "ed_visit",
              "ems_transport")
# Components of criminal-justice cost: (use measure, unit cost items priced per unit of use)
JUSTICE = {"jail_days": ("jail_days", ("jail_day",)), "bookings": ("jail_bookings", ("booking",)),
           "court_cases": ("new_charge", ("prosecution_case", "defence_case"))}
VISITOR_ITEMS = ("jail_day", "booking")  # unit costs a visitor can change


def fiscal_years(costs: pd.DataFrame) -> list[str]:
    return sorted(costs["fiscal_year"].astype(str).unique())


@memo.by_content
def program_cost(costs: pd.DataFrame) -> pd.DataFrame:
    """Per fiscal year: program spending, participant-years and spending per participant-year (NaN when a
    number needed is withheld or missing)."""
    years = pd.Index(fiscal_years(costs), name="fiscal_year")
    fy = costs["fiscal_year"].astype(str)

    def total(mask) -> pd.Series:  # NaN for a year with any withheld line, or none
        part = costs[mask].assign(fiscal_year=fy[mask])
        sums = part.groupby("fiscal_year")["amount"].agg(lambda a: np.nan if a.isna().any() else a.sum())
        return sums.reindex(years).astype(float)

    spending = total(costs["item_type"] == "program_spending")
    participant_years = total(costs["item"] == "participant_months") / 12
    out = pd.DataFrame({"spending": spending, "participant_years": participant_years})
    out["per_participant_year"] = out["spending"] / out["participant_years"].where(out["participant_years"] > 0)
    return out.reset_index()


@memo.by_content
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
    return prices(units, (fiscal_year,)).get((item, fiscal_year), (None, None))


@memo.by_content
def prices(units: pd.DataFrame, years: tuple[str, ...]) -> dict[tuple[str, str], tuple[float, str]]:
    """(item, fiscal year) -> (unit cost, the year it is from) for every published item and each of `years`
    (rule as in `price`). A cost shared by several payers adds up."""
    rows = units[units["amount"].notna()]
    by = rows.groupby(["item", rows["fiscal_year"].astype(str)])["amount"].sum()
    out = {}
    for item, series in by.groupby(level=0):
        published = series.droplevel(0).sort_index()
        for year in years:
            earlier = published[published.index <= year]
            source = earlier.index[-1] if len(earlier) else published.index[0]
            out[(item, year)] = (float(published[source]), str(source))
    return out


def justice_use(use: pd.DataFrame) -> dict[str, dict[str, float]]:
    """group -> use measure -> events per person-year after referral (NaN when withheld)."""
    out: dict[str, dict[str, float]] = {}
    for r in use.itertuples(index=False):
        # a total over person-years; for people with a new charge, one case each over person-years
        per_year = (np.nan if r.withheld or pd.isna(r.count)
                    else float(r.count) / int(r.followed) / (abs(int(r.window_months)) / 12))
        out.setdefault(r.group, {})[r.measure] = per_year
    return out


@memo.by_content
def cost_per_year(costs: pd.DataFrame, use: pd.DataFrame, overrides: dict[str, float] | None = None
                  ) -> pd.DataFrame:
    """One row per fiscal year and group ('lead', 'comparison'): program cost (LEAD only), the cost of each
    criminal-justice component, and the total, in USD per participant-year. `overrides` replaces the published
    unit cost of an item in every year (the visitor's assumption)."""
    overrides = overrides or {}
    years = tuple(fiscal_years(costs))
    priced = prices(unit_costs(costs), years)
    program = program_cost(costs).set_index("fiscal_year")
    rates = justice_use(use)
    out = []
    for fy in years:
        for group in ("lead", "comparison"):
            row = {"fiscal_year": fy, "group": group,
                   "program": program.loc[fy, "per_participant_year"] if group == "lead" else 0.0}
            for name, (measure, items) in JUSTICE.items():
                each = [overrides[i] if i in overrides else priced.get((i, fy), (None,))[0] for i in items]
                known = [p for p in each if p is not None]  # an item never published is left out (the page lists it)
                per_unit = sum(known) if known else np.nan
                row[name] = rates.get(group, {}).get(measure, np.nan) * per_unit
            row["total"] = row["program"] + sum(row[n] for n in JUSTICE)
            out.append(row)
    frame = pd.DataFrame(out, columns=["fiscal_year", "group", "program", *JUSTICE, "total"])
    for c in ("program", *JUSTICE, "total"):
        frame[c] = frame[c].astype("Float64").round(0)
    return frame
