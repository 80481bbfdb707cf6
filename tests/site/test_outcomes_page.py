"""Outcomes page through AppTest: the statement follows the difference in differences, cohort sizes are always on
the chart and in the table, filters live in the URL, withheld cells read "suppressed", and the page says so
plainly when a release has no outcome data."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from leadsf.site import outcome_views as ov
from tests import outcomes_fixture
from tests.site.test_pages_public import run_page
from tests.test_i18n import english_in, texts_with_tables

SUPPRESSED = "suppressed"


def run(query_params: dict | None = None, lang: str = "en") -> AppTest:
    return run_page("outcomes", query_params, lang, timeout=120)


@pytest.fixture
def outcomes_store(store, monkeypatch):
    outcomes_fixture.install(store, monkeypatch)
    return store


def published(store) -> pd.DataFrame:
    from leadsf.pipeline.db import open_release

    return open_release(store, store.current()).run("outcomes_cells")


def plotly_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_defaults_show_statement_charts_and_sizes(outcomes_store):
    at = run()
    assert at.title[0].value == "Outcomes: what happened after referral"
    rows = published(outcomes_store)
    cells = ov.cells(rows, "any_arrest", "6m")
    did = ov.did_table(cells, "any_arrest", "6m", ov.dispersion(rows, "any_arrest")).set_index("cohort").loc["all"]
    statement = ov.statement("any_arrest", "6m", did)
    assert any(m.value == statement for m in at.markdown)
    assert ("no clear difference" in statement) == (not did["clear"])
    specs = plotly_specs(at)
    assert len(specs) == 3  # the third: time to re-arrest (tests/site/test_survival_section.py)
    before_after, by_cohort = specs[:2]
    # n on the chart: every point of both groups carries the people followed in that window.
    all_cells = cells[cells["cohort"] == "all"]
    texts = [s for tr in before_after["data"] if tr.get("mode", "").endswith("text") for s in tr["text"]]
    assert sorted(texts) == sorted(f"n = {n:,}" for n in all_cells["followed"])
    assert all(tr["error_y"]["visible"] for tr in before_after["data"] if "error_y" in tr)
    assert all("n = " in str(y) for y in by_cohort["data"][0]["y"])
    assert any("Outcome data through" in c.value for c in at.caption)
    assert any("Not a randomised trial" in m.value for m in at.markdown)
    assert any("comparison" in m.value.lower() and "not referred to LEAD" in m.value for m in at.markdown)


def test_filters_round_trip_through_the_url(outcomes_store):
    at = run({"measure": "jail_days", "window": "12m", "cohort": "2016"})
    assert at.selectbox(key="filter_outcome_measure").value == "jail_days"
    assert at.selectbox(key="filter_outcome_window").value == "12m"
    assert at.selectbox(key="filter_outcome_cohort").value == "2016"
    assert "2016" in plotly_specs(at)[0]["layout"]["title"]["text"]
    at.selectbox(key="filter_outcome_measure").set_value("housed").run()
    assert at.query_params["measure"] == ["housed"] or at.query_params["measure"] == "housed"
    # A value the page does not offer falls back to the default.
    at = run({"measure": "nonsense", "cohort": "1999"})
    assert at.selectbox(key="filter_outcome_measure").value == "any_arrest"
    assert at.selectbox(key="filter_outcome_cohort").value == "all"


def test_withheld_cells_read_suppressed_never_zero(outcomes_store):
    rows = published(outcomes_store)
    hidden = rows[rows["withheld"] & (rows["cohort_type"] == "year") & (rows["window"] == "post_6m")
                  & (rows["measure"] == "any_arrest")]
    assert len(hidden), "the fixture withholds a LEAD cohort's small count"
    cohort = hidden["cohort"].iloc[0]
    at = run({"measure": "any_arrest", "window": "6m", "cohort": cohort})
    at.toggle(key="outcomes_before_after_as_table").set_value(True).run()
    table = at.dataframe[0].value
    withheld = table["withheld"].astype(bool)
    assert withheld.any()
    assert (table.loc[withheld, "count"] == SUPPRESSED).all()
    assert (table.loc[withheld, "share_pct"] == SUPPRESSED).all()
    assert not (table.loc[withheld, "count"].astype(str) == "0").any()
    # No difference is claimed for a cohort that needs a withheld number.
    assert any("cannot be worked out" in m.value for m in at.markdown)


def test_no_outcome_data_is_an_empty_state(store):
    outcomes_fixture.remove(store)
    at = run()
    assert any("no outcome data" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_spanish_page_shows_no_english(outcomes_store):
    at = run({"measure": "jail_bookings"}, lang="es")
    assert at.title[0].value.startswith("Resultados")
    texts = texts_with_tables(at)  # every chart's table view too
    leaks = [(kind, words, text[:120]) for kind, text in texts if (words := english_in(text))]
    assert not leaks, leaks[:20]


def test_pooled_figures_say_which_cohorts_they_cover(outcomes_store):
    rows = published(outcomes_store)
    at = run({"measure": "jail_days", "window": "12m"})
    cells = ov.cells(rows, "jail_days", "12m")
    covered = ov.pooled_cohorts(cells)
    assert covered
    caption = next(c.value for c in at.caption if c.value.startswith("**All cohorts** here are"))
    assert "12 months" in caption and ov.covers_label(covered) in caption
    # The cohorts before and after are the same: n before is the covered cohorts' people, not every cohort's.
    before = cells[(cells["cohort"] == "all") & (cells["window"] == "pre_12m") & (cells["group"] == "lead")]
    everyone = rows[(rows["cohort_type"].isin(["year", "span"])) & (rows["window"] == "pre_12m")
                    & (rows["measure"] == "jail_days") & (rows["group"] == "lead")]
    assert int(before["followed"].iloc[0]) == int(everyone[everyone["cohort"].isin(covered)]["followed"].sum())
    texts = [s for tr in plotly_specs(at)[0]["data"] if tr.get("mode", "").endswith("text") for s in tr["text"]]
    assert f"n = {int(before['followed'].iloc[0]):,}" in texts
    # A single cohort is its own coverage: no caption.
    one = run({"measure": "jail_days", "window": "12m", "cohort": covered[0]})
    assert not any(c.value.startswith("**All cohorts** here are") for c in one.caption)


def test_about_method_note_says_how_outcomes_and_costs_are_compared(sample):
    from leadsf import config

    at = run_page("about")
    note = next(m.value for m in at.markdown if m.value.startswith("**The same people before and after.**"))
    assert f"{1 - config.get('outcome_alpha'):.0%} interval" in note
    assert f"{config.get('cost_window_months')} months before referral" in note
    assert "$7,541" in note and "1.4 fewer jail bookings" in note and "stratum" in note
    es = run_page("about", lang="es")
    assert any(m.value.startswith("**Las mismas personas antes y después.**") for m in es.markdown)
