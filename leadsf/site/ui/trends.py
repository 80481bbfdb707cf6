"""Trend blocks: a whole published history at its finest grain, drawn as a chart block with the selected
period shaded and a grain note, and areas ranked by their total or rate for the selected period."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline.db import PublicRelease
from leadsf.site import charts, l10n
from leadsf.stats.highlights import (MIN_TREND_POINTS, history_grain, period_months, periods_between, rolling_12,
                                     window_total)

from .chart import Chart, any_unstable, draw_chart
from .filters import Window
from .frame import empty_state
from .offers import Offer, whole_area


def window_rows(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Rows whose period lies wholly inside the window."""
    if frame.empty:
        return frame
    inside = [first >= window.start and last <= window.end
              for first, last in map(period_months, frame["period"].tolist())]
    return frame[np.array(inside, dtype=bool)]


def _quarters_and_years(frame: pd.DataFrame, value: str) -> pd.DataFrame | None:
    """One series by quarter where a year's four quarters are published, and by year where they are not (the
    county's quarters of a year with one small quarter are not published: config.BACKBONE); None when that
    mixed grain has too few quarters or nothing to fill."""
    quarters = frame[frame["period_type"] == "quarter"]
    years = frame[frame["period_type"] == "year"]
    full = quarters.groupby(quarters["period"].str[:4])["period"].nunique()
    full = set(full[full == 4].index)
    shown = quarters[quarters["period"].str[:4].isin(full)]
    fill = years[~years["period"].isin(full)]
    if shown[value].notna().sum() < MIN_TREND_POINTS or fill[value].notna().sum() == 0:
        return None
    return pd.concat([shown, fill]).sort_values("period")


def years_without_quarters(frame: pd.DataFrame) -> pd.DataFrame:
    """The year rows of `frame` (one series) whose year has none of its quarters in it: the years a quarterly
    chart draws as years (charts.trend) instead of leaving a hole."""
    years = frame[frame["period_type"] == "year"]
    with_quarters = set(frame.loc[frame["period_type"] == "quarter", "period"].str[:4])
    return years[~years["period"].isin(with_quarters)]


def years_shown_as_years(series: pd.DataFrame, grain: str | None) -> list[str]:
    """The years drawn as a year in a quarterly series (a mixed-grain trend)."""
    if grain != "quarter" or series.empty:
        return []
    return sorted(series.loc[series["period_type"] == "year", "period"])


def trend_series(frame: pd.DataFrame, window: Window, value: str = "count", mixed: bool = False
                 ) -> tuple[pd.DataFrame, str | None, list[str]]:
    """The rows to draw over time: the whole published history in `frame` at the finest period type published
    for it (highlights.history_grain), and the periods of that type inside the drawn span that are not
    published at all; empty when no value of `value` is published. `window` (the selected period) does not
    change what is drawn: draw_trend shades it, and the headline figures answer for it.

    With `mixed` (one series), a history drawn by year or quarter in which some years have all four quarters
    published and others only the year is drawn by quarter, the other years as years (years_shown_as_years):
    the quarters a reader can have are not thrown away, and no year is a hole."""
    grain = history_grain(frame, value)
    if grain is None:
        return frame.iloc[0:0], None, []
    both = _quarters_and_years(frame, value) if mixed and grain in ("year", "quarter") else None
    if both is not None:
        quarters = set(both["period"]) | {f"{y}-Q{q}" for y in both.loc[both["period_type"] == "year", "period"]
                                          for q in range(1, 5)}
        quarters = {q for q in quarters if "-Q" in q}
        span = periods_between("quarter", min(quarters), max(quarters))
        return both.copy(), "quarter", sorted(set(span) - quarters)
    out = frame[frame["period_type"] == grain].copy().sort_values("period")
    span = periods_between(grain, out["period"].min(), out["period"].max())
    missing = sorted(set(span) - set(out["period"]))
    return out, grain, missing


def add_rolling(series: pd.DataFrame, value: str = "count") -> tuple[pd.DataFrame, str | None]:
    """For a monthly series of one line, the 12-month average where 12 consecutive months are published."""
    if series.empty or (series["period_type"] != "month").any():
        return series, None
    out = series.copy()
    out["avg_12_months"] = rolling_12(out, value)
    return (out, "avg_12_months") if out["avg_12_months"].notna().any() else (series, None)


@dataclass(frozen=True, eq=False)
class Trend:
    """What a trend block draws (trend_view): the series, its grain, the unpublished periods in its span, and
    the chart (None when nothing is published)."""
    series: pd.DataFrame
    grain: str | None
    missing: list[str]
    chart: Chart | None


