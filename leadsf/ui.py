"""Shared Streamlit widgets, written once: the live release, cached queries, filters that live in the URL,
the chart-with-table-and-download block, and the "data as of" and sample-data notes.

Caches are an optimisation only (any browser can clear them), so nothing here keeps state in them.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, wraps

import numpy as np
import pandas as pd
import streamlit as st

from . import config, downloads, i18n, memo
from .db import PublicRelease, open_release
from .i18n import t
from .store import Store, Upload

WITHHELD_MARK = "—"


@st.cache_resource(max_entries=4, show_spinner=False)
def _open(root: str, version: int) -> PublicRelease:
    return open_release(Store(root), version)


def ensure_published(store: Store) -> None:
    """On first start with an empty store, publish the bundled sample so a newcomer sees a working site."""
    if store.current() is not None:
        return
    paths = sorted(config.SAMPLE_DIR.glob("*.csv"))
    if paths:
        store.publish([Upload(p.name, p.read_bytes()) for p in paths], who="first start",
                      note="Synthetic sample data published on first start", synthetic=True, if_empty=True)


_tuned = False


def _tune_process() -> None:
    """Once per process, at the first script run (after its imports):

    - Streamlit runs a full `gc.collect(2)` after every script run (runner.postScriptGC). With pandas, pyarrow,
      plotly, pydeck, scipy and DuckDB loaded that walks ~190,000 objects: ~80 ms of CPU per run, more than
      most pages cost. Moving everything alive into the permanent generation (gc.freeze) makes later
      collections walk only what runs create. Nothing is lost: garbage is collected first, and objects made
      later are collected as before.
    - Streamlit's server (Starlette) sends a static file in 64 KiB pieces, each read in a worker thread. A new
      visitor's browser fetches the 4.7 MB Plotly and 3 MB deck.gl bundles while the page's first run is still
      going, on the same event loop that delivers the run's messages: ~19 ms and ~11 ms of server CPU.
      1 MiB pieces cost ~4.5 ms and ~3.5 ms (server CPU over repeated GETs of each file; the files are
      immutable and content-hashed, so nothing else changes).
    """
    global _tuned
    if not _tuned:
        _tuned = True
        gc.collect()
        gc.freeze()
        from starlette.responses import FileResponse

        FileResponse.chunk_size = max(FileResponse.chunk_size, 1 << 20)


def release() -> PublicRelease | None:
    """The live release, read from the store's `current` pointer on every call, so a publish or rollback
    shows at every visitor's next run (one small file read; the release itself is cached)."""
    _tune_process()
    store = Store()
    version = store.current()
    if version is None:
        ensure_published(store)
        version = store.current()
    return None if version is None else _open(str(store.root), version)


# Query results per (store, release version, query, parameters). A plain in-process cache, not st.cache_data:
# a hit costs a dict lookup and a shallow copy (~50 us) instead of hashing the key and unpickling a copy
# (~2 ms, 6-10 queries a page, every rerun). Callers get a shallow copy, which pandas 3's copy-on-write keeps
# from ever changing the cached frame. A cold run (empty cache) just runs the query.
_results = memo.Memo(2000)


def _query(root: str, version: int, name: str, params: tuple) -> pd.DataFrame:
    return _results.get((root, version, name, params),
                        lambda: _open(root, version).run(name, **dict(params))).copy(deep=False)


# Derived views (tables, figures, alt text, CSV bytes) that every visitor of a page would otherwise rebuild.
_derived = memo.Memo(1000)


def per_release(fn):
    """Cache a pure function of the live release by (store, release version, language, arguments): a
    visitor's first run of a page then costs what a rerun does. Arguments must be hashable; results are shared
    by all sessions, so they are never changed after they are returned."""
    @wraps(fn)
    def cached(*args):
        rel = release()
        key = (str(Store().root), rel and rel.version, i18n.language(), fn.__module__, fn.__qualname__, args)
        return _derived.get(key, lambda: fn(*args))
    return cached


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query over the live release; results are cached by release version and parameters."""
    rel = release()
    if rel is None:
        return pd.DataFrame()
    return _query(str(Store().root), rel.version, name, tuple(sorted(params.items())))


# ---- language and page frame ---------------------------------------------------------------------------
def choose_language() -> str:
    """?lang= in the URL wins; otherwise the browser's language on first visit; English by default."""
    lang = st.query_params.get("lang")
    if lang in i18n.LANGUAGES:
        st.session_state["_lang_choice"] = lang
    elif st.session_state.get("_lang_choice") in i18n.LANGUAGES:
        # Moving to another page drops the query string: keep the visitor's choice, and put it back in the URL.
        lang = st.query_params["lang"] = st.session_state["_lang_choice"]
    else:
        locale = (st.context.locale or "") if hasattr(st.context, "locale") else ""
        lang = "es" if str(locale).lower().startswith("es") else i18n.DEFAULT
    return i18n.set_language(lang)


