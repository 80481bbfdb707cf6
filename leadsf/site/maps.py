"""One map builder: choropleth features, colour scale, legend, tooltip text, labels and geometry thinning.

Pure functions (no Streamlit) so the tests can check every state a map area can be in:
  value      -- a published count (and rate): one of five sequential, colour-blind-safe classes (viridis);
  suppressed -- withheld (primary or complementary, indistinguishable): grey with a dark, heavy outline;
  no_data    -- this table-year is not published for the area: white with a light outline.
Unstable rates (count under 20) get a dagger in the label and a note in the tooltip. Text labels carry the
state too, so colour is never the only cue.
"""
from __future__ import annotations

import html
import json
import math
import os
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely

from leadsf.pipeline.areas import polygons

# viridis at 5 evenly spaced stops (light = high is easier on white; we go dark purple = low -> yellow = high)
VIRIDIS5 = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))
SUPPRESSED_FILL = (150, 150, 150)
SUPPRESSED_LINE = (40, 40, 40)
NO_DATA_FILL = (255, 255, 255)
NO_DATA_LINE = (170, 170, 170)
VALUE_LINE = (255, 255, 255)
HIGHLIGHT_LINE = (230, 60, 0)
FILL_ALPHA = 210
UNSTABLE_MARK = "†"
SUPPRESSED_MARK = "×"  # drawn after a suppressed area's label (the charts mark suppressed values with an x too)

VALUE, SUPPRESSED, NO_DATA = "value", "suppressed", "no_data"

# Streamlit's own Source Sans (served by the site with the app's CSS, already loaded for the page text),
# then the system's sans-serif; never a font from another host. deck.gl's default is Monaco/monospace.
LABEL_FONT = '"Source Sans", "Source Sans Pro", system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
# The halo: a white outline drawn from the signed-distance glyphs (outlineWidth is in atlas pixels, of
# `radius`); 64 px glyphs keep the edges smooth when drawn at LABEL_SIZE px.
LABEL_FONT_SETTINGS = {"sdf": True, "fontSize": 64, "buffer": 8, "radius": 16, "cutoff": 0.25}
LABEL_OUTLINE = 7
LABEL_SIZE = 13  # px

BASEMAPS = {"light": "light", "dark": "dark", "road": "road"}


# ---- geometry ------------------------------------------------------------------------------------------
def simplify_ring(ring, tolerance: float, digits: int = 5) -> list[list[float]]:
    """Thin a closed ring with Douglas-Peucker (shapely) and round coordinates; never fewer than 4 positions.
    The ring is thinned as a line, so its first position stays and no ring is dropped or merged with another
    (simplifying the polygon would repair it into something else)."""
    pts = np.asarray(ring, dtype=float)[:, :2]
    if len(pts) > 4 and tolerance > 0:
        kept = shapely.get_coordinates(shapely.simplify(shapely.linestrings(pts), tolerance, preserve_topology=False))
        if len(kept) < 4:  # keep the shape a polygon: fall back to evenly spaced original vertices
            kept = pts[np.linspace(0, len(pts) - 1, 4).astype(int)]
        pts = kept
    out = np.round(pts, digits).tolist()
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def simplify_geometry(geometry: dict, tolerance: float = 0.0008, digits: int = 5) -> dict:
    """A Polygon or MultiPolygon with every ring thinned (tolerance in degrees: 0.0008 is roughly 80 m)."""
    out = [[simplify_ring(r, tolerance, digits) for r in poly] for poly in polygons(geometry)]
    return {"type": "Polygon", "coordinates": out[0]} if geometry["type"] == "Polygon" else \
        {"type": "MultiPolygon", "coordinates": out}


def label_point(geometry: dict) -> list[float]:
    """Where to put an area's label: the centroid of its largest polygon's outer ring."""
    return label_place(geometry)[0]


def label_place(geometry: dict) -> tuple[list[float], float]:
    """An area's label point and the area (square degrees) of the polygon it sits in."""
    shells = [shapely.polygons(np.asarray(poly[0], dtype=float)[:, :2]) for poly in polygons(geometry)]
    sizes = shapely.area(shells)
    best = int(np.argmax(sizes))
    centre = shapely.centroid(shells[best])
    return [round(centre.x, 5), round(centre.y, 5)], float(sizes[best])


