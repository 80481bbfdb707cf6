"""The public `official` table of a release: the agencies' figures for Santa Fe County and New Mexico, read by
leadsf.pipeline.official from the files staff uploaded, with rates on each year's Census PEP population.

- Only the county (FIPS 35049) and the state (35) are published; the files are read in full all the same.
- Where several PEP vintages give a year, the latest vintage wins (its estimates are revised).
- Every count from 1 to suppress_max is withheld, like the program's; a count the source suppressed stays
  withheld (its flag says so); a withheld count's published rate is withheld with it.
- `rate` is deaths / that year's PEP population x 100,000 (crude), for the yearly death counts: WONDER's years
  and VSRR's 12 months ending December (a calendar year).
- The program's whole-county rates (overdoses, property crime) are put on the same PEP populations
  (rebase_county_rates); area rates keep the 2020 census count.
- New Mexico's VSRR deaths for the years no uploaded VSRR file covers come from
  data/official/cdc_vsrr_nm_deaths_12_months_ending_december_2015_2024.csv, a table of facts (one reported
  figure a year) with its provenance in data/official/SOURCES.md.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from leadsf import config

from . import contract, official

TABLE = contract.OFFICIAL_TABLE
COUNTY, STATE = "35049", "35"
GEOS = (STATE, COUNTY)
OFFICIAL_DIR = config.ROOT / "data" / "official"
FACTS = OFFICIAL_DIR / "cdc_vsrr_nm_deaths_12_months_ending_december_2015_2024.csv"
FACTS_CITATION = ("CDC/NCHS, VSRR Provisional Drug Overdose Death Counts (data.cdc.gov xkb8-kh2a), reported value "
                  "for the 12 months ending December, download of 17 Sep 2025 (one figure a year, as compiled in "
                  "mattkiefer/us-overdoses viz/output/od_stateyears.json).")
# Measures that count deaths: the 1-10 rule applies to them.
NOT_COUNTS = {"population", "population_used", "crude_rate_as_published", "percent_with_drugs_specified"}
YEARLY_DEATHS = {("cdc_wonder", "drug_deaths", "year"), ("cdc_vsrr", "drug_overdose_deaths", "12_months_ending")}
PUBLIC_COLUMNS = ["source", "geo_id", "geo_name", "period", "period_type", "measure", "value", "withheld", "rate",
                  "population", "flag", "definition", "citation"]


def bundled() -> list[Path]:
    """The agencies' files shipped in data/official/, which the sample release publishes beside the program's
    synthetic extracts (the facts table is read by the build, not uploaded)."""
    return sorted(p for p in OFFICIAL_DIR.glob("*.csv") if p != FACTS)


def _facts() -> pd.DataFrame:
    if not FACTS.exists():
        return pd.DataFrame(columns=official.COLUMNS)
    f = pd.read_csv(FACTS, dtype=str)
    return pd.DataFrame({"source": official.VSRR, "geo_id": STATE, "geo_name": "New Mexico",
                         "period": f["year"] + "-12", "period_type": "12_months_ending",
                         "measure": "drug_overdose_deaths",
                         "value": f["deaths_12_months_ending_december"].astype(float),
                         "flag": "", "definition": official.VSRR_DEFINITION, "citation": FACTS_CITATION})


def populations(rows: pd.DataFrame) -> pd.Series:
    """PEP population by (geo_id, year) of combined rows (one vintage a year already, see _combined)."""
    pep = rows[rows["source"] == official.PEP]
    return pep.set_index(["geo_id", "period"])["value"].astype(float)


def _combined(extracts: dict) -> pd.DataFrame:
    frames = [ex.frame for kind, ex in sorted(extracts.items()) if official.is_official(kind)]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=official.COLUMNS)
    rows = rows[rows["geo_id"].isin(GEOS)]
    facts = _facts()
    covered = set(zip(rows["source"], rows["geo_id"], rows["period"], rows["measure"]))
    facts = facts[[k not in covered for k in zip(facts["source"], facts["geo_id"], facts["period"], facts["measure"])]]
    pep = rows[rows["source"] == official.PEP]
    pep = pep.assign(vintage=pep["definition"].str.extract(r"Vintage (\d{4})", expand=False))
    pep = pep.sort_values("vintage").drop_duplicates(["geo_id", "period"], keep="last").drop(columns="vintage")
    other = rows[rows["source"] != official.PEP]
    return pd.concat([other, facts, pep], ignore_index=True)


def build_table(extracts: dict) -> pd.DataFrame:
    rows = _combined(extracts)
    k = config.get("suppress_max")
    value = rows["value"].astype(float)
    is_count = ~rows["measure"].isin(NOT_COUNTS)
    withheld = (is_count & (value.isna() | value.between(1, k))).to_numpy().copy()
    # A withheld count takes the source's published rate for the same place and period with it.
    hidden_at = set(zip(rows.loc[withheld, "source"], rows.loc[withheld, "geo_id"], rows.loc[withheld, "period"]))
    same = np.array([k3 in hidden_at for k3 in zip(rows["source"], rows["geo_id"], rows["period"])], bool)
    withheld |= same & rows["measure"].eq("crude_rate_as_published").to_numpy()
    pop = populations(rows)
    year = rows["period"].str[:4]
    yearly = np.array([(s, m, pt) in YEARLY_DEATHS and (pt == "year" or p.endswith("-12"))
                       for s, m, pt, p in zip(rows["source"], rows["measure"], rows["period_type"], rows["period"])])
    denominator = pd.Series([pop.get((g, y), np.nan) for g, y in zip(rows["geo_id"], year)], index=rows.index)
    denominator = denominator.where(yearly)
    out = rows.assign(value=pd.array(value.where(~withheld), dtype="Float64"), withheld=withheld,
                      population=pd.array(denominator, dtype="Float64"))
    out["rate"] = pd.array((value / denominator * 100_000).round(1).where(~withheld & yearly), dtype="Float64")
    return out[PUBLIC_COLUMNS].sort_values(["source", "geo_id", "measure", "period"]).reset_index(drop=True)


MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
TOTAL_ID = "city"  # leadsf.pipeline.areas.TOTAL_ID: the whole county in a program table


def rebase_county_rates(table: pd.DataFrame, county_population: pd.Series, per: int) -> pd.DataFrame:
    """A program table's whole-county rates (per `per` residents a year) on each year's PEP estimate instead of
    the 2020 census count (a year after the latest estimate takes the latest; a year before the first keeps the
    census count); areas keep the census count, the only one they have."""
    if county_population.empty:
        return table
    pop = county_population.sort_index()
    years = table["period"].str[:4]
    denominator = years.map(lambda y: pop.get(y, pop.iloc[-1] if y > pop.index[-1] else np.nan)).astype(float)
    county = (table["area_id"] == TOTAL_ID) & denominator.notna() & ~table["withheld"].astype(bool)
    per_year = 12 / table["period_type"].map(MONTHS_IN)
    rate = (table["count"].astype(float) / denominator * per * per_year).round(1)
    out = table.copy()
    out["rate"] = out["rate"].where(~county, rate)
    return out


def into_release(built, extracts: dict) -> None:
    """Put the official table into a release being built (leadsf.pipeline.cohorts.Built), when any agency file
    is part of it (uploaded now or carried over)."""
    kinds = sorted(k for k in extracts if official.is_official(k))
    if not kinds:
        return
    table = build_table(extracts)
    built.tables[TABLE] = table
    pep = table[(table["source"] == official.PEP) & (table["geo_id"] == COUNTY)]
    county_population = pep.set_index("period")["value"].astype(float)
    for name, kind in contract.KINDS.items():  # every program table with rates (overdoses, property crime)
        if kind.rate_per and name in built.tables:
            built.tables[name] = rebase_county_rates(built.tables[name], county_population, kind.rate_per)
    built.summary["kinds"][TABLE] = {"files": kinds, "cells": len(table), "withheld": int(table["withheld"].sum()),
                                     "refused_tables": []}
