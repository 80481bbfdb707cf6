"""Area profile, one domain's section: the headline measure for the area against the whole, its rank, and
the area and the whole over time (pages/sections/area_trend.py). Used by pages/area_profile.py.
Queries: profile_series, profile_rank."""
from __future__ import annotations

import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import contract, profile
from leadsf.site import l10n, maps, ui
from pages.sections.area_trend import trend_section

DOMAINS, FALLBACKS = profile.DOMAINS, profile.FALLBACKS


def _fmt(value, rate: bool) -> str:
    """Short forms only: a metric box is narrow; the reason is given beside it."""
    return t("ui.withheld_short") if value is None else ui.number(round(value, 1) if rate else int(value))


@ui.per_release
def _summary(kind_name: str, wanted: str, area_id: str) -> dict | None:
    """The measure shown for this domain, its latest year, the whole's, the change and the rank (the briefs
    made at publish read the same function)."""
    return profile.summary(ui.query, kind_name, wanted, area_id)


def _metrics(summary: dict, title: str, unit: str, rate: bool) -> None:
    """The area's latest year, the whole's, and the rank, with the reason beside any value not shown."""
    year, delta = summary["year"], summary["delta"]
    mark = maps.UNSTABLE_MARK if summary["unstable"] else ""
    c1, c2, c3 = st.columns(3)
    c1.metric(t("profile.metric_area", measure=title, year=year), _fmt(summary["now"], rate) + mark,
              delta=None if delta is None else t("profile.delta_prev", delta=l10n.signed(delta, 1 if rate else 0),
                                                          year=int(year) - 1),
              delta_color="off", help=unit,
              # Streamlit reads a direction only from a hyphen; the delta is written with the typographic minus.
              delta_arrow="off" if not round(delta or 0, 1 if rate else 0) else "down" if delta < 0 else "up")
    c2.metric(t("profile.metric_city", year=year), _fmt(summary["city"], rate), help=unit)
    c3.metric(t("profile.metric_rank", year=year),
              t("profile.rank", rank=summary["rank"][0], n=summary["rank"][1]) if summary["rank"]
              else ui.WITHHELD_MARK, help=t("profile.rank_help"))
    notes = [t("profile.unit_note", unit=unit)]
    if summary["now"] is None or summary["city"] is None:
        notes.append(t("ui.withheld_reason"))
    if summary["rank"] is None:
        notes.append(t("profile.unranked"))
    if mark:
        notes.append(t("profile.unstable_note", mark=maps.UNSTABLE_MARK))
    st.caption(" · ".join(notes))


def domain(kind_name: str, wanted: str, area_id: str, area_name: str, rel) -> None:
    """One domain's section of the profile."""
    rate = bool(contract.kind(kind_name).rate_per)
    st.subheader(t(f"profile.domain_{kind_name}"))
    first_title = t(f"maps.m_{kind_name}_{wanted}")
    summary = _summary(kind_name, wanted, area_id)
    if summary is None:
        ui.empty_state("profile.not_published_here", measure=first_title)
        return
    measure = summary["measure"]
    title = t(f"maps.m_{kind_name}_{measure}")
    if title != first_title:
        st.caption(t("profile.fallback", wanted=first_title, shown=title))
    _metrics(summary, title, t(f"maps.unit_{kind_name}") if rate else t("maps.unit_count"), rate)

    trend_section(kind_name, measure, area_id, area_name, rel)
