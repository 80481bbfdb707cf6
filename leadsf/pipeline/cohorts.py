"""The public cohort tables of a release: outcomes by referral cohort, program costs, group definitions.

Privacy rules for outcomes (docs/privacy.md#cohort-outcome-tables), the unit being a person followed for a window:

- Cohort sizes: a cohort-group-window with fewer than `cohort_min_people` followed is not published at that
  grain. Quarters are published only when all four quarters of the year are large enough in both groups (so a
  year is always its quarters' sum, and no small remainder can be had by subtraction); small years are merged
  with their neighbours into spans ("2019–2021"), the same spans for every window, so before and after compare
  the same people. `followed` is then never withheld.
- People with an event: counts of 1 to 10 are withheld, and so are complements (followed - with), which the
  audit sees as part of its whole; likewise felony within new charges, people booked within bookings.
- Totals (jail bookings, jail days) only where at least `cohort_min_people_totals` are followed, as a mean per
  person beside the total.
- The "all" row of a window sums the cohorts whose after-window is complete (for a before-window, the paired
  after-window: pre_6m with post_6m, pre_12m with post_12m), so "all" before and after are the same cohorts.
- Every additive line (quarters -> year, cohorts -> "all") goes to leadsf.pipeline.suppression together with the
  previous release's outcome cells, as leadsf.pipeline.release does for the other tables.
- The LEAD cohort can be exactly the people referred in its period. Where a LEAD `followed` count equals the
  referral count it stands for and that referral count is withheld, the cohort is not published at all
  (publishing it would publish the withheld count, or its sum with a neighbour's).

Costs carry no people except participants served: 1 to 10 is withheld, with the year's participant-months.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leadsf import config

from . import areas, contract, release, suppression
from .cohort_periods import EN_DASH, cohort_months
from .cohort_periods import month_number as _month_number
ALL_COHORTS = "all"
CELL_KEY = ["cohort", "group", "window", "measure"]
# The after-window each before-window is compared with (the Outcomes page's follow-up pairs).
POOLED_WITH = {"pre_6m": "post_6m", "pre_12m": "post_12m"}


@dataclass
class Built(release.Built):
    """A release's tables: the month x area ones (leadsf.pipeline.release) plus the cohort ones built here."""
    cohort_cells: pd.DataFrame | None = None  # internal: true outcome counts and what was withheld
    notes: list[str] = field(default_factory=list)  # cohorts merged or not published, for staff


# ------------------------------------------------------------------------------------------ cohort units

@dataclass(frozen=True)
class Unit:
    label: str
    cohort_type: str           # quarter, year, span (or all)
    quarters: tuple[str, ...]  # the extract cohorts it covers (quarters 'YYYY-Qn' or years 'YYYY')
    first_month: str
    last_month: str
    in_year: str = ""          # quarter units inside a published year: the year they add up to


def _complete(last_month: str, window: str, through: str) -> bool:
    months = contract.WINDOW_MONTHS[window]
    return months < 0 or _month_number(last_month) + months <= _month_number(through)


class _Outcomes:
    """The extract indexed for summing: value of (cohort, group, window, measure), and who was followed."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.through = str(frame["data_through"].iat[0])
        # Columns as lists first: iterating an Arrow-backed column costs a Python call per value.
        keys = zip(*(frame[c].tolist() for c in CELL_KEY))
        self.value = {k: int(v) for k, v in zip(keys, frame["count"].tolist())}
        self.cohorts = sorted(set(frame["cohort"]))
        self.years = sorted({c[:4] for c in self.cohorts})
        self.by_quarter = {y: any("-Q" in c for c in self.cohorts if c[:4] == y) for y in self.years}

    def covered(self, year: str) -> tuple[str, ...]:
        return tuple(f"{year}-Q{q}" for q in range(1, 5)) if self.by_quarter[year] else (year,)

    def total(self, cohorts, group: str, window: str, measure: str) -> int | None:
        """Sum over cohorts; a cohort without people followed counts 0; None when a cohort with people lacks
        the measure (the sum would be short)."""
        out = 0
        for c in cohorts:
            followed = self.value.get((c, group, window, contract.FOLLOWED))
            if not followed and measure != contract.FOLLOWED:
                continue
            v = self.value.get((c, group, window, measure))
            if v is None:
                if followed:
                    return None
                continue
            out += v
        return out

    def followed(self, cohorts, window: str) -> int:
        """The smaller group's people followed."""
        return min(self.total(cohorts, g, window, contract.FOLLOWED) or 0 for g in contract.GROUPS)


