"""Phones (390 x 844) and desktop, both languages: no page scrolls sideways, the filters and the language switch
are reachable, charts fit the screen and tables scroll inside themselves. Saves a full-page screenshot of every
page to test-artifacts/screenshots/<lang>-<size>-<page>.png."""
from __future__ import annotations

import pytest

from .helpers import expect_no_exception, open_page, wait_for_run
from .test_site import DEFAULT, EXPECTED, SHOTS

pytestmark = pytest.mark.e2e

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
CHARTS = '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]'
WIDGETS = '[data-testid="stMain"] [data-testid="stSelectbox"], [data-testid="stMain"] [data-testid="stRadio"]'


@pytest.fixture(params=list(SIZES))
def sized_page(browser, request):
    size = request.param
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone",
                                  device_scale_factor=2 if size == "phone" else 1)
    pg = context.new_page()
    pg.page_errors = []
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))
    pg.size_name = size
    yield pg
    context.close()


def overflow(page) -> dict:
    return page.evaluate("""() => {
        const w = window.innerWidth, doc = document.documentElement.scrollWidth;
        const wide = [];
        for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== 'fixed') {
                // inside something that scrolls sideways by itself (a table, a code block) is fine
                let p = el.parentElement, scrolls = false;
                while (p && p !== document.body) {
                    const ox = getComputedStyle(p).overflowX;
                    if ((ox === 'auto' || ox === 'scroll' || ox === 'hidden') && p.getBoundingClientRect().right <= w + 1) {
                        scrolls = true; break; }
                    p = p.parentElement;
                }
                if (!scrolls) wide.push((el.dataset.testid || el.tagName) + ' ' + Math.round(r.right));
            }
        }
        return {inner: w, scroll: doc, wide: wide.slice(0, 8)};
    }""")


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("url_path", EXPECTED)
def test_page_fits_the_screen(sized_page, site, url_path, lang):
    page = sized_page
    open_page(page, site.url, "" if url_path == DEFAULT else url_path, lang=lang)
    expect_no_exception(page)
    page.wait_for_timeout(1000)
    wait_for_run(page)
    info = overflow(page)
    assert info["scroll"] <= info["inner"] + 1, f"{url_path} scrolls sideways at {page.size_name}: {info}"
    assert not info["wide"], f"{url_path}: elements wider than the screen at {page.size_name}: {info['wide']}"
    width = info["inner"]
    for box in [c.bounding_box() for c in page.locator(CHARTS).all()]:
        assert box and box["x"] >= -1 and box["x"] + box["width"] <= width + 1, f"a chart overflows: {box}"
    for frame in page.get_by_test_id("stDataFrame").all():
        box = frame.bounding_box()
        assert box and box["x"] + box["width"] <= width + 1, f"a table is wider than the screen: {box}"
    # Filters in the page body can be reached (scrolled to) and fit the screen.
    for widget in page.locator(WIDGETS).all()[:4]:
        widget.scroll_into_view_if_needed()
        box = widget.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"a filter is off screen: {box}"
    # Streamlit scrolls inside stMain, so a "full page" shot is one screen: grow the window to the content first.
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(800)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lang}-{page.size_name}-{url_path}.png"), full_page=True)


def test_phone_language_switch_reachable(sized_page, site):
    """On a phone the sidebar is collapsed: its button opens it, and the language switch changes the URL."""
    page = sized_page
    if page.size_name != "phone":
        pytest.skip("phone only")
    open_page(page, site.url, "referrals")
    assert page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true"
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebar").get_by_text("Español").click()
    wait_for_run(page)
    assert "lang=es" in page.url
    assert page.locator("html").get_attribute("lang") == "es"
    expect_no_exception(page)


def test_phone_chart_text_is_legible(sized_page, site):
    """Plotly text (titles, ticks, legend) stays at least 11 px on a phone."""
    page = sized_page
    if page.size_name != "phone":
        pytest.skip("phone only")
    open_page(page, site.url, "overdoses", lang="es")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    sizes = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')]
        .filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize))""")
    assert sizes and min(sizes) >= 11, sorted(sizes)[:5]
