"""Cohort tables: merging small cohorts, withheld complements, the 20-person rule for totals, incomplete
windows, the referral link, revisions audited against the previous release, and costs."""
from __future__ import annotations

import pandas as pd
import pytest

from leadsf.pipeline import cohorts, contract, extracts
from leadsf.pipeline.store import Store
from tests.bad_inputs import BASE, to_csv

K = 10


def _measures(n: int) -> dict[str, int]:
    booked = round(n * 0.4)
    return {"followed": n, "any_arrest": round(n * 0.5), "new_charge": round(n * 0.4),
            "felony_charge": round(n * 0.1), "jail_booking": booked, "jail_bookings": 2 * booked,
            "jail_days": 10 * booked, "housed": round(n * 0.3)}


def outcomes_frame(sizes: dict[str, tuple[int, int]], through: str = "2021-12", measures=_measures) -> pd.DataFrame:
    """A validated outcomes extract: cohort -> (LEAD people, comparison people), every complete window."""
    rows = [BASE["outcomes"][0]]
    for cohort, ns in sizes.items():
        last = cohorts.cohort_months(cohort)[1]
        for group, n in zip(contract.GROUPS, ns):
            for window in contract.WINDOW_MONTHS:
                if cohorts._complete(last, window, through):
                    rows += [[through, cohort, group, window, m, str(v)] for m, v in measures(n).items()]
    return extracts.read_extract(to_csv(rows).encode(), "outcomes.csv").frame


def build(frame, area_cells=None, previous=None):
    return cohorts.build_outcomes(frame, area_cells, previous)


def quarters(year: int, n: int) -> dict[str, tuple[int, int]]:
    return {f"{year}-Q{q}": (n, n) for q in range(1, 5)}


SIZES = {**quarters(2016, 12), **quarters(2017, 3), **quarters(2018, 1), **quarters(2019, 2)}


def _none_or_all(n: int) -> dict[str, int]:
    return {"followed": n, "any_arrest": 0, "housed": n}  # counts of 0 or n: nothing to withhold


@pytest.fixture(scope="module")
def merged():
    return build(outcomes_frame(SIZES, measures=_none_or_all))


@pytest.fixture(scope="module")
def suppressed():
    return build(outcomes_frame({**quarters(2016, 30), **quarters(2017, 8), "2018": (25, 20)}))


def test_small_cohorts_merge(merged):
    table, _, notes, _ = merged
    labels = set(table["cohort"])
    assert {"2016-Q1", "2016-Q2", "2016-Q3", "2016-Q4", "2016", "2017", "2018\u20132019", "all"} == labels
    assert table.loc[table["cohort"] == "2018\u20132019", "cohort_type"].eq("span").all()
    assert (table["followed"] >= 11).all(), "a cohort-group under 11 people was published"
    assert not table.loc[table["measure"] == "followed", "withheld"].any()
    assert any("2018\u20132019 published together" in n for n in notes)


def test_all_row_and_years_add_up(merged):
    table, _, _, _ = merged
    f = table[(table["measure"] == "followed")].set_index(["cohort", "group", "window"])["count"]
    for group in contract.GROUPS:
        for window in ("pre_6m", "post_12m"):
            units = [c for c in ("2016", "2017", "2018\u20132019") if (c, group, window) in f.index]
            assert f[("all", group, window)] == sum(f[(c, group, window)] for c in units)
            assert f[("2016", group, window)] == sum(f[(f"2016-Q{q}", group, window)] for q in range(1, 5))


def test_no_small_count_and_complements_withheld(suppressed):
    table, _, _, audit = suppressed
    assert table["withheld"].any() and audit["narrowest_range"] >= 10
    people = table[(table["value_type"] == "people") & ~table["withheld"]]
    assert not people["count"].between(1, K).any()
    complement = people["followed"] - people["count"]
    assert not complement.between(1, K).any(), "a published count leaves a complement of 1 to 10"


def test_complement_of_one_to_ten_is_withheld():
    frame = outcomes_frame({"2016": (15, 15)}, measures=lambda n: {"followed": n, "any_arrest": 13, "housed": 0})
    table, *_ = build(frame)
    rows = table[table["cohort"] == "2016"].set_index(["group", "window", "measure"])
    assert rows.loc[("lead", "pre_6m", "any_arrest"), "withheld"]  # 15 - 13 = 2 people without an arrest
    assert rows.loc[("lead", "pre_6m", "housed"), "count"] == 0   # 0 is shown
    assert not rows.loc[("lead", "pre_6m", "followed"), "withheld"]


