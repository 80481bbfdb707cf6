"""What an area profile shows, as plain data: the headline measure of each domain, its latest year against the
year before, the whole county and the area's rank. The live profile (pages/area_profile.py) and the printable
briefs made at publish (leadsf.pipeline.briefs) both read it, so the two cannot disagree.
Queries: profile_series, profile_rank."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from . import contract
from .areas import TOTAL_ID

# One headline measure per domain (kind, measure); where it is not published by year for the area, the next
# candidate listed for the domain is shown instead (the subheading names the measure shown).
DOMAINS: tuple[tuple[str, str], ...] = (
    ("referrals", "all"),
    ("engagement", "engaged_case_management"),
    ("overdoses", "nonfatal_ed"),
    ("property_crime", "all"),
)
FALLBACKS: dict[str, tuple[str, ...]] = {
    "engagement": ("referred", "intake_completed"),
    "overdoses": ("ems_naloxone", "fatal"),
    "property_crime": ("residential_burglary",),
}
GRAINS = ("year", "quarter")

Query = Callable[..., pd.DataFrame]  # run(name, **params): a named query over one release


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def own_rows(series: pd.DataFrame, area_id: str) -> pd.DataFrame:
    """The area's own rows of a profile_series result; for the whole county (TOTAL_ID) they are its 'city'
    rows, as the query names the total so."""
    return series[series["where_"] == ("city" if area_id == TOTAL_ID else "area")]


def summary(run: Query, kind_name: str, wanted: str, area_id: str) -> dict | None:
    """The measure shown for this domain (the wanted one, else a fallback published by year for the area), its
    latest year for the area and the whole, the year before, the change on it and the area's rank."""
    kind = contract.kind(kind_name)
    col = "rate" if kind.rate_per else "count"
    for measure in (wanted, *FALLBACKS.get(kind_name, ())):
        series = run("profile_series", kind=kind_name, measure=measure, area=area_id)
        years = own_rows(series, area_id)
        years = years[years["period_type"] == "year"].sort_values("period")
        if len(years):
            break
    else:
        return None
    latest = years.iloc[-1]
    year = latest["period"]
    city = series[(series["where_"] == "city") & (series["period_type"] == "year") & (series["period"] == year)]
    prev = years[years["period"] == str(int(year) - 1)]
    now_v = _num(latest[col])
    prev_v = _num(prev.iloc[0][col]) if len(prev) else None
    rank = run("profile_rank", kind=kind_name, measure=measure, period=year)
    mine = rank[rank["area_id"] == area_id]
    return {"measure": measure, "year": year, "now": now_v, "city": _num(city.iloc[0][col]) if len(city) else None,
            "prev": prev_v, "has_prev": bool(len(prev)),
            "delta": None if now_v is None or prev_v is None else round(now_v - prev_v, 1),
            "unstable": bool(kind.rate_per) and latest["rate_unstable"] is True,
            "rank": (int(mine.iloc[0]["rank"]), int(mine.iloc[0]["ranked"])) if len(mine) else None}


def best_grain(series: pd.DataFrame, area_id: str) -> str:
    """The grain at which the area has the most published values (years on a tie): the trend shown first."""
    own = own_rows(series, area_id)
    mine = own[own["count"].notna().to_numpy(bool)]
    counts = mine["period_type"].value_counts()
    return max(GRAINS, key=lambda g: (int(counts.get(g, 0)), g == "year"))


def print_grain(series: pd.DataFrame, area_id: str) -> str:
    """The grain a printed page shows: years wherever the area has a published year (a dozen rows, where
    quarters would take four times the paper), else the profile's own choice."""
    own = own_rows(series, area_id)
    return "year" if own.loc[own["period_type"] == "year", "count"].notna().any() else best_grain(series, area_id)
