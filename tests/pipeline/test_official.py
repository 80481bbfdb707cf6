"""The agencies' files (CDC WONDER, Census PEP, CDC VSRR): read as downloaded, in full, with their markers kept
as markers; refused with exit 2, the file, row and column named and the release unchanged when they are cut off,
lose the WONDER footer, or hold a value that is neither a number nor a known marker."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from leadsf.pipeline import cli, official, official_table
from leadsf.pipeline.findings import ExtractRejected
from leadsf.pipeline.store import Upload, read_upload

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT / "data" / "official"
WONDER_FILE = OFFICIAL / "cdc_wonder_drug_deaths_by_county_2018_2023_NM.csv"
PEP2024 = OFFICIAL / "census_pep_co-est2024-alldata_NM.csv"
PEP2020 = OFFICIAL / "census_pep_co-est2020-alldata_NM_resaved.csv"
VSRR_FILE = OFFICIAL / "cdc_vsrr_provisional_drug_overdose_death_counts_2015_2018_NM.csv"

# Santa Fe County, as the agencies publish it (data/official/SOURCES.md).
SANTA_FE_DEATHS = {"2018": 38, "2019": 53, "2020": 57, "2021": 82, "2022": 72, "2023": 82}
SANTA_FE_POP_V2024 = {"2020": 155_056, "2021": 155_429, "2022": 155_768, "2023": 156_507, "2024": 157_765}


def read(path: Path) -> official.Extract:
    return official.read(path.read_bytes(), path.name)


def values(ex, geo: str, measure: str) -> dict[str, float]:
    f = ex.frame[(ex.frame["geo_id"] == geo) & (ex.frame["measure"] == measure)]
    return dict(zip(f["period"], f["value"]))


# ---------------------------------------------------------------------------------------- shipped files

def test_wonder_santa_fe_deaths_and_markers():
    ex = read(WONDER_FILE)
    assert ex.kind == "cdc_wonder_county" and ex.rows == 198
    assert values(ex, "35049", "drug_deaths") == SANTA_FE_DEATHS  # "2023 " read as 2023
    catron = ex.frame[(ex.frame["geo_id"] == "35003") & (ex.frame["measure"] == "drug_deaths")].set_index("period")
    assert pd.isna(catron.loc["2018", "value"]) and catron.loc["2018", "flag"] == "Suppressed"  # never 0
    assert catron.loc["2019", "value"] == 0 and catron.loc["2019", "flag"] == "Unreliable"  # a real 0 stays 0
    definition = ex.frame["definition"].iat[0]
    assert "X40-X44" in definition and "X60" not in definition  # suicides by drug are not in this query
    assert ex.frame["citation"].iat[0].startswith("Centers for Disease Control and Prevention")


def test_wonder_grouped_by_state():
    lines = WONDER_FILE.read_text().splitlines(keepends=True)
    end = lines.index('"---"\n')
    header = lines[0].replace('"County","County Code"', '"State","State Code"')
    rows = [line.replace('"Santa Fe County, NM","35049"', '"New Mexico","35"') for line in lines[1:end]
            if '"35049"' in line]
    ex = official.read("".join([header, *rows, *lines[end:]]).encode(), "state.txt")
    assert ex.kind == "cdc_wonder_state"
    assert values(ex, "35", "drug_deaths") == SANTA_FE_DEATHS


def test_wonder_as_exported_tab_separated():
    """WONDER's Export button writes a tab-separated .txt; the same rows and footer read the same."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter="\t", quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(
        csv.reader(io.StringIO(WONDER_FILE.read_text())))
    ex = official.read(out.getvalue().encode(), "Underlying Cause of Death, 2018-2023, Single Race.txt")
    assert values(ex, "35049", "drug_deaths") == SANTA_FE_DEATHS


def test_pep_vintage_2024_latin1():
    ex = read(PEP2024)
    assert ex.kind == "census_pep_v2024"
    assert values(ex, "35049", "population") == SANTA_FE_POP_V2024
    assert values(ex, "35", "population")["2024"] == 2_130_256
    assert "Doña Ana County" in set(ex.frame["geo_name"])  # Latin-1, as the Census Bureau ships it