def _span_label(years: list[str]) -> str:
    return years[0] if len(years) == 1 else f"{years[0]}{EN_DASH}{years[-1]}"


def _year_unit(years: list[str], data: _Outcomes) -> Unit:
    cohorts = tuple(c for y in years for c in data.covered(y))
    return Unit(_span_label(years), "year" if len(years) == 1 else "span", cohorts, f"{years[0]}-01",
                f"{years[-1]}-12")


def _windows_of(unit: Unit, through: str) -> list[str]:
    return [w for w in contract.WINDOW_MONTHS if _complete(unit.last_month, w, through)]


def _big_enough(unit: Unit, data: _Outcomes, k: int) -> bool:
    windows = _windows_of(unit, data.through)
    return bool(windows) and all(data.followed(unit.quarters, w) >= k for w in windows)


def plan_units(data: _Outcomes, k: int) -> tuple[list[Unit], list[str]]:
    """Years and spans of years, the same for every window. Only referral years over by data_through: a year
    still taking referrals is not a cohort yet. Returns the units and notes for staff."""
    notes: list[str] = []
    whole = [y for y in data.years if f"{y}-12" <= data.through]
    if len(whole) < len(data.years):
        notes.append(f"outcomes: cohorts of {', '.join(sorted(set(data.years) - set(whole)))} not published yet (the "
                     "year of referral is not over by data_through)")
    units: list[Unit] = []
    pending: list[str] = []
    for y in whole:
        pending.append(y)
        candidate = _year_unit(pending, data)
        if _big_enough(candidate, data, k):
            units.append(candidate)
            pending = []
    if pending:
        if units:  # a small tail joins the unit before it
            years = sorted({q[:4] for q in units.pop().quarters} | set(pending))
            units.append(_year_unit(years, data))
        else:
            notes.append(f"outcomes: cohorts {', '.join(pending)} not published (fewer than {k} people followed "
                         "even together)")
    for u in units:
        if u.cohort_type == "span":
            notes.append(f"outcomes: cohorts {u.label} published together (fewer than {k} people followed in a "
                         "single year)")
    return units, notes


def quarter_units(year_unit: Unit, data: _Outcomes, window: str, k: int) -> list[Unit]:
    """The four quarters of a published year, when each is big enough in both groups for this window."""
    if year_unit.cohort_type != "year" or len(year_unit.quarters) != 4:
        return []
    quarters = [Unit(q, "quarter", (q,), *cohort_months(q), in_year=year_unit.label) for q in year_unit.quarters]
    return quarters if all(data.followed(q.quarters, window) >= k for q in quarters) else []


# ----------------------------------------------------------------------------------------- referral links

def _referral_counts(area_cells: pd.DataFrame | None) -> dict[str, tuple[int, bool]]:
    """Whole-area referral counts by quarter and year: period -> (count, withheld)."""
    if area_cells is None or not len(area_cells):
        return {}
    c = area_cells[(area_cells["kind"] == "referrals") & (area_cells["dim"] == "")
                   & (area_cells["area_id"] == areas.TOTAL_ID) & area_cells["period_type"].isin(["quarter", "year"])]
    return {p: (int(v), bool(h)) for p, v, h in zip(c["period"], c["value"], c["hidden"])}


def _reveals_withheld_referrals(unit: Unit, data: _Outcomes, referrals: dict) -> bool:
    periods = unit.quarters if unit.cohort_type == "quarter" else tuple(dict.fromkeys(q[:4] for q in unit.quarters))
    known = [referrals.get(p) for p in periods]
    if not known or any(r is None for r in known) or not any(hidden for _, hidden in known):
        return False
    referred = sum(v for v, _ in known)
    return any(data.total(unit.quarters, "lead", w, contract.FOLLOWED) == referred
               for w in _windows_of(unit, data.through))


# ------------------------------------------------------------------------------------------------ cells

