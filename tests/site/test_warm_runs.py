"""A page's warm run only draws: what it shows for a release, language and filters is made once (its
ui.per_release view, the one cache) and shared, so a rerun or another visitor's run makes no view, builds no
figure and runs no query. That is what lets two processes serve 150 visitors (bench/bench_proxy.py)."""
import pytest

from leadsf.pipeline.db import PublicRelease
from leadsf.site import charts, nav
from leadsf.site.ui import data
from tests import outcomes_fixture
from tests.site.test_pages_public import run_page

PAGES = [spec.module for spec in nav.PUBLIC]
PARAMS = {"area_profile": {"area": "87501"}}


def record_work(monkeypatch) -> list:
    """What a run makes beneath the view cache: each view made, figure built and query run, by name."""
    work = []
    view, build, run = data._view, charts.build_figure, PublicRelease.run

    def made(key, make):
        return view(key, lambda: work.append(f"view {key[3]}.{key[4]}") or make())

    monkeypatch.setattr(data, "_view", made)
    monkeypatch.setattr(charts, "build_figure", lambda *a, **k: work.append("a figure") or build(*a, **k))
    monkeypatch.setattr(PublicRelease, "run", lambda self, name, **p: work.append(name) or run(self, name, **p))
    return work


@pytest.mark.parametrize("page", PAGES)
def test_a_warm_run_makes_no_view_and_runs_no_query(store, monkeypatch, page):
    outcomes_fixture.install(store, monkeypatch)
    first = run_page(page, PARAMS.get(page), timeout=120)
    assert not first.exception, first.exception
    work = record_work(monkeypatch)
    again = first.run()
    assert not again.exception, again.exception
    assert work == [], f"{page}'s warm run did {work}"
    assert again.get("plotly_chart") or again.get("deck_gl_json_chart") or page == "about"


def test_the_view_is_made_again_for_another_language(store, monkeypatch):
    outcomes_fixture.install(store, monkeypatch)
    run_page("referrals")
    work = record_work(monkeypatch)
    at = run_page("referrals", lang="es")
    assert any(w.startswith("view ") for w in work) and "Remisiones" in " ".join(h.value for h in at.title)
