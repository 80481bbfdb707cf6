"""Phones (390 x 844): the language switch is reachable from the collapsed sidebar; chart text stays legible and
no label, link or caption is cut off. These checks need nothing but a page's default view, so they run on the
crawl's phone visits (tests/e2e/test_crawl.py, which also checks every page fits the screen at 390 and 1366 px)
rather than on loads of their own: chart text and cut-off text on every page in both languages, the language
switch on Referrals in both languages."""
from __future__ import annotations

import pytest

from leadsf.i18n import LANGUAGES

from .helpers import expect_no_exception, wait_for_run

pytestmark = pytest.mark.e2e


def language_switch_problems(page, lang: str) -> list[str]:
    """On a phone the sidebar is collapsed: its button opens it, and the language switch (to the other language)
    changes the URL and the page's language. The crawl runs it on its phone visit of Referrals in each language,
    after that visit's checks and screenshot (it changes the page). Streamlit remembers an opened sidebar in
    local storage: that is forgotten afterwards, so the crawl's next visits start with it collapsed."""
    other = "es" if lang == "en" else "en"
    if page.get_by_test_id("stSidebar").get_attribute("data-collapsed") != "true":
        return ["the sidebar is not collapsed on a phone"]
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebar").get_by_text(LANGUAGES[other]).click()
    wait_for_run(page, f"() => location.search.includes('lang={other}') && document.documentElement.lang === '{other}'")
    expect_no_exception(page)
    problems = [] if f"lang={other}" in page.url else [f"the switch to {other} left the address at {page.url}"]
    if page.locator("html").get_attribute("lang") != other:
        problems.append(f"the page's language is not {other} after the switch")
    page.evaluate("""() => Object.keys(localStorage).filter(k => k.startsWith('stSidebarCollapsed'))
        .forEach(k => localStorage.removeItem(k))""")
    return problems


def chart_text_problems(page) -> list[str]:
    """Plotly text (titles, ticks, legend) under 11 px on the page as shown (the crawl runs it on a phone)."""
    if not page.locator('[data-testid="stPlotlyChart"] .main-svg').count():
        return []
    sizes = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')]
        .filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize))""")
    return [] if sizes and min(sizes) >= 11 else [f"chart text under 11 px: {sorted(sizes)[:5]}"]


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


def cut_off(page) -> list[str]:
    """Metric labels and values, links and captions cut off at their box's edge (the crawl runs it on a phone:
    Home's links to the pages behind its answers are the longest)."""
    return [f"cut off: {part}" for part in page.evaluate(_CUT_OFF)]