def outcome_cells(data: _Outcomes, units: list[Unit], k: int, whole_years: set[str] = frozenset(),
                  with_all: bool = True) -> pd.DataFrame:
    """Every candidate public outcome cell with its true value, and the line structure as columns:
    `in_year` (a quarter adding up to that year) and `in_all` (a term of the window's 'all' row)."""
    measures = contract.TABLE_KINDS["outcomes"].field("measure").allowed
    rows = []
    for window in contract.WINDOW_MONTHS:
        terms = [u for u in units if _complete(u.last_month, window, data.through)]
        # Same people before and after: a before-window's 'all' row counts only the cohorts whose paired
        # after-window is complete too, so 'all' before and 'all' after are the same cohorts.
        pooled = [u for u in terms if _complete(u.last_month, POOLED_WITH.get(window, window), data.through)]
        extra = [q for u in terms if u.label not in whole_years for q in quarter_units(u, data, window, k)]
        for u in terms + extra:
            for group in contract.GROUPS:
                for measure in measures:
                    v = data.total(u.quarters, group, window, measure)
                    if v is not None:
                        rows.append((u.label, u.cohort_type, u.first_month, u.last_month, group, window, measure,
                                     v, u.in_year, u.in_year == "" and u in pooled))
        if not pooled or not with_all:
            continue
        first, last = min(u.first_month for u in pooled), max(u.last_month for u in pooled)
        for group in contract.GROUPS:
            for measure in measures:
                values = [data.total(u.quarters, group, window, measure) for u in pooled]
                if all(v is not None for v in values):
                    rows.append((ALL_COHORTS, "all", first, last, group, window, measure, sum(values), "", False))
    cells = pd.DataFrame(rows, columns=["cohort", "cohort_type", "cohort_first_month", "cohort_last_month", "group",
                                        "window", "measure", "value", "in_year", "in_all"])
    cells["value"] = cells["value"].astype(np.int64)
    people = ["cohort", "group", "window"]
    followed_rows = cells[cells["measure"] == contract.FOLLOWED]
    followed = dict(zip(zip(*(followed_rows[c].tolist() for c in people)), followed_rows["value"].tolist()))
    cells["followed"] = [followed.get(key, 0) for key in zip(*(cells[c].tolist() for c in people))]
    return cells


def _lines(cells: pd.DataFrame) -> tuple[list[tuple[list[int], int]], list[tuple[int, int]]]:
    """Additive lines (quarters -> year, units -> all) and (part, whole) pairs, as row indices."""
    index = {key: i for i, key in enumerate(zip(*(cells[c].tolist() for c in CELL_KEY)))}
    lines = []
    for (year, g, w, m), rows in cells[cells["in_year"] != ""].groupby(["in_year", "group", "window",
                                                                         "measure"]).groups.items():
        if (year, g, w, m) in index and len(rows) == 4:
            lines.append((list(rows), index[(year, g, w, m)]))
    for (g, w, m), rows in cells[cells["in_all"]].groupby(["group", "window", "measure"]).groups.items():
        if (ALL_COHORTS, g, w, m) in index:
            lines.append((list(rows), index[(ALL_COHORTS, g, w, m)]))
    pairs = []
    cohort, group, window, measure = (cells[c].to_numpy() for c in CELL_KEY)
    for _, part, whole in contract.TABLE_KINDS["outcomes"].parts:
        for i in np.flatnonzero(measure == part):
            j = index.get((cohort[i], group[i], window[i], whole))
            if j is not None:
                pairs.append((int(i), j))
    return lines, pairs


def _totals_too_few(cells: pd.DataFrame) -> np.ndarray:
    return (cells["measure"].isin(contract.TOTAL_MEASURES) & (cells["followed"] < config.get("cohort_min_people_totals"))
            ).to_numpy()


@dataclass
class _System:
    problem: suppression.Problem
    n_new: int


