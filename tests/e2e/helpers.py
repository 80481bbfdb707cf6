"""Small Playwright helpers for the Streamlit 1.67 frontend."""
from __future__ import annotations

from urllib.parse import urlencode

APP = '[data-testid="stApp"]'


def wait_for_run(page, timeout: float = 60_000) -> None:
    """Wait until the script run is over and the websocket is connected."""
    page.wait_for_timeout(250)  # some widgets debounce (pydeck ~200 ms) before the run starts
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=timeout)
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)


def open_page(page, base_url: str, url_path: str = "", **params) -> None:
    url = f"{base_url.rstrip('/')}/{url_path.lstrip('/')}"
    if params:
        url += "?" + urlencode(params)
    page.goto(url, wait_until="domcontentloaded")
    wait_for_run(page)


def expect_no_exception(page) -> None:
    n = page.get_by_test_id("stException").count()
    assert n == 0, f"{n} exception box(es) on {page.url}: {page.get_by_test_id('stException').first.inner_text()[:500]}"
    text = page.content()
    assert "Traceback" not in text, f"traceback text on {page.url}"
    assert "Page not found" not in page.inner_text("body"), f"{page.url} shows Streamlit's 'Page not found'"
    errors = getattr(page, "page_errors", [])
    assert not errors, f"JavaScript errors on {page.url}: {errors[:3]}"
