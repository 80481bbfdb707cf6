"""An outsider with only the public export tries to narrow every withheld count (R-6, R-11), in the month x
area tables and in the cohort outcome table; and pins no month of the pooled time-to-re-arrest life table,
even with two releases side by side.

The attacker reads nothing but the CSVs `python -m leadsf export DIR` writes, rebuilds every additive
relation a reader can infer (months -> quarter -> year, areas -> city, categories -> 'all', part <= whole for
the engagement funnel and drugs <= any, and referrals = engagement 'referred' where the counts agree), treats
withheld counts as unknowns >= 1 and complements as unknowns >= 0, and asks HiGHS for the smallest and largest
value of every withheld count. The test fails if any withheld count whose true value (from the store's raw
cells) is 1..10 has a range narrower than 10.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.optimize import linprog

from leadsf.pipeline import contract
from leadsf.pipeline.store import Store

ROOT = Path(__file__).resolve().parents[2]
K = WIDTH = 10
KINDS = ("referrals", "engagement", "overdoses", "property_crime")
# Subset relations a reader knows from the data descriptions: (kind, column, part, whole).
PARTS = [("engagement", "measure", "intake_completed", "referred"),
         ("engagement", "measure", "engaged_case_management", "intake_completed"),
         ("engagement", "measure", "moud_started", "treatment_entry"),
         *(("overdoses", "drug", d, "any") for d in ("fentanyl", "heroin", "methamphetamine", "cocaine",
                                                    "rx_opioid"))]


def ptype(period: str) -> str:
    return "quarter" if "-Q" in period else ("month" if len(period) == 7 else "year")


@pytest.fixture(scope="module")
def export(published_sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    env = os.environ | {"LEADSF_DATA_DIR": str(published_sample)}
    proc = subprocess.run([sys.executable, "-m", "leadsf", "export", str(folder)], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    tables = {k: pd.read_csv(folder / f"{k}.csv", dtype=str, keep_default_na=False) for k in KINDS}
    areas = pd.read_csv(folder / "areas.csv", dtype=str, keep_default_na=False)
    return tables, areas


def cat_columns(table: pd.DataFrame) -> list[str]:
    fixed = {"period", "area_id", "count", "withheld", "rate", "rate_unstable"}
    return [c for c in table.columns if c not in fixed]


class System:
    def __init__(self):
        self.values: dict[tuple, int | None] = {}  # published value, None when withheld
        self.var: dict[tuple, int] = {}
        self.lower: list[float] = []
        self.label: list[tuple] = []
        self.eqs: list[list[tuple[tuple | int, float]]] = []

    def unknown(self, key, lower) -> int:
        self.lower.append(lower)
        self.label.append(key)
        return len(self.lower) - 1

    def add_cell(self, key, count: str, withheld: str):
        if withheld == "true":
            assert count == "", f"withheld cell {key} carries a count"
            self.var[key] = self.unknown(key, 1.0)
            self.values[key] = None
        else:
            self.values[key] = int(count)

    def term(self, key):
        return ("var", self.var[key]) if self.values[key] is None else ("known", self.values[key])

    def add_line(self, parts: list[tuple], total: tuple | None, extra: list[int] = ()):
        eq = [(self.term(p), 1.0) for p in parts] + [(("var", v), 1.0) for v in extra]
        if total is not None:
            eq.append((self.term(total), -1.0))
        self.eqs.append(eq)


def build_system(tables, areas) -> System:
    s = System()
    for kind, t in tables.items():
        cats = cat_columns(t)
        for row in t.itertuples(index=False):
            r = row._asdict()
            s.add_cell((kind, r["period"], r["area_id"], tuple(r[c] for c in cats)), r["count"], r["withheld"])
    keys_by = defaultdict(set)
    for key in s.values:
        keys_by[key[0]].add(key)
    for kind, t in tables.items():
        cats = cat_columns(t)
        keys = keys_by[kind]
        # time: months -> quarter, months -> year, quarters -> year
        groups = defaultdict(list)
        for key in keys:
            k, period, area, c = key
            if ptype(period) == "month":
                q = f"{period[:4]}-Q{(int(period[5:]) - 1) // 3 + 1}"
                groups[(k, q, area, c)].append(key)
                groups[(k, period[:4], area, c, "m")].append(key)
            elif ptype(period) == "quarter":
                groups[(k, period[:4], area, c, "q")].append(key)
        for gkey, members in groups.items():
            total = gkey[:4]
            need = {"m": 12, "q": 4}.get(gkey[4], 3) if len(gkey) == 5 else 3
            if total in s.values and len(members) == need:
                s.add_line(members, total)
        # space: areas -> city
        pub_areas = set(areas.loc[(areas["kind"] == kind) & (areas["area_id"] != "city"), "area_id"])
        groups = defaultdict(list)
        for key in keys:
            if key[2] != "city":
                groups[(key[0], key[1], "city", key[3])].append(key)
        for total, members in groups.items():
            if total in s.values and {m[2] for m in members} == pub_areas:
                s.add_line(members, total)
        # categories -> 'all' (a column is additive when its values include 'all')
        additive = [i for i, c in enumerate(cats) if (t[c] == "all").any()]
        for i in additive:
            groups = defaultdict(list)
            for key in keys:
                c = key[3]
                if c[i] != "all" and all(c[j] == "all" for j in additive if j != i):
                    total_c = tuple("all" if j == i else v for j, v in enumerate(c))
                    groups[(key[0], key[1], key[2], total_c)].append(key)
            n_values = len(set(t[cats[i]]) - {"all"})
            for total, members in groups.items():
                if total in s.values and len(members) == n_values:
                    s.add_line(members, total)
        # part <= whole: whole = part + complement, complement >= 0
        for k2, col, part, whole in PARTS:
            if k2 != kind:
                continue
            i = cats.index(col)
            for key in keys:
                if key[3][i] != part:
                    continue
                wkey = (key[0], key[1], key[2], tuple(whole if j == i else v for j, v in enumerate(key[3])))
                if wkey in s.values:
                    comp = s.unknown(("complement", key, wkey), 0.0)
                    s.add_line([key], wkey, extra=[comp])
    return s


def true_values(store: Store, n: int) -> dict[tuple, int]:
    cells = store.cells(n)
    out = {}
    for row in cells.itertuples(index=False):
        kind = contract.kind(row.kind)
        parsed = dict(p.split("=", 1) for p in row.series.split("|")) if row.series else {}
        cats = {**parsed, **{c: (row.cat if row.dim == c else "all") for c in kind.additive}}
        out[(row.kind, row.period, row.area_id, tuple(cats[c] for c in kind.category_columns))] = int(row.value)
    return out


def link_referrals(s: System, truth: dict):
    """Referrals (all pathways, all agencies) and engagement 'referred' count the same people: where the true
    counts agree, give the attacker the equation (the strongest assumption)."""
    for key in list(s.values):
        if key[0] == "referrals" and key[3] == ("all", "all"):
            other = ("engagement", key[1], key[2], ("referred",))
            if other in s.values and truth.get(key) == truth.get(other):
                s.add_line([key], other)


def solve_ranges(s: System, targets: list[int], truth_of: dict[int, int]) -> dict[int, tuple[float, float]]:
    n = len(s.lower)
    rows, cols, coef, rhs = [], [], [], []
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for eq in s.eqs:
        vs = [(x, c) for (what, x), c in eq if what == "var"]
        known = sum(c * x for (what, x), c in eq if what == "known")
        if not vs:
            assert abs(known) < 1e-9, f"published counts violate a relation: {eq}"
            continue
        r = len(rhs)
        for v, c in vs:
            rows.append(r); cols.append(v); coef.append(c)
            parent[find(v)] = find(vs[0][0])
        rhs.append(-known)
    a = sparse.csr_matrix((coef, (rows, cols)), shape=(len(rhs), n))
    b = np.asarray(rhs, float)
    comp = np.array([find(i) for i in range(n)])
    row_comp = np.array([comp[cols[rows.index(r)]] for r in range(len(rhs))]) if rhs else np.array([])
    out = {}
    for t in targets:
        members = np.flatnonzero(comp == comp[t])
        sub_rows = np.flatnonzero(row_comp == comp[t])
        if len(sub_rows) == 0:
            out[t] = (s.lower[t], float("inf"))
            continue
        sa = a[sub_rows][:, members]
        bounds = [(s.lower[m], None) for m in members]
        j = int(np.flatnonzero(members == t)[0])
        obj = np.zeros(len(members))
        obj[j] = -1
        hi = linprog(obj, A_eq=sa, b_eq=b[sub_rows], bounds=bounds, method="highs")
        assert hi.status in (0, 3), hi.message
        upper = float("inf") if hi.status == 3 else -hi.fun
        if upper >= truth_of[t] + WIDTH - 1e-6:
            out[t] = (truth_of[t], upper)  # the true value is feasible, so the minimum is at most it
            continue
        obj[j] = 1
        lo = linprog(obj, A_eq=sa, b_eq=b[sub_rows], bounds=bounds, method="highs")
        assert lo.status == 0, lo.message
        out[t] = (lo.fun, upper)
    return out


def test_no_small_count_published(export):
    tables, _ = export
    for kind, t in tables.items():
        shown = t.loc[t["withheld"] == "false", "count"].astype(int)
        assert not shown.between(1, K).any(), f"{kind} publishes a count of 1..10"
        assert (t.loc[t["withheld"] == "true", "count"] == "").all()
        if "rate" in t.columns:
            assert (t.loc[t["withheld"] == "true", "rate"] == "").all(), f"{kind}: rate of a withheld count"


def test_no_published_complement_is_small(export):
    tables, areas = export
    s = build_system(tables, areas)
    for eq in s.eqs:
        if len(eq) == 3 and eq[1][0][0] == "var" and s.lower[eq[1][0][1]] == 0.0:
            (part, _), _, (whole, _) = eq
            if part[0] == "known" and whole[0] == "known":
                assert not 1 <= whole[1] - part[1] <= K, f"published part and whole differ by {whole[1] - part[1]}"


def test_attacker_cannot_narrow_any_withheld_small_count(export, published_sample):
    tables, areas = export
    store = Store(published_sample)
    truth = true_values(store, store.current())
    s = build_system(tables, areas)
    link_referrals(s, truth)
    truth_of = {}
    for i, label in enumerate(s.label):
        if label[0] == "complement":
            _, part, whole = label
            truth_of[i] = truth[whole] - truth[part]
        else:
            truth_of[i] = truth[label]
    withheld_small = [v for key, v in s.var.items() if 1 <= truth_of[v] <= K]
    comps_small = [i for i, lab in enumerate(s.label) if lab[0] == "complement" and 1 <= truth_of[i] <= K
                   and any(s.values[k] is None for k in lab[1:])]
    assert withheld_small, "the sample should have withheld small counts"
    ranges = solve_ranges(s, withheld_small + comps_small, truth_of)
    narrow = [(s.label[t], truth_of[t], lo, hi) for t, (lo, hi) in ranges.items() if hi - lo < WIDTH - 1e-6]
    assert not narrow, f"{len(narrow)} withheld counts narrowed below {WIDTH}, e.g. {narrow[:5]}"


def test_attacker_catches_a_leak_when_complements_are_published(export, published_sample):
    """Control: publish the true value of every withheld count above 10 (drop complementary suppression);
    the same attacker must then narrow some small counts, so the test above can fail."""
    tables, areas = export
    store = Store(published_sample)
    truth = true_values(store, store.current())
    leaky = {}
    for kind, t in tables.items():
        t = t.copy()
        cats = cat_columns(t)
        keys = [(kind, p, a, tuple(c)) for p, a, c in zip(t["period"], t["area_id"], t[cats].itertuples(index=False))]
        true = pd.Series([truth[k] for k in keys], index=t.index)
        reveal = (t["withheld"] == "true") & (true > K)
        t.loc[reveal, "count"] = true[reveal].astype(str)
        t.loc[reveal, "withheld"] = "false"
        leaky[kind] = t
    s = build_system(leaky, areas)
    assert len(s.eqs) > 1000, "the attacker should find many relations in the export"
    truth_of = {i: (truth[lab] if lab[0] != "complement" else truth[lab[2]] - truth[lab[1]])
                for i, lab in enumerate(s.label)}
    targets = [v for v in s.var.values() if 1 <= truth_of[v] <= K]
    ranges = solve_ranges(s, targets, truth_of)
    assert any(hi - lo < WIDTH - 1e-6 for lo, hi in ranges.values())


# ---- the cohort outcome table ------------------------------------------------------------------------------
# What a reader of outcomes.csv knows: quarters add up to their year (when all four are published), the cohorts
# of a window add up to its 'all' row (years and spans; quarters are extra rows), every event's people are part
# of the people followed, felony charges part of new charges, people booked part of bookings. Withheld totals of
# fewer than 20 people may be 0; every other withheld count is at least 1.
OUTCOME_PARTS = [*((m, contract.FOLLOWED) for m in contract.PEOPLE_MEASURES), ("felony_charge", "new_charge"),
                 ("jail_booking", "jail_bookings")]


@pytest.fixture(scope="module")
def outcome_export(published_sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_outcomes")
    env = os.environ | {"LEADSF_DATA_DIR": str(published_sample)}
    proc = subprocess.run([sys.executable, "-m", "leadsf", "export", str(folder)], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    return pd.read_csv(folder / "outcomes.csv", dtype=str, keep_default_na=False)


def outcome_system(t: pd.DataFrame) -> System:
    s = System()
    for r in t.itertuples(index=False):
        key = ("outcomes", r.cohort, r.group, r.window, r.measure)
        if r.withheld == "true":
            assert r.count == "" and r.mean_per_person == "", f"withheld cell {key} carries a number"
            small_total = r.value_type == "total" and int(r.followed) < 20
            s.var[key] = s.unknown(key, 0.0 if small_total else 1.0)
            s.values[key] = None
        else:
            s.values[key] = int(r.count)
    cells = t.assign(key=[("outcomes", c, g, w, m) for c, g, w, m in zip(t["cohort"], t["group"], t["window"],
                                                                         t["measure"])])
    for (group, window, measure), rows in cells.groupby(["group", "window", "measure"]):
        total = ("outcomes", "all", group, window, measure)
        units = rows[rows["cohort_type"].isin(["year", "span"])]
        # The 'all' row sums the cohorts up to its own last month (a before-window leaves out the cohorts
        # whose paired after-window is not complete), which the published table says.
        pooled = rows[rows["cohort"] == "all"]
        if len(pooled):
            units = units[units["cohort_last_month"] <= pooled["cohort_last_month"].iloc[0]]
        if total in s.values and len(units):
            s.add_line(list(units["key"]), total)
        quarters = rows[rows["cohort_type"] == "quarter"]
        for year, qs in quarters.groupby(quarters["cohort"].str[:4]):
            ykey = ("outcomes", year, group, window, measure)
            if ykey in s.values and len(qs) == 4:
                s.add_line(list(qs["key"]), ykey)
    for key in list(s.values):
        for part, whole in OUTCOME_PARTS:
            if key[4] == part:
                wkey = (*key[:4], whole)
                if wkey in s.values:
                    comp = s.unknown(("complement", key, wkey), 0.0)
                    s.add_line([key], wkey, extra=[comp])
    return s


def outcome_truth(store: Store) -> dict[tuple, int]:
    cells = store.cohort_cells(store.current())
    return {("outcomes", c, g, w, m): int(v) for c, g, w, m, v in
            zip(cells["cohort"], cells["group"], cells["window"], cells["measure"], cells["value"])}


def test_outcomes_publish_no_small_count_and_no_small_complement(outcome_export):
    t = outcome_export
    shown = t[t["withheld"] == "false"]
    people = shown[shown["value_type"] == "people"]
    assert not people["count"].astype(int).between(1, K).any()
    assert not (people["followed"].astype(int) - people["count"].astype(int)).between(1, K).any()
    assert (shown.loc[shown["value_type"] == "total", "followed"].astype(int) >= 20).all()
    assert (t.loc[t["measure"] == contract.FOLLOWED, "withheld"] == "false").all()
    assert (t["followed"].astype(int) >= 11).all()


def test_attacker_cannot_narrow_any_withheld_small_outcome(outcome_export, published_sample):
    s = outcome_system(outcome_export)
    truth = outcome_truth(Store(published_sample))
    truth_of = {i: (truth[lab] if lab[0] != "complement" else truth[lab[2]] - truth[lab[1]])
                for i, lab in enumerate(s.label)}
    targets = [i for i, lab in enumerate(s.label) if 1 <= truth_of[i] <= K
               and (lab[0] != "complement" or any(s.values[k] is None for k in lab[1:]))]
    assert targets, "the sample should have withheld small outcome counts"
    ranges = solve_ranges(s, targets, truth_of)
    narrow = [(s.label[t], truth_of[t], lo, hi) for t, (lo, hi) in ranges.items() if hi - lo < WIDTH - 1e-6]
    assert not narrow, f"{len(narrow)} withheld outcome counts narrowed below {WIDTH}, e.g. {narrow[:5]}"


def test_outcome_attacker_catches_a_leak_without_complementary_suppression(outcome_export, published_sample):
    """Control: reveal every withheld outcome count above 10; the same attacker must then pin some small ones."""
    truth = outcome_truth(Store(published_sample))
    t = outcome_export.copy()
    true = pd.Series([truth[("outcomes", c, g, w, m)] for c, g, w, m in
                      zip(t["cohort"], t["group"], t["window"], t["measure"])], index=t.index)
    reveal = (t["withheld"] == "true") & (true > K)
    t.loc[reveal, "count"] = true[reveal].astype(str)
    t.loc[reveal, "withheld"] = "false"
    s = outcome_system(t)
    truth_of = {i: (truth[lab] if lab[0] != "complement" else truth[lab[2]] - truth[lab[1]])
                for i, lab in enumerate(s.label)}
    targets = [v for v in s.var.values() if 1 <= truth_of[v] <= K]
    ranges = solve_ranges(s, targets, truth_of)
    assert any(hi - lo < WIDTH - 1e-6 for lo, hi in ranges.values())


def test_costs_publish_no_small_participant_count(published_sample, tmp_path):
    """Participants served of 1 to 10 are withheld together with that year's participant-months, which would
    bound them (months <= 12 x participants)."""
    env = os.environ | {"LEADSF_DATA_DIR": str(published_sample)}
    proc = subprocess.run([sys.executable, "-m", "leadsf", "export", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    costs = pd.read_csv(tmp_path / "costs.csv", dtype=str, keep_default_na=False)
    people = costs[costs["item"] == "participants_served"].set_index("fiscal_year")
    shown = people[people["withheld"] == "false"]["amount"].astype(float)
    assert not shown.between(1, K).any()
    months = costs[costs["item"] == "participant_months"].set_index("fiscal_year")
    for year in people.index[people["withheld"] == "true"]:
        assert months.loc[year, "withheld"] == "true" and months.loc[year, "amount"] == ""


# ---- the time-to-re-arrest life table ----------------------------------------------------------------------------
# What a reader of life_table.csv knows: each interval's re-arrests and censorings are the sums of the months inside
# it, and the months run from 1 to the last interval's end. Every month's count is an unknown >= 0; the attacker
# asks for the smallest and largest value of each month whose true count (the store's raw extract) is 1 to 10.
LIFE_MEASURES = ("re_arrested", "censored")


def life_system(releases: list[pd.DataFrame]) -> System:
    """Monthly unknowns shared by every release given (the same months, the same people), and each release's
    interval sums: a reader comparing two releases cut differently subtracts one from the other."""
    s = System()
    for r, t in enumerate(releases):
        for row in t.itertuples(index=False):
            for measure in LIFE_MEASURES:
                months = []
                for m in range(int(row.interval_from) + 1, int(row.interval_to) + 1):
                    key = ("life_table", row.group, m, measure)
                    if key not in s.var:
                        s.var[key] = s.unknown(key, 0.0)
                        s.values[key] = None
                    months.append(key)
                total = ("life_table_interval", r, row.group, int(row.interval_to), measure)
                s.values[total] = int(getattr(row, measure))
                s.add_line(months, total)
    return s


def life_truth(store: Store) -> dict[tuple, int]:
    frame = store.raw_extracts(store.current())["life_table"].frame
    return {("life_table", g, int(m), measure): int(v) for measure in LIFE_MEASURES
            for g, m, v in zip(frame["group"], frame["month_since_referral"], frame[measure])}


def narrowed_life_counts(releases: list[pd.DataFrame], truth: dict) -> tuple[list, int]:
    s = life_system(releases)
    truth_of = {i: truth[label] for i, label in enumerate(s.label)}
    targets = [i for i in truth_of if 1 <= truth_of[i] <= K]
    ranges = solve_ranges(s, targets, truth_of)
    return [(s.label[t], truth_of[t], lo, hi) for t, (lo, hi) in ranges.items() if hi - lo < WIDTH - 1e-6], \
        len(targets)


@pytest.fixture(scope="module")
def life_export(published_sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_life_table")
    env = os.environ | {"LEADSF_DATA_DIR": str(published_sample)}
    proc = subprocess.run([sys.executable, "-m", "leadsf", "export", str(folder)], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    return pd.read_csv(folder / "life_table.csv", dtype=str, keep_default_na=False)


def test_life_table_publishes_no_small_count(life_export):
    t = life_export
    counts = t[["at_risk", "re_arrested", "censored"]].astype(int)
    assert not counts.stack().between(1, K).any()
    left = counts["at_risk"] - counts["re_arrested"] - counts["censored"]
    assert not left.between(1, K).any(), "an at-risk count left after an interval is 1..10"


def test_attacker_pins_no_month_of_the_life_table(life_export, published_sample):
    truth = life_truth(Store(published_sample))
    narrow, targets = narrowed_life_counts([life_export], truth)
    assert targets, "the sample should have months with 1 to 10 re-arrests or censorings"
    assert not narrow, f"{len(narrow)} monthly counts narrowed below {WIDTH}, e.g. {narrow[:5]}"


def test_life_table_attacker_catches_two_releases_cut_differently(published_sample):
    """Control: a second release of the same table pooled on cuts the first did not use lets the attacker pin
    months (so the test above can fail); the same second release built under the pattern rule pins nothing."""
    from leadsf.pipeline import survival

    store = Store(published_sample)
    first = store.table(store.current(), "life_table")
    frame = store.raw_extracts(store.current())["life_table"].frame
    truth = life_truth(store)
    k = 10
    rows = []
    for group, part in frame.groupby("group"):
        part = part.sort_values("month_since_referral")
        n, e, c = (part[col].to_numpy(np.int64) for col in ("at_risk", "re_arrested", "censored"))
        old = set(first.loc[first["group"] == group, "interval_to"].astype(int))
        ends = survival.interval_ends(n, e, c, set(range(1, len(n))) - old, k)
        start = 0
        for end in ends:
            rows.append({"group": group, "interval_from": start, "interval_to": end,
                         "re_arrested": int(e[start:end].sum()), "censored": int(c[start:end].sum())})
            start = end
    crossing = pd.DataFrame(rows)
    narrow, _ = narrowed_life_counts([first, crossing], truth)
    assert narrow, "two releases cut at different months should let the attacker pin some month"
    kept = survival.build_table(frame, first)[0]
    narrow, _ = narrowed_life_counts([first, kept], truth)
    assert not narrow, f"under the pattern rule a second release still pins {narrow[:5]}"
