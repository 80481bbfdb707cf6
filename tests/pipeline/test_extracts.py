"""Upload validation: every bad input is rejected for the right reason, at the right place, without echoing
personal data; valid extracts come back typed, sorted and tagged with their boundary set."""
from __future__ import annotations

import codecs
import hashlib
import random
from datetime import date

import pandas as pd
import pytest

from leadsf.pipeline import areas, contract, pii
from leadsf.pipeline.extracts import ExtractRejected, Problem, display_name, read_extract, template
from tests.bad_inputs import BAD_INPUTS, BASE, HOSTILE_NAMES, to_csv, valid


def _rejected(data: bytes, filename: str = "extract.csv", **kwargs) -> ExtractRejected:
    with pytest.raises(ExtractRejected) as caught:
        read_extract(data, filename, **kwargs)
    return caught.value


def _where(problems: list[Problem]) -> list[tuple]:
    return [(p.rule, p.row, p.column) for p in problems]


def test_enough_distinct_bad_inputs():
    assert len(BAD_INPUTS) >= 35
    assert len({case.case_id for case in BAD_INPUTS}) == len(BAD_INPUTS)
    assert len({case.data for case in BAD_INPUTS if not case.case_id.startswith("filename-")}) > 35


@pytest.mark.parametrize("case", BAD_INPUTS, ids=lambda c: c.case_id)
def test_bad_input_is_rejected_where_expected(case):
    err = _rejected(case.data, case.filename)
    assert (case.rule, case.row, case.column) in _where(err.problems), "\n".join(map(str, err.problems))
    shown = display_name(case.filename)
    for problem in err.problems:
        assert problem.file == shown
        assert str(problem).startswith(shown)
    assert str(err).startswith(str(err.problems[0]))


@pytest.mark.parametrize("case", BAD_INPUTS, ids=lambda c: c.case_id)
def test_bad_input_is_rejected_when_kind_is_given(case):
    err = _rejected(case.data, case.filename, kind=case.kind)
    assert case.rule in {p.rule for p in err.problems}, "\n".join(map(str, err.problems))


@pytest.mark.parametrize("case", [c for c in BAD_INPUTS if c.secret], ids=lambda c: c.case_id)
def test_personal_data_is_never_echoed(case):
    for kind in (None, case.kind):
        err = _rejected(case.data, case.filename, kind=kind)
        everything = str(err) + "".join(f"{p}{p.column}{p.message}" for p in err.problems)
        assert case.secret not in everything
        digits = "".join(ch for ch in case.secret if ch.isdigit())
        assert len(digits) < 5 or digits not in everything.replace("-", "")


@pytest.mark.parametrize("name", list(HOSTILE_NAMES.values()), ids=list(HOSTILE_NAMES))
def test_hostile_filenames_are_made_harmless(name):
    shown = display_name(name)
    assert 0 < len(shown) <= 80
    assert not any(ch in shown for ch in "/\\\n\r\u202e|'=")
    assert not shown.startswith(("=", "+", "-", "@", "."))
    err = _rejected(valid().replace(b",7\n", b",<5\n"), name)
    assert all(p.file == shown for p in err.problems)
    assert "\n" not in str(err)


def test_display_name_keeps_ordinary_names():
    assert display_name("referrals 2024-01.csv") == "referrals 2024-01.csv"
    assert display_name("C:\\Users\\staff\\Desktop\\año.csv") == "año.csv"


def test_problem_str_omits_missing_parts():
    assert str(Problem("f.csv", 3, "count", "count", "bad.")) == "f.csv, row 3, column count: bad. [count]"
    assert str(Problem("f.csv", None, None, "empty", "empty.")) == "f.csv: empty. [empty]"
    assert str(Problem("f.csv", 1, None, "header", "h.")) == "f.csv, row 1: h. [header]"


def test_rejection_reports_every_problem_capped():
    rows = [BASE["referrals"][0], *([f"2023-{m:02d}", "87501", "community", "other", "<5"] for m in range(1, 13))]
    err = _rejected(to_csv(rows).encode())
    assert [p.row for p in err.problems] == list(range(2, 14))
    assert str(err).endswith("(and 11 more)")

    header, bad = BASE["property_crime"][0], ["2023-01", "35049000200", "larceny", "x"]
    many = [header, *[bad] * 1500]  # each row has a bad count and (but the first) a duplicate key
    err = _rejected(to_csv(many).encode())
    assert len(err.problems) == 1000
    assert err.total > 1000
    assert str(err).endswith(f"(and {err.total - 1} more)")


@pytest.mark.parametrize("kind", list(contract.KINDS))
def test_templates_parse(kind):
    text = template(kind)
    assert text.splitlines()[0] == ",".join(contract.kind(kind).columns)
    assert 2 <= len(text.splitlines()) - 1 <= 3
    for given in (kind, None):
        extract = read_extract(text.encode(), f"{kind}.csv", kind=given)
        assert extract.kind == kind
        assert extract.boundary_set == "zip"
        assert extract.rows == len(text.splitlines()) - 1


@pytest.mark.parametrize("kind", list(contract.TABLE_KINDS))
def test_table_kind_templates_parse(kind):
    text = template(kind)
    assert text.splitlines()[0] == ",".join(contract.extract_kind(kind).columns)
    for given in (kind, None):
        extract = read_extract(text.encode(), f"{kind}.csv", kind=given)
        assert extract.kind == kind and extract.boundary_set == "" and extract.rows == len(text.splitlines()) - 1


