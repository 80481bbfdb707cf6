"""Bad boundary files for `python -m leadsf boundaries add`: each is (label, bytes, words the error must use).

Every case starts from a good set built from real Census tract polygons (data/geo), then breaks one thing.
"""
from __future__ import annotations

import copy
import json

from leadsf import config

FIELDS = ["--id-field", "district", "--name-field", "label", "--population-field", "pop"]


def tracts() -> list[dict]:
    gj = json.loads((config.GEO_DIR / "santa_fe_county_tracts_2010def.geojson").read_text(encoding="utf-8"))
    return sorted(gj["features"], key=lambda f: f["properties"]["GEOID"])


def good_set() -> dict:
    """Four districts, each a MultiPolygon of whole real tracts (no made-up lines), populations summed."""
    feats = tracts()
    groups = [feats[i::4] for i in range(4)]
    out = []
    for n, group in enumerate(groups, start=1):
        polys = []
        for f in group:
            g = f["geometry"]
            polys.extend([g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"])
        out.append({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": polys},
                    "properties": {"district": f"D{n}", "label": f"District {n}",
                                   "pop": sum(f["properties"]["pop2020_est_areal"] for f in group)}})
    return {"type": "FeatureCollection", "features": out}


def _dump(gj) -> bytes:
    return json.dumps(gj).encode("utf-8")


def _edit(fn) -> bytes:
    gj = copy.deepcopy(good_set())
    fn(gj)
    return _dump(gj)


def _swap(gj):
    g = gj["features"][1]["geometry"]
    g["coordinates"] = [[[[p[1], p[0]] for p in ring] for ring in poly] for poly in g["coordinates"]]


def _shift_far(gj):
    g = gj["features"][2]["geometry"]
    g["coordinates"] = [[[[p[0] - 20, p[1]] for p in ring] for ring in poly] for poly in g["coordinates"]]


def _projected(gj):
    g = gj["features"][0]["geometry"]
    g["coordinates"] = [[[[p[0] * 111_000, p[1] * 111_000] for p in ring] for ring in poly]
                        for poly in g["coordinates"]]


def _overlap(gj):
    # district 4 also claims district 1's tracts
    gj["features"][3]["geometry"]["coordinates"] += gj["features"][0]["geometry"]["coordinates"]


def _points(gj):
    for f in gj["features"]:
        f["geometry"] = {"type": "Point", "coordinates": [-105.94, 35.69]}


def _unclosed(gj):
    ring = gj["features"][0]["geometry"]["coordinates"][0][0]
    ring.pop()


def _set(i, key, value):
    def fn(gj):
        if value is _DELETE:
            del gj["features"][i]["properties"][key]
        else:
            gj["features"][i]["properties"][key] = value
    return fn


_DELETE = object()


def _huge() -> bytes:
    body = _dump(good_set())
    return body[:-1] + b"," + b'"padding":"' + b"x" * (5 * 1024 * 1024) + b'"}'


CASES: list[tuple[str, bytes, str]] = [
    ("not_json", b"district,label,pop\nD1,District 1,100\n", "not valid JSON"),
    ("not_utf8", "{\"type\": \"FeatureCollection\", \"name\": \"Año\"}".encode("latin-1"), "UTF-8"),
    ("wrong_type", _dump({"type": "Feature", "geometry": None, "properties": {}}), "FeatureCollection"),
    ("json_list", _dump([1, 2, 3]), "FeatureCollection"),
    ("no_features", _dump({"type": "FeatureCollection", "features": []}), "no features"),
    ("points", _edit(_points), "only Polygon and MultiPolygon"),
    ("outside_nm", _edit(_shift_far), "outside New Mexico"),
    ("projected_metres", _edit(_projected), "outside New Mexico"),
    ("swapped_lat_lon", _edit(_swap), "[latitude, longitude]"),
    ("duplicate_ids", _edit(_set(2, "district", "D1")), "also used by feature 0"),
    ("empty_id", _edit(_set(1, "district", "  ")), "'district'"),
    ("reserved_id", _edit(_set(1, "district", "city")), "reserved"),
    ("missing_name", _edit(_set(3, "label", _DELETE)), "'label'"),
    ("missing_population", _edit(_set(0, "pop", _DELETE)), "'pop'"),
    ("zero_population", _edit(_set(1, "pop", 0)), "above 0"),
    ("text_population", _edit(_set(1, "pop", "12,000")), "whole number"),
    ("fractional_population", _edit(_set(1, "pop", 1234.5)), "whole number"),
    ("unclosed_ring", _edit(_unclosed), "not closed"),
    ("overlapping_areas", _edit(_overlap), "overlap"),
    ("huge_file", _huge(), "larger than 5 MB"),
]
