"""Area briefs in chromium: a brief prints on at most two Letter pages, and axe finds nothing serious in either
language. The briefs are read from the published sample's tree as files: they need no server, no script runs in
them, and the addresses they link are checked in tests/pipeline/test_briefs.py."""
from __future__ import annotations

import re

import pytest

from leadsf.pipeline import briefs, opendata
from leadsf.pipeline.store import Store
from tests.e2e.test_accessibility import axe_problems

pytestmark = pytest.mark.e2e

# The longest briefs of the sample: the county (four domains) and ZIP areas (three), in both languages.
LONGEST = [("city", "en"), ("city", "es"), ("87501", "en"), ("rest", "es")]


def _url(published_sample, area_id: str, lang: str) -> str:
    folder = opendata.public_root(Store(published_sample)) / "latest" / briefs.FOLDER
    return (folder / briefs.file_name(area_id, lang)).as_uri()


@pytest.mark.parametrize("area_id,lang", LONGEST)
def test_a_brief_prints_on_two_letter_pages(page, published_sample, area_id, lang):
    page.goto(_url(published_sample, area_id, lang))
    pdf = page.pdf(format="Letter")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 1 <= pages <= 2, f"{area_id}.{lang}: {pages} pages"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_axe_finds_nothing_serious_on_a_brief(page, published_sample, lang):
    page.goto(_url(published_sample, "87501", lang))
    assert page.evaluate("document.documentElement.lang") == lang
    assert axe_problems(page, f"{lang}-brief") == []