def test_engagement_header_is_not_taken_for_outcomes():
    # Both have a `measure` column; the header that has every engagement column is engagement.
    assert read_extract(valid("engagement"), "x.csv").kind == "engagement"
    err = _rejected(valid("engagement"), kind="outcomes")
    assert any(p.rule == "header" for p in err.problems)


@pytest.mark.parametrize("kind", list(BASE))
def test_kind_is_detected_from_the_header(kind):
    assert read_extract(valid(kind), "x.csv").kind == kind


def test_explicit_kind_must_match_the_header():
    err = _rejected(valid("referrals"), kind="engagement")
    assert ("header", 1, "measure") in _where(err.problems)


def test_unknown_kind_name_is_a_programming_error():
    with pytest.raises(ValueError):
        read_extract(valid(), "x.csv", kind="arrests")


def test_bom_and_crlf_are_accepted():
    data = codecs.BOM_UTF8 + valid().replace(b"\n", b"\r\n")
    extract = read_extract(data, "excel export.csv")
    assert extract.kind == "referrals"
    assert list(extract.frame.columns) == list(contract.kind("referrals").columns)
    assert extract.sha256 == hashlib.sha256(data).hexdigest()


def test_surrounding_spaces_are_ignored():
    data = b" month , area_id,pathway,agency,count\n2023-01, 87501 ,community,other, 4\n"
    assert read_extract(data, "x.csv").frame.iloc[0].to_dict() == {
        "month": "2023-01", "area_id": "87501", "pathway": "community", "agency": "other", "count": 4}


def test_frame_types_and_order():
    rows = BASE["overdoses"][1:]
    data = to_csv([BASE["overdoses"][0], *reversed(rows)]).encode()
    extract = read_extract(data, "overdoses.csv")
    frame = extract.frame
    assert list(frame.columns) == list(contract.kind("overdoses").columns)
    assert frame["count"].dtype == "int64"
    for column in ("month", "area_id", "outcome", "drug"):
        assert pd.api.types.is_string_dtype(frame[column])
    key = ["month", "area_id", "outcome", "drug"]
    assert frame.equals(frame.sort_values(key).reset_index(drop=True))
    assert list(frame.index) == list(range(len(frame)))
    assert extract.rows == len(rows)


@pytest.mark.parametrize("ids, expected", [
    (["87501", "87505", "87010"], "zip"),
    (["35049000101", "35049000200"], "tract"),
])
def test_boundary_set_is_detected(ids, expected):
    rows = [BASE["property_crime"][0], *([f"2023-0{i + 1}", area, "larceny", "12"] for i, area in enumerate(ids))]
    assert read_extract(to_csv(rows).encode(), "x.csv").boundary_set == expected


def test_months_must_be_complete_and_past():
    data = to_csv([BASE["engagement"][0], ["2024-03", "87505", "referred", "5"]]).encode()
    assert read_extract(data, "x.csv", today=date(2024, 4, 1)).rows == 1
    err = _rejected(data, today=date(2024, 3, 31))
    assert ("month", 2, "month") in _where(err.problems)
    first = to_csv([BASE["engagement"][0], ["2014-01", "87505", "referred", "5"]]).encode()
    assert read_extract(first, "x.csv").rows == 1


def test_zero_and_large_counts_are_accepted():
    data = valid().replace(b",12\n", b",0\n").replace(b",15\n", b",1000000\n")
    assert sorted(read_extract(data, "x.csv").frame["count"]) == [0, 3, 7, 1_000_000]


def test_part_equal_to_whole_is_fine():
    data = valid("engagement").replace(b"intake_completed,9", b"intake_completed,14")
    assert read_extract(data, "x.csv").rows == 4


def test_few_rows_of_one_are_not_record_level():
    rows = [BASE["property_crime"][0], *([f"2023-{m:02d}", "35049000101", "larceny", "1"] for m in range(1, 13))]
    assert read_extract(to_csv(rows).encode(), "x.csv").rows == 12


def test_large_valid_file_parses():
    offenses = contract.kind("property_crime").additive["offense"]
    tracts = sorted(areas.boundary_set("tract").ids)[:28]
    months = [f"{y}-{m:02d}" for y in range(2014, 2024) for m in range(1, 13)]
    rng = random.Random(7)
    rows = [[m, t, o, str(rng.randint(0, 60))] for m in months for t in tracts for o in offenses][:20_000]
    extract = read_extract(to_csv([BASE["property_crime"][0], *rows]).encode(), "big.csv")
    assert extract.rows == 20_000
    assert extract.boundary_set == "tract"


@pytest.mark.parametrize("header, personal", [
    ("area_id", False), ("Area Name", False), ("month", False), ("count", False), ("agency", False),
    ("offense", False),
    ("First-Name", True), ("DateOfBirth", True), ("client ID", True), ("Home Address", True), ("LAT", True),
    ("booking_number", True), ("E-Mail", True),
])
def test_header_deny_list(header, personal):
    assert pii.header_is_personal(header) is personal


@pytest.mark.parametrize("value, zip_allowed, expected", [
    ("35049000101", True, None), ("87505", True, None), ("87505", False, "ZIP code"), ("2023-01", False, None),
    ("case_management_contacts", False, None), ("1000000", True, None),
    ("123 45 6789", False, "Social Security number"),
    ("505-555-0134", False, "phone number"), ("a.b@c.org", False, "email address"),
])
def test_value_patterns(value, zip_allowed, expected):
    assert pii.value_pii_type(value, zip_allowed) == expected
