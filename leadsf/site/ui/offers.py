"""What to try instead when a view has nothing published: a button that changes the page's URL filters (a
longer period, the whole area, another category), drawn under the empty-state sentence."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from leadsf.i18n import t

# URL parameter -> the key of the widget that holds it (filled by filters.url_widget; the same on every page
# and in every session, so a process-wide dict is safe).
_WIDGET_OF: dict[str, str] = {"period": "filter_period", "area": "filter_area", "from": "filter_from",
                              "to": "filter_to"}


def remember(param: str, key: str) -> None:
    _WIDGET_OF[param] = key


@dataclass(frozen=True)
class Offer:
    label: str                                   # the button text, in the visitor's language
    params: tuple[tuple[str, str], ...]          # URL parameters (and their filter widgets) the button sets
    state: tuple[tuple[str, str], ...] = ()      # other widgets (by key) it sets, not kept in the URL


def _apply(offer: Offer) -> None:
    """Button callback: runs before the next script run, so the filter widgets are drawn with the new values."""
    for param, value in offer.params:
        if param in _WIDGET_OF:
            st.session_state[_WIDGET_OF[param]] = value
        st.query_params[param] = value
    for key, value in offer.state:
        st.session_state[key] = value


def offer_buttons(offers, key: str) -> None:
    for i, offer in enumerate(o for o in offers if o is not None):
        st.button(offer.label, key=f"offer_{key}_{i}", on_click=_apply, args=(offer,),
                  icon=":material/arrow_forward:")


def _current(param: str, default: str) -> str:
    key = _WIDGET_OF.get(param)
    return str(st.session_state.get(key, default)) if key else str(st.query_params.get(param, default))


def longer_period() -> Offer | None:
    """Since LEAD began, the longest preset; None when that is already the period."""
    if _current("period", "12m") == "lead":
        return None
    return Offer(t("ui.try_longer_period"), (("period", "lead"),))


def whole_area() -> Offer | None:
    """The whole area; None when that is already the area."""
    if _current("area", "city") == "city":
        return None
    return Offer(t("ui.try_whole_area"), (("area", "city"),))


def published_year(rows: pd.DataFrame, value: str = "count") -> Offer | None:
    """The latest calendar year for which some series in `rows` (one per area_id) has a published total (its
    year row, or all its quarters or months), as whole-year period filters; None if there is none."""
    year = _latest_published_year(rows, value)
    return None if year is None else Offer(t("ui.try_year", year=year),
                                           (("period", "years"), ("from", year), ("to", year)))


def _latest_published_year(rows: pd.DataFrame, value: str) -> str | None:
    from leadsf.stats.highlights import window_total

    shown = rows[rows[value].notna().to_numpy(bool)]
    groups = [g for _, g in rows.groupby("area_id")] if "area_id" in rows else [rows]
    for year in sorted({str(p)[:4] for p in shown["period"]}, reverse=True):
        if any(window_total(g, f"{year}-01", f"{year}-12") is not None for g in groups):
            return year
    return None


def choose(param: str, value: str, label: str) -> Offer | None:
    """Any other value of a URL filter (e.g. another measure), None when it is already chosen."""
    return None if st.query_params.get(param) == value else Offer(label, ((param, value),))


def offers(*names: str) -> tuple[Offer, ...]:
    """The standard offers by name ("period", "area") that apply to the current filters."""
    made = {"period": longer_period, "area": whole_area}
    return tuple(o for o in (made[n]() for n in names) if o is not None)
