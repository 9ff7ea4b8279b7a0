"""The catalogue layers made from what the OSM reader kept: one builder per layer.

Each builder fills the schema of its catalogue layer (``walk_edges``, ``parks``,
``facilities`` ...), so an import stands in for the embedded layer with the same
columns; :func:`gisplan.sources.read_osm` calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gisplan._arrays import run_offsets
from gisplan._footprint import point_and_radius
from gisplan.crs import METRIC_CRS, WGS84, metric_crs_for, metric_crs_for_lonlat, project_xy
from gisplan.network.ways import chain_edges, great_circle_m
from gisplan.sources._osm_reader import RawOsm
from gisplan.sources._osm_tags import (
    FACILITY_KEY,
    FACILITY_RULE_KEY,
    GREEN_LANDUSE,
    GREEN_NATURAL,
    RESIDENTIAL_LANDUSE,
    STATION_MODES,
    is_station,
)
from gisplan.standards.facilities import FACILITY_CATEGORIES, merge_duplicates
from gisplan.standards.parks import PARK_SERVICE_RADII, classify_parks

__all__ = ["OSM_PRECISION_M", "PARK_MERGE_DISTANCE_M", "cycleways_layer", "facilities_layer",
           "keep_ways", "parks_layer", "polygons", "residential_layer", "stations_layer",
           "walk_layers", "water_layer", "waterways_layer"]

OSM_PRECISION_M = 10.0
"""Horizontal uncertainty of OSM positions in Chinese cities (as for the embedded extract)."""

PARK_MERGE_DISTANCE_M = 100.0
"""Pieces of a park with the same name closer than this are merged into one feature."""


def _frame(records: dict[str, Any], geometry: Any, columns: Iterable[str]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(records, geometry=geometry, crs=WGS84)
    return frame[[*columns, "geometry"]]


def keep_ways(raw: RawOsm, kept: shapely.Geometry | None) -> npt.NDArray[np.bool_]:
    """Per vertex, whether its way crosses or touches ``kept`` (ways are kept whole).

    A way with a vertex in ``kept`` is kept at once; only the others whose bounds meet
    it are tested as lines.
    """
    if kept is None or not len(raw.vertex_way):
        return np.ones(len(raw.vertex_way), dtype=bool)
    shapely.prepare(kept)
    n_ways = len(raw.way_id)
    inside = shapely.contains_xy(kept, raw.vertex_lonlat[:, 0], raw.vertex_lonlat[:, 1])
    way_kept = np.bincount(raw.vertex_way[inside], minlength=n_ways) > 0
    xmin, ymin, xmax, ymax = shapely.bounds(kept)
    lon, lat = raw.vertex_lonlat[:, 0], raw.vertex_lonlat[:, 1]
    near = ((np.bincount(raw.vertex_way[lon >= xmin], minlength=n_ways) > 0)
            & (np.bincount(raw.vertex_way[lon <= xmax], minlength=n_ways) > 0)
            & (np.bincount(raw.vertex_way[lat >= ymin], minlength=n_ways) > 0)
            & (np.bincount(raw.vertex_way[lat <= ymax], minlength=n_ways) > 0))
    test = np.flatnonzero(near & ~way_kept)
    if len(test):
        vertices = np.isin(raw.vertex_way, test)
        ways, local = np.unique(raw.vertex_way[vertices], return_inverse=True)
        lines = shapely.linestrings(raw.vertex_lonlat[vertices], indices=local)
        way_kept[ways] = shapely.intersects(kept, lines)
    return way_kept[raw.vertex_way]


def _joined(values: Iterable[Any]) -> str | None:
    parts = sorted({str(v) for v in values if v})
    return ";".join(parts) if parts else None


def _kind_vertices(raw: RawOsm, keep: np.ndarray, kind: str) -> npt.NDArray[np.intp]:
    """Return the indices of the kept vertices of the ways of one kind (``walk``, ...)."""
    kinds = np.array(raw.way_kind, dtype=object)
    return np.flatnonzero(keep & (kinds[raw.vertex_way] == kind))


def walk_layers(raw: RawOsm, keep: np.ndarray, source: str
                 ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, tuple[Any, ...] | None]:
    sel = _kind_vertices(raw, keep, "walk")
    way, ids, lonlat = raw.vertex_way[sel], raw.vertex_id[sel], raw.vertex_lonlat[sel]
    edge_cols = ["u", "v", "key", "osm_way_ids", "highway", "street_name", "length_m",
                 "source", "precision_m"]
    if not len(sel):
        empty = gpd.GeoDataFrame({c: [] for c in edge_cols}, geometry=[], crs=WGS84)
        nodes = gpd.GeoDataFrame({c: [] for c in ("osmid", "degree", "source", "precision_m")},
                                 geometry=[], crs=WGS84)
        return empty, nodes, None
    node_ids, node = np.unique(ids, return_inverse=True)
    edges = chain_edges(way, node.astype(np.int64))
    vertex, first = edges.vertex, edges.first
    end_nodes = node[vertex[np.concatenate([first[:-1], first[1:] - 1])]]
    end_ids = node_ids[end_nodes]
    n = edges.n_edges
    u, v = end_ids[:n], end_ids[n:]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((hi, lo))
    same = (lo[order][1:] == lo[order][:-1]) & (hi[order][1:] == hi[order][:-1])
    run_start = np.flatnonzero(np.concatenate([[True], ~same]))
    key = np.zeros(n, dtype=np.int64)
    key[order] = run_offsets(np.diff(np.append(run_start, n)))  # rank among parallel edges
    way_ids = np.array(raw.way_id, dtype=np.int64)
    highway = np.array([t.get("highway") for t in raw.way_tags], dtype=object)
    names = np.array([t.get("name") for t in raw.way_tags], dtype=object)
    labels = np.empty(len(way_ids), dtype=object)  # each way's id as text, made once
    used = np.unique(edges.way)
    labels[used] = way_ids[used].astype(str)
    osm_way_ids = labels[edges.way]
    hw, nm = highway[edges.way], names[edges.way]
    for e, ws in edges.chained.items():
        osm_way_ids[e] = _joined(way_ids[ws])
        hw[e] = _joined(highway[ws])
        nm[e] = _joined(names[ws])
    lines = shapely.linestrings(lonlat[vertex], indices=np.repeat(np.arange(n), np.diff(first)))
    edge_frame = _frame({
        "u": u, "v": v, "key": key, "osm_way_ids": osm_way_ids, "highway": hw,
        "street_name": nm, "length_m": np.round(great_circle_m(lonlat[vertex], first), 2),
        "source": source, "precision_m": OSM_PRECISION_M}, lines, edge_cols)
    degree = np.bincount(end_nodes, minlength=len(node_ids))
    graph = np.flatnonzero(degree)
    node_lonlat = np.empty((len(node_ids), 2))
    node_lonlat[node] = lonlat  # a node id has one position
    node_frame = _frame({
        "osmid": node_ids[graph], "degree": degree[graph], "source": source,
        "precision_m": OSM_PRECISION_M}, shapely.points(node_lonlat[graph]),
        ["osmid", "degree", "source", "precision_m"])
    crs = metric_crs_for_lonlat(lonlat[vertex])
    node_xy = project_xy(node_lonlat, WGS84, crs)  # each node once, then its edge vertices
    return edge_frame, node_frame, (node_xy[node[vertex]], first, node[vertex], crs)


def polygons(raw: RawOsm, kept: shapely.Geometry | None
              ) -> tuple[list[str], list[dict[str, str]], np.ndarray]:
    if not raw.polygons:
        return [], [], np.empty(0, dtype=object)
    ids, tags, shapes = zip(*raw.polygons, strict=True)
    geoms = np.asarray(shapes, dtype=object)
    if kept is not None:
        shapely.prepare(kept)
        hit = shapely.intersects(kept, geoms)
        ids = tuple(i for i, h in zip(ids, hit, strict=True) if h)
        tags = tuple(t for t, h in zip(tags, hit, strict=True) if h)
        geoms = geoms[hit]
    return list(ids), list(tags), geoms


def _metric(geoms: np.ndarray) -> gpd.GeoSeries:
    """Project WGS84 geometries to the metric CRS that fits them (EPSG:4544 in Chengdu)."""
    series = gpd.GeoSeries(geoms, crs=WGS84)
    return series.to_crs(metric_crs_for(series) if len(series) else METRIC_CRS)


def _area_m2(geoms: np.ndarray) -> np.ndarray:
    return np.round(_metric(geoms).area.to_numpy(), 1)


def parks_layer(ids: list[str], tags: list[dict[str, str]], geoms: np.ndarray, source: str
           ) -> gpd.GeoDataFrame:
    park = np.array([t.get("leisure") in ("park", "garden") for t in tags], dtype=bool)
    green = np.array([t.get("landuse") in GREEN_LANDUSE or t.get("natural") in GREEN_NATURAL
                      for t in tags], dtype=bool)
    pick = np.flatnonzero(park | green)
    names = [tags[i].get("name") for i in pick]
    metric = _metric(geoms[pick]).to_numpy()
    # pieces of one named park: the same name, each within the merge distance of another
    tree = shapely.STRtree(metric)
    left, right = tree.query(metric, predicate="dwithin", distance=PARK_MERGE_DISTANCE_M)
    same = np.array([names[a] is not None and names[a] == names[b]
                     for a, b in zip(left.tolist(), right.tolist(), strict=True)], dtype=bool)
    k = len(pick)
    _, group = connected_components(coo_matrix(
        (np.ones(int(same.sum())), (left[same], right[same])), shape=(k, k)), directed=False)
    records = []
    order = sorted(range(k), key=lambda i: ids[pick[i]])
    members: dict[int, list[int]] = {}
    for i in order:
        members.setdefault(int(group[i]), []).append(i)
    for rows in sorted(members.values(), key=lambda r: (names[r[0]] is None, names[r[0]] or "",
                                                        ids[pick[r[0]]])):
        first = tags[pick[rows[0]]]
        records.append({
            "name_zh": first.get("name"), "name_en": first.get("name:en"),
            "green_type": _joined(tags[pick[i]].get("leisure") or tags[pick[i]].get("landuse")
                                  or tags[pick[i]].get("natural") for i in rows),
            "park_green": bool(park[pick[rows]].all()),
            "osm_ids": ";".join(ids[pick[i]] for i in rows), "pieces": len(rows),
            "geometry": (geoms[pick[rows[0]]] if len(rows) == 1
                         else shapely.union_all(geoms[pick[rows]])),
        })
    frame = gpd.GeoDataFrame(records, columns=["name_zh", "name_en", "green_type", "park_green",
                                               "osm_ids", "pieces", "geometry"],
                             geometry="geometry", crs=WGS84)
    frame = classify_parks(frame, radii=PARK_SERVICE_RADII) if len(frame) else frame.assign(
        area_m2=[], size_class=[], service_radius_m=[])
    frame["area_m2"] = frame["area_m2"].astype(float).round(1)
    not_park = ~frame["park_green"].astype(bool)
    frame["size_class"] = frame["size_class"].astype(object)
    frame.loc[not_park, "size_class"] = None
    frame.loc[not_park, "service_radius_m"] = np.nan
    frame.insert(0, "park_id", [f"osm_park_{i:05d}" for i in range(1, len(frame) + 1)])
    frame["plan_lines"] = None
    frame["description"] = None
    frame["source"] = source
    frame["precision_m"] = OSM_PRECISION_M
    frame["geocode_method"] = "source_coordinates"
    columns = ["park_id", "name_zh", "name_en", "green_type", "park_green", "area_m2",
               "size_class", "service_radius_m", "pieces", "osm_ids", "plan_lines",
               "description", "source", "precision_m", "geocode_method", "geometry"]
    return frame[columns]


def residential_layer(ids: list[str], tags: list[dict[str, str]], geoms: np.ndarray, source: str
                 ) -> gpd.GeoDataFrame:
    pick = [i for i, t in enumerate(tags) if t.get("landuse") in RESIDENTIAL_LANDUSE]
    chosen = np.asarray(shapely.make_valid(geoms[pick]), dtype=object)
    mixed = ~np.isin(shapely.get_type_id(chosen), [3, 6])
    chosen[mixed] = [_polygonal(g) for g in chosen[mixed]]
    order = sorted(range(len(pick)), key=lambda k: ids[pick[k]])
    pick, chosen = [pick[k] for k in order], chosen[order] if len(order) else chosen
    return _frame({
        "residential_id": [f"osm_residential_{k:05d}" for k in range(1, len(pick) + 1)],
        "osm_id": [ids[i] for i in pick], "name_zh": [tags[i].get("name") for i in pick],
        "landuse": [tags[i]["landuse"] for i in pick],
        "area_m2": _area_m2(chosen), "source": source, "precision_m": OSM_PRECISION_M},
        chosen, ["residential_id", "osm_id", "name_zh", "landuse", "area_m2", "source",
                 "precision_m"])


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Return the polygons of a repaired geometry (``make_valid`` may add lines)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def water_layer(ids: list[str], tags: list[dict[str, str]], geoms: np.ndarray, source: str
           ) -> gpd.GeoDataFrame:
    pick = [i for i, t in enumerate(tags)
            if t.get("natural") == "water" or t.get("waterway") == "riverbank"
            or t.get("landuse") in ("reservoir", "basin")]
    chosen = geoms[pick]
    return _frame({
        "water_id": [f"osm_water_{k:05d}" for k in range(1, len(pick) + 1)],
        "name_zh": [tags[i].get("name") for i in pick],
        "name_en": [tags[i].get("name:en") for i in pick],
        "water_type": [next((tags[i][k] for k in ("water", "landuse", "waterway", "natural")
                             if k in tags[i]), "water") for i in pick],
        "osm_ids": [ids[i] for i in pick], "area_m2": _area_m2(chosen), "source": source,
        "precision_m": OSM_PRECISION_M, "geocode_method": "source_coordinates"}, chosen,
        ["water_id", "name_zh", "name_en", "water_type", "osm_ids", "area_m2", "source",
         "precision_m", "geocode_method"])


def _line_ways(raw: RawOsm, keep: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(way indices, linestrings) of the kept ways of one kind."""
    sel = _kind_vertices(raw, keep, kind)
    owner = raw.vertex_way[sel]
    ways, local = np.unique(owner, return_inverse=True)
    lines = shapely.linestrings(raw.vertex_lonlat[sel], indices=local)
    return ways, np.asarray(lines, dtype=object)


