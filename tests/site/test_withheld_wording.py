"""Issue 27: one wording for every withheld cell, in both languages, that never says or implies the value is
small. Primary and complementary cells look the same in numbers (docs/privacy.md#one-marker-built-from-published-tables-only:
"every withheld count has the same marker"), so they must in words too: no user-facing text (any
locale string, any rendered page, the feeds, the export's notes) says a withheld cell is "fewer than 11"."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from leadsf import config, i18n
from leadsf.pipeline.export import write_bundle
from leadsf.pipeline.store import Store
from leadsf.site import nav

LOCALES = config.ROOT / "leadsf" / "locales"
# "fewer than 11" and its forms: the threshold plus one, written out or as a placeholder, in both languages.
SMALL = re.compile(r"(fewer than|less than|menos de|under)\s+(11|\{min_shown\}|\{min_people\}|eleven|once)\b",
                   re.IGNORECASE)
# A sentence that speaks of a withheld cell. (A rule about something else, such as a cohort of fewer than 11
# people being merged with its neighbours, is no size given to a withheld cell.)
WITHHELD = re.compile(r"suppress|withh|suprim|reten|protegid", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.;:!?\n])\s+|\\n")


def says_small(text: str) -> list[str]:
    """The sentences of `text` that speak of a withheld cell and give it a size."""
    return [s for s in SENTENCE.split(text) if WITHHELD.search(s) and SMALL.search(s)]


ONE_WORD = {"en": "suppressed", "es": "suprimido"}
STEM = {"en": "suppressed", "es": "suprimid"}  # Spanish agrees with its noun: una cifra suprimida


def strings(lang: str) -> dict[str, str]:
    out = {}
    for path in sorted((LOCALES / lang).glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            out[f"{path.stem}.{key}"] = text
    return out


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_no_locale_string_calls_a_withheld_cell_small(lang):
    found = {key: says_small(text) for key, text in strings(lang).items() if says_small(text)}
    assert not found, found


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_one_wording_for_every_withheld_cell(lang):
    s = strings(lang)
    word = ONE_WORD[lang]
    # Cards, tables, bar labels, the short form beside a metric, the year steps' hover, the alt text's count.
    for key in ("ui.withheld", "ui.withheld_short", "backbone.withheld", "a11y.suppressed"):
        assert s[key] == word, key
    # The chart mark's legend entry and hover, the reason under a card: the same word, and no size.
    for key in ("charts.withheld_marker", "charts.withheld_hover", "ui.withheld_reason"):
        assert s[key].lower().startswith(word), key
    for key in ("outcomes.statement_none", "outcomes.not_computable", "cost.statement_none"):
        assert STEM[lang] in s[key].lower(), key


def page_text(at: AppTest) -> str:
    """Every element a run drew, as its protobuf text: labels, values, help, captions, chart specs (legend,
    hover, alt text) and table data."""
    parts, blocks = [], [at.main, at.sidebar]
    while blocks:
        node = blocks.pop()
        for child in getattr(node, "children", {}).values():
            if getattr(child, "children", None):
                blocks.append(child)
            proto = getattr(child, "proto", None)
            if proto is not None:
                parts.append(str(proto))
    return "\n".join(parts)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("page", [p.module for p in nav.PUBLIC])
def test_no_rendered_page_calls_a_withheld_cell_small(sample, page, lang):
    at = AppTest.from_string(f"from leadsf import i18n\ni18n.set_language({lang!r})\n"
                             f"from pages import {page}\n{page}.render()", default_timeout=90)
    try:
        at.run()
    finally:
        i18n.set_language("en")
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert len(text) > 1000  # the page drew
    assert not says_small(text), says_small(text)


def test_feeds_and_export_notes_say_no_size(published_sample, tmp_path):
    store = Store(published_sample)
    public = Path(published_sample) / "public"
    feeds = {p.name: p.read_text(encoding="utf-8") for p in public.glob("releases*.atom")}
    assert set(feeds) == {"releases.atom", "releases.es.atom"}
    files = write_bundle(store, store.current(), tmp_path)
    package = next(f for f in files if f.name == "datapackage.json").read_text(encoding="utf-8")
    for name, text in [*feeds.items(), ("datapackage.json", package)]:
        assert not says_small(text), (name, says_small(text))
    # The whole area is Santa Fe County in the export's notes and in each feed's "what changed".
    assert "Santa Fe County as a whole" in package
    assert "(Santa Fe County)" in feeds["releases.atom"] and "(condado de Santa Fe)" in feeds["releases.es.atom"]
    assert "Whole area" not in feeds["releases.atom"] and "Toda el área" not in feeds["releases.es.atom"]
