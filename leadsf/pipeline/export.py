"""The open-data bundle: exactly what the public may download, one CSV per public table plus a
Frictionless Data Package describing every file and field."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd

from . import contract
from .downloads import to_csv
from .contract import OFFICIAL_TABLE as OFFICIAL
from .published import PUBLIC_TABLES, Releases

PACKAGE = "datapackage.json"

FIELD_HELP = {
    "period": ("string", "Month (YYYY-MM), quarter (YYYY-Qn) or year (YYYY)."),
    "area_id": ("string", "Area the count is for; 'city' is Santa Fe County as a whole (all the areas together)."),
    "count": ("integer", "The count; empty when suppressed to protect privacy."),
    "withheld": ("boolean", "True when the count is suppressed to protect privacy (a small count, or a larger one "
                            "that would let a small count be worked out; the two are not told apart)."),
    "rate": ("number", "Annualised rate per resident population (per 100,000 for overdoses, per 1,000 for "
                       "property crime); empty when the count is suppressed. Areas (census tracts, ZIP areas) "
                       "divide by their 2020 census count; the whole county ('city') by each year's Census PEP "
                       "estimate when the release carries one (the table `official`; a year after the latest "
                       "estimate takes the latest, a year before the first keeps the 2020 census count)."),
    "rate_unstable": ("boolean", "True when the rate rests on fewer than 20 events and is unstable."),
    "kind": ("string", "The measure family (extract kind) the area is used for."),
    "boundary_set": ("string", "The boundary set the area comes from."),
    "name": ("string", "Area name."),
    "population": ("integer", "Resident population at the 2020 census, which area rates divide by (the whole "
                              "county's rates use each year's Census PEP estimate when the release carries one)."),
}


# Fields of the table-shaped kinds: (type, description, enumerated?).
TABLE_FIELD_HELP = {
    "outcomes": {
        "cohort": ("string", "Referral cohort: a quarter (YYYY-Qn), a year (YYYY), years published together because "
                             "each was too small (YYYY\u2013YYYY), or 'all' for every cohort published for that "
                             "window.", False),
        "cohort_type": ("string", "quarter, year, span (several years together) or all.", True),
        "cohort_first_month": ("string", "First referral month of the cohort (YYYY-MM).", False),
        "cohort_last_month": ("string", "Last referral month of the cohort (YYYY-MM).", False),
        "group": ("string", "lead (people referred to LEAD) or comparison (see outcome-groups).", True),
        "window": ("string", "Follow-up window: 6 or 12 months before referral, 6, 12 or 24 months after.", True),
        "window_months": ("integer", "The window in months from referral; negative before referral.", False),
        "measure": ("string", "followed (people followed for the whole window), a person-level event (people "
                              "with at least one), or jail_bookings / jail_days (totals).", True),
        "value_type": ("string", "people (a count of people) or total (a total of bookings or days).", True),
        "followed": ("integer", "People of this cohort and group followed for the whole window: the denominator.",
                     False),
        "count": ("integer", "People with the event, or the total; empty when suppressed to protect privacy (a "
                             "small count, a larger one that would let a small count be worked out, or a total for "
                             "fewer than 20 people).", False),
        "mean_per_person": ("number", "Total divided by people followed (totals only); empty when suppressed.", False),
        "withheld": ("boolean", "True when the count is suppressed.", False),
        "data_through": ("string", "Last month of outcome data (YYYY-MM).", False),
    },
    "costs": {
        "fiscal_year": ("string", "Fiscal year, named by the year it ends on 30 June (2015 = July 2014 to June "
                                  "2015).", False),
        "item": ("string", "Program spending line, participants served, participant-months, or a unit cost of the "
                           "system as usual.", True),
        "item_type": ("string", "program_spending, participants or unit_cost.", True),
        "payer": ("string", "Who pays ('all' when not split, or for counts).", True),
        "amount": ("number", "Dollars, people or participant-months as `unit` says; empty when suppressed to protect "
                             "privacy.", False),
        "unit": ("string", "Unit of the amount.", True),
        "source": ("string", "Where the figure comes from, as uploaded by program staff.", False),
        "withheld": ("boolean", "True when the amount is suppressed.", False),
    },
    "life_table": {
        "cohort": ("string", "The referral cohorts the table covers: one year or quarter, or a span (YYYY\u2013YYYY).",
                   False),
        "cohort_first_month": ("string", "First referral month of the cohorts (YYYY-MM).", False),
        "cohort_last_month": ("string", "Last referral month of the cohorts (YYYY-MM).", False),
        "group": ("string", "lead (people referred to LEAD) or comparison (see outcome-groups).", True),
        "interval_from": ("integer", "Months since referral at the start of the interval (the interval is after this "
                                     "month, up to and including interval_to). Months are pooled until every count "
                                     "is 0 or more than 10; a later release keeps or widens these intervals.", False),
        "interval_to": ("integer", "Months since referral at the end of the interval.", False),
        "at_risk": ("integer", "People followed and not yet re-arrested at the start of the interval.", False),
        "re_arrested": ("integer", "People first re-arrested during the interval.", False),
        "censored": ("integer", "People whose follow-up ended during the interval without a re-arrest.", False),
        "data_through": ("string", "Last month of follow-up data (YYYY-MM).", False),
    },
    OFFICIAL: {
        "source": ("string", "cdc_wonder (CDC WONDER, final deaths), cdc_vsrr (CDC VSRR provisional counts) or "
                             "census_pep (Census Bureau Population Estimates Program).", True),
        "geo_id": ("string", "FIPS code: 35049 Santa Fe County, 35 New Mexico.", True),
        "geo_name": ("string", "The place's name as the source writes it.", False),
        "period": ("string", "Year (YYYY), or the month (YYYY-MM) a VSRR 12-month period ends with.", False),
        "period_type": ("string", "year, or 12_months_ending (VSRR: the 12 months ending with the month).", True),
        "measure": ("string", "What the value is: drug_deaths (WONDER, see definition), drug_overdose_deaths and "
                              "the drug-specific VSRR counts, population (PEP), the source's own rate and "
                              "population.", True),
        "value": ("number", "The source's figure; empty when withheld (1 to 10, or suppressed by the source).",
                  False),
        "withheld": ("boolean", "True when the value is withheld.", False),
        "rate": ("number", "Yearly deaths per 100,000 residents: value / population x 100,000 (crude).", False),
        "population": ("number", "The Census PEP July 1 population of that year the rate divides by.", False),
        "flag": ("string", "The source's own flag (WONDER: Suppressed, Unreliable, Missing; VSRR: its footnote).",
                 False),
        "definition": ("string", "What the source counted, in its own words (WONDER: its query criteria).", False),
        "citation": ("string", "The source's suggested citation.", False),
    },
    "outcome_groups": {
        "group": ("string", "lead or comparison.", True),
        "definition_en": ("string", "Who is in the group, as defined by program staff (English).", False),
        "definition_es": ("string", "The same in Spanish (may be empty).", False),
    },
}


OFFICIAL_DESCRIPTION = (
    "The agencies' own published figures for Santa Fe County (geo_id 35049) and New Mexico (35), as read from "
    "their files: CDC WONDER final deaths, CDC VSRR provisional overdose deaths (12 months ending each month) and "
    "Census Bureau PEP populations. Not program data. Counts of 1 to 10, and counts the source suppressed, are "
    "withheld.")


def public_frame(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The downloadable form of a public table: long form, `all` for category totals."""
    if name in ("areas", OFFICIAL) or name in contract.TABLE_KINDS:
        return table
    kind = contract.kind(name)
    cols = ["period", "area_id", *kind.category_columns, "count", "withheld"]
    if kind.rate_per:
        cols += ["rate", "rate_unstable"]
    return table[cols]


