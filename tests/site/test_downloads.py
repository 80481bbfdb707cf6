"""Every download on a public page is made when it is clicked, never sent or fetched with the page, and is made
from the release and in the language the visitor saw."""
import threading

import pytest

from leadsf import i18n
from leadsf.site import nav
from leadsf.site.ui import data
from tests import outcomes_fixture
from tests.site.test_pages_public import run_page

PAGES = [spec.module for spec in nav.PUBLIC]
PARAMS = {"area_profile": {"area": "87501"}}  # an area, so the profile draws its domains and download


@pytest.mark.parametrize("page", PAGES)
def test_public_downloads_are_made_on_click(store, monkeypatch, page):
    outcomes_fixture.install(store, monkeypatch)
    at = run_page(page, PARAMS.get(page), timeout=120)
    buttons = at.get("download_button")
    assert buttons, f"{page} has no download"
    for b in buttons:
        # With bytes, Streamlit gives the button a URL and the browser GETs the whole file at every draw.
        assert b.proto.deferred_file_id and not b.proto.url, (page, b.proto.label)


def test_a_download_is_made_from_the_release_and_language_seen(empty_store, monkeypatch):
    live = {"version": 1}
    monkeypatch.setattr(data.Releases, "current", lambda self: live["version"])
    monkeypatch.setattr(data, "_open", lambda root, version: f"release {version}")
    i18n.set_language("es")
    try:
        make = data.as_seen(lambda suffix: (data.release(), i18n.language(), suffix), "csv")
    finally:
        i18n.set_language("en")
    live["version"] = 2  # a publish between the page's run and the click

    made = []
    clicked = threading.Thread(target=lambda: made.append(make()))  # Streamlit calls it off the script thread
    clicked.start()
    clicked.join()
    assert made == [("release 1", "es", "csv")]
    assert (data.release(), i18n.language()) == ("release 2", "en"), "the visitor's context leaked out"


def test_a_run_reads_one_release_throughout(empty_store, monkeypatch):
    """begin_run pins the run's thread to the release live when it began: a publish during the run shows at the
    next run, and never in another thread."""
    live = {"version": 1}
    monkeypatch.setattr(data.Releases, "current", lambda self: live["version"])
    monkeypatch.setattr(data, "_open", lambda root, version: f"release {version}")
    seen = []

    def run():
        seen.append(data.begin_run())
        live["version"] += 1  # a publish while the page runs
        seen.append((data.release(), data.live()[1]))

    for _ in range(2):
        t = threading.Thread(target=run)
        t.start()
        t.join()
    assert seen == ["release 1", ("release 1", "release 1"), "release 2", ("release 2", "release 2")]
    assert data.release() == "release 3", "a run's pin leaked out of its thread"