def trend_view(rows: pd.DataFrame, window: Window, *, title: str, alt: str,
               columns: tuple[str, ...] = ("count", "withheld"), by: str | None = None,
               labels: dict[str, str] | None = None, y: str = "count", y_title: str | None = None,
               decimals: int | None = None, unstable_note: bool = False) -> Trend:
    """Rows over time: pass the whole published history (see `history_window`), which is drawn at the finest
    grain published for it with `window` shaded; one line (with a 12-month average where allowed), or one
    line per value of `by`. `y_title` defaults to "count per <grain>"; `unstable_note`: footnote an unstable
    rate among the rows drawn."""
    series, grain, missing, fig, table, alt_text = _trend_parts(rows, window, title, alt, columns, by, labels, y,
                                                                y_title, decimals)
    if series.empty:
        return Trend(series, grain, missing, None)
    return Trend(series, grain, missing, Chart(fig, table, alt_text, unstable_note and any_unstable(series)))


def draw_trend(trend: Trend, *, key: str, filename: str, source_key: str, rel: PublicRelease,
               empty_key: str | None = "ui.empty", offers: tuple[Offer | None, ...] | None = None) -> None:
    """A trend as a chart block with its grain note; `empty_key` is the message when nothing is published
    (None: say nothing), with `offers` as buttons to try instead (default: the whole area)."""
    if trend.chart is None:
        if empty_key:
            empty_state(empty_key, offers=(whole_area(),) if offers is None else offers)
        return
    draw_chart(trend.chart, key=key, filename=filename, source_key=source_key, rel=rel)
    grain_note(trend.grain, trend.missing, years_shown_as_years(trend.series, trend.grain))


def _trend_parts(rows: pd.DataFrame, window: Window, title: str, alt: str, columns: tuple[str, ...],
                 by: str | None, labels: dict | None, y: str, y_title: str | None, decimals: int | None):
    series, grain, missing = trend_series(rows, window, y, mixed=by is None)
    if series.empty:
        return series, grain, missing, None, None, None
    series, rolling = add_rolling(series) if by is None else (series, None)
    first = min(period_months(p)[0] for p in series["period"])
    last = max(period_months(p)[1] for p in series["period"])
    shade = (window.start, window.end) if (window.start, window.end) != (first, last) else None
    as_years = years_shown_as_years(series, grain)
    fig = charts.trend(series, x="period", y=y, series=by, labels=labels, rolling=rolling, title=title,
                       y_title=y_title or t(f"filters.count_per_{grain}"), highlight=shade)
    table = series[["period", *([by] if by else []), *columns] + ([rolling] if rolling else [])]
    drawn = series[series["period_type"] != "year"] if as_years else series
    numbers = l10n.trend_numbers(drawn, y=y, series=by, labels=labels, decimals=decimals)
    if as_years:
        numbers += " " + t("backbone.alt_years", years=", ".join(as_years))
    return series, grain, missing, fig, table, l10n.alt(alt, numbers)


def grain_note(grain: str | None, missing: list[str], as_years: list[str] = ()) -> None:
    if as_years:
        st.caption(t("backbone.grain_mixed", years=", ".join(as_years)))
    elif grain:
        st.caption(t(f"filters.grain_{grain}"))
    if missing:
        shown = ", ".join(map(l10n.period_label, missing[:8])) + ("…" if len(missing) > 8 else "")
        st.caption(t("filters.not_published", periods=shown))


def area_rates_view(table: pd.DataFrame, *, title: str, y_title: str, alt_key: str) -> Chart | None:
    """Areas ranked by rate (highlights.area_rates) as bars; None when no count is published."""
    if table.empty or table["count"].isna().all():
        return None
    fig = charts.bars(table, x="area", y="rate", horizontal=True, unstable="rate_unstable", title=title,
                      y_title=y_title)
    return Chart(fig, table, l10n.alt(t(alt_key), l10n.bar_numbers(table, x="area", y="rate", decimals=1)),
                 any_unstable(table))


def area_counts_view(by_area: pd.DataFrame, window: Window, names: dict[str, str], *, title: str,
                     alt_key: str) -> Chart | None:
    """Each area's published total for the window as bars, highest first (`by_area`: one series per area);
    None when no total is published."""
    table = pd.DataFrame([{"area": names.get(a, a), "count": window_total(g, window.start, window.end)}
                          for a, g in by_area.groupby("area_id")], columns=["area", "count"])
    if table.empty or table["count"].isna().all():
        return None
    table["count"] = table["count"].astype("Int64")
    table = table.sort_values("count", ascending=False, na_position="last")
    fig = charts.bars(table, x="area", y="count", horizontal=True, title=title, y_title=t("filters.count"))
    return Chart(fig, table, l10n.alt(t(alt_key), l10n.bar_numbers(table, x="area", y="count")))


def draw_ranked(chart: Chart | None, *, key: str, filename: str, source_key: str, rel: PublicRelease,
                empty_key: str, offers: tuple[Offer | None, ...]) -> None:
    """Ranked areas (area_rates_view, area_counts_view); with nothing published, `empty_key` says so and
    `offers` are offered."""
    if chart is None:
        empty_state(empty_key, offers=offers)
        return
    draw_chart(chart, key=key, filename=filename, source_key=source_key, rel=rel)