def _system(new: pd.DataFrame, old: pd.DataFrame | None) -> _System:
    """Variables for the new cells, the previous release's cells and every complement, with both releases'
    lines. An unchanged count is one unknown in both releases."""
    n_new = len(new)
    var_of_old = np.zeros(0, np.int64)
    values = list(new["value"])
    fixed, initial = [False] * n_new, list(_totals_too_few(new))
    locked = list(new["measure"] == contract.FOLLOWED)  # followed is published: never a complement
    if old is not None and len(old):
        same = new.reset_index().merge(old.reset_index(), on=CELL_KEY + ["value"], suffixes=("_n", "_o"))
        match = dict(zip(same["index_o"], same["index_n"]))
        var_of_old = np.empty(len(old), np.int64)
        old_values, old_hidden = old["value"].to_numpy(np.int64), old["hidden"].to_numpy(bool)
        for i in range(len(old)):
            if i in match:
                var_of_old[i] = match[i]
            else:
                var_of_old[i] = len(values)
                values.append(int(old_values[i]))
                fixed.append(not old_hidden[i])
                initial.append(bool(old_hidden[i]))
                locked.append(True)
        for i, v in match.items():  # a cell readers already saw withheld stays withheld
            initial[v] = initial[v] or bool(old_hidden[i])
    lines, virtual_values = [], []
    frames = [(new, np.arange(n_new))] + ([(old, var_of_old)] if old is not None and len(old) else [])
    n_vars = len(values)
    for frame, var_of in frames:
        f_lines, pairs = _lines(frame.reset_index(drop=True))
        lines += [([int(var_of[p]) for p in parts], int(var_of[t])) for parts, t in f_lines]
        frame_values = frame["value"].to_numpy(np.int64)
        for part, whole in pairs:
            comp = n_vars + len(virtual_values)
            virtual_values.append(int(frame_values[whole] - frame_values[part]))
            lines.append(([int(var_of[part]), comp], int(var_of[whole])))
    n_virtual = len(virtual_values)
    # A count withheld from the start (a total of too few people) may be 0, which the audit's "withheld counts
    # are at least 1" would contradict: such a zero is a never-published count, like a complement.
    initial_arr = np.asarray(initial, bool)
    unpublished_zero = initial_arr & (np.asarray(values, np.int64) == 0)
    problem = suppression.Problem(np.asarray(values + virtual_values, np.int64), lines,
                                  np.r_[unpublished_zero, np.ones(n_virtual, bool)],
                                  np.r_[np.asarray(fixed, bool), np.zeros(n_virtual, bool)],
                                  np.r_[np.asarray(locked, bool), np.ones(n_virtual, bool)])
    problem.initial = np.r_[initial_arr & ~unpublished_zero, np.zeros(n_virtual, bool)]
    return _System(problem, n_new)


def _nearest_new(problem: suppression.Problem, variable: int, n_new: int) -> int | None:
    """A new cell on a line through `variable`, or through the cells on those lines (breadth first)."""
    frontier, seen = [variable], {variable}
    while frontier:
        v = frontier.pop(0)
        if v < n_new:
            return v
        for li in problem.lines_of[v]:
            parts, total = problem.lines[li]
            for u in (*parts, total):
                if u not in seen:
                    seen.add(u)
                    frontier.append(u)
    return None


def protect(data: _Outcomes, units: list[Unit], whole_years: set[str], previous: pd.DataFrame | None
            ) -> tuple[pd.DataFrame, list[str], dict]:
    """Suppress and audit the outcome cells. A cohort that cannot be protected is not published and the cells
    are built again without it ('all' rows included), so every line stays true. `whole_years`: years whose
    quarters are not to be published. Returns cells with `hidden`, notes and the audit summary."""
    k, width = config.get("suppress_max"), config.get("protection_width")
    started = time.perf_counter()
    notes: list[str] = []
    units, whole_years, with_all = list(units), set(whole_years), True
    for _ in range(100):
        cells = outcome_cells(data, units, config.get("cohort_min_people"), whole_years, with_all)
        system = _system(cells, previous)
        p = system.problem
        try:
            result = suppression.suppress(p, k, width, p.initial.copy())
        except suppression.Unprotectable as exc:
            row = _nearest_new(p, exc.variable, system.n_new)
            if row is None:
                raise release.ReleaseRefused(f"a withheld outcome count of the previous release could not be "
                                             f"protected ({exc}); ask the data steward") from exc
            label, ctype = cells["cohort"].iat[row], cells["cohort_type"].iat[row]
            if ctype == "quarter":
                whole_years.add(cells["in_year"].iat[row])
                notes.append(f"outcomes: cohort {cells['in_year'].iat[row]} published by year only (its quarters "
                             "could not be protected)")
            elif ctype == "all":
                with_all = False
                notes.append("outcomes: all cohorts together not published (could not be protected)")
            else:
                units = [u for u in units if u.label != label]
                notes.append(f"outcomes: cohort {label} not published (its counts could not be protected)")
            continue
        out = cells.copy()
        out["hidden"] = result.hidden[: system.n_new]
        widths = [hi - lo for lo, hi in result.intervals.values()]
        return out, notes, {"primary_cells": int(result.primary[: system.n_new].sum()),
                            "withheld_cells": int(out["hidden"].sum()),
                            "narrowest_range": None if not widths else round(float(min(widths)), 3),
                            "lp_solves": result.lp_solves, "with_previous_release": previous is not None,
                            "seconds": round(time.perf_counter() - started, 3)}
    raise release.ReleaseRefused("too many outcome cohorts could not be protected")


