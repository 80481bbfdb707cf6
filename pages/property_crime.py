"""Property crime: six offences and their total, counts and rates per 1,000 residents, areas ranked by rate."""
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline.contract import kind
from leadsf.site import official_views, ui
from leadsf.stats.highlights import area_rates

OFFENSES = kind("property_crime").additive["offense"]
FEATURED = "residential_burglary"


def _areas(window: ui.Window):
    rows = ui.query("property_crime_window", start=window.start, end=window.end, area="*")
    return rows[rows["area_id"] != "city"]


@ui.per_release
def _view(area: str, window: ui.Window, history: ui.Window, offense: str) -> dict | None:
    """Everything the page draws for these filters (ui.measure_view)."""
    rows = ui.query("property_crime_window", start=history.start, end=history.end, area=area)
    if rows.empty:
        return None
    population = official_views.rate_populations("property_crime", area, window.start, window.end)
    names = ui.area_names("property_crime")
    by_offense = ui.parts(rows, "offense")
    label = t(f"property_crime.o_{offense}")
    columns = ("count", "rate", "rate_unstable", "withheld")

    all_areas = _areas(window)
    mapped = offense
    table = area_rates(all_areas[all_areas["offense"] == offense], window.start, window.end, window.months,
                       population, names, 1_000)
    if offense != "all" and table["count"].isna().all():
        # Offences by area are often not published (too many small counts); fall back to all property crime.
        mapped = "all"
        table = area_rates(all_areas[all_areas["offense"] == "all"], window.start, window.end, window.months,
                           population, names, 1_000)
    return {
        "headlines": [(o, ui.headline_figures(by_offense[o], window, population=population.get(area), rate_per=1_000))
                      for o in dict.fromkeys((FEATURED, offense, "all"))],
        "trend": ui.trend_view(by_offense[offense], window, title=label,
                               alt=t("property_crime.trend_alt", offense=label), columns=columns, unstable_note=True),
        "offenses": ui.trend_view(rows[rows["offense"] != "all"], window, by="offense",
                                  labels={o: t(f"property_crime.o_{o}") for o in OFFENSES}, y="rate",
                                  y_title=t("property_crime.rate_axis"), decimals=1,
                                  title=t("property_crime.offenses_chart"), alt=t("property_crime.offenses_alt"),
                                  columns=columns),
        "mapped": mapped,
        "areas_year": ui.published_year(_areas(history)[lambda r: r["offense"] == mapped]),  # offered when none
        "areas": ui.area_rates_view(table, title=t("property_crime.area_chart", offense=t(f"property_crime.o_{mapped}")),
                                    y_title=t("property_crime.rate_axis"), alt_key="property_crime.area_alt"),
    }


def render() -> None:
    f = ui.filter_bar("property_crime", label=t("property_crime.offense"),
                      options=[FEATURED, *[o for o in OFFENSES if o != FEATURED], "all"], key="filter_offense",
                      param="offense", default=FEATURED, format_func=lambda o: t(f"property_crime.o_{o}"))
    view = ui.measure_view(f, _view)
    if view is None:
        return
    rel, offense = f.rel, f.choice
    source = {"source_key": "property_crime.source", "rel": rel}

    cols = st.columns(3)
    for col, (o, figures) in zip(cols, view["headlines"]):
        with col:
            ui.headline(t(f"property_crime.o_{o}"), figures, key=f"property_crime_{o}")
    if official_views.available(rel):
        st.caption(t("filters.rate_population"))

    label = t(f"property_crime.o_{offense}")
    st.header(t("property_crime.trend_title", offense=label))
    ui.draw_trend(view["trend"], key="property_crime_trend", filename=f"lead-santa-fe-{offense}", **source)

    st.header(t("property_crime.offenses_title"))
    ui.draw_trend(view["offenses"], key="property_crime_offenses", filename="lead-santa-fe-property-crime-by-offense",
                  empty_key="property_crime.no_offenses", **source)

    st.header(t("property_crime.area_title", offense=label))
    mapped = view["mapped"]
    if mapped != offense:
        st.caption(t("property_crime.area_fallback", offense=label))
    ui.draw_ranked(view["areas"], key="property_crime_area", filename=f"lead-santa-fe-{mapped}-by-area",
                   empty_key="property_crime.no_area",
                   offers=(view["areas_year"],), **source)
    ui.what_this_shows("property_crime")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
