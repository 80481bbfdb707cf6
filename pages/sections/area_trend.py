"""Area profile, one domain's trend: the area and the whole over time, by year or by quarter, starting at the
grain where the area has most published values; by quarter, a year whose county quarters are not published is
drawn as a year on the county's line. Used by pages/sections/area_domain.py. Query: profile_series."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import areas, contract, profile
from leadsf.site import charts, l10n, ui

GRAINS = profile.GRAINS


@ui.per_release
def _trend(kind_name: str, measure: str, area_id: str, area_name: str, grain: str) -> dict | None:
    """The area and the whole over time at this grain: figure, table and alt text; None when the area has no
    published value at this grain. Only series with a published value are drawn, so the legend and the title
    name exactly what is drawn."""
    rate = bool(contract.kind(kind_name).rate_per)
    value = "rate" if rate else "count"
    series = ui.query("profile_series", kind=kind_name, measure=measure, area=area_id)
    frame = series[series["period_type"] == grain].copy()
    drawn = [w for w in ("area", "city") if frame.loc[frame["where_"] == w, value].notna().any()]
    if "area" not in drawn:
        return None
    frame = frame[frame["where_"].isin(drawn)]
    as_years: list[str] = []
    if grain == "quarter" and "city" in drawn:
        # The county's quarters of a year with one small quarter are not published (config.BACKBONE): that
        # year is drawn as a year on the county's line, never a hole.
        fill = ui.years_without_quarters(series[series["where_"] == "city"])
        as_years = sorted(fill["period"])
        frame = pd.concat([frame, fill]).sort_values("period")
    frame["series"] = frame["where_"].map({"area": area_name, "city": t("profile.whole")})
    frame["value"] = frame[value]
    title = t(f"maps.m_{kind_name}_{measure}")
    unit = t(f"maps.unit_{kind_name}") if rate else t("maps.unit_count")
    heading = t("profile.trend_title" if len(drawn) == 2 else "profile.trend_title_area", measure=title)
    fig = charts.trend(frame, x="period", y="value", series="series", title=heading, y_title=unit,
                       mark_lead_start=False, height=340, year_scale=1.0 if rate else 0.25)
    table = frame[["series", "period", "count", "withheld", *(["rate", "rate_unstable"] if rate else [])]]
    quarters = frame[frame["period_type"] == grain]
    numbers = l10n.trend_numbers(quarters, y="value", series="series", decimals=1 if rate else 0)
    if as_years:
        numbers += " " + t("backbone.alt_years", years=", ".join(as_years))
    alt = l10n.alt(t("profile.trend_alt", measure=title, name=area_name, first=quarters["period"].min(),
                     last=quarters["period"].max()), numbers)
    return {"fig": fig, "table": table, "alt": alt}


@ui.per_release
def _best_grain(kind_name: str, measure: str, area_id: str) -> str:
    """The grain at which the area has the most published values (years on a tie): the trend shown first."""
    return profile.best_grain(ui.query("profile_series", kind=kind_name, measure=measure, area=area_id), area_id)


def trend_section(kind_name: str, measure: str, area_id: str, area_name: str, rel) -> None:
    """The grain choice and the chart; with nothing published at a grain, why, and the other grain offered."""
    key = f"grain_{kind_name}"
    if st.session_state.get(key) not in GRAINS:
        st.session_state[key] = _best_grain(kind_name, measure, area_id)
    legend_name = t("maps.rest_label") if area_id == areas.REST_ID else area_name  # the full one lists 8 ZIPs
    grain = st.radio(t("profile.grain"), list(GRAINS), horizontal=True, key=key,
                     format_func=lambda g: t(f"profile.grain_{g}"))
    chart = _trend(kind_name, measure, area_id, legend_name, grain)
    if chart is None:
        other = next(g for g in GRAINS if g != grain)
        offer = ui.Offer(t(f"profile.try_{other}"), (), ((key, other),))
        ui.empty_state("profile.no_grain", offer_key=kind_name,
                       offers=(offer,) if _trend(kind_name, measure, area_id, legend_name, other) else ())
        return
    ui.chart_block(chart["fig"], chart["table"], key=f"profile_{kind_name}",
                   filename=f"lead-santa-fe-{area_id}-{kind_name}", alt=chart["alt"],
                   source_key=f"maps.source_{kind_name}", rel=rel)
