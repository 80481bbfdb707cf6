"""Build the public tables of a release from validated extracts: aggregate, suppress, audit, add rates.

Cells are counts keyed by (kind, series, dim, cat, area_id, period_type, period):
- series: the non-additive categories as "outcome=fatal|drug=any" ("" when the kind has none);
- dim, cat: an additive category and its value, or ("", "all") for the total over all of them;
- area_id: a publication area, or "city" for the whole; period_type: month, quarter or year.

Every additive relation among published cells becomes a line for the suppression module, and the lines of
the previous release join them, so nobody can subtract their way to a withheld count within a release or
across a revision (R-5, R-6).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from leadsf import config

from . import areas, contract, suppression, suppression_cost
from .contract import ALL

KEY = ["kind", "series", "dim", "cat", "area_id", "period_type", "period"]
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


@dataclass
class Refusal:
    kind: str
    table: str
    reason: str

    def __str__(self) -> str:
        return f"{self.table}: not published ({self.reason}){advice(self.reason)}"


def advice(reason: str) -> str:
    """What the data steward can do about a table not published; nothing where a part gave way to its whole
    or a year's county quarters to the year, which is the rule working, not a gap to fill."""
    if reason.startswith(("gives way", "one of its quarters", "every count")):
        return ""
    return "; publish it by quarter or year, or on larger areas"


@dataclass
class Built:
    tables: dict[str, pd.DataFrame]  # public: one per kind, plus "areas"
    cells: pd.DataFrame              # internal: KEY + value + hidden (never public)
    summary: dict
    refusals: list[Refusal] = field(default_factory=list)


def summarise_refusals(refusals: list[Refusal]) -> list[str]:
    """One line per table with the years it is not published for, instead of one line per table-year."""
    years: dict[tuple[str, str], list[str]] = {}
    for r in refusals:
        table, _, year = r.table.rpartition(", ")
        reason = "too many small counts" if "of its counts are" in r.reason else r.reason
        years.setdefault((table, reason), []).append(year)
    return [f"{table}: not published for {', '.join(sorted(ys))} ({reason}){advice(reason)}"
            for (table, reason), ys in sorted(years.items())]


class ReleaseRefused(Exception):
    pass


