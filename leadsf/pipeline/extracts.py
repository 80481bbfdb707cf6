"""Turn an uploaded file into a validated extract, or into a list of everything wrong with it.

Checks run from the outside in (docs/privacy.md#checks-on-every-upload; R-12, R-13, R-16, R-22): bytes, text, CSV
structure, header and personal data, cell values, then relations between rows. A layer that fails stops
the later ones, whose findings would be noise (a UTF-16 file has no meaningful "row 3, column count");
within a layer every problem is collected, so staff can fix a file in one pass.

No message ever repeats a cell value: a value that failed a check may be exactly the personal data the
checks exist to keep off screens and out of logs (R-13, R-21). The client's filename is used for display
only, after sanitising (R-17).
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pandera.pandas as pa

from leadsf import config

from . import areas, cohort_checks, contract, pii, survival
from .findings import COUNT_RE, MONTH_RE, Found, count_problem, last_full_month
from .findings import ExtractRejected, Problem  # noqa: F401  (read_extract's errors, part of this module's API)

RECORD_LEVEL_MIN_ROWS = 30  # below this a run of 1s is plausible for a small program


# eq=False: a frozen dataclass would otherwise compare and hash the DataFrame, which pandas refuses.
@dataclass(frozen=True, eq=False)
class Extract:
    kind: str
    boundary_set: str  # "" for the table-shaped kinds, which have no areas
    frame: pd.DataFrame
    sha256: str
    rows: int

    @property
    def months(self) -> tuple[str | None, str | None]:
        """First and last month the extract covers (None for a kind with no months, e.g. a definition)."""
        if "month" in self.frame:
            return self.frame["month"].min(), self.frame["month"].max()
        return cohort_checks.coverage(self.kind, self.frame)


# ---------------------------------------------------------------------------------------------- names

def _visible(text: str) -> str:
    """Drop control, format (bidi, zero-width) and unassigned characters, which could forge or hide text."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch)[0] != "C")


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_name(filename: str) -> str:
    """The client's filename made safe to show: basename only, no controls, no formula start, 80 chars."""
    base = _visible(re.split(r"[/\\]", filename or "")[-1])
    base = re.sub(r"[^\w .()-]", "_", base).strip().lstrip(".-")
    return _cap(base, 80) or "(unnamed file)"


def _column_label(header: list[str], index: int) -> str:
    """A header name safe to show; by position when the "header" is really a row of data."""
    name = _cap(_visible(header[index]).strip(), 40) if index < len(header) else ""
    return name if name and not pii.value_pii_type(name) else f"column {index + 1}"


# ---------------------------------------------------------------------------------------- bytes, text

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive or an Excel .xlsx workbook"), (b"PK\x05\x06", "a ZIP archive"),
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"\xd0\xcf\x11\xe0", "an old Excel .xls or other Office document"),
    (b"\x1f\x8b", "a gzip archive"), (b"BZh", "a bzip2 archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"), (b"\xfd7zXZ\x00", "an xz archive"), (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"{\\rtf", "an RTF document"), (b"SQLite format 3", "an SQLite database"), (b"PAR1", "a Parquet file"),
    (b"\x7fELF", "a program"), (b"MZ", "a Windows program"),
)
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SAVE_AS_UTF8 = "in Excel use File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_utf16(data: bytes) -> bool:
    sample = data[:512]
    return sample[0::2].count(0) > len(sample) // 4 or sample[1::2].count(0) > len(sample) // 4


