"""leadsf.pipeline.suppression against the worked examples in docs/privacy.md and an independent LP re-check."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from leadsf.pipeline import suppression
from leadsf.pipeline.suppression import Problem, Unprotectable, audit, suppress

K = WIDTH = 10


def line_problem(values, fixed=(), locked=()):
    """A 1-D table: cells then their total (the last variable)."""
    vals = list(values) + [sum(values)]
    n = len(vals)
    p = Problem(vals, [(list(range(n - 1)), n - 1)], np.zeros(n, bool), np.isin(np.arange(n), fixed),
                np.isin(np.arange(n), locked))
    return p


def grid_problem(grid):
    """An R x C table with row totals, column totals and the grand total; returns (problem, index)."""
    g = np.asarray(grid, dtype=np.int64)
    r, c = g.shape
    full = np.zeros((r + 1, c + 1), np.int64)
    full[:r, :c] = g
    full[:r, c] = g.sum(1)
    full[r, :c] = g.sum(0)
    full[r, c] = g.sum()
    idx = np.arange((r + 1) * (c + 1)).reshape(r + 1, c + 1)
    lines = [(list(idx[i, :c]), int(idx[i, c])) for i in range(r + 1)]
    lines += [(list(idx[:r, j]), int(idx[r, j])) for j in range(c + 1)]
    n = full.size
    return Problem(full.ravel(), lines, np.zeros(n, bool), np.zeros(n, bool)), idx


def lp_ranges(problem: Problem, hidden: np.ndarray, targets) -> dict[int, tuple[float, float]]:
    """Independent attacker: scipy linprog over every line, hidden >= 1 (virtual >= 0), shown substituted."""
    unknown = hidden & ~problem.fixed
    ids = list(np.flatnonzero(unknown))
    ix = {v: i for i, v in enumerate(ids)}
    a, b = [], []
    for parts, total in problem.lines:
        row, rhs = np.zeros(len(ids)), 0.0
        for v in parts:
            if v in ix:
                row[ix[v]] += 1
            else:
                rhs -= problem.values[v]
        if total in ix:
            row[ix[total]] -= 1
        else:
            rhs += problem.values[total]
        if row.any():
            a.append(row)
            b.append(rhs)
        else:
            assert abs(rhs) < 1e-9, "published values violate a line"
    bounds = [(0 if problem.virtual[v] else 1, None) for v in ids]
    out = {}
    for t in targets:
        if t not in ix:
            continue
        obj = np.zeros(len(ids))
        obj[ix[t]] = 1
        if not a:
            out[t] = (bounds[ix[t]][0], float("inf"))
            continue
        lo = linprog(obj, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        hi = linprog(-obj, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        assert lo.status == 0, lo.message
        out[t] = (lo.fun, float("inf") if hi.status == 3 else -hi.fun)
    return out


def assert_protected(problem, result):
    hidden = result.hidden
    primary = suppression.primary_cells(problem.values, K)
    assert not (hidden & (problem.values == 0) & ~problem.virtual).any(), "a zero was withheld"
    assert hidden[primary].all(), "a count of 1..10 is shown"
    ranges = lp_ranges(problem, hidden, np.flatnonzero(primary))
    for v, (lo, hi) in ranges.items():
        assert hi - lo >= WIDTH - 1e-6, f"cell {v} (value {problem.values[v]}) range [{lo}, {hi}] < {WIDTH}"
    for parts, total in problem.lines:
        unknown = [v for v in (*parts, total) if hidden[v] and not problem.fixed[v]]
        assert len(unknown) != 1 or (problem.virtual[unknown[0]] and not primary[unknown[0]]), \
            f"line {parts}->{total} holds exactly one withheld count"


def test_1d_hides_3_and_14():
    p = line_problem([14, 3, 22, 0, 31])
    r = suppress(p, K, WIDTH)
    assert set(np.flatnonzero(r.hidden)) == {0, 1}
    lo, hi = lp_ranges(p, r.hidden, [1])[1]
    assert (lo, hi) == pytest.approx((1, 16))
    assert_protected(p, r)


def test_1d_two_ones_get_a_third_cell():
    p = line_problem([14, 1, 1, 0, 31])
    r = suppress(p, K, WIDTH)
    assert set(np.flatnonzero(r.hidden)) == {0, 1, 2}
    ranges = lp_ranges(p, r.hidden, [1, 2])
    for v in (1, 2):
        assert ranges[v] == pytest.approx((1, 14))
        lo, hi = r.intervals[v]
        assert hi - lo >= WIDTH
    assert_protected(p, r)


def test_audit_catches_two_ones_summing_to_a_shown_two():
    p = line_problem([14, 1, 1, 0, 31])
    hidden = np.zeros(len(p.values), bool)
    hidden[[1, 2]] = True  # the line rule is satisfied: two unknowns
    failures, intervals, _ = audit(p, hidden, suppression.primary_cells(p.values, K), WIDTH)
    assert sorted(failures) == [1, 2]


def test_audit_reports_the_exact_lp_range_of_a_failing_cell():
    p = line_problem([14, 1, 1, 0, 31])
    hidden = np.zeros(len(p.values), bool)
    hidden[[1, 2]] = True
    _, intervals, _ = audit(p, hidden, suppression.primary_cells(p.values, K), WIDTH)
    assert intervals[1] == pytest.approx((1, 1)), (
        f"BUG leadsf.pipeline.suppression._optimum: audit reports range {intervals[1]} for a cell pinned to exactly 1; "
        "it reads h.getInfo().objective_function_value AFTER resetting the column costs to 0, so every exact "
        "min/max LP reports objective 0 (fail-safe but wrong: over-suppression, spurious Unprotectable, wrong "
        "narrowest_range). Fix: read the objective before the reset loop.")


def test_2d_rectangle():
    grid = [[12, 3, 25, 14], [30, 41, 8, 19], [0, 22, 17, 26]]
    p, idx = grid_problem(grid)
    r = suppress(p, K, WIDTH)
    assert set(np.flatnonzero(r.hidden)) == {idx[0, 1], idx[0, 2], idx[1, 1], idx[1, 2]}
    ranges = lp_ranges(p, r.hidden, [idx[0, 1], idx[1, 2]])
    assert ranges[idx[0, 1]] == pytest.approx((1, 27))
    assert ranges[idx[1, 2]] == pytest.approx((6, 32))
    assert_protected(p, r)


def test_zeros_never_hidden():
    p, idx = grid_problem([[0, 3, 0, 40], [0, 0, 5, 60], [0, 22, 0, 26]])
    r = suppress(p, K, WIDTH)
    assert not r.hidden[p.values == 0].any()
    assert_protected(p, r)


def test_unprotectable_when_total_already_known():
    # The total is known from elsewhere (fixed), the other counts are 0: nothing can protect the 3.
    p = line_problem([3, 0, 0], fixed=[3])
    with pytest.raises(Unprotectable) as info:
        suppress(p, K, WIDTH)
    assert info.value.variable == 0


def test_unprotectable_when_only_candidate_is_locked():
    p = line_problem([3, 12], fixed=[2], locked=[1])
    with pytest.raises(Unprotectable):
        suppress(p, K, WIDTH)


def test_complement_forces_protection():
    # part 15 of whole 20: the complement 5 is never published but readers get it by subtraction.
    vals = [15, 20, 5]
    lines = [([0, 2], 1)]
    control = Problem(vals, lines, np.zeros(3, bool), np.zeros(3, bool))
    # Control: without the virtual flag 5 is just an ordinary primary cell... with the flag it is virtual.
    p = Problem(vals, lines, np.array([False, False, True]), np.zeros(3, bool))
    r = suppress(p, K, WIDTH)
    assert r.hidden[0] or r.hidden[1], "part 15 and whole 20 both shown: 20 - 15 = 5 is disclosed"
    assert_protected(p, r)
    assert 2 in r.intervals and r.intervals[2][1] - r.intervals[2][0] >= WIDTH
    del control


def test_complement_of_small_part():
    # part 5 of whole 12: the 5 and the complement 7 are both primary; their ranges must both be >= 10.
    p = Problem([5, 12, 7], [([0, 2], 1)], np.array([False, False, True]), np.zeros(3, bool))
    r = suppress(p, K, WIDTH)
    assert r.hidden[0] and r.hidden[2]
    assert_protected(p, r)


def random_table(seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    rows, cols = int(rng.integers(1, 5)), int(rng.integers(2, 9))
    mean = float(rng.choice([2, 4, 8, 15, 30]))
    return grid_problem(rng.poisson(mean, size=(rows, cols)))[0]


# The random tables the search gives up on: mostly counts of 0-3, where no set of withheld cells it tries
# widens every small count's range to the protection width. Giving up is allowed (R-8: the table is not
# published at that grain); any other table reported unprotectable is a regression.
GIVEN_UP = (3, 5, 40, 90)


@pytest.mark.parametrize("seed", [s for s in range(100) if s not in GIVEN_UP])
def test_random_tables_independent_lp(seed):
    p = random_table(seed)
    assert_protected(p, suppress(p, K, WIDTH))


@pytest.mark.parametrize("seed", GIVEN_UP)
def test_random_tables_given_up_name_a_small_count(seed):
    """A table given up on is reported, naming a count of 1-10 it could not protect (staff are told which)."""
    p = random_table(seed)
    with pytest.raises(Unprotectable) as info:
        suppress(p, K, WIDTH)
    assert 1 <= p.values[info.value.variable] <= K, info.value.variable


def test_a_component_audited_again_is_answered_as_before_and_a_changed_one_is_solved(monkeypatch):
    """The audit keeps the ranges of the components it has solved (suppression._audit_component): the same
    component asked again gets the same ranges and LP solves without solving, and a changed count is solved."""
    p, idx = grid_problem([[12, 3, 25, 14], [30, 41, 8, 19], [0, 22, 17, 26]])
    r = suppress(p, K, WIDTH)
    first = audit(p, r.hidden, r.primary, WIDTH)

    def no_solving(*args):
        raise AssertionError("solved again")
    monkeypatch.setattr(suppression, "_solve_component", no_solving)
    assert audit(p, r.hidden, r.primary, WIDTH) == first
    changed, _ = grid_problem([[12, 3, 25, 14], [30, 41, 7, 19], [0, 22, 17, 26]])
    with pytest.raises(AssertionError, match="solved again"):
        audit(changed, r.hidden, r.primary, WIDTH)
