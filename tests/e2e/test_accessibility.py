"""WCAG 2.1 AA in a real browser: the page declares its language and can be used from the keyboard. axe-core
(bundled by axe-playwright-python) must find no serious or critical violation on any page in either language:
that scan runs inside the crawl's desktop visit of each page (tests/e2e/test_crawl.py, axe_problems below), and
writes test-artifacts/axe/<lang>-<page>.json for the report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadsf.i18n import messages

from .conftest import VIEWPORT
from .helpers import expect_no_exception, open_page, wait_for_page, wait_for_run

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-artifacts" / "axe"
# Home after the switch to Spanish, as a visitor sees it: the address and the heading in Spanish.
SPANISH_HOME = """() => location.search.includes('lang=es')
    && document.querySelector('[data-testid="stHeading"]')?.innerText.startsWith('LEAD Santa Fe: ¿funciona')"""
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def run_axe(page) -> dict:
    """Every serious or critical violation axe finds on the whole page, Streamlit's own parts included: the
    markup of the menu and the page frame is ours to choose (no exclusions)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS},
                                       "resultTypes": ["violations"]})
    return {"violations": [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                            "nodes": [{"target": n["target"], "html": n["html"][:300],
                                       "summary": n.get("failureSummary", "")[:400]} for n in v["nodes"]]}
                           for v in results.response["violations"]]}


def axe_problems(page, name: str) -> list[str]:
    """axe on the page as it is: its results go to test-artifacts/axe/<name>.json; returns the serious and
    critical violations. The crawl (tests/e2e/test_crawl.py) runs it on every page in both languages, on the
    desktop visit it makes anyway."""
    result = run_axe(page)
    OUT.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for v in result["violations"]:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    (OUT / f"{name}.json").write_text(json.dumps({"counts": counts, **result}, indent=1, ensure_ascii=False),
                                      encoding="utf-8")
    return [f'axe {v["id"]} ({v["impact"]}): {v["help"]} -> {[n["target"] for n in v["nodes"]][:5]}'
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _tab_to(page, predicate_js: str, limit: int = 120) -> bool:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return True
    return False


def test_keyboard_only_choose_an_area_and_open_its_profile(page, site):
    """Without the map: Tab to the area list, type, Enter; then Tab to the profile link and press Enter."""
    open_page(page, site.url, "maps", measure="referrals.all", lang="en")
    page.locator(".st-key-map_area input").wait_for(timeout=30_000)
    assert _tab_to(page, "() => !!document.activeElement.closest('.st-key-map_area')"), "area list not reachable"
    page.keyboard.type("87501")
    page.keyboard.press("Enter")
    # The run the choice starts shows the chosen area's profile link.
    wait_for_run(page, """() => [...document.querySelectorAll('[data-testid="stMain"] a[href*="area="]')]
        .some(a => a.innerText.includes('87501'))""")
    assert _tab_to(page, "() => (document.activeElement.getAttribute('href') || '').includes('area=')"), \
        "profile link not reachable by Tab"
    page.keyboard.press("Enter")
    page.wait_for_url("**/area?**", timeout=30_000)
    wait_for_page(page, messages("en")["profile.title"])
    expect_no_exception(page)
    assert "area=87501" in page.url, page.url


def test_keyboard_focus_is_visible(page, site):
    """Every control reached by Tab on a filter page shows a focus indicator (outline or box-shadow)."""
    open_page(page, site.url, "referrals", lang="es")
    missing = []
    for _ in range(25):
        page.keyboard.press("Tab")
        style = page.evaluate("""() => { const el = document.activeElement; if (!el || el === document.body) return null;
            const s = getComputedStyle(el); const p = el.parentElement ? getComputedStyle(el.parentElement) : s;
            const q = el.closest('label') ? getComputedStyle(el.closest('label')) : s;
            return {tag: el.tagName + ' ' + (el.getAttribute('aria-label') || el.textContent || '').slice(0, 30),
                    shown: [s, p, q].some(x => (x.outlineStyle !== 'none' && parseFloat(x.outlineWidth) > 0)
                                            || (x.boxShadow && x.boxShadow !== 'none'))
                           }; }""")
        if style and not style["shown"]:
            missing.append(style["tag"])
    assert not missing, f"no visible focus on: {missing}"


def test_language_from_browser_url_and_kept_across_pages(browser, site):
    """First visit from a Spanish browser is in Spanish (st.context.locale); ?lang=en wins; a choice made with
    the switch stays in the URL and survives moving to another page."""
    context = browser.new_context(locale="es-ES", viewport=VIEWPORT)
    try:
        page = context.new_page()
        open_page(page, site.url, "")
        assert page.get_by_test_id("stHeading").first.inner_text().startswith("LEAD Santa Fe: ¿funciona")
        assert page.locator("html").get_attribute("lang") == "es"
        open_page(page, site.url, "", lang="en")
        assert page.get_by_test_id("stHeading").first.inner_text().startswith("LEAD Santa Fe: is")
        page.get_by_test_id("stSidebar").get_by_text("Español").click()
        wait_for_run(page, SPANISH_HOME)
        assert "lang=es" in page.url
        page.get_by_test_id("stSidebarNavLink").nth(1).click()
        wait_for_page(page, messages("es")["referrals.title"])
        assert "referrals" in page.url
        assert "lang=es" in page.url, page.url
    finally:
        context.close()
