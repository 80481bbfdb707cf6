"""The site's links to the permanent addresses (leadsf.pipeline.opendata): every chart's source line names
the CSV of its table in the release shown, and About lists every release with its addresses and status."""
from __future__ import annotations

import re

import pytest

from leadsf import i18n
from leadsf.pipeline import opendata, publishing
from leadsf.pipeline.published import PUBLIC_TABLES
from leadsf.site.ui.frame import source_table
from tests.site.test_pages_public import run_page

LINK = re.compile(r"\]\((/data/releases/(\d+)/([a-z_]+\.csv))\)")


def source_keys() -> list[str]:
    """Every chart source the site can name: the `source` messages of the page namespaces."""
    return sorted(k for k in i18n.messages("en") if re.fullmatch(r"[a-z_]+\.source(_[a-z_]+)?", k)
                  and not k.startswith(("about.", "ui.")))


def test_every_source_line_has_a_public_table(sample):
    keys = source_keys()
    assert len(keys) >= 15
    files = set(opendata.entries(sample)[0].files)
    for key in keys:
        assert source_table(key) in PUBLIC_TABLES, key
        assert f"{source_table(key)}.csv" in files, key


@pytest.mark.parametrize("page, table", [("referrals", "referrals"), ("overdoses", "overdoses"),
                                         ("property_crime", "property_crime")])
def test_a_charts_source_line_links_its_tables_csv(sample, page, table):
    at = run_page(page)
    lines = [c.value for c in at.caption if c.value.startswith("Source:")]
    assert lines
    root = opendata.public_root(sample)
    for line in lines:
        (url, version, name), = LINK.findall(line)
        assert version == str(sample.current())
        assert opendata.resolve(root, url.removeprefix(opendata.URL_PREFIX)) is not None, url
    assert any(name == f"{table}.csv" for line in lines for _, _, name in LINK.findall(line))


def test_about_lists_every_release_its_addresses_and_the_feeds(revised_store):
    def lines(lang: str = "en") -> list[str]:
        return [m.value for m in run_page("about", lang=lang).markdown if "/data/releases" in m.value]

    publishing.rollback(revised_store, 1, who="test")
    text, *releases = lines()
    assert "/data/releases.atom" in text and "/data/releases.es.atom" in text and "/data/releases.json" in text
    assert [r.split(",")[0] for r in releases] == ["Release 2", "Release 1"]
    assert "rolled back on" in releases[0] and releases[1].split("\n")[0].rstrip().endswith("live.")
    assert "/data/releases/2/referrals.csv" in releases[0] and "/data/releases/1/datapackage.json" in releases[1]
    _, *es = lines("es")
    assert es[0].startswith("Versión 2") and "revertida el" in es[0]
