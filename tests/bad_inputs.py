"""Uploads that must be rejected, each with the problem it must be rejected for.

Shared by the extract tests and the CLI tests (exit code 2, store unchanged), so importing it only builds
bytes in memory. Rows are numbered as a spreadsheet shows them: header = 1, first data row = 2.
"""
from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass

from leadsf import config


@dataclass(frozen=True)
class BadInput:
    case_id: str
    filename: str
    data: bytes
    rule: str
    row: int | None
    column: str | None
    kind: str = "referrals"  # the kind the file was meant to be, for callers that pass it explicitly
    secret: str | None = None  # a value that must never appear in any message

    def __iter__(self):  # unpacks as (case_id, filename, data, rule, row, column)
        return iter((self.case_id, self.filename, self.data, self.rule, self.row, self.column))


BASE = {
    "referrals": [["month", "area_id", "pathway", "agency", "count"],
                  ["2023-01", "87501", "arrest_diversion", "sfpd", "12"],
                  ["2023-01", "87505", "social_contact", "sfcso", "7"],
                  ["2023-02", "87501", "community", "other", "3"],
                  ["2023-02", "87505", "arrest_diversion", "sfpd", "15"]],
    "engagement": [["month", "area_id", "measure", "count"],
                   ["2023-01", "87505", "referred", "14"],
                   ["2023-01", "87505", "intake_completed", "9"],
                   ["2023-01", "87505", "engaged_case_management", "6"],
                   ["2023-01", "87507", "referred", "11"]],
    "overdoses": [["month", "area_id", "outcome", "drug", "count"],
                  ["2023-01", "87505", "nonfatal_ed", "any", "12"],
                  ["2023-01", "87505", "nonfatal_ed", "fentanyl", "7"],
                  ["2023-01", "87507", "fatal", "any", "2"]],
    "property_crime": [["month", "area_id", "offense", "count"],
                       ["2023-01", "35049000101", "larceny", "23"],
                       ["2023-01", "35049000200", "vehicle_burglary", "11"],
                       ["2023-02", "35049000101", "shoplifting", "8"]],
}


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def valid(kind: str = "referrals") -> bytes:
    return to_csv(BASE[kind]).encode()


def with_cell(row: int, column: str, value: str, kind: str = "referrals") -> bytes:
    """The kind's valid file with one cell replaced (row numbered as in a spreadsheet)."""
    rows = [list(r) for r in BASE[kind]]
    rows[row - 1][rows[0].index(column)] = value
    return to_csv(rows).encode()


def with_column(name: str, value: str = "1", kind: str = "referrals") -> bytes:
    rows = [list(r) for r in BASE[kind]]
    return to_csv([rows[0] + [name], *(r + [value] for r in rows[1:])]).encode()


def with_header(header: list[str], kind: str = "referrals") -> bytes:
    """Rewrite the header, keeping each data row's values under their original column names."""
    rows = BASE[kind]
    index = {name: i for i, name in enumerate(rows[0])}
    return to_csv([header, *([r[index[h]] if h in index else "x" for h in header] for r in rows[1:])]).encode()


def with_line(line_no: int, line: str, kind: str = "referrals") -> bytes:
    lines = to_csv(BASE[kind]).split("\n")
    lines[line_no - 1] = line
    return "\n".join(lines).encode()


def record_level() -> bytes:
    months = [f"2023-{m:02d}" for m in range(1, 11)]
    offenses = ["larceny", "shoplifting", "vehicle_burglary", "residential_burglary"]
    rows = [["month", "area_id", "offense", "count"],
            *([m, "35049000101", o, "1"] for m in months for o in offenses)]
    return to_csv(rows).encode()


