"""Staff-added boundary sets (validated GeoJSON) -- `python -m leadsf boundaries add` and `boundaries list`.

A boundary set is accepted only if every feature is a Polygon or MultiPolygon in [lon, lat] inside New Mexico,
with a unique id, a name and a whole-number population above 0, and no two areas overlap beyond slivers.
It is stored normalised at <LEADSF_DATA_DIR>/boundaries/<name>.geojson (written to a temporary file, then
renamed into place), where leadsf.pipeline.areas picks it up. A rejected file changes nothing.

Overlaps are measured with shapely: the area two areas share (each made valid first: a staff file's polygons
may touch or cross) as a share of the smaller one; an overlap over 1% of it rejects.
"""
from __future__ import annotations

import json
import math
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import shapely

from leadsf import config

from . import areas

MAX_BYTES = 5 * 1024 * 1024
NM_LON = (-109.06, -103.0)
NM_LAT = (31.3, 37.0)
NAME_RE = re.compile(r"[a-z][a-z0-9_]{1,30}")
RESERVED_NAMES = {"zip", "tract"}
RESERVED_IDS = {areas.TOTAL_ID, areas.REST_ID}
MAX_FEATURES = 500
MAX_PROBLEMS = 50
OVERLAP_SHARE = 0.01  # overlaps above this share of the smaller area are not slivers


