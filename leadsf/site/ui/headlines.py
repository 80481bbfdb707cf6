"""Headline blocks: one period's published total against a year earlier, the Home highlights, and the
"what this shows" and unstable-rate notes."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from leadsf import config
from leadsf.i18n import t
from leadsf.pipeline.whatchanged import statement
from leadsf.stats.highlights import change, highlights, window_total

from .data import live, per_release, query
from .filters import Window, area_names
from .frame import number


@dataclass(frozen=True)
class Figures:
    """One headline's numbers: the window's published total, the same window a year earlier, the change
    (only when both are published), and the annualised rate as text with its unstable mark."""
    recent: int | None
    previous: int | None
    change: float | None
    rate: str | None = None


def headline_figures(series: pd.DataFrame, window: Window, *, population: int | None = None,
                     rate_per: int | None = None) -> Figures:
    recent = window_total(series, window.start, window.end)
    previous = window_total(series, window.prev_start, window.prev_end)
    rate = None
    if rate_per and population and recent is not None:
        value = round(recent / population * rate_per * 12 / window.months, 1)
        mark = " †" if recent < config.get("unstable_below") else ""
        rate = t(f"filters.rate_per_{rate_per}", rate=number(value)) + mark
    return Figures(recent, previous, change(recent, previous), rate)


def headline(label: str, figures: Figures, *, key: str = "", help_text: str | None = None) -> None:
    """One st.metric (headline_figures): the total, its change against a year earlier, the rate."""
    recent, previous, delta = figures.recent, figures.previous, figures.change
    with st.container(border=True, key=f"headline_{key}"):
        st.metric(label, number(recent) if recent is not None else t("ui.withheld_short"),
                  delta=(f"{delta:+.0%} " + t("filters.vs_year_earlier")) if delta is not None else None,
                  delta_color="off", help=help_text)
        parts = [t("ui.withheld_reason")] if recent is None else []
        parts.append(t("filters.year_earlier", value=number(previous) if previous is not None else t("ui.withheld")))
        if figures.rate:
            parts.append(figures.rate)
        st.caption(" · ".join(parts))


def what_this_shows(namespace: str) -> None:
    with st.expander(t("filters.what_title")):
        st.markdown("**" + t("filters.what_shows") + "**  \n" + t(f"{namespace}.shows"))
        st.markdown("**" + t("filters.what_doesnt") + "**  \n" + t(f"{namespace}.doesnt"))


@per_release
def _highlights(limit: int) -> list:
    """The highlights of the live release (a few hundred Poisson tests): the same for every visitor."""
    return highlights(query("highlights_input"), limit=limit)


def render_highlights(limit: int = 5) -> list:
    """Home: 3-5 plain statements about significant changes (exact Poisson test, p < 0.05)."""
    root, rel = live()
    if rel is None:
        return []
    items = _highlights(limit)
    st.subheader(t("filters.highlights_title"))
    if not items:
        st.caption(t("filters.highlights_none"))
        return items
    for item in items:
        area = t("filters.whole_area_in_text") if item.area == "city" else area_names("property_crime").get(item.area,
                                                                                                     item.area)
        st.markdown("- " + statement(item, area=area, number=number))  # the release feed says the same
    st.caption(t("filters.highlights_method"))
    return items
