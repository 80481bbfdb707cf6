"""Home's answer through AppTest and on its own: the clear outcome differences (all cohorts together) with a
link to the Outcomes page, the cost statement with a link to the Cost page, and a plain "no clear difference"
when nothing is significant."""
from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from leadsf.pipeline.db import open_release
from leadsf.site import outcome_views as ov
from tests import outcomes_fixture

APP = "from pages import home\nhome.render()"


def run_home() -> AppTest:
    at = AppTest.from_string(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def links(at) -> dict[str, str]:
    return {el.proto.label: el.proto.page for el in at.get("page_link")}


def expected_statements(store) -> list[str]:
    rows = open_release(store, store.current()).run("outcomes_cells")
    both = pd.concat([ov.overview(rows, pair, "all") for pair in ov.PAIRS])
    return both[both["clear"].fillna(False).astype(bool)]["statement"].tolist()


def test_home_states_the_clear_differences_and_links_to_both_pages(store, monkeypatch):
    outcomes_fixture.install(store, monkeypatch)
    clear = expected_statements(store)
    assert clear, "the fixture has clear differences"
    at = run_home()
    answer = next(m.value for m in at.markdown if m.value.startswith("- **"))
    shown = [line[2:] for line in answer.split("\n")]
    assert 2 <= len(shown) <= 3 or len(shown) == len(clear)
    assert set(shown) <= set(clear)
    assert all("a clear difference" in s for s in shown)
    assert any("LEAD participant-year cost" in m.value for m in at.markdown)
    assert links(at) == {"See every outcome, by cohort, with its caveats": "outcomes",
                         "See the costs and change the assumptions": "cost"}


def test_home_says_plainly_when_nothing_is_clear(store, monkeypatch):
    # Both groups change alike: LEAD = comparison in every cell.
    rows = outcomes_fixture.outcomes_table()
    lead = rows[rows["group"] == "lead"]
    same = pd.concat([lead, lead.assign(group="comparison")], ignore_index=True)
    outcomes_fixture.install(store, monkeypatch, {"outcomes": same})
    at = run_home()
    assert any(m.value.startswith("**No clear difference yet.**") for m in at.markdown)
    answer = next(m.value for m in at.markdown if m.value.startswith("- **"))
    assert "no clear difference" in answer and "a clear difference" not in answer
    assert "outcomes" in links(at).values()


def test_home_without_outcome_data_says_so(store):
    outcomes_fixture.remove(store)
    at = run_home()
    assert any("Outcome data have not been published yet" in c.value for c in at.caption)
    assert not at.get("page_link")


def test_home_says_which_cohorts_its_pooled_statements_cover(store, monkeypatch):
    outcomes_fixture.install(store, monkeypatch)
    rows = open_release(store, store.current()).run("outcomes_cells")
    at = run_home()
    caption = next(c.value for c in at.caption if "All cohorts together" in c.value)
    for pair, span in (("6m", "6 months"), ("12m", "12 months")):
        covered = ov.covers_label(ov.pooled_cohorts(ov.cells(rows, "any_arrest", pair)))
        assert f"{span}: {covered}" in caption
