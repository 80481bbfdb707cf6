"""Readers for the agencies' own files, as downloaded: CDC WONDER exports, the Census Bureau's PEP county and
state estimates (co-est20XX-alldata.csv) and CDC's VSRR provisional overdose death counts.

Each is recognised from its header (and, for WONDER, its footer), never from its file name, and read in full:
the national files work as well as a state's cut. A file is refused the way program extracts are
(ExtractRejected, the file, row and column named, never a cell value) when it is cut off, has lost the WONDER
footer that says what was counted, or holds a value that is neither a number nor one of the source's markers.
A marker is kept as a flag with no value, never read as 0.

Every reader returns an Extract whose frame is long form, one row per (geo_id, period, measure):
    source, geo_id, geo_name, period, period_type, measure, value, flag, definition, citation
geo_id is a FIPS code ('35' a state, '35049' a county; 'US' the nation in VSRR).
"""
from __future__ import annotations

import csv
import hashlib
import io
import re

import pandas as pd

from leadsf import config

from .extracts import Extract, display_name
from .findings import ExtractRejected, Found

WONDER, PEP, VSRR = "cdc_wonder", "census_pep", "cdc_vsrr"
COLUMNS = ["source", "geo_id", "geo_name", "period", "period_type", "measure", "value", "flag", "definition",
           "citation"]
KEY = ["geo_id", "period", "measure"]
KIND_PREFIXES = (WONDER, PEP, VSRR)


def is_official(kind: str) -> bool:
    return kind.startswith(KIND_PREFIXES)


# ------------------------------------------------------------------------------------------------ text

def _text(data: bytes, found: Found, latin1: bool) -> str | None:
    if b"\x00" in data:
        found.add("binary", "the file contains a NUL byte, so it is not the agency's CSV download; download it "
                            "again")
        return None
    limit = config.get("max_official_bytes")
    if len(data) > limit:
        found.add("size", f"the file is larger than {limit:,} bytes, more than any of the agencies' national "
                          "files; check that it is the right download")
        return None
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        if latin1:  # the Census Bureau ships its files in Latin-1 ("Do\xf1a Ana County")
            return body.decode("latin-1")
        found.add("encoding", "the file is not UTF-8 text; download it again from the agency")
        return None


def _records(text: str, found: Found, delimiter: str = ",") -> list[list[str]] | None:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            rows.append(record)
    except csv.Error:
        found.add("csv", "a quoted value starting in this row is never closed: the file is cut off or damaged; "
                         "download it again", row=len(rows) + 1)
        return None
    return rows


def _table(data: bytes, found: Found, latin1: bool = False,
           delimiter: str = ",") -> tuple[list[str], list[list[str]]] | None:
    """The file's header (stripped) and its records, or None once `found` says why it cannot be read."""
    text = _text(data, found, latin1)
    rows = _records(text, found, delimiter) if text is not None else None
    if rows is None:
        return None
    return [h.strip() for h in rows[0]], rows


def _first_line(data: bytes) -> str:
    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    return head[:2000].split(b"\n", 1)[0].decode("latin-1").strip()


def _html(data: bytes) -> bool:
    start = data.lstrip()[:200].lower()
    return start.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body"))


def recognise(data: bytes) -> str | None:
    """Which agency format the file's first line claims (WONDER, PEP or VSRR), 'html' for a web page saved
    under a .csv name, or None for anything else (a program extract)."""
    if _html(data):
        return "html"
    first = _first_line(data)
    names = [n.strip().strip('"') for n in re.split(r"[,\t]", first)]
    if names[:1] == ["Notes"]:
        return WONDER
    if names[:1] == ["SUMLEV"]:
        return PEP
    if names[:2] == ["State", "State Name"] or {"State", "Indicator", "Data Value"} <= set(names):
        return VSRR
    return None


