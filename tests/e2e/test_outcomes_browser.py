"""Outcomes and Cost in a real browser, English and Spanish, desktop and phone: no exception, no script error in
the console, the charts draw and fit the screen, axe finds nothing serious; the cost page's jail-day input moves the result and the URL
keeps it; Home's answer links reach both pages."""
from __future__ import annotations

import re

import pytest

from .helpers import expect_no_exception, open_page, wait_for_run
from .test_crawl import overflow

pytestmark = pytest.mark.e2e

PAGES = ("outcomes", "cost")
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
CHART = '[data-testid="stPlotlyChart"] .main-svg'
# The browser reports failed fetches on the console too: Streamlit's probe of <page>/_stcore/ before the root
# one, and the favicon from the page icon. Those are network messages, not script errors.
NETWORK = re.compile(r"^Failed to load resource")


@pytest.fixture(params=list(SIZES))
def watched(browser, request):
    context = browser.new_context(viewport=SIZES[request.param])
    pg = context.new_page()
    pg.page_errors, pg.console_errors = [], []
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))
    pg.on("console", lambda m: pg.console_errors.append(m.text)
          if m.type == "error" and not NETWORK.match(m.text) else None)
    pg.size_name = request.param
    yield pg
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("url_path", PAGES)
def test_page_opens_clean_and_fits(watched, site, url_path, lang):
    page = watched
    open_page(page, site.url, url_path, lang=lang)
    page.locator(CHART).first.wait_for(timeout=30_000)
    wait_for_run(page)
    expect_no_exception(page)
    assert not page.console_errors, page.console_errors[:3]
    assert page.locator(CHART).count() >= 2
    title = page.locator("h1").first.inner_text()
    assert title.startswith({"outcomes": {"en": "Outcomes", "es": "Resultados"},
                             "cost": {"en": "Cost", "es": "Costo"}}[url_path][lang])
    info = overflow(page)
    assert info["scroll"] <= info["inner"] + 1 and not info["wide"], f"{url_path} at {page.size_name}: {info}"


def test_cost_input_moves_the_result_and_stays_in_the_url(page, site):
    open_page(page, site.url, "cost", lang="en")
    statement = page.locator('[class*="st-key-cost_statement"]')
    before = statement.inner_text()
    box = page.get_by_role("spinbutton", name="Assumed cost of a jail day (USD)")
    box.fill("400")
    box.press("Enter")
    wait_for_run(page)
    page.wait_for_function("() => location.search.includes('jail_day=400')", timeout=15_000)
    assert statement.inner_text() != before
    expect_no_exception(page)
    # The address alone gives the same figures.
    open_page(page, site.url, "cost", lang="en", jail_day="400")
    assert statement.inner_text() != before


def test_home_answer_links_to_both_pages(page, site):
    open_page(page, site.url, "")
    answer = page.locator('[class*="st-key-home_answer"]')
    answer.wait_for(timeout=30_000)
    for label, url_path in (("See every outcome", "outcomes"), ("See the costs", "cost")):
        open_page(page, site.url, "")
        page.get_by_role("link", name=re.compile(label)).click()
        page.wait_for_url(re.compile(rf"/{url_path}\b"), timeout=30_000)
        wait_for_run(page)
        expect_no_exception(page)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("url_path", PAGES)
def test_axe_no_serious_or_critical(page, site, url_path, lang):
    from .test_accessibility import run_axe

    open_page(page, site.url, url_path, lang=lang)
    page.locator(CHART).first.wait_for(timeout=30_000)
    wait_for_run(page)
    result = run_axe(page)
    bad = [f'{v["id"]} ({v["impact"]}): {v["help"]} -> {[n["target"] for n in v["nodes"]][:5]}'
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(bad)
