"""Filters that live in the URL (public pages): period, area and each page's own category filter.

Each filter has a widget key (filter_*) and a URL parameter; the URL is read when the widget is first drawn
(or when its value is not valid on this page) and written back whenever the value changes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from leadsf import config
from leadsf.i18n import t
from leadsf.pipeline.db import PublicRelease
from leadsf.site.l10n import area_name
from leadsf.stats.highlights import months_between, shift_month

from .data import per_release, query
from .frame import empty_state, month_label, page_start
from .offers import remember

PERIOD_PRESETS = ("12m", "3y", "lead", "years")


def url_widget(widget, label: str, options: list[str], *, key: str, param: str, default: str,
               format_func=str, **kwargs) -> str:
    """A select-style widget whose value is kept in st.query_params[param]; options are strings."""
    options = [str(o) for o in options]
    remember(param, key)
    if st.session_state.get(key) not in options:
        wanted = st.query_params.get(param)
        st.session_state[key] = wanted if wanted in options else (default if default in options else options[0])
    value = widget(label, options, key=key, format_func=format_func, **kwargs)
    if st.query_params.get(param) != value:
        st.query_params[param] = value
    return value


@dataclass(frozen=True)
class Window:
    start: str          # first month, 'YYYY-MM'
    end: str            # last month
    label: str

    @property
    def prev_start(self) -> str:
        return shift_month(self.start, -12)

    @property
    def prev_end(self) -> str:
        return shift_month(self.end, -12)

    @property
    def months(self) -> int:
        return len(months_between(self.start, self.end))


def _window_label(start: str, end: str) -> str:
    return t("filters.window", start=month_label(start), end=month_label(end))


def history_window(rel: PublicRelease) -> Window:
    """The whole published history: from the first month of any published file to the release's last month.
    Trend blocks draw this, with the selected period shaded."""
    firsts = [f.get("first_month") for f in rel.manifest.get("files", {}).values() if f.get("first_month")]
    start, end = min(firsts or [config.get("first_month")]), rel.manifest["data_through"]
    return Window(start, end, _window_label(start, end))


def period_filter(rel: PublicRelease, container=None) -> Window:
    """Period preset (last 12 months, last 3 years, since LEAD began, custom years), kept in the URL."""
    box = container or st
    through = rel.manifest["data_through"]
    first_year = int(history_window(rel).start[:4])
    last_year = int(through[:4])
    preset = url_widget(box.selectbox, t("filters.period"), list(PERIOD_PRESETS), key="filter_period",
                        param="period", default="12m", format_func=lambda p: t(f"filters.period_{p}"))
    if preset == "12m":
        start, end = shift_month(through, -11), through
    elif preset == "3y":
        start, end = shift_month(through, -35), through
    elif preset == "lead":
        start, end = config.get("lead_start_month")[:4] + "-01", through
        start = max(start, f"{first_year}-01")
    else:
        # Whole calendar years only; the last year counts only if it is complete.
        full_last = last_year if through.endswith("-12") else last_year - 1
        years = [str(y) for y in range(first_year, max(full_last, first_year) + 1)]
        c1, c2 = box.columns(2)
        y1 = url_widget(c1.selectbox, t("filters.from_year"), years, key="filter_from", param="from",
                        default=years[max(0, len(years) - 3)])
        y2 = url_widget(c2.selectbox, t("filters.to_year"), years, key="filter_to", param="to", default=years[-1])
        y1, y2 = min(y1, y2), max(y1, y2)
        start, end = f"{y1}-01", f"{y2}-12"
    return Window(start, end, _window_label(start, end))


@per_release
def area_names(kind: str) -> dict[str, str]:
    """Area id -> name in the visitor's language for one measure family, "city" the whole area (shared:
    read only)."""
    areas = query("areas_for_kind", kind=kind)

    names = dict(zip(areas["area_id"], areas["name"].map(area_name))) if len(areas) else {}
    names["city"] = t("filters.whole_area")
    return names


def area_filter(names: dict[str, str], container=None) -> str:
    """Whole area or one published area of this measure family (`area_names`)."""
    options = ["city", *[a for a in names if a != "city"]]
    return url_widget((container or st).selectbox, t("filters.area"), options, key="filter_area", param="area",
                      default="city", format_func=lambda a: names.get(a, a))


@dataclass(frozen=True)
class Filters:
    rel: PublicRelease
    window: Window
    area: str                 # an area id, or "city" for the whole area
    choice: str               # the page's own category filter
    names: dict[str, str]     # area id -> name in the visitor's language
    history: Window | None = None  # the whole published history (history_window), for trend blocks


def filter_bar(kind: str, **choice) -> Filters | None:
    """A measure page's frame and filters: title, introduction and sample banner, then period, area and the
    page's own category filter (`category_filter` arguments) side by side, and a line saying what is shown.
    None (after saying so) when nothing is published."""
    rel = page_start(kind)
    if rel is None:
        return None
    c1, c2, c3 = st.columns(3)
    window = period_filter(rel, c1)
    names = area_names(kind)
    area = area_filter(names, c2)
    picked = category_filter(container=c3, **choice)
    st.caption(t("filters.showing", window=window.label, area=names.get(area, area)))
    return Filters(rel, window, area, picked, names, history_window(rel))


def measure_view(f: Filters | None, make: Callable[[str, Window, Window, str], dict | None]) -> dict | None:
    """A measure page's view for its filters (filter_bar): `make(area, window, history, choice)`, a
    ui.per_release function that returns None when nothing is published for the area, which is then said.
    None when there is nothing to draw."""
    if f is None:
        return None
    view = make(f.area, f.window, f.history, f.choice)
    if view is None:
        empty_state()
    return view


@per_release
def populations(kind: str) -> dict[str, int]:
    areas = query("areas_for_kind", kind=kind)
    return dict(zip(areas["area_id"], areas["population"]))


def category_filter(label: str, options: list[str], *, key: str, param: str, default: str,
                    format_func=str, container=None, horizontal: bool = False) -> str:
    box = container or st
    if horizontal:
        return url_widget(box.radio, label, options, key=key, param=param, default=default,
                          format_func=format_func, horizontal=True)
    return url_widget(box.selectbox, label, options, key=key, param=param, default=default, format_func=format_func)
