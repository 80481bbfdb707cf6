"""Area profile (?area=<id>, shareable): one area against the whole, for every domain published on its boundaries.

An area id belongs to one boundary set; program and health measures are published on ZIP areas (or another
large-area set), property crime on tracts. Domains published on other boundaries are named, not faked.
Queries: profile_areas, profile_series, profile_rank.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from leadsf import areas, charts, contract, downloads, l10n, maps, ui
from leadsf.i18n import t

# One headline measure per domain (kind, measure); where it is not published by year for the area, the next
# candidate listed for the domain is shown instead (the subheading names the measure shown).
DOMAINS: tuple[tuple[str, str], ...] = (
    ("referrals", "all"),
    ("engagement", "engaged_case_management"),
    ("overdoses", "nonfatal_ed"),
    ("property_crime", "all"),
)
FALLBACKS: dict[str, tuple[str, ...]] = {
    "engagement": ("referred", "intake_completed"),
    "overdoses": ("ems_naloxone", "fatal"),
    "property_crime": ("residential_burglary",),
}

PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stToolbar"], [data-testid="stHeader"], header,
  [data-testid="stDecoration"], [data-testid="stStatusWidget"], .stDownloadButton, [data-testid="stSelectbox"],
  [data-testid="stRadio"] { display: none !important; }
  [data-testid="stAppViewContainer"] .main .block-container, [data-testid="stMainBlockContainer"] {
    max-width: 100% !important; padding: 0 !important; }
  [data-testid="stVerticalBlockBorderWrapper"] { break-inside: avoid; }
}
</style>"""


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _fmt(value, rate: bool) -> str:
    return t("ui.withheld") if value is None else ui.number(round(value, 1) if rate else int(value))


@ui.per_release
def _locator_deck(bset_name: str, large_only: bool, area_id: str):
    pub = areas.publication_areas(areas.boundary_set(bset_name), large_only)
    values = [maps.AreaValue(a.area_id, l10n.area_name(a.name), "", a.population, a.geometry, published=False)
              for a in pub]
    fc, _ = maps.feature_collection(values, use_rate=False, period="", highlight=area_id,
                                    text={"count": "", "rate": "", "population": t("maps.tt_population"),
                                          "period": "", "suppressed": "", "no_data": "", "unstable": ""})
    for f in fc["features"]:
        chosen = f["properties"]["area_id"] == area_id
        f["properties"]["fill"] = [230, 97, 0, 220] if chosen else [235, 235, 235, 200]
        f["properties"]["tooltip"] = f["properties"]["name"]
    deck = maps.build_deck(fc, view=maps.view_for([a.geometry for a in pub], 320, 260), labels=False, height=260)
    return deck, t("profile.locator_alt", name=l10n.area_name(next(a.name for a in pub if a.area_id == area_id)))


def _locator(bset_name: str, kind: contract.Kind, area_id: str) -> None:
    deck, alt = _locator_deck(bset_name, kind.needs_large_areas, area_id)
    st.pydeck_chart(deck, height=260, key=f"locator_{bset_name}", alt=alt)


@ui.per_release
def _summary(kind_name: str, wanted: str, area_id: str) -> dict | None:
    """The measure shown for this domain (the wanted one, else a fallback published by year for the area), its
    latest year for the area and the whole, the change on the year before and the area's rank."""
    kind = contract.kind(kind_name)
    col = "rate" if kind.rate_per else "count"
    for measure in (wanted, *FALLBACKS.get(kind_name, ())):
        series = ui.query("profile_series", kind=kind_name, measure=measure, area=area_id)
        years = series[(series["where_"] == "area") & (series["period_type"] == "year")].sort_values("period")
        if len(years):
            break
    else:
        return None
    latest = years.iloc[-1]
    year = latest["period"]
    city = series[(series["where_"] == "city") & (series["period_type"] == "year") & (series["period"] == year)]
    prev = years[years["period"] == str(int(year) - 1)]
    now_v = _num(latest[col])
    prev_v = _num(prev.iloc[0][col]) if len(prev) else None
    rank = ui.query("profile_rank", kind=kind_name, measure=measure, period=year)
    mine = rank[rank["area_id"] == area_id]
    return {"measure": measure, "year": year, "now": now_v, "city": _num(city.iloc[0][col]) if len(city) else None,
            "delta": None if now_v is None or prev_v is None else round(now_v - prev_v, 1),
            "unstable": bool(kind.rate_per) and latest["rate_unstable"] is True,
            "rank": (int(mine.iloc[0]["rank"]), int(mine.iloc[0]["ranked"])) if len(mine) else None}


