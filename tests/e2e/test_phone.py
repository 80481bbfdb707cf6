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
    wait_for_run(page, "() => location.search.includes('lang=es') && document.documentElement.lang === 'es'")
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


# Text cut off at its box's edge: a metric's label or value, a page link, a caption (an ellipsis or a clipped
# line). Streamlit draws page links and metric labels on one line, so a long translation is cut, not wrapped.
_CUT_OFF = """() => {
    const cut = [];
    const parts = [
        ...document.querySelectorAll('[data-testid="stMetricLabel"], [data-testid="stMetricValue"]'),
        ...document.querySelectorAll('[data-testid="stPageLink"], [data-testid="stPageLink-NavLink"]'),
        ...document.querySelectorAll('[data-testid="stCaptionContainer"]'),
        ...document.querySelectorAll('[data-testid="stMain"] a'),
    ];
    for (const part of parts) {
        for (const el of [part, ...part.querySelectorAll('*')]) {
            if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1
                    && getComputedStyle(el).overflowX !== 'auto' && getComputedStyle(el).overflowX !== 'scroll') {
                cut.push((part.dataset.testid || part.tagName) + ': ' + part.innerText.trim().slice(0, 80));
                break;
            }
        }
    }
    return [...new Set(cut)];
}"""


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("path", ["", "area"])
def test_phone_no_label_link_or_caption_cut_off(phone, site, path, lang):
    """At 390 px no metric label or value, link or caption is cut off, in either language (Home's links to the
    pages behind its answers are the longest)."""
    page = phone
    open_page(page, site.url, path, lang=lang)
    page.wait_for_selector('[data-testid="stMain"] a, [data-testid="stPageLink"]', timeout=30_000)
    cut = page.evaluate(_CUT_OFF)
    assert not cut, cut
    expect_no_exception(page)
