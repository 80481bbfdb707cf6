"""Small Playwright helpers for the Streamlit 1.67 frontend."""
from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

APP = '[data-testid="stApp"]'


# Every run the page's script finishes is counted in the browser, two ways. (1) The app's script-state
# attribute leaving "running": a MutationObserver keeps each change's old value, so a run too short to be
# seen by polling is still counted. (2) The server's own word: each WebSocket message whose ForwardMsg holds
# script_finished (field 6). (1) alone can miss a run whose messages the frontend handles in one batch (the
# likely cause of CI's load-only flakes): React then renders "notRunning" once and the attribute never
# changes. A run counted by (2) only counts once no message but a heartbeat (field 26, with its hash and
# metadata) has come for QUIET ms, so the frontend has drawn what came. open_page installs both before the
# page's own scripts.
QUIET = 300
_COUNT_RUNS = """(() => { window.__leadsfRuns = 0; window.__leadsfFinished = 0; window.__leadsfLastMessage = 0;
    window.__leadsfDocument = Math.random();
    new MutationObserver(records => { for (const r of records) if (r.oldValue === 'running') window.__leadsfRuns++; })
        .observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                            attributeFilter: ['data-test-script-state']});
    const fields = data => {  // the top-level field numbers of one protobuf message
        const b = new Uint8Array(data), found = new Set(); let i = 0;
        const varint = () => { let v = 0, s = 0, x; do { x = b[i++]; v += (x & 127) * 2 ** s; s += 7; }
                               while (x & 128 && i < b.length); return v; };
        while (i < b.length) {
            const tag = varint(), wire = tag % 8;
            found.add(Math.floor(tag / 8));
            // the length first: `i += varint()` would add it to the position before the length was read
            if (wire === 0) varint(); else if (wire === 2) { const n = varint(); i += n; } else if (wire === 1) i += 8;
            else if (wire === 5) i += 4; else break;
        }
        return found; };
    const Native = window.WebSocket;
    window.WebSocket = class extends Native { constructor(...args) { super(...args);
        this.addEventListener('message', e => {
            if (!(e.data instanceof ArrayBuffer)) return;
            const found = fields(e.data);
            if (found.has(6)) window.__leadsfFinished++;
            if (![...found].every(f => f === 1 || f === 2 || f === 26)) {
                window.__leadsfLastMessage = performance.now(); } }); } }; })()"""
# The app connected and its script not running; every wait below starts from this.
_IDLE = """(app => !!app && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning')(document.querySelector('[data-testid="stApp"]'))"""
_IDLE_AFTER = """([seen, finished, doc, quiet]) => {
    const same = window.__leadsfDocument === doc;
    const ran = same ? window.__leadsfRuns > seen : window.__leadsfRuns > 0;
    const told = (same ? window.__leadsfFinished > finished : window.__leadsfFinished > 0)
        && performance.now() - window.__leadsfLastMessage > quiet;
    return (seen < 0 || ran || told) && IDLE && !document.querySelector('[data-testid="stStatusWidget"]'); }
    """.replace("IDLE", _IDLE)
_COUNTS = "[window.__leadsfRuns, window.__leadsfFinished, window.__leadsfDocument]"


def wait_for_run(page, timeout: float = 60_000, new_run: bool = True) -> None:
    """Wait until the app is idle and connected. With `new_run` (after a click, a typed value, a file), the
    idle must come after a run that the action started: one finished since the last wait, however short,
    however long a debouncing widget (pydeck ~200 ms) waited before starting it; after a full reload, its
    first run. Without it, any idle will do (a page that was only looked at)."""
    seen, finished, doc = getattr(page, "runs_seen", (0, 0, None))
    try:
        page.wait_for_function(_IDLE_AFTER, arg=[seen if new_run else -1, finished, doc, QUIET], timeout=timeout)
    except Exception as exc:
        raise AssertionError(f"the app was not idle after a new run: {_run_state(page)}") from exc
    _remember_runs(page)


def _remember_runs(page) -> None:
    """The counts the next wait's new run must go beyond."""
    page.runs_seen = tuple(page.evaluate(_COUNTS))


def _run_state(page) -> dict:
    """What the wait saw when it gave up, for the failure message."""
    try:
        state = page.evaluate("""() => { const app = document.querySelector('[data-testid="stApp"]') || {dataset: {}};
            const status = document.querySelector('[data-testid="stStatusWidget"]');
            return {runs: window.__leadsfRuns, finished: window.__leadsfFinished, document: window.__leadsfDocument,
                    quiet_ms: Math.round(performance.now() - window.__leadsfLastMessage),
                    script: app.dataset.testScriptState, connection: app.dataset.testConnectionState,
                    status: status ? status.innerText : null}; }""")
    except Exception as exc:  # the page itself may be gone
        return {"unavailable": str(exc)[:200]}
    seen, finished, doc = getattr(page, "runs_seen", (0, 0, None))
    return {**state, "seen": [seen, finished], "same document": state.pop("document") == doc, "url": page.url}