def audit_against(cells: pd.DataFrame, previous: pd.DataFrame) -> list[int]:
    """Audit published outcome cells together with another release's (rollback); variables too narrow."""
    system = _system(cells.drop(columns="hidden"), previous)
    p = system.problem
    hidden = p.initial | p.virtual
    hidden[: system.n_new] |= cells["hidden"].to_numpy(bool)
    primary = suppression.primary_cells(p.values, config.get("suppress_max"))
    failures, _, _ = suppression.audit(p, hidden, primary, config.get("protection_width"))
    return failures


def outcomes_table(cells: pd.DataFrame, through: str) -> pd.DataFrame:
    hidden = cells["hidden"].to_numpy(bool)
    total = cells["measure"].isin(contract.TOTAL_MEASURES).to_numpy()
    out = pd.DataFrame({
        "cohort": cells["cohort"], "cohort_type": cells["cohort_type"],
        "cohort_first_month": cells["cohort_first_month"], "cohort_last_month": cells["cohort_last_month"],
        "group": cells["group"], "window": cells["window"],
        "window_months": cells["window"].map(contract.WINDOW_MONTHS).astype("int64"),
        "measure": cells["measure"], "value_type": np.where(total, "total", "people"),
        "followed": pd.array(cells["followed"], dtype="Int64"),
    })
    out["count"] = pd.array(np.where(hidden, 0, cells["value"]), dtype="Int64")
    out.loc[hidden, "count"] = pd.NA
    mean = (cells["value"] / cells["followed"].where(cells["followed"] > 0)).round(3)
    out["mean_per_person"] = mean.where(total & ~hidden)
    out["withheld"] = hidden
    out["data_through"] = through
    order = {"quarter": 0, "year": 1, "span": 2, "all": 3}
    return (out.assign(_o=out["cohort_type"].map(order), _w=out["window_months"])
            .sort_values(["_o", "cohort", "group", "_w", "measure"]).drop(columns=["_o", "_w"])
            .reset_index(drop=True))


def build_outcomes(frame: pd.DataFrame, area_cells: pd.DataFrame | None, previous: pd.DataFrame | None
                   ) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict]:
    """(public table, internal cells, notes, audit summary) for one outcomes extract."""
    data = _Outcomes(frame)
    k = config.get("cohort_min_people")
    units, notes = plan_units(data, k)
    referrals = _referral_counts(area_cells)
    linked = [u for u in units if _reveals_withheld_referrals(u, data, referrals)]
    for u in linked:
        notes.append(f"outcomes: cohort {u.label} not published (its LEAD group is exactly a withheld referral "
                     "count)")
    units = [u for u in units if u not in linked]
    # A quarter standing for a withheld referral count: that year is published as a whole only.
    whole_years = {u.label for u in units if u.cohort_type == "year" and len(u.quarters) == 4
                   and any(_reveals_withheld_referrals(Unit(q, "quarter", (q,), *cohort_months(q)), data, referrals)
                           for q in u.quarters)}
    cells, more, audit = protect(data, units, whole_years, previous)
    notes += more
    return outcomes_table(cells, data.through), cells, notes, audit


