"""The open-data bundle validates as a Frictionless Data Package; downloads.to_csv writes exact bytes."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from leadsf.pipeline import downloads, publishing
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


# ---- the same bundle at permanent addresses (leadsf.pipeline.opendata) ------------------------------------
def test_the_public_tree_holds_exactly_the_export(published_sample, tmp_path):
    from leadsf.pipeline import opendata
    from leadsf.pipeline.export import bundle

    store = Store(published_sample)
    written = {p.name: p.read_bytes() for p in write_bundle(store, 1, tmp_path)}
    folder = opendata.public_root(store) / "releases" / "1"
    files = [p for p in folder.iterdir() if p.name != "briefs"]  # the area briefs: tests/pipeline/test_briefs.py
    assert written == bundle(store, 1) == {p.name: p.read_bytes() for p in files}
    assert oct(folder.stat().st_mode & 0o777) == "0o755"
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in files)  # nginx reads as another user


def test_a_failed_refresh_leaves_the_release_live_and_the_tree_whole(store, monkeypatch):
    """The release is live before the tree is written: a failure is logged, nothing half-written is
    served, and the next start (publishing.ensure_open_data) builds what is missing."""
    from leadsf.pipeline import export, opendata
    from leadsf.pipeline.store import Upload
    from tests.site.test_staff import bumped_referrals

    root = opendata.public_root(store)
    latest_before = (root / "latest" / "referrals.csv").read_bytes()
    feed_before = (root / "releases.atom").read_bytes()
    real = export.bundle

    class DiskFills(dict):
        """The first file is written, then the disk is full."""
        def items(self):
            yield next(iter(super().items()))
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "bundle", lambda st, version: DiskFills(real(st, version)))
    manifest = publishing.publish(store, [Upload("referrals.csv", bumped_referrals()[0])], who="test", note="second")
    assert store.current() == manifest["version"] == 2
    assert store.audit_log()[-1]["event"] == "open_data_failed"
    assert "No space left" in store.audit_log()[-1]["reason"]
    assert not (root / "releases" / "2").exists() and not list((root / "releases").glob(".tmp-*"))
    assert (root / "latest" / "referrals.csv").read_bytes() == latest_before
    assert (root / "releases.atom").read_bytes() == feed_before
    assert not opendata.up_to_date(store)
    monkeypatch.setattr(export, "bundle", real)
    assert publishing.ensure_open_data(store) and opendata.up_to_date(store)
    assert (root / "latest" / "referrals.csv").read_bytes() == real(store, 2)["referrals.csv"]


def test_a_rolled_back_release_stays_rolled_back_after_a_later_publish(revised_store):
    from leadsf.pipeline import opendata
    from leadsf.pipeline.store import Upload
    from tests.site.test_staff import bumped_referrals

    store = revised_store
    publishing.rollback(store, 1, who="test")
    publishing.publish(store, [Upload("referrals.csv", bumped_referrals(4)[0])], who="test", note="third")
    assert {n: s for n, (s, _) in opendata.statuses(store).items()} == {3: "live", 2: "rolled_back",
                                                                        1: "earlier"}
    index = opendata.index(store)
    assert [r["status"] for r in index["releases"]] == ["live", "rolled_back", "earlier"]
    assert index["latest"]["referrals.csv"] == "/data/latest/referrals.csv"


def test_an_address_never_leaves_the_public_tree(published_sample, tmp_path):
    """Even a link planted inside the tree (a mistake on the server) is not followed out of it."""
    from leadsf.pipeline import opendata

    root = tmp_path / "public"
    shutil.copytree(opendata.public_root(Store(published_sample)), root, symlinks=True)
    (root / "releases" / "7").mkdir()
    (root / "releases" / "7" / "referrals.csv").symlink_to(published_sample / "audit.log")
    assert opendata.resolve(root, "releases/7/referrals.csv") is None
    assert opendata.resolve(root, "latest/referrals.csv").path == (root / "latest/referrals.csv").resolve()
    for address in ("../audit.log", "releases/1/../../../audit.log", "/etc/passwd", "latest/referrals.csv\x00",
                    "releases/1/manifest.json", ".changes/1.json", "releases/1/referrals.parquet", ""):
        assert opendata.resolve(root, address) is None, address


def test_a_release_without_one_of_homes_tables_still_gets_its_folder(store):
    """A release from before a measure family existed lacks its table: it has nothing to state in the feed,
    and its folder and entry are made all the same."""
    from leadsf.pipeline import opendata

    root = opendata.public_root(store)
    shutil.rmtree(root)
    (store.release_dir(1) / "property_crime.parquet").unlink()
    opendata.refresh(store)
    assert opendata.changes(store, 1) == {"en": [], "es": []}
    assert "property_crime.csv" not in {p.name for p in (root / "releases" / "1").iterdir()}
    assert opendata.up_to_date(store) and opendata.entries(store)[0].version == 1