def _length_m(lines: np.ndarray) -> np.ndarray:
    return np.round(_metric(lines).length.to_numpy(), 1)


def waterways_layer(raw: RawOsm, keep: np.ndarray, source: str) -> gpd.GeoDataFrame:
    ways, lines = _line_ways(raw, keep, "waterway")
    tags = [raw.way_tags[w] for w in ways]
    return _frame({
        "waterway_id": [f"osm_waterway_{k:05d}" for k in range(1, len(ways) + 1)],
        "name_zh": [t.get("name") for t in tags], "name_en": [t.get("name:en") for t in tags],
        "waterway": [t.get("waterway") for t in tags],
        "osm_ids": [f"way/{raw.way_id[w]}" for w in ways], "plan_lines": None,
        "length_m": _length_m(lines), "source": source, "precision_m": OSM_PRECISION_M,
        "geocode_method": "source_coordinates"}, lines,
        ["waterway_id", "name_zh", "name_en", "waterway", "osm_ids", "plan_lines", "length_m",
         "source", "precision_m", "geocode_method"])


def cycleways_layer(raw: RawOsm, keep: np.ndarray, source: str) -> gpd.GeoDataFrame:
    ways, lines = _line_ways(raw, keep, "cycle")
    tags = [raw.way_tags[w] for w in ways]
    return _frame({
        "cycleway_id": [f"osm_cycleway_{k:05d}" for k in range(1, len(ways) + 1)],
        "name_zh": [t.get("name") for t in tags], "highway": [t.get("highway") for t in tags],
        "greenway": ["绿道" in (t.get("name") or "") for t in tags],
        "osm_id": [f"way/{raw.way_id[w]}" for w in ways], "length_m": _length_m(lines),
        "source": source, "precision_m": OSM_PRECISION_M}, lines,
        ["cycleway_id", "name_zh", "highway", "greenway", "osm_id", "length_m", "source",
         "precision_m"])


