"""Browser fixtures: a real `streamlit run dashboard.py` on a copy of the published sample store, driven by
Debian's chromium through Playwright."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.server import Server  # the same server runner the browser and load benchmarks use

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def start_server(published_sample: Path, tmp: Path, extra_args: tuple[str, ...] = ()) -> Server:
    data = tmp / "store"
    shutil.copytree(published_sample, data)
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
def site(server, browser):
    """The session server after one visit to "/": the first run of dashboard.py registers the st.navigation
    pages. (A deep link before that hits Streamlit's legacy pages/ mode; test_site tests that separately.)"""
    from .helpers import open_page

    context = browser.new_context()
    open_page(context.new_page(), server.url, "")
    context.close()
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


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.page_errors = []
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))
    yield pg
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
        page = getattr(item, "funcargs", {}).get("page")
        if page is not None:
            try:
                rep.sections.append(("page text", page.locator("body").inner_text(timeout=5_000)[-4000:]))
            except Exception as exc:  # noqa: BLE001 - a closed page must not hide the real failure
                rep.sections.append(("page text", f"unavailable: {exc}"))
