"""Plotly figure builders: one theme, one colour-blind-safe palette (Okabe-Ito), withheld values drawn as
gaps with a marker row, never as zero. Builders take a DataFrame and column names and return a figure.

Speed: a figure is assembled as a plain dict (with the `plotly_white` template resolved once per process)
and made a figure by plotly's own constructor, which validates it (tests/site/test_charts.py re-validates
every builder); its dict for drawing is made once (FinalFigure).

Builders are plain functions; a page's view (ui.per_release) calls them once per release, language and
filters and gives the same figure object to every visitor: callers pass what they need (`height=`, `legend=`)
and never change a figure.
"""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from leadsf import config
from leadsf.i18n import t

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
WITHHELD_COLOUR = "#767676"  # 4.5:1 on white
HIGHLIGHT_COLOUR = "rgba(230, 159, 0, 0.16)"  # the palette's orange, faint: the lines stay readable over it
TEMPLATE = "plotly_white"


@lru_cache(maxsize=1)
def _template() -> dict:
    import plotly.io as pio

    return pio.templates[TEMPLATE].to_plotly_json()


def base_layout(title: str, y_title: str, height: int = 380) -> dict:
    # The title pushes the plot down as far as it needs (automargin), so a title that wraps never runs into
    # the plot or the axis title. Bold by weight, and the chart is drawn without Streamlit's theme, which
    # wraps the title in <b>...</b> again on every redraw (the doubled <b><b>).
    return {
        "title": {"text": _wrap(title), "x": 0, "xanchor": "left", "xref": "container", "y": 1,
                  "yanchor": "bottom", "yref": "paper", "automargin": True, "pad": {"b": 14},
                  "font": {"size": 16, "weight": 600}},
        "template": _template(), "height": height,
        "margin": {"l": 48, "r": 12, "t": 24, "b": 40},
        "font": {"family": "Source Sans Pro, Arial, sans-serif", "size": 13, "color": "#1a1a1a"},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        "yaxis": {"title": {"text": _wrap(y_title, 22)}, "rangemode": "tozero", "gridcolor": "#e5e5e5",
                  "automargin": True},
        "xaxis": {"gridcolor": "#f0f0f0", "automargin": True}, "hovermode": "x unified",
        "separators": _separators(),  # decimal and thousands marks of the visitor's language
    }


def _wrap(title: str, width: int = 34) -> str:
    """Plotly titles never wrap: break long ones into lines that fit a phone (390 px) instead of being cut off."""
    import textwrap

    return "<br>".join(textwrap.wrap(title, width)) if len(title) > width else title


def _separators() -> str:
    from leadsf.i18n import language
    return _separators_for(language())


@lru_cache(maxsize=None)
def _separators_for(lang: str) -> str:  # Babel parses the locale on every call: once per language is enough
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(lang) + get_group_symbol(lang)


@lru_cache(maxsize=8192)
def _period_label(period: str, lang: str) -> str:
    """l10n.period_label (Babel month names, ~1 ms each) once per period and language, not per tick per run."""
    from .l10n import period_label

    return period_label(period)


