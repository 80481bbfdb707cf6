"""The maps page in a real browser: deck.gl canvas, the legend with its text swatches, switching measure; no
console error and no request to another host (no base map is configured) on the way."""
import io
import time

import pytest
from PIL import Image

from leadsf.i18n import messages
from tests.e2e.helpers import expect_no_exception, open_page, wait_for_run, watch
from tests.e2e.test_site import SHOTS

pytestmark = pytest.mark.e2e
CANVAS = '[data-testid="stDeckGlJsonChart"] canvas'


def assert_map_drawn(page) -> None:
    """The deck actually paints areas: a blank canvas is one colour (deck.gl logs layer errors, not raises).
    deck.gl paints a few frames after the element is there: look again until it has, for up to 30 s."""
    deadline = time.monotonic() + 30
    while True:
        shot = Image.open(io.BytesIO(page.locator('[data-testid="stDeckGlJsonChart"]').screenshot()))
        colours = shot.convert("RGB").getcolors(maxcolors=1_000_000)
        if len(colours) > 20 or time.monotonic() > deadline:
            break
    assert len(colours) > 20, f"the map canvas is blank ({len(colours)} colours)"
    assert not [m for m in page.deck_messages if "initialization of" in m], page.deck_messages


def test_maps_canvas_legend_and_switching_measure(page, site):
    watch(page, site.url)
    page.deck_messages = []
    page.on("console", lambda msg: page.deck_messages.append(msg.text) if msg.text.startswith("deck:") else None)
    open_page(page, site.url, "maps", measure="property_crime.all")
    expect_no_exception(page)
    page.wait_for_selector(CANVAS, timeout=30_000)
    assert_map_drawn(page)
    legend = page.get_by_test_id("stHtml").filter(has_text="suppressed")
    assert legend.count() >= 1, "the legend with a text swatch for suppressed areas is missing"
    no_data = messages("en")["maps.no_data"]
    assert no_data in legend.first.inner_text(), f"the legend's swatch for areas with {no_data!r} is missing"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "maps-property-crime.png"), full_page=True)

    page.locator(".st-key-map_measure").click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    options.filter(has_text="Referr").first.click()
    wait_for_run(page, "() => location.search.includes('measure=referrals')")
    expect_no_exception(page)
    assert "measure=referrals" in page.url, page.url
    page.wait_for_selector(CANVAS, timeout=30_000)
    assert_map_drawn(page)
    page.screenshot(path=str(SHOTS / "maps-referrals.png"), full_page=True)
    assert not page.console_errors and not page.foreign_requests, (page.console_errors, page.foreign_requests)
