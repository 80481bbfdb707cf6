"""A page's warm run only draws: what it shows for a release, language and filters is made once (its
ui.per_release view) and shared, so a rerun or another visitor's run hashes no frame and runs no query.
That is what lets two processes serve 150 visitors (bench/bench_proxy.py)."""
import pytest

from leadsf import memo
from leadsf.pipeline.db import PublicRelease
from leadsf.site import nav
from tests import outcomes_fixture
from tests.site.test_pages_public import run_page

PAGES = [spec.module for spec in nav.PUBLIC]
PARAMS = {"area_profile": {"area": "87501"}}


@pytest.mark.parametrize("page", PAGES)
def test_a_warm_run_hashes_no_frame_and_runs_no_query(store, monkeypatch, page):
    outcomes_fixture.install(store, monkeypatch)
    first = run_page(page, PARAMS.get(page), timeout=120)
    assert not first.exception, first.exception
    work = []
    digest, run = memo._digest, PublicRelease.run
    monkeypatch.setattr(memo, "_digest", lambda frame: work.append("a frame's digest") or digest(frame))
    monkeypatch.setattr(PublicRelease, "run", lambda self, name, **p: work.append(name) or run(self, name, **p))
    again = first.run()
    assert not again.exception, again.exception
    assert work == [], f"{page}'s warm run did {work}"
    assert again.get("plotly_chart") or again.get("deck_gl_json_chart") or page == "about"


def test_the_view_is_made_again_for_another_language(store, monkeypatch):
    outcomes_fixture.install(store, monkeypatch)
    run_page("referrals")
    made = []
    digest = memo._digest
    monkeypatch.setattr(memo, "_digest", lambda frame: made.append(1) or digest(frame))
    at = run_page("referrals", lang="es")
    assert made and "Remisiones" in " ".join(h.value for h in at.title)