def _decode(data: bytes, found: Found) -> str | None:
    if not data:
        found.add("empty", "the file is empty; export the extract again")
        return None
    limit = config.get("max_upload_bytes")
    if len(data) > limit:
        found.add("size", f"the file is larger than {limit:,} bytes; split it into several uploads, "
                          "for example by year")
        return None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            found.add("binary", f"the file is {what}, not a CSV file; export the table as CSV UTF-8")
            return None
    if data.startswith(_WIDE_BOMS) or (b"\x00" in data and _looks_utf16(data)):
        found.add("encoding", f"the file is UTF-16 or UTF-32 text, not UTF-8; {_SAVE_AS_UTF8}")
        return None
    if b"\x00" in data:
        found.add("binary", "the file contains a NUL byte, so it is not plain text; export the table as "
                            "CSV UTF-8", row=_line_of(data, data.index(b"\x00")))
        return None
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    header_bytes = len(body.split(b"\n", 1)[0].rstrip(b"\r"))
    if header_bytes > config.get("max_header_bytes"):
        found.add("size", f"the header line is longer than {config.get('max_header_bytes'):,} bytes; "
                          "the first line must be just the column names", row=1)
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        found.add("encoding", f"the file is not UTF-8 text (perhaps Latin-1 or Windows-1252); {_SAVE_AS_UTF8}",
                  row=_line_of(body, err.start))
        return None
    # Compare against the allow-lists in one canonical form, so 'é' typed two ways is one value.
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------------------------- CSV

class _Dialect(csv.Dialect):
    # Explicit, never sniffed: a guessed dialect turns a malformed file into plausible rows.
    delimiter = ","
    quotechar = '"'
    doublequote = True
    escapechar = None
    skipinitialspace = False
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


_CSV_ERRORS = (
    ("unexpected end of data", "a quoted value starting in this row is never closed; check the quote marks"),
    ("expected after", "a quote mark appears inside a value; remove it or double it (\"\")"),
    ("new-line character", "a line break appears inside a value; remove it"),
    ("field larger than field limit", "a value is far too long; check the quote marks"),
)


def _parse(text: str, found: Found) -> list[list[str]] | None:
    """Every record of the file; rows are never skipped, so the first bad one stops parsing."""
    max_rows = config.get("max_rows")
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_Dialect)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            message = next((m for key, m in _CSV_ERRORS if key in str(err)),
                           "this row is not valid CSV; check the quote marks and commas")
            found.add("csv", message, row=len(rows) + 1)
            return None
        rows.append(record)
        if len(rows) > max_rows + 1:
            found.add("size", f"the file has more than {max_rows:,} data rows; split it into several uploads")
            return None
    if rows and len(rows[0]) > config.get("max_columns"):
        found.add("size", f"the header has {len(rows[0])} columns, more than the {config.get('max_columns')} "
                          "accepted; the extract needs only the contract's columns", row=1)
        return None
    if len(rows) < 2:
        found.add("empty", "the file has no data rows; export the extract again with its rows")
        return None
    return rows


# Free-text columns (a unit cost's source, a group's definition) have their own, longer limits.
_TEXT_LIMITS = {f.name: f.max_chars for k in contract.TABLE_KINDS.values() for f in k.fields if f.rule == "text"}


def _check_fields(text: str, rows: list[list[str]], found: Found) -> None:
    """Field length and invisible characters, reported where they are."""
    short = config.get("max_field_chars")
    header = rows[0]
    limits = [_TEXT_LIMITS.get(name.strip(), short) for name in header]
    suspicious = _CONTROL.search(text) or _INVISIBLE.search(text)
    for r, record in enumerate(rows, start=1):
        if not suspicious and (not record or max(map(len, record)) <= short):
            continue
        for c, value in enumerate(record):
            where = {"row": r, "column": _column_label(header, c)}
            limit = limits[c] if r > 1 and c < len(limits) else short
            if len(value) > limit:
                found.add("size", f"the value is longer than {limit} characters; extracts hold short codes "
                                  "and counts only" if limit == short else
                                  f"the text is longer than {limit} characters; shorten it", **where)
            for rule, pattern, what in (("control", _CONTROL, "a control character"),
                                        ("invisible", _INVISIBLE, "an invisible formatting character")):
                hit = pattern.search(value)
                if hit:
                    found.add(rule, f"the value contains {what} (U+{ord(hit.group()):04X}); delete it and "
                                    "save as CSV UTF-8 again", **where)


