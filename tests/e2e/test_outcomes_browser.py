"""Outcomes and Cost in a real browser: the cost page's jail-day input moves the result and the URL keeps it;
Home's answer links reach both pages. Both pages are in leadsf.site.nav.PAGES, so the crawl (tests/e2e/test_crawl.py:
every page, both languages, desktop and phone, console, charts, fit) and the axe scan cover them too."""
from __future__ import annotations

import re

import pytest

from .helpers import expect_no_exception, open_page, wait_for_run

pytestmark = pytest.mark.e2e

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