@ui.per_release
def _trend(kind_name: str, measure: str, area_id: str, area_name: str, grain: str) -> dict | None:
    """The area (and, for rates, the whole) over time at this grain: figure, table and alt text."""
    rate = bool(contract.kind(kind_name).rate_per)
    series = ui.query("profile_series", kind=kind_name, measure=measure, area=area_id)
    frame = series[series["period_type"] == grain].copy()
    if frame[frame["where_"] == "area"].empty:
        return None
    if not rate:  # counts for an area and for the whole are on different scales: show the area only
        frame = frame[frame["where_"] == "area"]
    frame["series"] = frame["where_"].map({"area": area_name, "city": t("profile.whole")})
    frame["value"] = frame["rate" if rate else "count"]
    title = t(f"maps.m_{kind_name}_{measure}")
    unit = t(f"maps.unit_{kind_name}") if rate else t("maps.unit_count")
    fig = charts.trend(frame, x="period", y="value", series="series", title=t("profile.trend_title", measure=title),
                       y_title=unit, mark_lead_start=False, height=340)
    table = frame[["series", "period", "count", "withheld", *(["rate", "rate_unstable"] if rate else [])]]
    alt = l10n.alt(t("profile.trend_alt", measure=title, name=area_name, first=frame["period"].min(),
                     last=frame["period"].max()),
                   l10n.trend_numbers(frame, y="value", series="series", decimals=1 if rate else 0))
    return {"fig": fig, "table": table, "alt": alt}


def _domain(kind_name: str, wanted: str, area_id: str, area_name: str, rel) -> None:
    rate = bool(contract.kind(kind_name).rate_per)
    st.subheader(t(f"profile.domain_{kind_name}"))
    first_title = t(f"maps.m_{kind_name}_{wanted}")
    summary = _summary(kind_name, wanted, area_id)
    if summary is None:
        ui.empty_state("profile.not_published_here", measure=first_title)
        return
    measure, year = summary["measure"], summary["year"]
    title = t(f"maps.m_{kind_name}_{measure}")
    if title != first_title:
        st.caption(t("profile.fallback", wanted=first_title, shown=title))
    unit = t(f"maps.unit_{kind_name}") if rate else t("maps.unit_count")
    mark = maps.UNSTABLE_MARK if summary["unstable"] else ""
    delta = summary["delta"]
    c1, c2, c3 = st.columns(3)
    c1.metric(t("profile.metric_area", measure=title, year=year), _fmt(summary["now"], rate) + mark,
              delta=None if delta is None else t("profile.delta_prev", delta=l10n.signed(delta, 1 if rate else 0),
                                                          year=int(year) - 1),
              delta_color="off", help=unit)
    c2.metric(t("profile.metric_city", year=year), _fmt(summary["city"], rate), help=unit)
    c3.metric(t("profile.metric_rank", year=year),
              t("profile.rank", rank=summary["rank"][0], n=summary["rank"][1]) if summary["rank"]
              else t("profile.unranked"),
              help=t("profile.rank_help"))
    notes = [t("profile.unit_note", unit=unit)]
    if mark:
        notes.append(t("profile.unstable_note", mark=maps.UNSTABLE_MARK))
    st.caption(" · ".join(notes))

    grain = st.radio(t("profile.grain"), ["year", "quarter"], horizontal=True, key=f"grain_{kind_name}",
                     format_func=lambda g: t(f"profile.grain_{g}"))
    chart = _trend(kind_name, measure, area_id, area_name, grain)
    if chart is None:
        ui.empty_state("profile.no_grain")
        return
    ui.chart_block(chart["fig"], chart["table"], key=f"profile_{kind_name}",
                   filename=f"lead-santa-fe-{area_id}-{kind_name}", alt=chart["alt"],
                   source_key=f"maps.source_{kind_name}", rel=rel)


