"""Intervals against published values, the difference in differences against its textbook form, and the
statement's wording: a direction only when the 95% interval excludes no difference."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from leadsf.site import outcome_views as ov
from leadsf.stats import outcome_stats as st

# Wilson score 95% intervals published in Newcombe RG (1998), "Two-sided confidence intervals for the single
# proportion: comparison of seven methods", Statistics in Medicine 17:857-872, Table I (method 3), and 15/50
# (0.1910-0.4375) as quoted in standard references for the Wilson interval.
WILSON = [((81, 263), (0.2553, 0.3662)), ((15, 148), (0.0624, 0.1605)), ((0, 20), (0.0, 0.1611)),
          ((1, 29), (0.0061, 0.1718)), ((15, 50), (0.1910, 0.4375))]
# Exact (Garwood 1936) 95% limits for a Poisson count, as tabulated e.g. in Ulm K (1990), "A simple method to
# calculate the confidence interval of a standardized mortality ratio", Am J Epidemiol 131:373-375.
POISSON = [(0, (0.0, 3.689)), (1, (0.0253, 5.572)), (10, (4.795, 18.390)), (20, (12.217, 30.888))]


@pytest.mark.parametrize("cell,published", WILSON)
def test_wilson_matches_published_values(cell, published):
    iv = st.wilson(*cell)
    assert (round(iv.low, 4), round(iv.high, 4)) == published
    assert iv.estimate == pytest.approx(cell[0] / cell[1])


@pytest.mark.parametrize("count,published", POISSON)
def test_exact_poisson_matches_published_values(count, published):
    iv = st.poisson_rate(count, 1.0)
    assert iv.low == pytest.approx(published[0], abs=6e-4) and iv.high == pytest.approx(published[1], abs=6e-4)
    # per person-year: the same limits divided by the person-years
    per = st.poisson_rate(count, 4.0)
    assert per.high == pytest.approx(iv.high / 4)


def test_did_proportion_is_the_wald_difference_of_differences():
    cells = [(60, 100), (30, 100), (55, 90), (45, 90)]
    did = st.did_proportion(*cells)
    p = [c / n for c, n in cells]
    est = (p[1] - p[0]) - (p[3] - p[2])
    se = math.sqrt(sum(q * (1 - q) / n for q, (_, n) in zip(p, cells)))
    assert did.estimate == pytest.approx(est)
    assert (did.low, did.high) == pytest.approx((est - 1.959964 * se, est + 1.959964 * se), abs=1e-6)
    assert did.scale == "difference" and did.lead_change == pytest.approx(-0.3)


def test_did_rate_is_the_ratio_of_rate_ratios():
    cells = [(120, 100.0), (60, 100.0), (100, 90.0), (90, 90.0)]
    did = st.did_rate(*cells)
    assert did.estimate == pytest.approx((60 / 120) / (90 / 100))
    se = math.sqrt(sum(1 / c for c, _ in cells))  # Poisson: the log ratio's standard error
    assert did.low == pytest.approx(did.estimate * math.exp(-1.959964 * se), rel=1e-6)
    assert did.clear and did.direction == "lower"
    wide = st.did_rate(*cells, dispersion=4.0)  # quasi-Poisson: twice the standard error
    assert math.log(wide.high / wide.estimate) == pytest.approx(2 * math.log(did.high / did.estimate))


def test_dispersion_from_the_cohorts_scatter():
    cohorts = [[(100, 50.0), (60, 48.0), (90, 50.0), (80, 48.0)], [(140, 50.0), (50, 48.0), (70, 50.0), (75, 48.0)],
               [(90, 50.0), (70, 48.0), (100, 50.0), (70, 48.0)]]
    phi = st.rate_dispersion(cohorts)
    assert phi > 1
    # Ten times the events with the same proportions: ten times the dispersion of a count.
    assert st.rate_dispersion([[(10 * n, py) for n, py in c] for c in cohorts]) == pytest.approx(10 * phi)
    assert st.rate_dispersion(cohorts[:1]) is None  # one cohort: nothing to estimate it from
    alike = [[(100, 50.0), (50, 50.0), (100, 50.0), (50, 50.0)]] * 3
    assert st.rate_dispersion(alike) == 1.0  # never below Poisson


def test_no_interval_when_a_share_is_zero_or_a_total_has_no_events():
    assert st.did_proportion((0, 40), (5, 40), (10, 40), (12, 40)) is None
    assert st.did_rate((0, 10.0), (5, 10.0), (6, 10.0), (7, 10.0)) is None


def row(did: st.Did) -> dict:
    scale = 1 if did.scale == "ratio" else 100
    return {"did": did.estimate * scale, "did_low": did.low * scale, "did_high": did.high * scale,
            "clear": did.clear, "direction": did.direction}


def test_statement_says_no_clear_difference_when_the_interval_spans_zero():
    did = st.did_proportion((60, 100), (30, 100), (55, 90), (45, 90))  # -18.9 points, interval -38.4 to 0.6
    assert did.low < 0 < did.high and not did.clear and did.direction is None
    text = ov.statement("any_arrest", "6m", row(did))
    assert "no clear difference" in text and "includes zero" in text
    assert "lower" not in text and "higher" not in text


def test_statement_names_the_direction_only_when_clear():
    did = st.did_proportion((120, 400), (60, 400), (110, 360), (100, 360))
    assert did.clear and did.high < 0
    text = ov.statement("any_arrest", "6m", row(did))
    assert "a clear difference" in text and "lower than the comparison group's change" in text
    assert "no clear difference" not in text
    rate = st.did_rate((120, 100.0), (60, 100.0), (100, 90.0), (90, 90.0))
    assert "44% lower" in ov.statement("jail_days", "12m", row(rate))
    spans_one = st.did_rate((12, 10.0), (9, 10.0), (11, 10.0), (10, 10.0))
    assert spans_one.low < 1 < spans_one.high
    assert "includes 1" in ov.statement("jail_days", "12m", row(spans_one))
    assert "cannot be worked out" in ov.statement("jail_days", "12m", None)


def test_statement_in_spanish():
    from leadsf import i18n

    did = st.did_proportion((60, 100), (30, 100), (55, 90), (45, 90))
    i18n.set_language("es")
    try:
        text = ov.statement("any_arrest", "6m", row(did))
    finally:
        i18n.set_language("en")
    assert "sin una diferencia clara" in text and "incluye el cero" in text and "-18,9" in text


def test_a_bound_next_to_zero_keeps_its_side():
    text = ov.statement("any_arrest", "12m", {"did": -9.0, "did_low": -18.0, "did_high": -0.004, "clear": True,
                                              "direction": "lower"})
    assert "-18.0 to -0.004" in text


# ---------------------------------------------------------------------------- pooling over cohorts (issue 23)
# Each cohort a stratum: its own level, LEAD and after terms, one common LEAD x after term. When every cohort
# shows exactly the same difference the model fits each cell exactly, and the common term's variance is then
# worked out by hand: one cohort's variance is the sum over its four cells (1/count for a log rate; p(1-p)/n
# for a share), and cohorts add as information (1 / the sum of 1 / variance), the inverse-variance pooling of
# Woolf (1955) for a common ratio.
Z = 1.959963985


def test_pooled_rate_against_a_hand_worked_two_cohort_example():
    a = [(10, 10.0), (5, 10.0), (20, 10.0), (20, 10.0)]    # LEAD 1.0 -> 0.5, comparison 2 -> 2: ratio 0.5
    b = [(40, 10.0), (20, 10.0), (30, 10.0), (30, 10.0)]   # LEAD 4 -> 2, comparison 3 -> 3: ratio 0.5
    var_a = 1 / 10 + 1 / 5 + 1 / 20 + 1 / 20               # 0.4
    var_b = 1 / 40 + 1 / 20 + 1 / 30 + 1 / 30              # 0.141667
    se = math.sqrt(1 / (1 / var_a + 1 / var_b))            # 0.323442
    did = st.pooled_rate([a, b])
    assert did.estimate == pytest.approx(0.5, rel=1e-6)
    assert did.low == pytest.approx(0.5 * math.exp(-Z * se), rel=1e-5)    # 0.2652
    assert did.high == pytest.approx(0.5 * math.exp(Z * se), rel=1e-5)   # 0.9425
    assert (round(did.low, 4), round(did.high, 4)) == (0.2652, 0.9425)
    # Narrower than either cohort alone: the two cohorts add up.
    assert did.high / did.low < st.pooled_rate([b]).high / st.pooled_rate([b]).low


def test_pooled_proportion_against_a_hand_worked_two_cohort_example():
    a = [(50, 100), (30, 100), (50, 100), (50, 100)]       # LEAD 50% -> 30%, comparison 50% -> 50%: -20 points
    b = [(80, 200), (60, 200), (60, 200), (80, 200)]       # LEAD 40% -> 30%, comparison 30% -> 40%: -20 points
    var_a = (0.25 + 0.21 + 0.25 + 0.25) / 100              # 0.0096
    var_b = (0.24 + 0.21 + 0.21 + 0.24) / 200              # 0.0045
    se = math.sqrt(1 / (1 / var_a + 1 / var_b))            # 0.055352
    did = st.pooled_proportion([a, b])
    assert did.estimate == pytest.approx(-0.2, abs=1e-6)
    assert (did.low, did.high) == pytest.approx((-0.2 - Z * se, -0.2 + Z * se), abs=1e-5)
    assert (round(did.low, 4), round(did.high, 4)) == (-0.3085, -0.0915)
    assert did.clear and did.direction == "lower"


def test_pooling_keeps_differences_between_cohorts_out():
    # In each cohort LEAD changes exactly as its comparison group does (no difference), but cohort A's rates
    # halve after referral and cohort B's do not, and LEAD is mostly cohort A. Summing the cells would show
    # LEAD falling against the comparison group; the stratified model shows no difference.
    a = [(200, 100.0), (100, 100.0), (20, 10.0), (10, 10.0)]
    b = [(20, 10.0), (20, 10.0), (200, 100.0), (200, 100.0)]
    summed = st.did_rate(*[(a[i][0] + b[i][0], a[i][1] + b[i][1]) for i in range(4)])
    assert summed.estimate < 0.6 and summed.clear
    pooled = st.pooled_rate([a, b])
    assert pooled.estimate == pytest.approx(1.0, rel=1e-6) and not pooled.clear
    shares_a = [(60, 100), (30, 100), (6, 10), (3, 10)]
    shares_b = [(2, 10), (2, 10), (20, 100), (20, 100)]
    assert st.pooled_proportion([shares_a, shares_b]).estimate == pytest.approx(0.0, abs=1e-6)


def test_one_cohort_pooled_is_the_cohorts_own_difference():
    cells = [(120, 100.0), (60, 100.0), (100, 90.0), (90, 90.0)]
    assert st.pooled_rate([cells]) == st.did_rate(*cells)
    shares = [(60, 100), (30, 100), (55, 90), (45, 90)]
    assert st.pooled_proportion([shares]) == st.did_proportion(*shares)
    assert st.pooled_rate([]) is None and st.pooled_proportion([]) is None


# ------------------------------------------------------- the same cohorts before and after, on every page
def _statements(rows) -> list[str]:
    """Every statement the site makes from these outcome rows: each measure's, per cohort and pooled, for
    both follow-ups, and the cost headline."""
    from leadsf.site import cost_views
    from leadsf.stats import cost_model
    from tests import outcomes_fixture

    out = []
    for pair in ov.PAIRS:
        for cohort in ("all", "2015", "2016", "2017", "2018"):
            out += ov.overview(rows, pair, cohort)["statement"].tolist()
        out.append(ov.covers_label(ov.pooled_cohorts(ov.cells(rows, "any_arrest", pair))))
    costs = outcomes_fixture.costs_table()
    for pair, (before, after) in cost_model.PAIRS.items():
        use = rows[rows["window"].isin([before, after])
                   & rows["measure"].isin(["jail_bookings", "jail_days", "new_charge"])]
        out.append(cost_views.statement(cost_model.cost_table(costs, use, pair), pair))
    return out


def test_before_and_after_are_the_same_cohorts():
    from tests import outcomes_fixture

    rows = outcomes_fixture.outcomes_table(cohorts=(2015, 2016, 2017, 2018, 2020))  # 2020: no after-window yet
    for measure in ("any_arrest", "jail_days", "housed"):
        for pair, (before, after) in ov.PAIRS.items():
            cells = ov.cells(rows, measure, pair)
            cohorts = cells[cells["cohort"] != "all"]
            by_window = cohorts.groupby("window")["cohort"].apply(set)
            assert by_window[before] == by_window[after] and "2020" not in by_window[before]
            pooled = cells[cells["cohort"] == "all"].set_index(["group", "window"])["followed"]
            sizes = cohorts.groupby(["group", "window"])["followed"].sum()
            assert (pooled.sort_index() == sizes.sort_index()).all()  # n before and after: the same cohorts
            assert ov.pooled_cohorts(cells) == ["2015", "2016", "2017", "2018"]


def test_a_cohort_with_no_after_window_changes_no_statement():
    from tests import outcomes_fixture

    without = _statements(outcomes_fixture.outcomes_table())
    assert any("a clear difference" in s for s in without) and any("$" in s for s in without if s)
    with_it = _statements(outcomes_fixture.outcomes_table(cohorts=(2015, 2016, 2017, 2018, 2020)))
    raised = _statements(outcomes_fixture.outcomes_table(cohorts=(2015, 2016, 2017, 2018, 2020),
                                                         pre_scale={2020: 3.0}))
    assert with_it == without and raised == without
    # A release built before issue 23 counted that cohort in its pooled before-window: the site then pools the
    # fully published cohorts itself, and raising the cohort's counts still changes nothing.
    old = _statements(outcomes_fixture.outcomes_table(cohorts=(2015, 2016, 2017, 2018, 2020), mixed_all=True))
    old_raised = _statements(outcomes_fixture.outcomes_table(cohorts=(2015, 2016, 2017, 2018, 2020),
                                                             mixed_all=True, pre_scale={2020: 3.0}))
    assert old == old_raised


def test_a_cohort_with_a_suppressed_cell_stays_in_the_pooled_figure():
    from tests import outcomes_fixture

    rows = outcomes_fixture.outcomes_table()
    cells = ov.cells(rows, "new_charge", "12m")  # two cohorts fully published, two with a suppressed cell
    cohorts = cells[cells["cohort"] != "all"]
    assert 0 < len(st.fully_published(cohorts)) < cohorts["cohort"].nunique()
    assert ov.pooled_cohorts(cells) == ["2015", "2016", "2017", "2018"]
    pooled = ov.did_table(cells, "new_charge", "12m").set_index("cohort").loc["all"]
    # The published cohorts are strata of their own; the others one stratum together (the pooled row less the
    # published cohorts), never dropped.
    fours = [[tuple(int(v) for v in cells[(cells["cohort"] == c) & (cells["group"] == g)
                                          & (cells["window"] == w)][["count", "followed"]].iloc[0])
              for g in ("lead", "comparison") for w in ("pre_12m", "post_12m")] for c in ["all",
                                                                                       *st.fully_published(cohorts)]]
    rest = [(fours[0][i][0] - sum(f[i][0] for f in fours[1:]), fours[0][i][1] - sum(f[i][1] for f in fours[1:]))
            for i in range(4)]
    expected = st.pooled_proportion([*fours[1:], rest])
    assert pooled["did"] == pytest.approx(100 * expected.estimate, abs=1e-3)
    assert pooled["did"] != pytest.approx(100 * st.did_proportion(*fours[0]).estimate, abs=1e-3)
    # With only the published cohorts, the figure would differ: the suppressed ones count.
    assert pooled["did"] != pytest.approx(100 * st.pooled_proportion(fours[1:]).estimate, abs=1e-3)


def test_overview_answers_for_the_rows_it_is_given_even_a_table_changed_in_place():
    """The model fits behind `overview` are kept per table content (the page asks again per cohort): the same
    numbers in another frame get the same answer; the same frame with a count changed gets a new one."""
    from tests import outcomes_fixture

    rows = outcomes_fixture.outcomes_table()
    first = ov.overview(rows, "6m", "all")
    pd.testing.assert_frame_equal(ov.overview(rows.copy(), "6m", "all"), first)
    lead_after = (rows["measure"] == "any_arrest") & (rows["group"] == "lead") & (rows["window"] == "post_6m")
    rows.loc[lead_after, "count"] = rows.loc[lead_after, "count"] // 2
    changed = ov.overview(rows, "6m", "all").set_index("measure")
    fresh = ov.did_table(ov.cells(rows, "any_arrest", "6m"), "any_arrest", "6m").set_index("cohort").loc["all"]
    assert changed.loc["any_arrest", "did"] == fresh["did"]
    assert changed.loc["any_arrest", "did"] != first.set_index("measure").loc["any_arrest", "did"]
    assert (changed.drop(index="any_arrest")["statement"] == first.set_index("measure")
            .drop(index="any_arrest")["statement"]).all()