def test_totals_only_for_twenty_people_as_means():
    frame = outcomes_frame({"2016": (15, 15), "2017": (30, 30), "2018": (40, 40)},
                           measures=lambda n: {"followed": n, "jail_booking": 12, "jail_bookings": 40, "jail_days": 300})
    table, *_ = build(frame)
    days = table[(table["measure"] == "jail_days") & (table["window"] == "pre_12m")].set_index(["cohort", "group"])
    assert days.loc[("2016", "lead"), "withheld"] and pd.isna(days.loc[("2016", "lead"), "mean_per_person"])
    # The total of 15 people must not come out of 'all' minus the others, so one more total gives way.
    assert days["withheld"].sum() >= 2 * 2
    shown = days[~days["withheld"]]
    assert len(shown) and (shown["mean_per_person"] == (shown["count"] / shown["followed"]).round(3)).all()
    assert (days["value_type"] == "total").all()


def test_incomplete_window_has_no_row():
    table, *_ = build(outcomes_frame({"2016": (30, 30)}, through="2017-06"))
    windows = set(table.loc[table["cohort"] == "2016", "window"])
    assert windows == {"pre_12m", "pre_6m", "post_6m"}


def test_lead_cohort_equal_to_a_withheld_referral_count_is_not_published():
    frame = outcomes_frame({"2016": (30, 30), "2017": (40, 40)})
    area = pd.DataFrame({"kind": "referrals", "series": "", "dim": "", "cat": "all", "area_id": "city",
                         "period_type": "year", "period": ["2016", "2017"], "value": [30, 55],
                         "hidden": [True, False]})
    table, _, notes, _ = build(frame, area)
    assert "2016" not in set(table["cohort"]) and "2017" in set(table["cohort"])
    assert any("2016 not published" in n for n in notes)


def test_revision_is_audited_with_the_previous_release(suppressed):
    _, cells, _, _ = suppressed
    sizes = {**quarters(2016, 30), **quarters(2017, 8), "2018": (25, 20)}
    revised = outcomes_frame(sizes, measures=lambda n: {**_measures(n), "housed": round(n * 0.3) + 1})
    table, new_cells, _, audit = build(revised, previous=cells)
    assert audit["with_previous_release"]
    assert not cohorts.audit_against(new_cells, cells)


def test_costs_withhold_few_participants():
    rows = [list(r) for r in BASE["costs"]]
    rows[3][3] = "8"
    rows[4][3] = "40"
    ex = extracts.read_extract(to_csv(rows).encode(), "costs.csv")
    table = cohorts.costs_table(ex.frame)
    counts = table[table["item_type"] == "participants"]
    assert counts["withheld"].all() and counts["amount"].isna().all()
    units = table[table["item_type"] == "unit_cost"]
    assert not units["withheld"].any() and (units["source"] != "").all()
    assert set(table["unit"]) >= {"USD", "USD per jail day", "people", "participant-months"}


def test_sample_release_tables(published_sample):
    store = Store(published_sample)
    n = store.current()
    table = store.table(n, "outcomes")
    assert set(table.columns) == {"cohort", "cohort_type", "cohort_first_month", "cohort_last_month", "group",
                                  "window", "window_months", "measure", "value_type", "followed", "count",
                                  "mean_per_person", "withheld", "data_through"}
    shown = table[~table["withheld"]]
    assert not shown.loc[shown["value_type"] == "people", "count"].between(1, K).any()
    assert (shown.loc[shown["value_type"] == "total", "followed"] >= 20).all()
    assert table["count"].isna().eq(table["withheld"]).all()
    assert {"all", "year"} <= set(table["cohort_type"])
    manifest = store.manifest(n)
    assert manifest["audit"]["outcomes"]["narrowest_range"] >= 10
    assert manifest["files"]["outcomes"]["synthetic"] is True
    assert set(store.table(n, "outcome_groups")["group"]) == set(contract.GROUPS)
