"""Maps (council view): one measure, one published period, rates by area on the boundary set it is published on.

Reads query `map_periods` then `map_values`; draws with leadsf.site.maps. Filters live in the URL (measure, period,
counts) so a view can be shared. Choosing an area on the map or in the list links to its profile.
"""
from __future__ import annotations

import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import areas, contract
from leadsf.site import ui
from pages.sections.maps_table import table_section, table_view
from pages.sections.maps_view import area_values, map_section, map_view, selected_from_map

# (kind, measure) pairs a visitor can map; overdose outcomes are for any drug.
MEASURES: tuple[tuple[str, str], ...] = (
    ("referrals", "all"),
    *(("engagement", m) for m in contract.kind("engagement").series["measure"]),
    *(("overdoses", o) for o in contract.kind("overdoses").series["outcome"]),
    ("property_crime", "all"),
    *(("property_crime", o) for o in contract.kind("property_crime").additive["offense"]),
)


def measure_key(kind: str, measure: str) -> str:
    return f"{kind}.{measure}"


def measure_label(kind: str, measure: str) -> str:
    return t(f"maps.m_{kind}_{measure}")


def _choice(options: list, param: str, default):
    value = st.query_params.get(param)
    return options.index(value) if value in options else options.index(default)


def render() -> None:
    rel = ui.page_start("maps")
    if rel is None:
        return

    keys = [measure_key(k, m) for k, m in MEASURES]
    c1, c2, c3 = st.columns([2, 1, 1])
    chosen = c1.selectbox(t("maps.measure"), keys, index=_choice(keys, "measure", keys[0]),
                          format_func=lambda k: measure_label(*k.split(".", 1)), key="map_measure")
    st.query_params["measure"] = chosen
    kind_name, measure = chosen.split(".", 1)
    kind = contract.kind(kind_name)

    periods = ui.query("map_periods", kind=kind_name, measure=measure)
    if periods.empty:
        ui.empty_state("maps.no_periods", measure=measure_label(kind_name, measure))
        return
    options = periods["period"].tolist()
    years = periods.loc[periods["period_type"] == "year", "period"].tolist()
    period = c2.selectbox(t("maps.period"), options, index=_choice(options, "period", (years or options)[0]),
                          format_func=lambda p: t("maps.quarter_label", year=p[:4], q=p[-1]) if "-Q" in p else p,
                          key="map_period")
    st.query_params["period"] = period
    use_rate = bool(kind.rate_per)
    if use_rate:
        counts = c3.toggle(t("maps.show_counts"), value=st.query_params.get("counts") == "1", key="map_counts")
        use_rate = not counts
        st.query_params["counts"] = "1" if counts else "0"
    else:
        c3.caption(t("maps.counts_only"))

    selected = selected_from_map()
    highlight = selected or st.session_state.get("map_area")
    # A highlighted area is one visitor's choice: made for that run only, so the shared views stay few.
    view = (_view if highlight is None else _view.__wrapped__)(kind_name, measure, period, use_rate, highlight)
    if view is None:
        ui.empty_state("maps.no_periods", measure=measure_label(kind_name, measure))
        return
    map_section(view["map"], selected)
    table_section(view["table"], kind_name=kind_name, measure=measure, period=period, bset=view["bset"], rel=rel)


@ui.per_release
def _view(kind_name: str, measure: str, period: str, use_rate: bool, highlight: str | None) -> dict | None:
    """The map and table of one measure and period (`highlight`: the area outlined); None when no area is
    published."""
    kind = contract.kind(kind_name)
    frame = ui.query("map_values", kind=kind_name, measure=measure, period=period)
    values = area_values(frame, kind)
    if not values:
        return None
    bset = areas.boundary_set(frame["boundary_set"].iloc[0])
    unit = t(f"maps.unit_{kind_name}") if use_rate else t("maps.unit_count")
    period_label = t("maps.quarter_label", year=period[:4], q=period[-1]) if "-Q" in period else period
    return {"map": map_view(values, use_rate=use_rate, period_label=period_label,
                            title=measure_label(kind_name, measure), unit=unit, bset=bset, highlight=highlight),
            "table": table_view(frame, kind, use_rate=use_rate), "bset": bset}


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