def language_switch() -> None:
    current = i18n.language()
    names = list(i18n.LANGUAGES)
    choice = st.sidebar.radio(t("ui.language"), names, index=names.index(current),
                              format_func=lambda code: i18n.LANGUAGES[code], horizontal=True, key="lang_switch")
    if choice != current:
        st.query_params["lang"] = choice
        i18n.set_language(choice)
        st.rerun()


@lru_cache(maxsize=None)
def _locale(lang: str):
    """Babel re-parses a locale name on every call (~0.2 ms); parse each language once."""
    from babel import Locale

    return Locale.parse(lang)


@lru_cache(maxsize=4096)
def _month_label(month: str, lang: str) -> str:
    from babel.dates import format_date

    return format_date(date(int(month[:4]), int(month[5:7]), 1), "MMMM y", locale=_locale(lang))


def month_label(month: str) -> str:
    return _month_label(month, i18n.language())


def number(value) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(i18n.language()))


def release_note(rel: PublicRelease) -> str:
    m = rel.manifest
    return t("ui.data_as_of", through=month_label(m["data_through"]), version=m["version"],
             published=m["created_at"][:10])


def sidebar(rel: PublicRelease | None) -> None:
    language_switch()
    # WCAG 3.1.1: screen readers pick the voice from <html lang>, which Streamlit always sets to "en";
    # WCAG 2.4.7: a clear focus ring on every control reached by Tab (Streamlit's own is faint on links).
    st.sidebar.html(f"<script>document.documentElement.lang = {i18n.language()!r};</script>"
                    "<style>a:focus-visible, button:focus-visible, input:focus-visible, [role=radio]:focus-visible,"
                    " [tabindex]:focus-visible, label:has(input:focus-visible)"
                    " { outline: 2px solid #0b5394 !important; outline-offset: 2px; }</style>",
                    unsafe_allow_javascript=True)
    if rel is None:
        return
    st.sidebar.caption(release_note(rel))
    if rel.manifest.get("synthetic"):
        st.sidebar.warning(t("ui.sample_notice"))


def sample_banner(rel: PublicRelease) -> None:
    if rel.manifest.get("synthetic"):
        st.info(t("ui.sample_banner"), icon=":material/science:")


def run_router() -> None:
    """Until some session calls st.navigation, Streamlit's legacy pages/ mode runs a deep-linked page file
    directly; such a file hands over to the router, which also switches that mode off for everyone."""
    import runpy

    runpy.run_path(str(config.ROOT / "dashboard.py"), run_name="__main__")


def page_start(namespace: str) -> PublicRelease | None:
    """Title, introduction and the sample-data banner; None (after saying so) when nothing is published."""
    st.title(t(f"{namespace}.title"))
    st.markdown(t(f"{namespace}.intro"))
    rel = release()
    if rel is None:
        empty_state("ui.no_release")
        return None
    sample_banner(rel)
    return rel


def data_note(rel: PublicRelease, source_key: str) -> None:
    """Source and "data as of" under every chart."""
    st.caption(t("ui.source", source=t(source_key)) + " · " + release_note(rel))


def empty_state(message_key: str = "ui.empty", **values) -> None:
    st.info(t(message_key, **values), icon=":material/info:")


