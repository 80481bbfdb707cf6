"""Cost page through AppTest: the cost per participant-year equals the cost model's, the visitor's jail-day and
booking costs move it and stay in the URL, every unit cost shows its source, and an empty release says so."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from leadsf.pipeline.db import open_release
from leadsf.stats import cost_model
from tests import outcomes_fixture
from tests.site.test_pages_public import run_page, text_tables
from tests.test_i18n import english_in, texts_with_tables


def run(query_params: dict | None = None, lang: str = "en") -> AppTest:
    return run_page("cost", query_params, lang, timeout=120)


@pytest.fixture
def cost_store(store, monkeypatch):
    outcomes_fixture.install(store, monkeypatch)
    return store


def model(store, overrides=None):
    rel = open_release(store, store.current())
    costs = rel.run("costs_lines")
    use = rel.run("costs_justice_use", before="pre_12m", after="post_12m")
    return cost_model.cost_table(costs, use, "12m", overrides), costs


def values(y) -> list[float]:
    """A trace's values from the chart's JSON (plotly sends arrays as base64 typed arrays)."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
    return list(y)


def bar_totals(at) -> list[float]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [float(sum(v)) for v in zip(*[values(tr["x"]) for tr in spec["data"]])]


def test_default_costs_match_the_model(cost_store):
    at = run()
    table, costs = model(cost_store)
    assert bar_totals(at) == pytest.approx(table["total"].astype(float).tolist(), abs=2)
    change = cost_model.changes(table)
    lead, comparison = int(change["lead"]["total"]), int(change["comparison"]["total"])
    statement = next(m.value for m in at.markdown if "not a tested difference" in m.value)
    assert f"**${lead:,}**" in statement and f"**${comparison:,}**" in statement
    sign = "+" if change["comparison"]["change"] > 0 else "\u2212"  # the typographic minus, as everywhere
    assert f"**{sign}${abs(int(change['comparison']['change'])):,}**" in statement
    # Which cohorts the pooled figure covers, and the bars: pooled first, then each fiscal year of its own.
    pooled = table[table["estimate"] == "all"]
    assert pooled["cohorts"].iloc[0].split()[0] in statement
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    estimates = spec["data"][0]["y"][0]  # multicategory: (estimate, bar) labels
    assert estimates[0] == "All cohorts (pooled)" and len(set(estimates)) == table["estimate"].nunique()
    # Defaults are the latest published unit costs, and the URL stays clean.
    units = cost_model.unit_costs(costs)
    assert at.number_input(key="cost_jail_day").value == cost_model.price(units, "jail_day", "2019")[0]
    assert "jail_day" not in at.query_params


def test_visitor_unit_costs_move_the_result_and_stay_in_the_url(cost_store):
    at = run()
    before = bar_totals(at)
    at.number_input(key="cost_jail_day").set_value(300.0).run()
    assert at.query_params["jail_day"] in (["300"], "300")
    after = bar_totals(at)
    table, _ = model(cost_store, {"jail_day": 300.0})
    assert after == pytest.approx(table["total"].astype(float).tolist(), abs=2)
    assert after != before
    # The address alone reproduces it.
    again = run({"jail_day": "300", "booking": "1000"})
    assert again.number_input(key="cost_jail_day").value == 300.0
    assert again.number_input(key="cost_booking").value == 1000.0
    table, _ = model(cost_store, {"jail_day": 300.0, "booking": 1000.0})
    assert bar_totals(again) == pytest.approx(table["total"].astype(float).tolist(), abs=2)
    # Nonsense in the address falls back to the published value.
    bad = run({"jail_day": "-5", "booking": "lots"})
    _, costs = model(cost_store)
    units, latest = cost_model.unit_costs(costs), cost_model.fiscal_years(costs)[-1]
    for item in ("jail_day", "booking"):
        assert bad.number_input(key=f"cost_{item}").value == cost_model.price(units, item, latest)[0], item
        assert item not in bad.query_params


def test_every_unit_cost_shows_its_source(cost_store):
    at = run()
    _, costs = model(cost_store)
    units = costs[costs["item_type"] == "unit_cost"]
    table = text_tables(at)[-1]
    assert set(units["source"]) <= set(table["Source"])
    assert any("Paid by: " in m.value and "Medicaid" in m.value for m in at.markdown)
    latest = text_tables(at)[0]  # each item's latest price first, with its source
    assert {"Jail day", "Jail booking"} <= set(latest["Line"]) and latest["Source"].str.len().gt(0).all()


def test_no_cost_data_is_an_empty_state(store):
    outcomes_fixture.remove(store)
    at = run()
    assert any("no cost data" in i.value for i in at.info)


def test_spanish_page_shows_no_english(cost_store):
    at = run({"jail_day": "120"}, lang="es")
    assert at.title[0].value.startswith("Costo")
    _, costs = model(cost_store)
    sources = set(costs["source"].dropna()) - {""}  # quoted as staff uploaded them, in any language

    def unquoted(text: str) -> str:
        for source in sources:
            text = text.replace(source, " ")
        return text
    texts = texts_with_tables(at)  # every chart's table view too
    leaks = [(kind, words, text[:120]) for kind, text in texts if (words := english_in(unquoted(text)))]
    assert not leaks, leaks[:20]
