"""The open-data bundle validates as a Frictionless Data Package; downloads.to_csv writes exact bytes."""
from __future__ import annotations

import pandas as pd
import pytest

from leadsf.pipeline import downloads
from leadsf.pipeline.export import write_bundle
from leadsf.pipeline.store import Store


@pytest.fixture(scope="module")
def bundle(published_sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle")
    store = Store(published_sample)
    files = write_bundle(store, store.current(), folder)
    return folder, files


def test_frictionless_validate(bundle):
    from frictionless import validate

    folder, _ = bundle
    report = validate(str(folder / "datapackage.json"))
    errors = [] if report.valid else report.flatten(["type", "note"])[:20]
    assert report.valid, errors


def test_bundle_has_every_public_table(bundle):
    folder, files = bundle
    names = {f.name for f in files}
    assert {"referrals.csv", "engagement.csv", "overdoses.csv", "property_crime.csv", "areas.csv",
            "datapackage.json"} <= names


EXPECTED = (
    b"label,count,withheld,rate\r\n"
    b"\"'=HYPERLINK(\"\"http://x.test\"\")\",12,false,-1.5\r\n"
    b"'-2+3,,true,\r\n"
    b"plain,0,false,2.0\r\n"
)


def test_to_csv_exact_bytes():
    frame = pd.DataFrame({
        "label": ['=HYPERLINK("http://x.test")', "-2+3", "plain"],
        "count": pd.array([12, pd.NA, 0], dtype="Int64"),
        "withheld": [False, True, False],
        "rate": [-1.5, None, 2.0],
    })
    assert downloads.to_csv(frame) == EXPECTED


def test_to_csv_quoting_and_numbers():
    frame = pd.DataFrame({"a": ['x,"y"', "@SUM(A1)", "\tz"], "n": [-3, 4, 5]})
    assert downloads.to_csv(frame) == (b'a,n\r\n"x,""y""",-3\r\n\'@SUM(A1),4\r\n\'\tz,5\r\n')


def test_cohort_tables_described(bundle):
    import json

    folder, files = bundle
    names = {f.name for f in files}
    assert {"outcomes.csv", "costs.csv", "outcome_groups.csv"} <= names
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert "SYNTHETIC" in package["description"]
    for name in ("outcomes", "costs", "outcome-groups"):
        fields = resources[name]["schema"]["fields"]
        assert all(f["description"] and "Category (" not in f["description"] for f in fields), name
    outcome_fields = {f["name"]: f for f in resources["outcomes"]["schema"]["fields"]}
    assert outcome_fields["count"]["type"] == "integer" and outcome_fields["mean_per_person"]["type"] == "number"
    assert set(outcome_fields["group"]["constraints"]["enum"]) == {"comparison", "lead"}
    costs = pd.read_csv(folder / "costs.csv", dtype=str, keep_default_na=False)
    assert (costs.loc[costs["item_type"] == "unit_cost", "source"] != "").all()
