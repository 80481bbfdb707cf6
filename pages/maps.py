"""Maps (council view): one measure, one published period, rates by area on the boundary set it is published on.

Reads query `map_periods` then `map_values`; draws with leadsf.maps. Filters live in the URL (measure, period,
counts) so a view can be shared. Choosing an area on the map or in the list links to its profile.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from leadsf import areas, contract, downloads, l10n, maps, ui
from leadsf.i18n import t

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


def tooltip_text() -> dict:
    return {"count": t("maps.tt_count"), "rate": t("maps.tt_rate"), "population": t("maps.tt_population"),
            "period": t("maps.tt_period"), "suppressed": t("ui.withheld"), "no_data": t("maps.no_data"),
            "unstable": t("maps.unstable")}


def area_label(area_id: str, name: str) -> str:
    """Short label drawn on the map (the remainder area's full name lists its ZIPs, too long for a label)."""
    if area_id == areas.REST_ID:
        return t("maps.rest_label")
    return name.replace("Tract ", "").replace("ZIP ", "")


def area_values(frame: pd.DataFrame, kind: contract.Kind) -> list[maps.AreaValue]:
    """Join published values to the publication areas' geometry (one boundary set per kind)."""
    bset_name = frame["boundary_set"].iloc[0]
    geo = {a.area_id: a for a in areas.publication_areas(areas.boundary_set(bset_name), kind.needs_large_areas)}
    out = []
    for row in frame[frame["area_id"] != areas.TOTAL_ID].itertuples():
        if row.area_id not in geo:
            continue
        out.append(maps.AreaValue(
            row.area_id, l10n.area_name(row.name), area_label(row.area_id, row.name), int(row.population),
            geo[row.area_id].geometry,
            bool(row.published), None if pd.isna(row.count) else float(row.count), bool(row.withheld),
            None if pd.isna(row.rate) else float(row.rate),
            False if pd.isna(row.rate_unstable) else bool(row.rate_unstable)))
    return out


def profile_link(area_id: str, name: str) -> None:
    from pages import area_profile

    page = st.Page(area_profile.render, title=t("nav.area_profile"), url_path="area")
    st.page_link(page, label=t("maps.open_profile", name=name), icon=":material/location_on:",
                 query_params={"area": area_id})


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

    frame = ui.query("map_values", kind=kind_name, measure=measure, period=period)
    values = area_values(frame, kind)
    if not values:
        ui.empty_state("maps.no_periods", measure=measure_label(kind_name, measure))
        return
    bset = areas.boundary_set(frame["boundary_set"].iloc[0])
    unit = t(f"maps.unit_{kind_name}") if use_rate else t("maps.unit_count")
    period_label = t("maps.quarter_label", year=period[:4], q=period[-1]) if "-Q" in period else period

    selected = _selected_from_map()
    highlight = selected or st.session_state.get("map_area")
    fc, breaks = maps.feature_collection(values, use_rate=use_rate, period=period_label, text=tooltip_text(),
                                         highlight=highlight)
    deck = maps.build_deck(fc, view=maps.view_for([v.geometry for v in values]))
    states = [f["properties"]["state"] for f in fc["features"]]
    st.header(t("maps.map_title", measure=measure_label(kind_name, measure), period=period_label, unit=unit,
                boundary=l10n.boundary_label(bset)))
    left, right = st.columns([4, 1])
    with left:
        st.pydeck_chart(deck, on_select=_on_map_select, selection_mode="single-object", key="map",
                        height=500, alt=t("maps.alt", measure=measure_label(kind_name, measure),
                                          period=period_label, boundary=l10n.boundary_label(bset), n=len(values),
                                          suppressed=states.count(maps.SUPPRESSED),
                                          no_data=states.count(maps.NO_DATA)) + " " + _key_numbers(values, use_rate))
    with right:
        lowest = min([(v.rate if use_rate else v.count) for v in values
                      if maps.state_of(v.count, v.withheld, v.published) == maps.VALUE] or [0])
        items = maps.legend_items(breaks, {"range": t("maps.legend_range"), "suppressed": t("ui.withheld"),
                                           "no_data": t("maps.no_data"), "unstable": t("maps.unstable")},
                                  decimals=1 if use_rate else 0, lowest=lowest)
        st.html(maps.legend_html(items, unit))
        st.caption(t("maps.legend_note"))

    # Keyboard route to the same choice as clicking the map.
    ids = [v.area_id for v in values]
    names = {v.area_id: v.name for v in values}
    picked = st.selectbox(t("maps.pick_area"), ids, index=ids.index(selected) if selected in ids else None,
                          format_func=lambda a: names[a], placeholder=t("maps.pick_placeholder"), key="map_area")
    target = picked or selected
    if target in names:
        profile_link(target, names[target])

    st.header(t("maps.table_title"))
    table = frame[frame["area_id"] != areas.TOTAL_ID].copy()
    table["name"] = table["name"].map(l10n.area_name)
    table["status"] = [t("maps.no_data") if not p else (t("ui.withheld") if w else "")
                       for p, w in zip(table["published"], table["withheld"])]
    sort_col = "rate" if use_rate else "count"
    table = table.sort_values(sort_col, ascending=False, na_position="last")
    cols = ["name", "population", "period", "count", *(["rate", "rate_unstable"] if kind.rate_per else []),
            "status"]
    shown = ui.display_table(table[cols])
    shown["period"] = shown["period"].map(l10n.period_label)
    for col in ("count", "rate"):  # one text type per column: numbers formatted, withheld as words
        if col in shown:
            shown[col] = shown[col].map(lambda v: v if isinstance(v, str) else ("" if pd.isna(v) else ui.number(v)))
    if "rate_unstable" in shown:
        shown["rate_unstable"] = shown["rate_unstable"].map(lambda v: maps.UNSTABLE_MARK if v is True else "")
    st.dataframe(shown.rename(columns={c: t(f"maps.col_{c}") for c in cols}), hide_index=True, width="stretch")
    st.caption(t("maps.rank_note"))
    st.download_button(t("ui.download_csv"), downloads.to_csv(table[["area_id", *cols, "withheld", "published"]]),
                       file_name=f"lead-santa-fe-map-{kind_name}-{measure}-{period}.csv", mime="text/csv",
                       key="map_download", icon=":material/download:")
    ui.data_note(rel, f"maps.source_{kind_name}")
    st.caption(t("maps.boundary_note", boundary=l10n.boundary_label(bset), note=l10n.boundary_note(bset),
                 source=l10n.boundary_source(bset)))


def _key_numbers(values: list[maps.AreaValue], use_rate: bool) -> str:
    """The highest and lowest mapped values, for the map's alt text."""
    rows = [{"name": v.name, "value": v.rate if use_rate else v.count} for v in values
            if maps.state_of(v.count, v.withheld, v.published) == maps.VALUE]
    frame = pd.DataFrame(rows, columns=["name", "value"]).sort_values("value", ascending=False)
    return l10n.bar_numbers(frame, x="name", y="value", decimals=1 if use_rate else 0, limit=3)


def _on_map_select() -> None:
    """A click on the map chooses the same area as the list below it (one source of truth)."""
    area = _selected_from_map()
    if area:
        st.session_state["map_area"] = area


def _selected_from_map() -> str | None:
    event = st.session_state.get("map")
    try:
        objs = event["selection"]["objects"].get("areas") or []
        return objs[0]["properties"]["area_id"] if objs else None
    except (TypeError, KeyError, IndexError, AttributeError):
        return None


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
