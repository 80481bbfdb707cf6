"""Cost on the evaluations' design (Seattle's LEAD cost study; Santa Fe's 2018 evaluation), no Streamlit here:
each group's criminal-justice cost per person-year in the year before referral and the year after, from the
same cohorts on both sides, priced at published unit costs (or the visitor's own), and LEAD's program cost
added after referral.

- Program cost per participant-year = program spending / (participant-months / 12), by fiscal year.
- Criminal-justice cost per person-year = (jail bookings, jail days and new-charge court cases per person-year
  in the window) x unit costs. A person with a new charge in the window is counted as one court case, priced
  at a prosecution plus a defence case.
- The headline pools the cohorts whose year after referral is complete (`outcome_stats.same_cohorts`), priced
  at the latest fiscal year's unit costs, with the program cost of the fiscal years those cohorts' years after
  referral fall in. A fiscal year gets its own figure only where its own cohort carries it: the people
  referred in calendar year Y, whose year after referral runs from early Y to late Y+1 and so centres on fiscal
  year Y+1 (July Y to June Y+1), published as a year of their own with every cell it needs. Other years show
  nothing of their own: the pooled figure is shown once, never repeated.
Fiscal year YYYY ends on 30 June of YYYY. A year without its own price of an item uses the nearest earlier
year's (else the nearest later year's), and says which year the price is from.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from leadsf import config

from . import outcome_stats

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


# The windows that can be priced (months before and after referral).
PAIRS = {"12m": ("pre_12m", "post_12m"), "6m": ("pre_6m", "post_6m")}


def pair_order() -> tuple[str, ...]:
    """The pairs to price, first choice first: config's cost_window_months, then the other."""
    first = f"{config.get('cost_window_months')}m"
    return (first, *[p for p in PAIRS if p != first]) if first in PAIRS else tuple(PAIRS)
PERIODS = ("before", "after")
POOLED = "all"


def cohort_fiscal_year(cohort_year: str) -> str:
    """The fiscal year a calendar-year cohort's year after referral centres on (see the module note)."""
    return str(int(cohort_year) + config.get("cost_cohort_fiscal_lag"))


def _years_of(cohort: str) -> list[str]:
    first, _, last = cohort.replace("\u2013", "-").partition("-")
    return [str(y) for y in range(int(first[:4]), int((last or first)[:4]) + 1)]


def justice_use(use: pd.DataFrame, pair: str) -> pd.DataFrame:
    """Criminal-justice use per person-year before and after referral, by group: the pooled cohorts (`cohort`
    'all', the same cohorts on both sides for every measure) and each calendar-year cohort with every cell of
    every measure published. Columns: cohort, covers (the cohorts, ' '-joined), group, period, measure,
    followed, per_year (NaN when withheld)."""
    before, after = PAIRS[pair]
    period = {before: "before", after: "after"}
    measures = [m for m, _ in JUSTICE.values()]
    out, covers, own = [], None, None
    found = {measure: outcome_stats.same_cohorts(use, measure, before, after) for measure in measures}
    for measure in measures:
        part, pooled, covered = found[measure]
        # One cohort set for every measure: those every measure covers.
        covers = covered if covers is None else [c for c in covers if c in covered]
        full = [c for c in outcome_stats.fully_published(part)
                if part.loc[part["cohort"] == c, "cohort_type"].iloc[0] == "year"]
        own = full if own is None else [c for c in own if c in full]
    for measure in measures:
        part, pooled, covered = found[measure]
        if covered != covers:  # a measure covering more cohorts: the sums over the shared ones
            kept = part[part["cohort"].isin(covers or [])]
            pooled = kept.groupby(["group", "window", "window_months"], as_index=False).agg(
                followed=("followed", "sum"), count=("count", lambda c: c.sum() if c.notna().all() else pd.NA))
            pooled = pooled.assign(withheld=pooled["count"].isna())
        for cohort, rows in [(POOLED, pooled)] + [(c, part[part["cohort"] == c]) for c in own or []]:
            for r in rows.itertuples(index=False):
                per_year = (np.nan if r.withheld or pd.isna(r.count)
                            else float(r.count) / int(r.followed) / (abs(int(r.window_months)) / 12))
                out.append({"cohort": cohort, "covers": " ".join(covers or []) if cohort == POOLED else cohort,
                            "group": r.group, "period": period[r.window], "measure": measure,
                            "followed": int(r.followed), "per_year": per_year})
    return pd.DataFrame(out, columns=["cohort", "covers", "group", "period", "measure", "followed", "per_year"])


