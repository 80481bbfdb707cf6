"""Cell and row checks for the table-shaped extracts: outcomes by referral cohort, program costs, and the
comparison group's definition (contract.TABLE_KINDS).

leadsf.pipeline.extracts runs the outer layers first (bytes, text, CSV, field sizes, header, personal data), exactly as
for the month x area kinds; these are the inner ones. Cells first, each reported once (its first failing rule),
then relations between rows. As everywhere, no message repeats a cell value (R-13).
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from leadsf import config

from . import contract, survival
from .cohort_periods import cohort_months
from .cohort_periods import month_number as _month_number
from .findings import COUNT_RE, MONTH_RE, Found, count_problem, last_full_month

COHORT_RE = r"^[0-9]{4}(-Q[1-4])?$"
FISCAL_YEAR_RE = r"^[0-9]{4}$"
AMOUNT_RE = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"  # under a billion: more in one row is a typing error
DAYS_PER_MONTH = 31  # the most jail days one person can spend in a month of follow-up


def fiscal_year_months(fiscal_year: str) -> tuple[str, str]:
    """A fiscal year ending 30 June: 2015 -> 2014-07 to 2015-06."""
    return f"{int(fiscal_year) - 1}-07", f"{fiscal_year}-06"


def current_fiscal_year(today: date) -> int:
    return today.year + (1 if today.month >= 7 else 0)


# ------------------------------------------------------------------------------------------------ cells

def _formula(s: pd.Series) -> pd.Series:
    return s.str.match(r"[=+\-@]")


def _cell_rules(field: contract.Field, today: date):
    """(rule, bad(series) -> mask, message) in priority order; a cell reports only the first it fails."""
    first, last = config.get("first_month"), last_full_month(today)
    if field.rule == "month":
        ok = lambda s: s.str.fullmatch(MONTH_RE)  # noqa: E731
        return [("formula", _formula, "the value starts like a spreadsheet formula (= + - @); type the plain value"),
                ("month", lambda s: ~ok(s), "expected a month written YYYY-MM, e.g. 2025-12"),
                ("month", lambda s: ok(s) & (s < first), f"the month is before {first}, the earliest month accepted"),
                ("month", lambda s: ok(s) & (s > last), f"the month is after {last}, the last full month; outcome "
                                                        "data runs through a complete past month")]
    if field.rule == "cohort":
        ok = lambda s: s.str.fullmatch(COHORT_RE)  # noqa: E731
        return [("formula", _formula, "the value starts like a spreadsheet formula (= + - @); type the plain value"),
                ("cohort", lambda s: ~ok(s), "a cohort is the quarter or year of referral, written YYYY-Qn or "
                                             "YYYY, e.g. 2016-Q3 or 2016"),
                ("cohort", lambda s: ok(s) & (s.str[:4] < first[:4]), f"the cohort is before {first[:4]}, the "
                                                                        "earliest year accepted")]
    if field.rule == "fiscal_year":
        ok = lambda s: s.str.fullmatch(FISCAL_YEAR_RE)  # noqa: E731
        latest = current_fiscal_year(today)
        return [("formula", _formula, "the value starts like a spreadsheet formula (= + - @); type the plain value"),
                ("fiscal-year", lambda s: ~ok(s), "write the year the fiscal year ends, YYYY, e.g. 2015 for FY2015 "
                                                  "(July 2014 to June 2015)"),
                ("fiscal-year", lambda s: ok(s) & (s < first[:4]),
                 f"the fiscal year is before FY{first[:4]}, the earliest accepted"),
                ("fiscal-year", lambda s: ok(s) & (pd.to_numeric(s.where(ok(s), "0")) > latest),
                 f"the fiscal year is after FY{latest}, the current one; give past or current years only")]
    if field.rule == "choice":
        shown = ", ".join(field.allowed)
        return [("formula", _formula, "the value starts like a spreadsheet formula (= + - @); type the plain value"),
                ("category", lambda s: ~s.isin(field.allowed),
                 f"the value is not allowed here; use one of: {shown} (exact spelling)")]
    if field.rule == "count":
        max_count = config.get("max_count")
        ok = lambda s: s.str.fullmatch(COUNT_RE)  # noqa: E731
        return [("count", lambda s: ~ok(s) | (pd.to_numeric(s.where(ok(s), "0")) > max_count), None)]
    if field.rule == "amount":
        ok = lambda s: s.str.fullmatch(AMOUNT_RE)  # noqa: E731
        return [("amount", lambda s: s.str.fullmatch(r"-[0-9.]+"), "an amount cannot be negative"),
                ("formula", _formula, "the amount starts like a spreadsheet formula (= + - @); type the plain number"),
                ("amount", lambda s: ~ok(s), "an amount is a plain number under 1,000,000,000, with at most 2 "
                                             "decimals and no $ sign or thousands separators, e.g. 12500.50 (blank "
                                             "is not accepted)")]
    if field.rule == "text":
        rules = [("formula", _formula, "the text starts like a spreadsheet formula (= + - @); reword it")]
        if field.required:
            rules.append(("text", lambda s: s == "", "the text is blank; it is required"))
        return rules
    raise ValueError(f"unknown field rule {field.rule!r}")


def _check_cells(frame: pd.DataFrame, spec: contract.TableKind, today: date, found: Found) -> None:
    for field in spec.fields:
        column = frame[field.name]
        done = pd.Series(False, index=frame.index)
        for rule, bad, message in _cell_rules(field, today):
            hit = bad(column).fillna(True).astype(bool) & ~done
            for i in frame.index[hit]:
                # Counts share the month x area kinds' advice (blank, "<5", negative, decimals ...).
                rule_i, text = count_problem(column[i]) if message is None else (rule, message)
                found.add(rule_i, text, row=i + 2, column=field.name)
            done |= hit


def _check_duplicates(frame: pd.DataFrame, spec: contract.TableKind, found: Found) -> None:
    key = list(spec.key)
    first = frame.index.to_series().groupby([frame[c] for c in key], sort=False).transform("min")
    for i in frame.index[frame.index != first]:
        found.add("duplicate-key", f"this row has the same {', '.join(key)} as row {first[i] + 2}; give each "
                                   "combination once", row=i + 2)


# -------------------------------------------------------------------------------------------- outcomes

def _pairs(frame: pd.DataFrame, part: str, whole: str) -> pd.DataFrame:
    """Rows of measure `part` beside the row of `whole` for the same cohort, group and window."""
    rows = frame.assign(row=frame.index + 2)
    on = ["cohort", "group", "window"]
    return rows[rows["measure"] == part].merge(rows[rows["measure"] == whole], on=on, suffixes=("", "_whole"))


def _check_outcomes(frame: pd.DataFrame, found: Found) -> None:
    through = frame["data_through"].iat[0]
    for i in frame.index[frame["data_through"] != through]:
        found.add("data-through", "data_through differs from row 2; one extract has one data-through month "
                                  "(the last month of outcome data) in every row", row=i + 2, column="data_through")
    end = _month_number(through)
    span = frame["cohort"].map(cohort_months)
    last = span.str[1].map(_month_number)
    window = frame["window"].map(contract.WINDOW_MONTHS).astype("int64")
    for i in frame.index[last > end]:
        found.add("cohort-future", f"the cohort ends after data_through ({through}); nobody referred then can have "
                                   "outcome data yet", row=i + 2, column="cohort")
    incomplete = (last <= end) & (window > 0) & (last + window > end)
    for i in frame.index[incomplete]:
        have = end - last[i]
        found.add("window-incomplete", f"the window is not complete: the cohort's last referrals have {have} of the "
                                       f"{window[i]} months of follow-up by data_through {through}; leave these rows "
                                       "out until the window is complete (a partial window would look like a low "
                                       "number)", row=i + 2, column="window")
    # A year cohort and one of its quarters would count the same people twice.
    is_quarter = frame["cohort"].str.contains("-Q", regex=False)
    year_cohorts = pd.MultiIndex.from_frame(frame.loc[~is_quarter, ["cohort", "group"]])
    of_year = pd.MultiIndex.from_arrays([frame["cohort"].str[:4], frame["group"]])
    for i in frame.index[is_quarter & of_year.isin(year_cohorts)]:
        found.add("cohort-overlap", "this quarter's year is also given as a whole-year cohort for the same "
                                    "group; give a year either by quarters or as one cohort", row=i + 2,
                  column="cohort")
    cell = ["cohort", "group", "window"]
    with_followed = pd.MultiIndex.from_frame(frame.loc[frame["measure"] == contract.FOLLOWED, cell])
    has_followed = pd.MultiIndex.from_frame(frame[cell]).isin(with_followed)
    for i in frame.index[~has_followed]:
        found.add("followed-missing", f"there is no `{contract.FOLLOWED}` row (people followed for the whole window) "
                                      "for this cohort, group and window; every measure needs its denominator",
                  row=i + 2, column="measure")
    for _, part, whole in contract.TABLE_KINDS["outcomes"].parts:
        pairs = _pairs(frame, part, whole)
        for r in pairs[pairs["count"] > pairs["count_whole"]].itertuples():
            found.add("parts", f"`{part}` is larger than `{whole}` (row {r.row_whole}) for the same cohort, group "
                               "and window; people with an event cannot outnumber the people followed, so check both "
                               "rows", row=r.row, column="count")
    booked = _pairs(frame, "jail_bookings", "jail_booking")
    for r in booked[(booked["count"] > 0) & (booked["count_whole"] == 0)].itertuples():
        found.add("parts", f"there are jail bookings but nobody with a jail booking (row {r.row_whole}); check both "
                           "rows", row=r.row, column="count")
    days = _pairs(frame, "jail_days", contract.FOLLOWED)
    most = days["count_whole"] * days["window"].map(contract.WINDOW_MONTHS).astype("int64").abs() * DAYS_PER_MONTH
    for r in days[days["count"] > most].itertuples():
        found.add("jail-days", f"more jail days than the people followed (row {r.row_whole}) could spend in jail in "
                               "the window; check the total", row=r.row, column="count")
    followed = frame[frame["measure"] == contract.FOLLOWED]
    share = float((followed["count"] == 1).mean()) if len(followed) else 0.0
    if len(followed) >= 30 and share >= config.get("record_level_share"):
        found.add("record-level", f"{share:.0%} of the {len(followed)} cohorts have one person followed, which looks "
                                  "like one row per person; upload counts aggregated by quarter or year of referral")


# ----------------------------------------------------------------------------------------------- costs

def _check_costs(frame: pd.DataFrame, found: Found) -> None:
    item, payer, amount = frame["item"], frame["payer"], frame["amount"]
    counts = item.isin(list(contract.COUNT_ITEMS))
    units = item.isin(list(contract.UNIT_COSTS))
    lines = item.isin(contract.PROGRAM_LINES)
    for i in frame.index[counts & (payer != contract.ALL)]:
        found.add("payer", "people and participant-months are not paid by anyone; use payer `all`", row=i + 2,
                  column="payer")
    for i in frame.index[counts & (amount != amount.round())]:
        found.add("count", "people and participant-months are whole numbers, e.g. 42", row=i + 2, column="amount")
    for i in frame.index[counts & (amount > config.get("max_count"))]:
        found.add("count", f"the count is larger than {config.get('max_count'):,}, the largest accepted; check it",
                  row=i + 2, column="amount")
    for i in frame.index[units & (frame["source"] == "")]:
        found.add("source", "a unit cost needs its source: where the figure comes from (a report, budget or "
                            "calculation), so visitors can judge it", row=i + 2, column="source")
    for i in frame.index[units & (amount <= 0)]:
        found.add("amount", "a unit cost must be more than 0", row=i + 2, column="amount")
    # A line given for `all` and for single payers would count its dollars twice.
    both = frame[lines].groupby(["fiscal_year", "item"])["payer"].transform(
        lambda p: (p == contract.ALL).any() and (p != contract.ALL).any())
    for i in both.index[both]:
        found.add("payer", "this line is given both for payer `all` and for single payers in the same fiscal year; "
                           "give either the total or its split by payer", row=i + 2, column="payer")
    wide = frame[counts].pivot_table(index="fiscal_year", columns="item", values="amount", aggfunc="sum")
    if {"participants_served", "participant_months"} <= set(wide.columns):
        months_row = frame[item == "participant_months"].set_index("fiscal_year").index
        rows = dict(zip(months_row, frame.index[item == "participant_months"] + 2))
        for fy, r in wide.iterrows():
            if r["participant_months"] > 12 * r["participants_served"]:
                found.add("participant-months", "more participant-months than 12 for every participant served in "
                                                "the fiscal year; check both rows", row=rows.get(fy), column="amount")


# ------------------------------------------------------------------------------------------------ groups

def _check_groups(frame: pd.DataFrame, found: Found) -> None:
    missing = [g for g in contract.GROUPS if g not in set(frame["group"])]
    if missing:
        found.add("groups", f"give a definition for every group: {', '.join(missing)} is missing; the outcome page "
                            "shows visitors who is being compared")


def _check_life_table(frame: pd.DataFrame, found: Found) -> None:
    survival.check_relations(frame, found)


_RELATIONS = {"outcomes": _check_outcomes, "costs": _check_costs, "outcome_groups": _check_groups,
              "life_table": _check_life_table}


def _typed(frame: pd.DataFrame, spec: contract.TableKind) -> pd.DataFrame:
    out = frame.copy()
    for field in spec.fields:
        if field.rule == "count":
            out[field.name] = out[field.name].astype("int64")
        elif field.rule == "amount":
            out[field.name] = out[field.name].astype("float64")
    return out


def check(frame: pd.DataFrame, spec: contract.TableKind, today: date, found: Found) -> pd.DataFrame:
    """The validated, typed and sorted frame; raises ExtractRejected through `found` listing every problem."""
    _check_cells(frame, spec, today, found)
    found.raise_if_any()
    _check_duplicates(frame, spec, found)
    found.raise_if_any()
    frame = _typed(frame, spec)
    _RELATIONS[spec.name](frame, found)
    found.raise_if_any()
    return frame.sort_values(list(spec.key), kind="stable").reset_index(drop=True)


def coverage(kind: str, frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """First and last month an extract covers (referral months to data_through; fiscal years), or None."""
    if kind == "outcomes":
        return min(cohort_months(c)[0] for c in set(frame["cohort"].tolist())), str(frame["data_through"].max())
    if kind == "costs":
        years = frame["fiscal_year"].astype(str)
        return fiscal_year_months(years.min())[0], fiscal_year_months(years.max())[1]
    if kind == "life_table":
        return survival.coverage(frame)
    return None, None

