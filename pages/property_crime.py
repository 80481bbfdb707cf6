"""Property crime: six offences and their total, counts and rates per 1,000 residents, areas ranked by rate."""
import streamlit as st

from leadsf import ui
from leadsf.contract import kind
from leadsf.highlights import area_rates
from leadsf.i18n import t

OFFENSES = kind("property_crime").additive["offense"]
FEATURED = "residential_burglary"


def _areas(window: ui.Window):
    rows = ui.query("property_crime_window", start=window.start, end=window.end, area="*")
    return rows[rows["area_id"] != "city"]


def render() -> None:
    f = ui.filter_bar("property_crime", label=t("property_crime.offense"),
                      options=[FEATURED, *[o for o in OFFENSES if o != FEATURED], "all"], key="filter_offense",
                      param="offense", default=FEATURED, format_func=lambda o: t(f"property_crime.o_{o}"))
    if f is None:
        return
    rel, window, area, offense, names = f.rel, f.window, f.area, f.choice, f.names
    population = ui.populations("property_crime")
    rows = ui.query("property_crime_window", start=f.history.start, end=f.history.end, area=area)
    if rows.empty:
        ui.empty_state()
        return

    by_offense = ui.parts(rows, "offense")
    cols = st.columns(3)
    for i, o in enumerate(dict.fromkeys((FEATURED, offense, "all"))):
        with cols[i]:
            ui.headline(t(f"property_crime.o_{o}"), by_offense[o], window, key=f"property_crime_{o}",
                        population=population.get(area), rate_per=1_000)

    label = t(f"property_crime.o_{offense}")
    st.header(t("property_crime.trend_title", offense=label))
    series = ui.trend_block(by_offense[offense], window, title=label,
                            alt=t("property_crime.trend_alt", offense=label), key="property_crime_trend",
                            filename=f"lead-santa-fe-{offense}", source_key="property_crime.source", rel=rel,
                            columns=("count", "rate", "rate_unstable", "withheld"))
    if not series.empty:
        if series["rate_unstable"].fillna(False).astype(bool).any():
            ui.unstable_footnote()

    st.header(t("property_crime.offenses_title"))
    ui.trend_block(rows[rows["offense"] != "all"], window, by="offense",
                   labels={o: t(f"property_crime.o_{o}") for o in OFFENSES}, y="rate",
                   y_title=t("property_crime.rate_axis"), decimals=1, title=t("property_crime.offenses_chart"),
                   alt=t("property_crime.offenses_alt"), columns=("count", "rate", "rate_unstable", "withheld"),
                   key="property_crime_offenses", filename="lead-santa-fe-property-crime-by-offense",
                   source_key="property_crime.source", rel=rel, empty_key="property_crime.no_offenses")

    st.header(t("property_crime.area_title", offense=label))
    all_areas = _areas(window)
    by_area = all_areas[all_areas["offense"] == offense]
    table = area_rates(by_area, window.start, window.end, window.months, population, names, 1_000)
    if offense != "all" and table["count"].isna().all():
        # Offences by area are often not published (too many small counts); fall back to all property crime.
        st.caption(t("property_crime.area_fallback", offense=label))
        offense, label = "all", t("property_crime.o_all")
        by_area = all_areas[all_areas["offense"] == "all"]
        table = area_rates(by_area, window.start, window.end, window.months, population, names, 1_000)
    ui.ranked_area_rates(table, title=t("property_crime.area_chart", offense=label),
                         y_title=t("property_crime.rate_axis"), alt_key="property_crime.area_alt",
                         key="property_crime_area", filename=f"lead-santa-fe-{offense}-by-area",
                         source_key="property_crime.source", rel=rel, empty_key="property_crime.no_area",
                         offers=lambda: (ui.published_year(_areas(f.history)[lambda r: r["offense"] == offense]),))
    ui.what_this_shows("property_crime")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
