"""The production arrangement (`make serve`: deploy/serve.py) through nginx: every public page in chromium with
no console error and no Content-Security-Policy violation; the headers; the staff process behind /staff; a
release published with the CLI live on every process at its next run; the load test's visitors through nginx;
an app process killed with SIGKILL mid-session; and SIGTERM leaving no process behind. The tests share one
arrangement, started without its warm-up (deploy/serve.py --no-warm: these visits are the first), and run in
file order. Only the tests that drive chromium are marked e2e: the others, the load test among them, run in
the normal (`-m "not e2e"`) suite too."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from deploy import serve, site, warm
from leadsf.i18n import messages
from tests.conftest import copy_store
from tests.deploy.test_load_smoke import smoke

from .conftest import VIEWPORT
from .helpers import expect_no_exception, open_page, wait_for_page, wait_for_run

ROOT = Path(__file__).resolve().parents[2]
CHART = '[data-testid="stPlotlyChart"] .main-svg, [data-testid="stDeckGlJsonChart"] canvas'
CSP_PROBE = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")


PUBLIC = list(warm.public_paths())  # the router's public pages ("" is Home at /)


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


@pytest.fixture(scope="module")
def arrangement(published_sample, tmp_path_factory):
    """`python deploy/serve.py` (what `make serve` runs, without its warm-up) on a free port, over a copy of the
    sample store."""
    if not Path(serve.nginx_binary()).exists():
        pytest.skip("nginx missing (make test installs it)")
    tmp = tmp_path_factory.mktemp("proxy")
    data = tmp / "store"
    copy_store(published_sample, data)
    state_file = tmp / "state.json"
    out = open(tmp / "serve.out", "wb")
    # --no-warm: the warm-up would open 21 pages before the tests' own visits (~40 s of CPU, measured on this
    # file); tests/deploy/test_deploy.py checks which pages it opens.
    proc = subprocess.Popen([sys.executable, "deploy/serve.py", "--port", str(serve.free_port()), "--workers", "2",
                             "--no-warm", "--state-dir", str(tmp / "state"), "--state-file", str(state_file)],
                            cwd=ROOT, env=os.environ | {"LEADSF_DATA_DIR": str(data)}, stdout=out,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while not state_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("deploy/serve.py did not come up:\n" + (tmp / "serve.out").read_text(errors="replace"))
        time.sleep(0.3)  # sleep: poll interval until serve.py writes its state file
    state = json.loads(state_file.read_text()) | {"proc": proc, "tmp": tmp, "data": data}
    yield state
    if proc.poll() is None:
        proc.kill()  # the SIGTERM test failed; PR_SET_PDEATHSIG takes the children down with it
        proc.wait(timeout=10)
    out.close()


def _watch(pg):
    """`pg`, recording page errors, console errors, failed requests and CSP violations."""
    pg.add_init_script(CSP_PROBE)
    if not isinstance(getattr(pg, "page_errors", None), list):  # the `page` fixture's tabs record them already
        pg.page_errors = []
        pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))
    pg.console_errors, pg.failed = [], []
    pg.on("response", lambda r: pg.failed.append((r.status, r.url)) if r.status >= 400 else None)
    pg.on("console", lambda msg: pg.console_errors.append(msg.text) if msg.type == "error" else None)
    return pg


@pytest.fixture
def watched(page):
    """A new tab with no cookies or local storage (to nginx, a visitor it has not routed yet)."""
    return _watch(page)


@pytest.fixture(scope="module")
def visitor(browser):
    """One tab for every public page (each visit still a fresh load of the page; the browser's cache keeps the
    static files after the first, as a visitor's does)."""
    context = browser.new_context(viewport=VIEWPORT)
    yield _watch(context.new_page())
    context.close()


def _third_party(violation: str) -> bool:
    return bool(re.search(r"https?://(?!127\.0\.0\.1[:/])", violation))


# Streamlit's frontend, opened at /a/b, looks for its server at /a/b/_stcore/health and /a/_stcore/health
# (in case the app has a base URL path) and takes the one that answers: every deep link of every Streamlit
# app gets one 404 pair, which chromium logs as "Failed to load resource".
BASE_PATH_PROBE = re.compile(r"/_stcore/(health|host-config)$")


def expect_clean(pg) -> None:
    """No exception, no console error, no failed request and no CSP violation, except (1) the policy blocking
    a request to another site: that is the policy doing its job (test_nothing_is_fetched_from_other_sites
    reports it) and (2) the 404s of Streamlit's base-path probe."""
    expect_no_exception(pg)
    violations = pg.evaluate("window.__csp")
    own = [v for v in violations if not _third_party(v)]
    assert not own, f"Content-Security-Policy violations on {pg.url}: {own[:5]}"
    probes = [(status, url) for status, url in pg.failed if status == 404 and BASE_PATH_PROBE.search(url)]
    others = [f for f in pg.failed if f not in probes]
    assert not others, f"failed requests on {pg.url}: {others[:5]}"
    errors = [e for e in pg.console_errors if not ("Content Security Policy" in e and _third_party(e))]
    if len(errors) < len(pg.console_errors):  # what a blocked fetch then throws (deck.gl's basemap style)
        errors = [e for e in errors if not e.startswith("Error: Failed to fetch")]
    not_found = [e for e in errors if "status of 404" in e]
    errors = [e for e in errors if "status of 404" not in e] + not_found[len(probes):]
    assert not errors, f"console errors on {pg.url}: {errors[:3]}"


def upstream_of(state: dict, marker: str) -> int:
    """The app port nginx sent the request whose URL contains `marker` to (from its access log)."""
    log = Path(state["nginx_dir"]) / "access.log"
    for _ in range(50):
        for line in log.read_text().splitlines():
            if marker in line and (m := re.search(r"up=127\.0\.0\.1:(\d+)", line)):
                return int(m.group(1))
        time.sleep(0.1)  # sleep: poll interval until nginx has written the access log line
    raise AssertionError(f"no access log line for {marker}")


def test_router_pages_found():
    assert "" in PUBLIC and len(PUBLIC) >= 2, PUBLIC


def test_headers(arrangement):
    url = arrangement["url"]
    status, headers, body = _get(url + "/")
    assert status == 200
    csp = headers["content-security-policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'self'", "object-src 'none'", "connect-src 'self'"):
        assert directive in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0], "inline scripts allowed"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["set-cookie"].startswith("leadsf_route=") and "HttpOnly" in headers["set-cookie"]
    html = body.decode()
    assert '<meta name="description" content="LEAD Santa Fe' in html
    status, _, robots = _get(url + "/robots.txt")
    assert status == 200 and b"User-agent: *" in robots and b"Disallow: /staff" in robots
    assert _get(url + "/_stcore/health")[2] == b"ok"

    # Streamlit's biggest bundle: compressed, cached, long-lived; a client without gzip still gets it whole.
    bundle = max((site.streamlit_index().parent / "static" / "js").glob("*.js"), key=lambda p: p.stat().st_size)
    path = f"/static/js/{bundle.name}"
    _get(url + path, {"Accept-Encoding": "gzip"})
    status, headers, gz = _get(url + path, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert headers.get("x-cache-status") == "HIT", headers
    assert "immutable" in headers["cache-control"] and "max-age=31536000" in headers["cache-control"]
    assert len(gz) < bundle.stat().st_size / 2, (len(gz), bundle.stat().st_size)
    if site.brotli_available():
        _get(url + path, {"Accept-Encoding": "gzip, deflate, br, zstd"})
        status, headers, br = _get(url + path, {"Accept-Encoding": "gzip, deflate, br, zstd"})
        assert headers.get("content-encoding") == "br" and headers.get("x-cache-status") == "HIT"
        assert len(br) < len(gz)
    status, headers, plain = _get(url + path)
    assert status == 200 and "content-encoding" not in headers and plain == bundle.read_bytes()

    # The request-size limit is maxUploadSize (+ the multipart envelope): bigger bodies stop at nginx.
    big = b"x" * ((site.max_upload_mb() + 1) * 1024 * 1024)
    req = urllib.request.Request(url + "/_stcore/upload_file/a/b", data=big, method="PUT")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 413


def _cookies(url: str) -> list[str]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.headers.get_all("Set-Cookie") or []


def test_page_shell_is_cached_sessions_never(arrangement):
    """What every new visitor fetches before its WebSocket comes from nginx's cache; what is per visitor
    (sessions, downloads, the staff process's XSRF cookie) always comes from the app, and no per-visitor
    cookie is ever cached and shared."""
    url = arrangement["url"]
    for path in ("/referrals", "/_stcore/host-config", "/favicon.png", "/_stcore/health"):
        _get(url + path)
        status, headers, body = _get(url + path)
        assert status == 200 and headers.get("x-cache-status") == "HIT", (path, headers)
    assert _get(url + "/_stcore/health")[2] == b"ok"
    status, _, html = _get(url + "/referrals")
    assert b'<meta name="description"' in html and b"<title>LEAD Santa Fe" in html
    assert _get(url + "/referrals/_stcore/health")[0] == 404  # the frontend's first guess at its server
    # The public health check's XSRF cookie is dropped (no public process takes an upload); the staff
    # process's, which its uploads need, is the visitor's own.
    assert not [c for c in _cookies(url + "/_stcore/health") if c.startswith("_streamlit_xsrf=")]
    tokens = [c for _ in range(2) for c in _cookies(url + "/staff/_stcore/health") if c.startswith("_streamlit_xsrf=")]
    assert len(tokens) == 2 and tokens[0] != tokens[1], "the staff XSRF cookie was cached and shared"
    assert _get(url + "/media/nothing.csv")[1].get("x-cache-status") is None


@pytest.mark.e2e
@pytest.mark.parametrize("url_path", PUBLIC)
def test_public_page_through_proxy(arrangement, visitor, url_path):
    for seen in (visitor.page_errors, visitor.console_errors, visitor.failed):
        seen.clear()
    open_page(visitor, arrangement["url"], url_path)
    if url_path in ("", "referrals", "engagement", "overdoses", "property-crime", "maps", "area"):
        visitor.wait_for_selector(CHART, timeout=30_000)
    wait_for_run(visitor)
    expect_clean(visitor)


@pytest.mark.e2e
def test_nothing_is_fetched_from_other_sites(arrangement, watched):
    requests = []
    watched.on("request", lambda r: requests.append(r.url))
    open_page(watched, arrangement["url"], "maps")
    watched.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=30_000)
    watched.wait_for_load_state("networkidle")
    blocked = [v for v in watched.evaluate("window.__csp") if _third_party(v)]
    others = [u for u in requests if not u.startswith(("data:", "blob:", arrangement["url"], "ws://127.0.0.1"))]
    assert not blocked and not others, (blocked[:3], others[:3])


