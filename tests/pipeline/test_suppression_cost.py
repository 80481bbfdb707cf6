"""The cost model of the complementary step: headline totals stay visible, the cheapest cells give way."""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from leadsf import config
from leadsf.pipeline import areas, release, suppression, suppression_cost
from leadsf.pipeline.store import Store
from leadsf.pipeline.suppression import Problem, suppress

from .test_release import assert_no_small_published, make_extract, union_ranges
from .test_suppression import assert_protected, grid_problem, line_problem

K = WIDTH = 10


def headline_cells(cells: pd.DataFrame) -> pd.DataFrame:
    return cells[suppression_cost.headline(cells)]


def test_headline_means_whole_area_top_level_quarter_or_year_above_k():
    cells = pd.DataFrame({
        "kind": ["overdoses"] * 5 + ["engagement", "referrals"],
        "series": ["outcome=fatal|drug=any", "outcome=fatal|drug=fentanyl", "outcome=fatal|drug=any",
                   "outcome=fatal|drug=any", "outcome=fatal|drug=any", "measure=intake_completed", ""],
        "dim": ["", "", "", "", "", "", "pathway"],
        "cat": ["all"] * 6 + ["community"],
        "area_id": [areas.TOTAL_ID, areas.TOTAL_ID, "87505", areas.TOTAL_ID, areas.TOTAL_ID, areas.TOTAL_ID,
                    areas.TOTAL_ID],
        "period_type": ["quarter", "quarter", "quarter", "month", "year", "year", "year"],
        "period": ["2025-Q2", "2025-Q2", "2025-Q2", "2025-04", "2025", "2025", "2025"],
        "value": [22, 30, 40, 30, 10, 14, 50],
    })
    assert suppression_cost.headline(cells).tolist() == [True, False, False, False, False, True, False]


def test_costs_rise_with_every_level():
    base = {"kind": "referrals", "series": "", "dim": "", "cat": "all", "value": 5}
    rows = [dict(base, area_id="87505", period_type="month", period="2025-01", dim="pathway", cat="community"),
            dict(base, area_id="87505", period_type="month", period="2025-01"),
            dict(base, area_id="87505", period_type="quarter", period="2025-Q1"),
            dict(base, area_id="87505", period_type="year", period="2025"),
            dict(base, area_id=areas.TOTAL_ID, period_type="year", period="2025")]
    cost = suppression_cost.costs(pd.DataFrame(rows))
    assert (np.diff(cost) > 0).all(), cost
    weight = config.get("cost_level_weight")
    assert cost[1] / cost[0] == pytest.approx(weight)


def test_cost_chooses_which_cell_gives_way():
    # [14, 3, 22, 0, 31] -> 70: by count the 14 is the partner; made dear, the 22 is hidden instead.
    cheap = suppress(line_problem([14, 3, 22, 0, 31]), K, WIDTH)
    assert set(np.flatnonzero(cheap.hidden)) == {0, 1}
    p = line_problem([14, 3, 22, 0, 31])
    p.cost[0] = 1000.0
    dear = suppress(p, K, WIDTH)
    assert set(np.flatnonzero(dear.hidden)) == {1, 2}
    assert_protected(p, dear)


def _pattern_cost(problem: Problem, hidden: np.ndarray, primary: np.ndarray) -> float:
    return float(problem.cost[hidden & ~primary & ~problem.virtual].sum())


def _cheapest_pattern(problem: Problem, max_extra: int = 4) -> tuple[float, set[int]]:
    """Brute force: the cheapest set of complements that passes the exact audit."""
    primary = suppression.primary_cells(problem.values, K)
    options = [v for v in range(len(problem.values))
               if not primary[v] and problem.values[v] > 0 and not problem.locked[v]]
    best = (float("inf"), set())
    for size in range(1, max_extra + 1):
        for extra in combinations(options, size):
            hidden = primary.copy()
            hidden[list(extra)] = True
            cost = _pattern_cost(problem, hidden, primary)
            if cost >= best[0]:
                continue
            failures, _, _ = suppression.audit(problem, hidden, primary, WIDTH)
            if not failures:
                best = (cost, set(extra))
    return best