def read(data: bytes, filename: str) -> Extract:
    """Read one agency file; raises ExtractRejected naming every problem found."""
    found = Found(display_name(filename))
    fmt = recognise(data)
    if fmt == "html":
        found.add("html", "the file is a web page (HTML), not the agency's CSV download: the agency's site "
                          "probably sent an error page; download the file again", row=1)
        found.raise_if_any()
    reader = {WONDER: _read_wonder, PEP: _read_pep, VSRR: _read_vsrr}.get(fmt)
    if reader is None:
        found.add("header", "the file is not a CDC WONDER export, a Census PEP co-est alldata file or a CDC VSRR "
                            "provisional counts file", row=1)
        found.raise_if_any()
    kind, frame, rows = reader(data, found)
    found.raise_if_any()
    frame = frame[COLUMNS].sort_values(KEY, kind="stable").reset_index(drop=True)
    return Extract(kind, "", frame, hashlib.sha256(data).hexdigest(), rows)


def _index(header: list[str], found: Found, required: tuple[str, ...], what: str) -> dict[str, int]:
    names = [h.strip() for h in header]
    for name in required:
        if name not in names:
            found.add("header", f"column `{name}` is missing: this is not a complete {what} file; download it "
                                "again with every column", row=1, column=name)
    return {n: i for i, n in enumerate(names)}


def _ragged(rows: list[list[str]], width: int, first_row: int, found: Found) -> None:
    last = first_row + len(rows) - 1
    for r, record in enumerate(rows, start=first_row):
        if len(record) != width:
            cut = " (the last row: the file is cut off; download it again)" if r == last else ""
            found.add("ragged", f"the row has {len(record)} values but the header has {width}{cut}", row=r)


_NUMBER = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")


def _count(value: str) -> float | None:
    v = value.strip()
    return float(v.replace(",", "")) if _NUMBER.fullmatch(v) else None


# ------------------------------------------------------------------------------------------------ WONDER

# What a WONDER export may hold besides its group-by columns; anything else means it was grouped by more
# than place and year (age, sex, cause), and its rows would not be totals.
_WONDER_VALUES = {"Deaths", "Population", "Crude Rate", "Crude Rate Lower 95% Confidence Interval",
                  "Crude Rate Upper 95% Confidence Interval", "Crude Rate Standard Error", "Age Adjusted Rate",
                  "Age Adjusted Rate Lower 95% Confidence Interval", "Age Adjusted Rate Upper 95% Confidence Interval",
                  "Age Adjusted Rate Standard Error", "% of Total Deaths"}
WONDER_COUNT_MARKERS = {"Suppressed", "Missing", "Not Applicable"}
WONDER_RATE_MARKERS = WONDER_COUNT_MARKERS | {"Unreliable", "Not Available"}


def _footer_blocks(lines: list[list[str]]) -> dict[str, str]:
    """The WONDER footer as {label: text}: 'Dataset', 'Query Parameters', 'Query Date', 'Suggested Citation'."""
    text = [" ".join(v for v in rec if v).strip() for rec in lines]
    blocks: dict[str, str] = {}
    current = None
    for line in text:
        if line == "---":
            current = None
            continue
        label, sep, rest = line.partition(":")
        if sep and label in ("Dataset", "Query Parameters", "Query Date", "Suggested Citation",
                                                 "Help", "Messages", "Caveats", "Notes"):
            current = label
            blocks[label] = rest.strip()
        elif current is not None:
            blocks[current] = (blocks[current] + (" " if blocks[current] else "") + line).strip()
    return blocks


def _cause_definition(parameters: str) -> str:
    """The cause criteria of the query (what was counted), without the display options that follow."""
    cut = re.split(r"\s(?:Group By|Show Totals|Show Zero Values|Show Suppressed|Calculate Rates Per|Rate Options)"
                   r":", parameters)[0]
    return cut.strip()