# ------------------------------------------------------------------------------- header, personal data

# Contract names are never personal data, even where a deny word is part of one (`arrest_diversion`).
_CONTRACT_NAMES = frozenset(
    {name for k in contract.KINDS.values()
     for name in (*k.columns, *(v for values in {**k.series, **k.additive}.values() for v in values))}
    | {name for k in contract.TABLE_KINDS.values() for name in (*k.columns, *k.category_values)})


def _signature(kind: contract.Kind | contract.TableKind) -> set[str]:
    """The columns that tell a kind apart (month, area_id and count are shared by the month x area kinds)."""
    if isinstance(kind, contract.Kind):
        return set(kind.category_columns)
    return set(kind.columns) - {"count"}


def _detect_kind(names: list[str]) -> contract.Kind | contract.TableKind | None:
    """The kind whose distinguishing columns the header shares most (ties: the one missing fewest); None when
    no kind stands out."""
    present = set(names)
    scores = {k.name: (len(_signature(k) & present), -len(_signature(k) - present))
              for k in contract.EXTRACTS.values()}
    best = max(scores.values())
    winners = [name for name, score in scores.items() if score == best]
    return contract.extract_kind(winners[0]) if best[0] and len(winners) == 1 else None


def _check_header(names: list[str], header: list[str], kind: contract.Kind | contract.TableKind | None,
                  found: Found) -> None:
    personal = [i for i, n in enumerate(names) if n not in _CONTRACT_NAMES and pii.header_is_personal(n)]
    for i in personal:
        label = _column_label(header, i)
        found.add("pii-header", f"column `{label}` looks like personal data; extracts hold counts only, so "
                                "remove the column and export the aggregated table", row=1, column=label)
    if personal:
        return
    if kind is None:
        shapes = "; ".join(f"{k.name}: {','.join(k.columns)}" for k in contract.EXTRACTS.values())
        found.add("header", f"the header does not match any kind of extract; use one of these headers: {shapes}",
                  row=1)
        return
    expected = list(kind.columns)
    before = found.total
    must = f"the {kind.name} header must be exactly: {','.join(expected)}"
    for i, name in enumerate(names):
        if not name:
            found.add("header", f"column {i + 1} has no name; {must}", row=1, column=f"column {i + 1}")
        elif name.lower() in expected and name.lower() not in names:
            label = _column_label(header, i)
            found.add("header", f"column `{label}` must be written `{name.lower()}`; {must}", row=1, column=label)
        elif name not in expected:
            label = _column_label(header, i)
            found.add("header", f"unexpected column `{label}`; remove it ({must})", row=1, column=label)
    for name in expected:
        positions = [i + 1 for i, n in enumerate(names) if n == name]
        if not positions and name not in map(str.lower, names):
            found.add("header", f"column `{name}` is missing; {must}", row=1, column=name)
        elif len(positions) > 1:
            found.add("header", f"column `{name}` appears {len(positions)} times (columns "
                                f"{', '.join(map(str, positions))}); keep one", row=1, column=name)
    if found.total == before and names != expected:
        i = next(i for i, (got, want) in enumerate(zip(names, expected)) if got != want)
        found.add("header", f"the columns are in the wrong order: column {i + 1} should be `{expected[i]}`; "
                            f"{must}", row=1, column=expected[i])


_NUMBER_COLUMNS = ("area_id", "count", "amount")  # five digits are legitimate here (a ZIP area, a count)
_MONTH_COLUMNS = ("month", "data_through")