def test_hiding_is_minimal_on_a_hand_checked_table():
    """Areas x months with area totals, city totals and the city's quarter (a headline, locked).

        3  25  40 |  68          The cheapest protection of the 3 is the rectangle 3, 25, 20, 30
       20  30  50 | 100          (complements cost 26 + 21 + 31 = 78); hiding the 3's area total 68
       ---------------          and city month 23 instead would cost 69 x 10 + 24 x 100.
       23  55  90 | 168
    """
    p, idx = grid_problem([[3, 25, 40], [20, 30, 50]])
    weight = np.ones(idx.shape)
    weight[:2, 3] = 10       # an area's quarter
    weight[2, :3] = 100      # the city's month
    p.cost = (p.values + 1.0) * weight.ravel()
    p.locked[idx[2, 3]] = True  # the city's quarter is a headline
    r = suppress(p, K, WIDTH)
    assert_protected(p, r)
    primary = suppression.primary_cells(p.values, K)
    assert set(np.flatnonzero(r.hidden & ~primary)) == {idx[0, 1], idx[1, 0], idx[1, 1]}
    best_cost, best = _cheapest_pattern(p)
    assert best == {idx[0, 1], idx[1, 0], idx[1, 1]}
    assert _pattern_cost(p, r.hidden, primary) == best_cost == 78


def tempting_rows(year: str = "2023") -> list[list]:
    """A year of large months with two small ones (June, November); one area is quiet all second quarter.
    Hiding by count alone withholds the city's second and fourth quarters (140 and 228)."""
    rows = []
    for i in range(1, 13):
        quiet = {4: 3, 5: 3, 6: 2, 11: 2}.get(i, 30 + i)
        busy = {6: 3, 11: 2}.get(i, 60 + i)
        rows += [[f"{year}-{i:02d}", "87505", "arrest_diversion", "sfpd", quiet],
                 [f"{year}-{i:02d}", "87507", "arrest_diversion", "sfpd", busy]]
    return rows


def test_headline_totals_stay_visible_when_a_small_month_tempts_the_old_choice():
    built = release.build({"referrals": make_extract("referrals", tempting_rows())})
    c = built.cells
    city = c[(c["area_id"] == areas.TOTAL_ID) & (c["dim"] == "") & c["period_type"].isin(["quarter", "year"])]
    assert len(city) == 5 and not city["hidden"].any(), city
    assert not built.refusals
    june = c[(c["area_id"] == areas.TOTAL_ID) & (c["dim"] == "") & (c["period"] == "2023-06")]
    assert june["hidden"].all()
    assert_no_small_published(built)
    narrow = [r for r in union_ranges([c]) if r[3] - r[2] < WIDTH - 1e-6]
    assert not narrow, narrow


def test_funnel_conflict_drops_the_part_not_the_whole():
    """Intake 14 of 18 referred in a quarter: both are headline counts and publishing both gives away 4
    people. The part's table gives way (and is reported); the whole stays published and visible."""
    rows = []
    for i in range(1, 13):
        m = f"2023-{i:02d}"
        referred, intake = (6, 4) if i in (4, 5, 6) else (30, 28 if i % 2 else 12)
        rows += [[m, "87507", "referred", referred], [m, "87507", "intake_completed", intake]]
    built = release.build({"engagement": make_extract("engagement", rows)})
    c = built.cells
    q2 = c[(c["area_id"] == areas.TOTAL_ID) & (c["period"] == "2023-Q2")]
    assert q2.loc[q2["series"] == "measure=referred", "hidden"].tolist() == [False]
    assert q2[q2["series"] == "measure=intake_completed"].empty
    assert "engagement: measure intake_completed, whole area, by quarter, 2023" in [r.table for r in built.refusals]
    assert not headline_cells(c)["hidden"].any()
    assert_no_small_published(built)


def test_no_headline_cell_withheld_on_the_sample(published_sample):
    store = Store(published_sample)
    cells = store.cells(store.current())
    heads = headline_cells(cells)
    assert len(heads) > 300
    assert not heads["hidden"].any(), heads[heads["hidden"]][release.KEY + ["value"]]


def test_a_revision_keeps_headlines_and_passes_the_audit_against_the_first():
    first = release.build({"referrals": make_extract("referrals", tempting_rows())})
    revised = tempting_rows()
    revised[-4:] = [[m, a, p, g, n + 3] for m, a, p, g, n in revised[-4:]]  # November and December revised
    second = release.build({"referrals": make_extract("referrals", revised)}, previous_cells=first.cells)
    assert release.audit_against(second.cells, first.cells) == []
    assert not headline_cells(second.cells)["hidden"].any()
    narrow = [r for r in union_ranges([first.cells, second.cells]) if r[3] - r[2] < WIDTH - 1e-6]
    assert not narrow, narrow


def test_rollback_audit_sees_counts_the_older_release_shows():
    """Re-publishing an older release that showed a count the live one withholds: the audit must take the
    count as known (a complement shown there gives the live release's small count away)."""
    live = release.build({"referrals": make_extract("referrals", tempting_rows())}).cells
    assert release.audit_against(live, live) == []
    older = live.copy()
    complement = older.index[older["hidden"] & (older["value"] > K)][0]
    older.loc[complement, "hidden"] = False
    assert release.audit_against(older, live), "a shown complement next to the live release went unnoticed"
