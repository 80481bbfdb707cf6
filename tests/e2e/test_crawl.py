"""Every page of the router (leadsf.site.nav.PAGES, so a page added there is crawled at once), in its default view,
in both languages, on a desktop (1366 x 900) and a phone (390 x 844), as a new visitor opening its address.

Each view fails on: an exception or console error, a request to any host but the site, a Plotly chart with an
axis without data, a line chart that draws no line although it shows two or more points, a metric whose
label or value is cut off, anything wider than the screen that does not scroll inside itself, a chart or
table wider than the screen, on the desktop visit a serious or critical axe violation, and on the phone visit
chart text under 11 px or a label, link or caption cut off (test_phone.py's checks). Checks of one page's default
view from other files run on its visit here too (Cost's headline: test_outcomes_browser.py; after the
screenshot, the phone's language switch on Referrals: test_phone.py), instead of loading the page again. With
--screenshots (`make screenshots`), a full-page screenshot of each view goes to
test-artifacts/screenshots/<lang>-<size>-<page>.png: they are for people to look at, so a plain test run, which
nobody looks through, skips them (~0.5 s of CPU each)."""
from __future__ import annotations

import pytest

from bench.server import Server
from leadsf.site import nav

from .helpers import chart_problems, clear_watch, cut_metrics, expect_no_exception, open_page, wait_for_charts, watch
from .test_accessibility import axe_problems
from .test_outcomes_browser import cost_headline_problems
from .test_phone import chart_text_problems, cut_off, language_switch_problems
from .test_site import SHOTS

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
CHARTS = '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]'
WIDGETS = '[data-testid="stMain"] [data-testid="stSelectbox"], [data-testid="stMain"] [data-testid="stRadio"]'
# A page's own checks of its default view, by (screen size, page key): they take the page and the language.
PAGE_CHECKS = {("desktop", "cost"): cost_headline_problems}
# Checks that act on the page (a click): after the screenshot, on the page as the visit left it.
PAGE_ACTIONS = {("phone", "referrals"): language_switch_problems}


@pytest.fixture(scope="module", params=list(SIZES))
def visitor(browser, tabs, site, request):
    """One browser tab per screen size, reused for every page (each visit is still a fresh load): on the
    desktop a tab of the worker's shared profile, on the phone a profile of its own (a phone's screen is a
    property of the profile)."""
    size = request.param
    if size == "desktop":
        page = tabs.new_tab()
        page.set_viewport_size(SIZES[size])
    else:
        context = browser.new_context(viewport=SIZES[size], is_mobile=True, has_touch=True, device_scale_factor=2)
        page = context.new_page()
    watch(page, site.url)
    page.size_name = size
    yield page
    if size == "desktop":
        tabs.done(page)
    else:
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


def fit_problems(page) -> list[str]:
    info = overflow(page)
    width = info["inner"]
    out = []
    if info["scroll"] > width + 1:
        out.append(f"the page scrolls sideways: {info}")
    if info["wide"]:
        out.append(f"elements wider than the screen: {info['wide']}")
    for box in [c.bounding_box() for c in page.locator(CHARTS).all()]:
        if not box or box["x"] < -1 or box["x"] + box["width"] > width + 1:
            out.append(f"a chart overflows: {box}")
    for frame in page.get_by_test_id("stDataFrame").all():
        box = frame.bounding_box()
        if not box or box["x"] + box["width"] > width + 1:
            out.append(f"a table is wider than the screen: {box}")
    # Filters in the page body can be reached (scrolled to) and fit the screen.
    for widget in page.locator(WIDGETS).all()[:4]:
        widget.scroll_into_view_if_needed()
        box = widget.bounding_box()
        if not box or box["x"] < 0 or box["x"] + box["width"] > width + 1:
            out.append(f"a filter is off screen: {box}")
    return out


def screenshot(page, name: str) -> None:
    """Streamlit scrolls inside stMain, so a "full page" shot is one screen: grow the window to the content,
    then give it back its size for the next page. One image pixel per CSS pixel (the layout as laid out): the
    phone's twice-as-dense pixels made each phone shot cost chromium 0.4 s of CPU instead of 0.17 s."""
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    wait_for_charts(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True, scale="css")
    page.set_viewport_size(size)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("spec", nav.PAGES, ids=[p.key for p in nav.PAGES])
def test_default_view_says_something(visitor, site, spec, lang, pytestconfig):
    page = visitor
    clear_watch(page)
    open_page(page, site.url, spec.url_path, lang=lang)
    wait_for_charts(page)
    expect_no_exception(page)
    problems = [f"console error: {e}" for e in page.console_errors]
    problems += [f"request to another host: {r}" for r in page.foreign_requests]
    problems += chart_problems(page)
    problems += [f"metric cut off: {m}" for m in cut_metrics(page)]
    problems += fit_problems(page)
    if page.size_name == "desktop":  # one axe scan per page and language, on the load made here anyway
        problems += axe_problems(page, f"{lang}-{spec.key}")
    else:
        problems += chart_text_problems(page) + cut_off(page)
    if check := PAGE_CHECKS.get((page.size_name, spec.key)):
        problems += check(page, lang)
    if pytestconfig.getoption("screenshots"):
        screenshot(page, f"{lang}-{page.size_name}-{spec.key}.png")
    if act := PAGE_ACTIONS.get((page.size_name, spec.key)):
        problems += act(page, lang)
    problems += [f"console error: {e}" for e in page.console_errors]  # late ones (maps draw after the run)
    assert not problems, f"/{spec.url_path}?lang={lang} at {page.size_name}:\n" + "\n".join(dict.fromkeys(problems))


def test_the_checks_catch_each_defect(tabs, tmp_path):
    """The crawl's checks on a page made of defects (canary_app.py): each one is reported, a good line chart
    is not."""
    with Server(tmp_path / "store", tmp_path / "canary.log", script="tests/e2e/canary_app.py") as server:
        server.wait_healthy()
        page = tabs.new_tab()
        try:
            page.set_viewport_size(SIZES["desktop"])
            watch(page, server.url)
            open_page(page, server.url, "")
            wait_for_charts(page)
            page.get_by_test_id("stMetric").wait_for()
            charts = "\n".join(chart_problems(page))
            assert "'no data' shows no data" in charts, charts
            assert "'one dot each' draws no line" in charts and "'two dots two gaps' draws no line" in charts, charts
            assert "'a line'" not in charts, charts
            assert {m.split(":")[0] for m in cut_metrics(page)} == {"stMetricLabel", "stMetricValue"}
            assert any("foreign.invalid" in r for r in page.foreign_requests), page.foreign_requests
            assert any("canary error" in e for e in page.console_errors), page.console_errors
            assert any(p.startswith("axe image-alt (critical)") for p in axe_problems(page, "canary")), \
                "axe missed the image without alt text"
        finally:
            tabs.done(page)  # while its server still answers
