"""Compile ``rail_sections``: Chengdu's rail network section by section, dated and cited.

Each feature is a section of a line as it was opened (or is being built, or is
planned), with its dates, official length and sources from
``compile_layers/rail_history.json``. Geometry is cut from the ``metro_lines`` track
of the section's line(s) along the shortest track path between consecutive stations
of the section (so the two directions of a line count once); sections without track
(lines under construction) get straight chords between their planned stations, marked
schematic, or no geometry when no station is public.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree

from compile_layers._common import (
    GEOCODE_COLUMN,
    PROVENANCE_COLUMNS,
    city_extent,
    layer_files,
    write_files,
)
from compile_layers._metro_raw import base_name
from compile_layers._rail_history import STATUSES, expand_path, line_sequences, load_facts
from gisplan.analysis.rail import rail_route_length_km
from gisplan.crs import METRIC_CRS, WGS84

SEGMENT_M = 25.0
"""Track geometry is densified to this vertex spacing before stations are matched to it."""
GAP_MAX_M = 500.0
"""Gaps in the OSM track (unconnected ways) up to this length are bridged by a straight edge."""
CROSSOVER_M = 40.0
"""Vertices of a line's tracks closer than this are joined, so a path may change track.

OSM draws the two directions of a line as separate ways joined only at the ends: without
these links the path between stations matched to opposite tracks runs to the terminus
and back.
"""
TRACK_CUT_PRECISION_M = 40.0
SCHEMATIC_PRECISION_M = 500.0
TRAM_PRECISION_M = 1000.0
NO_GEOMETRY_PRECISION_M = 100000.0
"""Sections without geometry: somewhere in the Chengdu metropolitan area (about 100 km)."""


class TrackGraph:
    """The track of one line as a graph of its (densified) vertices, in EPSG:4544."""

    def __init__(self, geometry: shapely.Geometry) -> None:
        self.graph = nx.Graph()
        for part in shapely.get_parts(shapely.segmentize(geometry, SEGMENT_M)):
            coords = [(round(float(x), 2), round(float(y), 2))
                      for x, y in shapely.get_coordinates(part)]
            for a, b in itertools.pairwise(coords):
                if a != b:
                    self._join(a, b)
        self._bridge_gaps()
        self.nodes = list(self.graph.nodes)
        self.tree = cKDTree(np.array(self.nodes))
        for i, j in self.tree.query_pairs(CROSSOVER_M):
            a, b = self.nodes[i], self.nodes[j]
            if not self.graph.has_edge(a, b):
                self._join(a, b)

    def _join(self, a: tuple[float, float], b: tuple[float, float]) -> None:
        """Add the straight edge a-b, weighted by its length."""
        self.graph.add_edge(a, b, weight=float(np.hypot(a[0] - b[0], a[1] - b[1])))

    def _bridge_gaps(self) -> None:
        """Join each smaller piece of track to the nearest other piece within GAP_MAX_M."""
        while True:
            parts = sorted(nx.connected_components(self.graph), key=len)
            if len(parts) < 2:
                return
            small = list(parts[0])
            others = [n for part in parts[1:] for n in part]
            distance, index = cKDTree(np.array(others)).query(np.array(small))
            best = int(np.argmin(distance))
            if distance[best] > GAP_MAX_M:
                return
            self.graph.add_edge(small[best], others[int(index[best])], weight=float(distance[best]))

    def nearest(self, point: shapely.Point) -> tuple[float, float]:
        """Return the graph node nearest to ``point``."""
        return self.nodes[int(self.tree.query([point.x, point.y])[1])]

    def path(self, a: shapely.Point, b: shapely.Point) -> shapely.LineString | None:
        """Return the shortest track path between the nodes nearest to ``a`` and ``b``.

        None when both match the same node.
        """
        nodes = nx.shortest_path(self.graph, self.nearest(a), self.nearest(b), weight="weight")
        return shapely.LineString(nodes) if len(nodes) > 1 else None


def _geometry(section: dict[str, Any], paths: list[list[str]], points: dict[str, shapely.Point],
              graphs: dict[str, TrackGraph]) -> tuple[shapely.Geometry | None, str, float | None]:
    pieces = []
    method = "none"
    for spec, names in zip(section["paths"], paths, strict=True):
        if spec.get("shared"):
            continue
        stops = [points[n] for n in names]
        if spec["track"] is None:
            pieces.append(shapely.LineString(stops))
            method = "schematic_station_chords"
            continue
        graph = graphs[spec["track"]]
        pieces.extend(piece for a, b in itertools.pairwise(stops)
                      if (piece := graph.path(a, b)) is not None)
        method = "track_between_stations"
    if not pieces:
        return None, method, NO_GEOMETRY_PRECISION_M
    merged = shapely.line_merge(shapely.MultiLineString(pieces))
    merged = shapely.simplify(merged, 1.0)
    if merged.geom_type != "MultiLineString":
        merged = shapely.MultiLineString([merged])
    geometry = merged
    if method == "schematic_station_chords":
        precision = SCHEMATIC_PRECISION_M
    elif section["mode"] == "tram":
        precision = TRAM_PRECISION_M
    else:
        precision = TRACK_CUT_PRECISION_M
    return geometry, method, precision


def sections_frame(lines: gpd.GeoDataFrame, stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Build the ``rail_sections`` frame from the facts and the compiled metro layers."""
    facts = load_facts()
    sequences = line_sequences()
    metric_lines = lines.to_crs(METRIC_CRS)
    graphs = {row.line_id: TrackGraph(row.geometry) for row in metric_lines.itertuples()}
    points = dict(zip(stations["name_zh"].map(base_name), stations.to_crs(METRIC_CRS).geometry,
                      strict=True))
    records = []
    for section in facts["sections"]:
        paths = [expand_path(p, sequences) for p in section["paths"]]
        geometry, method, precision = _geometry(section, paths, points, graphs)
        own = [p for p, spec in zip(paths, section["paths"], strict=True) if not spec.get("shared")]
        names = list(dict.fromkeys(n for p in own for n in p))
        records.append({
            "section_id": section["section_id"], "line_id": section["line_id"],
            "mode": section["mode"], "name_zh": section["name_zh"],
            "name_en": section["name_en"],
            "end_stations": ";".join(f"{p[0]}-{p[-1]}" for p in own) or None,
            "stations": ";".join(names) or None, "station_count": len(names),
            "tracks": ";".join(dict.fromkeys(s["track"] for s in section["paths"]
                                             if s["track"] is not None)) or None,
            "opened": section["opened"], "construction_from": section["construction_from"],
            "status": section["status"], "official_km": section["official_km"],
            "official_km_basis": section.get("official_km_basis"),
            "date_sources": ";".join(section["date_sources"]),
            "length_sources": ";".join(section["length_sources"]) or None,
            "note": section["note"],
            "source": section["date_sources"][0], "precision_m": precision,
            "geocode_method": method, "geometry": geometry,
        })
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=METRIC_CRS)
    measured = np.full(len(frame), np.nan)
    has = frame.geometry.notna().to_numpy()
    measured[has] = rail_route_length_km(frame[has])
    frame.insert(frame.columns.get_loc("official_km_basis") + 1, "measured_km",
                 np.round(measured, 3))
    return frame.to_crs(WGS84)


