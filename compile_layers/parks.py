"""Compile ``parks``: OSM park and green-space polygons, and the plan's large parks.

OSM polygons (ODbL-1.0) come from ``raw/parks`` (filtered from the central extract):
leisure=park/garden are 公园绿地 and are classified with
:func:`gisplan.standards.parks.classify_parks` (GB/T 50563-2010 service radii); other green
(grass, wood, meadow) is kept with ``park_green`` False and no radius. Pieces of one
named park (沙河公园 has seven) are merged into one feature. Plan-named parks without
surveyed geometry are schematic (precision_m >= 1000), not classified and have no area;
the layer holds polygons only, so a park known only by a point is drawn as a marker disc.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    OSM_SOURCE,
    PLAN_SOURCE,
    PROVENANCE_COLUMNS,
    layer_files,
    write_files,
)
from compile_layers._osm_extract import (
    OTHER_GREEN_FILE,
    PARKS_FILE,
    add_osm_provenance,
    extract_extent,
)
from compile_layers._places import (
    city_radius,
    read_districts,
    read_stations,
    station_placement,
)
from compile_layers._schematic import ring_band, to_metric, to_wgs84
from compile_layers.ecology import RING_EXPRESSWAY_M, RING_HALF_WIDTH_M, SCHEMATIC_SOURCE
from compile_layers.functional_zones import SOURCES as ZONE_SOURCES
from compile_layers.osm_central import named_waterways
from gisplan.crs import METRIC_CRS, WGS84
from gisplan.standards.parks import PARK_SERVICE_RADII, classify_parks

JINJIANG_PARK_HALF_WIDTH_M = 100.0
MARKER_DISC_RADIUS_M = 500.0
"""Radius of the disc marking a park known only by a point (the layer holds polygons)."""
METRO_LAYER_SOURCE = next(s for s in ZONE_SOURCES if s["id"] == "metro_stations")
PLAN_NAMED_OSM = {"东郊记忆": "842;1001;1836"}
"""OSM park name -> plan lines naming it (东郊记忆, 东郊记忆艺术区, 东郊记忆音乐公园)."""


def _osm_parks() -> gpd.GeoDataFrame:
    parks = gpd.read_file(PARKS_FILE)
    parks["green_type"] = parks["leisure"]
    green = gpd.read_file(OTHER_GREEN_FILE)
    green["green_type"] = green["landuse"].fillna(green["natural"])
    both = pd.concat([parks, green], ignore_index=True)
    both["osm_id"] = both["osm_type"] + "/" + both["osm_ref"].astype(str)
    both["group"] = both["name"].where(both["name"].notna(), both["osm_id"])
    records = []
    for _, group in both.sort_values("osm_id").groupby("group", sort=True):
        first = group.iloc[0]
        name = first["name"] if isinstance(first["name"], str) else None
        name_en = first.get("name_en")
        records.append({
            "name_zh": name,
            "name_en": name_en if isinstance(name_en, str) else None,
            "green_type": ";".join(sorted(set(group["green_type"]))),
            "park_green": bool(group["leisure"].notna().all()),
            "osm_ids": ";".join(group["osm_id"]),
            "pieces": len(group),
            "plan_lines": PLAN_NAMED_OSM.get(name) if name else None,
            "geometry": shapely.union_all(group.geometry.values),
        })
    return add_osm_provenance(gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84))


def _classified(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    result = classify_parks(frame, radii=PARK_SERVICE_RADII)
    result["area_m2"] = result["area_m2"].round(1)
    not_park = ~result["park_green"]
    result.loc[not_park, "size_class"] = None
    result.loc[not_park, "service_radius_m"] = np.nan
    return result


def _marker_disc(point: shapely.Geometry) -> shapely.Geometry:
    """Return a WGS84 disc of :data:`MARKER_DISC_RADIUS_M` about a WGS84 point (EPSG:4544)."""
    return to_wgs84(to_metric(point).buffer(MARKER_DISC_RADIUS_M))


def _schematic_parks(out_dir: Path) -> list[dict[str, Any]]:
    districts = read_districts(out_dir)
    ring = ring_band(RING_EXPRESSWAY_M, RING_HALF_WIDTH_M)
    jinjiang = named_waterways().set_index("name_zh").geometry["锦江"]
    jinjiang_m = gpd.GeoSeries([jinjiang], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    records = [
        {"name_zh": "锦城公园", "name_en": "Jincheng Park (ring-city ecological park)",
         "green_type": "city_park", "plan_lines": "516;814;1881", "geometry": to_wgs84(ring),
         "source": "schematic", "precision_m": 3000.0, "geocode_method": "schematic",
         "description": "Schematic: 锦城公园 is the 环城生态区 branded as a park (public "
         "knowledge); drawn as the same band as eco_pattern_areas '环城生态区' (the Ring "
         "Expressway, about 85 km, as a circle about 天府广场, ±500 m)."},
        {"name_zh": "锦江公园", "name_en": "Jinjiang Park (riverside park)",
         "green_type": "river_park", "plan_lines": "487;516;814;1881;2465",
         "geometry": to_wgs84(jinjiang_m.buffer(JINJIANG_PARK_HALF_WIDTH_M)),
         "source": "schematic", "precision_m": 1000.0, "geocode_method": "schematic",
         "description": "Schematic: 100 m on each side of the OSM 锦江 centrelines of the "
         "central extract; the park's real width varies and it continues beyond the "
         "extract, which this drawing does not reach."},
    ]
    placed = station_placement("兴隆湖", 1500.0, read_stations(out_dir), districts, "双流区")
    records.append({
        "name_zh": "兴隆湖", "name_en": "Xinglong Lake", "green_type": "lake_park",
        "plan_lines": "1127;1418;1426",
        "geometry": _marker_disc(placed.geometry) if placed else None,
        "source": "schematic" if placed else "plan",
        "precision_m": placed.precision_m if placed else city_radius(districts),
        "geocode_method": "schematic" if placed else "unlocated",
        "description": (
            f"Schematic: a disc of radius {MARKER_DISC_RADIUS_M:.0f} m about the {placed.note}"
            "; the disc only marks the location, because no outline of the lake is in any "
            "source (its area is not the disc's, so area_m2 is null)" if placed
            else "no source gives its position (the metro_stations layer was not available "
            "at compile time; precision_m is the radius of the municipality)"
        ) + "; a lake of a few km2 in 天府新区 (public knowledge), so precision_m >= 1000",
    })
    return records


def build(out_dir: Path) -> gpd.GeoDataFrame:
    """Return the ``parks`` frame: classified OSM green space, then schematic parks."""
    osm = _classified(_osm_parks())
    osm["description"] = None
    schematic = gpd.GeoDataFrame(_schematic_parks(out_dir), geometry="geometry", crs=WGS84)
    schematic["park_green"] = False
    schematic["pieces"] = 1
    frame = pd.concat([osm, schematic], ignore_index=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
    frame.insert(0, "park_id", [f"park_{i:03d}" for i in range(1, len(frame) + 1)])
    columns = ["park_id", "name_zh", "name_en", "green_type", "park_green", "area_m2",
               "size_class", "service_radius_m", "pieces", "osm_ids", "plan_lines",
               "description", "source", "precision_m", "geocode_method", "geometry"]
    return frame[columns]


def run(out_dir: Path) -> list[str]:
    """Compile ``parks`` into ``out_dir``."""
    radii = "; ".join(f">= {a:.0f} m2: {c}, {r:.0f} m" for a, r, c in PARK_SERVICE_RADII)
    files = layer_files("parks", build(out_dir), {
        "title_zh": "公园绿地", "title_en": "Parks and green space",
        "description": "Park and green-space polygons of the central OSM extract (2018; "
        "many parks built since, e.g. the 锦城 greenways, are missing) with area "
        "(EPSG:4544), GB/T 50563-2010 size class and service radius for 公园绿地 "
        f"(leisure park/garden; {radii}; smaller parks: size class 'small', no radius). "
        "The thresholds live in gisplan.standards.parks.PARK_SERVICE_RADII. Other green "
        "(grass, wood) has park_green False and no radius. Then the large parks the "
        "plan names, as schematic features (precision_m >= 1000, not classified, no "
        "area); 兴隆湖, known only by its metro station, is a marker disc of "
        f"{MARKER_DISC_RADIUS_M:.0f} m radius about that point. "
        "青龙湖 is not named in the plan text and is not included.",
        "columns": {
            "park_id": {"type": "str", "description": "park_<n>"},
            "name_zh": {"type": "str", "description": "Chinese name (null if unnamed)"},
            "name_en": {"type": "str", "description": "English name"},
            "green_type": {"type": "str", "description": "OSM leisure/landuse/natural "
                           "value, or the plan park's type"},
            "park_green": {"type": "bool", "description": "公园绿地 counted by GB/T 50563"},
            "area_m2": {"type": "float", "description": "area in m2 (EPSG:4544) of the "
                        "OSM polygons; null for schematic features (a drawing, not the "
                        "park's area)"},
            "size_class": {"type": "str", "description": "large, medium or small "
                           "(GB/T 50563); null if not classified"},
            "service_radius_m": {"type": "float", "description": "GB/T 50563 service "
                                 "radius; null for small, non-park and schematic features"},
            "pieces": {"type": "int", "description": "OSM polygons merged into the feature"},
            "osm_ids": {"type": "str", "description": "OSM objects (';')"},
            "plan_lines": {"type": "str", "description": "plan lines naming the park"},
            "description": {"type": "str", "description": "how a schematic feature was drawn"},
            **PROVENANCE_COLUMNS, **GEOCODE_COLUMN,
        },
        "required": ["park_id"],
        "geometry_types": ["Polygon", "MultiPolygon"],
        "allow_empty_geometry": True,
        "extent": extract_extent(),
        "sources": [OSM_SOURCE, PLAN_SOURCE, SCHEMATIC_SOURCE, METRO_LAYER_SOURCE],
        "licence": OSM_SOURCE["licence"],
        "attribution": OSM_SOURCE["attribution"] + "; plan 成都市人民政府",
    })
    write_files(files, out_dir)
    return sorted(files)
