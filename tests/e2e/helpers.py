"""Small Playwright helpers for the Streamlit 1.67 frontend."""
from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

APP = '[data-testid="stApp"]'


# The app connected and its script not running, as its root element says (Streamlit's public test attributes);
# every wait below starts from this.
_IDLE = """(app => !!app && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning')(document.querySelector('[data-testid="stApp"]'))"""
# Nothing on the page left from a run before, nothing still loading, no "Running..." indicator.
_SETTLED = """!document.querySelector(
    '[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stStatusWidget"]')"""


STEADY_MS = 250
# How often a wait looks at the page. Playwright's default looks at every animation frame, which keeps the
# renderer drawing frames for the whole wait: ~12% more browser CPU per page load, measured on the crawl's pages.
# Every 50 ms still looks five times within STEADY_MS.
POLL_MS = 50


def wait_for_run(page, shown: str | None = None, timeout: float = 60_000) -> None:
    """Wait until the app is idle and connected, with nothing stale, loading or running on the page, and (given
    `shown`, a JavaScript function of no arguments) until what an action's run puts on the page is there:
    after a click, a typed value or a file, pass what that run shows (a URL parameter, a heading in the other
    language, a table), since right after the action the page is still idle with the old content. Waiting on
    what a visitor sees, all at one moment, does not depend on seeing the run's start or end, which a
    loaded machine's browser may draw in one frame."""
    condition = f"() => {_IDLE} && {_SETTLED} && !!({shown or '() => true'})()"
    # The condition must hold for STEADY_MS on end: an address or a language the run sets as it starts can
    # be drawn a frame before the app is marked as running, and a single look would take that for the end.
    steady = f"""() => {{ const now = performance.now();
        if (!({condition})()) {{ window.__leadsfSteadySince = undefined; return false; }}
        if (window.__leadsfSteadySince === undefined) window.__leadsfSteadySince = now;
        return now - window.__leadsfSteadySince >= {STEADY_MS}; }}"""
    try:
        page.evaluate("() => { window.__leadsfSteadySince = undefined; }")
        page.wait_for_function(steady, timeout=timeout, polling=POLL_MS)
    except Exception as exc:
        raise AssertionError(f"the app was not idle{' showing ' + shown if shown else ''}: {_run_state(page)}") \
            from exc


def _run_state(page) -> dict:
    """What the wait saw when it gave up, for the failure message."""
    try:
        return page.evaluate("""() => { const app = document.querySelector('[data-testid="stApp"]') || {dataset: {}};
            const status = document.querySelector('[data-testid="stStatusWidget"]');
            return {script: app.dataset.testScriptState, connection: app.dataset.testConnectionState,
                    stale: document.querySelectorAll('[data-stale="true"]').length,
                    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
                    status: status ? status.innerText : null, url: location.href}; }""")
    except Exception as exc:  # the page itself may be gone
        return {"unavailable": str(exc)[:200]}


# A page reached by a link has finished its first run once its own title heads the page, no element of the
# page it came from is still shown (stale), and the app is idle: a condition of the page itself, where a
# count of runs could be thrown off by a link followed while the page it left was still running.
_PAGE_SHOWN = """(titles) => { const heading = document.querySelector('[data-testid="stMain"] h1');
    return IDLE && !!heading && titles.some(t => heading.innerText.trim().startsWith(t)) && SETTLED; }
    """.replace("IDLE", _IDLE).replace("SETTLED", _SETTLED)


def wait_for_page(page, *titles: str, timeout: float = 60_000) -> None:
    """After following a link: wait until the page whose title starts with one of `titles` (its title in each
    language the visitor may have) has finished its run."""
    try:
        page.wait_for_function(_PAGE_SHOWN, arg=list(titles), timeout=timeout, polling=POLL_MS)
    except Exception as exc:
        heading = page.locator('[data-testid="stMain"] h1').first
        shown = heading.inner_text(timeout=2_000) if heading.count() else None
        raise AssertionError(f"page {titles} not shown and idle (heading {shown!r}): "
                             f"{_run_state(page)}") from exc


# A fresh load's first run is over once the page body holds elements (from this document: a fresh load has
# no others), the app is idle, none is stale, and no lazily loaded element (st.html's styles among them) still
# holds its place with a skeleton.
_FIRST_RUN_DONE = """() => !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')"""


def open_page(page, base_url: str, url_path: str = "", timeout: float = 60_000, **params) -> None:
    url = f"{base_url.rstrip('/')}/{url_path.lstrip('/')}"
    if params:
        url += "?" + urlencode(params)
    page.goto(url, wait_until="domcontentloaded")
    wait_for_run(page, _FIRST_RUN_DONE, timeout)


def expect_no_exception(page) -> None:
    n = page.get_by_test_id("stException").count()
    assert n == 0, f"{n} exception box(es) on {page.url}: {page.get_by_test_id('stException').first.inner_text()[:500]}"
    text = page.content()
    assert "Traceback" not in text, f"traceback text on {page.url}"
    assert "Page not found" not in page.inner_text("body"), f"{page.url} shows Streamlit's 'Page not found'"
    errors = getattr(page, "page_errors", [])
    assert not errors, f"JavaScript errors on {page.url}: {errors[:3]}"