def _points_and_polygons(raw: RawOsm, kept: shapely.Geometry | None, ids: list[str],
                         tags: list[dict[str, str]], geoms: np.ndarray,
                         wanted: Callable[[Mapping[str, str]], bool]
                         ) -> tuple[list[str], list[dict[str, str]], np.ndarray, np.ndarray]:
    """Points (nodes, and polygons reduced to a point on their surface) and their precision.

    Returns ids, tags, points and precision; a point standing for a polygon is known
    within the radius about it that covers the polygon (at least the OSM precision), by
    :func:`gisplan._footprint.point_and_radius`, the rule of the geocoder and compilers.
    """
    node_rows = [p for p in raw.points if wanted(p[1])]
    node_geoms = shapely.points([(p[2], p[3]) for p in node_rows]) if node_rows else np.empty(
        0, dtype=object)
    poly = [i for i, t in enumerate(tags) if wanted(t)]
    poly_geoms = geoms[poly]
    on_surface, radius = point_and_radius(gpd.GeoSeries(poly_geoms, crs=WGS84),
                                          OSM_PRECISION_M)
    precision = np.concatenate([np.full(len(node_rows), OSM_PRECISION_M), radius])
    all_ids = [p[0] for p in node_rows] + [ids[i] for i in poly]
    all_tags = [p[1] for p in node_rows] + [tags[i] for i in poly]
    points = np.concatenate([np.asarray(node_geoms, dtype=object),
                             np.asarray(on_surface.values, dtype=object)])
    if kept is not None and len(points):
        hit = shapely.intersects(kept, points)
        all_ids = [i for i, h in zip(all_ids, hit, strict=True) if h]
        all_tags = [t for t, h in zip(all_tags, hit, strict=True) if h]
        points, precision = points[hit], precision[hit]
    return all_ids, all_tags, points, precision


