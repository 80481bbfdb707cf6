"""Trend blocks: rows over time at the finest published grain, drawn as a chart block with its grain note,
and areas ranked by rate."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from .. import charts, config, l10n, memo
from ..db import PublicRelease
from ..i18n import t
from ..highlights import expected_periods, period_months, pick_grain, rolling_12
from .chart import chart_block
from .filters import Window
from .frame import empty_state


def window_rows(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Rows whose period lies wholly inside the window."""

    if frame.empty:
        return frame
    inside = [first >= window.start and last <= window.end
              for first, last in map(period_months, frame["period"].tolist())]
    return frame[np.array(inside, dtype=bool)]


@memo.by_content
def trend_series(frame: pd.DataFrame, window: Window, value: str = "count"
                 ) -> tuple[pd.DataFrame, str | None, list[str]]:
    """The rows to draw over time: the finest period type that covers the window (month, else quarter, else
    year), a 12-month average where 12 consecutive months are published, and the periods not published."""

    rows = window_rows(frame, window)
    grain = pick_grain(rows, window.start, window.end) if len(rows) else None
    if grain is None:
        return rows.iloc[0:0], None, []
    out = rows[rows["period_type"] == grain].copy().sort_values("period")
    missing = sorted(set(expected_periods(grain, window.start, window.end)) - set(out["period"]))
    return out, grain, missing


def add_rolling(series: pd.DataFrame, value: str = "count") -> tuple[pd.DataFrame, str | None]:
    """For a monthly series of one line, the 12-month average where 12 consecutive months are published."""

    if series.empty or (series["period_type"] != "month").any():
        return series, None
    out = series.copy()
    out["avg_12_months"] = rolling_12(out, value)
    return (out, "avg_12_months") if out["avg_12_months"].notna().any() else (series, None)


def trend_block(rows: pd.DataFrame, window: Window, *, title: str, alt: str, key: str, filename: str,
                source_key: str, rel: PublicRelease, columns: tuple[str, ...] = ("count", "withheld"),
                by: str | None = None, labels: dict[str, str] | None = None, y: str = "count",
                y_title: str | None = None, decimals: int | None = None,
                empty_key: str | None = "ui.empty") -> pd.DataFrame:
    """Rows over time at the finest published grain as a chart block with its grain note: one line (with a
    12-month average where allowed), or one line per value of `by`. `y_title` defaults to "count per <grain>";
    `empty_key` is the message when nothing is published (None: say nothing). Returns the drawn series."""
    series, grain, missing, fig, table, alt_text = _trend_parts(rows, window, title, alt, columns, by, labels, y,
                                                                y_title, decimals)
    if series.empty:
        if empty_key:
            empty_state(empty_key)
        return series
    chart_block(fig, table, key=key, filename=filename, source_key=source_key, rel=rel, alt=alt_text)
    grain_note(grain, missing)
    return series


@memo.by_content
def _trend_parts(rows: pd.DataFrame, window: Window, title: str, alt: str, columns: tuple[str, ...],
                 by: str | None, labels: dict | None, y: str, y_title: str | None, decimals: int | None):

    series, grain, missing = trend_series(rows, window)
    if series.empty:
        return series, grain, missing, None, None, None
    series, rolling = add_rolling(series) if by is None else (series, None)
    fig = charts.trend(series, x="period", y=y, series=by, labels=labels, rolling=rolling, title=title,
                       y_title=y_title or t(f"filters.count_per_{grain}"))
    table = series[["period", *([by] if by else []), *columns] + ([rolling] if rolling else [])]
    numbers = l10n.trend_numbers(series, y=y, series=by, labels=labels, decimals=decimals)
    return series, grain, missing, fig, table, l10n.alt(alt, numbers)


def grain_note(grain: str | None, missing: list[str]) -> None:
    if grain:
        st.caption(t(f"filters.grain_{grain}"))
    if missing:

        shown = ", ".join(map(l10n.period_label, missing[:8])) + ("…" if len(missing) > 8 else "")
        st.caption(t("filters.not_published", periods=shown))


def ranked_area_rates(table: pd.DataFrame, *, title: str, y_title: str, alt_key: str, key: str, filename: str,
                      source_key: str, rel: PublicRelease, empty_key: str) -> None:
    """Areas ranked by rate (highlights.area_rates) as bars with the table, download and unstable footnote."""

    if table.empty or table["count"].isna().all():
        empty_state(empty_key)
        return
    fig = charts.bars(table, x="area", y="rate", horizontal=True, unstable="rate_unstable", title=title,
                      y_title=y_title)
    chart_block(fig, table, key=key, filename=filename, source_key=source_key, rel=rel,
                alt=l10n.alt(t(alt_key), l10n.bar_numbers(table, x="area", y="rate", decimals=1)))
    if table["rate_unstable"].fillna(False).astype(bool).any():
        unstable_footnote()


def unstable_footnote() -> None:
    st.caption(t("filters.unstable_note", n=config.get("unstable_below")))
