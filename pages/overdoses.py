"""Overdose trends: deaths, emergency-department visits and EMS naloxone, by drug, with rates and the state."""
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline.contract import kind
from leadsf.site import charts, l10n, official_views, ui
from leadsf.stats.highlights import area_rates

OUTCOMES = kind("overdoses").series["outcome"]
DRUGS = kind("overdoses").series["drug"]


def _by_area(window: ui.Window, outcome: str):
    rows = ui.query("overdoses_window", start=window.start, end=window.end, area="*", outcome=outcome)
    return rows[(rows["area_id"] != "city") & (rows["drug"] == "any")]


def _other_outcome(outcome: str) -> ui.Offer | None:
    """When an outcome is never published by area (deaths are few), the one with the most events."""
    other = "nonfatal_ed" if outcome != "nonfatal_ed" else "ems_naloxone"
    return ui.choose("outcome", other, t("overdoses.try_outcome", outcome=t(f"overdoses.o_{other}")))


def _rate(series, window: ui.Window, label: str) -> ui.Chart | None:
    if series.empty:
        return None
    fig = charts.trend(series, x="period", y="rate", series=None, title=t("overdoses.rate_chart", outcome=label),
                       y_title=t("overdoses.rate_axis"), highlight=(window.start, window.end))
    return ui.Chart(fig, series[["period", "count", "rate", "rate_unstable", "withheld"]],
                    l10n.alt(t("overdoses.rate_alt", outcome=label), l10n.trend_numbers(series, y="rate", decimals=1)),
                    ui.any_unstable(series))


@ui.per_release
def _view(area: str, window: ui.Window, history: ui.Window, outcome: str) -> dict | None:
    """Everything the page draws for these filters, made once per release and language; None when nothing
    is published for the area and outcome."""
    rows = ui.query("overdoses_window", start=history.start, end=history.end, area=area, outcome=outcome)
    if rows.empty:
        return None
    population = official_views.rate_populations("overdoses", area, window.start, window.end)
    by_drug = ui.parts(rows, "drug")
    label = t(f"overdoses.o_{outcome}")
    columns = ("count", "rate", "rate_unstable", "withheld")
    trend = ui.trend_view(by_drug["any"], window, title=label, alt=t("overdoses.trend_alt", outcome=label),
                          columns=columns)
    table = area_rates(_by_area(window, outcome), window.start, window.end, window.months, population,
                       ui.area_names("overdoses"), 100_000)
    return {
        "headlines": [(d, ui.headline_figures(by_drug[d], window, population=population.get(area), rate_per=100_000))
                      for d in ("any", "fentanyl", "methamphetamine")],
        "trend": trend,
        "rate": _rate(trend.series, window, label),
        "drugs": ui.trend_view(rows[rows["drug"] != "any"], window, by="drug",
                               labels={d: t(f"overdoses.d_{d}") for d in DRUGS},
                               title=t("overdoses.drug_chart", outcome=label), alt=t("overdoses.drug_alt"),
                               columns=columns),
        "areas": ui.area_rates_view(table, title=t("overdoses.area_chart", outcome=label),
                                    y_title=t("overdoses.rate_axis"), alt_key="overdoses.area_alt"),
        "areas_year": ui.published_year(_by_area(history, outcome)),  # offered when the period has none
        "official": official_views.compare_view(ui.release()) if outcome == "fatal" else None,
        "pep": official_views.available(ui.release()),  # county rates on each year's PEP population
        "state": official_views.state_view() if outcome == "fatal" and official_views.available(ui.release())
        else None,
    }


def render() -> None:
    f = ui.filter_bar("overdoses", label=t("overdoses.outcome"), options=list(OUTCOMES), key="filter_outcome",
                      param="outcome", default="fatal", format_func=lambda o: t(f"overdoses.o_{o}"))
    view = ui.measure_view(f, _view)
    if view is None:
        return
    rel, outcome = f.rel, f.choice
    source = {"source_key": f"overdoses.source_{outcome}", "rel": rel}

    cols = st.columns(3)
    for col, (drug, figures) in zip(cols, view["headlines"]):
        with col:
            ui.headline(t(f"overdoses.d_{drug}"), figures, key=f"overdoses_{drug}")
    st.caption(t("overdoses.overlap"))

    label = t(f"overdoses.o_{outcome}")
    st.header(t("overdoses.trend_title", outcome=label))
    ui.draw_trend(view["trend"], key="overdoses_trend", filename=f"lead-santa-fe-overdoses-{outcome}", **source)
    if view["rate"] is not None:
        ui.draw_chart(view["rate"], key="overdoses_rate", filename=f"lead-santa-fe-overdose-rate-{outcome}", **source)
        if view["pep"]:
            st.caption(t("overdoses.rate_population"))

    official = view["official"]
    if official is not None:
        st.header(t("overdoses.official_title"))
        ui.draw_chart(official["chart"], key="overdoses_official",
                      filename="lead-santa-fe-overdose-deaths-vs-cdc-wonder", source_key="overdoses.source_official",
                      rel=rel)
        st.caption(t("overdoses.official_definition"))
        if official["largest"] is not None:
            st.caption(t("overdoses.official_difference", first=official["first"], last=official["last"],
                         largest=l10n.number(official["largest"] * 100, 0))
                       + (" " + t("overdoses.official_synthetic") if official["synthetic"] else ""))

    st.header(t("overdoses.drug_title", outcome=label))
    st.caption(t("overdoses.overlap"))
    ui.draw_trend(view["drugs"], key="overdoses_drugs", filename=f"lead-santa-fe-overdoses-{outcome}-by-drug",
                  empty_key="overdoses.no_drugs", **source)

    st.header(t("overdoses.area_title", outcome=label))
    ui.draw_ranked(view["areas"], key="overdoses_area", filename=f"lead-santa-fe-overdoses-{outcome}-by-area",
                   empty_key="overdoses.no_area",
                   offers=(view["areas_year"] or _other_outcome(outcome),),
                   **source)

    if view["state"] is not None:
        st.header(t("overdoses.state_title"))
        ui.draw_chart(view["state"], key="overdoses_state", filename="lead-santa-fe-overdose-deaths-county-vs-nm",
                      source_key="overdoses.source_state", rel=rel)
        st.caption(t("overdoses.state_note"))
    ui.what_this_shows("overdoses")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