def facilities_layer(raw: RawOsm, kept: shapely.Geometry | None, ids: list[str],
                tags: list[dict[str, str]], geoms: np.ndarray, source: str) -> gpd.GeoDataFrame:
    fids, ftags, points, precision = _points_and_polygons(
        raw, kept, ids, tags, geoms, lambda t: FACILITY_KEY in t)
    rank = {c.category: i for i, c in enumerate(FACILITY_CATEGORIES)}
    category = [t[FACILITY_KEY] for t in ftags]
    order = sorted(range(len(fids)), key=lambda k: (rank[category[k]], fids[k]))
    frame = merge_duplicates(_frame({
        "name_zh": [ftags[k].get("name") for k in order],
        "category": [category[k] for k in order],
        "category_rule": [ftags[k].get(FACILITY_RULE_KEY) for k in order],
        "osm_id": [fids[k] for k in order],
        "source": source, "precision_m": precision[order] if order else precision,
        "geocode_method": ["source_coordinates" if fids[k].startswith("node/")
                           else "point_on_surface" for k in order]},
        points[order] if order else points,
        ["name_zh", "category", "category_rule", "osm_id", "source", "precision_m",
         "geocode_method"]))
    frame.insert(0, "facility_id", [f"osm_facility_{k:05d}" for k in range(1, len(frame) + 1)])
    return frame.reset_index(drop=True)


def _station_mode(tags: Mapping[str, str]) -> str:
    if tags.get("railway") == "tram_stop":
        return "tram"
    mode = STATION_MODES.get(tags.get("station", ""))
    if mode:
        return mode
    return next((m for key, m in STATION_MODES.items() if tags.get(key) == "yes"), "rail")


def stations_layer(raw: RawOsm, kept: shapely.Geometry | None, ids: list[str],
              tags: list[dict[str, str]], geoms: np.ndarray, source: str) -> gpd.GeoDataFrame:
    sids, stags, points, precision = _points_and_polygons(raw, kept, ids, tags, geoms,
                                                          is_station)
    return _frame({
        "station_id": [f"osm_{i.replace('/', '_')}" for i in sids],
        "name_zh": [t.get("name:zh") or t.get("name") for t in stags],
        "name_en": [t.get("name:en") for t in stags],
        "mode": [_station_mode(t) for t in stags],
        "lines": [t.get("line") or t.get("route_ref") or "" for t in stags],
        "osm_id": sids, "source": source, "precision_m": precision,
        "geocode_method": "source_coordinates"}, points,
        ["station_id", "name_zh", "name_en", "mode", "lines", "osm_id", "source",
         "precision_m", "geocode_method"])