# ---- what a visitor's browser does: console, page errors, requests -------------------------------------------
# On a full load of /<page>, Streamlit's frontend finds its server by trying /<page>/_stcore/health and
# /_stcore/host-config under the page's path first (it could be mounted there), then the root: two 404s the
# browser logs as console errors on every deep link. That probe is Streamlit's (frontend connection manager,
# no setting turns it off), so it alone is not counted; every other console error is.
_PROBE = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")


def watch(page, base_url: str) -> None:
    """Record console errors, uncaught exceptions and requests to any other host on `page`
    (page.console_errors, page.page_errors, page.foreign_requests); clear_watch() empties them."""
    site = urlsplit(base_url).netloc
    page.console_errors, page.page_errors, page.foreign_requests = [], [], []

    def on_console(msg):
        if msg.type != "error":
            return
        where = urlsplit(msg.location.get("url") or "")
        if msg.text.startswith("Failed to load resource") and where.netloc == site and _PROBE.match(where.path):
            return
        page.console_errors.append(f"{msg.text[:300]} ({msg.location.get('url', '')})")

    def on_request(request):
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != site:
            page.foreign_requests.append(request.url[:200])

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.page_errors.append(str(exc)[:300]))
    page.on("request", on_request)


def clear_watch(page) -> None:
    for name in ("console_errors", "page_errors", "foreign_requests"):
        getattr(page, name).clear()


_CHARTS_DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .filter(c => c.offsetParent !== null).every(c => c.querySelector('.main-svg'))
    && [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')]
        .filter(c => c.offsetParent !== null).every(c => c.querySelector('canvas'))"""


def wait_for_charts(page, timeout: float = 30_000) -> None:
    """Every visible Plotly chart has drawn its SVG and every map its canvas (they draw after the run).
    Streamlit loads the chart code lazily and holds each chart's place with a skeleton until then."""
    page.wait_for_function(_CHARTS_DRAWN, timeout=timeout, polling=POLL_MS)


# ---- what a visitor sees: charts that say something, metrics that fit ---------------------------------------
# Each Plotly chart as drawn in its SVG: its title, and per pair of axes (a subplot, g.subplot.xy) each trace
# drawn: its markers and bars (a `.point` each), its line's pieces (path.js-line, one `M` per piece: a gap
# starts a new one) and how many points each piece joins. A trace with nothing to draw is not in the SVG.
_PLOTLY_FIGURES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map(gd => {
    const title = (gd.querySelector('.gtitle') || {}).textContent || '';
    const traces = sp => [...sp.querySelectorAll('g.trace')].map(tr => {
        const pieces = [...tr.querySelectorAll('path.js-line')].flatMap(p => (p.getAttribute('d') || '')
            .split('M').filter(Boolean).map(piece => (piece.match(/[LHV]/g) || []).length + 1));
        const marks = [...tr.querySelectorAll('.point')].filter(pt => (pt.getAttribute('d') || pt.querySelector(
            'path[d]:not([d=""])') || '') !== '').length;
        const line = pieces.length > 0;
        return {name: tr.classList.value, line, points: marks || pieces.reduce((a, b) => a + b, 0),
                joined: Math.max(0, ...pieces)};
    });
    const subplots = [...gd.querySelectorAll('.cartesianlayer > g.subplot')].map(sp => ({
        name: [...sp.classList].filter(c => c !== 'subplot').join(' '), traces: traces(sp)}));
    return {title, subplots, traces: subplots.length ? subplots.flatMap(sp => sp.traces) : traces(gd)};
})"""


def chart_problems(page) -> list[str]:
    """Plotly charts that say nothing, as drawn: an axis (subplot) with no data point, or a line chart that
    draws no line (no piece of line joining two points) although it shows two or more points. (Two, not four:
    "one dot per pathway" over three pathways, or two dots split by gap marks, are the one-dot charts to
    catch.)"""
    problems = []
    for fig in page.evaluate(_PLOTLY_FIGURES):
        name = repr(fig["title"].strip()[:90])
        total = sum(t["points"] for t in fig["traces"])
        if total == 0:
            problems.append(f"chart {name} shows no data at all")
            continue
        for subplot in fig["subplots"]:
            if not sum(t["points"] for t in subplot["traces"]):
                problems.append(f"chart {name}: the axes {subplot['name']} have no data")
        lines = [t for t in fig["traces"] if t["line"]]
        if lines and total >= 2 and max(t["joined"] for t in lines) < 2:
            problems.append(f"line chart {name} draws no line: {total} points shown, traces "
                            + ", ".join(f"{t['name']}={t['points']}" for t in fig["traces"]))
    return problems


_METRIC_OVERFLOW = """() => {
    const cut = [];
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
        for (const part of m.querySelectorAll('[data-testid="stMetricLabel"], [data-testid="stMetricValue"]')) {
            for (const el of [part, ...part.querySelectorAll('*')]) {
                if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
                    cut.push(part.dataset.testid + ': ' + part.innerText.trim().slice(0, 80)); break; }
            }
        }
    }
    return cut;
}"""


def cut_metrics(page) -> list[str]:
    """Metric labels and values whose text is wider than their box (cut off with an ellipsis)."""
    return page.evaluate(_METRIC_OVERFLOW)
