"""The briefs' pictures, drawn by matplotlib without a browser: a trend as inline SVG, and the preview image
(PNG) a shared link shows. Legible in black and white: the area and the whole county differ by line style and
marker, not by colour alone. Text stays text (svg.fonttype none) in the reader's own sans-serif font, so a
chart is a few kilobytes and names no font file or other host."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure

# Deterministic files (a release's folder keeps the same bytes for good) and text kept as text.
RC = {"svg.fonttype": "none", "svg.hashsalt": "leadsf-brief", "font.family": "sans-serif",
      "font.sans-serif": ["DejaVu Sans"], "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
      "axes.edgecolor": "#333333", "axes.labelcolor": "#222222", "xtick.color": "#333333",
      "ytick.color": "#333333", "axes.grid": True, "axes.grid.axis": "y", "grid.color": "#d0d0d0",
      "grid.linewidth": 0.6}
AREA_STYLE = {"color": "#b34700", "linestyle": "-", "marker": "o", "linewidth": 2.0, "markersize": 4}
WHOLE_STYLE = {"color": "#1f3f66", "linestyle": "--", "marker": "s", "linewidth": 1.6, "markersize": 3.5,
               "markerfacecolor": "white"}
WITHHELD_STYLE = {"color": "#555555", "marker": "x", "markersize": 6, "markeredgewidth": 1.6}
_SVG_FONT = re.compile(r"font-family: ?'?DejaVu Sans'?")
_NAMESPACES = re.compile(r'\s+xmlns(:xlink)?="[^"]*"')


@dataclass(frozen=True)
class Line:
    label: str
    periods: tuple[str, ...]          # 2025 or 2025-Q3
    values: tuple[float | None, ...]  # None: withheld, drawn as a gap
    whole: bool = False          # the whole county: dashed, square markers


def position(period: str) -> float:
    """A period on a time axis: 2025 -> 2025.0, 2025-Q3 -> 2025.5, so a gap in the series stays a gap."""
    return int(period[:4]) + ((int(period[-1]) - 1) / 4 if "-Q" in period else 0)


def _with_gaps(line: Line) -> tuple[list[float], list[float]]:
    """x and y with a break wherever periods are missing or withheld: a line never bridges what is not shown."""
    step = 0.25 if any("-Q" in p for p in line.periods) else 1.0
    xs: list[float] = []
    ys: list[float] = []
    for p, v in sorted(zip(line.periods, line.values), key=lambda pv: position(pv[0])):
        x = position(p)
        if xs and x - xs[-1] > step + 1e-9:
            xs.append(xs[-1] + step)
            ys.append(float("nan"))
        xs.append(x)
        ys.append(float("nan") if v is None else v)
    return xs, ys


def _plot(ax, lines: list[Line], withheld_label: str = "") -> None:
    for line in lines:
        ax.plot(*_with_gaps(line), label=line.label, **(WHOLE_STYLE if line.whole else AREA_STYLE))
    # A withheld period is marked at its place on the axis, as the site's charts do, so a gap says why.
    marks = sorted({position(p) for line in lines for p, v in zip(line.periods, line.values) if v is None})
    if withheld_label and marks:
        ax.plot(marks, [0] * len(marks), linestyle="none", label=withheld_label, clip_on=False, zorder=3,
                **WITHHELD_STYLE)
    first = int(min(position(p) for line in lines for p in line.periods))
    last = int(max(position(p) for line in lines for p in line.periods))
    step = max(1, (last - first + 1) // 8)
    ax.set_xticks(range(first, last + 1, step), [str(y) for y in range(first, last + 1, step)])
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))


def trend_svg(lines: tuple[Line, ...], y_title: str, withheld_label: str = "") -> str:
    """The trend as an <svg> element for inline use in the brief (no XML prolog, no namespaces: the HTML
    parser gives them); withheld periods marked with an x on the axis, named `withheld_label` in the legend."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.4, 2.3))
        ax = fig.add_subplot()
        _plot(ax, lines, withheld_label)
        ax.set_ylabel(y_title, fontsize=8)
        ax.legend(loc="upper left", bbox_to_anchor=(0, 1.22), ncols=3, frameon=False, fontsize=8)
        fig.subplots_adjust(left=0.1, right=0.99, top=0.84, bottom=0.12)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    svg = text[text.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = _NAMESPACES.sub("", svg, count=2)
    return _SVG_FONT.sub("font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", svg)


def preview_png(title: str, subtitle: str, figure: str, figure_label: str, lines: tuple[Line, ...]) -> bytes:
    """The picture a shared link shows (1200x630, Open Graph's size): the area, its headline figure and its
    trend as a sparkline. Flat fills keep it far under 150 KB."""
    with matplotlib.rc_context(RC | {"font.size": 20}):
        fig = Figure(figsize=(12, 6.3), dpi=100, facecolor="white")
        fig.text(0.04, 0.9, title, fontsize=34, fontweight="bold", color="#111111", va="top")
        fig.text(0.04, 0.79, subtitle, fontsize=20, color="#333333", va="top")
        fig.text(0.04, 0.62, figure, fontsize=64, fontweight="bold", color="#b34700", va="top")
        fig.text(0.04, 0.42, figure_label, fontsize=18, color="#333333", va="top", wrap=True)
        fig.text(0.04, 0.06, "LEAD Santa Fe", fontsize=18, color="#1f3f66", fontweight="bold")
        if lines:  # a sparkline: axes and a legend would double the cost of every preview
            ax = fig.add_axes((0.55, 0.16, 0.42, 0.6))
            ax.set_axis_off()
            for line in lines:
                style = (WHOLE_STYLE if line.whole else AREA_STYLE) | {"linewidth": 4, "markersize": 9}
                ax.plot(*_with_gaps(line), **style)
            ax.set_ylim(bottom=0)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