def oversize() -> bytes:
    line = b"2023-01,87501,arrest_diversion,sfpd,12\n"
    return valid() + line * (config.get("max_upload_bytes") // len(line) + 1)


REF = valid()
REF_TEXT = to_csv(BASE["referrals"])


def _pii_header(name: str) -> BadInput:
    return BadInput(f"pii-header-{name.lower().replace(' ', '-')}", "referrals.csv", with_column(name),
                    "pii-header", 1, name)


def _pii_value(case: str, value: str, column: str = "agency") -> BadInput:
    return BadInput(f"pii-value-{case}", "referrals.csv", with_cell(3, column, value), "pii-value", 3, column,
                    secret=value)


def _count(case: str, value: str, rule: str = "count") -> BadInput:
    return BadInput(f"count-{case}", "referrals.csv", with_cell(3, "count", value), rule, 3, "count")


HOSTILE_NAMES = {
    "path-traversal": "../../etc/passwd",
    "windows-path": "..\\..\\Windows\\System32\\referrals.csv",
    "newline": "extract.csv\nlooks fine, row 99, column x: all good [ok]",
    "very-long": "A" * 500 + ".csv",
    "formula": "=cmd|' /C calc'!A0.csv",
    "bidi": "report\u202egpj.csv",
    "empty": "",
}

BAD_INPUTS: list[BadInput] = [
    # bytes and encoding
    BadInput("empty", "referrals.csv", b"", "empty", None, None),
    BadInput("header-only", "referrals.csv", b"month,area_id,pathway,agency,count\n", "empty", None, None),
    BadInput("oversize", "referrals.csv", oversize(), "size", None, None),
    BadInput("zip", "referrals.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + REF, "binary", None, None),
    BadInput("xlsx", "referrals.xlsx", b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml", "binary", None, None),
    BadInput("xls", "referrals.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "binary", None, None),
    BadInput("pdf", "referrals.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "binary", None, None),
    BadInput("png", "referrals.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", None, None),
    BadInput("gzip", "referrals.csv.gz", gzip.compress(REF, mtime=0), "binary", None, None),
    BadInput("utf16", "referrals.csv", REF_TEXT.encode("utf-16"), "encoding", None, None),
    BadInput("utf16-no-bom", "referrals.csv", REF_TEXT.encode("utf-16-le"), "encoding", None, None),
    BadInput("latin1", "referrals.csv", with_cell(3, "agency", "compañía").decode().encode("latin-1"),
             "encoding", 3, None),
    BadInput("nul", "referrals.csv", with_cell(3, "agency", "sf\x00pd"), "binary", 3, None),
    BadInput("control-char", "referrals.csv", with_cell(3, "agency", "sf\x07pd"), "control", 3, "agency"),
    BadInput("escape-char", "referrals.csv", with_cell(2, "pathway", "\x1b[31mcommunity"), "control", 2,
             "pathway"),
    BadInput("bidi-char", "referrals.csv", with_cell(3, "agency", "sfpd\u202e"), "invisible", 3, "agency"),
    BadInput("zero-width", "referrals.csv", with_cell(2, "pathway", "\u200bcommunity"), "invisible", 2,
             "pathway"),
    BadInput("bom-mid-file", "referrals.csv", with_cell(4, "month", "\ufeff2023-02"), "invisible", 4, "month"),
    BadInput("double-bom", "referrals.csv", b"\xef\xbb\xbf\xef\xbb\xbf" + REF, "invisible", 1, "month"),
    # CSV structure and limits
    BadInput("header-too-long", "referrals.csv", with_line(1, "month,area_id,pathway,agency,count" + ",x" * 600),
             "size", 1, None),
    BadInput("too-many-columns", "referrals.csv",
             with_header(["month", "area_id", "pathway", "agency", "count", *(f"c{i}" for i in range(6, 12))]),
             "size", 1, None),
    BadInput("field-too-long", "referrals.csv", with_cell(3, "agency", "x" * 65), "size", 3, "agency"),
    BadInput("ragged-row", "referrals.csv", with_line(3, "2023-01,87505,social_contact,sfcso,7,5"), "ragged",
             3, None),
    BadInput("short-row", "referrals.csv", with_line(4, "2023-02,87501,community,3"), "ragged", 4, None),
    BadInput("blank-line", "referrals.csv", with_line(3, "\n2023-01,87505,social_contact,sfcso,7"), "ragged",
             3, None),
    BadInput("unclosed-quote", "referrals.csv", with_line(3, '2023-01,"87505,social_contact,sfcso,7'), "csv",
             3, None),
    BadInput("quote-inside-quoted", "referrals.csv", with_line(3, '2023-01,"875"05,social_contact,sfcso,7'),
             "csv", 3, None),
    # header
    BadInput("header-missing-column", "referrals.csv", with_header(["month", "area_id", "pathway", "count"]),
             "header", 1, "agency"),
    BadInput("header-duplicate-column", "referrals.csv",
             with_header(["month", "area_id", "pathway", "agency", "agency", "count"]), "header", 1, "agency"),
    BadInput("header-extra-column", "referrals.csv", with_column("source", "cad_export"), "header", 1, "source"),
    BadInput("header-misordered", "referrals.csv",
             with_header(["month", "area_id", "agency", "pathway", "count"]), "header", 1, "pathway"),
    BadInput("header-unknown-kind", "referrals.csv", with_header(["month", "area_id", "category", "count"]),
             "header", 1, None),
    BadInput("header-wrong-case", "referrals.csv",
             with_header(["Month", "area_id", "pathway", "agency", "count"]), "header", 1, "Month"),
    # personal data in the header
    *(_pii_header(name) for name in (
        "client_name", "First Name", "DOB", "date_of_birth", "SSN", "Phone Number", "e-mail", "Street Address",
        "zip", "latitude", "case_number", "Booking No", "arrest_id", "citation", "client_id", "patient_id",
        "MRN", "medicaid_id", "license_plate", "ip_address", "url", "notes", "Comments")),
    # personal data in values
    _pii_value("ssn", "123-45-6789"),
    _pii_value("ssn-in-count", "123456789", column="count"),
    _pii_value("phone", "(505) 555-0134"),
    _pii_value("phone-dotted", "505.555.0134"),
    _pii_value("email", "jdoe@example.com"),
    _pii_value("full-date", "1990-04-12"),
    _pii_value("full-date-us", "4/12/1990", column="pathway"),
    _pii_value("street-address", "1200 Cerrillos Rd"),
    _pii_value("calle-address", "45 Calle Ojo Feliz"),
    _pii_value("case-number", "SF23-004512"),
    _pii_value("booking-number", "2023-004512", column="pathway"),
    _pii_value("ip-address", "192.168.10.4"),
    _pii_value("zip-outside-area", "87507"),
    BadInput("pii-value-in-header-row", "referrals.csv",
             with_line(1, "2023-01,87501,arrest_diversion,505-555-0134,12"), "pii-value", 1, None,
             secret="505-555-0134"),
    # month
    BadInput("month-one-digit", "referrals.csv", with_cell(3, "month", "2023-1"), "month", 3, "month"),
    BadInput("month-13", "referrals.csv", with_cell(3, "month", "2023-13"), "month", 3, "month"),
    BadInput("month-words", "referrals.csv", with_cell(3, "month", "Jan 2023"), "month", 3, "month"),
    BadInput("month-full-date", "referrals.csv", with_cell(3, "month", "2023-01-15"), "month", 3, "month"),
    BadInput("month-us-date", "referrals.csv", with_cell(3, "month", "01/15/2023"), "month", 3, "month"),
    BadInput("month-before-first", "referrals.csv", with_cell(3, "month", "2013-12"), "month", 3, "month"),
    BadInput("month-future", "referrals.csv", with_cell(3, "month", "2999-01"), "month", 3, "month"),
    # areas
    BadInput("area-unknown-zip", "referrals.csv", with_cell(3, "area_id", "87999"), "area", 3, "area_id"),
    BadInput("area-unknown-name", "referrals.csv", with_cell(3, "area_id", "Downtown"), "area", 3, "area_id"),
    BadInput("area-two-sets", "referrals.csv", with_cell(3, "area_id", "35049000101"), "area", 3, "area_id"),
    # categories and formulas
    BadInput("category-wrong-case", "referrals.csv", with_cell(3, "agency", "SFPD"), "category", 3, "agency"),
    BadInput("category-unknown", "referrals.csv", with_cell(3, "pathway", "walk_in"), "category", 3, "pathway"),
    BadInput("category-blank", "referrals.csv", with_cell(3, "agency", ""), "category", 3, "agency"),
    BadInput("category-wrong-kind", "referrals.csv", with_cell(2, "pathway", "referred"), "category", 2,
             "pathway"),
    BadInput("formula-hyperlink", "referrals.csv", with_cell(3, "agency", '=HYPERLINK("http://x.test","go")'),
             "formula", 3, "agency"),
    BadInput("formula-dde", "referrals.csv", with_cell(3, "pathway", "+cmd|' /C calc'!A0"), "formula", 3,
             "pathway"),
    BadInput("formula-at", "referrals.csv", with_cell(2, "agency", "@SUM(A1:A9)"), "formula", 2, "agency"),
    BadInput("formula-minus", "referrals.csv", with_cell(2, "agency", "-2+3"), "formula", 2, "agency"),
    BadInput("formula-in-month", "referrals.csv", with_cell(2, "month", "=TODAY()"), "formula", 2, "month"),
    # counts
    _count("blank", ""),
    _count("less-than-5", "<5"),
    _count("star", "*"),
    _count("na", "NA"),
    _count("negative", "-3"),
    _count("decimal", "2.5"),
    _count("exponent", "1e3"),
    _count("thousands-separator", "1,200"),
    _count("too-big", "1000001"),
    _count("eight-digits", "12345678"),
    _count("words", "twelve"),
    _count("formula", "=1+1", rule="formula"),
    # relations between rows
    BadInput("duplicate-key", "referrals.csv", with_line(5, "2023-01,87501,arrest_diversion,sfpd,4"),
             "duplicate-key", 5, None),
    BadInput("part-above-whole", "engagement.csv", with_cell(3, "count", "20", kind="engagement"), "parts", 3,
             "count", kind="engagement"),
    BadInput("drug-above-any", "overdoses.csv", with_cell(3, "count", "20", kind="overdoses"), "parts", 3,
             "count", kind="overdoses"),
    BadInput("record-level", "property_crime.csv", record_level(), "record-level", None, None,
             kind="property_crime"),
    # hostile filenames: the content fails, the name must only ever be displayed, harmlessly
    *(BadInput(f"filename-{case}", name, with_cell(3, "count", "<5"), "count", 3, "count")
      for case, name in HOSTILE_NAMES.items()),
]


# ---------------------------------------------------------------------------- outcomes, costs, definitions

BASE |= {
    "outcomes": [["data_through", "cohort", "group", "window", "measure", "count"],
                 ["2024-12", "2023-Q1", "lead", "pre_6m", "followed", "24"],          # row 2
                 ["2024-12", "2023-Q1", "lead", "pre_6m", "any_arrest", "13"],        # row 3
                 ["2024-12", "2023-Q1", "lead", "post_12m", "followed", "23"],        # row 4
                 ["2024-12", "2023-Q1", "lead", "post_12m", "new_charge", "9"],       # row 5
                 ["2024-12", "2023-Q1", "lead", "post_12m", "felony_charge", "3"],    # row 6
                 ["2024-12", "2023-Q1", "lead", "post_12m", "jail_booking", "5"],     # row 7
                 ["2024-12", "2023-Q1", "lead", "post_12m", "jail_bookings", "8"],    # row 8
                 ["2024-12", "2023-Q1", "lead", "post_12m", "jail_days", "60"],       # row 9
                 ["2024-12", "2023-Q1", "comparison", "post_12m", "followed", "18"]],  # row 10
    "costs": [["fiscal_year", "item", "payer", "amount", "source"],
              ["2024", "case_management", "medicaid", "182000.00", ""],                           # row 2
              ["2024", "housing", "city", "50000", ""],                                           # row 3
              ["2024", "participants_served", "all", "96", ""],                                   # row 4
              ["2024", "participant_months", "all", "690", ""],                                   # row 5
              ["2024", "jail_day", "county", "87.00", "County detention budget / inmate-days"],   # row 6
              ["2024", "booking", "county", "465", "Derived from officer hours per arrest"]],     # row 7
    "outcome_groups": [["group", "definition_en", "definition_es"],
                       ["lead", "People referred to LEAD in the period.", "Personas derivadas a LEAD."],
                       ["comparison", "People arrested and not referred.", "Personas arrestadas y no derivadas."]],
}


def with_row(row: list[str], kind: str) -> bytes:
    return to_csv([*BASE[kind], row]).encode()


def _o(case: str, row: int, column: str, value: str, rule: str, at_row: int | None = None,
       at_column: str | None = "=", secret: str | None = None) -> BadInput:
    """An outcomes file with one cell changed, rejected for `rule` at (at_row, at_column) (default: the cell)."""
    return BadInput(f"outcomes-{case}", "outcomes.csv", with_cell(row, column, value, kind="outcomes"), rule,
                    row if at_row is None else at_row, column if at_column == "=" else at_column,
                    kind="outcomes", secret=secret)


def _c(case: str, row: int, column: str, value: str, rule: str, at_row: int | None = None,
       at_column: str | None = "=", secret: str | None = None) -> BadInput:
    return BadInput(f"costs-{case}", "costs.csv", with_cell(row, column, value, kind="costs"), rule,
                    row if at_row is None else at_row, column if at_column == "=" else at_column,
                    kind="costs", secret=secret)


def _one_person_cohorts() -> bytes:
    quarters = [f"{y}-Q{q}" for y in range(2014, 2024) for q in range(1, 5)]
    return to_csv([BASE["outcomes"][0], *(["2024-12", c, "lead", "pre_6m", "followed", "1"] for c in quarters)]
                  ).encode()


OUTCOME_BAD_INPUTS: list[BadInput] = [
    # windows and cohorts in time
    _o("window-incomplete", 10, "cohort", "2024-Q3", "window-incomplete", at_column="window"),
    _o("window-incomplete-24m", 10, "window", "post_24m", "window-incomplete"),
    _o("cohort-from-the-future", 10, "cohort", "2025-Q1", "cohort-future"),
    _o("cohort-year-from-the-future", 10, "cohort", "2025", "cohort-future"),
    _o("data-through-differs", 5, "data_through", "2024-11", "data-through"),
    _o("data-through-future", 2, "data_through", "2999-01", "month"),
    _o("data-through-words", 2, "data_through", "Dec 2024", "month"),
    _o("data-through-full-date", 2, "data_through", "2024-12-31", "month"),
    _o("cohort-no-dash", 3, "cohort", "2023Q1", "cohort"),
    _o("cohort-quarter-5", 3, "cohort", "2023-Q5", "cohort"),
    _o("cohort-words", 3, "cohort", "Q1 2023", "cohort"),
    _o("cohort-before-first", 3, "cohort", "2013-Q4", "cohort"),
    _o("cohort-referral-date", 3, "cohort", "2023-02-14", "pii-value", secret="2023-02-14"),
    # categories
    _o("group-unknown", 10, "group", "control", "category"),
    _o("window-unknown", 3, "window", "post_3m", "category"),
    _o("measure-unknown", 3, "measure", "overdose_deaths", "category"),
    _o("measure-wrong-case", 2, "measure", "Followed", "category"),
    _o("measure-blank", 3, "measure", "", "category"),
    # counts
    _o("count-negative", 3, "count", "-3", "count"),
    _o("count-decimal", 3, "count", "2.5", "count"),
    _o("count-mean-not-total", 9, "count", "2.61", "count"),
    _o("count-blank", 3, "count", "", "count"),
    _o("count-suppressed", 3, "count", "<5", "count"),
    _o("count-na", 3, "count", "NA", "count"),
    _o("count-too-big", 9, "count", "1000001", "count"),
    # relations between rows
    _o("people-above-followed", 3, "count", "30", "parts"),
    _o("felony-above-new-charge", 6, "count", "12", "parts"),
    _o("booked-people-above-bookings", 7, "count", "10", "parts"),
    _o("bookings-without-anyone-booked", 7, "count", "0", "parts", at_row=8, at_column="count"),
    _o("jail-days-beyond-the-window", 9, "count", "99999", "jail-days"),
    _o("followed-missing", 4, "measure", "ed_visit", "followed-missing", at_column="measure"),
    _o("duplicate-key", 3, "measure", "followed", "duplicate-key", at_column=None),
    BadInput("outcomes-cohort-overlap", "outcomes.csv",
             with_row(["2024-12", "2023", "lead", "pre_12m", "followed", "30"], "outcomes"), "cohort-overlap", 2,
             "cohort", kind="outcomes"),
    BadInput("outcomes-record-level", "outcomes.csv", _one_person_cohorts(), "record-level", None, None,
             kind="outcomes"),
    # personal data, formulas, header
    BadInput("outcomes-pii-header", "outcomes.csv", with_column("client_id", "17", kind="outcomes"), "pii-header", 1,
             "client_id", kind="outcomes"),
    _o("pii-phone", 10, "group", "505-555-0134", "pii-value", secret="505-555-0134"),
    _o("formula", 10, "group", '=HYPERLINK("http://x.test")', "formula"),
    BadInput("outcomes-header-missing-window", "outcomes.csv",
             with_header(["data_through", "cohort", "group", "measure", "count"], kind="outcomes"), "header", 1,
             "window", kind="outcomes"),
    BadInput("outcomes-header-misordered", "outcomes.csv",
             with_header(["data_through", "cohort", "window", "group", "measure", "count"], kind="outcomes"),
             "header", 1, "group", kind="outcomes"),
]

COST_BAD_INPUTS: list[BadInput] = [
    # fiscal years
    _c("fiscal-year-fy-prefix", 3, "fiscal_year", "FY2024", "fiscal-year"),
    _c("fiscal-year-range", 3, "fiscal_year", "2023-24", "fiscal-year"),
    _c("fiscal-year-two-digits", 3, "fiscal_year", "24", "fiscal-year"),
    _c("fiscal-year-before-first", 3, "fiscal_year", "2013", "fiscal-year"),
    _c("fiscal-year-future", 3, "fiscal_year", "2999", "fiscal-year"),
    _c("fiscal-year-full-date", 3, "fiscal_year", "06/30/2024", "pii-value", secret="06/30/2024"),
    # items and payers
    _c("item-unknown", 3, "item", "salaries", "category"),
    _c("item-wrong-case", 6, "item", "Jail_Day", "category"),
    _c("payer-unknown", 3, "payer", "federal", "category"),
    _c("count-paid-by-someone", 4, "payer", "city", "payer"),
    BadInput("costs-line-total-and-split", "costs.csv",
             with_row(["2024", "case_management", "all", "200000", ""], "costs"), "payer", 2, "payer",
             kind="costs"),
    BadInput("costs-duplicate-key", "costs.csv", with_row(["2024", "housing", "city", "1", ""], "costs"),
             "duplicate-key", 8, None, kind="costs"),
    # amounts
    _c("amount-negative", 3, "amount", "-5", "amount"),
    _c("amount-dollar-sign", 6, "amount", "$87", "amount"),
    _c("amount-thousands-separator", 3, "amount", "50,000", "amount"),
    _c("amount-three-decimals", 6, "amount", "87.125", "amount"),
    _c("amount-blank", 3, "amount", "", "amount"),
    _c("amount-exponent", 3, "amount", "5e4", "amount"),
    _c("amount-too-many-digits", 3, "amount", "12345678901", "amount"),
    _c("unit-cost-zero", 7, "amount", "0", "amount"),
    _c("participants-not-whole", 4, "amount", "96.5", "count"),
    _c("participant-months-beyond-a-year", 5, "amount", "5000", "participant-months"),
    # sources
    _c("unit-cost-without-source", 6, "source", "", "source"),
    _c("source-formula", 6, "source", "=cmd|' /C calc'!A0", "formula"),
    _c("source-too-long", 6, "source", "x" * 201, "size"),
    _c("source-phone", 6, "source", "call 505-555-0134 for the budget", "pii-value", secret="505-555-0134"),
    _c("source-email", 7, "source", "ask j.doe@example.com", "pii-value", secret="j.doe@example.com"),
    # header
    BadInput("costs-pii-header", "costs.csv", with_column("client_name", "x", kind="costs"), "pii-header", 1,
             "client_name", kind="costs"),
    BadInput("costs-header-missing-source", "costs.csv",
             with_header(["fiscal_year", "item", "payer", "amount"], kind="costs"), "header", 1, "source",
             kind="costs"),
]

GROUP_BAD_INPUTS: list[BadInput] = [
    BadInput("groups-comparison-missing", "outcome_groups.csv", to_csv(BASE["outcome_groups"][:2]).encode(),
             "groups", None, None, kind="outcome_groups"),
    BadInput("groups-definition-blank", "outcome_groups.csv",
             with_cell(3, "definition_en", "", kind="outcome_groups"), "text", 3, "definition_en",
             kind="outcome_groups"),
    BadInput("groups-definition-too-long", "outcome_groups.csv",
             with_cell(3, "definition_en", "y" * 601, kind="outcome_groups"), "size", 3, "definition_en",
             kind="outcome_groups"),
    BadInput("groups-definition-email", "outcome_groups.csv",
             with_cell(2, "definition_es", "escriba a ana@example.com", kind="outcome_groups"), "pii-value", 2,
             "definition_es", kind="outcome_groups", secret="ana@example.com"),
    BadInput("groups-unknown-group", "outcome_groups.csv", with_cell(3, "group", "control", kind="outcome_groups"),
             "category", 3, "group", kind="outcome_groups"),
]

COHORT_BAD_INPUTS = OUTCOME_BAD_INPUTS + COST_BAD_INPUTS + GROUP_BAD_INPUTS

# The time-to-re-arrest life table: rows 2-4 LEAD months 1-3, rows 5-6 comparison months 1-2. Its bad inputs are
# in tests/pipeline/test_life_table.py.
BASE["life_table"] = [
    ["data_through", "cohort_first", "cohort_last", "group", "month_since_referral", "at_risk", "re_arrested",
     "censored"],
    ["2025-06", "2018", "2023", "lead", "1", "140", "12", "0"],
    ["2025-06", "2018", "2023", "lead", "2", "128", "11", "0"],
    ["2025-06", "2018", "2023", "lead", "3", "117", "13", "104"],
    ["2025-06", "2018", "2023", "comparison", "1", "105", "14", "0"],
    ["2025-06", "2018", "2023", "comparison", "2", "91", "13", "78"]]