def _pixels(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web Mercator position in screen pixels at this zoom (512 px world at zoom 0, as deck.gl)."""
    scale = 512 * 2 ** zoom
    lat = max(min(lat, 85.0), -85.0)
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2
    return (lon + 180) / 360 * scale, y * scale


def readable_labels(places: list[tuple[list[float], float]], texts: list[str], zoom: float,
                    size: int = LABEL_SIZE) -> list[int]:
    """Which labels to draw: the larger areas first, each only if its text box (at the opening zoom, with a
    small margin) overlaps no label already placed. In the dense city centre this drops the small tracts'
    labels, which would otherwise pile up into an unreadable blot; every area keeps its tooltip and its row in
    the table. Done here rather than with deck.gl's CollisionFilterExtension, which draws no label at all on
    some devices (seen in headless Chromium at 2x pixel ratio)."""
    boxes: list[tuple[float, float, float, float]] = []
    keep = []
    for i in sorted(range(len(places)), key=lambda i: -places[i][1]):
        x, y = _pixels(*places[i][0], zoom)
        half_w, half_h = (0.62 * size * len(texts[i]) + 6) / 2, (1.3 * size + 4) / 2
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in boxes):
            boxes.append(box)
            keep.append(i)
    return sorted(keep)


def bounds(geometries) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for g in geometries:
        for poly in polygons(g):
            arr = np.asarray(poly[0], dtype=float)
            xs += [arr[:, 0].min(), arr[:, 0].max()]
            ys += [arr[:, 1].min(), arr[:, 1].max()]
    return min(xs), min(ys), max(xs), max(ys)


def view_for(geometries, width_px: int = 700, height_px: int = 500) -> dict:
    """Latitude, longitude and zoom that fit these geometries (Web Mercator approximation)."""
    x0, y0, x1, y1 = bounds(geometries)
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    span_x = max(x1 - x0, 1e-4)
    span_y = max((y1 - y0) / math.cos(math.radians(lat)), 1e-4)
    zoom = min(math.log2(360 * width_px / 512 / span_x), math.log2(360 * height_px / 512 / span_y)) - 0.1
    return {"latitude": round(float(lat), 5), "longitude": round(float(lon), 5),
            "zoom": round(float(max(min(zoom, 14), 3)), 2)}


# ---- colour scale and legend --------------------------------------------------------------------------
def shown_value(value: float, decimals: int = 0) -> float:
    """A value as the legend and tooltip print it (fmt rounds the same way). Classes are made of these, so an
    area whose rate prints as 15.0 is never in a class whose range ends at 14.9."""
    return round(float(value), decimals)


def quantile_breaks(values, classes: int = 5, decimals: int = 0) -> list[float]:
    """Upper bounds of up to `classes` quantile classes over the published values as printed (`decimals`).

    Each bound is a printed value (a quantile rounded down to the step 10**-decimals), so the classes are
    closed ranges of printed values that never overlap: 0-10 | 11-14 | 15-19 for counts, 2.5-7.9 | 8.0-12.3
    for rates. Bounds that coincide are dropped (fewer classes); the last bound is the largest value."""
    vals = np.asarray([shown_value(v, decimals) for v in values if v is not None and v == v], dtype=float)
    if len(vals) == 0:
        return []
    scale = 10 ** decimals
    out: list[float] = []
    for q in np.quantile(vals, np.linspace(0, 1, classes + 1)[1:]):
        bound = round(math.floor(float(q) * scale + 1e-9) / scale, decimals)
        if not out or bound > out[-1]:
            out.append(bound)
    return out


def class_of(value: float, breaks: list[float], decimals: int = 0) -> int:
    shown = shown_value(value, decimals)
    for i, b in enumerate(breaks):
        if shown <= b:
            return i
    return len(breaks) - 1


def palette(n: int) -> list[tuple[int, int, int]]:
    """n colours spread over the five viridis stops (n <= 5)."""
    if n <= 0:
        return []
    idx = [0] if n == 1 else [round(i * 4 / (n - 1)) for i in range(n)]
    return [VIRIDIS5[i] for i in idx]


def state_of(count, withheld, published: bool) -> str:
    if not published:
        return NO_DATA
    if withheld or count is None or count != count:
        return SUPPRESSED
    return VALUE


def fill_colour(state: str, value=None, breaks: list[float] | None = None, decimals: int = 0) -> list[int]:
    if state == SUPPRESSED:
        return [*SUPPRESSED_FILL, FILL_ALPHA]
    if state == NO_DATA:
        return [*NO_DATA_FILL, FILL_ALPHA]
    colours = palette(len(breaks or []))
    if not colours or value is None:
        return [*VIRIDIS5[0], FILL_ALPHA]
    return [*colours[class_of(value, breaks, decimals)], FILL_ALPHA]


def line_style(state: str) -> tuple[list[int], int]:
    """Outline colour and width in pixels: heavy dark for suppressed (our stand-in for hatching)."""
    if state == SUPPRESSED:
        return [*SUPPRESSED_LINE, 255], 3
    if state == NO_DATA:
        return [*NO_DATA_LINE, 255], 1
    return [*VALUE_LINE, 255], 1


def fmt(value, decimals: int = 0) -> str:
    """A number in the visitor's language (3,962.5 / 3.962,5), for legends and tooltips."""
    if value is None or value != value:
        return ""
    from babel.numbers import format_decimal

    from leadsf.i18n import language
    return format_decimal(shown_value(value, decimals), format="#,##0" + ("." + "0" * decimals if decimals else ""),
                          locale=language())


def legend_items(breaks: list[float], text: dict, decimals: int = 0, lowest: float = 0) -> list[dict]:
    """Swatches with text for the value classes and for the special states.

    breaks: quantile_breaks(..., decimals) of the same values; lowest: the smallest value shown. A class runs
    from one step above the previous bound to its own bound, both included ("11–14", "15–19"); a class of a
    single value is that value.
    text: labels for 'range' (format fields lo, hi), 'suppressed', 'no_data', 'unstable'.
    """
    items = []
    step = 10 ** -decimals
    lo = min(shown_value(lowest, decimals), breaks[0]) if breaks else 0
    for colour, hi in zip(palette(len(breaks)), breaks):
        label = fmt(hi, decimals) if lo >= hi else text["range"].format(lo=fmt(lo, decimals), hi=fmt(hi, decimals))
        items.append({"state": VALUE, "fill": list(colour), "line": list(VALUE_LINE), "label": label})
        lo = round(hi + step, decimals)
    items.append({"state": SUPPRESSED, "fill": list(SUPPRESSED_FILL), "line": list(SUPPRESSED_LINE),
                  "label": f"{SUPPRESSED_MARK} {text['suppressed']}"})
    items.append({"state": NO_DATA, "fill": list(NO_DATA_FILL), "line": list(NO_DATA_LINE),
                  "label": text["no_data"]})
    items.append({"state": "unstable", "fill": None, "line": None, "label": UNSTABLE_MARK + " " + text["unstable"]})
    return items


def legend_html(items: list[dict], title: str) -> str:
    """Legend as small HTML: a swatch and a text label per item (the text carries the meaning)."""
    rows = []
    for it in items:
        if it["fill"] is None:
            swatch = f'<span style="display:inline-block;width:22px;text-align:center;font-weight:bold">' \
                     f'{UNSTABLE_MARK}</span>'
            label = html.escape(it["label"][len(UNSTABLE_MARK) + 1:])
        else:
            width = 3 if it["state"] == SUPPRESSED else 1
            swatch = ('<span style="display:inline-block;width:18px;height:14px;margin-right:4px;'
                      f'background:rgb({",".join(map(str, it["fill"]))});'
                      f'border:{width}px {"dashed" if it["state"] == NO_DATA else "solid"} '
                      f'rgb({",".join(map(str, it["line"] if it["state"] != VALUE else (120, 120, 120)))})"></span>')
            label = html.escape(it["label"])
        rows.append(f'<div role="listitem" style="margin:2px 0">{swatch} {label}</div>')
    return (f'<div><b>{html.escape(title)}</b><div role="list" aria-label="{html.escape(title)}">{"".join(rows)}</div>'
            '</div>')


# ---- features, tooltip and the deck --------------------------------------------------------------------
@dataclass(frozen=True)
class AreaValue:
    area_id: str
    name: str
    label: str
    population: int | None
    geometry: dict
    published: bool
    count: float | None = None
    withheld: bool = False
    rate: float | None = None
    rate_unstable: bool = False


def tooltip_text(v: AreaValue, period: str, text: dict, use_rate: bool) -> str:
    """Tooltip HTML: name, count (or suppressed), rate, population, period; all values escaped.

    text: 'count', 'rate', 'population', 'period', 'suppressed', 'no_data', 'unstable' labels.
    """
    state = state_of(v.count, v.withheld, v.published)
    lines = [f"<b>{html.escape(v.name)}</b>"]
    if state == NO_DATA:
        lines.append(html.escape(text["no_data"]))
    elif state == SUPPRESSED:
        lines.append(f"{html.escape(text['count'])}: {html.escape(text['suppressed'])}")
    else:
        lines.append(f"{html.escape(text['count'])}: {fmt(v.count)}")
        if v.rate is not None and v.rate == v.rate:
            mark = f" {UNSTABLE_MARK} {html.escape(text['unstable'])}" if v.rate_unstable else ""
            lines.append(f"{html.escape(text['rate'])}: {fmt(v.rate, 1)}{mark}")
    if v.population:
        lines.append(f"{html.escape(text['population'])}: {fmt(v.population)}")
    lines.append(f"{html.escape(text['period'])}: {html.escape(period)}")
    return "<br/>".join(lines)


def feature_collection(values: list[AreaValue], *, use_rate: bool, period: str, text: dict,
                       tolerance: float = 0.0008, highlight: str | None = None) -> tuple[dict, list[float]]:
    """GeoJSON for the GeoJsonLayer with colours, outline and tooltip in each feature's properties."""
    shown = [(v.rate if use_rate else v.count) for v in values
             if state_of(v.count, v.withheld, v.published) == VALUE]
    decimals = 1 if use_rate else 0  # as the legend and tooltip print them
    breaks = quantile_breaks(shown, decimals=decimals)
    feats = []
    for v in values:
        state = state_of(v.count, v.withheld, v.published)
        value = v.rate if use_rate else v.count
        line, width = line_style(state)
        if highlight is not None and v.area_id == highlight:
            line, width = [*HIGHLIGHT_LINE, 255], 4
        unstable = state == VALUE and use_rate and bool(v.rate_unstable)
        feats.append({
            "type": "Feature",
            "geometry": simplify_geometry(v.geometry, tolerance),
            "properties": {
                "area_id": v.area_id, "name": v.name, "state": state,
                "label": v.label + (UNSTABLE_MARK if unstable else "") + (f" {SUPPRESSED_MARK}" if state == SUPPRESSED else ""),
                "fill": fill_colour(state, value, breaks, decimals), "line": line, "line_width": width,
                "tooltip": tooltip_text(v, period, text, use_rate),
            },
        })
    return {"type": "FeatureCollection", "features": feats}, breaks


def basemap(setting: str | None = None) -> dict:
    """pydeck basemap arguments from LEADSF_BASEMAP: 'none' (default, no tiles, works offline), 'light',
    'dark', 'road' (Carto, no token), or a style URL (Carto provider).

    'none' leaves map_style at pydeck's default: with no provider, pydeck sends its "__MAP_STYLE__" marker,
    which st.pydeck_chart's frontend takes as "no base map". An absent or null mapStyle instead makes that
    frontend fetch Carto's Positron style, telling a third party about every visitor."""
    setting = (setting if setting is not None else os.environ.get("LEADSF_BASEMAP", "none")).strip()
    if setting in ("", "none"):
        return {"map_provider": None}
    return {"map_provider": "carto", "map_style": BASEMAPS.get(setting, setting)}


def build_deck(fc: dict, *, view: dict, labels: bool = True, basemap_setting: str | None = None,
               height: int = 500):
    """A pydeck Deck: one pickable GeoJsonLayer (id 'areas') and a TextLayer of labels at centroids."""
    import pydeck as pdk

    layers = [pdk.Layer("GeoJsonLayer", fc, id="areas", pickable=True, stroked=True, filled=True,
                        get_fill_color="properties.fill", get_line_color="properties.line",
                        get_line_width="properties.line_width", line_width_units="'pixels'",
                        line_width_min_pixels=1, auto_highlight=True)]
    if labels:
        places = [label_place(f["geometry"]) for f in fc["features"]]
        texts = [f["properties"]["label"] for f in fc["features"]]
        points = [{"position": places[i][0], "label": texts[i]} for i in readable_labels(places, texts, view["zoom"])]
        layers.append(pdk.Layer("TextLayer", points, id="labels", get_position="position", get_text="label",
                                get_size=LABEL_SIZE, size_units="'pixels'", get_color=[17, 17, 17, 255],
                                font_family=f"'{LABEL_FONT}'", font_weight=600, font_settings=LABEL_FONT_SETTINGS,
                                outline_width=LABEL_OUTLINE, outline_color=[255, 255, 255, 235],
                                character_set="'auto'", get_text_anchor="'middle'",
                                get_alignment_baseline="'center'", pickable=False))
    return _compact_deck_class()(layers=layers, initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
                    tooltip={"html": "{tooltip}", "style": {"backgroundColor": "white", "color": "#111",
                                                             "fontSize": "13px"}},
                    height=height, **basemap(basemap_setting))


@cache
def _compact_deck_class():
    import pydeck as pdk

    class CompactDeck(pdk.Deck):
        """pydeck's JSON (Deck.to_json) is indented, which triples the bytes sent for polygons and makes json
        use its pure-Python encoder (~30 ms for a map); st.pydeck_chart asks for it at every run. Sent compact
        instead, made once per deck (a page's view keeps its deck for every visitor). String props in single
        quotes (line_width_units="'pixels'") are literals in pydeck's API, not accessor expressions."""

        def to_json(self):
            if self.__dict__.get("leadsf_json") is None:
                self.__dict__["leadsf_json"] = json.dumps(json.loads(super().to_json()), separators=(",", ":"))
            return self.__dict__["leadsf_json"]

    return CompactDeck


def payload_size(deck_or_fc) -> int:
    """Bytes of JSON the browser receives for this deck (or feature collection)."""
    if hasattr(deck_or_fc, "to_json"):
        return len(deck_or_fc.to_json().encode("utf-8"))
    return len(json.dumps(deck_or_fc, separators=(",", ":")).encode("utf-8"))