def _read_wonder(data: bytes, found: Found):
    # WONDER's own "Export" writes tab-separated text; a copy re-saved as CSV has commas.
    table = _table(data, found, delimiter="\t" if "\t" in _first_line(data) else ",")
    if table is None:
        return None, pd.DataFrame(columns=COLUMNS), 0
    header, rows = table
    level = "County" if "County Code" in header else "State" if "State Code" in header else None
    col = _index(header, found, ("Notes", "Deaths"), "CDC WONDER")
    if level is None:
        found.add("header", "the export is grouped neither by county nor by state; query WONDER grouped by County "
                            "(or State) and Year", row=1)
    if "Year Code" not in col and "Year" not in col:
        found.add("header", "the export is not grouped by year; query WONDER grouped by County (or State) and Year",
                  row=1)
    for name in header:
        if name and name not in _WONDER_VALUES | {"Notes", "County", "County Code", "State", "State Code", "Year",
                                                  "Year Code"}:
            found.add("header", f"the export is also grouped by `{name[:40]}`, so its rows are not totals by place "
                                "and year; query WONDER grouped by County (or State) and Year only", row=1,
                      column=name[:40])
    if found.items:
        return None, pd.DataFrame(columns=COLUMNS), 0
    end = next((i for i, rec in enumerate(rows) if i and rec and rec[0].strip() == "---"), None)
    if end is None:
        found.add("footer", "the CDC WONDER footer (the lines after \"---\" with the query criteria and the citation) "
                            "is missing: without it nothing says what was counted; export the query again with its "
                            "footer (Export > include notes)", row=len(rows))
        return None, pd.DataFrame(columns=COLUMNS), 0
    footer = _footer_blocks(rows[end:])
    for label in ("Dataset", "Query Parameters", "Suggested Citation"):
        if not footer.get(label):
            found.add("footer", f"the CDC WONDER footer has no `{label}` line: the file is cut off or was edited; "
                                "export the query again with its footer", row=len(rows))
    body = rows[1:end]
    _ragged(body, len(header), 2, found)
    if found.items:
        return None, pd.DataFrame(columns=COLUMNS), 0
    year_col = col.get("Year Code", col.get("Year"))
    code_col = col[f"{level} Code"]
    name_col = col.get(level, code_col)
    deaths_col, rate_col = col["Deaths"], col.get("Crude Rate")
    pop_col = col.get("Population")
    definition = _cause_definition(footer["Query Parameters"])
    dataset = footer["Dataset"]
    citation = footer["Suggested Citation"]
    out = []
    for r, rec in enumerate(body, start=2):
        before = found.total
        if rec[col["Notes"]].strip():  # a total or note row, not a place-year
            continue
        year = rec[year_col].strip()  # WONDER writes "2023 " in the Year column; the Year Code is clean
        code = rec[code_col].strip()
        if not re.fullmatch(r"[0-9]{4}", year):
            found.add("value", "the year is not a four-digit year", row=r, column=header[year_col])
            continue
        if not re.fullmatch(r"[0-9]{5}" if level == "County" else r"[0-9]{2}", code):
            found.add("value", f"the {level.lower()} code is not a FIPS code", row=r, column=header[code_col])
            continue
        cells = {}
        for c, markers, kind in ((deaths_col, WONDER_COUNT_MARKERS, "count"), (rate_col, WONDER_RATE_MARKERS, "rate"),
                                 (pop_col, WONDER_COUNT_MARKERS, "count")):
            if c is None:
                continue
            v = rec[c].strip()
            number = _count(v) if kind == "count" else (float(v) if _DECIMAL.fullmatch(v) else None)
            if number is None and v not in markers:
                found.add("value", f"the value is neither a {'count' if kind == 'count' else 'rate'} nor one of "
                                   f"WONDER's markers ({', '.join(sorted(markers))})", row=r, column=header[c])
            cells[c] = (number, v if number is None else "")
        if found.total > before:
            continue
        deaths, marker = cells[deaths_col]
        rate_flag = cells[rate_col][1] if rate_col is not None else ""
        flag = marker or rate_flag
        base = {"source": WONDER, "geo_id": code, "geo_name": rec[name_col].strip(), "period": year,
                "period_type": "year", "flag": flag, "definition": definition, "citation": citation}
        out.append(base | {"measure": "drug_deaths", "value": deaths})
        if rate_col is not None:
            out.append(base | {"measure": "crude_rate_as_published", "value": cells[rate_col][0],
                               "flag": rate_flag})
        if pop_col is not None:
            out.append(base | {"measure": "population_used", "value": cells[pop_col][0], "flag": cells[pop_col][1],
                               "definition": dataset})
    frame = pd.DataFrame(out, columns=COLUMNS)
    dup = frame.duplicated(KEY, keep=False)
    if dup.any():
        found.add("duplicate", "a place and year appear twice; export the query again", row=None)
    return f"{WONDER}_{level.lower()}", frame, len(body)


