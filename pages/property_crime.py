"""Property crime: six offences and their total, counts and rates per 1,000 residents, areas ranked by rate."""
import streamlit as st

from leadsf import charts, l10n, ui
from leadsf.contract import kind
from leadsf.highlights import area_rates
from leadsf.i18n import t

OFFENSES = kind("property_crime").additive["offense"]
FEATURED = "residential_burglary"


def render() -> None:
    rel = ui.page_start("property_crime")
    if rel is None:
        return
    c1, c2, c3 = st.columns(3)
    window = ui.period_filter(rel, c1)
    area = ui.area_filter("property_crime", c2)
    offense = ui.category_filter(t("property_crime.offense"), [FEATURED, *[o for o in OFFENSES if o != FEATURED], "all"],
                                 key="filter_offense", param="offense", default=FEATURED, container=c3,
                                 format_func=lambda o: t(f"property_crime.o_{o}"))
    areas = ui.query("areas_for_kind", kind="property_crime")
    population = dict(zip(areas["area_id"], areas["population"]))
    names = ui.area_names("property_crime")
    st.caption(t("filters.showing", window=window.label, area=names.get(area, area)))
    rows = ui.query("property_crime_window", start=window.prev_start, end=window.end, area=area)
    if rows.empty:
        ui.empty_state()
        return

    cols = st.columns(3)
    for i, o in enumerate(dict.fromkeys((FEATURED, offense, "all"))):
        with cols[i]:
            ui.headline(t(f"property_crime.o_{o}"), rows[rows["offense"] == o], window, key=f"property_crime_{o}",
                        population=population.get(area), rate_per=1_000)

    label = t(f"property_crime.o_{offense}")
    st.header(t("property_crime.trend_title", offense=label))
    series = ui.count_trend(rows[rows["offense"] == offense], window, title=label,
                            alt=t("property_crime.trend_alt", offense=label), key="property_crime_trend",
                            filename=f"lead-santa-fe-{offense}", source_key="property_crime.source", rel=rel,
                            columns=("count", "rate", "rate_unstable", "withheld"))
    if not series.empty:
        if series["rate_unstable"].fillna(False).astype(bool).any():
            ui.unstable_footnote()

    st.header(t("property_crime.offenses_title"))
    offs, grain, missing = ui.trend_series(rows[rows["offense"] != "all"], window)
    if offs.empty:
        ui.empty_state("property_crime.no_offenses")
    else:
        labels = {o: t(f"property_crime.o_{o}") for o in OFFENSES}
        fig = charts.trend(offs, x="period", y="rate", series="offense", labels=labels,
                           title=t("property_crime.offenses_chart"), y_title=t("property_crime.rate_axis"))
        ui.chart_block(fig, offs[["period", "offense", "count", "rate", "rate_unstable", "withheld"]],
                       key="property_crime_offenses", filename="lead-santa-fe-property-crime-by-offense",
                       alt=l10n.alt(t("property_crime.offenses_alt"),
                                    l10n.trend_numbers(offs, y="rate", series="offense", labels=labels, decimals=1)), source_key="property_crime.source", rel=rel)
        ui.grain_note(grain, missing)

    st.header(t("property_crime.area_title", offense=label))
    all_areas = ui.query("property_crime_window", start=window.start, end=window.end, area="*")
    all_areas = all_areas[all_areas["area_id"] != "city"]
    by_area = all_areas[all_areas["offense"] == offense]
    if offense != "all" and by_area["count"].isna().all():
        # Offences by area are often not published (too many small counts); fall back to all property crime.
        st.caption(t("property_crime.area_fallback", offense=label))
        offense, label = "all", t("property_crime.o_all")
        by_area = all_areas[all_areas["offense"] == "all"]
    table = area_rates(by_area, window.start, window.end, window.months, population, names, 1_000)
    ui.ranked_area_rates(table, title=t("property_crime.area_chart", offense=label),
                         y_title=t("property_crime.rate_axis"), alt_key="property_crime.area_alt",
                         key="property_crime_area", filename=f"lead-santa-fe-{offense}-by-area",
                         source_key="property_crime.source", rel=rel, empty_key="property_crime.no_area")
    ui.what_this_shows("property_crime")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
