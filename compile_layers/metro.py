"""Compile ``metro_stations`` and ``metro_lines`` (Chengdu rail transit).

Stations come from two Amap-derived files (GCJ-02, converted to WGS84 with
:func:`gisplan.crs.gcj02_to_wgs84`) and are snapped to the OpenStreetMap track of one of
their lines where it lies within :data:`SNAP_MAX_M`. Lines are the OSM route relations
(both directions merged); the 蓉2 tram, absent from OSM data here, is drawn schematically
from its ordered stops. See ``shared/data/raw/metro/PROVENANCE.md``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    PROVENANCE_COLUMNS,
    city_extent,
    layer_files,
    write_files,
)
from compile_layers._english import station_english
from compile_layers._metro_raw import (
    AMAP_2025_SOURCE,
    AMAP_2026_SOURCE,
    OSM_TRACK_SOURCE,
    TRAM_LINE_ID,
    RawStation,
    base_name,
    line_colours,
    line_sequences_2025,
    merged_stations,
    osm_tracks,
)
from compile_layers._rail_history import (
    STATION_DATE_COLUMNS,
    load_facts,
    station_opening_columns,
)
from gisplan.crs import METRIC_CRS, WGS84, gcj02_to_wgs84

SNAP_MAX_M = 60.0
SNAPPED_PRECISION_M = 20.0
SOURCE_PRECISION_M = 40.0
TRACK_PRECISION_M = 20.0
SCHEMATIC_PRECISION_M = 1000.0
# Line 2 east of 成都行政学院: in the 2025 file, dropped from the 2026 file because Amap
# flags the stations as not in service.
LINE_2_EAST_STATUS = "not_in_service_2026"
STATUS_VALUES = {
    "operating": "listed in the July 2026 Amap file, which keeps in-service stations only",
    LINE_2_EAST_STATUS: "line 2 east of 成都行政学院 (大面铺 ... 龙泉驿): in the January 2025 "
    "file; the July 2026 file drops it because Amap flags it as not in service (suspended; "
    "the stations still exist)",
    "in_older_source_only": "蓉2 tram stops: only the January 2025 file lists them (the 2026 "
    "file has no trams), so their 2026 service status is not confirmed by any source here",
}


def line_sort_key(line_id: str) -> tuple[int, int, str]:
    """Order line ids: numbered metro lines, then S-lines, then the tram."""
    if line_id.isdigit():
        return (0, int(line_id), "")
    if line_id == TRAM_LINE_ID:
        return (2, 0, line_id)
    return (1, 0, line_id)


def _lines_text(lines: set[str]) -> str:
    return ";".join(sorted(lines, key=line_sort_key))


def _status(station: RawStation) -> str:
    if station.coord_source == AMAP_2026_SOURCE["id"]:
        return "operating"
    if station.lines == {"2"}:
        return LINE_2_EAST_STATUS
    if station.lines == {TRAM_LINE_ID}:
        return "in_older_source_only"
    raise ValueError(f"station {station.name_zh!r} is only in the 2025 file on lines "
                     f"{sorted(station.lines)}; decide its status in compile_layers/metro.py")


def _converted_points(stations: list[RawStation]) -> gpd.GeoSeries:
    lon, lat = gcj02_to_wgs84(np.array([s.lon_gcj02 for s in stations]),
                              np.array([s.lat_gcj02 for s in stations]))
    return gpd.GeoSeries(shapely.points(lon, lat), crs=WGS84)


def _snap(stations: list[RawStation], points: gpd.GeoSeries,
          tracks: gpd.GeoDataFrame) -> tuple[gpd.GeoSeries, list[float | None], list[bool]]:
    """Move each station to the nearest track of its own lines when within SNAP_MAX_M."""
    metric_points = points.to_crs(METRIC_CRS)
    metric_tracks = dict(zip(tracks["line_id"], tracks.to_crs(METRIC_CRS).geometry, strict=True))
    snapped = []
    distances: list[float | None] = []
    flags = []
    for station, point in zip(stations, metric_points, strict=True):
        own = [metric_tracks[line] for line in sorted(station.lines) if line in metric_tracks]
        if not own:
            snapped.append(point)
            distances.append(None)
            flags.append(False)
            continue
        nearest = min(own, key=point.distance)
        distance = float(point.distance(nearest))
        distances.append(round(distance, 1))
        flags.append(distance <= SNAP_MAX_M)
        snapped.append(shapely.Point(shapely.shortest_line(point, nearest).coords[1])
                       if distance <= SNAP_MAX_M and distance > 0 else point)
    moved = gpd.GeoSeries(snapped, crs=METRIC_CRS).to_crs(WGS84)
    geometry = gpd.GeoSeries(np.where(flags, moved.values, points.values), crs=WGS84)
    return geometry, distances, flags


def district_of(points: gpd.GeoSeries, districts: gpd.GeoDataFrame) -> list[str | None]:
    """Return the name_zh of the district containing each point (None outside Chengdu)."""
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=points.values, crs=WGS84),
                       districts[["name_zh", "geometry"]], how="left", predicate="within")
    first = joined[~joined.index.duplicated(keep="first")]["name_zh"]
    return [None if isinstance(v, float) or v is None else str(v) for v in first.astype(object)]


def stations_frame(
    tracks: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Build the ``metro_stations`` frame from the raw files, OSM tracks and districts.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        Every station, and the subset outside Chengdu (S3 stations in 资阳, kept with
        ``in_chengdu`` False).
    """
    stations = list(merged_stations().values())
    points = _converted_points(stations)
    geometry, distances, snapped = _snap(stations, points, tracks)
    frame = gpd.GeoDataFrame({
        "station_id": [s.station_id for s in stations],
        "name_zh": [s.name_zh for s in stations],
        "name_en": [station_english(s.name_zh, s.name_en) for s in stations],
        "lines": [_lines_text(s.lines) for s in stations],
        "line_count": [len(s.lines) for s in stations],
        "status": [_status(s) for s in stations],
        "district_zh": district_of(geometry, districts),
        "listed_in": [";".join(sorted(s.in_files)) for s in stations],
        "source": [s.coord_source for s in stations],
        "precision_m": [SNAPPED_PRECISION_M if f else SOURCE_PRECISION_M for f in snapped],
        "geocode_method": ["snapped_to_track" if f else "source_coordinates" for f in snapped],
        "snap_distance_m": distances,
        "lon_gcj02": [s.lon_gcj02 for s in stations],
        "lat_gcj02": [s.lat_gcj02 for s in stations],
    }, geometry=geometry.values, crs=WGS84)
    frame = frame.assign(**station_opening_columns(list(frame["name_zh"]), list(frame["lines"])))
    frame.insert(frame.columns.get_loc("district_zh") + 1, "in_chengdu",
                 frame["district_zh"].notna())
    outside = frame[~frame["in_chengdu"]]
    if not outside["lines"].eq("S3").all():
        raise ValueError(f"stations outside Chengdu off line S3: {list(outside['name_zh'])}")
    return frame.sort_values("station_id", kind="stable").reset_index(drop=True), outside


