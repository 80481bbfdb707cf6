"""The agencies' figures where a visitor compares: the program's yearly overdose deaths beside CDC WONDER's for
Santa Fe County, the county against New Mexico from official figures only, and Home's last official year.

Each line is one source with one definition, said in its label and in words under the chart; every yearly
rate divides by that year's Census PEP population (the release's `official` table carries both)."""
from __future__ import annotations

import pandas as pd

from leadsf.i18n import t
from leadsf.site import charts, l10n, ui

COUNTY, STATE = "35049", "35"
WONDER, VSRR = "cdc_wonder", "cdc_vsrr"
COMPARE_YEARS = ("2018", "2023")  # the years CDC WONDER's final county file covers


def available(rel) -> bool:
    """Whether this release carries the official table (releases before issue 29, or without agency files,
    do not)."""
    return rel is not None and "official" in rel.manifest.get("tables", {})


def yearly(source: str, geo_id: str) -> pd.DataFrame:
    return ui.query("official_yearly_deaths", source=source, geo_id=geo_id)


def _program_years(rel) -> pd.DataFrame:
    rows = ui.query("overdoses_window", start="2000-01", end=rel.manifest["data_through"], area="city",
                    outcome="fatal")
    return rows[(rows["period_type"] == "year") & (rows["drug"] == "any")]


def differences(program: pd.DataFrame, wonder: pd.DataFrame) -> pd.DataFrame:
    """Year, the program's count, WONDER's count and the program's difference from it (a share of WONDER's),
    for the years both publish a count."""
    both = program[["period", "count"]].rename(columns={"period": "year", "count": "program"}).merge(
        wonder[["year", "deaths"]].rename(columns={"deaths": "official"}), on="year")
    both = both.dropna()
    both["difference"] = (both["program"] - both["official"]) / both["official"]
    return both.reset_index(drop=True)


def compare_view(rel) -> dict | None:
    """The program's yearly county deaths and rate beside CDC WONDER's, and the largest yearly difference."""
    if not available(rel):
        return None
    wonder = yearly(WONDER, COUNTY)
    if wonder.empty:
        return None
    program = _program_years(rel)
    mine, theirs = t("overdoses.series_program"), t("overdoses.series_wonder")
    frame = pd.concat([
        pd.DataFrame({"year": program["period"], "series": mine, "deaths": program["count"], "rate": program["rate"]}),
        pd.DataFrame({"year": wonder["year"], "series": theirs, "deaths": wonder["deaths"], "rate": wonder["rate"]}),
    ], ignore_index=True)
    frame = frame[frame["year"].between(*_span(wonder))].reset_index(drop=True)
    fig = charts.compare_lines(frame, x="year", y="deaths", series="series", title=t("overdoses.official_chart"),
                               y_title=t("overdoses.official_axis"), dashes={theirs: "dash"})
    chart = ui.Chart(fig, frame, l10n.alt(t("overdoses.official_alt"),
                                          l10n.trend_numbers(frame, x="year", y="deaths", series="series")))
    diff = differences(program, wonder)
    return {"chart": chart, "largest": float(diff["difference"].abs().max()) if len(diff) else None,
            "first": wonder["year"].min(), "last": wonder["year"].max(), "synthetic": rel.manifest.get("synthetic")}


def _span(wonder: pd.DataFrame) -> tuple[str, str]:
    return str(wonder["year"].min()), str(wonder["year"].max())


def state_view() -> ui.Chart | None:
    """Santa Fe County (CDC WONDER, final) against New Mexico (CDC VSRR, 12 months ending December), both
    crude rates on each year's PEP population: official figures only, one definition per line."""
    county, state = yearly(WONDER, COUNTY), yearly(VSRR, STATE)
    if county.empty and state.empty:
        return None
    frame = pd.concat([
        pd.DataFrame({"year": county["year"], "series": t("overdoses.county_wonder"), "rate": county["rate"],
                      "deaths": county["deaths"], "population": county["population"]}),
        pd.DataFrame({"year": state["year"], "series": t("overdoses.nm_vsrr"), "rate": state["rate"],
                      "deaths": state["deaths"], "population": state["population"]}),
    ], ignore_index=True).dropna(subset=["rate"]).reset_index(drop=True)
    fig = charts.compare_lines(frame, x="year", y="rate", series="series", title=t("overdoses.state_chart"),
                               y_title=t("overdoses.rate_axis"))
    return ui.Chart(fig, frame, l10n.alt(t("overdoses.state_alt"),
                                         l10n.trend_numbers(frame, x="year", y="rate", series="series", decimals=1)))


def county_population(year: str) -> float | None:
    """Santa Fe County's Census PEP estimate for a year (the latest one before it when the year has none yet),
    or None when the release carries no PEP figures."""
    if not available(ui.release()):
        return None
    pep = ui.query("official_population", geo_id=COUNTY)
    pep = pep[pep["year"] <= year]
    return float(pep["population"].iloc[-1]) if len(pep) else None


def county_window_population(start: str, end: str) -> float | None:
    """Santa Fe County's population over a window of months ('YYYY-MM'), each month on its year's Census PEP
    estimate (county_population), averaged, so a window's annualised rate is its events per person-year;
    None when the release carries no PEP figures or a month's year precedes them."""
    years = [str(p.year) for p in pd.period_range(start, end, freq="M")]
    by_year = {y: county_population(y) for y in set(years)}
    if not years or any(v is None for v in by_year.values()):
        return None
    return sum(by_year[y] for y in years) / len(years)


def rate_populations(kind: str, area: str, start: str, end: str) -> dict:
    """The populations a measure page's rates divide by: each area's 2020 census count (the only one areas
    have), and for the whole county the Census PEP estimates of the window's years where the release has them."""
    population = ui.populations(kind)
    if area == "city":
        population = {**population, "city": county_window_population(start, end) or population.get("city")}
    return population


def home_line(rel) -> str | None:
    """Where the official series stands for its last year, for Home's overdose figure."""
    if not available(rel):
        return None
    wonder = yearly(WONDER, COUNTY).dropna(subset=["deaths"])
    if wonder.empty:
        return None
    last = wonder.iloc[-1]
    rate = "" if pd.isna(last["rate"]) else t("home.official_rate", rate=l10n.number(float(last["rate"]), 1))
    return t("home.official_deaths", year=last["year"], deaths=l10n.number(int(last["deaths"])), rate=rate)