def test_pep_resaved_codes_are_normalised():
    """Decision: a spreadsheet-resaved file (leading zeros lost: 50,4,8,35,49) is accepted, its codes padded."""
    ex = read(PEP2020)
    assert ex.kind == "census_pep_v2020"
    sf = values(ex, "35049", "population")
    assert sf["2010"] == 144_526 and sf["2020"] == 151_946
    assert set(ex.frame["geo_id"].str.len()) == {2, 5}


def test_vsrr_by_month_and_drug():
    ex = read(VSRR_FILE)
    assert ex.kind == "cdc_vsrr" and ex.rows == 390
    deaths = values(ex, "35", "drug_overdose_deaths")
    assert deaths["2015-12"] == 496 and deaths["2017-12"] == 494
    assert values(ex, "35", "heroin_t40_1")["2015-01"] > 0
    f = ex.frame.set_index(["period", "measure"])
    assert f.loc[("2017-12", "drug_overdose_deaths"), "flag"] == "Underreported due to incomplete data"


# ------------------------------------------------------------------------------------ national-size files

def _national_wonder() -> bytes:
    lines = WONDER_FILE.read_text().splitlines(keepends=True)
    end = lines.index('"---"\n')
    header, body, footer = lines[0], lines[1:end], lines[end:]
    out = [header]
    for state in range(1, 57):
        for county in range(1, 100, 2):  # ~50 counties x 6 years x 56 states
            for line in body[:6]:  # one county's six years, renumbered
                out.append(line.replace('"35001"', f'"{state:02d}{county:03d}"'))
    return "".join(out + footer).encode()


def test_national_size_wonder_file():
    data = _national_wonder()
    ex = official.read(data, "Underlying Cause of Death, 2018-2023, Single Race.txt")
    assert ex.rows > 15_000
    assert len(ex.frame[ex.frame["measure"] == "drug_deaths"]) == ex.rows


def test_national_size_pep_and_vsrr_files():
    pep = PEP2024.read_bytes().split(b"\n")
    rows = [pep[0]] + [r.replace(b",35,", f",{s:02d},".encode(), 1) for s in range(1, 100) for r in pep[1:] if r]
    ex = official.read(b"\n".join(rows) + b"\n", "co-est2024-alldata.csv")
    assert ex.rows == 99 * 34 and len(ex.frame) == ex.rows * 5
    vsrr = VSRR_FILE.read_text().splitlines()
    codes = [c for c in official.STATE_FIPS]
    body = [f"{c},{c},{int(line.split(',')[2]) + shift},{line.split(',', 3)[3]}"
            for c in codes for shift in (0, 4) for line in vsrr[1:]]  # 2015-2018 and 2019-2022
    ex = official.read(("\n".join([vsrr[0], *body]) + "\n").encode(), "VSRR.csv")
    assert ex.rows == len(body) > 40_000


# ----------------------------------------------------------------------------------------- the release

def test_official_table_rates_by_that_years_pep_population(store):
    t = store.table(store.current(), "official")
    sf = t[(t["geo_id"] == "35049") & (t["measure"] == "drug_deaths")].set_index("period")
    assert sf["value"].to_dict() == {y: float(v) for y, v in SANTA_FE_DEATHS.items()}
    # By hand: 2023's 82 deaths over 2023's PEP estimate (Vintage 2024), 2018's 38 over Vintage 2020's 2018.
    assert sf.loc["2023", "rate"] == round(82 / 156_507 * 100_000, 1) == 52.4
    assert sf.loc["2018", "rate"] == round(38 / 150_128 * 100_000, 1)
    assert sf.loc["2020", "population"] == 155_056  # the latest vintage wins where two give a year
    nm = t[(t["geo_id"] == "35") & (t["measure"] == "drug_overdose_deaths") & t["period"].str.endswith("-12")]
    assert nm.set_index("period").loc["2021-12", "rate"] == round(1040 / 2_117_333 * 100_000, 1)