def _program_over(program: pd.DataFrame, years: list[str]) -> float:
    """Spending per participant-year over several fiscal years together (those with both numbers known)."""
    part = program[program["fiscal_year"].isin(years)].dropna(subset=["spending", "participant_years"])
    if part.empty or part["participant_years"].sum() <= 0:
        return np.nan
    return float(part["spending"].sum() / part["participant_years"].sum())


def cost_table(costs: pd.DataFrame, use: pd.DataFrame, pair: str = "12m",
               overrides: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per estimate (POOLED, or a fiscal year its own cohort carries), group and period (before,
    after): program cost (LEAD after referral only), each criminal-justice component and the total, USD per
    person-year. `overrides` replaces the published unit cost of an item in every year (the visitor's
    assumption). Columns: estimate, cohorts, fiscal_year (the prices' year), group, period, followed, program,
    the JUSTICE components, total."""
    overrides = overrides or {}
    years = tuple(fiscal_years(costs))
    columns = ["estimate", "cohorts", "fiscal_year", "group", "period", "followed", "program", *JUSTICE, "total"]
    rates = justice_use(use, pair) if len(use) else pd.DataFrame()
    if rates.empty or not years:
        return pd.DataFrame(columns=columns)
    priced = prices(unit_costs(costs), years)
    program = program_cost(costs)
    estimates = []
    pooled = rates[rates["cohort"] == POOLED]
    if len(pooled):
        covers = pooled["covers"].iloc[0].split()
        fys = sorted({cohort_fiscal_year(y) for c in covers for y in _years_of(c)})
        estimates.append((POOLED, " ".join(covers), years[-1], _program_over(program, fys), pooled))
    for cohort in dict.fromkeys(rates.loc[rates["cohort"] != POOLED, "cohort"]):
        fy = cohort_fiscal_year(cohort)
        if fy in years:
            estimates.append((fy, cohort, fy, _program_over(program, [fy]), rates[rates["cohort"] == cohort]))
    out = []
    for estimate, cohorts, fy, program_cost_, part in estimates:
        per = part.set_index(["group", "period", "measure"])["per_year"]
        sizes = part.drop_duplicates(["group", "period"]).set_index(["group", "period"])["followed"]
        for group in ("lead", "comparison"):
            for period in PERIODS:
                row = {"estimate": estimate, "cohorts": cohorts, "fiscal_year": fy, "group": group,
                       "period": period, "followed": int(sizes.get((group, period), 0)),
                       "program": program_cost_ if group == "lead" and period == "after" else 0.0}
                for name, (measure, items) in JUSTICE.items():
                    each = [overrides[i] if i in overrides else priced.get((i, fy), (None,))[0] for i in items]
                    known = [p for p in each if p is not None]  # never published: left out (the page lists it)
                    row[name] = per.get((group, period, measure), np.nan) * (sum(known) if known else np.nan)
                row["total"] = row["program"] + sum(row[n] for n in JUSTICE)
                out.append(row)
    frame = pd.DataFrame(out, columns=columns)
    for c in ("program", *JUSTICE, "total"):
        frame[c] = frame[c].astype("Float64").round(0)
    return frame


def changes(table: pd.DataFrame, estimate: str = POOLED) -> dict[str, dict[str, float]] | None:
    """group -> {'before', 'after', 'change'} criminal-justice cost per person-year (program left out) and,
    for LEAD, 'program' and 'total' after referral; None when the estimate is missing or a figure is withheld."""
    part = table[table["estimate"] == estimate]
    if len(part) != 4:
        return None
    out = {}
    for group in ("lead", "comparison"):
        g = part[part["group"] == group].set_index("period")
        justice = {p: float(sum(g.loc[p, c] for c in JUSTICE)) if g.loc[p, list(JUSTICE)].notna().all()
                   else np.nan for p in PERIODS}
        out[group] = {**justice, "change": justice["after"] - justice["before"],
                      "program": float(g.loc["after", "program"]) if pd.notna(g.loc["after", "program"]) else np.nan,
                      "total": float(g.loc["after", "total"]) if pd.notna(g.loc["after", "total"]) else np.nan}
    if any(np.isnan(v) for g in out.values() for v in g.values()):
        return None
    return out