def render() -> None:
    st.html(PRINT_CSS)
    st.title(t("profile.title"))
    rel = ui.release()
    if rel is None:
        ui.empty_state("ui.no_release")
        return
    ui.sample_banner(rel)
    all_areas = ui.query("profile_areas")
    if all_areas.empty:
        ui.empty_state("profile.no_areas")
        return
    ids = all_areas["area_id"].tolist()
    info = all_areas.set_index("area_id")
    set_of = dict(zip(ids, all_areas["boundary_set"]))
    labels = {s.name: l10n.boundary_label(s) for s in areas.boundary_sets().values()}
    wanted = st.query_params.get("area")
    if wanted is not None and wanted not in ids:
        st.warning(t("profile.unknown_area", area=wanted))
    if "profile_area" not in st.session_state or (wanted in ids and st.session_state.get("_profile_url") != wanted):
        # Without ?area=, open on a ZIP area: those carry the program and health measures, not only crime.
        zips = [a for a in ids if set_of[a] == "zip"]
        st.session_state["profile_area"] = wanted if wanted in ids else (zips or ids)[0]
    described = {a: f"{l10n.area_name(n)} ({labels.get(set_of[a], '')})" for a, n in zip(ids, all_areas["name"])}

    area_id = st.selectbox(t("profile.pick"), ids, key="profile_area", format_func=described.get)
    st.query_params["area"] = area_id
    st.session_state["_profile_url"] = area_id
    row = info.loc[area_id]
    bset_name = row["boundary_set"]
    kinds = list(row["kinds"])
    name = l10n.area_name(row["name"])
    st.header(name)

    left, right = st.columns([2, 1])
    with left:
        st.markdown(t("profile.about_area", name=name, boundary=labels.get(bset_name, bset_name),
                      population=ui.number(int(row["population"]))))
        kind_sets = all_areas.explode("kinds").groupby("kinds")["boundary_set"].first().to_dict()
        elsewhere = [k for k, _ in DOMAINS if k not in kinds and k in kind_sets]
        for k in elsewhere:
            st.caption(t("profile.elsewhere", domain=t(f"profile.domain_{k}"),
                         boundary=labels.get(kind_sets[k], kind_sets[k])))
        st.caption(t("profile.share_note"))
    with right:
        _locator(bset_name, contract.kind(kinds[0]), area_id)

    shown = [(k, m) for k, m in DOMAINS if k in kinds]
    for kind_name, measure in shown:
        with st.container(border=True, key=f"domain_{kind_name}"):
            _domain(kind_name, measure, area_id, name, rel)
    st.download_button(t("profile.download_all"), _all_series_csv(area_id, tuple(shown)),
                       file_name=f"lead-santa-fe-profile-{area_id}.csv",
                       mime="text/csv", key="profile_download", icon=":material/download:")
    st.caption(t("profile.print_note"))


@ui.per_release
def _all_series_csv(area_id: str, shown: tuple) -> bytes:
    """Every series of every shown domain (fallback measures too) for the area and the whole, as one CSV."""
    parts = []
    for kind_name, measure in [(k, m) for k, first in shown for m in (first, *FALLBACKS.get(k, ()))]:
        s = ui.query("profile_series", kind=kind_name, measure=measure, area=area_id)
        parts.append(s.assign(kind=kind_name, measure=measure,
                              area_id=s["where_"].map({"area": area_id, "city": areas.TOTAL_ID})))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["where_"])
    return downloads.to_csv(out.reindex(columns=["kind", "measure", "area_id", "period_type", "period", "count",
                                                 "withheld", "rate", "rate_unstable"]))


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
