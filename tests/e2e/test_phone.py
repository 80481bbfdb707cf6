"""Phones (390 x 844): the language switch is reachable from the collapsed sidebar and chart text stays legible.
(Every page fitting the screen at 390 and 1366 px is checked by the crawl, test_crawl.py.)"""
from __future__ import annotations

import pytest

from .helpers import expect_no_exception, open_page, wait_for_run

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    pg = context.new_page()
    pg.page_errors = []
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))
    yield pg
    context.close()


def test_phone_language_switch_reachable(phone, site):
    """On a phone the sidebar is collapsed: its button opens it, and the language switch changes the URL."""
    page = phone
    open_page(page, site.url, "referrals")
    assert page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true"
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebar").get_by_text("Español").click()
    wait_for_run(page)
    assert "lang=es" in page.url
    assert page.locator("html").get_attribute("lang") == "es"
    expect_no_exception(page)


def test_phone_chart_text_is_legible(phone, site):
    """Plotly text (titles, ticks, legend) stays at least 11 px on a phone."""
    page = phone
    open_page(page, site.url, "overdoses", lang="es")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    sizes = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')]
        .filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize))""")
    assert sizes and min(sizes) >= 11, sorted(sizes)[:5]