def _check_personal_values(rows: list[list[str]], names: list[str], found: Found) -> None:
    """Pattern scan of every field, header included: a header row that is really data is data."""
    known_ids = frozenset().union(*(s.ids for s in areas.boundary_sets().values()))
    cache: dict[tuple[str, bool], str | None] = {}
    for r, record in enumerate(rows, start=1):
        for c, raw in enumerate(record):
            value = raw.strip()
            name = names[c] if r > 1 and c < len(names) else None
            if name == "area_id" and value in known_ids:
                continue
            key = (value, name in _NUMBER_COLUMNS)
            if key not in cache:
                cache[key] = pii.value_pii_type(*key)
            what = cache[key]
            if what is None:
                continue
            column = _column_label(rows[0], c) if r > 1 else None
            if name in _MONTH_COLUMNS and what == pii.FULL_DATE:
                found.add("month", "a full date is not accepted; use YYYY-MM (the month only, e.g. 2023-01)",
                          row=r, column=column)
            else:
                found.add("pii-value", f"the value looks like personal data ({what}); extracts hold counts "
                                       "only, so remove it and export the aggregated table", row=r, column=column)


# ------------------------------------------------------------------------------------------ values

def _formula(s: pd.Series) -> pd.Series:
    return ~s.str.match(r"[=+\-@]")


def _schema(kind: contract.Kind, today: date) -> pa.DataFrameSchema:
    """Column checks in priority order; only the first failing check of a cell is reported."""
    first, last = config.get("first_month"), last_full_month(today)
    month_ok = lambda s: s.str.fullmatch(MONTH_RE)  # noqa: E731
    count_ok = lambda s: s.str.fullmatch(COUNT_RE)  # noqa: E731
    known_ids = sorted(frozenset().union(*(s.ids for s in areas.boundary_sets().values())))
    max_count = config.get("max_count")
    columns = {
        "month": [pa.Check(_formula, name="formula"), pa.Check.str_matches(MONTH_RE, name="month-format"),
                  pa.Check(lambda s: ~month_ok(s) | (s >= first), name="month-early"),
                  pa.Check(lambda s: ~month_ok(s) | (s <= last), name="month-late")],
        "area_id": [pa.Check(_formula, name="formula"), pa.Check.isin(known_ids, name="area")],
        **{c: [pa.Check(_formula, name="formula"), pa.Check.isin(allowed, name="category")]
           for c, allowed in {**kind.series, **kind.additive}.items()},
        "count": [pa.Check.str_matches(COUNT_RE, name="count"),
                  pa.Check(lambda s: ~count_ok(s) | (pd.to_numeric(s.where(count_ok(s), "0")) <= max_count),
                           name="count-max")],
    }
    return pa.DataFrameSchema({c: pa.Column(str, checks) for c, checks in columns.items()}, strict=True)


def _cell_problem(check: str, value: str, kind: contract.Kind, column: str, today: date) -> tuple[str, str]:
    if check == "formula":
        return "formula", "the value starts like a spreadsheet formula (= + - @); type the plain value"
    if check == "month-format":
        return "month", "expected a month written YYYY-MM, e.g. 2023-01"
    if check == "month-early":
        return "month", f"the month is before {config.get('first_month')}, the earliest month accepted"
    if check == "month-late":
        return "month", (f"the month is after {last_full_month(today)}, the last full month; extracts hold "
                         "complete past months only")
    if check == "area":
        known = ", ".join(areas.boundary_sets())
        return "area", (f"the area id is not in any boundary set ({known}); check the id, or add the boundary "
                        "set first")
    if check == "category":
        allowed = {**kind.series, **kind.additive}[column]
        return "category", f"the value is not allowed here; use one of: {', '.join(allowed)} (exact spelling)"
    if check == "count":
        return count_problem(value)
    return "count", f"the count is larger than {config.get('max_count'):,}, the largest accepted; check it"