# ------------------------------------------------------------------------------------------------ PEP

_PEP_REQUIRED = ("SUMLEV", "STATE", "COUNTY", "STNAME", "CTYNAME")
_PEP_LEVELS = {"40": "state", "50": "county"}
PEP_CITATION = ("U.S. Census Bureau, Population Estimates Program, Vintage {vintage} county and state "
                "estimates (co-est{vintage}-alldata), July 1 resident population.")


def _read_pep(data: bytes, found: Found):
    table = _table(data, found, latin1=True)
    if table is None:
        return None, pd.DataFrame(columns=COLUMNS), 0
    header, rows = table
    years = {int(m.group(1)): i for i, h in enumerate(header) if (m := re.fullmatch(r"POPESTIMATE(\d{4})", h))}
    col = _index(header, found, _PEP_REQUIRED, "Census PEP co-est alldata")
    if not found.items and not years:
        found.add("header", "the file has no POPESTIMATE columns: it is a Census PEP file from another table, not "
                            "the county and state totals (co-est20XX-alldata.csv)", row=1)
    other = [h for h in ("PLACE", "COUSUB", "YEAR", "AGEGRP", "SEX", "ORIGIN", "RACE") if h in col]
    if other:
        found.add("header", f"the file has a `{other[0]}` column: it is a Census PEP file from another table (places, "
                            "characteristics), not the county and state totals (co-est20XX-alldata.csv)", row=1,
                  column=other[0])
    if found.items:
        return None, pd.DataFrame(columns=COLUMNS), 0
    vintage = max(years)
    body = rows[1:]
    _ragged(body, len(header), 2, found)
    if found.items:
        return None, pd.DataFrame(columns=COLUMNS), 0
    citation = PEP_CITATION.format(vintage=vintage)
    out = []
    for r, rec in enumerate(body, start=2):
        # A file re-saved in a spreadsheet loses the leading zeros ("50,4,8,35,49"): the codes are normalised.
        sumlev, state, county = (rec[col[c]].strip().lstrip("0") or "0" for c in ("SUMLEV", "STATE", "COUNTY"))
        level = _PEP_LEVELS.get(sumlev)
        if level is None:
            found.add("value", "the summary level is neither 040 (state) nor 050 (county)", row=r, column="SUMLEV")
            continue
        if not (state.isdigit() and len(state) <= 2):
            found.add("value", "the state code is not a FIPS code", row=r, column="STATE")
            continue
        if not (county.isdigit() and len(county) <= 3) or (level == "state") != (county == "0"):
            found.add("value", "the county code is not a FIPS county code (000 on a state row)", row=r,
                      column="COUNTY")
            continue
        geo = state.zfill(2) + ("" if level == "state" else county.zfill(3))
        name = rec[col["CTYNAME"]].strip() if level == "county" else rec[col["STNAME"]].strip()
        for year, c in sorted(years.items()):
            v = rec[c].strip()
            if not v.isdigit():
                found.add("value", "the population is not a whole number", row=r, column=header[c])
                continue
            out.append({"source": PEP, "geo_id": geo, "geo_name": name, "period": str(year), "period_type": "year",
                        "measure": "population", "value": float(v), "flag": "",
                        "definition": f"Vintage {vintage} estimate, July 1", "citation": citation})
    return f"{PEP}_v{vintage}", pd.DataFrame(out, columns=COLUMNS), len(body)


# ------------------------------------------------------------------------------------------------ VSRR

_VSRR_REQUIRED = ("State", "State Name", "Year", "Month", "Indicator", "Data Value", "Percent Complete",
                  "Percent Pending Investigation", "Footnote")