# A page reached by a link has finished its first run once its own title heads the page, no element of the
# page it came from is still shown (stale), and the app is idle: a condition of the page itself, where a
# count of runs could be thrown off by a link followed while the page it left was still running.
_PAGE_SHOWN = """(titles) => { const heading = document.querySelector('[data-testid="stMain"] h1');
    return IDLE && !!heading && titles.some(t => heading.innerText.trim().startsWith(t))
        && !document.querySelector(
            '[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stStatusWidget"]'); }
    """.replace("IDLE", _IDLE)


def wait_for_page(page, *titles: str, timeout: float = 60_000) -> None:
    """After following a link: wait until the page whose title starts with one of `titles` (its title in each
    language the visitor may have) has finished its run."""
    try:
        page.wait_for_function(_PAGE_SHOWN, arg=list(titles), timeout=timeout)
    except Exception as exc:
        heading = page.locator('[data-testid="stMain"] h1').first
        shown = heading.inner_text(timeout=2_000) if heading.count() else None
        raise AssertionError(f"page {titles} not shown and idle (heading {shown!r}): "
                             f"{_run_state(page)}") from exc
    _remember_runs(page)


# A fresh load's first run is over once the page body holds elements, none is stale, and no lazily loaded
# element (st.html's styles among them) still holds its place with a skeleton.
_FIRST_RUN_DONE = """() => IDLE
    && !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')
    && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')""".replace("IDLE", _IDLE)


def open_page(page, base_url: str, url_path: str = "", timeout: float = 60_000, **params) -> None:
    url = f"{base_url.rstrip('/')}/{url_path.lstrip('/')}"
    if params:
        url += "?" + urlencode(params)
    if not getattr(page, "counts_runs", False):
        page.add_init_script(_COUNT_RUNS)
        page.counts_runs = True
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(_FIRST_RUN_DONE, timeout=timeout)
    wait_for_run(page, timeout, new_run=False)


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
    page.wait_for_function(_CHARTS_DRAWN, timeout=timeout)


# ---- what a visitor sees: charts that say something, metrics that fit ---------------------------------------
_PLOTLY_FIGURES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map(gd => {
    const missing = v => v === null || v === undefined || v === '' || (typeof v === 'number' && isNaN(v));
    const title = ((gd._fullLayout || {}).title || {}).text || '';
    const traces = (gd._fullData || []).filter(t => t.visible === true).map(t => {
        const horizontal = t.orientation === 'h';
        const vals = Array.from((horizontal ? t.x : t.y) || t.values || []);
        const cats = Array.from((horizontal ? t.y : t.x) || t.labels || []);
        let points = 0, run = 0, longest = 0;
        vals.forEach((v, i) => {
            const ok = !missing(v) && (cats.length === 0 || !missing(cats[i]));
            points += ok; run = ok ? run + 1 : 0; longest = Math.max(longest, run);
        });
        const line = /^scatter/.test(t.type) && String(t.mode || '').includes('lines');
        return {name: String(t.name || ''), type: t.type, line, points,
                joined: line ? (t.connectgaps ? points : longest) : 0,
                subplot: (t.xaxis || 'x') + (t.yaxis || 'y')};
    });
    const subplots = ((gd._fullLayout || {})._subplots || {}).cartesian || [];
    return {title, traces, subplots};
})"""


def chart_problems(page) -> list[str]:
    """Plotly charts that say nothing: an axis (subplot) with no data point, or a line chart that draws no
    line (no trace with two joined points) although it shows two or more points. (Two, not four: "one dot per
    pathway" over three pathways, or two dots split by gap marks, are the one-dot charts to catch.)"""
    problems = []
    for fig in page.evaluate(_PLOTLY_FIGURES):
        name = repr(re.sub(r"<[^>]+>", " ", fig["title"]).strip()[:90])
        total = sum(t["points"] for t in fig["traces"])
        if total == 0:
            problems.append(f"chart {name} shows no data at all")
            continue
        for subplot in fig["subplots"]:
            if not sum(t["points"] for t in fig["traces"] if t["subplot"] == subplot):
                problems.append(f"chart {name}: the axes {subplot} have no data")
        lines = [t for t in fig["traces"] if t["line"]]
        if lines and total >= 2 and max(t["joined"] for t in lines) < 2:
            problems.append(f"line chart {name} draws no line: {total} points shown, traces "
                            + ", ".join(f"{t['name'] or t['type']}={t['points']}" for t in fig["traces"]))
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
