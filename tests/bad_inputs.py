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