# ------------------------------------------------------------------------------------------------ costs

def item_type(items: pd.Series) -> np.ndarray:
    return np.select([items.isin(contract.PROGRAM_LINES), items.isin(list(contract.COUNT_ITEMS))],
                     ["program_spending", "participants"], "unit_cost")


def costs_table(frame: pd.DataFrame) -> pd.DataFrame:
    units = {**{line: "USD" for line in contract.PROGRAM_LINES}, **contract.COUNT_ITEMS, **contract.UNIT_COSTS}
    served = frame[frame["item"] == "participants_served"].set_index("fiscal_year")["amount"]
    k = config.get("suppress_max")
    small_years = set(served[(served >= 1) & (served <= k)].index)
    withheld = (frame["item"].isin(list(contract.COUNT_ITEMS)) & frame["fiscal_year"].isin(small_years)).to_numpy()
    out = pd.DataFrame({"fiscal_year": frame["fiscal_year"].astype(str), "item": frame["item"],
                        "item_type": item_type(frame["item"]), "payer": frame["payer"],
                        "amount": frame["amount"].astype(float).where(~withheld),
                        "unit": frame["item"].map(units), "source": frame["source"], "withheld": withheld})
    return out.sort_values(["fiscal_year", "item_type", "item", "payer"]).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------- build

def _empty_audit() -> dict:
    return {"passed": True, "protection_width": config.get("protection_width"),
            "suppress_max": config.get("suppress_max"), "primary_cells": 0, "withheld_cells": 0,
            "narrowest_range": None, "lp_solves": 0, "with_previous_release": False, "seconds": 0.0}


def _merge_audit(area: dict, cohort: dict) -> dict:
    ranges = [r for r in (area.get("narrowest_range"), cohort["narrowest_range"]) if r is not None]
    return area | {
        "primary_cells": area["primary_cells"] + cohort["primary_cells"],
        "withheld_cells": area["withheld_cells"] + cohort["withheld_cells"],
        "narrowest_range": min(ranges) if ranges else None,
        "lp_solves": area["lp_solves"] + cohort["lp_solves"],
        "seconds": round(area["seconds"] + cohort["seconds"], 3),
        "outcomes": cohort,
    }


def build(extracts: dict, previous_cells: pd.DataFrame | None = None,
          previous_cohort_cells: pd.DataFrame | None = None) -> Built:
    """Every public table of a release from validated extracts (kind name -> leadsf.pipeline.extracts.Extract)."""
    by_area = {k: e for k, e in extracts.items() if k in contract.KINDS}
    if by_area:
        built = release.build(by_area, previous_cells)
    else:
        built = release.Built({}, pd.DataFrame(columns=release.KEY + ["value", "hidden"]),
                              {"kinds": {}, "audit": _empty_audit()})
    tables, kinds, notes = dict(built.tables), dict(built.summary["kinds"]), []
    audit, cohort_cells = built.summary["audit"], None
    for name in sorted(set(extracts) - set(by_area)):
        ex = extracts[name]
        first, last = ex.months
        summary = {"boundary_set": "", "rows": ex.rows, "sha256": ex.sha256, "first_month": first,
                   "last_month": last}
        if name == "outcomes":
            table, cohort_cells, kind_notes, cohort_audit = build_outcomes(ex.frame, built.cells,
                                                                           previous_cohort_cells)
            audit = _merge_audit(audit, cohort_audit)
            summary |= {"data_through": last,
                        "cohorts": sorted(set(table.loc[table["cohort_type"] != "all", "cohort"]))}
            notes += kind_notes
        elif name == "costs":
            table = costs_table(ex.frame)
            summary["fiscal_years"] = sorted(set(table["fiscal_year"]))
        else:
            table = ex.frame.copy()
        tables[name] = table
        withheld = int(table["withheld"].sum()) if "withheld" in table else 0
        summary |= {"cells": len(table), "withheld": withheld,
                    "refused_tables": [n for n in notes if n.startswith(f"{name}:") and "not published" in n]}
        kinds[name] = summary
    return Built(tables, built.cells, {"kinds": kinds, "audit": audit}, list(built.refusals),
                 cohort_cells=cohort_cells, notes=notes)
