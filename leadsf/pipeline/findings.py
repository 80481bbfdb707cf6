"""What every extract check reports into, and the cell rules the month x area kinds and the table kinds share.

A Problem names the file, row and column and never repeats a cell value (R-13); Found collects an upload's
problems, capped so a hostile file cannot make the report itself huge, and raises them together.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from leadsf import config

MAX_PROBLEMS = 1000
MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
COUNT_RE = r"^[0-9]{1,7}$"


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message} [{self.rule}]"


class ExtractRejected(Exception):
    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = list(problems)[:MAX_PROBLEMS]
        self.total = max(total or 0, len(self.problems))
        more = f" (and {self.total - 1} more)" if self.total > 1 else ""
        super().__init__(f"{self.problems[0]}{more}")


class Found:
    """Problems of one upload, capped at MAX_PROBLEMS."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[Problem] = []
        self.total = 0

    def add(self, rule: str, message: str, row: int | None = None, column: str | None = None) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(self.file, row, column, rule, message))

    def raise_if_any(self) -> None:
        if self.items:
            ordered = sorted(self.items, key=lambda p: (p.row is not None, p.row or 0))
            raise ExtractRejected(ordered, self.total)


def last_full_month(today: date) -> str:
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


_SUPPRESSION_MARKS = {"", "*", "**", "***", "-", "--", ".", "na", "n/a", "null", "none", "nan", "s", "x",
                      "suppressed", "redacted"}


def count_problem(value: str) -> tuple[str, str]:
    if value.lower() in _SUPPRESSION_MARKS or value.startswith(("<", "≤")):
        return "count", ("the count is blank or suppressed; give the true count; suppression is done by the "
                         "dashboard, not by the uploader")
    if re.fullmatch(r"-[0-9]+(\.[0-9]*)?", value):
        return "count", "a count cannot be negative; give the number of people or events, 0 or more"
    if value.startswith(("=", "+", "-", "@")):
        return "formula", "the count starts like a spreadsheet formula (= + - @); type the plain number"
    if re.fullmatch(r"[0-9]+", value):
        return "count", f"the count is larger than {config.get('max_count'):,}, the largest accepted; check it"
    if re.fullmatch(r"[0-9,]*[.eE][0-9.eE+-]*|[0-9]{1,3}(,[0-9]{3})+", value):
        return "count", "a count must be a whole number written with digits only (no decimals, exponents or " \
                        "thousands separators), e.g. 1200"
    return "count", "a count must be a whole number written with digits only, e.g. 12"
