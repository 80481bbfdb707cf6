"""The time-to-re-arrest life table: its relations between rows, and how it is published.

The extract (contract kind `life_table`) has one row per group and month since referral: the people at risk at
the start of the month (followed and not yet re-arrested), those first re-arrested in it and those whose
follow-up ended in it without one (censored). So the people at risk of a month are those of the month before
less its re-arrests and censorings, and the last month leaves nobody at risk.

Publishing (docs/privacy.md#time-to-event): the months of each group are pooled into wider intervals until every
re-arrest and censoring count, and every at-risk count, is 0 or more than `suppress_max`. Nothing is withheld:
a published interval's counts are sums of the monthly counts, and at-risk counts are differences of published
sums, so a reader can rebuild no single month inside an interval. Pooling prefers to keep 6, 12 and 24 months
as interval ends, the times the page reports.

Across releases the pattern is fixed: a revised release reuses the previous release's interval ends or drops
some of them (coarsens), and may add ends only after the previous table's last month (longer follow-up).
Two releases cut at different months would let a reader subtract one from the other and recover the months
between the cuts. The audit checks every published table against these rules, and against the live release's.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from leadsf import config

from . import areas, contract, release
from .cohort_periods import cohort_months, span_label
from .cohort_periods import month_number as _month_number
from .findings import Found

TABLE = "life_table"
REPORT_MONTHS = config.SURVIVAL_REPORT_MONTHS
PUBLIC_COLUMNS = ["cohort", "cohort_first_month", "cohort_last_month", "group", "interval_from", "interval_to",
                  "at_risk", "re_arrested", "censored", "data_through"]
TEMPLATE_ROWS = (("2025-06", "2018", "2023", "lead", "1", "140", "12", "0"),
                 ("2025-06", "2018", "2023", "lead", "2", "128", "11", "0"),
                 ("2025-06", "2018", "2023", "lead", "3", "117", "13", "104"),
                 ("2025-06", "2018", "2023", "comparison", "1", "105", "14", "0"),
                 ("2025-06", "2018", "2023", "comparison", "2", "91", "13", "78"))


# ------------------------------------------------------------------------------------------- validation

def check_relations(frame: pd.DataFrame, found: Found) -> None:
    """Rules between rows of a typed life-table extract; rows are numbered as a spreadsheet shows them."""
    row = frame.index + 2
    span = "one span of referral cohorts, the same for both groups,"
    for column, rule, what in (("data_through", "data-through", "one data-through month (the last month of follow-up)"),
                               ("cohort_first", "cohort-span", f"{span} from cohort_first"),
                               ("cohort_last", "cohort-span", f"{span} to cohort_last")):
        for i in frame.index[frame[column] != frame[column].iat[0]]:
            found.add(rule, f"{column} differs from row 2; a life table has {what} in every row", row=i + 2,
                      column=column)
    through = str(frame["data_through"].iat[0])
    first, last = str(frame["cohort_first"].iat[0]), str(frame["cohort_last"].iat[0])
    if _month_number(cohort_months(last)[1]) < _month_number(cohort_months(first)[0]):
        found.add("cohort-order", "cohort_last is before cohort_first; give the earliest referral cohort first",
                  row=2, column="cohort_last")
    if cohort_months(last)[1] > through:
        found.add("cohort-future", f"the cohort span ends after data_through ({through}); give only cohorts whose "
                                   "referrals are over by then", row=2, column="cohort_last")
    longest = _month_number(through) - _month_number(cohort_months(first)[0])
    month = frame["month_since_referral"]
    for i in frame.index[month < 1]:
        found.add("month", "months since referral start at 1 (the month after the referral month's first day "
                           "of follow-up); there is no month 0", row=i + 2, column="month_since_referral")
    for i in frame.index[month > longest]:
        found.add("month-future", f"the month since referral runs past data_through ({through}): the earliest "
                                  f"referrals of the span have {max(longest, 0)} months of follow-up",
                  row=i + 2, column="month_since_referral")
    at_risk, events, censored = frame["at_risk"], frame["re_arrested"], frame["censored"]
    for i in frame.index[events + censored > at_risk]:
        found.add("within-at-risk", "re-arrested and censored together are more than the people at risk; only "
                                    "people at risk can be re-arrested or leave follow-up", row=i + 2,
                  column="re_arrested" if events[i] > at_risk[i] else "censored")
    for group in contract.GROUPS:
        if not (frame["group"] == group).any():
            found.add("groups", f"the life table has no rows for the {group} group; give both groups, so the two "
                                "can be compared")
    order = frame.assign(row=row).sort_values(["group", "month_since_referral"], kind="stable")
    for _, rows in order.groupby("group", sort=False):
        m, n, e, c, r = (rows[col].to_numpy() for col in ("month_since_referral", "at_risk", "re_arrested",
                                                          "censored", "row"))
        if m[0] != 1:
            found.add("month-gap", "the group's months since referral do not start at 1; give every month from 1 "
                                   "on", row=int(r[0]), column="month_since_referral")
        for j in range(1, len(m)):
            if m[j] != m[j - 1] + 1:
                found.add("month-gap", f"month {m[j - 1] + 1} is missing before this row; give every month since "
                                       "referral, with zeros where nothing happened", row=int(r[j]),
                          column="month_since_referral")
            elif n[j] > n[j - 1]:
                found.add("at-risk-rising", f"more people at risk than the month before (row {r[j - 1]}); people "
                                            "enter the table at referral, so at-risk counts never rise",
                          row=int(r[j]), column="at_risk")
            elif n[j] != n[j - 1] - e[j - 1] - c[j - 1]:
                found.add("at-risk-flow", f"the people at risk are not those of the month before (row {r[j - 1]}) "
                                          "less its re-arrested and censored; check both rows", row=int(r[j]),
                          column="at_risk")
        if n[-1] - e[-1] - c[-1] > 0:
            found.add("follow-up-open", "the group's last month leaves people at risk; in the last month everyone "
                                        "still at risk is re-arrested or censored (their follow-up ends)",
                      row=int(r[-1]), column="censored")


def coverage(frame: pd.DataFrame) -> tuple[str, str]:
    """First referral month of the span, and data_through."""
    return cohort_months(str(frame["cohort_first"].iat[0]))[0], str(frame["data_through"].iat[0])


# ------------------------------------------------------------------------------------------- pooling

def _publishable(value: int, k: int) -> bool:
    return value == 0 or value > k


def interval_ends(at_risk: np.ndarray, events: np.ndarray, censored: np.ndarray, allowed: set[int],
                  k: int) -> list[int] | None:
    """Ends of the pooled intervals (months since referral; the last is the table's last month), or None when
    not even one interval over the whole table is publishable. Inner ends only from `allowed`; within that,
    the finest cut that keeps every count publishable, with REPORT_MONTHS kept where they can be."""
    last = len(at_risk)

    def ok(a: int, b: int) -> bool:  # the interval of months a+1 .. b
        e, c, n = int(events[a:b].sum()), int(censored[a:b].sum()), int(at_risk[a])
        return all(_publishable(v, k) for v in (n, e, c, n - e - c))

    candidates = sorted(m for m in allowed if 0 < m < last)
    ends = [m for m in REPORT_MONTHS if m in candidates] + [last]
    while True:  # each stretch between kept report months must be publishable on its own
        starts = [0, *ends[:-1]]
        bad = next((i for i, (a, b) in enumerate(zip(starts, ends)) if not ok(a, b)), None)
        if bad is None:
            break
        if len(ends) == 1:
            return None
        ends.pop(bad if bad < len(ends) - 1 else bad - 1)
    cuts = []
    for a, b in zip([0, *ends[:-1]], ends):
        start = a
        for m in candidates:
            if start < m < b and ok(start, m) and ok(m, b):
                cuts.append(m)
                start = m
        cuts.append(b)
    return cuts


def allowed_ends(last: int, previous: pd.DataFrame | None, group: str) -> set[int]:
    """Months a group's intervals may end at: any, the first time; after that the previous release's ends,
    and any month after its last one."""
    if previous is None or not (previous["group"] == group).any():
        return set(range(1, last))
    before = previous.loc[previous["group"] == group, "interval_to"].astype(int)
    return set(before) | set(range(int(before.max()) + 1, last))


def span_periods(first: str, last: str) -> list[str]:
    """The referral periods a span covers, as the referral tables publish them: years when the span is whole
    years, otherwise quarters."""
    start, end = cohort_months(first)[0], cohort_months(last)[1]
    if start[5:] == "01" and end[5:] == "12":
        return [str(y) for y in range(int(start[:4]), int(end[:4]) + 1)]
    quarters = []
    for n in range(_month_number(start), _month_number(end) + 1, 3):
        quarters.append(f"{n // 12}-Q{n % 12 // 3 + 1}")
    return quarters


def reveals_withheld_referrals(frame: pd.DataFrame, area_cells: pd.DataFrame | None) -> bool:
    """Whether the LEAD group's people at risk at referral equal the referrals of the span where one of them is
    withheld: the LEAD group can be exactly the people referred, and publishing it would publish that count."""
    if area_cells is None or not len(area_cells):
        return False
    lead = frame[(frame["group"] == "lead") & (frame["month_since_referral"] == 1)]
    if lead.empty:
        return False
    periods = span_periods(str(frame["cohort_first"].iat[0]), str(frame["cohort_last"].iat[0]))
    c = area_cells[(area_cells["kind"] == "referrals") & (area_cells["dim"] == "")
                   & (area_cells["area_id"] == areas.TOTAL_ID) & area_cells["period"].isin(periods)]
    if len(c) < len(periods) or not c["hidden"].any():
        return False
    return int(c["value"].sum()) == int(lead["at_risk"].iat[0])


def build_table(frame: pd.DataFrame, previous: pd.DataFrame | None,
                area_cells: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str], dict]:
    """(public table, notes for staff, summary) of a validated life-table extract; `area_cells`, the release's
    month x area cells, let the LEAD group be checked against withheld referral counts."""
    k = config.get("suppress_max")
    first, last = str(frame["cohort_first"].iat[0]), str(frame["cohort_last"].iat[0])
    through = str(frame["data_through"].iat[0])
    rows, notes, summary = [], [], {}
    linked = reveals_withheld_referrals(frame, area_cells)
    if linked:
        notes.append(f"{TABLE}: the lead group not published (its people at risk are exactly a withheld referral "
                     "count)")
    for group in contract.GROUPS:
        part = frame[frame["group"] == group].sort_values("month_since_referral")
        if part.empty or (linked and group == "lead"):
            continue
        n, e, c = (part[col].to_numpy(np.int64) for col in ("at_risk", "re_arrested", "censored"))
        ends = interval_ends(n, e, c, allowed_ends(len(n), previous, group), k)
        if ends is None:
            notes.append(f"{TABLE}: the {group} group not published (its re-arrests, censorings or people at risk "
                         f"are 1 to {k} even over the whole follow-up)")
            continue
        start = 0
        for end in ends:
            rows.append({"cohort": span_label(first, last), "cohort_first_month": cohort_months(first)[0],
                         "cohort_last_month": cohort_months(last)[1], "group": group, "interval_from": start,
                         "interval_to": end, "at_risk": int(n[start]), "re_arrested": int(e[start:end].sum()),
                         "censored": int(c[start:end].sum()), "data_through": through})
            start = end
        pooled = len(n) - len(ends)
        summary[group] = {"months": len(n), "intervals": len(ends)}
        if pooled:
            notes.append(f"{TABLE}: {group} months since referral published in {len(ends)} intervals instead of "
                         f"{len(n)} (pooled until every count is 0 or more than {k})")
    table = pd.DataFrame(rows, columns=PUBLIC_COLUMNS)
    for col in ("interval_from", "interval_to", "at_risk", "re_arrested", "censored"):
        table[col] = table[col].astype("int64")
    return table, notes, summary


# ------------------------------------------------------------------------------------------------ audit

def audit(table: pd.DataFrame, previous: pd.DataFrame | None) -> list[str]:
    """Every way a published life table breaks the privacy rules (empty when it keeps them): a count of 1 to
    `suppress_max` shown or left by subtraction, intervals that do not chain, or interval ends the previous
    release did not have inside the months it covered."""
    k = config.get("suppress_max")
    problems = []
    for group, part in table.groupby("group", sort=False):
        part = part.sort_values("interval_to")
        n, e, c = (part[col].to_numpy(np.int64) for col in ("at_risk", "re_arrested", "censored"))
        left = n - e - c
        for name, values in (("at risk", n), ("re-arrested", e), ("censored", c), ("left at risk", left)):
            if any(not _publishable(int(v), k) for v in values):
                problems.append(f"{group}: a count {name} of 1 to {k}")
        starts, ends = part["interval_from"].to_numpy(), part["interval_to"].to_numpy()
        if starts[0] != 0 or (starts[1:] != ends[:-1]).any() or (ends <= starts).any():
            problems.append(f"{group}: the intervals do not follow each other from month 0")
        if (n[1:] != left[:-1]).any() or left[-1] != 0:
            problems.append(f"{group}: the people at risk do not follow from the counts before them")
        if previous is not None and (previous["group"] == group).any():
            before = set(previous.loc[previous["group"] == group, "interval_to"].astype(int))
            new = {int(m) for m in ends[:-1] if m <= max(before) and m not in before}
            if new:
                problems.append(f"{group}: interval ends at months {sorted(new)} that the previous release did not "
                                "have (the pattern may only be kept or coarsened)")
    return problems


# ---------------------------------------------------------------------------------------- in a release

def previous_table(release_dir: Path | None) -> pd.DataFrame | None:
    path = release_dir / f"{TABLE}.parquet" if release_dir is not None else None
    return pd.read_parquet(path) if path is not None and path.exists() else None


def into_release(built, extracts: dict, live_dir: Path | None) -> None:
    """Put the pooled, audited life table into a release being built (leadsf.pipeline.cohorts.Built) in place of
    the extract; raises release.ReleaseRefused when the audit finds a problem."""
    if TABLE not in extracts:
        return
    previous = previous_table(live_dir)
    table, notes, summary = build_table(extracts[TABLE].frame, previous, built.cells)
    problems = audit(table, previous)
    if problems:
        raise release.ReleaseRefused("the time-to-re-arrest table failed its audit: " + "; ".join(problems))
    built.tables[TABLE] = table
    built.notes += notes
    kind = built.summary["kinds"].setdefault(TABLE, {})
    kind |= {"cells": len(table), "withheld": 0, "intervals": summary,
             "refused_tables": [n for n in notes if "not published" in n]}
    built.summary["audit"] = built.summary["audit"] | {TABLE: {"passed": True, "groups": sorted(summary),
                                                               "with_previous_release": previous is not None}}
