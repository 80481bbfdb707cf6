"""Staff boundary sets: every bad file is rejected by the CLI with exit 2 and nothing is stored; a good set
made of real tract polygons is stored and then usable as a boundary set. The command's function runs in this
process for each bad file and name; a real process runs one refusal, the first store and the replacement."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from leadsf.pipeline import areas, boundaries, cli
from tests.conftest import ROOT
from tests.geojson_bad import CASES, FIELDS, good_set


def run_cli(*args, data_dir):
    env = {**os.environ, "LEADSF_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "leadsf", "boundaries", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def run_main(*args, capsys) -> subprocess.CompletedProcess:
    """`python -m leadsf boundaries ...` through its function in this process ($LEADSF_DATA_DIR is set by the
    store fixture); the same fields as a finished process."""
    code = cli.main(["boundaries", *args])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["boundaries", *args], code, out, err)


def refused_and_nothing_stored(proc, expect, store):
    assert proc.returncode == 2, proc.stderr
    assert expect in proc.stderr, proc.stderr
    assert "Nothing was stored" in proc.stderr and "Traceback" not in proc.stderr
    folder = store.root / "boundaries"
    assert not folder.exists() or not list(folder.iterdir())


def test_at_least_twelve_bad_cases():
    assert len(CASES) >= 12


@pytest.mark.parametrize("label,data,expect", CASES, ids=[c[0] for c in CASES])
def test_bad_geojson_rejected_by_cli(label, data, expect, empty_store, tmp_path, capsys):
    path = tmp_path / f"{label}.geojson"
    path.write_bytes(data)
    proc = run_main("add", str(path), "--name", "council_district", *FIELDS, capsys=capsys)
    refused_and_nothing_stored(proc, expect, empty_store)


def test_bad_geojson_rejected_by_a_real_process(empty_store, tmp_path):
    label, data, expect = next(c for c in CASES if c[0] == "duplicate_ids")
    path = tmp_path / f"{label}.geojson"
    path.write_bytes(data)
    proc = run_cli("add", str(path), "--name", "council_district", *FIELDS, data_dir=empty_store.root)
    refused_and_nothing_stored(proc, expect, empty_store)


@pytest.mark.parametrize("name", ["zip", "tract", "Council", "x", "1abc", "a-b", "a" * 40])
def test_bad_names_rejected(name, empty_store, tmp_path, capsys):
    path = tmp_path / "good.geojson"
    path.write_text(json.dumps(good_set()))
    proc = run_main("add", str(path), "--name", name, *FIELDS, capsys=capsys)
    assert proc.returncode == 2
    assert not (empty_store.root / "boundaries").exists()


def test_good_set_is_stored_and_listed(empty_store, tmp_path, capsys):
    path = tmp_path / "good.geojson"
    path.write_text(json.dumps(good_set()))
    proc = run_cli("add", str(path), "--name", "council_district", *FIELDS, "--label", "City council districts",
                   data_dir=empty_store.root)
    assert proc.returncode == 0, proc.stderr
    stored = json.loads((empty_store.root / "boundaries" / "council_district.geojson").read_text())
    assert stored["leadsf"]["label"] == "City council districts"
    assert [f["properties"]["area_id"] for f in stored["features"]] == ["D1", "D2", "D3", "D4"]
    assert set(stored["features"][0]["properties"]) == {"area_id", "name", "population"}
    assert not [p for p in (empty_store.root / "boundaries").iterdir() if p.suffix == ".tmp"]

    sets = areas.boundary_sets()  # LEADSF_DATA_DIR points at the same store in this process
    assert "council_district" in sets
    bset = sets["council_district"]
    assert bset.ids == {"D1", "D2", "D3", "D4"}
    assert bset.total_population == sum(a.population for a in areas.boundary_set("tract").areas)
    assert areas.sets_containing({"D1", "D3"}) == ["council_district"]

    listed = run_main("list", capsys=capsys)
    assert listed.returncode == 0 and "council_district" in listed.stdout and "zip" in listed.stdout

    again = run_main("add", str(path), "--name", "council_district", *FIELDS, capsys=capsys)
    assert again.returncode == 2 and "--replace" in again.stderr
    before = areas.publication_areas(areas.boundary_set("council_district"), large_only=False)
    assert areas.publication_areas(areas.boundary_set("council_district"), large_only=False)[0] is before[0]
    # Sets and publication areas are cached by file; a file replaced by another process must be read again.
    # Two districts swap populations, and the fourth is dropped (its tracts go to the third).
    changed = good_set()
    feats = changed["features"]
    feats[0]["properties"]["pop"], feats[1]["properties"]["pop"] = (feats[1]["properties"]["pop"],
                                                                    feats[0]["properties"]["pop"])
    feats[2]["geometry"]["coordinates"] += feats[3]["geometry"]["coordinates"]
    feats[2]["properties"]["pop"] += feats.pop(3)["properties"]["pop"]
    path.write_text(json.dumps(changed))
    replaced = run_cli("add", str(path), "--name", "council_district", *FIELDS, "--replace",
                       data_dir=empty_store.root)
    assert replaced.returncode == 0, replaced.stderr
    after = {a.area_id: a for a in areas.publication_areas(areas.boundary_set("council_district"), False)}
    assert set(after) == {"D1", "D2", "D3"}
    assert after["D1"].population == next(a.population for a in before if a.area_id == "D2")
    assert len(after["D3"].geometry["coordinates"]) == sum(
        len(a.geometry["coordinates"]) for a in before if a.area_id in ("D3", "D4"))


def test_adjacent_real_tracts_are_not_overlaps():
    feats = good_set()["features"]
    shapes = [boundaries._check_rings(f["geometry"], "f", []) for f in feats]
    for i in range(len(shapes)):
        for j in range(i + 1, len(shapes)):
            assert boundaries.overlap_share(shapes[i], shapes[j]) <= boundaries.OVERLAP_SHARE


def test_one_sentence_per_problem_names_feature_and_field():
    gj = good_set()
    gj["features"][1]["properties"]["pop"] = -5
    gj["features"][2]["properties"]["label"] = ""
    with pytest.raises(boundaries.BoundaryRejected) as exc:
        boundaries.validate(json.dumps(gj).encode(), id_field="district", name_field="label", population_field="pop")
    assert len(exc.value.problems) == 2
    assert exc.value.problems[0].startswith("Feature 1: property 'pop'")
    assert exc.value.problems[1].startswith("Feature 2: property 'label'")


def test_overlap_is_the_area_shared_as_a_share_of_the_smaller_area():
    def square(x0, y0, side):
        ring = [[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]]
        return boundaries._check_rings({"type": "Polygon", "coordinates": [ring]}, "f", [])

    big = square(-106.0, 35.0, 0.2)
    assert boundaries.overlap_share(big, square(-105.9, 35.1, 0.2)) == pytest.approx(0.25)
    assert boundaries.overlap_share(big, square(-105.95, 35.05, 0.05)) == pytest.approx(1.0)  # inside the other
    assert boundaries.overlap_share(big, square(-105.8, 35.0, 0.2)) == 0.0  # sharing an edge only
    # A ring that crosses itself (a staff file's mistake) is measured, not a crash.
    bowtie = boundaries._check_rings({"type": "Polygon", "coordinates": [[[-106.0, 35.0], [-105.8, 35.2],
                                                                          [-105.8, 35.0], [-106.0, 35.2],
                                                                          [-106.0, 35.0]]]}, "f", [])
    assert 0 < boundaries.overlap_share(big, bowtie) <= 1


def test_the_overlap_named_is_the_whole_district_claimed_twice():
    data = next(data for label, data, _ in CASES if label == "overlapping_areas")
    with pytest.raises(boundaries.BoundaryRejected) as exc:
        boundaries.validate(data, id_field="district", name_field="label", population_field="pop")
    assert exc.value.problems == [
        "Feature 0 (D1) and feature 3 (D4) overlap by about 100% of the smaller area; areas must not overlap (a "
        "published count could be recovered by subtraction)."]