def _tram_schematic(stations: gpd.GeoDataFrame) -> shapely.Geometry:
    by_name = dict(zip(stations["name_zh"].map(base_name),
                       stations.geometry, strict=True))
    paths = [shapely.LineString([by_name[n] for n in path])
             for path in line_sequences_2025(TRAM_LINE_ID)]
    return shapely.MultiLineString(paths)


def _max_stop_spacing_m(schematic: shapely.Geometry) -> float:
    segments = [shapely.LineString(pair) for path in schematic.geoms
                for pair in zip(path.coords[:-1], path.coords[1:], strict=True)]
    return float(gpd.GeoSeries(segments, crs=WGS84).to_crs(METRIC_CRS).length.max())


def lines_frame(tracks: gpd.GeoDataFrame, stations: gpd.GeoDataFrame,
                city: shapely.Geometry) -> gpd.GeoDataFrame:
    """Build ``metro_lines``: OSM tracks per line clipped to ``city``, plus the schematic tram."""
    colours = line_colours()
    records = []
    counts = {line: int(stations["lines"].str.split(";").map(lambda ls, x=line: x in ls).sum())
              for line in colours}
    for row in tracks.itertuples(index=False):
        name_zh, colour, colour_source = colours[row.line_id]
        records.append({
            "line_id": row.line_id, "name_zh": name_zh, "name_en": f"Line {row.line_id}",
            "mode": "metro" if row.line_id.isdigit() else "suburban_metro",
            "colour": colour, "colour_source": colour_source,
            "osm_relation_ids": row.osm_relation_ids, "station_count": counts[row.line_id],
            "source": OSM_TRACK_SOURCE["id"], "precision_m": TRACK_PRECISION_M,
            "geocode_method": "osm_track_geometry",
            "geometry": _multiline(shapely.intersection(row.geometry, city)),
        })
    name_zh, colour, colour_source = colours[TRAM_LINE_ID]
    records.append({
        "line_id": TRAM_LINE_ID, "name_zh": name_zh,
        "name_en": "Tram Line R2 (Rong 2), schematic", "mode": "tram",
        "colour": colour, "colour_source": colour_source, "osm_relation_ids": None,
        "station_count": counts[TRAM_LINE_ID], "source": AMAP_2025_SOURCE["id"],
        "precision_m": SCHEMATIC_PRECISION_M, "geocode_method": "schematic_station_sequence",
        "geometry": _tram_schematic(stations),
    })
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    order = frame["line_id"].map(line_sort_key).argsort(kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _multiline(geometry: shapely.Geometry) -> shapely.Geometry:
    lines = [g for g in shapely.get_parts(geometry) if g.geom_type == "LineString"]
    return shapely.MultiLineString(lines)


def _percentile(values: list[float], q: float) -> float:
    return float(np.nanpercentile(np.asarray(values, dtype=float), q))


STATION_COLUMNS = {
    "station_id": {"type": "str", "description": "stable id: 'cd-' + romanised name"},
    "name_zh": {"type": "str", "description": "Chinese station name as in the source"},
    "name_en": {"type": "str", "description": "English name signed at the station where the "
                "central OSM extract (2018) gives one ('Tianfu Square'), else Hanyu Pinyin "
                "with syllables joined into words ('Luomashi', 'Tianhe Lu'); see "
                "compile_layers/_english.py"},
    "lines": {"type": "str", "description": "every line serving the station, ';'-joined "
              "(1-10, 13, 17, 18, 19, 27, 30, S3, 蓉2 = tram)"},
    "line_count": {"type": "int", "description": "number of lines; > 1 for interchanges"},
    "status": {"type": "str", "description": "; ".join(f"{k}: {v}" for k, v in
                                                        STATUS_VALUES.items())},
    "district_zh": {"type": "str", "description": "county-level unit of layer districts "
                    "containing the point; empty outside Chengdu (S3 stations in 资阳)"},
    "in_chengdu": {"type": "bool", "description": "False for the S3 stations in 资阳 (Ziyang), "
                   "outside the municipality; analyses of Chengdu areas are unaffected"},
    "listed_in": {"type": "str", "description": "';'-joined ids of the station files listing "
                  "the station (lines is the union of their memberships)"},
    "source": {"type": "str", "description": "id of the file whose coordinates were used "
               "(snapped_to_track points were then moved onto the osm track)"},
    "precision_m": PROVENANCE_COLUMNS["precision_m"],
    **GEOCODE_COLUMN,
    "snap_distance_m": {"type": "float", "description": "distance (EPSG:4544) from the "
                        "converted source position to the nearest OSM track of the station's "
                        "own lines; the point was moved by it when geocode_method is "
                        "snapped_to_track (<= 60 m); empty when no line has OSM track"},
    "lon_gcj02": {"type": "float", "description": "longitude as stored in the source (GCJ-02)"},
    "lat_gcj02": {"type": "float", "description": "latitude as stored in the source (GCJ-02)"},
    **STATION_DATE_COLUMNS,
}
LINE_COLUMNS = {
    "line_id": {"type": "str", "description": "line number (1 ... 30), S3 or 蓉2 (tram)"},
    "name_zh": {"type": "str", "description": "line name in the station file"},
    "name_en": {"type": "str", "description": "English line name"},
    "mode": {"type": "str", "description": "metro, suburban_metro (S3) or tram"},
    "colour": {"type": "str", "description": "line colour #RRGGBB from the station file"},
    "colour_source": {"type": "str", "description": "source id of the colour"},
    "osm_relation_ids": {"type": "str", "description": "OSM route relations merged, ';'-joined"},
    "station_count": {"type": "int", "description": "stations of metro_stations on the line"},
    **PROVENANCE_COLUMNS,
    **GEOCODE_COLUMN,
}
SOURCES = [AMAP_2026_SOURCE, AMAP_2025_SOURCE, OSM_TRACK_SOURCE]
LICENCE = ("ODbL-1.0 for OSM-derived geometry (© OpenStreetMap contributors); station names "
           "and coordinates are Amap-derived facts compiled with their sources named")
ATTRIBUTION = "; ".join(s["attribution"] for s in SOURCES)


def _farthest_own_track_m(stations: gpd.GeoDataFrame, tracks: gpd.GeoDataFrame) -> float:
    metric = dict(zip(tracks["line_id"], tracks.to_crs(METRIC_CRS).geometry, strict=True))
    points = stations.to_crs(METRIC_CRS).geometry
    return max(point.distance(metric[line]) for point, text in zip(points, stations["lines"],
                                                                    strict=True)
               for line in text.split(";") if line in metric)


def _station_description(frame: gpd.GeoDataFrame, outside: gpd.GeoDataFrame,
                         farthest_m: float) -> str:
    distances = frame["snap_distance_m"].tolist()
    snapped = int((frame["geocode_method"] == "snapped_to_track").sum())
    return (
        f"Every station of Chengdu's rail transit ({len(frame)}): metro lines 1-10, 13, 17, "
        "18, 19, 27, 30, S3 and the 蓉2 tram, one feature per station (interchanges merged by "
        "name). Source positions are Amap GCJ-02 coordinates converted to WGS84 with the "
        "standard inverse (about 1 m). Converted stations lie a median "
        f"{_percentile(distances, 50):.0f} m from their own line's OSM track (p85 "
        f"{_percentile(distances, 85):.0f} m, p95 {_percentile(distances, 95):.0f} m); "
        f"{snapped} stations within {SNAP_MAX_M:.0f} m were moved onto it (snapped_to_track). "
        "Snapping removes the cross-track error; the along-track error remains and is taken "
        "to be like the cross-track one, hence precision_m "
        f"{SNAPPED_PRECISION_M:.0f} (p85 rounded up). Other stations keep the converted source "
        f"position (source_coordinates, precision_m {SOURCE_PRECISION_M:.0f}, p95 rounded up): the "
        "few metro stations farther from the track (where OSM ways look incomplete) and the "
        "tram stops, which have no OSM track to check against. "
        "Stations the July 2026 file dropped (line 2 east end to 龙泉驿, the tram) come from the "
        "January 2025 file; see status. An interchange is one point, on the track of its "
        "nearest line; the platforms of its other lines can be apart (up to "
        f"{farthest_m:.0f} m from the point, e.g. 孵化园 line 18). Two "
        "stations renamed since 2025 (兴业北街 -> "
        "交大兴业北街, 建设北路 -> 电子科大建设北路) are merged. Station names are unique: "
        "neither file lists two distinct stations with the same name (the bracketed suffixes "
        "added in 2026, e.g. 新平（宝墩）, are ignored for matching). S3 (成资) runs on to 资阳: "
        f"its {len(outside)} stations there ({'、'.join(outside['name_zh'])}) are kept with "
        "in_chengdu False and no district; every other station lies inside Chengdu (the "
        "dissolved districts layer)."
    )


def run(out_dir: Path) -> list[str]:
    """Compile ``metro_stations`` and ``metro_lines`` into ``out_dir``."""
    tracks = osm_tracks()
    districts = gpd.read_file(out_dir / "districts.geojson")
    stations, outside = stations_frame(tracks, districts)
    city = shapely.make_valid(shapely.union_all(districts.geometry.values))
    lines = lines_frame(tracks, stations[stations["in_chengdu"]], city)
    spacing = _max_stop_spacing_m(lines.loc[lines["line_id"] == TRAM_LINE_ID, "geometry"].iloc[0])
    files = {}
    files.update(layer_files("metro_stations", stations, {
        "title_zh": "成都轨道交通车站", "title_en": "Chengdu rail transit stations",
        "description": _station_description(
            stations, outside, _farthest_own_track_m(stations, tracks)),
        "columns": STATION_COLUMNS, "required": ["station_id", "name_zh", "lines"],
        "extent": city_extent(out_dir), "data_as_of": load_facts()["data_as_of"],
        "geometry_types": ["Point"], "sources": SOURCES, "licence": LICENCE,
        "attribution": ATTRIBUTION,
    }))
    files.update(layer_files("metro_lines", lines, {
        "title_zh": "成都轨道交通线路", "title_en": "Chengdu rail transit lines",
        "description": (
            f"One feature per line ({len(lines)}). Metro and S3 geometry are the OpenStreetMap "
            "route relations of the line (both directions and every service pattern with the "
            "same ref, e.g. the 18 express and the airport through-service on 19), unioned and "
            "merged; closed ways under 1 km (platform outlines) are dropped; clipped to Chengdu "
            "(the dissolved districts layer), so S3 ends at the boundary on its way to 资阳 and "
            "its station_count is the Chengdu part only. precision_m "
            f"{TRACK_PRECISION_M:.0f}: OSM tunnels are often traced between entrances, and "
            "converted Amap stations lie a median 6 m from these tracks (PROVENANCE). The 蓉2 "
            "tram has no OSM geometry here: it is drawn schematically as straight segments "
            "between its ordered stops (main line 成都西站-郫县西, branch 新业路-仁和, 2025 "
            "file), geocode_method schematic_station_sequence; stops are up to "
            f"{spacing:.0f} m apart and the street-running track can leave the chord by "
            f"hundreds of metres, hence precision_m {SCHEMATIC_PRECISION_M:.0f}. It is not a "
            "track. Colours come from the station files (2026, tram 2025)."
        ),
        "columns": LINE_COLUMNS, "required": ["line_id", "name_zh"],
        "extent": city_extent(out_dir), "data_as_of": load_facts()["data_as_of"],
        "geometry_types": ["MultiLineString"], "sources": SOURCES, "licence": LICENCE,
        "attribution": ATTRIBUTION,
    }))
    write_files(files, out_dir)
    return sorted(files)
