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
from .store import PUBLIC_TABLES, Store

FIELD_HELP = {
    "period": ("string", "Month (YYYY-MM), quarter (YYYY-Qn) or year (YYYY)."),
    "area_id": ("string", "Area the count is for; 'city' is the whole of the areas together."),
    "count": ("integer", "The count; empty when withheld to protect privacy."),
    "withheld": ("boolean", "True when the count is withheld (1 to 10, or withheld so that such a count "
                            "cannot be worked out from the others)."),
    "rate": ("number", "Annualised rate per resident population (per 100,000 for overdoses, per 1,000 for "
                       "property crime); empty when the count is withheld."),
    "rate_unstable": ("boolean", "True when the rate rests on fewer than 20 events and is unstable."),
    "kind": ("string", "The measure family (extract kind) the area is used for."),
    "boundary_set": ("string", "The boundary set the area comes from."),
    "name": ("string", "Area name."),
    "population": ("integer", "Resident population used for rates."),
}


def public_frame(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The downloadable form of a public table: long form, `all` for category totals."""
    if name == "areas":
        return table
    kind = contract.kind(name)
    cols = ["period", "area_id", *kind.category_columns, "count", "withheld"]
    if kind.rate_per:
        cols += ["rate", "rate_unstable"]
    return table[cols]


def _schema(frame: pd.DataFrame, name: str) -> dict:
    fields = []
    for col in frame.columns:
        if col in FIELD_HELP:
            ftype, help_text = FIELD_HELP[col]
            field = {"name": col, "type": ftype, "description": help_text}
        else:
            values = sorted(set(frame[col].dropna().astype(str)))
            field = {"name": col, "type": "string", "description": f"Category ({col}); 'all' is the total.",
                     "constraints": {"enum": values}}
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def write_bundle(store: Store, version: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = store.manifest(version)
    resources, written = [], []
    for name in PUBLIC_TABLES:
        path = store.release_dir(version) / f"{name}.parquet"
        if not path.exists():
            continue
        frame = public_frame(pd.read_parquet(path), name)
        target = folder / f"{name}.csv"
        target.write_bytes(to_csv(frame))
        written.append(target)
        resources.append({
            "name": name.replace("_", "-"), "path": target.name, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "description": (contract.kind(name).description if name in contract.KINDS
                            else "Areas and populations used in this release."),
            "schema": _schema(frame, name),
        })
    package = {
        "name": "lead-santa-fe-dashboard",
        "title": "LEAD Santa Fe public dashboard: published counts",
        "description": ("Aggregated counts as published on the dashboard. Counts from 1 to 10, and counts that "
                        "would let them be worked out, are withheld." +
                        (" SYNTHETIC SAMPLE DATA, not real program results." if manifest.get("synthetic") else "")),
        "version": str(version),
        "created": manifest["created_at"],
        "licenses": [{"name": "ODC-PDDL-1.0", "path": "https://opendatacommons.org/licenses/pddl/",
                      "title": "Open Data Commons Public Domain Dedication and License v1.0"}],
        "resources": resources,
    }
    target = folder / "datapackage.json"
    target.write_text(json.dumps(package, indent=2) + "\n", encoding="utf-8")
    return [*written, target]


def bundle_zip(store: Store, version: int, scratch: Path) -> bytes:
    files = write_bundle(store, version, scratch)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.write(f, f.name)
    return buf.getvalue()
