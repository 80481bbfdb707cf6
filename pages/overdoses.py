"""Overdose trends: deaths, emergency-department visits and EMS naloxone, by drug, with rates and the state."""
import pandas as pd
import streamlit as st

from leadsf import charts, l10n, ui
from leadsf.contract import kind
from leadsf.highlights import area_rates
from leadsf.i18n import t

OUTCOMES = kind("overdoses").series["outcome"]
DRUGS = kind("overdoses").series["drug"]


def _by_area(window: ui.Window, outcome: str):
    rows = ui.query("overdoses_window", start=window.start, end=window.end, area="*", outcome=outcome)
    return rows[(rows["area_id"] != "city") & (rows["drug"] == "any")]


def _other_outcome(outcome: str) -> ui.Offer | None:
    """When an outcome is never published by area (deaths are few), the one with the most events."""
    other = "nonfatal_ed" if outcome != "nonfatal_ed" else "ems_naloxone"
    return ui.choose("outcome", other, t("overdoses.try_outcome", outcome=t(f"overdoses.o_{other}")))


def render() -> None:
    f = ui.filter_bar("overdoses", label=t("overdoses.outcome"), options=list(OUTCOMES), key="filter_outcome",
                      param="outcome", default="fatal", format_func=lambda o: t(f"overdoses.o_{o}"))
    if f is None:
        return
    rel, window, area, outcome, names = f.rel, f.window, f.area, f.choice, f.names
    population = ui.populations("overdoses")
    rows = ui.query("overdoses_window", start=f.history.start, end=f.history.end, area=area, outcome=outcome)
    if rows.empty:
        ui.empty_state()
        return

    by_drug = ui.parts(rows, "drug")
    cols = st.columns(3)
    for i, drug in enumerate(("any", "fentanyl", "methamphetamine")):
        with cols[i]:
            ui.headline(t(f"overdoses.d_{drug}"), by_drug[drug], window, key=f"overdoses_{drug}",
                        population=population.get(area), rate_per=100_000)
    st.caption(t("overdoses.overlap"))

    label = t(f"overdoses.o_{outcome}")
    any_drug = by_drug["any"]
    st.header(t("overdoses.trend_title", outcome=label))
    series = ui.trend_block(any_drug, window, title=label, alt=t("overdoses.trend_alt", outcome=label),
                            key="overdoses_trend", filename=f"lead-santa-fe-overdoses-{outcome}",
                            source_key=f"overdoses.source_{outcome}", rel=rel,
                            columns=("count", "rate", "rate_unstable", "withheld"))
    if not series.empty:
        fig = charts.trend(series, x="period", y="rate", series=None, title=t("overdoses.rate_chart", outcome=label),
                           y_title=t("overdoses.rate_axis"), highlight=(window.start, window.end))
        ui.chart_block(fig, series[["period", "count", "rate", "rate_unstable", "withheld"]], key="overdoses_rate",
                       filename=f"lead-santa-fe-overdose-rate-{outcome}",
                       alt=l10n.alt(t("overdoses.rate_alt", outcome=label),
                                    l10n.trend_numbers(series, y="rate", decimals=1)),
                       source_key=f"overdoses.source_{outcome}", rel=rel)
        if series["rate_unstable"].fillna(False).astype(bool).any():
            ui.unstable_footnote()

    st.header(t("overdoses.drug_title", outcome=label))
    st.caption(t("overdoses.overlap"))
    ui.trend_block(rows[rows["drug"] != "any"], window, by="drug", labels={d: t(f"overdoses.d_{d}") for d in DRUGS},
                   title=t("overdoses.drug_chart", outcome=label), alt=t("overdoses.drug_alt"),
                   columns=("count", "rate", "rate_unstable", "withheld"), key="overdoses_drugs",
                   filename=f"lead-santa-fe-overdoses-{outcome}-by-drug", source_key=f"overdoses.source_{outcome}",
                   rel=rel, empty_key="overdoses.no_drugs")

    st.header(t("overdoses.area_title", outcome=label))
    table = area_rates(_by_area(window, outcome), window.start, window.end, window.months, population, names,
                       100_000)
    ui.ranked_area_rates(table, title=t("overdoses.area_chart", outcome=label), y_title=t("overdoses.rate_axis"),
                         alt_key="overdoses.area_alt", key="overdoses_area",
                         filename=f"lead-santa-fe-overdoses-{outcome}-by-area",
                         source_key=f"overdoses.source_{outcome}", rel=rel, empty_key="overdoses.no_area",
                         offers=lambda: (ui.published_year(_by_area(f.history, outcome)) or _other_outcome(outcome),))

    if outcome == "fatal":
        st.header(t("overdoses.state_title"))
        county = ui.query("overdoses_window", start=f"{int(rel.manifest['data_through'][:4]) - 30}-01",
                          end=rel.manifest["data_through"], area="city", outcome="fatal")
        county = county[(county["period_type"] == "year") & (county["drug"] == "any")]
        nm = ui.nm_reference().dropna(subset=["rate_per_100k"])
        frames = [pd.DataFrame({"year": county["period"], "series": t("overdoses.county_crude"),
                                "rate": county["rate"], "source": t("overdoses.source_fatal")})]
        for basis, part in nm.groupby("rate_basis"):
            frames.append(pd.DataFrame({"year": part["year"], "series": t(f"overdoses.nm_{basis.replace('-', '_')}"),
                                        "rate": part["rate_per_100k"], "source": part["source"]}))
        both = pd.concat(frames, ignore_index=True).sort_values(["series", "year"])
        fig = charts.compare_lines(both, x="year", y="rate", series="series", title=t("overdoses.state_chart"),
                                   y_title=t("overdoses.rate_axis"))
        ui.chart_block(fig, both, key="overdoses_state", filename="lead-santa-fe-overdose-deaths-county-vs-nm",
                       alt=l10n.alt(t("overdoses.state_alt"),
                                    l10n.trend_numbers(both, x="year", y="rate", series="series", decimals=1)),
                       source_key="overdoses.source_state", rel=rel)
        st.caption(t("overdoses.state_note"))
    ui.what_this_shows("overdoses")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