def quarter_of(months: pd.Series) -> pd.Series:
    return months.str[:4] + "-Q" + ((months.str[5:7].astype(int) - 1) // 3 + 1).astype(str)


def _series_label(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    if not cols:
        return pd.Series("", index=frame.index)
    label = f"{cols[0]}=" + frame[cols[0]].astype(str)
    for c in cols[1:]:
        label = label + f"|{c}=" + frame[c].astype(str)
    return label


def _complete_periods(months: list[str]) -> dict[str, set[str]]:
    ms = pd.Series(sorted(months))
    quarters = quarter_of(ms).value_counts()
    years = ms.str[:4].value_counts()
    return {"month": set(ms), "quarter": set(quarters[quarters == 3].index), "year": set(years[years == 12].index)}


def _month_span(frame: pd.DataFrame) -> list[str]:
    first, last = pd.Period(frame["month"].min(), "M"), pd.Period(frame["month"].max(), "M")
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def kind_cells(kind: contract.Kind, frame: pd.DataFrame, pub_ids: list[str], pub_map: dict[str, str]) -> pd.DataFrame:
    """Every candidate public cell of one kind, zeros included, with its true count."""
    f = frame.copy()
    f["area_id"] = f["area_id"].map(pub_map)
    months = _month_span(frame)
    complete = _complete_periods(months)
    f["quarter"], f["year"] = quarter_of(f["month"]), f["month"].str[:4]
    series_cols = list(kind.series)
    f["series"] = _series_label(f, series_cols)
    series_values = sorted(set(_series_label(
        pd.DataFrame(list(pd.MultiIndex.from_product([kind.series[c] for c in series_cols])),
                     columns=series_cols) if series_cols else pd.DataFrame(index=[0]), series_cols)))
    cuts = [("", None)] + [(d, d) for d in kind.additive]
    out = []
    for dim, col in cuts:
        cats = list(kind.additive[col]) if col else [ALL]
        f["cat"] = f[col] if col else ALL
        for ptype in MONTHS_IN:
            periods = sorted(complete[ptype])
            for level in ("area", "city"):
                if level == "area" and ptype == "month" and not kind.area_by_month:
                    continue
                ids = pub_ids if level == "area" else [areas.TOTAL_ID]
                g = f.assign(area_id=f["area_id"] if level == "area" else areas.TOTAL_ID)
                sums = g.groupby(["series", "cat", "area_id", ptype])["count"].sum()
                full = pd.MultiIndex.from_product([series_values, cats, ids, periods],
                                                  names=["series", "cat", "area_id", "period"])
                sums.index = sums.index.set_names(["series", "cat", "area_id", "period"])
                block = sums.reindex(full, fill_value=0).rename("value").reset_index()
                block["dim"], block["period_type"] = dim, ptype
                out.append(block)
    cells = pd.concat(out, ignore_index=True)
    cells["kind"] = kind.name
    cells["value"] = cells["value"].astype(np.int64)
    return cells[KEY + ["value"]]


def table_id(cells: pd.DataFrame) -> pd.Series:
    """The table a cell belongs to. Tables are cut by year so that a sparse year (LEAD's 2019-2021 slump)
    does not keep the rest of the series off the site."""
    level = np.where(cells["area_id"] == areas.TOTAL_ID, "whole area", "by area")
    series = cells["series"].replace("", "total").str.replace("|", ", ").str.replace("=", " ")
    cut = np.where(cells["dim"] == "", "", ", by " + cells["dim"])
    return (cells["kind"] + ": " + series + cut + ", " + level + ", by " + cells["period_type"] + ", "
            + cells["period"].str[:4])


def drop_sparse_tables(cells: pd.DataFrame) -> tuple[pd.DataFrame, list[Refusal]]:
    """Table redesign before suppression: a table mostly made of small counts is not published at that grain,
    unless it holds a headline count or a backbone year."""
    k, share = config.get("suppress_max"), config.get("max_withheld_share")
    tid = table_id(cells)
    small = cells["value"].between(1, k)
    sparse_share = small.groupby(tid).mean()
    # A table holding a headline count is kept: its small counts are protected by hiding finer cells or by
    # not publishing a finer table (protect()), and dropping it would lose the headline with them. So is a
    # backbone year of 1 to k: published as withheld, a chart marks it where it lies instead of a hole.
    keep = suppression_cost.headline(cells) | (suppression_cost.backbone(cells)
                                               & (cells["period_type"] == "year").to_numpy())
    holds_headline = pd.Series(keep).groupby(tid.to_numpy()).any()
    dropped = set(sparse_share[(sparse_share > share) & ~holds_headline.reindex(sparse_share.index)].index)
    refusals = [Refusal(t.split(":")[0], t, f"{sparse_share[t]:.0%} of its counts are 1 to {k}")
                for t in sorted(dropped)]
    return cells[~tid.isin(dropped)].reset_index(drop=True), refusals


def split_backbone_quarters(cells: pd.DataFrame) -> tuple[pd.DataFrame, list[Refusal]]:
    """A backbone series' quarters of one year are shown together or not at all: where one of them is 1 to
    suppress_max, that year's county quarters are not published (the year is), so no county quarter is ever
    withheld and no quarterly chart has a hole beside shown quarters."""
    k = config.get("suppress_max")
    quarters = suppression_cost.backbone(cells) & (cells["period_type"] == "quarter").to_numpy()
    tid = table_id(cells)
    small = tid[quarters & cells["value"].between(1, k).to_numpy()]
    dropped = sorted(set(small))
    refusals = [Refusal(t.split(":")[0], t, f"one of its quarters is 1 to {k}: that year is shown by year, "
                                           "never a county quarter withheld") for t in dropped]
    return cells[~tid.isin(dropped)].reset_index(drop=True), refusals


def lines_for(cells: pd.DataFrame) -> tuple[list[tuple[list[int], int]], list[tuple[int, int]]]:
    """Additive lines (row indices) among these cells, and (part, whole) pairs needing a complement cell."""
    # Columns as lists first: iterating an Arrow-backed column costs a Python call per value.
    index = {key: i for i, key in enumerate(zip(*(cells[c].tolist() for c in KEY)))}
    lines: list[tuple[list[int], int]] = []

    def add(group_rows, total_key):
        total = index.get(total_key)
        if total is not None:
            lines.append((list(group_rows), total))

    c = cells
    months = c[c["period_type"] == "month"]
    if len(months):
        q = quarter_of(months["period"])
        for (kind, s, d, cat, a, qq), rows in months.groupby([months["kind"], months["series"], months["dim"],
                                                             months["cat"], months["area_id"], q]).groups.items():
            if len(rows) == 3:
                add(rows, (kind, s, d, cat, a, "quarter", qq))
    quarters = c[c["period_type"] == "quarter"]
    if len(quarters):
        y = quarters["period"].str[:4]
        for (kind, s, d, cat, a, yy), rows in quarters.groupby([quarters["kind"], quarters["series"],
                                                               quarters["dim"], quarters["cat"],
                                                               quarters["area_id"], y]).groups.items():
            if len(rows) == 4:
                add(rows, (kind, s, d, cat, a, "year", yy))
    if len(months):
        y = months["period"].str[:4]
        for (kind, s, d, cat, a, yy), rows in months.groupby([months["kind"], months["series"], months["dim"],
                                                             months["cat"], months["area_id"], y]).groups.items():
            if len(rows) == 12:
                add(rows, (kind, s, d, cat, a, "year", yy))
    by_area = c[c["area_id"] != areas.TOTAL_ID]
    n_areas = by_area.groupby("kind")["area_id"].nunique()
    for (kind, s, d, cat, pt, p), rows in by_area.groupby(["kind", "series", "dim", "cat", "period_type",
                                                          "period"]).groups.items():
        if len(rows) == n_areas[kind]:
            add(rows, (kind, s, d, cat, areas.TOTAL_ID, pt, p))
    by_cat = c[c["dim"] != ""]
    for (kind, s, d, a, pt, p), rows in by_cat.groupby(["kind", "series", "dim", "area_id", "period_type",
                                                       "period"]).groups.items():
        if len(rows) == len(contract.kind(kind).additive[d]):
            add(rows, (kind, s, "", ALL, a, pt, p))
    pairs = []
    for kind_name in c["kind"].unique():
        for col, part, whole in contract.kind(kind_name).parts:
            tag = f"{col}={part}"
            sub = c[(c["kind"] == kind_name) & c["series"].str.contains(tag, regex=False)]
            for i, key in zip(sub.index.tolist(), zip(*(sub[k].tolist() for k in KEY))):
                whole_key = (key[0], key[1].replace(tag, f"{col}={whole}"), *key[2:])
                if whole_key in index:
                    pairs.append((int(i), index[whole_key]))
    return lines, pairs


def _referral_aliases(cells: pd.DataFrame) -> list[tuple[int, int]]:
    """Engagement 'referred' and all referrals are the same people: equal counts share one variable, so a
    count withheld in one table is withheld in the other (linked tables, HandbookSDC)."""
    e = cells[(cells["kind"] == "engagement") & (cells["series"] == "measure=referred")]
    r = cells[(cells["kind"] == "referrals") & (cells["dim"] == "")]
    on = ["area_id", "period_type", "period", "value"]
    m = e.reset_index().merge(r.reset_index(), on=on, suffixes=("_e", "_r"))
    return list(zip(m["index_e"], m["index_r"]))


@dataclass
class _System:
    problem: suppression.Problem
    var_of_new: np.ndarray
    n_new: int
    line_rows: list[np.ndarray] = field(default_factory=list)  # new cells each line is made of ([] for old)
    new_relations: tuple | None = None  # lines_for(new), for parts_given_way to reuse

    def publishing(self, published: np.ndarray) -> suppression.Problem:
        """The problem with only the new cells in `published` on public view: a line made of an unpublished
        cell is gone, and a count no longer published anywhere cannot be a complement."""
        p = self.problem
        line_of, rows = self._line_cells
        broken = np.zeros(len(self.line_rows), bool)
        broken[line_of[~published[rows]]] = True
        keep = np.flatnonzero(~broken).tolist()
        gone = np.zeros(len(p.values), bool)
        gone[self.var_of_new[~published]] = True
        gone[self.var_of_new[published]] = False
        out = suppression.Problem(p.values, [p.lines[li] for li in keep], p.virtual, p.fixed, p.locked | gone,
                                  p.cost)
        out.initial = p.initial
        out.source_lines = keep
        return out

    @cached_property
    def _line_cells(self) -> tuple[np.ndarray, np.ndarray]:
        """(line, new cell) for every new cell of every line, flat: which lines a publication breaks, at once."""
        sizes = np.fromiter(map(len, self.line_rows), np.int64, len(self.line_rows))
        rows = np.concatenate([np.zeros(0, np.int64), *self.line_rows]).astype(np.int64)
        return np.repeat(np.arange(len(self.line_rows)), sizes), rows


def _build_system(new: pd.DataFrame, old: pd.DataFrame | None) -> _System:
    """Variables for new cells, old cells and complements, with all lines of both releases."""
    frames = [new] if old is None else [new, old.reset_index(drop=True)]
    old = None if old is None else frames[1]
    offsets = np.cumsum([0] + [len(f) for f in frames])
    n_rows = int(offsets[-1])
    parent = np.arange(n_rows)

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        parent[find(a)] = find(b)

    for a, b in _referral_aliases(new):
        union(a, b)
    values = np.concatenate([f["value"].to_numpy(np.int64) for f in frames])
    if old is not None:
        # An unchanged count is the same unknown in both releases; a revised one is a new unknown.
        joined = new.reset_index().merge(old.reset_index(), on=KEY + ["value"], suffixes=("_n", "_o"))
        for a, b in zip(joined["index_n"], joined["index_o"] + offsets[1]):
            union(a, b)
        for a, b in _referral_aliases(old):
            union(a + offsets[1], b + offsets[1])
    roots = np.array([find(i) for i in range(n_rows)])
    uniq, var_of_row = np.unique(roots, return_inverse=True)
    n_vars = len(uniq)
    var_values = np.zeros(n_vars, np.int64)
    var_values[var_of_row] = values
    fixed = np.zeros(n_vars, bool)
    locked = np.ones(n_vars, bool)
    new_vars = var_of_row[: len(new)]
    locked[new_vars] = False
    # Headline cells are never complements; where one would be needed, a finer table gives way (protect()).
    headline = np.zeros(n_vars, bool)
    headline[new_vars[suppression_cost.headline(new)]] = True
    locked |= headline
    var_cost = np.zeros(n_vars)
    np.maximum.at(var_cost, new_vars, suppression_cost.costs(new))
    initial = np.zeros(n_vars, bool)
    if old is not None:
        old_rows = var_of_row[offsets[1]:]
        fixed[old_rows[~old["hidden"].to_numpy(bool)]] = True
        # The previous release's pattern is carried forward (a cell hidden then stays hidden while unchanged),
        # except headline cells, which the audit must show can now be published.
        initial[old_rows[old["hidden"].to_numpy(bool)]] = True
        initial &= ~headline
    lines: list[tuple[list[int], int]] = []
    line_rows: list[np.ndarray] = []
    extra_values: list[int] = []
    no_rows = np.zeros(0, np.int64)
    new_relations = None
    for f, off in zip(frames, offsets[:-1]):
        f_lines, pairs = lines_for(f)
        if off == 0:  # the new cells' own frame
            new_relations = (f_lines, pairs)
        for parts, total in f_lines:
            lines.append(([int(var_of_row[off + p]) for p in parts], int(var_of_row[off + total])))
            line_rows.append(np.asarray([*parts, total], np.int64) if off == 0 else no_rows)
        for part, whole in pairs:
            comp = n_vars + len(extra_values)
            extra_values.append(int(values[off + whole] - values[off + part]))
            lines.append(([int(var_of_row[off + part]), comp], int(var_of_row[off + whole])))
            line_rows.append(np.asarray([part, whole], np.int64) if off == 0 else no_rows)
    n_extra = len(extra_values)
    problem = suppression.Problem(
        np.concatenate([var_values, np.asarray(extra_values, np.int64)]), lines,
        np.r_[np.zeros(n_vars, bool), np.ones(n_extra, bool)], np.r_[fixed, np.zeros(n_extra, bool)],
        np.r_[locked, np.ones(n_extra, bool)], np.r_[var_cost, np.asarray(extra_values, float) + 1.0])
    problem.initial = np.r_[initial, np.zeros(n_extra, bool)]
    return _System(problem, var_of_row[: len(new)], len(new), line_rows, new_relations)


def _table_to_drop(system: _System, problem: suppression.Problem, exc: suppression.Unprotectable,
                   published: np.ndarray, hidden_rows: np.ndarray, tables: np.ndarray, dear: np.ndarray,
                   grain: np.ndarray) -> int | None:
    """The published table to give up so that the count `exc` names can be protected, or None.

    When one line gives the count away, any table with a cell on that line removes it; otherwise the tables
    with a cell on a line through the count are tried, and one whose loss lets the audit pass is preferred.
    Among them: the least dear (`dear`: its headline counts, a backbone year above them all), then fewest
    shown counts lost, then the lowest level in the hierarchies (suppression_cost.levels: months, areas,
    categories and parts first), then the count's own table."""
    lines = [exc.line] if exc.line is not None else problem.lines_of[exc.variable]
    members = {exc.variable} | {v for li in lines for v in (*problem.lines[li][0], problem.lines[li][1])}
    rows = np.flatnonzero(published & np.isin(system.var_of_new, list(members)))
    if not len(rows):
        return None
    own = set(tables[rows[system.var_of_new[rows] == exc.variable]])
    shown = np.bincount(tables[published & ~hidden_rows], minlength=len(dear))
    candidates = sorted(set(tables[rows]), key=lambda t: (dear[t], shown[t], grain[t], t not in own))
    if exc.line is None:
        width = config.get("protection_width")
        target = np.zeros(len(problem.values), bool)
        target[exc.variable] = True
        for t in candidates[:6]:
            trial = system.publishing(published & (tables != t))
            failures, _, _ = suppression.audit(trial, exc.hidden, target, width)
            if not failures:
                return t
    return candidates[0]


def _why_dropped(system: _System, problem: suppression.Problem, exc: suppression.Unprotectable,
                 still_published: np.ndarray, tables: np.ndarray, names, dear: np.ndarray, k: int) -> str:
    """Why a table is not published, naming the headline table kept in its place when there is one, so the
    report says which part gave way to which whole. Never a count: "1 to k" at most."""
    lines = [exc.line] if exc.line is not None else problem.lines_of[exc.variable]
    members = {v for li in lines for v in (*problem.lines[li][0], problem.lines[li][1])}
    rows = np.flatnonzero(still_published & np.isin(system.var_of_new, list(members)))
    kept = sorted({names[t].rpartition(", ")[0] for t in set(tables[rows]) if dear[t] > 0})
    if not kept:
        return f"cannot be protected: {exc}"
    v = exc.variable
    if problem.virtual[v] and 1 <= problem.values[v] <= k:
        return f"gives way to {kept[0]}: the two differ by 1 to {k}, which publishing both would give away"
    return (f"gives way to {kept[0]}: a count of 1 to {k} on a line they share could otherwise be worked out "
            "by subtraction")


def parts_given_way(cells: pd.DataFrame, published: np.ndarray, hidden: np.ndarray, headline: np.ndarray,
                    relations: tuple | None = None) -> list[str]:
    """Where a headline whole and one of its parts (a drug, a category) differ by 1 to suppress_max, the part
    is withheld or not published and the whole stays: one line per part table and whole saying which part gave
    way, for which periods, and why. `relations`: lines_for(cells) when the caller has it already."""
    k = config.get("suppress_max")
    lines, pairs = relations if relations is not None else lines_for(cells)
    values, dims = cells["value"].to_numpy(np.int64), cells["dim"].to_numpy()
    relations = list(pairs) + [(p, total) for parts, total in lines if dims[total] == "" for p in parts
                               if dims[p] != ""]
    tid = table_id(cells).str.rpartition(", ")[0].to_numpy()
    periods = cells["period"].to_numpy()
    found: dict[tuple[str, str, str], list[str]] = {}
    for part, whole in relations:
        whole_shown = headline[whole] and published[whole] and not hidden[whole]
        if not whole_shown or values[part] <= k or not 1 <= values[whole] - values[part] <= k:
            continue
        if published[part] and not hidden[part]:  # cannot happen once the audit has passed
            continue
        how = "withheld" if published[part] else "not published"
        found.setdefault((tid[part], how, tid[whole]), []).append(periods[part])
    return [f"{part}: {how} for {', '.join(sorted(set(ps)))}, as it and {whole} differ by 1 to {k} there "
            "(the part gives way, never the whole)" for (part, how, whole), ps in sorted(found.items())]


def _restore(system: _System, published: np.ndarray, result: suppression.Result, tables: np.ndarray,
             given_up: dict[int, Refusal], refusals: list[Refusal], k: int, width: int
             ) -> tuple[np.ndarray, suppression.Result]:
    """Offer each table given up back, latest first: a table dropped early is often no longer needed once a
    later one has gone (a county's quarters, a part), and every table kept is figures a reader gets back.
    A table comes back only when the whole publication, it included, passes the audit again."""
    for table in reversed(list(given_up)):
        trial = published | (tables == table)
        problem = system.publishing(trial)
        if suppression.stranded(problem, k, result.hidden):
            continue
        try:
            result = suppression.suppress(problem, k, width, result.hidden)
        except suppression.Unprotectable:
            continue
        published = trial
        refusals.remove(given_up[table])
    return published, result


def _drop_all_withheld(cells: pd.DataFrame, published: np.ndarray, hidden: np.ndarray, tables: np.ndarray, names,
                       refusals: list[Refusal]) -> np.ndarray:
    """A published table every count of which is withheld shows the reader nothing but a row of "suppressed":
    it is not published (fewer lines only widen what a reader can work out). A backbone year stays, as a
    chart marks it where it lies."""
    withheld = np.bincount(tables, weights=published & hidden, minlength=len(names))
    shown = np.bincount(tables, weights=published & ~hidden, minlength=len(names))
    keep = np.bincount(tables, weights=suppression_cost.backbone(cells), minlength=len(names)) > 0
    out = published.copy()
    for table in np.flatnonzero((withheld > 0) & (shown == 0) & ~keep):
        refusals.append(Refusal(names[table].split(":")[0], names[table], "every count in it would be withheld"))
        out[tables == table] = False
    return out


def protect(cells: pd.DataFrame, previous: pd.DataFrame | None) -> tuple[pd.DataFrame, list[Refusal], dict]:
    """Suppress and audit; drop tables that cannot be protected (R-8). Returns cells with `hidden`."""
    k, width = config.get("suppress_max"), config.get("protection_width")
    refusals: list[Refusal] = []
    started = time.perf_counter()
    system = _build_system(cells, previous)
    tables, names = pd.factorize(table_id(cells))
    headline_in = np.bincount(tables, weights=suppression_cost.headline(cells), minlength=len(names))
    backbone_years = suppression_cost.backbone(cells) & (cells["period_type"] == "year").to_numpy() & (
        cells["value"] > 0).to_numpy()
    # A backbone year is the last table given up (one of 1 to k too, shown as withheld): one outweighs every
    # other headline count put together.
    dear = headline_in + np.bincount(tables, weights=backbone_years, minlength=len(names)) * (len(cells) + 1)
    grain = np.zeros(len(names), np.int64)
    grain[tables] = suppression_cost.levels(cells)
    published = np.ones(len(cells), bool)
    hidden, passed = system.problem.initial.copy(), None
    given_up: dict[int, Refusal] = {}

    def drop(problem, exc) -> None:
        table = _table_to_drop(system, problem, exc, published, hidden[system.var_of_new], tables, dear, grain)
        if table is None:
            raise ReleaseRefused(f"a withheld count of the previous release could not be protected ({exc}); "
                                 "publish at a coarser grain or ask the data steward") from exc
        refusals.append(Refusal(names[table].split(":")[0], names[table],
                                _why_dropped(system, problem, exc, published & (tables != table), tables, names,
                                             dear, k)))
        given_up[table] = refusals[-1]
        published[tables == table] = False

    for _ in range(500):
        problem = system.publishing(published)
        hopeless = suppression.stranded(problem, k, hidden)
        if hopeless:
            for exc in hopeless:  # one dropped table often frees several lines
                if published[system.line_rows[problem.source_lines[exc.line]]].all():
                    drop(problem, exc)
            continue
        try:
            result = suppression.suppress(problem, k, width, hidden, passed)
            break
        except suppression.Unprotectable as exc:
            # Dropping a table only removes published numbers, so what was withheld or passed stays valid.
            hidden, passed = exc.hidden, exc.passed
            drop(problem, exc)
    else:
        raise ReleaseRefused("too many tables could not be protected")
    published, result = _restore(system, published, result, tables, given_up, refusals, k, width)
    published = _drop_all_withheld(cells, published, result.hidden[system.var_of_new], tables, names, refusals)
    # Complements the finished pattern does not need are shown again, dearest first (new cells only).
    mine = np.zeros(len(result.hidden), bool)
    mine[system.var_of_new[published]] = True
    result = suppression.show_redundant(system.publishing(published), result, mine, width)
    out = cells[published].reset_index(drop=True)
    out["hidden"] = result.hidden[system.var_of_new[published]]
    hidden_all = np.zeros(len(cells), bool)
    hidden_all[published] = out["hidden"].to_numpy(bool)
    widths = [hi - lo for lo, hi in result.intervals.values()]
    summary = {
        "passed": True,
        "protection_width": width,
        "suppress_max": k,
        "primary_cells": int(result.primary[system.var_of_new[published]].sum()),
        "withheld_cells": int(out["hidden"].sum()),
        "narrowest_range": (None if not widths else round(float(min(widths)), 3)),
        "lp_solves": result.lp_solves,
        "with_previous_release": previous is not None,
        "gave_way": parts_given_way(cells, published, hidden_all, suppression_cost.headline(cells),
                                    system.new_relations),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return out, refusals, summary


def audit_against(cells: pd.DataFrame, previous: pd.DataFrame) -> list[int]:
    """Audit an already suppressed set of cells, as published, together with another release.

    Returns the variables whose range is too narrow (empty when the pair is safe)."""
    system = _build_system(cells.drop(columns="hidden"), previous)
    p = system.problem
    hidden = p.initial | p.virtual
    shown = ~cells["hidden"].to_numpy(bool)
    # A count shown in this release is known, whatever the other release did with it (rollback to an older
    # release that showed a count the live one withholds).
    hidden[system.var_of_new[shown]] = False
    hidden[system.var_of_new[~shown]] = True
    primary = suppression.primary_cells(p.values, config.get("suppress_max"))
    failures, _, _ = suppression.audit(p, hidden, primary, config.get("protection_width"))
    return failures


def public_table(kind: contract.Kind, cells: pd.DataFrame, population: dict[str, int]) -> pd.DataFrame:
    """Long-form public rows of one kind: withheld counts are missing, never 0."""
    c = cells[cells["kind"] == kind.name].reset_index(drop=True)
    out = pd.DataFrame({"period": c["period"], "period_type": c["period_type"], "area_id": c["area_id"]})
    parsed = c["series"].map(lambda s: dict(p.split("=", 1) for p in s.split("|")) if s else {})
    for col in kind.series:
        out[col] = parsed.map(lambda d: d[col])
    for col in kind.additive:
        out[col] = np.where(c["dim"] == col, c["cat"], ALL)
    hidden = c["hidden"].to_numpy(bool)
    out["count"] = pd.array(np.where(hidden, 0, c["value"]), dtype="Int64")
    out.loc[hidden, "count"] = pd.NA
    out["withheld"] = hidden
    if kind.rate_per:
        pop = c["area_id"].map(population).astype(float)
        per_year = 12 / c["period_type"].map(MONTHS_IN)
        rate = (c["value"] / pop * kind.rate_per * per_year).round(1)
        out["rate"] = rate.where(~hidden)
        out["rate_unstable"] = pd.array(np.where(hidden, False, c["value"] < config.get("unstable_below")),
                                        dtype="boolean")
        out.loc[hidden, "rate_unstable"] = pd.NA
    order = ["period_type", "period", "area_id", *kind.category_columns]
    return out.sort_values(order, key=lambda s: s.map({"month": 0, "quarter": 1, "year": 2}).fillna(s)
                           if s.name == "period_type" else s).reset_index(drop=True)


def backbone_gaps(candidates: pd.DataFrame, published: pd.DataFrame) -> dict:
    """What a visitor misses of the backbone series (config.BACKBONE), from every candidate cell (true values)
    and the published cells (with `hidden`): years above suppress_max withheld or not published, years of 1 to
    suppress_max not published (a hole where a withheld mark belongs), quarters withheld, and quarters not
    published in a year where another quarter of the same series is shown."""
    k = config.get("suppress_max")
    c = candidates[suppression_cost.backbone(candidates)]
    c = c.merge(published[KEY + ["hidden"]], on=KEY, how="left")
    shown = c["hidden"].eq(False)
    years = c[(c["period_type"] == "year") & (c["value"] > k) & ~shown]
    small_years = c[(c["period_type"] == "year") & c["value"].between(1, k) & c["hidden"].isna()]
    quarters = c[c["period_type"] == "quarter"]
    year_of = quarters["period"].str[:4]
    any_shown = shown[quarters.index].groupby([quarters["kind"], quarters["series"], year_of]).transform("any")
    beside = quarters[quarters["hidden"].isna() & any_shown]

    def listed(frame: pd.DataFrame) -> list[str]:
        return [f"{r.kind} {r.series or 'total'}{'' if r.dim == '' else ' ' + r.cat} {r.period}"
                for r in frame.itertuples()]

    return {"years_missing": listed(years), "small_years_left_out": listed(small_years),
            "quarters_withheld": listed(quarters[quarters["hidden"].eq(True)]),
            "quarters_left_out_beside_shown": listed(beside)}


def build(extracts: dict, previous_cells: pd.DataFrame | None = None) -> Built:
    """extracts: kind name -> leadsf.pipeline.extracts.Extract (all four kinds)."""
    all_cells, refusals, area_rows, kinds_summary, candidates = [], [], [], {}, []
    populations: dict[str, dict[str, int]] = {}
    for name, extract in sorted(extracts.items()):
        kind = contract.kind(name)
        bset = areas.boundary_set(extract.boundary_set)
        pub = areas.publication_areas(bset, kind.needs_large_areas)
        pub_map = areas.publication_map(bset, kind.needs_large_areas)
        populations[name] = {a.area_id: a.population for a in pub} | {areas.TOTAL_ID: bset.total_population}
        area_rows += [{"kind": name, "boundary_set": bset.name, "area_id": a.area_id, "name": a.name,
                       "population": a.population} for a in pub]
        area_rows.append({"kind": name, "boundary_set": bset.name, "area_id": areas.TOTAL_ID,
                          "name": bset.total_name, "population": bset.total_population})
        cells = kind_cells(kind, extract.frame, [a.area_id for a in pub], pub_map)
        candidates.append(cells)
        cells, by_year = split_backbone_quarters(cells)
        cells, dropped = drop_sparse_tables(cells)
        refusals += by_year + dropped
        all_cells.append(cells)
        kinds_summary[name] = {"boundary_set": bset.name, "rows": extract.rows, "sha256": extract.sha256,
                               "first_month": extract.frame["month"].min(),
                               "last_month": extract.frame["month"].max()}
    cells = pd.concat(all_cells, ignore_index=True)
    cells, more, audit = protect(cells, previous_cells)
    audit["backbone"] = backbone_gaps(pd.concat(candidates, ignore_index=True), cells)
    refusals += more
    tables = {name: public_table(contract.kind(name), cells, populations[name]) for name in extracts}
    tables["areas"] = pd.DataFrame(area_rows)
    for name in extracts:
        t = tables[name]
        kinds_summary[name] |= {"cells": len(t), "withheld": int(t["withheld"].sum()),
                                "refused_tables": [r.table for r in refusals if r.kind == name]}
    return Built(tables, cells, {"kinds": kinds_summary, "audit": audit}, refusals)