def _check_values(frame: pd.DataFrame, kind: contract.Kind, today: date, found: Found) -> None:
    schema = _schema(kind, today)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.assign(position=lambda d: d["column"].map(list(kind.columns).index))
        cases = cases.sort_values(["index", "position", "check_number"], kind="stable")
        checks = {c: [ch.name for ch in col.checks] for c, col in schema.columns.items()}
        seen: set[tuple[int, str]] = set()
        for case in cases.itertuples(index=False):
            if (case.index, case.column) in seen:
                continue
            seen.add((case.index, case.column))
            rule, message = _cell_problem(checks[case.column][case.check_number], str(case.failure_case),
                                          kind, case.column, today)
            found.add(rule, message, row=int(case.index) + 2, column=case.column)


def _key(kind: contract.Kind) -> list[str]:
    return [c for c in kind.columns if c != "count"]


def _check_duplicates(frame: pd.DataFrame, kind: contract.Kind, found: Found) -> None:
    # A repeated key means two counts for one cell: either double-counting or one row per person.
    key = _key(kind)
    first = frame.index.to_series().groupby([frame[c] for c in key], sort=False).transform("min")
    for i in frame.index[frame.index != first]:
        found.add("duplicate-key", f"this row has the same month, area and categories as row {first[i] + 2}; "
                                   "combine them into one row with the total count", row=i + 2)


# ------------------------------------------------------------------------------------------ relations

def _boundary_set(frame: pd.DataFrame, found: Found) -> str:
    names = areas.sets_containing(set(frame["area_id"].tolist()))
    if names:
        return names[0]
    sets = areas.boundary_sets().values()
    best = max(sets, key=lambda s: int(frame["area_id"].isin(s.ids).sum()))
    for i in frame.index[~frame["area_id"].isin(best.ids)]:
        found.add("area", f"most rows use {best.label.lower()} ({best.name}) but this area id is from another "
                          "boundary set; one extract uses one set of areas", row=i + 2, column="area_id")
    return best.name


def _check_parts(frame: pd.DataFrame, kind: contract.Kind, found: Found) -> None:
    # A part above its whole is impossible and would break the complement rule downstream.
    key = _key(kind)
    for column, part, whole in kind.parts:
        others = [c for c in key if c != column]
        rows = frame.assign(row=frame.index + 2)
        pairs = rows[rows[column] == part].merge(rows[rows[column] == whole], on=others, suffixes=("", "_whole"))
        for r in pairs[pairs["count"] > pairs["count_whole"]].itertuples():
            found.add("parts", f"`{part}` is larger than `{whole}` (row {r.row_whole}) for the same "
                               f"{', '.join(others)}; a part cannot exceed its whole, so check both rows",
                      row=r.row, column="count")


def _check_record_level(frame: pd.DataFrame, found: Found) -> None:
    share = float((frame["count"] == 1).mean())
    if len(frame) >= RECORD_LEVEL_MIN_ROWS and share >= config.get("record_level_share"):
        found.add("record-level", f"{share:.0%} of the {len(frame)} rows have a count of 1, which looks like one "
                                  "row per person; upload counts aggregated by month, area and category")


# ---------------------------------------------------------------------------------------------- API