@pytest.mark.e2e
def test_staff_is_served_by_the_staff_process(arrangement, watched):
    sockets = []
    watched.on("websocket", lambda ws: sockets.append(ws.url))
    open_page(watched, arrangement["url"], "staff")
    assert watched.url.endswith("/staff/staff")
    expect_clean(watched)
    assert watched.get_by_test_id("stFileUploader").count() == 0, "the upload form is shown without sign-in"
    assert sockets and all(u.endswith("/staff/_stcore/stream") for u in sockets), sockets
    marker = uuid.uuid4().hex
    _get(f"{arrangement['url']}/staff/staff?probe={marker}")
    assert upstream_of(arrangement, marker) == arrangement["staff"]["port"]
    # A public process does not route the staff page at all, whatever reaches it.
    open_page(watched, arrangement["workers"][0]["url"], "staff")
    assert "Page not found" in watched.inner_text("body")
    assert watched.get_by_test_id("stFileUploader").count() == 0


@pytest.mark.e2e
def test_release_published_with_the_cli_shows_on_every_process(arrangement, watched):
    out = subprocess.run([sys.executable, "-m", "leadsf", "publish", str(ROOT / "data" / "sample" / "referrals.csv"),
                          "--synthetic", "--note", "proxy test"], cwd=ROOT, capture_output=True, text=True,
                         env=os.environ | {"LEADSF_DATA_DIR": str(arrangement["data"])}, timeout=300)
    assert out.returncode == 0, out.stderr
    pg = watched
    for proc in [*arrangement["workers"], arrangement["staff"]]:   # each process addressed directly
        open_page(pg, proc["url"], "about", lang="en")
        caption = pg.get_by_text(re.compile(r"release \d+")).first.inner_text()
        assert "release 2" in caption, (proc["name"], caption)
    open_page(pg, arrangement["url"], "about", lang="en")
    assert "release 2" in pg.get_by_text(re.compile(r"release \d+")).first.inner_text()


