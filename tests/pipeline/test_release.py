"""leadsf.pipeline.release on small hand-made extracts: primary and complement suppression, revisions, rates, refusals."""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from leadsf import config
from leadsf.pipeline import extracts, release

K = 10
MONTHS = [f"2023-{m:02d}" for m in range(1, 13)]


def make_extract(kind: str, rows: list[list]) -> extracts.Extract:
    """A contract-valid extract, through the real validator (so frames have contract columns)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(extracts_columns(kind)), *rows])
    return extracts.read_extract(out.getvalue().encode(), f"{kind}.csv")


def extracts_columns(kind):
    from leadsf.pipeline import contract
    return contract.kind(kind).columns


def referrals_rows(small_month: str | None = "2023-06", bump: dict | None = None, year: str = "2023"):
    rows = []
    for m in [f"{year}-{i:02d}" for i in range(1, 13)]:
        for area, base in (("87505", 20), ("87507", 25)):
            n = base + int(m[5:])
            if m[5:] == (small_month or "xx")[5:] and m[:4] == (small_month or "")[:4]:
                n = 2 if area == "87505" else 3  # city total for the month: 5
            if bump and (m, area) in bump:
                n = bump[(m, area)]
            rows.append([m, area, "arrest_diversion", "sfpd", n])
            rows.append([m, area, "community", "other", 0 if n < 10 else 4])
    return rows


def published(built: release.Built) -> pd.DataFrame:
    return built.cells


def assert_no_small_published(built):
    for name, table in built.tables.items():
        if "count" in table.columns:
            shown = table["count"].dropna()
            assert not shown.between(1, K).any(), f"{name} publishes a count of 1..{K}"


def test_primary_suppression_including_totals():
    built = release.build({"referrals": make_extract("referrals", referrals_rows())})
    c = built.cells
    small = c["value"].between(1, K)
    assert small.any()
    assert c.loc[small, "hidden"].all(), "a cell of 1..10 is not withheld"
    city_june = c[(c["area_id"] == "city") & (c["period"] == "2023-06") & (c["dim"] == "")]
    assert (city_june["value"] == 5).all() and city_june["hidden"].all(), "the city total 5 is shown"
    assert not c.loc[c["value"] == 0, "hidden"].any(), "a zero was withheld"
    assert_no_small_published(built)
    t = built.tables["referrals"]
    assert t.loc[t["withheld"], "count"].isna().all()


def engagement_rows(referred=15, intake=12):
    rows = []
    for m in MONTHS:
        r, i = (referred, intake) if m == "2023-03" else (40, 30)
        rows += [[m, "87507", "referred", r], [m, "87507", "intake_completed", i],
                 [m, "87507", "engaged_case_management", 0]]
    return rows


def test_engaged_le_referred_complement_is_protected():
    built = release.build({"engagement": make_extract("engagement", engagement_rows())})
    t = built.tables["engagement"]
    key = ["period_type", "period", "area_id"]
    both = t[t["measure"] == "referred"].merge(t[t["measure"] == "intake_completed"], on=key,
                                               suffixes=("_r", "_i")).set_index(key)
    diff = (both["count_r"] - both["count_i"]).dropna()
    assert not diff.between(1, K).any(), f"referred - intake is published as 1..10: {diff[diff.between(1, K)]}"
    # Intake gives way in every month (referred - intake is 10 in each), so its county months are not published
    # at all: a table every count of which would be withheld shows nothing. Either way 3 is never disclosed.
    march = ("month", "2023-03", "city")
    assert march not in both.index or both.loc[march, "withheld_r"] or both.loc[march, "withheld_i"], \
        "intake 12 of referred 15 both shown: 3 is disclosed"
    assert any(r.table == "engagement: measure intake_completed, whole area, by month, 2023"
               and r.reason == "every count in it would be withheld" for r in built.refusals)


def overdose_rows():
    rows = []
    for m in MONTHS:
        for area in ("87505", "87507"):
            rows += [[m, area, "nonfatal_ed", "any", 30 + int(m[5:])],
                     [m, area, "nonfatal_ed", "fentanyl", 24 if m != "2023-04" else 27 + 4]]
    return rows


def test_rates_withheld_with_their_count():
    built = release.build({"overdoses": make_extract("overdoses", overdose_rows())})
    t = built.tables["overdoses"]
    assert t["withheld"].any() and (~t["withheld"]).any()
    assert t.loc[t["withheld"], "rate"].isna().all(), "a rate is published for a withheld count"
    assert t.loc[t["withheld"], "rate_unstable"].isna().all()
    assert t.loc[~t["withheld"], "rate"].notna().all()
    assert_no_small_published(built)
    # drugs <= any: any - fentanyl never published as 1..10
    key = ["period_type", "period", "area_id", "outcome"]
    anyd = t[t["drug"] == "any"].set_index(key)
    fent = t[t["drug"] == "fentanyl"].set_index(key)
    diff = (anyd["count"] - fent.reindex(anyd.index)["count"]).dropna()
    assert not diff.between(1, K).any()


def test_sparse_table_years_refused():
    rows = referrals_rows(small_month=None)
    rows += [[f"2022-{i:02d}", "87507", "arrest_diversion", "sfpd", 3] for i in range(1, 13)]
    built = release.build({"referrals": make_extract("referrals", rows)})
    tables = [r.table for r in built.refusals]
    assert "referrals: total, whole area, by month, 2022" in tables, tables
    c = built.cells
    assert c[(c["area_id"] == "city") & (c["period_type"] == "month") & (c["period"].str[:4] == "2022")].empty
    assert not c[(c["period_type"] == "month") & (c["period"].str[:4] == "2023")].empty
    assert_no_small_published(built)


def test_sparse_share_threshold_is_the_setting():
    assert config.get("max_withheld_share") == 0.25


# ---- revisions --------------------------------------------------------------------------------------------

def union_ranges(releases: list[pd.DataFrame]) -> list[tuple[tuple, int, float, float]]:
    """Independent attacker over several releases: every line of each, unchanged hidden counts of equal key
    and value are one unknown, hidden >= 1, complements >= 0. Returns (key, value, lo, hi) per primary."""
    var, values, virtual, eqs = {}, [], [], []

    def new_var(value, is_virtual=False):
        values.append(value)
        virtual.append(is_virtual)
        return len(values) - 1

    row_var = []
    for r, cells in enumerate(releases):
        rv = {}
        for i, key, v, h in zip(cells.index, zip(*(cells[c] for c in release.KEY)), cells["value"],
                                cells["hidden"]):
            if not h:
                rv[i] = ("known", int(v))
            else:
                ident = (key, int(v))
                if ident not in var:
                    var[ident] = new_var(int(v))
                rv[i] = ("var", var[ident])
        row_var.append(rv)
        lines, pairs = release.lines_for(cells.reset_index(drop=True))
        for parts, total in lines:
            eqs.append([(rv[p], 1.0) for p in parts] + [(rv[total], -1.0)])
        for part, whole in pairs:
            comp = new_var(int(cells["value"].iat[whole] - cells["value"].iat[part]), True)
            eqs.append([(rv[part], 1.0), (("var", comp), 1.0), (rv[whole], -1.0)])
    n = len(values)
    a, b = [], []
    for eq in eqs:
        row, rhs = np.zeros(n), 0.0
        for (what, x), coef in eq:
            if what == "var":
                row[x] += coef
            else:
                rhs -= coef * x
        if row.any():
            a.append(row)
            b.append(rhs)
    bounds = [(0 if vv else 1, None) for vv in virtual]
    out = []
    for ident, j in var.items():
        if not 1 <= ident[1] <= K:
            continue
        obj = np.zeros(n)
        obj[j] = 1
        lo = linprog(obj, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        hi = linprog(-obj, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        assert lo.status == 0
        out.append((ident[0], ident[1], lo.fun, float("inf") if hi.status == 3 else -hi.fun))
    for j, is_virtual in enumerate(virtual):
        if is_virtual and 1 <= values[j] <= K:
            obj = np.zeros(n)
            obj[j] = 1
            lo = linprog(obj, A_eq=a, b_eq=b, bounds=bounds, method="highs")
            hi = linprog(-obj, A_eq=a, b_eq=b, bounds=bounds, method="highs")
            out.append((("complement", j), values[j], lo.fun, float("inf") if hi.status == 3 else -hi.fun))
    return out


def test_revision_audited_against_previous_release():
    first = release.build({"referrals": make_extract("referrals", referrals_rows())})
    # A past month is revised: June's 87505 count goes from 2 to 4, so the June city total goes 5 -> 7.
    second = release.build({"referrals": make_extract("referrals", referrals_rows(bump={("2023-06", "87505"): 4}))},
                           previous_cells=first.cells)
    assert second.summary["audit"]["with_previous_release"] is True
    assert release.audit_against(second.cells, first.cells) == []
    ranges = union_ranges([first.cells, second.cells])
    assert ranges
    narrow = [(k, v, lo, hi) for k, v, lo, hi in ranges if hi - lo < 10 - 1e-6]
    assert not narrow, f"withheld counts narrower than 10 across the two releases: {narrow[:5]}"


def test_union_attacker_detects_naive_revision():
    """Control: the same revision built WITHOUT the previous release must be caught by union_ranges or
    audit_against whenever the two suppression patterns differ exploitably (proves the check can fail)."""
    first = release.build({"referrals": make_extract("referrals", referrals_rows())})
    naive = first.cells.copy()
    # Publish the revised release with everything shown except the primaries: obviously unsafe.
    naive["hidden"] = naive["value"].between(1, K)
    ranges = union_ranges([naive])
    assert any(hi - lo < 10 for _, _, lo, hi in ranges)