_VSRR_OPTIONAL = {"Predicted Value", "Period", "Footnote Symbol"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
STATE_FIPS = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09", "DE": "10", "DC": "11",
    "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17", "IN": "18", "IA": "19", "KS": "20", "KY": "21",
    "LA": "22", "ME": "23", "MD": "24", "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30",
    "NE": "31", "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38", "OH": "39",
    "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46", "TN": "47", "TX": "48", "UT": "49",
    "VT": "50", "VA": "51", "WA": "53", "WV": "54", "WI": "55", "WY": "56", "US": "US", "YC": "NYC",
}
VSRR_CITATION = ("Ahmad FB, Cisewski JA, Rossen LM, Sutton P. Provisional drug overdose death counts. National "
                 "Center for Health Statistics (CDC/NCHS VSRR), data.cdc.gov dataset xkb8-kh2a.")
VSRR_DEFINITION = ("Drug overdose deaths in the 12 months ending with the month, by residence: ICD-10 underlying "
                   "causes X40-X44, X60-X64, X85, Y10-Y14 (unintentional, suicide, homicide, undetermined); "
                   "provisional, reported values.")


def measure_slug(indicator: str) -> str:
    """'Number of Drug Overdose Deaths' -> 'drug_overdose_deaths'; 'Heroin (T40.1)' -> 'heroin_t40_1'."""
    if indicator.strip() == "Number of Deaths":
        return "all_cause_deaths"
    text = re.sub(r"^Number of ", "", indicator.strip())
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:63]


def _read_vsrr(data: bytes, found: Found):
    table = _table(data, found, latin1=False)
    if table is None:
        return None, pd.DataFrame(columns=COLUMNS), 0
    header, rows = table
    col = _index(header, found, _VSRR_REQUIRED, "CDC VSRR provisional drug overdose death counts")
    for name in header:
        if name not in set(_VSRR_REQUIRED) | _VSRR_OPTIONAL:
            found.add("header", f"unexpected column `{name[:40]}` for a CDC VSRR provisional counts file", row=1,
                      column=name[:40])
    if found.items:
        return None, pd.DataFrame(columns=COLUMNS), 0
    body = rows[1:]
    _ragged(body, len(header), 2, found)
    if found.items:
        return None, pd.DataFrame(columns=COLUMNS), 0
    out = []
    for r, rec in enumerate(body, start=2):
        before = found.total
        state, month, year = rec[col["State"]].strip(), rec[col["Month"]].strip(), rec[col["Year"]].strip()
        indicator = rec[col["Indicator"]].strip()
        if state not in STATE_FIPS:
            found.add("value", "the state is not a postal code VSRR uses", row=r, column="State")
        if month not in _MONTHS:
            found.add("value", "the month is not a month name", row=r, column="Month")
        if not re.fullmatch(r"[0-9]{4}", year):
            found.add("value", "the year is not a four-digit year", row=r, column="Year")
        if not indicator:
            found.add("value", "the indicator is empty", row=r, column="Indicator")
        v = rec[col["Data Value"]].strip()
        percent = indicator.startswith("Percent")
        value = (float(v) if _DECIMAL.fullmatch(v) else None) if percent else _count(v)
        if value is None and v != "":  # VSRR leaves a value it does not publish empty
            found.add("value", "the value is neither a number nor empty (VSRR's mark for a value not published)",
                      row=r, column="Data Value")
        if found.total > before:
            continue
        footnote = rec[col["Footnote"]].strip()
        out.append({"source": VSRR, "geo_id": STATE_FIPS[state], "geo_name": rec[col["State Name"]].strip(),
                    "period": f"{year}-{_MONTHS.index(month) + 1:02d}", "period_type": "12_months_ending",
                    "measure": measure_slug(indicator), "value": value,
                    "flag": footnote if v else ("Not published" + (f"; {footnote}" if footnote else "")),
                    "definition": VSRR_DEFINITION if indicator == "Number of Drug Overdose Deaths" else indicator,
                    "citation": VSRR_CITATION})
    frame = pd.DataFrame(out, columns=COLUMNS)
    if frame.duplicated(KEY).any():
        found.add("duplicate", "a state, month and indicator appear twice; download the file again")
    return VSRR, frame, len(body)