class PublicProcesses:
    """The arrangement as bench/loadtest.py reads a server: nginx's URL, and the CPU time and memory of the
    public app processes."""

    def __init__(self, state: dict):
        self.url, self.pids = state["url"], [w["pid"] for w in state["workers"]]

    def cpu_seconds(self) -> float:
        return sum(serve.cpu_seconds(pid) for pid in self.pids)

    def rss_mb(self) -> float:
        return sum(int(line.split()[1]) / 1024 for pid in self.pids
                   for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))


def test_load_smoke_through_the_proxy(arrangement, capsys):
    """bench/loadtest.py's visitors through nginx (their WebSockets spread over both app processes), as
    tests/deploy/test_load_smoke.py runs them against one process: every run finished without errors."""
    served = PublicProcesses(arrangement)
    smoke(served, capsys)
    assert served.cpu_seconds() > 0 and all(_alive(pid) for pid in served.pids)


@pytest.mark.e2e
def test_killing_an_app_process_mid_session(arrangement, browser, watched):
    open_page(watched, arrangement["url"], "referrals")
    watched.wait_for_selector(CHART, timeout=30_000)
    # Which process holds this visitor: a request of its own (its route cookie) that nginx never answers
    # from a cache. The page's address is no use here: the shell may come from nginx's one-minute cache.
    marker = uuid.uuid4().hex
    watched.evaluate("marker => fetch(`/media/${marker}.csv`)", marker)
    port = upstream_of(arrangement, marker)
    (victim,) = [w for w in arrangement["workers"] if w["port"] == port]
    os.kill(victim["pid"], signal.SIGKILL)

    # New visitors are served by the other process, whatever route cookie nginx gives them (first-time
    # visitors: profiles of their own, while the visitor above keeps its cookie for the dead process).
    for _ in range(3):
        context = browser.new_context()
        try:
            pg = _watch(context.new_page())
            open_page(pg, arrangement["url"], "")
            pg.wait_for_selector(CHART, timeout=30_000)
            expect_clean(pg)
        finally:
            context.close()

    # The visitor whose process died: Streamlit's frontend reconnects (through nginx, to the live process)
    # and reruns the page in a new session; a click works there.
    watched.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=60_000)
    wait_for_run(watched)
    watched.wait_for_selector(CHART, timeout=30_000)
    expect_no_exception(watched)
    assert len(watched.get_by_test_id("stMain").inner_text().strip()) > 200
    watched.get_by_test_id("stSidebarNavLink").filter(has_text=re.compile("About|Acerca")).first.click()
    wait_for_page(watched, messages("en")["about.title"], messages("es")["about.title"])
    expect_no_exception(watched)
    assert watched.url.endswith("/about")


def test_sigterm_stops_everything(arrangement):
    proc = arrangement["proc"]
    assert proc.poll() is None, "make serve stopped when an app process died"
    pids = [proc.pid, arrangement["nginx"]["pid"], *(w["pid"] for w in arrangement["workers"]),
            arrangement["staff"]["pid"], *serve._descendants(proc.pid)]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        time.sleep(0.2)  # sleep: poll interval until every stopped process is gone
    assert not alive, f"processes left behind: {alive}"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
