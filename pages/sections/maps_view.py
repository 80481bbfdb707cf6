"""Maps page, map section: the areas coloured by value with their legend, and the keyboard route (a list) to
the same choice as clicking the map, which links to the area's profile. Used by pages/maps.py."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import areas, contract
from leadsf.site import l10n, maps, ui


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
    ui.page_link("area_profile", t("maps.open_profile", name=name), query_params={"area": area_id})
    ui.brief_link(area_id)


def map_view(values: list[maps.AreaValue], *, use_rate: bool, period_label: str, title: str, unit: str, bset,
             highlight: str | None) -> dict:
    """What map_section draws: the deck (its JSON made once), heading, alt text, legend and the areas."""
    fc, breaks = maps.feature_collection(values, use_rate=use_rate, period=period_label, text=tooltip_text(),
                                         highlight=highlight)
    deck = maps.build_deck(fc, view=maps.view_for([v.geometry for v in values]))
    states = [f["properties"]["state"] for f in fc["features"]]
    lowest = min([(v.rate if use_rate else v.count) for v in values
                  if maps.state_of(v.count, v.withheld, v.published) == maps.VALUE] or [0])
    items = maps.legend_items(breaks, {"range": t("maps.legend_range"), "suppressed": t("ui.withheld"),
                                       "no_data": t("maps.no_data"), "unstable": t("maps.unstable")},
                              decimals=1 if use_rate else 0, lowest=lowest)
    return {
        "deck": deck,
        "heading": t("maps.map_title", measure=title, period=period_label, unit=unit,
                     boundary=l10n.boundary_label(bset)),
        "alt": t("maps.alt", measure=title, period=period_label, boundary=l10n.boundary_label(bset), n=len(values),
                 suppressed=states.count(maps.SUPPRESSED), no_data=states.count(maps.NO_DATA))
               + " " + _key_numbers(values, use_rate),
        "legend": maps.legend_html(items, unit),
        "names": {v.area_id: v.name for v in values},
    }


def map_section(view: dict, selected: str | None) -> None:
    """The map (map_view), its legend and the area picker; `selected`: the area last clicked on the map."""
    st.header(view["heading"])
    left, right = st.columns([4, 1])
    with left:
        st.pydeck_chart(view["deck"], on_select=_on_map_select, selection_mode="single-object", key="map",
                        height=500, alt=view["alt"])
    with right:
        st.html(view["legend"])
        st.caption(t("maps.legend_note"))

    # Keyboard route to the same choice as clicking the map.
    names = view["names"]
    ids = list(names)
    picked = st.selectbox(t("maps.pick_area"), ids, index=ids.index(selected) if selected in ids else None,
                          format_func=names.get, placeholder=t("maps.pick_placeholder"), key="map_area")
    target = picked or selected
    if target in names:
        profile_link(target, names[target])


def _key_numbers(values: list[maps.AreaValue], use_rate: bool) -> str:
    """The highest and lowest mapped values, for the map's alt text."""
    rows = [{"name": v.name, "value": v.rate if use_rate else v.count} for v in values
            if maps.state_of(v.count, v.withheld, v.published) == maps.VALUE]
    frame = pd.DataFrame(rows, columns=["name", "value"]).sort_values("value", ascending=False)
    return l10n.bar_numbers(frame, x="name", y="value", decimals=1 if use_rate else 0, limit=3)


def _on_map_select() -> None:
    """A click on the map chooses the same area as the list below it (one source of truth)."""
    area = selected_from_map()
    if area:
        st.session_state["map_area"] = area


def selected_from_map() -> str | None:
    event = st.session_state.get("map")
    try:
        objs = event["selection"]["objects"].get("areas") or []
        return objs[0]["properties"]["area_id"] if objs else None
    except (TypeError, KeyError, IndexError, AttributeError):
        return None
