"""Small-cell suppression with an exact audit (privacy rules R-1 to R-8).

The problem is stated over numbered variables (counts) and lines (`sum(parts) == total`), so it knows
nothing about areas or months; `leadsf.pipeline.release` builds the variables and lines from the public tables.

1. Primary: every count from 1 to k is withheld.
2. Line rule: no line may hold exactly one unknown, or subtraction gives it away. The partner withheld is
   the one of lowest cost weight (Problem.cost; leadsf.pipeline.suppression_cost makes totals dear), never a locked
   count, nor one that the other shown counts on a line give away anyway.
3. Audit: a reader knows every published count, every line, that withheld counts are at least 1 (zeros are
   always shown) and that complements (whole - part) are at least 0. For each primary cell the smallest
   and largest value consistent with all that, found by linear programs, must be at least P apart.
4. Where the audit fails, withhold one more count on a line through the failing cell (the cheapest that is
   large enough) and go to 2.

The audit certifies cells in batches: one LP finds a single consistent table in which as many primary cells
as possible sit P above their true value, which proves their range is at least P wide. Only the cells no
batch can certify get the exact min/max LPs, so the cost grows with the number of hard cells, not of
withheld ones.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse

_TOL = 1e-6
# Ranges of components already audited, keyed by everything the audit of one reads (see _audit_component).
_AUDITED: OrderedDict[tuple, tuple[dict[int, tuple[float, float]], int]] = OrderedDict()
_AUDITED_MAX = 4096
_AUDITED_LOCK = threading.Lock()  # the staff process previews in one thread per session


@dataclass
class Problem:
    """values[i] is the true count of variable i. virtual[i] marks counts that are never published (whole
    minus part); fixed[i] marks counts a reader already knows from elsewhere (an earlier release).
    cost[i] is what withholding variable i costs the reader (default: its count + 1); the complementary
    step hides the cheapest cells that do the job."""
    values: np.ndarray
    lines: list[tuple[list[int], int]]
    virtual: np.ndarray
    fixed: np.ndarray
    locked: np.ndarray = field(default=None)  # may not be chosen as a complement (e.g. an earlier release)
    cost: np.ndarray = field(default=None)

    def __post_init__(self):
        self.values = np.asarray(self.values, dtype=np.int64)
        n = len(self.values)
        self.virtual = np.asarray(self.virtual, dtype=bool) if len(self.virtual) else np.zeros(n, bool)
        self.fixed = np.asarray(self.fixed, dtype=bool) if len(self.fixed) else np.zeros(n, bool)
        self.locked = np.zeros(n, bool) if self.locked is None else np.asarray(self.locked, dtype=bool)
        self.cost = (self.values + 1.0) if self.cost is None else np.asarray(self.cost, dtype=float)
        self.lines_of: list[list[int]] = [[] for _ in range(n)]
        lines_of = self.lines_of
        for li, (parts, total) in enumerate(self.lines):
            for v in parts:
                lines_of[v].append(li)
            lines_of[total].append(li)


class Unprotectable(Exception):
    def __init__(self, variable: int, reason: str, line: int | None = None):
        super().__init__(reason)
        self.variable = variable
        self.line = line  # the line that gives the count away, when there is one
        # Progress so far, so a caller that drops the offending table can resume instead of starting over.
        self.hidden: np.ndarray | None = None
        self.passed: np.ndarray | None = None


@dataclass
class Result:
    hidden: np.ndarray          # withheld (virtual counts are always withheld)
    primary: np.ndarray
    intervals: dict[int, tuple[float, float]]  # audited range of every primary variable
    lp_solves: int


def primary_cells(values: np.ndarray, k: int) -> np.ndarray:
    return (values >= 1) & (values <= k)


def suppress(problem: Problem, k: int = 10, width: int = 10, initial_hidden: np.ndarray | None = None,
             passed: np.ndarray | None = None, max_rounds: int = 500) -> Result:
    """Withhold counts until the audit passes; raise Unprotectable when no further count can be withheld.

    `passed` marks cells already shown to be protected under a stricter publication (fewer cells withheld
    or more cells published): withholding more, or publishing less, only widens ranges, so they stay passed.
    """
    values = problem.values
    primary = primary_cells(values, k)
    hidden = primary | problem.virtual
    if initial_hidden is not None:
        hidden |= initial_hidden
    done = np.zeros(len(values), bool) if passed is None else passed.copy()
    blocked = _pinned(problem, hidden)
    solves = 0
    intervals: dict[int, tuple[float, float]] = {}
    for _ in range(max_rounds):
        try:
            _line_rule(problem, hidden, primary, blocked)
            failures, found, n = audit(problem, hidden, primary & ~done, width)
        except Unprotectable as exc:
            exc.hidden, exc.passed = hidden, done
            raise
        intervals.update(found)
        done[[v for v, (lo, hi) in found.items() if hi - lo >= width - _TOL]] = True
        solves += n
        if not failures:
            return Result(hidden, primary, intervals, solves)
        widened: set[int] = set()
        for cell in failures:
            # One new complement often protects several failing cells on the same line: re-audit first.
            if widened.isdisjoint(problem.lines_of[cell]):
                try:
                    widened.update(problem.lines_of[_widen(problem, hidden, cell, width, blocked)])
                except Unprotectable as exc:
                    exc.hidden, exc.passed = hidden, done
                    raise
    raise Unprotectable(int(np.flatnonzero(primary)[0]), "suppression did not converge")


def show_redundant(problem: Problem, result: Result, candidates: np.ndarray, width: int = 10) -> Result:
    """Show again each complementary count among `candidates` that the finished pattern does not need, dearest
    first: withheld one at a time as the search went, some end up protecting nothing the later ones do not (the
    cleanup step of cell suppression heuristics). A count is shown only when no line it reaches is left with a
    lone small unknown and the audit of every primary cell tied to it through withheld counts still passes.
    Counts known from elsewhere, carried over from an earlier release or never published stay as they are."""
    hidden, intervals, solves = result.hidden.copy(), dict(result.intervals), result.lp_solves
    order = np.flatnonzero(candidates & hidden & ~result.primary & ~problem.virtual & ~problem.fixed
                           & ~getattr(problem, "initial", np.zeros(len(hidden), bool)))
    for v in sorted(order, key=lambda v: (-problem.cost[v], v)):
        hidden[v] = False
        reach, frontier = {int(v)}, [int(v)]
        while frontier:  # the withheld counts tied to v by lines: all that showing v can narrow
            for li in problem.lines_of[frontier.pop()]:
                parts, total = problem.lines[li]
                for w in (*parts, total):
                    if w not in reach and hidden[w] and not problem.fixed[w]:
                        reach.add(w)
                        frontier.append(w)
        lines = {li for u in reach for li in problem.lines_of[u]}
        if any(_needs_partner(problem, hidden, result.primary, li) for li in lines):
            hidden[v] = True
            continue
        targets = np.zeros(len(hidden), bool)
        targets[list(reach)] = True
        failures, found, n = audit(problem, hidden, targets & result.primary, width)
        solves += n
        if failures:
            hidden[v] = True
        else:
            intervals.update(found)
    return Result(hidden, result.primary, intervals, solves)


def stranded(problem: Problem, k: int = 10, initial_hidden: np.ndarray | None = None) -> list[Unprotectable]:
    """Every line that gives a withheld count away whatever else is withheld: its only unknown needs a
    partner and every other count on it is shown for good. A caller can drop tables for all of them at
    once, before suppressing, instead of meeting them one at a time."""
    primary = primary_cells(problem.values, k)
    hidden = primary | problem.virtual
    if initial_hidden is not None:
        hidden = hidden | initial_hidden
    blocked = _pinned(problem, hidden)
    out = []
    for line in range(len(problem.lines)):
        if _needs_partner(problem, hidden, primary, line) and not _candidates(problem, hidden, line, blocked):
            out.append(Unprotectable(_unknowns(problem, hidden, line)[0],
                                     "no count on its line can be withheld to protect it", line))
    return out


def _pinned(problem: Problem, hidden: np.ndarray) -> np.ndarray:
    """Counts that may not be complements, and counts that withholding would not hide: on a line whose other
    counts are all shown for good (zeros, known or locked counts), a count is given away by subtraction, so
    hiding it protects nothing and strands the small counts that lean on it."""
    blocked = problem.fixed | problem.locked | (problem.values <= 0) | problem.virtual
    for_good = blocked & ~hidden
    pending = list(range(len(problem.lines)))
    while pending:
        line = pending.pop()
        parts, total = problem.lines[line]
        open_ = [v for v in (*parts, total) if not for_good[v]]
        if len(open_) == 1 and not hidden[open_[0]]:
            v = open_[0]
            for_good[v] = blocked[v] = True
            pending.extend(problem.lines_of[v])
    return blocked


def _candidates(problem: Problem, hidden: np.ndarray, line: int, blocked: np.ndarray) -> list[int]:
    parts, total = problem.lines[line]
    return [v for v in (*parts, total) if not hidden[v] and not blocked[v]]


def _unknowns(problem: Problem, hidden: np.ndarray, line: int) -> list[int]:
    parts, total = problem.lines[line]
    return [v for v in (*parts, total) if hidden[v] and not problem.fixed[v]]


def _needs_partner(problem: Problem, hidden: np.ndarray, primary: np.ndarray, line: int) -> bool:
    unknown = _unknowns(problem, hidden, line)
    # A lone complement that is not itself small reveals nothing a reader can use; the audit still checks.
    return len(unknown) == 1 and not (problem.virtual[unknown[0]] and not primary[unknown[0]])


def _line_rule(problem: Problem, hidden: np.ndarray, primary: np.ndarray, blocked: np.ndarray) -> None:
    pending = set(range(len(problem.lines)))
    while pending:
        line = pending.pop()
        if not _needs_partner(problem, hidden, primary, line):
            continue
        options = _candidates(problem, hidden, line, blocked)
        if not options:
            lone = _unknowns(problem, hidden, line)[0]
            raise Unprotectable(lone, "no count on its line can be withheld to protect it", line)

        def closes_another(v: int) -> bool:
            return any(li != line and _needs_partner(problem, hidden, primary, li) for li in problem.lines_of[v])

        # Lowest weight first (cost per unit of count: a total only when no cell beneath it will do); among
        # equals, a cell that also closes another open line (2x2 rectangles), then the smallest.
        choice = min(options, key=lambda v: (problem.cost[v] / (problem.values[v] + 1.0), not closes_another(v),
                                             problem.cost[v], v))
        hidden[choice] = True
        pending.update(problem.lines_of[choice])


def _widen(problem: Problem, hidden: np.ndarray, cell: int, width: int, blocked: np.ndarray,
           max_hops: int = 4) -> int:
    """Withhold one more count near `cell`: on its lines first, then on lines through the withheld counts
    that pin it, and so on outwards."""
    need = width + 2 - problem.values[cell]
    frontier, seen_lines, seen_cells = {cell}, set(), {cell}
    for _ in range(max_hops):
        lines = {li for v in frontier for li in problem.lines_of[v]} - seen_lines
        seen_lines |= lines
        options = {v for li in lines for v in _candidates(problem, hidden, li, blocked)}
        if options:
            choice = min(options, key=lambda v: (problem.values[v] < need, problem.cost[v], v))
            hidden[choice] = True
            return choice
        frontier = {v for li in lines for v in _unknowns(problem, hidden, li)} - seen_cells
        seen_cells |= frontier
        if not frontier:
            break
    raise Unprotectable(cell, "its range stays narrower than the protection width and no count near it can be "
                              "withheld")


def audit(problem: Problem, hidden: np.ndarray, targets_mask: np.ndarray, width: int
          ) -> tuple[list[int], dict[int, tuple[float, float]], int]:
    """Audit the ranges of the variables in targets_mask (normally every primary cell).

    Returns (variables whose range is narrower than `width`, the ranges found, LP solves)."""
    unknown = hidden & ~problem.fixed
    index = -np.ones(len(problem.values), dtype=np.int64)
    unknown_ids = np.flatnonzero(unknown)
    index[unknown_ids] = np.arange(len(unknown_ids))
    rows, cols, coef, rhs, row_first = [], [], [], [], []
    parent = list(range(len(unknown_ids)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for parts, total in problem.lines:
        terms = [(index[v], 1.0) for v in parts if unknown[v]]
        if unknown[total]:
            terms.append((index[total], -1.0))
        if not terms:
            continue
        known = sum(int(problem.values[v]) for v in parts if not unknown[v])
        known_total = 0 if unknown[total] else int(problem.values[total])
        r = len(rhs)
        for c, a in terms:
            rows.append(r); cols.append(c); coef.append(a)
        rhs.append(known_total - known)
        row_first.append(terms[0][0])
        first = find(terms[0][0])
        for c, _ in terms[1:]:
            parent[find(c)] = first

    targets = [int(index[v]) for v in np.flatnonzero(targets_mask & unknown)]
    if not targets:
        return [], {}, 0
    a_eq = sparse.csr_matrix((coef, (rows, cols)), shape=(len(rhs), len(unknown_ids)))
    b_eq = np.asarray(rhs, dtype=float)
    lower = np.where(problem.virtual[unknown_ids], 0.0, 1.0)
    true = problem.values[unknown_ids].astype(float)
    comp = np.array([find(i) for i in range(len(unknown_ids))])
    row_comp = comp[np.asarray(row_first, dtype=np.int64)]

    failures: list[int] = []
    intervals: dict[int, tuple[float, float]] = {}
    solves = 0
    by_comp: dict[int, list[int]] = {}
    for t in targets:
        by_comp.setdefault(comp[t], []).append(t)
    for c, comp_targets in by_comp.items():
        members = np.flatnonzero(comp == c)
        comp_rows = np.flatnonzero(row_comp == c)
        if len(comp_rows) == 0:  # on no line at all: nothing bounds it from above
            for t in comp_targets:
                intervals[int(unknown_ids[t])] = (lower[t], float("inf"))
            continue
        sub_a = a_eq[comp_rows][:, members]
        sub_b = b_eq[comp_rows]
        local = {int(m): i for i, m in enumerate(members)}
        result, n = _audit_component(sub_a, sub_b, lower[members], true[members],
                                     [local[t] for t in comp_targets], width)
        solves += n
        for lt, (lo, hi) in result.items():
            variable = int(unknown_ids[members[lt]])
            intervals[variable] = (lo, hi)
            if hi - lo < width - _TOL:
                failures.append(variable)
    return failures, intervals, solves


def _model(a_eq, b_eq, lower, upper=None) -> highspy.Highs:
    """A HiGHS model of `a_eq x = b_eq, x >= lower`; re-solving it with a new objective starts warm."""
    h = highspy.Highs()
    # Quiet before the model is passed and run: the publish's own output is the CLI's and the staff page's.
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    n = a_eq.shape[1]
    csc = sparse.csc_matrix(a_eq)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, a_eq.shape[0]
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.full(n, highspy.kHighsInf) if upper is None else np.asarray(upper, dtype=float)
    lp.row_lower_ = lp.row_upper_ = np.asarray(b_eq, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc.indptr, csc.indices, csc.data
    h.passModel(lp)
    return h


def _optimum(h: highspy.Highs, costs: dict[int, float]) -> tuple[float, np.ndarray | None]:
    """Minimise sum(cost * x) and reset the costs; (-inf, None) when unbounded below."""
    for col, cost in costs.items():
        h.changeColCost(col, cost)
    h.run()
    status = h.getModelStatus()
    # Read the answer before resetting costs: changing a cost invalidates HiGHS's solution info.
    objective = h.getInfo().objective_function_value
    solution = np.asarray(h.getSolution().col_value)
    for col in costs:
        h.changeColCost(col, 0.0)
    if status == highspy.HighsModelStatus.kOptimal:
        return objective, solution
    if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return -float("inf"), None
    raise RuntimeError(f"audit LP failed: {h.modelStatusToString(status)}")


def _audit_component(a_eq, b_eq, lower, true, targets, width):
    """Ranges of the target variables of one connected component, and the LP solves they took.

    The answer depends on nothing but these arguments (the LPs are deterministic and the batch weights come
    from a generator seeded afresh for each component), and most components come back unchanged between
    suppression rounds, table restorations and publishes of the same figures: an answer found before for
    exactly the same arguments is given again, with the solves it took then."""
    a = sparse.csc_matrix(a_eq)  # the model's own column form: equal matrices give equal keys
    key = (a.shape, a.indptr.astype(np.int64).tobytes(), a.indices.astype(np.int64).tobytes(),
           a.data.astype(float).tobytes(), *(np.asarray(x, float).tobytes() for x in (b_eq, lower, true)),
           np.asarray(targets, np.int64).tobytes(), float(width))
    with _AUDITED_LOCK:
        found = _AUDITED.get(key)
        if found is not None:
            _AUDITED.move_to_end(key)
    if found is None:
        found = _solve_component(a_eq, b_eq, lower, true, targets, width)
        with _AUDITED_LOCK:
            _AUDITED[key] = found
            if len(_AUDITED) > _AUDITED_MAX:
                _AUDITED.popitem(last=False)
    ranges, solves = found
    return dict(ranges), solves


def _solve_component(a_eq, b_eq, lower, true, targets, width):
    """Ranges of the target variables of one connected component.

    Every feasible table an LP returns is evidence for every target at once: a target whose values across
    the tables seen (the true table included) already span `width` is protected. Batch rounds push all
    remaining targets up (capped at true + width) and down together; only targets no round certifies get
    their own exact min and max.
    """
    n, m = a_eq.shape[1], len(targets)
    targets = np.asarray(targets)
    t_true = true[targets]
    seen_lo, seen_hi = t_true.copy(), t_true.copy()
    solves = 0

    def observe(x) -> None:
        if x is not None:
            np.minimum(seen_lo, x[targets], out=seen_lo)
            np.maximum(seen_hi, x[targets], out=seen_hi)

    def open_targets() -> np.ndarray:
        return np.flatnonzero(seen_hi - seen_lo < width - _TOL)

    link = sparse.hstack([sparse.csr_matrix((-np.ones(m), (np.arange(m), targets)), shape=(m, n)),
                          sparse.identity(m, format="csr")])
    batch = _model(sparse.vstack([sparse.hstack([a_eq, sparse.csr_matrix((a_eq.shape[0], m))]), link]),
                   np.r_[b_eq, np.zeros(m)], np.r_[lower, np.full(m, -highspy.kHighsInf)],
                   np.r_[np.full(n, highspy.kHighsInf), t_true + width])
    for r in range(a_eq.shape[0], a_eq.shape[0] + m):  # link rows: z - x <= 0
        batch.changeRowBounds(r, -highspy.kHighsInf, 0.0)
    exact = _model(a_eq, b_eq, lower)
    rng = np.random.default_rng(0)  # distinct weights make an optimum lift whole cells, not share the slack
    remaining = open_targets()
    while len(remaining):
        weights = 1.0 + rng.random(len(remaining))
        _, x = _optimum(batch, {n + int(j): -w for j, w in zip(remaining, weights)})
        observe(None if x is None else x[:n])
        _, x = _optimum(exact, {int(targets[j]): w for j, w in zip(remaining, weights)})
        observe(x)
        solves += 2
        still = open_targets()
        if len(remaining) - len(still) < max(1, len(remaining) // 20):
            remaining = still
            break
        remaining = still
    out: dict[int, tuple[float, float]] = {}
    for j in remaining:
        if seen_hi[j] - seen_lo[j] >= width - _TOL:  # certified by a table found for another target
            continue
        t = int(targets[j])
        neg_hi, x = _optimum(exact, {t: -1.0})
        observe(x)
        solves += 1
        if -neg_hi >= seen_lo[j] + width - _TOL:
            seen_hi[j] = max(seen_hi[j], -neg_hi)
            continue
        lo, x = _optimum(exact, {t: 1.0})
        observe(x)
        solves += 1
        out[t] = (lo, -neg_hi)  # exact range
    for j in range(m):
        out.setdefault(int(targets[j]), (float(seen_lo[j]), float(seen_hi[j])))
    return out, solves
