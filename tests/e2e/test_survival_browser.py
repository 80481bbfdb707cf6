"""The Outcomes page's time-to-re-arrest section in a real browser, in English and Spanish: the log-rank statement,
the Kaplan-Meier chart drawn with its title, its table view and its CSV (the numbers drawn), the medians, the
share table at 6, 12 and 24 months and the method, with no exception and no console error."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import expect_no_exception, open_page, wait_for_run

pytestmark = pytest.mark.e2e

TEXT = {
    "en": {"header": "Time to re-arrest", "statement": "Time to re-arrest:", "title": "Share not re-arrested",
           "table": "Show as table", "months": "Months since referral", "shares": "Not re-arrested",
           "method": "How time to re-arrest is worked out", "median": "half had been re-arrested by month",
           "unclear": "no clear difference", "clear": "a clear difference"},
    "es": {"header": "Tiempo hasta una nueva detención", "statement": "Tiempo hasta una nueva detención:",
           "title": "Proporción no detenida de nuevo", "table": "Ver como tabla", "months": "Meses desde la remisión",
           "shares": "No detenido de nuevo", "method": "Cómo se calcula el tiempo hasta una nueva detención",
           "median": "la mitad había sido detenida de nuevo en el mes", "unclear": "sin diferencia clara",
           "clear": "una diferencia clara"},
}


def section(page):
    return page.locator('[data-testid="stMain"]')


def download(page, button) -> str:
    """The file a click on `button` downloads, made on click by the session's server (a click reruns nothing:
    ui.download)."""
    button.scroll_into_view_if_needed(timeout=30_000)
    wait_for_run(page)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    return Path(info.value.path()).read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_survival_section(page, site, lang):
    words = TEXT[lang]
    open_page(page, site.url, "outcomes", lang=lang)
    expect_no_exception(page)
    heading = page.get_by_role("heading", name=words["header"], exact=True)
    heading.scroll_into_view_if_needed(timeout=30_000)
    statement = page.locator('[class*="st-key-survival_statement"]')
    statement.wait_for(timeout=30_000)
    text = statement.inner_text()
    assert text.startswith(words["statement"]), text
    # The sample's one-month difference is not clear by the log-rank test (tests/site/test_survival_section.py).
    assert words["unclear"] in text and "p = " in text, text

    # The chart is drawn (plotly's SVG title), with both groups' curves and bands.
    chart = page.locator(".js-plotly-plot").filter(has_text=words["title"])
    chart.first.wait_for(timeout=30_000)
    assert chart.count() == 1
    assert chart.first.locator("g.scatterlayer g.trace").count() == 6

    main = section(page).inner_text()
    assert main.count(words["median"]) == 2, "a median line for each group"
    shares = page.locator('[class*="st-key-survival_shares"] table')
    shares.wait_for(timeout=30_000)
    rows = shares.locator("tbody tr")
    assert rows.count() == 6
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == ["6", "12", "24"]
    assert shares.locator("th").nth(1).inner_text() == words["months"]
    assert shares.locator("th").nth(2).inner_text() == words["shares"]

    # The CSV download is the numbers drawn: both groups, months from 0, shares in %.
    data = download(page, page.locator('[class*="st-key-survival_curves_download"] button'))
    table = list(csv.DictReader(io.StringIO(data)))
    assert {"group", "months_since_referral", "share_pct", "low_pct", "high_pct"} <= set(table[0])
    assert len({r["group"] for r in table}) == 2
    assert table[0]["months_since_referral"] == "0" and float(table[0]["share_pct"]) == 100.0

    # The table view shows the same rows.
    toggle = page.locator('[class*="st-key-survival_curves_as_table"]')
    assert words["table"] in toggle.inner_text()
    grids = page.locator('[data-testid="stDataFrame"]').count()
    toggle.get_by_text(words["table"]).click()
    wait_for_run(page, f"""() => document.querySelectorAll('[data-testid="stDataFrame"]').length > {grids}""")
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.wait_for(timeout=30_000)
    # The grid is drawn on a canvas; its accessible table says how many rows it holds (header included).
    assert grid.locator('[role="grid"]').get_attribute("aria-rowcount") == str(len(table) + 1)

    page.get_by_text(words["method"]).click()  # an expander opens in the browser: no run
    expect(section(page)).to_contain_text("Kaplan-Meier", timeout=30_000)
    expect_no_exception(page)