def _schema(frame: pd.DataFrame, name: str) -> dict:
    fields = []
    table_help = TABLE_FIELD_HELP.get(name, {})
    for col in frame.columns:
        if col in table_help:
            ftype, help_text, enum = table_help[col]
            field = {"name": col, "type": ftype, "description": help_text}
            if enum:
                field["constraints"] = {"enum": sorted(set(frame[col].dropna().astype(str)))}
        elif col in FIELD_HELP:
            ftype, help_text = FIELD_HELP[col]
            field = {"name": col, "type": ftype, "description": help_text}
        else:
            values = sorted(set(frame[col].dropna().astype(str)))
            field = {"name": col, "type": "string", "description": f"Category ({col}); 'all' is the total.",
                     "constraints": {"enum": values}}
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def bundle(store: Releases, version: int) -> dict[str, bytes]:
    """The bundle of one release as file name -> bytes: one CSV per public table it holds, then
    datapackage.json. `export DIR`, the About page's zip and the permanent /data/ addresses
    (leadsf.pipeline.opendata) all write these bytes, so a table cited from one is the table in the others."""
    manifest = store.manifest(version)
    resources, files = [], {}
    for name in PUBLIC_TABLES:
        path = store.release_dir(version) / f"{name}.parquet"
        if not path.exists():
            continue
        frame = public_frame(pd.read_parquet(path), name)
        file_name = f"{name}.csv"
        files[file_name] = to_csv(frame)
        resources.append({
            "name": name.replace("_", "-"), "path": file_name, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "description": (contract.extract_kind(name).description if name in contract.EXTRACTS
                            else OFFICIAL_DESCRIPTION if name == OFFICIAL
                            else "Areas and populations used in this release."),
            "schema": _schema(frame, name),
        })
    package = {
        "name": "lead-santa-fe-dashboard",
        "title": "LEAD Santa Fe public dashboard: published counts",
        "description": ("Aggregated counts as published on the dashboard. Counts from 1 to 10, and counts that "
                        "would let them be worked out, are suppressed alike (the withheld column)." +
                        (" SYNTHETIC SAMPLE DATA, not real program results." if manifest.get("synthetic") else "")),
        "version": str(version),
        "created": manifest["created_at"],
        "licenses": [{"name": "ODC-PDDL-1.0", "path": "https://opendatacommons.org/licenses/pddl/",
                      "title": "Open Data Commons Public Domain Dedication and License v1.0"}],
        "resources": resources,
    }
    files[PACKAGE] = (json.dumps(package, indent=2) + "\n").encode("utf-8")
    return files


def write_bundle(store: Releases, version: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, data in bundle(store, version).items():
        target = folder / file_name
        target.write_bytes(data)
        written.append(target)
    return written


def bundle_zip(store: Releases, version: int, scratch: Path) -> bytes:
    files = write_bundle(store, version, scratch)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.write(f, f.name)
    return buf.getvalue()