def test_one_to_ten_withheld_and_source_suppression_kept():
    ex = read(WONDER_FILE)
    f = ex.frame.copy()
    ten = (f["geo_id"] == "35049") & (f["period"] == "2018") & (f["measure"] == "drug_deaths")
    f.loc[ten, "value"] = 10.0
    f.loc[f["geo_id"] == "35003", "geo_id"] = "35"  # Catron's suppressed cells stand in for a state's
    table = official_table.build_table({"cdc_wonder_county": official.Extract(ex.kind, "", f, ex.sha256, ex.rows)})
    sf = table[(table["geo_id"] == "35049") & (table["period"] == "2018")].set_index("measure")
    assert sf.loc["drug_deaths", "withheld"] and pd.isna(sf.loc["drug_deaths", "value"])
    assert pd.isna(sf.loc["drug_deaths", "rate"])
    # WONDER's own rate of that year would give the count back (rate x population): withheld with it.
    assert sf.loc["crude_rate_as_published", "withheld"] and pd.isna(sf.loc["crude_rate_as_published", "value"])
    st = table[(table["geo_id"] == "35") & (table["measure"] == "drug_deaths")].set_index("period")
    assert st.loc["2018", "withheld"] and st.loc["2018", "flag"] == "Suppressed"
    assert not st.loc["2019", "withheld"] and st.loc["2019", "value"] == 0


# ------------------------------------------------------------------------------------------ bad inputs

@dataclass(frozen=True)
class Bad:
    case_id: str
    filename: str
    data: bytes
    row: int | None = None
    column: str | None = None


def _wonder_lines() -> list[str]:
    return WONDER_FILE.read_text().splitlines(keepends=True)


def _wonder_edit(row: int, old: str, new: str) -> bytes:
    lines = _wonder_lines()
    assert old in lines[row - 1]
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    return "".join(lines).encode()


def _cut(path: Path, drop_bytes: int) -> bytes:
    data = path.read_bytes().rstrip(b"\n")
    return data[:-drop_bytes]


def _vsrr_without(column: str) -> bytes:
    frame = pd.read_csv(VSRR_FILE, dtype=str, keep_default_na=False)
    return frame.drop(columns=column).to_csv(index=False).encode()


