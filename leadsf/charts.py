"""Plotly figure builders: one theme, one colour-blind-safe palette (Okabe-Ito), withheld values drawn as
gaps with a marker row, never as zero. Builders take a DataFrame and column names and return a figure."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import config
from .i18n import t

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
WITHHELD_COLOUR = "#767676"  # 4.5:1 on white


def _layout(fig: go.Figure, title: str, y_title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white", height=height, margin={"l": 48, "r": 12, "t": 56, "b": 40},
        font={"family": "Source Sans Pro, Arial, sans-serif", "size": 13, "color": "#1a1a1a"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        yaxis={"title": {"text": y_title}, "rangemode": "tozero", "gridcolor": "#e5e5e5"},
        xaxis={"gridcolor": "#f0f0f0"}, hovermode="x unified",
    )
    return fig


def period_axis(period: pd.Series) -> pd.Series:
    """Months and quarters as dates, so a time axis spaces them correctly."""
    def to_date(p: str):
        if "-Q" in p:
            return pd.Timestamp(int(p[:4]), (int(p[-1]) - 1) * 3 + 1, 1)
        if len(p) == 4:
            return pd.Timestamp(int(p), 1, 1)
        return pd.Timestamp(p + "-01")
    return period.map(to_date)


def trend(frame: pd.DataFrame, *, x: str, y: str, series: str | None, title: str, y_title: str,
          labels: dict[str, str] | None = None, rolling: str | None = None, mark_lead_start: bool = True
          ) -> go.Figure:
    """Lines over time, one per series; withheld values break the line and are marked along the axis."""
    fig = go.Figure()
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    for i, (name, part) in enumerate(groups):
        colour = PALETTE[i % len(PALETTE)]
        label = (labels or {}).get(name, name) if name is not None else y_title
        xs = period_axis(part[x])
        fig.add_trace(go.Scatter(x=xs, y=part[y].astype("Float64").astype(float), name=label, mode="lines+markers",
                                 line={"color": colour, "width": 2}, marker={"size": 4}, connectgaps=False))
        withheld = part[y].isna()
        if withheld.any():
            fig.add_trace(go.Scatter(x=xs[withheld], y=[0] * int(withheld.sum()), mode="markers",
                                     name=t("charts.withheld_marker"), showlegend=(i == 0),
                                     legendgroup="withheld", hovertemplate=t("charts.withheld_hover"),
                                     marker={"symbol": "x-thin-open", "size": 9, "color": WITHHELD_COLOUR}))
        if rolling and rolling in part:
            fig.add_trace(go.Scatter(x=xs, y=part[rolling].astype("Float64").astype(float),
                                     name=t("charts.rolling", label=label), mode="lines",
                                     line={"color": colour, "width": 1.5, "dash": "dot"}))
    if mark_lead_start and len(frame):
        start = pd.Timestamp(config.get("lead_start_month") + "-01")
        fig.add_vline(x=start, line={"color": "#555555", "width": 1, "dash": "dash"})
        fig.add_annotation(x=start, y=1, yref="paper", text=t("charts.lead_start"), showarrow=False,
                           xanchor="left", font={"size": 11, "color": "#333333"})
    return _layout(fig, title, y_title)


def bars(frame: pd.DataFrame, *, x: str, y: str, title: str, y_title: str, horizontal: bool = False,
         labels: dict[str, str] | None = None, unstable: str | None = None) -> go.Figure:
    """Bars for categories or areas; withheld bars are absent and labelled as withheld."""
    names = frame[x].map(lambda v: (labels or {}).get(v, v))
    values = frame[y].astype("Float64").astype(float)
    text = [t("ui.withheld") if pd.isna(v) else "" for v in frame[y]]
    if unstable and unstable in frame:
        text = [s or (t("charts.unstable_mark") if u is True else "") for s, u in zip(text, frame[unstable])]
    bar = go.Bar(x=values if horizontal else names, y=names if horizontal else values, text=text,
                 textposition="outside", orientation="h" if horizontal else "v", marker={"color": PALETTE[0]})
    fig = go.Figure(bar)
    _layout(fig, title, y_title, height=max(320, 28 * len(frame) + 120) if horizontal else 380)
    if horizontal:
        fig.update_layout(xaxis={"title": {"text": y_title}}, yaxis={"title": None, "autorange": "reversed"})
    fig.update_layout(hovermode="closest")
    return fig


def funnel(frame: pd.DataFrame, *, stage: str, value: str, title: str) -> go.Figure:
    """Steps of a funnel (e.g. referred -> intake -> engaged); withheld steps are labelled, not drawn as 0."""
    values = frame[value].astype("Float64").astype(float)
    text = [t("ui.withheld") if pd.isna(v) else f"{int(v):,}" for v in frame[value]]
    fig = go.Figure(go.Bar(x=values, y=frame[stage], orientation="h", text=text, textposition="outside",
                           marker={"color": PALETTE[:len(frame)]}))
    _layout(fig, title, "", height=260)
    fig.update_layout(yaxis={"title": None, "autorange": "reversed"}, xaxis={"rangemode": "tozero"},
                      hovermode="closest", showlegend=False)
    return fig


def compare_lines(frame: pd.DataFrame, *, x: str, y: str, series: str, title: str, y_title: str,
                  dashes: dict[str, str] | None = None) -> go.Figure:
    """A few labelled lines on a yearly axis (e.g. county against statewide); missing years stay gaps."""
    fig = go.Figure()
    for i, (name, part) in enumerate(frame.groupby(series, sort=False)):
        fig.add_trace(go.Scatter(x=part[x].astype(str), y=part[y].astype("Float64").astype(float), name=name,
                                 mode="lines+markers", connectgaps=False,
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 2,
                                       "dash": (dashes or {}).get(name, "solid")}))
    _layout(fig, title, y_title)
    fig.update_layout(xaxis={"type": "category"})
    return fig
