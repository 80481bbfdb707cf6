"""Browser fixtures: a real `streamlit run dashboard.py` on a copy of the published sample store, driven by
Debian's chromium through Playwright."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.server import Server  # the same server runner the browser and load benchmarks use
from deploy.warm import CHROMIUM, CHROMIUM_ARGS  # the warm-up's browser and flags (deploy/warm.py says why)
from tests.conftest import copy_store

ROOT = Path(__file__).resolve().parents[2]


def start_server(published_sample: Path, tmp: Path, extra_args: tuple[str, ...] = ()) -> Server:
    data = tmp / "store"
    copy_store(published_sample, data)
    server = Server(data, tmp / "streamlit.log", extra=extra_args)
    try:
        server.wait_healthy()
    except Exception:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def server(published_sample, tmp_path_factory):
    s = start_server(published_sample, tmp_path_factory.mktemp("e2e_server"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def site(server, tabs):
    """The session server after one visit to "/": the first run of dashboard.py registers the st.navigation
    pages. (A deep link before that hits Streamlit's legacy pages/ mode; test_site tests that separately.)"""
    from .helpers import open_page

    tab = tabs.new_tab()
    open_page(tab, server.url, "")
    tabs.done(tab)
    return server


@pytest.fixture
def fresh_server(published_sample, tmp_path):
    """A server no browser has visited yet (deep-link tests)."""
    s = start_server(published_sample, tmp_path)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


VIEWPORT = {"width": 1280, "height": 900}


class Tabs:
    """The worker's browser profile for tests that need none of their own: each test gets a new tab with no
    cookies and no local storage (Streamlit keeps its theme and sidebar state there), as a visitor coming back
    with the browser's cache. A new context per test costs chromium a new renderer and compiling Streamlit's
    scripts again: ~2 s of CPU a test more than a new tab here (measured on /overdoses)."""

    def __init__(self, browser):
        self.browser, self.context, self.left = browser, None, None

    def new_tab(self):
        if self.context is None:
            self.context = self.browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        self.context.clear_cookies()
        return self.context.new_page()

    def done(self, tab) -> None:
        """Empty the local storage of every site the test's tab stored in, from a page of that site with no
        app on it (its health check): the tab's session on the server ends, and the tab stays open on that
        page through the next test, so the renderer the next tab needs is running when it navigates (the tab
        left by the test before is closed now). A tab or a site that cannot be reached: a new profile."""
        try:
            where = urlsplit(tab.url)
            stored = [o["origin"] for o in self.context.storage_state()["origins"]]
            # The tab's own site last, so that is where it stays.
            here = [f"{where.scheme}://{where.netloc}"] if where.scheme in ("http", "https") else []
            for origin in [o for o in stored if o not in here] + here:
                tab.goto(f"{origin}/_stcore/health")
                tab.evaluate("() => localStorage.clear()")
            clean = not self.context.storage_state()["origins"]
        except Exception:  # noqa: BLE001 - whatever the test left broken, the next one starts afresh
            clean = False
        if clean:
            if self.left is not None:
                self.left.close()
            self.left = tab
        else:
            self.context.close()
            self.context, self.left = None, None

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


@pytest.fixture(scope="session")
def tabs(browser):
    t = Tabs(browser)
    yield t
    t.close()


def _watch_errors(pg):
    pg.page_errors = []
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))
    return pg


@pytest.fixture
def page(tabs):
    """A new tab, no cookies, in the worker's shared profile (Tabs)."""
    pg = _watch_errors(tabs.new_tab())
    yield pg
    tabs.done(pg)


@pytest.fixture
def first_visit(browser):
    """A tab in a profile of its own: a first-time visitor (nothing cached, stored or signed in), for tests
    whose meaning is that visitor."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    yield _watch_errors(context.new_page())
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach every server's log, and what the page showed, to failing e2e tests."""
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and rep.when == "call":
        seen = set()
        for name, value in getattr(item, "funcargs", {}).items():
            if isinstance(value, Server) and id(value) not in seen:  # `site` is the `server`: one log each
                seen.add(id(value))
                rep.sections.append((f"{name} log", value.log()))
        funcargs = getattr(item, "funcargs", {})
        page = funcargs.get("page") or funcargs.get("first_visit")
        if page is not None:
            try:
                rep.sections.append(("page text", page.locator("body").inner_text(timeout=5_000)[-4000:]))
            except Exception as exc:  # noqa: BLE001 - a closed page must not hide the real failure
                rep.sections.append(("page text", f"unavailable: {exc}"))