def _vsrr_edit(row: int, column: str, value: str) -> bytes:
    frame = pd.read_csv(VSRR_FILE, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    return frame.to_csv(index=False).encode()


def _pep_edit(row: int, column: str, value: str) -> bytes:
    lines = PEP2024.read_bytes().split(b"\n")
    header = lines[0].decode().split(",")
    cells = lines[row - 1].split(b",")
    cells[header.index(column)] = value.encode()
    lines[row - 1] = b",".join(cells)
    return b"\n".join(lines)


WONDER_END = _wonder_lines().index('"---"\n')  # 0-based index of the footer's first line
SANTA_FE_2018 = 158  # the file's row of Santa Fe County, 2018

BAD = [
    Bad("wonder-no-footer", "wonder.csv", "".join(_wonder_lines()[:WONDER_END]).encode(), row=WONDER_END),
    Bad("wonder-footer-cut", "wonder.csv", "".join(_wonder_lines()[:WONDER_END + 3]).encode(), row=WONDER_END + 3),
    Bad("wonder-unknown-marker", "wonder.csv", _wonder_edit(SANTA_FE_2018, ",38,", ",Supressed,"), row=SANTA_FE_2018,
        column="Deaths"),
    Bad("wonder-rate-not-a-rate", "wonder.csv", _wonder_edit(SANTA_FE_2018, "25.323879085", "n/a"),
        row=SANTA_FE_2018, column="Crude Rate"),
    Bad("wonder-count-with-decimals", "wonder.csv", _wonder_edit(SANTA_FE_2018, ",38,", ",38.5,"),
        row=SANTA_FE_2018, column="Deaths"),
    Bad("wonder-grouped-by-age", "wonder.csv", _wonder_edit(1, '"Year Code"', '"Ten-Year Age Groups"'), row=1),
    Bad("wonder-no-place", "wonder.csv", _wonder_edit(1, '"County Code"', '"Census Region Code"'), row=1),
    Bad("wonder-ragged-row", "wonder.csv", _wonder_edit(SANTA_FE_2018, ",38,", ",38,,"), row=SANTA_FE_2018),
    Bad("html-error-page", "cdc_wonder_export.csv",
        b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>Try later</body></html>\n",
        row=1),
    Bad("pep-truncated-last-row", "co-est2024-alldata.csv", _cut(PEP2024, 300), row=35),
    Bad("pep-other-table-characteristics", "cc-est2024-alldata.csv",
        b"SUMLEV,STATE,COUNTY,STNAME,CTYNAME,YEAR,AGEGRP,TOT_POP,TOT_MALE\n050,35,049,New Mexico,Santa Fe County,"
        b"1,0,154826,75000\n", row=1),
    Bad("pep-other-table-places", "sub-est2024.csv",
        b"SUMLEV,STATE,COUNTY,PLACE,COUSUB,STNAME,CTYNAME,POPESTIMATE2024\n162,35,000,70500,00000,New Mexico,"
        b"Santa Fe city,89000\n", row=1, column="PLACE"),
    Bad("pep-population-not-a-number", "co-est2024-alldata.csv", _pep_edit(29, "POPESTIMATE2023", "(X)"), row=29,
        column="POPESTIMATE2023"),
    Bad("pep-unknown-summary-level", "co-est2024-alldata.csv", _pep_edit(29, "SUMLEV", "162"), row=29,
        column="SUMLEV"),
    Bad("vsrr-missing-column", "VSRR_Provisional_Drug_Overdose_Death_Counts.csv", _vsrr_without("Indicator"), row=1,
        column="Indicator"),
    Bad("vsrr-unknown-marker", "VSRR.csv", _vsrr_edit(5, "Data Value", "<10"), row=5, column="Data Value"),
    Bad("vsrr-unknown-state", "VSRR.csv", _vsrr_edit(7, "State", "ZZ"), row=7, column="State"),
    Bad("vsrr-truncated-in-quotes", "VSRR.csv", VSRR_FILE.read_bytes()[:VSRR_FILE.read_bytes().rindex(b'"') - 5],
        row=391),
    Bad("none-of-them", "deaths.csv", b"year,deaths\n2021,82\n", row=1),
]


def test_at_least_fifteen_bad_inputs():
    assert len(BAD) >= 15


@pytest.mark.parametrize("case", BAD, ids=[c.case_id for c in BAD])
def test_reader_refuses(case):
    with pytest.raises(ExtractRejected) as err:
        read_upload(Upload(case.filename, case.data))
    first = err.value.problems[0]
    assert first.file == case.filename
    if case.row is not None:
        assert any(p.row == case.row for p in err.value.problems), err.value
    if case.column is not None:
        assert any(p.column == case.column for p in err.value.problems), err.value


def _state(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name not in ("audit.log", ".lock")}


def _refused(case: Bad, code: int, err: str):
    assert code == 2, err
    assert case.filename in err and "Traceback" not in err
    if case.row is not None:
        assert f"row {case.row}" in err, err
    if case.column is not None:
        assert f"column {case.column}" in err, err
    assert "Nothing was published" in err


@pytest.mark.parametrize("case", BAD, ids=[c.case_id for c in BAD])
def test_publish_refuses_with_exit_2_and_release_unchanged(case, store, tmp_path, capsys):
    """Through the command's own function, in this process; the next test runs one case as a real process."""
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    before = _state(store.root)
    code = cli.main(["publish", str(path)])
    _refused(case, code, capsys.readouterr().err)
    assert _state(store.root) == before


def test_publish_refuses_in_a_real_process(store, tmp_path):
    case = next(c for c in BAD if c.case_id == "wonder-unknown-marker")  # names its file, row and column
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    before = _state(store.root)
    done = subprocess.run([sys.executable, "-m", "leadsf", "publish", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    _refused(case, done.returncode, done.stderr)
    assert _state(store.root) == before


# ------------------------------------------------------------------------------------- the sample agrees

def test_sample_deaths_within_ten_percent_of_cdc_wonder_every_year():
    """Source: CDC WONDER, Underlying Cause of Death 2018-2023 (final), Santa Fe County (35049), as read from
    data/official/cdc_wonder_drug_deaths_by_county_2018_2023_NM.csv; the sample is data/sample/overdoses.csv."""
    wonder = values(read(WONDER_FILE), "35049", "drug_deaths")
    od = pd.read_csv(ROOT / "data" / "sample" / "overdoses.csv", dtype={"month": str})
    fatal = od[(od["outcome"] == "fatal") & (od["drug"] == "any")]
    program = fatal.groupby(fatal["month"].str[:4])["count"].sum()
    assert sorted(wonder) == ["2018", "2019", "2020", "2021", "2022", "2023"]
    for year, official_count in wonder.items():
        assert abs(program[year] - official_count) <= 0.10 * official_count, (year, program[year], official_count)