def read_extract(data: bytes, filename: str, kind: str | None = None, today: date | None = None) -> Extract:
    """Validate an uploaded extract; raise ExtractRejected listing every problem found."""
    if kind is not None and kind not in contract.EXTRACTS:
        raise ValueError(f"unknown extract kind {kind!r}; known: {', '.join(contract.EXTRACTS)}")
    today = today or date.today()
    found = Found(display_name(filename))

    text = _decode(data, found)
    found.raise_if_any()
    rows = _parse(text, found)
    found.raise_if_any()
    _check_fields(text, rows, found)
    found.raise_if_any()

    header = rows[0]
    names = [h.strip() for h in header]
    spec = contract.extract_kind(kind) if kind else _detect_kind(names)
    _check_header(names, header, spec, found)
    for r, record in enumerate(rows[1:], start=2):
        if len(record) != len(header):
            found.add("ragged", "the row is empty; delete it" if not record else
                      f"the row has {len(record)} values but the header has {len(header)}; check for stray or "
                      "missing commas", row=r)
    _check_personal_values(rows, names, found)
    found.raise_if_any()

    frame = pd.DataFrame(rows[1:], columns=list(spec.columns), dtype=str)
    frame = frame.apply(lambda s: s.str.strip())
    if isinstance(spec, contract.TableKind):
        frame = cohort_checks.check(frame, spec, today, found)
        return Extract(spec.name, "", frame, hashlib.sha256(data).hexdigest(), len(frame))
    _check_values(frame, spec, today, found)
    _check_duplicates(frame, spec, found)
    found.raise_if_any()

    frame["count"] = frame["count"].astype("int64")
    boundary_set = _boundary_set(frame, found)
    _check_parts(frame, spec, found)
    _check_record_level(frame, found)
    found.raise_if_any()

    frame = frame.sort_values(_key(spec), kind="stable").reset_index(drop=True)
    return Extract(spec.name, boundary_set, frame, hashlib.sha256(data).hexdigest(), len(frame))


_TEMPLATE_ROWS = {
    "referrals": (("2024-01", "87505", "arrest_diversion", "sfpd", "14"),
                  ("2024-01", "87507", "social_contact", "sfcso", "9"),
                  ("2024-02", "87501", "community", "other", "0")),
    "engagement": (("2024-01", "87505", "referred", "15"),
                   ("2024-01", "87505", "intake_completed", "11"),
                   ("2024-01", "87505", "engaged_case_management", "8")),
    "overdoses": (("2024-01", "87505", "nonfatal_ed", "any", "12"),
                  ("2024-01", "87505", "nonfatal_ed", "fentanyl", "7"),
                  ("2024-01", "87507", "fatal", "any", "2")),
    "property_crime": (("2024-01", "87505", "larceny", "23"),
                       ("2024-01", "87507", "vehicle_burglary", "11"),
                       ("2024-02", "87501", "shoplifting", "8")),
}


_TEMPLATE_ROWS |= {
    "outcomes": (("2024-12", "2023-Q1", "lead", "pre_6m", "followed", "24"),
                 ("2024-12", "2023-Q1", "lead", "pre_6m", "any_arrest", "13"),
                 ("2024-12", "2023-Q1", "lead", "post_12m", "followed", "23"),
                 ("2024-12", "2023-Q1", "lead", "post_12m", "any_arrest", "12"),
                 ("2024-12", "2023-Q1", "lead", "post_12m", "jail_bookings", "11"),
                 ("2024-12", "2023-Q1", "comparison", "post_12m", "followed", "18")),
    "costs": (("2024", "case_management", "medicaid", "182000.00", ""),
              ("2024", "participants_served", "all", "96", ""),
              ("2024", "participant_months", "all", "690", ""),
              ("2024", "jail_day", "county", "87.00", "Santa Fe County adult detention, FY2024 operating cost / "
                                                      "inmate-days (county budget book)")),
    "outcome_groups": (("lead", "People referred to LEAD Santa Fe in the cohort period, counted at their first "
                                "referral.", "Personas derivadas a LEAD Santa Fe en el período de la cohorte, "
                                             "contadas en su primera derivación."),
                       ("comparison", "People arrested in the same period for offences LEAD accepts who were not "
                                      "referred, matched on age, sex and prior arrests.",
                        "Personas arrestadas en el mismo período por delitos que LEAD acepta y que no fueron "
                        "derivadas, emparejadas por edad, sexo y arrestos previos.")),
}


_TEMPLATE_ROWS["life_table"] = survival.TEMPLATE_ROWS


def template(kind: str) -> str:
    """A CSV a staff member can fill in: the exact header and a few example rows with real area ids."""
    spec = contract.extract_kind(kind)
    out = io.StringIO()
    csv.writer(out, dialect=_Dialect).writerows([spec.columns, *_TEMPLATE_ROWS[spec.name]])
    return out.getvalue()
