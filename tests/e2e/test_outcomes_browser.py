"""Outcomes and Cost in a real browser, in English and Spanish: the pooled statement says which cohorts it
covers (the same cohorts before and after) and the charts draw; the Cost headline is each group's change from
before to after referral (cost_headline_problems, run on the crawl's visit of Cost); the cost page's jail-day
input moves the result and the URL keeps it; Home's answer links reach both pages. Both pages are in
leadsf.site.nav.PAGES, so the crawl (tests/e2e/test_crawl.py: every page, both languages, desktop and phone,
console, charts, fit) and the axe scan cover them too."""
from __future__ import annotations

import json
import re

import pytest

from leadsf.i18n import messages

from .helpers import chart_problems, expect_no_exception, open_page, wait_for_charts, wait_for_page, wait_for_run

pytestmark = pytest.mark.e2e

OUTCOMES = {"en": ("All cohorts here are", "the same cohorts", "All cohorts"),
            "es": ("Todas las cohortes son aquí", "las mismas cohortes", "Todas las cohortes")}
COST = {"en": ("criminal-justice cost per person-year changed by", "for LEAD", "not a tested difference",
               "All cohorts (pooled)"),
        "es": ("el costo de la justicia penal por persona-año cambió", "para LEAD", "no una diferencia comprobada",
               "Todas las cohortes (juntas)")}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_outcomes_pooled_statement_names_its_cohorts(page, site, lang):
    open_page(page, site.url, "outcomes", lang=lang, measure="jail_days", window="12m")
    statement = page.locator('[class*="st-key-outcomes_statement"]')
    statement.wait_for(timeout=30_000)
    text = statement.inner_text()
    opening, same, _ = OUTCOMES[lang]
    assert opening in text and same in text
    assert re.search(r"20\d\d", text.split(opening)[1]), "the covered cohorts are named"
    if lang == "es":
        assert "All cohorts" not in text and "clear difference" not in text
    wait_for_charts(page)
    assert not chart_problems(page)
    expect_no_exception(page)
    # One cohort: its own figure, no pooled note.
    cohort = re.search(r"(20\d\d)", text.split(opening)[1]).group(1)
    open_page(page, site.url, "outcomes", lang=lang, measure="jail_days", window="12m", cohort=cohort)
    assert opening not in page.locator('[class*="st-key-outcomes_statement"]').inner_text()
    expect_no_exception(page)


def cost_headline_problems(page, lang: str) -> list[str]:
    """Cost's default view as shown: its headline is each group's change from before to after referral (a fall
    and a rise, not a tested difference) and its first chart is the pooled cohorts. The crawl
    (tests/e2e/test_crawl.py) runs it on its desktop visit of Cost in each language, after its own checks of
    the charts and the page."""
    statement = page.locator('[class*="st-key-cost_statement"]')
    statement.wait_for(timeout=30_000)
    text = statement.inner_text()
    change, lead, untested, pooled = COST[lang]
    problems = [f"the Cost headline lacks {part!r}: {text!r}" for part in (change, lead, untested) if part not in text]
    if not (re.search(r"[-−]\D{0,4}\d", text) and re.search(r"\+\D{0,4}\d", text)):
        problems.append(f"the Cost headline shows no fall and rise: {text!r}")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    if pooled not in chart.inner_text():
        problems.append(f"Cost's first chart is not {pooled!r}")
    return problems


def test_cost_input_moves_the_result_and_stays_in_the_url(page, site):
    open_page(page, site.url, "cost", lang="en")
    statement = page.locator('[class*="st-key-cost_statement"]')
    before = statement.inner_text()
    box = page.get_by_role("spinbutton", name="Assumed cost of a jail day (USD)")
    box.fill("400")
    box.press("Enter")
    # What this run shows is the statement's new figure. The address alone is not enough to wait on: it
    # changes as the run starts, and a browser may draw that before it marks the app as running.
    statement_moved = ("() => { const s = document.querySelector('[class*=\"st-key-cost_statement\"]');"
                       f" return !!s && s.innerText !== {json.dumps(before)}; }}")
    wait_for_run(page, statement_moved)
    assert "jail_day=400" in page.url, page.url
    expect_no_exception(page)
    # The address alone gives the same figures.
    open_page(page, site.url, "cost", lang="en", jail_day="400")
    assert statement.inner_text() != before


def test_home_answer_links_to_both_pages(page, site):
    answer = page.locator('[class*="st-key-home_answer"]')
    for label, url_path in (("See every outcome", "outcomes"), ("See the costs", "cost")):
        open_page(page, site.url, "")
        answer.wait_for(timeout=30_000)
        page.get_by_role("link", name=re.compile(label)).click()
        page.wait_for_url(re.compile(rf"/{url_path}\b"), timeout=30_000)
        wait_for_page(page, messages("en")[f"{url_path}.title"])
        expect_no_exception(page)