# ---- chart + table + download -------------------------------------------------------------------------
def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Withheld counts read as text, never as 0 or a blank."""
    out = frame.copy()
    for col in out.columns:
        if col in ("count", "rate", "value") or col.endswith(("_count", "_pct")):
            withheld = out[col].isna()
            out[col] = out[col].astype(object).where(~withheld, t("ui.withheld"))
    return out


_chart_csv = memo.by_content(downloads.to_csv)


def chart_block(fig, frame: pd.DataFrame, *, key: str, filename: str, alt: str, source_key: str,
                rel: PublicRelease) -> None:
    """A chart with its alt text, a "show as table" view, a CSV of exactly the numbers drawn, and its source."""
    show_table = st.toggle(t("ui.show_table"), key=f"{key}_as_table")
    if show_table:
        from .l10n import table_view  # headers and category codes in the visitor's language

        shown, columns = table_view(display_table(frame))
        st.dataframe(shown, hide_index=True, width="stretch", column_config=columns)
    else:
        # No Plotly mode bar: on phones it covers the chart title, and its buttons cannot be reached by Tab;
        # the table view and the CSV download carry the same numbers.
        st.plotly_chart(fig, key=f"{key}_chart", alt=alt,
                        config={"displaylogo": False, "responsive": True, "displayModeBar": False})
    # Bytes, not a callable: Streamlit 1.67 accepts `data=callable` (built on click), but then the button is not
    # in the page when the run finishes (tests/e2e/test_site.py::test_home_csv_download... fails). The CSV is
    # made once per content (~1.5 ms) and shared.
    st.download_button(t("ui.download_csv"), _chart_csv(frame), file_name=f"{filename}.csv", mime="text/csv", key=f"{key}_download", icon=":material/download:")
    data_note(rel, source_key)


# ---- filters that live in the URL (public pages) -------------------------------------------------------
# Each filter has a widget key (filter_*) and a URL parameter; the URL is read when the widget is first drawn
# (or when its value is not valid on this page) and written back whenever the value changes.
PERIOD_PRESETS = ("12m", "3y", "lead", "years")


def url_widget(widget, label: str, options: list[str], *, key: str, param: str, default: str,
               format_func=str, **kwargs) -> str:
    """A select-style widget whose value is kept in st.query_params[param]; options are strings."""
    options = [str(o) for o in options]
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
        from .highlights import shift_month
        return shift_month(self.start, -12)

    @property
    def prev_end(self) -> str:
        from .highlights import shift_month
        return shift_month(self.end, -12)

    @property
    def months(self) -> int:
        from .highlights import months_between
        return len(months_between(self.start, self.end))


def _window_label(start: str, end: str) -> str:
    return t("filters.window", start=month_label(start), end=month_label(end))


def period_filter(rel: PublicRelease, container=None) -> Window:
    """Period preset (last 12 months, last 3 years, since LEAD began, custom years), kept in the URL."""
    from .highlights import shift_month

    box = container or st
    through = rel.manifest["data_through"]
    firsts = [f.get("first_month") for f in rel.manifest.get("files", {}).values() if f.get("first_month")]
    first_year = int(min(firsts or [config.get("first_month")])[:4])
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


def area_names(kind: str) -> dict[str, str]:
    areas = query("areas_for_kind", kind=kind)
    from .l10n import area_name  # stored names are English (Tract 1.01, Rest of ...): shown translated

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
    return Filters(rel, window, area, picked, names)


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


# ---- headline figures and series helpers ---------------------------------------------------------------
def window_rows(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Rows whose period lies wholly inside the window."""
    from .highlights import period_months

    if frame.empty:
        return frame
    inside = [first >= window.start and last <= window.end
              for first, last in map(period_months, frame["period"].tolist())]
    return frame[np.array(inside, dtype=bool)]


def headline(label: str, series: pd.DataFrame, window: Window, *, population: int | None = None,
             rate_per: int | None = None, key: str = "", help_text: str | None = None) -> dict:
    """One st.metric: the window's published total, its change against the same window a year earlier
    (only when both are published), and an annualised rate when a population is given."""
    from .highlights import change, window_total

    recent = window_total(series, window.start, window.end)
    previous = window_total(series, window.prev_start, window.prev_end)
    delta = change(recent, previous)
    with st.container(border=True, key=f"headline_{key}"):
        st.metric(label, number(recent) if recent is not None else t("ui.withheld"),
                  delta=(f"{delta:+.0%} " + t("filters.vs_year_earlier")) if delta is not None else None,
                  delta_color="off", help=help_text)
        parts = [t("filters.year_earlier", value=number(previous) if previous is not None else t("ui.withheld"))]
        if rate_per and population and recent is not None:
            rate = round(recent / population * rate_per * 12 / window.months, 1)
            mark = " †" if recent < config.get("unstable_below") else ""
            parts.append(t(f"filters.rate_per_{rate_per}", rate=number(rate)) + mark)
        st.caption(" · ".join(parts))
    return {"recent": recent, "previous": previous, "change": delta}


