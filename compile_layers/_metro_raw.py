"""Read the raw rail-transit files: Amap station sets (GCJ-02) and OSM track geometry.

Sources (see ``shared/data/raw/metro/PROVENANCE.md`` and the PROVENANCE.md of each
subfolder): ``amap_metro-typing_2026-07/chengdu.json`` (357 in-service stations of the
17 metro lines, July 2026), ``amap_metroman_2025-01/cd.json`` (January 2025, the only
file with the 蓉2 tram and the east end of line 2) and ``osm_metrodrifter_2026-02``
(OpenStreetMap route relations, WGS84, ODbL).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import shapely

from compile_layers._common import OSM_SOURCE, RAW
from gisplan.crs import METRIC_CRS, WGS84

METRO_DIR = RAW / "metro"
AMAP_2026_FILE = METRO_DIR / "amap_metro-typing_2026-07" / "chengdu.json"
AMAP_2025_FILE = METRO_DIR / "amap_metroman_2025-01" / "cd.json"
OSM_DIR = METRO_DIR / "osm_metrodrifter_2026-02"

TRAM_LINE_ID = "蓉2"
# Closed OSM ways shorter than this are platform outlines; the line-7 loop is ~38 km.
PLATFORM_RING_MAX_M = 1000.0
# Relations without ``ref`` in the index, resolved from their names.
OSM_REF_BY_RELATION = {18168582: "S3", 19252990: "17", 19252991: "17"}
# Stations renamed between the 2025 and the 2026 file: same line (6), same place in
# the sequence; 0.3 m and 166 m apart.
RENAMED_2025 = {"兴业北街": "交大兴业北街", "建设北路": "电子科大建设北路"}

AMAP_2026_SOURCE = {
    "id": "amap-metro-typing-2026",
    "title": "github.com/Evenss/metro-typing public/data/metro/chengdu.json (commit 1f00af9, "
    "2026-07-18), from the Amap (高德) subway map; GCJ-02 station coordinates converted to WGS84",
    "licence": "facts (station names, coordinates) compiled with the source named; the repo's MIT "
    "licence excludes the data, which stays under Amap's terms",
    "attribution": "Station data © Amap (高德地图), via github.com/Evenss/metro-typing",
    "url": "https://github.com/Evenss/metro-typing",
}
AMAP_2025_SOURCE = {
    "id": "amap-metroman-2025",
    "title": "github.com/metromancn/MetroMapOpenMiniProgram src/data/cd.js (commit 087310a, "
    "2025-01-23), Amap-derived GCJ-02 station coordinates converted to WGS84",
    "licence": "MIT (repository); coordinates are Amap-derived facts compiled with the "
    "source named",
    "attribution": "MetroMan 地铁图 (MIT), station coordinates Amap-derived",
    "url": "https://github.com/metromancn/MetroMapOpenMiniProgram",
}
OSM_TRACK_SOURCE = {
    **OSM_SOURCE,
    "title": "OpenStreetMap route relations of Chengdu Metro, via "
    "github.com/mirinda123/MetroDrifter (commit 16244db, OSM state <= 2026-02-22)",
}


@dataclass
class RawStation:
    """A station as read from one of the Amap-derived files (GCJ-02)."""

    name_zh: str
    name_en: str
    station_id: str
    lon_gcj02: float
    lat_gcj02: float
    coord_source: str
    lines: set[str] = field(default_factory=set)
    in_files: set[str] = field(default_factory=set)


def base_name(name: str) -> str:
    """Return a station name without its parenthetical suffix (``新平（宝墩）`` -> ``新平``)."""
    return re.split(r"[（(]", name)[0].strip()


def _slug(romanised: str) -> str:
    return "cd-" + re.sub(r"[^a-z0-9]", "", romanised.lower())


def _line_id_2025(name: str) -> str:
    if "蓉2" in name:
        return TRAM_LINE_ID
    match = re.match(r"(S?\d+)", name)
    if match is None:
        raise ValueError(f"{AMAP_2025_FILE}: cannot read a line number from {name!r}")
    return match.group(1)


def read_amap_2026() -> dict[str, Any]:
    """Return the parsed 2026 Amap file (``stations`` and ``lines``)."""
    return json.loads(AMAP_2026_FILE.read_text(encoding="utf-8"))


def read_amap_2025() -> dict[str, Any]:
    """Return the parsed 2025 MetroMan file (``stationList`` and ``lineList``)."""
    return json.loads(AMAP_2025_FILE.read_text(encoding="utf-8"))


def merged_stations() -> dict[str, RawStation]:
    """Merge both station files into one record per station, keyed by base name.

    Coordinates come from the 2026 file where it has the station, else from the 2025
    file. Line memberships are the union of both files (the 2025 file adds the tram
    and the east end of line 2).

    Returns
    -------
    dict
        Base name -> :class:`RawStation`, in first-seen order.
    """
    new, old = read_amap_2026(), read_amap_2025()
    stations: dict[str, RawStation] = {}
    new_by_id = {}
    for raw in new["stations"].values():
        key = base_name(raw["nameZh"])
        en = raw["nameEn"] if raw["nameEn"] != raw["nameEn"].lower() else raw["nameEn"].title()
        stations[key] = RawStation(
            name_zh=raw["nameZh"], name_en=en, station_id=_slug(base_name(en)),
            lon_gcj02=float(raw["lon"]), lat_gcj02=float(raw["lat"]),
            coord_source=AMAP_2026_SOURCE["id"], in_files={AMAP_2026_SOURCE["id"]},
        )
        new_by_id[raw["id"]] = stations[key]
    for line in new["lines"]:
        for sid in line["stationIds"]:
            new_by_id[sid].lines.add(line["lineId"])
    for target in RENAMED_2025.values():
        if target not in stations:
            raise ValueError(f"renamed station {target!r} is missing from {AMAP_2026_FILE}")
    old_by_id = {}
    for raw in old["stationList"]:
        key = RENAMED_2025.get(raw["name"], base_name(raw["name"]))
        if key not in stations:
            stations[key] = RawStation(
                name_zh=raw["name"], name_en=raw["pinyin"].capitalize(),
                station_id=_slug(raw["pinyin"]), lon_gcj02=float(raw["lng"]),
                lat_gcj02=float(raw["lat"]), coord_source=AMAP_2025_SOURCE["id"],
            )
        stations[key].in_files.add(AMAP_2025_SOURCE["id"])
        old_by_id[raw["id"]] = stations[key]
    for line in old["lineList"]:
        for sid in line["stations"]:
            old_by_id[sid].lines.add(_line_id_2025(line["name"]))
    ids = [s.station_id for s in stations.values()]
    if len(set(ids)) != len(ids):
        raise ValueError("station ids derived from the romanised names are not unique")
    return stations


def line_sequences_2025(line_id: str) -> list[list[str]]:
    """Return the ordered station base names of each 2025 path of one line.

    Parameters
    ----------
    line_id : str
        For example ``"蓉2"`` (main line and branch are two paths).

    Returns
    -------
    list of list of str
    """
    old = read_amap_2025()
    names = {s["id"]: RENAMED_2025.get(s["name"], base_name(s["name"])) for s in old["stationList"]}
    return [[names[i] for i in line["stations"]] for line in old["lineList"]
            if _line_id_2025(line["name"]) == line_id]


def line_colours() -> dict[str, tuple[str, str, str]]:
    """Return line id -> (name_zh, colour, source id) from the station files (2026 first)."""
    result = {}
    for line in read_amap_2025()["lineList"]:
        line_id = _line_id_2025(line["name"])
        if line_id not in result:
            result[line_id] = (re.sub(r"\(.*\)$", "", line["name"]), line["color"].upper(),
                               AMAP_2025_SOURCE["id"])
    for line in read_amap_2026()["lines"]:
        result[line["lineId"]] = (line["lineName"], line["color"].upper(), AMAP_2026_SOURCE["id"])
    return result


def osm_tracks() -> gpd.GeoDataFrame:
    """Return one merged track geometry per line ref from the OSM route relations.

    Both directions (and every service pattern with the same ``ref``) are unioned and
    merged; closed ways shorter than :data:`PLATFORM_RING_MAX_M` (platform outlines)
    are dropped.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``line_id``, ``osm_relation_ids`` (';'-joined) and geometry, EPSG:4326.
    """
    index = json.loads((OSM_DIR / "chengdu_relations_index.json").read_text(encoding="utf-8"))
    parts: dict[str, list[shapely.Geometry]] = {}
    relations: dict[str, list[int]] = {}
    for entry in index:
        ref = entry.get("ref") or OSM_REF_BY_RELATION[entry["id"]]
        text = (OSM_DIR / "geometry" / f"{entry['id']}.json").read_text(encoding="utf-8")
        ways = [shapely.geometry.shape(f["geometry"]) for f in json.loads(text)["features"]]
        parts.setdefault(ref, []).extend(ways)
        relations.setdefault(ref, []).append(entry["id"])
    records = []
    for ref in sorted(parts):
        ways = gpd.GeoSeries(parts[ref], crs=WGS84)
        length = ways.to_crs(METRIC_CRS).length
        keep = ~(ways.is_closed & (length < PLATFORM_RING_MAX_M))
        kept = sorted(ways[keep].values, key=lambda g: g.wkb)
        merged = shapely.line_merge(shapely.union_all(kept))
        records.append({"line_id": ref, "osm_relation_ids": ";".join(
            str(r) for r in sorted(relations[ref])), "geometry": merged})
    return gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