COLUMNS = {
    "section_id": {"type": "str", "description": "stable id: line and phase (1-1 = line 1 "
                   "phase I; b = a part of a phase)"},
    "line_id": {"type": "str", "description": "line the section belongs to (1 ... 30, S3, S5, "
                "S11, 蓉2 = tram; S2, S13, phase5 for planned work)"},
    "mode": {"type": "str", "description": "metro (城市轨道交通 lines, including the 市域快线 run "
             "as metro: 17, 18, 19), suburban (市域铁路: S3 资阳线, S5, S11, S2, S13) or tram"},
    "name_zh": {"type": "str", "description": "section name as the sources call it"},
    "name_en": {"type": "str", "description": "English section name"},
    "end_stations": {"type": "str", "description": "end stations of each stretch, 'A-B', "
                     "';'-joined (a phase can extend a line at both ends)"},
    "stations": {"type": "str", "description": "stations of the section in order, ';'-joined "
                 "(shared ends included)"},
    "station_count": {"type": "int", "description": "number of names in stations"},
    "tracks": {"type": "str", "description": "lines of metro_lines whose track the section "
               "runs on (17-1 runs on today's line 19 track between 金星 and 九江北)"},
    "opened": {"type": "str", "description": "opening date YYYY-MM-DD (start of passenger "
               "service); empty when not open"},
    "construction_from": {"type": "str", "description": "date YYYY-MM-DD from which a source "
                          "shows the section under construction (start of works where "
                          "published); empty when not known (sections opened before 2019)"},
    "status": {"type": "str", "description": "status on the compile date: " + ", ".join(
        STATUSES) + "; gisplan.load_layer(..., as_of=) gives the status on any date"},
    "official_km": {"type": "float", "description": "official length of the section (km): "
                    "published for it, or derived from a figure published for its line (see "
                    "official_km_basis); empty where no source gives one"},
    "official_km_basis": {"type": "str", "description": "'published' (a figure for the "
                          "section) or 'derived' (the line's published figure less its other "
                          "sections: the sections of a line sum to the line's figure)"},
    "measured_km": {"type": "float", "description": "route length of the geometry (km, "
                    "EPSG:4544, parallel tracks once, gisplan.analysis.rail.rail_route_length_km); "
                    "S3 only inside Chengdu; the tram and schematic chords are shorter than the "
                    "real track"},
    "date_sources": {"type": "str", "description": "ids of the sources of the dates "
                     "(metadata 'sources')"},
    "length_sources": {"type": "str", "description": "ids of the sources of official_km"},
    "note": {"type": "str", "description": "where sources disagree, what was taken and why; "
             "other caveats"},
    **PROVENANCE_COLUMNS,
    **GEOCODE_COLUMN,
}