@memo.by_content
def trend_series(frame: pd.DataFrame, window: Window, value: str = "count"
                 ) -> tuple[pd.DataFrame, str | None, list[str]]:
    """The rows to draw over time: the finest period type that covers the window (month, else quarter, else
    year), a 12-month average where 12 consecutive months are published, and the periods not published."""
    from .highlights import expected_periods, pick_grain

    rows = window_rows(frame, window)
    grain = pick_grain(rows, window.start, window.end) if len(rows) else None
    if grain is None:
        return rows.iloc[0:0], None, []
    out = rows[rows["period_type"] == grain].copy().sort_values("period")
    missing = sorted(set(expected_periods(grain, window.start, window.end)) - set(out["period"]))
    return out, grain, missing


def add_rolling(series: pd.DataFrame, value: str = "count") -> tuple[pd.DataFrame, str | None]:
    """For a monthly series of one line, the 12-month average where 12 consecutive months are published."""
    from .highlights import rolling_12

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
    from . import charts, l10n

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
        from .l10n import period_label

        shown = ", ".join(map(period_label, missing[:8])) + ("…" if len(missing) > 8 else "")
        st.caption(t("filters.not_published", periods=shown))


def what_this_shows(namespace: str) -> None:
    with st.expander(t("filters.what_title")):
        st.markdown("**" + t("filters.what_shows") + "**  \n" + t(f"{namespace}.shows"))
        st.markdown("**" + t("filters.what_doesnt") + "**  \n" + t(f"{namespace}.doesnt"))


def ranked_area_rates(table: pd.DataFrame, *, title: str, y_title: str, alt_key: str, key: str, filename: str,
                      source_key: str, rel: PublicRelease, empty_key: str) -> None:
    """Areas ranked by rate (highlights.area_rates) as bars with the table, download and unstable footnote."""
    from . import charts, l10n

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


@st.cache_data(show_spinner=False)
def nm_reference() -> pd.DataFrame:
    """New Mexico statewide overdose deaths and rates (data/reference/nm_overdose_deaths.csv), with sources."""
    path = config.ROOT / "data" / "reference" / "nm_overdose_deaths.csv"
    if not path.exists():
        return pd.DataFrame(columns=["year", "deaths", "rate_per_100k", "rate_basis", "source"])
    return pd.read_csv(path, dtype={"year": str})


@st.cache_data(max_entries=8, show_spinner=False)
def _highlights(root: str, version: int, limit: int) -> list:
    """The highlights of one release (a few hundred Poisson tests): the same for every visitor, so computed
    once per release version; a cold run after a cache clear just recomputes them."""
    from .highlights import highlights

    return highlights(_query(root, version, "highlights_input", ()), limit=limit)


def render_highlights(limit: int = 5) -> list:
    """Home: 3-5 plain statements about significant changes (exact Poisson test, p < 0.05)."""
    rel = release()
    if rel is None:
        return []
    items = _highlights(str(Store().root), rel.version, limit)
    st.subheader(t("filters.highlights_title"))
    if not items:
        st.caption(t("filters.highlights_none"))
        return items
    for item in items:
        area = t("filters.whole_area") if item.area == "city" else area_names("property_crime").get(item.area,
                                                                                                     item.area)
        direction = t("filters.rose") if item.change > 0 else t("filters.fell")
        measure_key = item.measure.replace(".", "_")
        st.markdown("- " + t("filters.highlight_line", measure=t(f"filters.m_{measure_key}"),
                                area=area, direction=direction, change=f"{abs(item.change):.0%}",
                                period=item.period, previous_period=item.previous_period,
                                recent=number(item.recent), previous=number(item.previous)))
    st.caption(t("filters.highlights_method"))
    return items