class BoundaryRejected(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def boundaries_dir() -> Path:
    return config.data_dir() / "boundaries"


# ---- geometry helpers ---------------------------------------------------------------------------------
def overlap_share(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """The overlap of two areas as a share of the smaller one (0 when they do not meet)."""
    if not shapely.intersects(a, b):
        return 0.0
    smaller = min(shapely.area(a), shapely.area(b))
    overlap = shapely.area(shapely.intersection(shapely.make_valid(a), shapely.make_valid(b)))
    return float(overlap / smaller) if smaller > 0 else 1.0


# ---- validation ---------------------------------------------------------------------------------------
def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_rings(geometry: dict, where: str, problems: list[str]) -> shapely.Geometry | None:
    """The area as a shapely (Multi)Polygon in [lon, lat], or None with the problem added."""
    gtype = geometry.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        problems.append(f"{where}: geometry type is {gtype!r}; only Polygon and MultiPolygon areas are accepted.")
        return None
    polys = areas.polygons(geometry)
    if not isinstance(polys, list) or not polys:
        problems.append(f"{where}: the {gtype} has no coordinates.")
        return None
    out = []
    for poly in polys:
        if not isinstance(poly, list) or not poly:
            problems.append(f"{where}: a polygon has no rings.")
            return None
        rings = []
        for ring in poly:
            if (not isinstance(ring, list) or len(ring) < 4
                    or not all(isinstance(p, list) and len(p) >= 2 and _is_number(p[0]) and _is_number(p[1])
                               for p in ring)):
                problems.append(f"{where}: every ring needs at least 4 [longitude, latitude] number pairs.")
                return None
            arr = np.asarray([p[:2] for p in ring], dtype=float)
            if not np.array_equal(arr[0], arr[-1]):
                problems.append(f"{where}: a ring is not closed (its first and last positions differ).")
                return None
            rings.append(arr)
        out.append(shapely.Polygon(rings[0], holes=rings[1:]))
    return shapely.MultiPolygon(out)


def _check_location(shape: shapely.Geometry, where: str, problems: list[str]) -> bool:
    pts = shapely.get_coordinates(shape)
    lon, lat = pts[:, 0], pts[:, 1]
    in_nm = (lon >= NM_LON[0]) & (lon <= NM_LON[1]) & (lat >= NM_LAT[0]) & (lat <= NM_LAT[1])
    if in_nm.all():
        return True
    swapped = (lat >= NM_LON[0]) & (lat <= NM_LON[1]) & (lon >= NM_LAT[0]) & (lon <= NM_LAT[1])
    if swapped.all():
        problems.append(f"{where}: coordinates look like [latitude, longitude]; GeoJSON needs [longitude, "
                        "latitude] (swap them).")
    else:
        bad = pts[~in_nm][0]
        problems.append(f"{where}: position [{bad[0]:g}, {bad[1]:g}] is outside New Mexico (longitude "
                        f"{NM_LON[0]} to {NM_LON[1]}, latitude {NM_LAT[0]} to {NM_LAT[1]}); the file must use "
                        "longitude/latitude in degrees (WGS 84), not a projected coordinate system.")
    return False


def validate(data: bytes, *, id_field: str, name_field: str, population_field: str) -> list[dict]:
    """Check an uploaded GeoJSON; return normalised features or raise BoundaryRejected (one sentence each)."""
    if len(data) > MAX_BYTES:
        raise BoundaryRejected([f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; simplify the "
                                "boundaries (e.g. in QGIS) before adding them."])
    try:
        gj = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BoundaryRejected(["The file is not UTF-8 text; export it as GeoJSON (UTF-8)."]) from None
    except json.JSONDecodeError as exc:
        raise BoundaryRejected([f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                f"{exc.msg})."]) from None
    if not isinstance(gj, dict) or gj.get("type") != "FeatureCollection":
        got = gj.get("type") if isinstance(gj, dict) else type(gj).__name__
        raise BoundaryRejected([f"The file must be a GeoJSON FeatureCollection; its top-level type is {got!r}."])
    if "crs" in gj and "4326" not in json.dumps(gj["crs"]) and "CRS84" not in json.dumps(gj["crs"]):
        raise BoundaryRejected(["The file declares a coordinate system other than WGS 84 longitude/latitude; "
                                "export it in EPSG:4326."])
    feats = gj.get("features")
    if not isinstance(feats, list) or not feats:
        raise BoundaryRejected(["The FeatureCollection has no features."])
    if len(feats) > MAX_FEATURES:
        raise BoundaryRejected([f"The file has {len(feats)} features; at most {MAX_FEATURES} areas are accepted."])

    problems: list[str] = []
    out: list[dict] = []
    shapes: list[shapely.Geometry | None] = []
    seen: dict[str, int] = {}
    for i, f in enumerate(feats):
        where = f"Feature {i}"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            problems.append(f"{where}: is not a GeoJSON Feature.")
            shapes.append(None)
            continue
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        raw_id = props.get(id_field)
        area_id = str(raw_id).strip() if raw_id is not None and not isinstance(raw_id, (dict, list, bool)) else ""
        if not area_id:
            problems.append(f"{where}: property {id_field!r} (the area id) is missing or empty.")
        elif not re.fullmatch(r"[A-Za-z0-9_.\-]{1,40}", area_id):
            problems.append(f"{where}: area id {area_id!r} in {id_field!r} may only use letters, digits, '.', '-' "
                            "and '_' (at most 40).")
        elif area_id in RESERVED_IDS:
            problems.append(f"{where}: area id {area_id!r} in {id_field!r} is reserved for totals; use another id.")
        elif area_id in seen:
            problems.append(f"{where}: area id {area_id!r} in {id_field!r} is also used by feature {seen[area_id]}; "
                            "ids must be unique.")
        else:
            seen[area_id] = i
        name = props.get(name_field)
        if not isinstance(name, str) or not name.strip() or len(name) > 80:
            problems.append(f"{where}: property {name_field!r} (the area name) is missing, empty or longer than 80 "
                            "characters.")
        pop = props.get(population_field)
        if isinstance(pop, float) and pop.is_integer():
            pop = int(pop)
        if not isinstance(pop, int) or isinstance(pop, bool) or pop <= 0:
            problems.append(f"{where}: property {population_field!r} (the population) must be a whole number above "
                            f"0; found {pop!r}.")
        geometry = f.get("geometry")
        polys = None
        if not isinstance(geometry, dict):
            problems.append(f"{where}: has no geometry.")
        else:
            polys = _check_rings(geometry, where, problems)
            if polys is not None and not _check_location(polys, where, problems):
                polys = None
        shapes.append(polys)
        out.append({"type": "Feature",
                    "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]}
                    if polys is not None else None,
                    "properties": {"area_id": area_id, "name": name.strip() if isinstance(name, str) else name,
                                   "population": pop}})
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise BoundaryRejected(problems)
    for i in range(len(shapes)):
        for j in range(i + 1, len(shapes)):
            share = overlap_share(shapes[i], shapes[j])
            if share > OVERLAP_SHARE:
                problems.append(f"Feature {i} ({out[i]['properties']['area_id']}) and feature {j} "
                                f"({out[j]['properties']['area_id']}) overlap by about {share:.0%} of the smaller "
                                "area; areas must not overlap (a published count could be recovered by "
                                "subtraction).")
    if problems:
        raise BoundaryRejected(problems)
    return out


def check_name(name: str, replace: bool = False) -> None:
    if not NAME_RE.fullmatch(name or ""):
        raise BoundaryRejected([f"The name {name!r} must start with a lower-case letter and use only a-z, 0-9 and "
                                "'_' (2 to 31 characters)."])
    if name in RESERVED_NAMES:
        raise BoundaryRejected([f"The name {name!r} belongs to a built-in boundary set; choose another."])
    if (boundaries_dir() / f"{name}.geojson").exists() and not replace:
        raise BoundaryRejected([f"A boundary set named {name!r} exists already; pass --replace to replace it."])


def add(data: bytes, *, name: str, id_field: str, name_field: str, population_field: str, label: str | None = None,
        source: str | None = None, population_note: str | None = None, replace: bool = False) -> Path:
    """Validate and store a boundary set; returns the stored path. Raises BoundaryRejected, storing nothing."""
    check_name(name, replace)
    features = validate(data, id_field=id_field, name_field=name_field, population_field=population_field)
    doc = {
        "type": "FeatureCollection",
        "leadsf": {"label": label or name.replace("_", " ").capitalize(),
                   "source": source or "Added by program staff.",
                   "population_note": population_note or "Population as supplied with the boundary file."},
        "features": features,
    }
    folder = boundaries_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        target = folder / f"{name}.geojson"
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


# ---- CLI ----------------------------------------------------------------------------------------------
def cmd_add(args) -> int:
    with open(args.file, "rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    try:
        path = add(data, name=args.name, id_field=args.id_field, name_field=args.name_field,
                   population_field=args.population_field, label=args.label, source=args.source,
                   population_note=args.population_note, replace=args.replace)
    except BoundaryRejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("Nothing was stored; the boundary sets are unchanged.", file=sys.stderr)
        return 2
    bset = areas.boundary_set(args.name)
    print(f"Stored boundary set {bset.name!r} ({bset.label}): {len(bset.areas)} areas, population "
          f"{bset.total_population:,}, at {path}")
    return 0


def cmd_list(args) -> int:
    for bset in areas.boundary_sets().values():
        print(f"{bset.name}\t{bset.label}\t{len(bset.areas)} areas\tpopulation {bset.total_population:,}")
    return 0


def add_cli(sub) -> None:
    """Register `boundaries add` and `boundaries list`."""
    p = sub.add_parser("boundaries", help="Add or list boundary sets (areas with populations).")
    bsub = p.add_subparsers(dest="boundaries_command", required=True)
    a = bsub.add_parser("add", help="Validate a GeoJSON FeatureCollection of areas and store it as a boundary set.")
    a.add_argument("file", help="GeoJSON file (WGS 84 longitude/latitude, at most 5 MB).")
    a.add_argument("--name", required=True, help="Short name, e.g. council_district ([a-z][a-z0-9_]{1,30}).")
    a.add_argument("--id-field", required=True, help="Feature property holding each area's id.")
    a.add_argument("--name-field", required=True, help="Feature property holding each area's name.")
    a.add_argument("--population-field", required=True, help="Feature property holding each area's population.")
    a.add_argument("--label", help="Label shown to visitors, e.g. 'City council districts'.")
    a.add_argument("--source", help="Where the boundaries come from (shown on the About and Maps pages).")
    a.add_argument("--population-note", help="Where the populations come from.")
    a.add_argument("--replace", action="store_true", help="Replace a staff boundary set of the same name.")
    a.set_defaults(func=cmd_add)
    ls = bsub.add_parser("list", help="List the boundary sets (built-in and staff-added).")
    ls.set_defaults(func=cmd_list)