def _description(frame: gpd.GeoDataFrame, facts: dict[str, Any]) -> str:
    counts = frame["status"].value_counts()
    disputes = [f"{row.section_id}: {row.note}" for row in frame.itertuples()
                if isinstance(row.note, str) and ("taken" in row.note or "disputed" in row.note)]
    return (
        f"Chengdu's rail network section by section ({len(frame)} features: "
        f"{counts.get('operating', 0)} operating, {counts.get('under_construction', 0)} under "
        f"construction, {counts.get('planned', 0)} planned on the compile date). Every date and "
        "official length is cited (date_sources, length_sources -> 'sources', each with its URL "
        "and date); facts were cross-checked in two independent sources where found. Geometry: "
        "for opened sections, the metro_lines track between consecutive stations of the section "
        "(shortest path on the track densified to 25 m; a station is matched to the nearest "
        f"track vertex), precision_m {TRACK_CUT_PRECISION_M:.0f}; the tram follows the "
        f"schematic tram line of metro_lines (precision_m {TRAM_PRECISION_M:.0f}); sections "
        "under construction with public stations are straight chords between them "
        f"(schematic_station_chords, precision_m {SCHEMATIC_PRECISION_M:.0f}); the others "
        "have no geometry and their official length only (precision_m "
        f"{NO_GEOMETRY_PRECISION_M:.0f}: somewhere in the metropolitan area). "
        "Stations of metro_stations carry "
        "opened and line_opened from these sections. Where sources disagree: "
        + " | ".join(disputes) + ". Announced network totals, used by the tests: "
        + "; ".join(f"{t['date']} {t['total_km']:g} km ({t['scope']}; {t['wording']})"
                    for t in facts["network_totals"]) + "."
    )


def run(out_dir: Path) -> list[str]:
    """Compile ``rail_sections`` into ``out_dir`` (after ``metro``)."""
    lines = gpd.read_file(out_dir / "metro_lines.geojson")
    stations = gpd.read_file(out_dir / "metro_stations.geojson")
    facts = load_facts()
    frame = sections_frame(lines, stations)
    sources = [{**s, "licence": "facts (dates, lengths) compiled with the source named",
                "attribution": s["title"]} for s in facts["sources"]]
    files = layer_files("rail_sections", frame, {
        "title_zh": "成都轨道交通分段开通与在建",
        "title_en": "Chengdu rail sections by opening date",
        "description": _description(frame, facts),
        "columns": COLUMNS, "required": ["section_id", "line_id", "mode", "status"],
        "geometry_types": ["MultiLineString"], "sources": sources,
        "licence": "ODbL-1.0 for the track geometry (© OpenStreetMap contributors, via "
        "metro_lines); dates and lengths are facts compiled with their sources named",
        "attribution": "© OpenStreetMap contributors; dates and lengths from the news and "
        "official releases listed in 'sources'",
        "extent": city_extent(out_dir), "data_as_of": facts["data_as_of"],
    })
    write_files(files, out_dir)
    return sorted(files)
