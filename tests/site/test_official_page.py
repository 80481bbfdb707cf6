"""The agencies' figures through the release: the `official` table in the export, its datapackage entry and its
/data/ address, and on the Overdose trends page (English and Spanish) and Home."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from leadsf.pipeline import export, opendata
from tests.site.test_pages_public import run_page

ROOT = Path(__file__).resolve().parents[2]
SANTA_FE_DEATHS = {"2018": 38, "2019": 53, "2020": 57, "2021": 82, "2022": 72, "2023": 82}


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_official_table_in_export_datapackage_and_data_address(sample):
    n = sample.current()
    files = export.bundle(sample, n)
    rows = [r for r in _rows(files["official.csv"]) if r["geo_id"] == "35049" and r["measure"] == "drug_deaths"]
    assert {r["period"]: float(r["value"]) for r in rows} == SANTA_FE_DEATHS
    row_2023 = next(r for r in rows if r["period"] == "2023")
    assert float(row_2023["rate"]) == round(82 / float(row_2023["population"]) * 100_000, 1)
    assert row_2023["citation"].startswith("Centers for Disease Control and Prevention")
    package = json.loads(files["datapackage.json"])
    resource = next(r for r in package["resources"] if r["name"] == "official")
    assert {f["name"] for f in resource["schema"]["fields"]} >= {"source", "geo_id", "period", "measure", "value",
                                                                 "rate", "flag", "citation"}
    served = opendata.resolve(opendata.public_root(sample), "latest/official.csv")
    assert served is not None and served.path.read_bytes() == files["official.csv"]
    assert opendata.resolve(opendata.public_root(sample), f"releases/{n}/official.csv") is not None


def test_withheld_official_values_are_empty_never_zero(sample):
    t = sample.table(sample.current(), "official")
    withheld = t[t["withheld"]]
    assert withheld["value"].isna().all() and withheld["rate"].isna().all()
    counts = t[t["measure"].isin(["drug_deaths", "drug_overdose_deaths"]) & ~t["withheld"]]
    assert not counts["value"].between(1, 10).any()


def _page_text(at) -> str:
    return " ".join([*(m.value for m in at.markdown), *(c.value for c in at.caption), *(h.value for h in at.header)])


def test_overdose_page_shows_official_record_in_english(sample):
    at = run_page("overdoses")
    text = _page_text(at)
    assert "The program's count and the official record" in text
    assert "X60–X64" in text and "leaves out suicides by drug" in text
    assert "Census Bureau population estimate (PEP)" in text  # county rates on that year's PEP
    assert "2020 census count of each ZIP area" in text
    at.toggle(key="overdoses_official_as_table").set_value(True)
    at.toggle(key="overdoses_state_as_table").set_value(True).run()
    shown = pd.concat([d.value for d in at.dataframe], ignore_index=True).astype(str)
    wonder = shown[shown.apply(lambda r: "CDC WONDER, final (official" in " ".join(map(str, r)), axis=1)]
    drawn = sorted(int(float(v)) for v in wonder["deaths"])
    assert drawn == sorted(SANTA_FE_DEATHS.values())
    assert shown.apply(lambda r: "New Mexico: CDC VSRR" in " ".join(map(str, r)), axis=1).sum() == 10  # 2015-2024


def test_overdose_page_shows_official_record_in_spanish(sample):
    at = run_page("overdoses", lang="es")
    text = _page_text(at)
    assert "El conteo del programa y el registro oficial" in text
    assert "X60–X64" in text and "deja fuera los suicidios con drogas" in text
    assert "The program's count" not in text


def test_home_says_where_the_official_series_stands(sample):
    at = run_page("home")
    assert any("Official record: 82 drug deaths in Santa Fe County in 2023" in c.value for c in at.caption)
    at = run_page("home", lang="es")
    assert any("Registro oficial: 82 muertes por drogas en el Condado de Santa Fe en 2023" in c.value
               for c in at.caption)


def test_program_county_rates_use_that_years_pep_population(sample):
    n = sample.current()
    od = sample.table(n, "overdoses")
    pep = sample.table(n, "official")
    pep = pep[(pep["source"] == "census_pep") & (pep["geo_id"] == "35049")].set_index("period")["value"]
    year = od[(od["area_id"] == "city") & (od["period_type"] == "year") & (od["period"] == "2022")
              & (od["outcome"] == "fatal") & (od["drug"] == "any")].iloc[0]
    assert year["rate"] == round(year["count"] / pep["2022"] * 100_000, 1)
    assert not pd.isna(year["rate"])


def test_staff_preview_of_an_agency_file(store):
    """The staff page's preview takes an agency's next download like an extract: a revised year is listed."""
    from leadsf.pipeline.store import Upload
    from leadsf.site import staff

    path = ROOT / "data" / "official" / "cdc_wonder_drug_deaths_by_county_2018_2023_NM.csv"
    data = path.read_bytes().replace(b'"35049","2023 ","2023",82,', b'"35049","2023 ","2023",84,')
    preview = staff.preview(store, [Upload("Underlying Cause of Death.csv", data)])
    assert preview.kinds == ["cdc_wonder_county"]
    assert preview.months_revised["cdc_wonder_county"] == ["2023"]
    assert preview.audit["passed"]


def test_overdose_headline_rate_on_pep_population(sample):
    """The county's headline rate for the default window (calendar 2025) divides by the latest PEP estimate
    (2024: 157,765; no 2025 estimate exists yet), not by the 2020 census count (154,823)."""
    n = sample.current()
    od = sample.table(n, "overdoses")
    deaths = od[(od["area_id"] == "city") & (od["period_type"] == "year") & (od["period"] == "2025")
                & (od["outcome"] == "fatal") & (od["drug"] == "any")]["count"].iloc[0]
    at = run_page("overdoses")
    expected = f"{round(deaths / 157_765 * 100_000, 1):,.1f} per 100,000"
    census = f"{round(deaths / 154_823 * 100_000, 1):,.1f} per 100,000"
    captions = " ".join(c.value for c in at.caption)
    assert expected in captions and (census == expected or census not in captions), (expected, captions)


def test_property_crime_county_rate_on_pep_population(sample):
    """The county's yearly property-crime rate, by hand: count / that year's PEP estimate x 1,000 (2022:
    155,768, Vintage 2024), a year past the last estimate on the latest (2025 on 2024's 157,765); areas keep
    their 2020 census count."""
    n = sample.current()
    pc = sample.table(n, "property_crime")
    years = pc[(pc["area_id"] == "city") & (pc["period_type"] == "year") & (pc["offense"] == "all")
               & ~pc["withheld"]].set_index("period")
    assert years.loc["2022", "rate"] == round(int(years.loc["2022", "count"]) / 155_768 * 1_000, 1)
    assert years.loc["2025", "rate"] == round(int(years.loc["2025", "count"]) / 157_765 * 1_000, 1)
    assert years.loc["2022", "rate"] != round(int(years.loc["2022", "count"]) / 154_823 * 1_000, 1)
    areas = sample.table(n, "areas")
    tract = areas[(areas["kind"] == "property_crime") & (areas["area_id"] != "city")].iloc[0]
    row = pc[(pc["area_id"] == tract["area_id"]) & (pc["period_type"] == "year") & (pc["offense"] == "all")
             & ~pc["withheld"]].iloc[0]
    assert row["rate"] == round(int(row["count"]) / int(tract["population"]) * 1_000, 1)
    # The page's headline for the default window (calendar 2025) says the same rate.
    at = run_page("property_crime")
    assert f"{years.loc['2025', 'rate']:,.1f} per 1,000" in " ".join(c.value for c in at.caption)


RATE_NOTE = {"en": ("2020 census count of each area (census tracts, ZIP areas)",
                    "population estimate (PEP) for each year"),
             "es": ("conteo del censo de 2020 de cada zona (secciones censales, zonas postales)",
                    "estimación de población de la Oficina del Censo (PEP) de cada año")}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("page, params", [("maps", {"measure": "property_crime.all"}), ("area_profile", {}),
                                          ("property_crime", {})])
def test_pages_say_which_population_rates_divide_by(sample, page, params, lang):
    captions = " ".join(c.value for c in run_page(page, params, lang=lang).caption)
    assert all(part in captions for part in RATE_NOTE[lang]), captions
