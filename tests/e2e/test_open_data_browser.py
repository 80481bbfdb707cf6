"""`make run`'s server (`streamlit run app.py`) in chromium: a chart's source line links its table's permanent
CSV, which downloads under its file name with the exported bytes; the page head links the feeds; About's
release list links every file of the release."""
from __future__ import annotations


import pytest

from bench.server import Server
from leadsf.pipeline import export, opendata
from leadsf.pipeline.store import Store
from tests.conftest import copy_store

from .helpers import expect_no_exception, open_page

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def make_run(published_sample, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("make_run")
    data = tmp / "store"
    copy_store(published_sample, data)
    server = Server(data, tmp / "streamlit.log", script="app.py")
    try:
        server.wait_healthy()
        yield server, Store(data)
    finally:
        server.stop()


def test_a_source_line_downloads_its_tables_permanent_csv(make_run, page):
    server, store = make_run
    open_page(page, server.url, "referrals")
    expect_no_exception(page)
    link = page.get_by_role("link", name="permanent CSV of this table").first
    assert link.get_attribute("href") == "/data/releases/1/referrals.csv"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "lead-santa-fe-release-1-referrals.csv"
    assert open(download.path(), "rb").read() == export.bundle(store, 1)["referrals.csv"]
    feeds = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert sorted(feeds.evaluate_all("els => els.map(e => e.getAttribute('href'))")) == [
        "/data/releases.atom", "/data/releases.es.atom"]


def test_about_links_every_file_of_the_release(make_run, page):
    server, store = make_run
    open_page(page, server.url, "about")
    expect_no_exception(page)
    hrefs = page.locator('a[href^="/data/"]').evaluate_all("els => els.map(e => e.getAttribute('href'))")
    files = opendata.entries(store)[0].files
    assert {opendata.release_url(1, name) for name in files} <= set(hrefs)
    assert opendata.feed_url("en") in hrefs
    for href in hrefs:
        response = page.request.get(server.url + href)
        assert response.status == 200, href
