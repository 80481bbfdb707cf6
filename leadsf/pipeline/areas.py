"""Boundary sets (real Census areas shipped in data/geo/, plus sets staff add) and the publication areas
built from them.

A boundary set is a list of areas with an id, a name, a population and a polygon. Extracts use the ids of
exactly one set. Program and health measures are published only on areas of at least
`min_area_population` residents, so smaller areas are merged into a named remainder area first.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from leadsf import config
from leadsf.i18n import t

TOTAL_ID = "city"  # the id of the whole-jurisdiction total in every public table
REST_ID = "rest"


@dataclass(frozen=True)
class Area:
    area_id: str
    name: str
    population: int
    geometry: dict


@dataclass(frozen=True)
class BoundarySet:
    name: str
    label: str
    population_note: str
    source: str
    areas: tuple[Area, ...]
    total_name: str
    total_population: int

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(a.area_id for a in self.areas)

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.area_id == area_id)


SANTA_FE_COUNTY_POP_2020 = 154_823  # Census 2020 P1, data/geo/nm_county_population.csv


def _read_geojson(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _builtin_sets() -> tuple[BoundarySet, ...]:
    zcta = _read_geojson(config.GEO_DIR / "santa_fe_county_zcta_2010def.geojson")
    zips = tuple(
        Area(f["properties"]["ZCTA5"], "ZIP " + f["properties"]["ZCTA5"], int(f["properties"]["pop2010"]),
             f["geometry"])
        for f in zcta["features"]
        # Half or more of the ZIP area lies in the county; the rest belong to neighbouring counties.
        if f["properties"]["share_area_in_santa_fe_county"] >= 0.5
    )
    tracts_gj = _read_geojson(config.GEO_DIR / "santa_fe_county_tracts_2010def.geojson")
    tracts = tuple(
        Area(f["properties"]["GEOID"], "Tract " + f["properties"]["NAME"],
             int(f["properties"]["pop2020_est_areal"]), f["geometry"])
        for f in tracts_gj["features"]
    )
    return (
        BoundarySet("zip", "ZIP areas", "2010 Census population of the whole ZIP Code Tabulation Area.",
                    "U.S. Census Bureau, cartographic boundary file cb_2019_us_zcta510_500k; 2010 Census.",
                    zips, "Santa Fe County", SANTA_FE_COUNTY_POP_2020),
        BoundarySet("tract", "Census tracts",
                    "2020 Census population, estimated for the 2010 tract outlines by shared land area.",
                    "U.S. Census Bureau, cartographic boundary file cb_2018_35_tract_500k; 2020 Census P.L. 94-171.",
                    tracts, "Santa Fe County", sum(a.population for a in tracts)),
    )


def _staff_sets() -> tuple[BoundarySet, ...]:
    """Sets added with `python -m leadsf boundaries add`, stored normalised in the data directory. Read again
    only when a file is added, replaced or removed: every map and area profile asks for its set."""
    folder = config.data_dir() / "boundaries"
    files = sorted(folder.glob("*.geojson")) if folder.exists() else []
    return _read_staff_sets(tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in files))


@lru_cache(maxsize=8)
def _read_staff_sets(files: tuple[tuple[Path, int, int], ...]) -> tuple[BoundarySet, ...]:
    out = []
    for path, _, _ in files:
        gj = _read_geojson(path)
        meta = gj.get("leadsf", {})
        areas = tuple(Area(str(f["properties"]["area_id"]), str(f["properties"]["name"]),
                           int(f["properties"]["population"]), f["geometry"]) for f in gj["features"])
        out.append(BoundarySet(path.stem, meta.get("label", path.stem.replace("_", " ").title()),
                               meta.get("population_note", "Population as supplied with the boundary file."),
                               meta.get("source", "Added by program staff."), areas, "Santa Fe (all areas)",
                               sum(a.population for a in areas)))
    return tuple(out)


def boundary_sets() -> dict[str, BoundarySet]:
    return {s.name: s for s in (*_builtin_sets(), *_staff_sets())}


def boundary_set(name: str) -> BoundarySet:
    sets = boundary_sets()
    if name not in sets:
        raise KeyError(f"unknown boundary set {name!r}; known: {', '.join(sorted(sets))}")
    return sets[name]


def sets_containing(ids: set[str]) -> list[str]:
    """Names of the boundary sets that contain every one of these area ids."""
    return [s.name for s in boundary_sets().values() if ids <= s.ids]


def publication_map(bset: BoundarySet, large_only: bool) -> dict[str, str]:
    """Map each area id of the set to the id it is published under.

    With large_only, areas under min_area_population go into one remainder area; if the remainder is
    still too small, the smallest remaining areas join it until it is large enough.
    """
    if not large_only:
        return {a.area_id: a.area_id for a in bset.areas}
    minimum = config.get("min_area_population")
    small = {a.area_id for a in bset.areas if a.population < minimum}
    rest_pop = sum(a.population for a in bset.areas if a.area_id in small)
    large = sorted((a for a in bset.areas if a.area_id not in small), key=lambda a: (a.population, a.area_id))
    while small and rest_pop < minimum and large:
        joined = large.pop(0)
        small.add(joined.area_id)
        rest_pop += joined.population
    return {a.area_id: (REST_ID if a.area_id in small else a.area_id) for a in bset.areas}


def polygons(geometry: dict) -> list:
    """The polygons of a GeoJSON Polygon or MultiPolygon, each a list of rings (the outer ring first)."""
    coordinates = geometry.get("coordinates")
    return [coordinates] if geometry.get("type") == "Polygon" else coordinates


def publication_areas(bset: BoundarySet, large_only: bool) -> list[Area]:
    """The areas a measure is published on, with merged geometry and population for the remainder."""
    mapping = publication_map(bset, large_only)
    members: dict[str, list[Area]] = {}
    for a in bset.areas:
        members.setdefault(mapping[a.area_id], []).append(a)
    out = []
    for pub_id, group in members.items():
        if pub_id != REST_ID:
            out.append(group[0])
            continue
        names = ", ".join(sorted(a.area_id for a in group))
        out.append(Area(REST_ID, f"Rest of {bset.total_name} ({names})", sum(a.population for a in group),
                        {"type": "MultiPolygon", "coordinates": [p for a in group for p in polygons(a.geometry)]}))
    return sorted(out, key=lambda a: (a.area_id == REST_ID, a.area_id))


# The boundary files name areas in English ("Tract 1.01", and the remainders made above, "Rest of Santa Fe
# County (87501, 87505)"); the site and the Spanish feed say them in the reader's language.
_TRACT = re.compile(r"^Tract (\S+)$")
_REST = re.compile(r"^Rest of (.+?) \((.*)\)$")
_TOTALS = {"Santa Fe County": "a11y.santa_fe_county", "Santa Fe (all areas)": "a11y.santa_fe_all"}


def area_name(name) -> str:
    """An area's name as stored (English, from the boundary files) in the current language."""
    if not isinstance(name, str):
        return name
    m = _TRACT.match(name)
    if m:
        return t("a11y.tract", number=m.group(1))
    m = _REST.match(name)
    if m:
        total = _TOTALS.get(m.group(1))
        return t("a11y.rest_of", total=t(total) if total else m.group(1), zips=m.group(2))
    return name
