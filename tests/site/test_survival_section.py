"""Outcomes page, time to re-arrest, through AppTest: the log-rank statement follows the test (a direction only
when p < 0.05), the Kaplan-Meier chart draws both groups with bands and its table is the numbers drawn, the
share table has 6, 12 and 24 months, Spanish shows no English, Home carries the line only when it is clear, a
release without a life table says so plainly, and one without outcomes still shows its life table."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from leadsf.pipeline import survival as publishing
from leadsf.pipeline.db import open_release
from leadsf.stats import survival
from tests.site.test_pages_public import run_page, tables_in
from tests.stats.test_survival import COMPARISON, LEAD
from tests.test_i18n import english_in, visible_texts


def run(lang: str = "en"):
    return run_page("outcomes", None, lang, timeout=120)


def survival_spec(at) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [s for s in specs if "re-arrest" in s["layout"]["title"]["text"].replace("<br>", " ")
             or "detenida de nuevo" in s["layout"]["title"]["text"].replace("<br>", " ")]
    assert len(found) == 1, [s["layout"]["title"]["text"] for s in specs]
    return found[0]


def share_tables(at) -> list[pd.DataFrame]:
    return [t for h in at.get("html") for t in tables_in(h.proto.body) if len(t.columns) == 5]


def install_life_table(store, lead: pd.DataFrame, comparison: pd.DataFrame) -> None:
    rows = []
    for group, table in (("lead", lead), ("comparison", comparison)):
        rows.append(table.assign(cohort="2016\u20132019", cohort_first_month="2016-01", cohort_last_month="2019-12",
                                 group=group, data_through="2021-12"))
    pd.concat(rows)[publishing.PUBLIC_COLUMNS].to_parquet(
        store.release_dir(store.current()) / "life_table.parquet", index=False)


def install_clear_table(store) -> None:
    """A life table where LEAD clearly goes longer before re-arrest (median 12 months against 4)."""
    install_life_table(store, LEAD, COMPARISON)


def install_unclear_table(store) -> None:
    """A life table where both groups are re-arrested alike (the same table twice: p = 1)."""
    install_life_table(store, LEAD, LEAD)


def test_sample_section_english(sample):
    at = run()
    assert any(h.value == "Time to re-arrest" for h in at.header)
    table = open_release(sample, sample.current()).run("survival_life_table")
    lead, comparison = table[table["group"] == "lead"], table[table["group"] == "comparison"]
    test = survival.logrank(lead, comparison)
    statement = next(m.value for m in at.markdown if m.value.startswith("**Time to re-arrest"))
    assert ("no clear difference" in statement) == (not test.clear)
    assert f"p = {test.p_value:.3f}" in statement
    spec = survival_spec(at)
    assert "months since referral" in spec["layout"]["title"]["text"].replace("<br>", " ")
    names = [tr["name"] for tr in spec["data"] if tr.get("showlegend", True)]
    assert names == ["LEAD: 95% band", "LEAD", "Comparison group: 95% band", "Comparison group"]
    drawn = next(tr for tr in spec["data"] if tr["name"] == "LEAD" and tr.get("showlegend", True))
    fitted = survival.curve(survival.fit(lead))
    assert drawn["y"] == pytest.approx(list(100 * fitted["survival"]), abs=1e-9)
    assert drawn["line"]["shape"] == "hv"
    # Medians with their intervals, as leadsf.stats.survival gives them.
    m = survival.median(survival.fit(lead))
    assert any(f"LEAD: half had been re-arrested by month {m.estimate:.0f}" in x.value
               and f"{m.low:.0f} to {m.high:.0f} months" in x.value for x in at.markdown)
    shares = share_tables(at)
    assert len(shares) == 1
    share = shares[0]
    assert list(share["Months since referral"]) == ["6", "12", "24"] * 2
    six = survival.share_at(survival.fit(lead), 6)
    assert share.iloc[0]["Not re-arrested"] == f"{100 * six[0]:.1f}%"
    assert any("How time to re-arrest is worked out" in e.label for e in at.expander)


def test_table_view_is_the_numbers_drawn(sample):
    at = run()
    at.toggle(key="survival_curves_as_table").set_value(True)
    at.run()
    assert not at.exception
    frame = at.dataframe[-1].value
    assert len(frame) == len(survival.curve(survival.fit(
        open_release(sample, sample.current()).run("survival_life_table").query("group == 'lead'")))) + len(
        survival.curve(survival.fit(open_release(sample, sample.current()).run("survival_life_table")
                                    .query("group == 'comparison'"))))


def test_clear_difference_is_stated_with_its_direction_and_reaches_home(store):
    install_clear_table(store)
    at = run()
    statement = next(m.value for m in at.markdown if m.value.startswith("**Time to re-arrest"))
    assert "a clear difference" in statement and "went longer" in statement
    home = run_page("home", None, "en", timeout=120)
    assert any("Time to re-arrest: a clear difference" in m.value for m in home.markdown)


def test_unclear_difference_stays_off_home(store):
    install_unclear_table(store)
    statement = next(m.value for m in run().markdown if m.value.startswith("**Time to re-arrest"))
    assert "no clear difference" in statement
    home = run_page("home", None, "en", timeout=120)
    assert not any("Time to re-arrest" in m.value for m in home.markdown)


def test_spanish_section_shows_no_english(sample):
    at = run("es")
    assert any(h.value == "Tiempo hasta una nueva detención" for h in at.header)
    spec = survival_spec(at)
    assert spec["layout"]["yaxis"]["title"]["text"].startswith("% no detenido")
    texts = [text for _, text in visible_texts(at)]
    start = texts.index("Tiempo hasta una nueva detención")
    english = [w for text in texts[start:] for w in english_in(text)]
    assert not english, english[:20]


def test_release_without_a_life_table_says_so(store):
    (store.release_dir(store.current()) / "life_table.parquet").unlink()
    at = run()
    assert any("publishes no time-to-re-arrest table" in i.value for i in at.info)
    assert not any("re-arrest" in s for s in (json.loads(c.proto.spec)["layout"]["title"]["text"]
                                              for c in at.get("plotly_chart")))


def test_one_group_only_is_drawn_without_a_comparison(store):
    table = open_release(store, store.current()).run("survival_life_table")
    table[table["group"] == "lead"][publishing.PUBLIC_COLUMNS].to_parquet(
        store.release_dir(store.current()) / "life_table.parquet", index=False)
    at = run()
    statement = next(m.value for m in at.markdown if m.value.startswith("**Time to re-arrest"))
    assert "cannot be compared" in statement and "clear difference" not in statement
    names = [tr["name"] for tr in survival_spec(at)["data"] if tr.get("showlegend", True)]
    assert names == ["LEAD: 95% band", "LEAD"]
    home = run_page("home", None, "en", timeout=120)
    assert not any("Time to re-arrest" in m.value for m in home.markdown)


def test_release_without_outcomes_still_shows_time_to_re_arrest(store):
    (store.release_dir(store.current()) / "outcomes.parquet").unlink()
    at = run()
    assert any("has no outcome data yet" in i.value for i in at.info), [i.value for i in at.info]
    assert any(h.value == "Time to re-arrest" for h in at.header)
    survival_spec(at)