def _time_axis(periods: pd.Series) -> dict:
    """Plotly names months in English: tick labels from our own (Babel) period labels, numeric hover dates.
    The axis is a date axis, so years, quarters and months always run in time order. At most 6 level labels
    (a phone is 390 px wide): years at their middle; over a long run of quarters or months, the years at
    their first day; over a short one, the periods themselves."""
    from leadsf.i18n import language

    ps = sorted({str(p) for p in periods}, key=_to_date_cached)
    if not ps:
        return {}
    every = _span(ps[0], ps[-1])  # holes included, so the ticks are evenly spaced
    lang = language()
    if len(ps[0]) > 4 and len(every) > (8 if "-Q" in ps[0] else 24):
        years = list(range(int(ps[0][:4]) + (ps[0][5:] not in ("Q1", "01")), int(ps[-1][:4]) + 1))
        years = years[::max(1, -(-len(years) // 6))]
        vals, text = [pd.Timestamp(y, 1, 1) for y in years], [str(y) for y in years]
    else:
        ticks = every[::max(1, -(-len(every) // (6 if len(ps[0]) == 4 else 4)))]
        vals, text = [_to_date_cached(p) for p in ticks], [_period_label(p, lang) for p in ticks]
    return {"type": "date", "tickvals": vals, "ticktext": text, "tickangle": 0,
            "hoverformat": "%Y" if len(ps[-1]) == 4 else (t("maps.quarter_label", year="%Y", q="%q")
                                                          if "-Q" in ps[-1] else "%Y-%m")}


class FinalFigure(go.Figure):
    """A figure that is never changed once built (the builders' rule), so its dict is made once.
    st.plotly_chart reads a figure through to_dict() and encodes that with plotly.io.to_json at every run;
    plotly's to_dict deep-copies the figure and re-encodes every array each time (~6 ms for a three-line
    chart). The dict kept holds only JSON's own types (what plotly.io.to_json makes of the figure, read back),
    so encoding it at each run is one pass of orjson, plotly's JSON engine when installed (~0.05 ms a chart;
    ~0.5 ms with the json module)."""

    def to_dict(self) -> dict:
        made = self.__dict__.get("_leadsf_dict")
        if made is None:
            made = self.__dict__["_leadsf_dict"] = json.loads(pio.to_json(super().to_dict(), validate=False))
        return made


def build_figure(data: list[dict], layout: dict) -> FinalFigure:
    """A figure from its spec, checked by plotly's validators (once per figure: a page's views are made once per
    release and language, ui.per_release)."""
    return FinalFigure({"data": data, "layout": layout})


def _floats(values: pd.Series) -> np.ndarray:
    """Counts or rates as floats, withheld (NA) as NaN: a gap in the line, never 0."""
    return values.astype("Float64").astype(float).to_numpy()


def _to_date(p: str) -> pd.Timestamp:
    """Where a period is drawn on a time axis: the middle of it (a year in July, a quarter in its middle month,
    a month on the 15th), so a shaded window from its first to its last month holds its points."""
    if "-Q" in p:
        return pd.Timestamp(int(p[:4]), (int(p[-1]) - 1) * 3 + 2, 15)
    if len(p) == 4:
        return pd.Timestamp(int(p), 7, 2)
    return pd.Timestamp(p + "-15")


_to_date_cached = lru_cache(maxsize=4096)(_to_date)


def period_axis(period: pd.Series) -> pd.Series:
    """Years, quarters and months as dates, so a time axis spaces them correctly and in time order."""
    return period.astype(str).map(_to_date_cached)


def _month_start(month: str) -> pd.Timestamp:
    return pd.Timestamp(month + "-01")


def _after_month(month: str) -> pd.Timestamp:
    return _month_start(month) + pd.offsets.MonthBegin(1)


def _by_time(part: pd.DataFrame, x: str) -> pd.DataFrame:
    return part.iloc[np.argsort(period_axis(part[x]).to_numpy(dtype="datetime64[us]"), kind="stable")]


def _span(first: str, last: str) -> list[str]:
    """Every period of the grain of `first` from `first` to `last`."""
    if "-Q" in first:
        return [f"{s // 4}-Q{s % 4 + 1}" for s in range(_step(first) - 1, _step(last))]
    if len(first) == 4:
        return [str(y) for y in range(int(first), int(last) + 1)]
    return [f"{(s - 1) // 12}-{(s - 1) % 12 + 1:02d}" for s in range(_step(first), _step(last) + 1)]


def _step(p: str) -> int:
    """A period's position in its own grain (years, quarters or months since year 0)."""
    if "-Q" in p:
        return int(p[:4]) * 4 + int(p[-1])
    if len(p) == 4:
        return int(p)
    return int(p[:4]) * 12 + int(p[5:7])


def _broken(periods: list[str], xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a gap (NaN) wherever a period between two drawn ones is not published at all, so the line never
    bridges a hole in the published series."""
    if len(periods) < 2:
        return xs, ys
    steps = np.array([_step(p) for p in periods])
    holes = np.flatnonzero(np.diff(steps) > 1)
    if not len(holes):
        return xs, ys
    gap_x = xs[holes] + (xs[holes + 1] - xs[holes]) / 2
    return np.insert(xs, holes + 1, gap_x), np.insert(ys, holes + 1, np.nan)


def _unpublished(periods: list[str], years_drawn: set[str]) -> list[str]:
    """The periods between a series' first and last drawn ones that have no row at all, less those inside a
    year drawn as a year."""
    if len(periods) < 2:
        return []
    ordered = sorted(periods, key=_step)
    present = set(periods)
    return [p for p in _span(ordered[0], ordered[-1]) if p not in present and p[:4] not in years_drawn]


def _years_as_steps(years: pd.DataFrame, x: str, y: str, scale: float, colour: str, data: list[dict]
                    ) -> list[dict]:
    """Whole years in a quarterly chart: one dashed step per year from its first to its last day at the year's
    value x scale, a gap between years, and a marker where a year's value is withheld."""
    xs, ys, hover = [], [], []
    values = _floats(years[y])
    for period, value in zip(years[x].astype(str), values):
        start, end = pd.Timestamp(int(period), 1, 1), pd.Timestamp(int(period), 12, 31)
        text = t("backbone.year_hover", year=period, value=_number(value))
        xs += [start, end, end + pd.Timedelta(hours=12)]
        ys += [value * scale, value * scale, np.nan]
        hover += [text, text, ""]
    out = [{"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": t("backbone.year_legend"),
            "legendgroup": "years_as_years", "connectgaps": False,
            "showlegend": not any(d.get("legendgroup") == "years_as_years" for d in data),
            "line": {"color": colour, "width": 2, "dash": "dash"},
            "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>"}]
    withheld = np.isnan(values)
    if withheld.any():
        out.append({"type": "scatter", "x": [pd.Timestamp(int(p), 7, 2) for p in years.loc[withheld, x].astype(str)],
                    "y": [0] * int(withheld.sum()), "mode": "markers", "name": t("charts.withheld_marker"),
                    "legendgroup": "withheld", "legendrank": 1001,
                    "showlegend": not any(d.get("legendgroup") == "withheld" for d in data),
                    "hovertemplate": t("charts.withheld_hover"),
                    "marker": {"symbol": "x-thin-open", "size": 9, "color": WITHHELD_COLOUR}, "cliponaxis": False})
    return out


def _number(value: float) -> str:
    from .l10n import number

    return t("backbone.withheld") if np.isnan(value) else number(value)


def trend(frame: pd.DataFrame, *, x: str, y: str, series: str | None, title: str, y_title: str,
          labels: dict[str, str] | None = None, rolling: str | None = None, mark_lead_start: bool = True,
          height: int | None = None, legend: bool = True, highlight: tuple[str, str] | None = None,
          year_scale: float | None = None) -> go.Figure:
    """Lines over time, one per series, in time order; withheld values break the line and are marked along the
    axis. With `height`, a small multiple: that height and a tight bottom margin. With `highlight` (first and
    last month), that period is shaded and named in the legend (the selected period of a page's filter).
    A quarterly series may hold whole years (a mixed-grain trend, leadsf.site.ui.trends.trend_series): each is
    drawn as a dashed step across its year at value x `year_scale`, named in the legend as a year shown as a
    year, its hover giving the year's own figure. By default a count is drawn at its quarterly average (x 1/4)
    and a rate (y "rate": per year at every grain) as it is."""
    data: list[dict] = []
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    axis_periods = frame[x].astype(str)
    for i, (name, part) in enumerate(groups):
        colour = PALETTE[i % len(PALETTE)]
        label = (labels or {}).get(name, name) if name is not None else y_title
        part = _by_time(part, x)
        whole_years = part.iloc[0:0]
        is_year = part[x].astype(str).str.fullmatch(r"\d{4}").to_numpy(bool)
        if is_year.any() and part[x].astype(str).str.contains("-Q", regex=False).any():
            if year_scale is None:
                year_scale = 1.0 if y == "rate" else 0.25
            whole_years, part = part[is_year], part[~is_year]
            axis_periods = pd.Series([*axis_periods[~axis_periods.str.fullmatch(r"\d{4}")],
                                      *(f"{p}-Q{q}" for p in whole_years[x].astype(str) for q in (1, 4))])
        xs = period_axis(part[x]).to_numpy(dtype="datetime64[us]")
        line_x, line_y = _broken(part[x].astype(str).tolist(), xs, _floats(part[y]))
        data.append({"type": "scatter", "x": line_x, "y": line_y, "name": label, "mode": "lines+markers",
                     "line": {"color": colour, "width": 2}, "marker": {"size": 4}, "connectgaps": False})
        # marked only where a count is withheld (a period not published at all is a plain gap)
        withheld = (part["withheld"].fillna(False).astype(bool) if "withheld" in part
                    else part[y].isna()).to_numpy(bool)
        if withheld.any():
            data.append({"type": "scatter", "x": xs[withheld], "y": [0] * int(withheld.sum()), "mode": "markers",
                         "name": t("charts.withheld_marker"), "legendgroup": "withheld", "legendrank": 1001,
                         "showlegend": not any(d.get("legendgroup") == "withheld" for d in data),
                         "hovertemplate": t("charts.withheld_hover"),
                         "marker": {"symbol": "x-thin-open", "size": 9, "color": WITHHELD_COLOUR}, "cliponaxis": False})
        unpublished = _unpublished(part[x].astype(str).tolist(), set(whole_years[x].astype(str)))
        if unpublished:
            # A period inside the series' span with no row at all (its table not published at this grain, e.g.
            # a drug that gave way to "any drug"): marked where it lies, so the gap says why.
            data.append({"type": "scatter", "x": period_axis(pd.Series(unpublished)).to_numpy(dtype="datetime64[us]"),
                         "y": [0] * len(unpublished), "mode": "markers", "name": t("charts.not_published_marker"),
                         "legendgroup": "not_published", "legendrank": 1002,
                         "showlegend": not any(d.get("legendgroup") == "not_published" for d in data),
                         "hovertemplate": t("charts.not_published_hover", series=label),
                         "marker": {"symbol": "circle-open", "size": 7, "color": WITHHELD_COLOUR},
                         "cliponaxis": False})
        if len(whole_years):
            data += _years_as_steps(whole_years, x, y, year_scale, colour, data)
        if rolling and rolling in part:
            data.append({"type": "scatter", "x": xs, "y": _floats(part[rolling]),
                         "name": t("charts.rolling", label=label), "mode": "lines",
                         "line": {"color": colour, "width": 1.5, "dash": "dot"}})
    if not legend:
        # A small multiple names no line, but a withheld or unpublished mark is always explained in the legend.
        for tr in data:
            tr["showlegend"] = tr.get("legendgroup") in ("withheld", "not_published") and tr.get("showlegend", True)
        legend = any(tr["showlegend"] for tr in data)
    # On a phone the legend takes a row per entry: give it room, so the plot keeps its height.
    entries = sum(tr.get("showlegend", True) for tr in data) + bool(highlight) if legend else 0
    layout = base_layout(title, y_title, height=380 + 30 * max(0, entries - 3))
    if height:
        layout["height"], layout["margin"]["b"] = height + 30 * max(0, entries - 3), 40 if legend else 20
    if not legend:
        layout["showlegend"] = False
    layout["xaxis"].update(_time_axis(axis_periods))
    shapes, annotations = [], []
    if highlight:
        shapes.append({"type": "rect", "xref": "x", "yref": "y domain", "x0": _month_start(highlight[0]),
                       "x1": _after_month(highlight[1]), "y0": 0, "y1": 1, "layer": "below", "line": {"width": 0},
                       "fillcolor": HIGHLIGHT_COLOUR, "showlegend": True, "name": t("charts.selected_period")})
    # The "LEAD begins" line only when it falls inside the data (else it stretches the axis back to 2014).
    if mark_lead_start and len(frame) and (
            period_axis(frame[x]).min() <= pd.Timestamp(config.get("lead_start_month") + "-01")
            <= period_axis(frame[x]).max()):
        start = pd.Timestamp(config.get("lead_start_month") + "-01")
        shapes.append({"type": "line", "x0": start, "x1": start, "xref": "x", "y0": 0, "y1": 1,
                       "yref": "y domain", "line": {"color": "#555555", "width": 1, "dash": "dash"}})
        annotations.append({"x": start, "y": 1, "yref": "paper", "yanchor": "top", "text": t("charts.lead_start"),
                            "showarrow": False, "xanchor": "left", "bgcolor": "rgba(255,255,255,0.8)",
                            "font": {"size": 11, "color": "#333333"}})
    if shapes:
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    return build_figure(data, layout)


def bars(frame: pd.DataFrame, *, x: str, y: str, title: str, y_title: str, horizontal: bool = False,
         labels: dict[str, str] | None = None, unstable: str | None = None) -> go.Figure:
    """Bars for categories or areas; withheld bars are absent and labelled as withheld."""
    names = [(labels or {}).get(v, v) for v in frame[x]]
    values = _floats(frame[y])
    text = [t("ui.withheld") if pd.isna(v) else "" for v in frame[y]]
    if unstable and unstable in frame:
        text = [s or (t("charts.unstable_mark") if u is True else "") for s, u in zip(text, frame[unstable])]
    bar = {"type": "bar", "x": values if horizontal else names, "y": names if horizontal else values, "text": text,
           "textposition": "outside", "orientation": "h" if horizontal else "v", "marker": {"color": PALETTE[0]}}
    layout = base_layout(title, y_title, height=max(320, 28 * len(frame) + 120) if horizontal else 380)
    if horizontal:
        layout["xaxis"]["title"] = {"text": y_title}
        layout["yaxis"].update({"title": {}, "autorange": "reversed"})
    if any(text):
        _room_for_labels(layout["xaxis" if horizontal else "yaxis"], values)
    layout["hovermode"] = "closest"
    return build_figure([bar], layout)


def _room_for_labels(axis: dict, values: np.ndarray) -> None:
    """Labels drawn past the end of a bar are cut at the plot's edge: leave room for them (a phone's plot is
    ~300 px wide, a label ~40 px)."""
    finite = values[np.isfinite(values)]
    if len(finite) and finite.max() > 0:
        axis["range"] = [0, float(finite.max()) * 1.25]


def funnel(frame: pd.DataFrame, *, stage: str, value: str, title: str) -> go.Figure:
    """Steps of a funnel (e.g. referred -> intake -> engaged); withheld steps are labelled, not drawn as 0."""
    values = _floats(frame[value])
    from .l10n import number
    text = [t("ui.withheld") if pd.isna(v) else number(int(v)) for v in frame[value]]
    bar = {"type": "bar", "x": values, "y": list(frame[stage]), "orientation": "h", "text": text,
           "textposition": "outside", "marker": {"color": PALETTE[:len(frame)]}}
    layout = base_layout(title, "", height=260)
    layout["yaxis"].update({"title": {}, "autorange": "reversed"})
    layout["xaxis"]["rangemode"] = "tozero"
    _room_for_labels(layout["xaxis"], values)
    layout.update(hovermode="closest", showlegend=False)
    return build_figure([bar], layout)


def compare_lines(frame: pd.DataFrame, *, x: str, y: str, series: str, title: str, y_title: str,
                  dashes: dict[str, str] | None = None) -> go.Figure:
    """A few labelled lines on a time axis (e.g. county against statewide, by year), each in time order;
    missing years stay gaps."""
    data = []
    for i, (name, part) in enumerate(frame.groupby(series, sort=False)):
        part = _by_time(part, x)
        data.append({"type": "scatter", "x": period_axis(part[x]).to_numpy(dtype="datetime64[us]"),
                     "y": _floats(part[y]), "name": name, "mode": "lines+markers", "connectgaps": False,
                     "line": {"color": PALETTE[i % len(PALETTE)], "width": 2,
                              "dash": (dashes or {}).get(name, "solid")}})
    layout = base_layout(title, y_title)
    layout["xaxis"].update(_time_axis(frame[x]))
    return build_figure(data, layout)
