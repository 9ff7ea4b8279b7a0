"""Import an OpenStreetMap file (PBF or XML, up to a country) for an area of interest.

:func:`read_osm` streams the file once with pyosmium and keeps what lies within the
area plus a margin (:data:`DEFAULT_MARGIN_M`, the largest walking reach in use), so that
stations and parks just outside the area still count and its edge is not
under-covered. It returns an :class:`OsmImport`: the project's layers in their
catalogue schemas (``walk_edges``, ``walk_nodes``, ``parks``, ``residential_land``,
``water``, ``waterways``, ``facilities``) plus ``rail_stations`` and ``cycleways``, and
the walking network built straight from the coordinate arrays
(:meth:`OsmImport.network`).

Every feature's ``source`` names the file and its OSM date (the header's
``osmosis_replication_timestamp``, else the newest object timestamp read), e.g.
``osm:sichuan-latest.osm.pbf@2026-11-30T21:21:02Z``; ``precision_m`` is
:data:`OSM_PRECISION_M` (points standing for polygons: the polygon's half-diagonal);
the layers' metadata credit © OpenStreetMap contributors (ODbL 1.0).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyogrio
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gisplan._arrays import run_offsets
from gisplan._errors import CRSError, GisplanError, LayerFileError
from gisplan._footprint import point_and_radius
from gisplan.crs import METRIC_CRS, WGS84, metric_crs_for
from gisplan.network.build import (
    chain_edges,
    fitting_crs,
    great_circle_m,
    network_from_arrays,
    to_metric,
)
from gisplan.network.graph import WalkNetwork
from gisplan.sources._osm_reader import (
    FACILITY_KEY,
    GREEN_LANDUSE,
    GREEN_NATURAL,
    RESIDENTIAL_LANDUSE,
    STATION_MODES,
    OsmFileError,
    RawOsm,
    file_bounds,
    is_station,
    read_raw,
)
from gisplan.standards.facilities import FACILITY_CATEGORIES
from gisplan.standards.parks import PARK_SERVICE_RADII, classify_parks

__all__ = [
    "DEFAULT_MARGIN_M",
    "MIN_COMPONENT_SHARE",
    "OSM_LAYERS",
    "OSM_PRECISION_M",
    "OsmAreaError",
    "OsmFileError",
    "OsmImport",
    "file_bounds",
    "read_osm",
]

DEFAULT_MARGIN_M = 1000.0
"""Margin kept around the area: the 800 m station radius plus the 50 m street access,
rounded up (park service radii are at most 500 m plus a 50 m entrance distance)."""

OSM_PRECISION_M = 10.0
"""Horizontal uncertainty of OSM positions in Chinese cities (as for the embedded extract)."""

MIN_COMPONENT_SHARE = 0.01
"""Network components with fewer nodes than this share are left out of the network."""

PARK_MERGE_DISTANCE_M = 100.0
"""Pieces of a park with the same name closer than this are merged into one feature."""

OSM_LAYERS = ("walk_edges", "walk_nodes", "parks", "residential_land", "water", "waterways",
              "rail_stations", "cycleways", "facilities")
"""Layers :func:`read_osm` returns."""

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_LICENCE = "ODbL-1.0"


class OsmAreaError(GisplanError, ValueError):
    """An area of interest that the OSM file cannot serve (outside it, no streets, no CRS)."""


@dataclass
class OsmImport:
    """What :func:`read_osm` imported.

    Attributes
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        The layers of :data:`OSM_LAYERS`, in EPSG:4326, each with its metadata in
        ``attrs["gisplan"]``.
    path : pathlib.Path
        The file read.
    source : str
        The ``source`` value of every feature (file name and OSM date).
    osm_date : datetime or None
        Replication timestamp of the file, else its newest object timestamp.
    file_bounds : tuple of float or None
        The box the file's header declares (min_lon, min_lat, max_lon, max_lat).
    area : shapely.Geometry or None
        The area of interest in WGS84 (None: the whole file).
    kept : shapely.Geometry or None
        The area plus the margin, in WGS84: what was kept.
    notes : list of str
        What a reader of the results should know (partial coverage, ...).
    """

    layers: dict[str, gpd.GeoDataFrame]
    path: Path
    source: str
    osm_date: dt.datetime | None
    file_bounds: tuple[float, float, float, float] | None
    area: shapely.Geometry | None
    kept: shapely.Geometry | None
    notes: list[str] = field(default_factory=list)
    _network_input: tuple[Any, ...] | None = field(default=None, repr=False)
    _network: WalkNetwork | None = field(default=None, repr=False)

    def network(self) -> WalkNetwork:
        """Return the walking network, built once from the coordinate arrays.

        Components holding under :data:`MIN_COMPONENT_SHARE` of the nodes (footways
        not joined to the streets, mapping errors) are left out, so that a station
        is never snapped onto an island of a few edges; ``walk_edges`` keeps them.
        """
        if self._network is None:
            if self._network_input is None:
                raise GisplanError("the import holds no walking network")
            xy, first, nodes, crs = self._network_input
            source = f"OpenStreetMap file {self.path.name} ({self.source})"
            self._network = network_from_arrays(xy, first, nodes, source=source, crs=crs,
                                                min_component_share=MIN_COMPONENT_SHARE)
        return self._network

    def summary(self) -> str:
        """Return a few lines: features per layer, extent and OSM date."""
        date = self.osm_date.strftime("%Y-%m-%d %H:%M UTC") if self.osm_date else "unknown"
        lines = [f"OpenStreetMap file {self.path.name}, OSM date {date}"]
        edges = self.layers["walk_edges"]
        if len(edges):
            lines.append(f"extent of the walking network: {_box_text(edges.total_bounds)}")
        for name in OSM_LAYERS:
            frame = self.layers[name]
            extra = ""
            if name == "walk_edges":
                extra = f" ({frame['length_m'].sum() / 1000:.1f} km)"
            elif name in ("parks", "residential_land", "water") and len(frame):
                extra = f" ({frame['area_m2'].sum() / 1e6:.2f} km2)"
            lines.append(f"  {name:18s} {len(frame):8d} features{extra}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _area_wgs84(area: Any) -> shapely.Geometry:
    """Return the area of interest as one WGS84 (multi)polygon, checking its CRS."""
    if isinstance(area, os.PathLike) or (isinstance(area, str) and Path(area).suffix):
        path = Path(area)
        if not path.exists():
            raise LayerFileError(f"area file {str(path)!r} does not exist")
        try:
            area = pyogrio.read_dataframe(path)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise LayerFileError(f"area file {str(path)!r} could not be read: {exc}") from exc
    elif isinstance(area, str):
        from gisplan.catalogue.layers import load_layer

        areas = load_layer("coverage_area")
        if area not in set(areas["area_id"]):
            raise OsmAreaError(
                f"area {area!r} is neither a file nor an area_id of layer coverage_area "
                f"({', '.join(areas['area_id'])})")
        area = areas[areas["area_id"] == area]
    if isinstance(area, shapely.Geometry):
        raise CRSError(
            "the area is a bare shapely geometry without a coordinate system; pass "
            "geopandas.GeoSeries([geometry], crs='EPSG:4326') (or the CRS it is in)")
    if not isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        raise OsmAreaError(f"the area must be a GeoDataFrame, GeoSeries, file or area_id, "
                           f"not {type(area).__name__}")
    if area.crs is None:
        raise CRSError(
            "the area has no coordinate reference system; set it (e.g. "
            "area.set_crs('EPSG:4326')) or save the file with one")
    geoms = area.geometry if isinstance(area, gpd.GeoDataFrame) else area
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if not len(geoms) or not np.isin(geoms.geom_type, ["Polygon", "MultiPolygon"]).all():
        raise OsmAreaError("the area must hold polygons (found "
                           f"{sorted(set(geoms.geom_type)) or 'nothing'})")
    wgs = geoms.to_crs(WGS84)
    x0, y0, x1, y1 = wgs.total_bounds
    if not (np.isfinite([x0, y0, x1, y1]).all() and -180 <= x0 <= x1 <= 180
            and -90 <= y0 <= y1 <= 90):
        x0, y0, x1, y1 = geoms.total_bounds
        raise CRSError(
            f"the area's coordinates ({x0:.6g}..{x1:.6g}, {y0:.6g}..{y1:.6g}) do not fit its "
            f"declared CRS {area.crs.to_string()}: the CRS is wrong; set the one the "
            "coordinates are in (e.g. EPSG:4544 for metres in Chengdu)")
    return shapely.make_valid(shapely.union_all(wgs.values))


def _box_text(box: Sequence[float]) -> str:
    """Return a WGS84 box (min_lon, min_lat, max_lon, max_lat) as text (``104.0-104.1 E, ...``)."""
    return f"{box[0]:.4f}-{box[2]:.4f} E, {box[1]:.4f}-{box[3]:.4f} N"


def _kept_region(area: shapely.Geometry, margin_m: float) -> shapely.Geometry:
    if margin_m == 0:
        return area
    region = gpd.GeoSeries([area], crs=WGS84)
    return region.to_crs(metric_crs_for(region)).buffer(margin_m).to_crs(WGS84).iloc[0]


def _osm_date(raw: RawOsm) -> dt.datetime | None:
    return raw.replication_time or raw.newest_object


def _meta(name: str, path: Path, source: str, description: str,
          extent: dict[str, Any] | None) -> dict[str, Any]:
    from gisplan.catalogue.layers import layer_metadata, list_layers

    base = layer_metadata(name) if name in set(list_layers()) else {
        "name": name, "title_en": name.replace("_", " ").capitalize(), "title_zh": name}
    base.pop("extent", None)  # the embedded layer's extent is not the file's
    return {
        **base,
        **({} if extent is None else {"extent": extent}),
        "description": f"Imported from the OpenStreetMap file {path.name} ({source}). "
        + description,
        "sources": [{"id": source, "title": f"OpenStreetMap file {path.name}",
                     "licence": OSM_LICENCE, "attribution": OSM_ATTRIBUTION,
                     "url": "https://www.openstreetmap.org/copyright"}],
        "licence": OSM_LICENCE,
        "attribution": OSM_ATTRIBUTION,
    }


def _import_extent(path: Path, bounds: tuple[float, float, float, float] | None,
                   kept: shapely.Geometry | None) -> dict[str, Any] | None:
    """Return the extent record of imported layers: the file's bounds, cut to the area kept."""
    from gisplan.catalogue.extent import extent_record

    region = None if bounds is None else shapely.box(*bounds)
    if kept is not None:
        region = kept if region is None else shapely.intersection(region, kept)
    if region is None or shapely.area(region) <= 0:
        return None
    what = "its bounds" + ("" if kept is None else " within the area imported")
    return extent_record(region, f"the OpenStreetMap file {path.name} ({what})")


def _frame(records: dict[str, Any], geometry: Any, columns: Iterable[str]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(records, geometry=geometry, crs=WGS84)
    return frame[[*columns, "geometry"]]


def _keep_ways(raw: RawOsm, kept: shapely.Geometry | None) -> npt.NDArray[np.bool_]:
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


def _walk_layers(raw: RawOsm, keep: np.ndarray, source: str
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
    crs = fitting_crs(lonlat[vertex])
    node_xy = to_metric(node_lonlat, crs)  # each node once, then its edge vertices
    return edge_frame, node_frame, (node_xy[node[vertex]], first, node[vertex], crs)


def _polygons(raw: RawOsm, kept: shapely.Geometry | None
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


def _parks(ids: list[str], tags: list[dict[str, str]], geoms: np.ndarray, source: str
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


def _residential(ids: list[str], tags: list[dict[str, str]], geoms: np.ndarray, source: str
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


def _water(ids: list[str], tags: list[dict[str, str]], geoms: np.ndarray, source: str
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


def _waterways(raw: RawOsm, keep: np.ndarray, source: str) -> gpd.GeoDataFrame:
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


def _cycleways(raw: RawOsm, keep: np.ndarray, source: str) -> gpd.GeoDataFrame:
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


def _facilities(raw: RawOsm, kept: shapely.Geometry | None, ids: list[str],
                tags: list[dict[str, str]], geoms: np.ndarray, source: str) -> gpd.GeoDataFrame:
    fids, ftags, points, precision = _points_and_polygons(
        raw, kept, ids, tags, geoms, lambda t: FACILITY_KEY in t)
    rank = {c.category: i for i, c in enumerate(FACILITY_CATEGORIES)}
    category = [t[FACILITY_KEY] for t in ftags]
    order = sorted(range(len(fids)), key=lambda k: (rank[category[k]], fids[k]))
    return _frame({
        "facility_id": [f"osm_facility_{k:05d}" for k in range(1, len(order) + 1)],
        "name_zh": [ftags[k].get("name") for k in order],
        "category": [category[k] for k in order], "osm_id": [fids[k] for k in order],
        "source": source, "precision_m": precision[order] if order else precision,
        "geocode_method": ["source_coordinates" if fids[k].startswith("node/")
                           else "point_on_surface" for k in order]},
        points[order] if order else points,
        ["facility_id", "name_zh", "category", "osm_id", "source", "precision_m",
         "geocode_method"])


def _station_mode(tags: Mapping[str, str]) -> str:
    if tags.get("railway") == "tram_stop":
        return "tram"
    mode = STATION_MODES.get(tags.get("station", ""))
    if mode:
        return mode
    return next((m for key, m in STATION_MODES.items() if tags.get(key) == "yes"), "rail")


def _stations(raw: RawOsm, kept: shapely.Geometry | None, ids: list[str],
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


_DESCRIPTIONS = {
    "walk_edges": "Walking network: ways the osmnx 'walk' filter keeps (no motorways, "
    "cycleways, foot=no, private, area=yes), cut at the nodes where streets branch or end "
    "(as osmnx simplify_graph), one undirected edge per street piece, every component kept. "
    "length_m is the great-circle length. Ways with a node in the area plus the margin are "
    "kept whole.",
    "walk_nodes": "Nodes where walking edges branch or end, with their degree.",
    "parks": "leisure=park/garden (公园绿地, GB/T 50563-2010 size class and service radius) and "
    "other green (landuse grass/meadow/village_green/forest, natural "
    "wood/scrub; park_green False, no radius). Pieces with the same name within "
    f"{PARK_MERGE_DISTANCE_M:.0f} m of each other are one feature.",
    "residential_land": "landuse=residential polygons (居住用地), the denominator of park "
    "service coverage in GB/T 50563.",
    "water": "natural=water, waterway=riverbank, landuse=reservoir/basin polygons.",
    "waterways": "waterway=river/canal/stream/drain centrelines, one feature per way.",
    "rail_stations": "railway=station/halt/tram_stop and public_transport=station with "
    "subway/light_rail/monorail/tram/train=yes: metro, suburban, tram and national-rail "
    "stations and stops with their names; polygons reduced to a point on their surface.",
    "cycleways": "highway=cycleway, paths/footways/tracks with bicycle=designated, and ways "
    "whose name contains 绿道 (greenway True: the Tianfu Greenway where mapped).",
    "facilities": "Everyday facilities by gisplan.standards.facilities (one table for every OSM "
    "reader); mapped areas reduced to a point on their surface (geocode_method "
    "point_on_surface, precision_m the radius about it covering the area).",
}


def read_osm(
    path: str | os.PathLike[str],
    area: Any = None,
    *,
    margin_m: float = DEFAULT_MARGIN_M,
    progress: Callable[[float], None] | None = None,
) -> OsmImport:
    """Import an OpenStreetMap file for an area of interest.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` (any size, up to a country) or ``.osm`` XML file.
    area : GeoDataFrame, GeoSeries, str or os.PathLike, optional
        The area of interest, in any CRS (it must declare one): polygons, a polygon file,
        or an ``area_id`` of the ``coverage_area`` layer. None keeps the whole file.
    margin_m : float, optional
        What lies within this many metres of the area is kept too
        (:data:`DEFAULT_MARGIN_M`); ways with a node there are kept whole.
    progress : callable, optional
        Called after each block of the file with the share of it read so far (0 to 1).

    Returns
    -------
    OsmImport
        The layers, the walking network and what the file is.

    Raises
    ------
    OsmFileError
        The file is missing, not OSM, truncated or corrupt.
    OsmAreaError
        The area lies outside the file's bounds (the message names them), or holds no
        walkable way, or is not polygons.
    CRSError
        The area has no CRS, or coordinates that do not fit its CRS.
    """
    path = Path(path)
    if not np.isfinite(margin_m) or margin_m < 0:
        raise OsmAreaError(f"margin_m must be a non-negative number of metres, got {margin_m}")
    aoi = None if area is None else _area_wgs84(area)
    bounds = file_bounds(path)
    kept = None if aoi is None else _kept_region(aoi, margin_m)
    notes = []
    if aoi is not None and bounds is not None:
        box = shapely.box(*bounds)
        if not shapely.intersects(box, aoi):
            raise OsmAreaError(
                f"the area ({_box_text(aoi.bounds)}) lies outside the bounds of "
                f"{path.name} ({_box_text(bounds)}); give a file that covers it or an area "
                "inside those bounds (check the area's CRS)")
        share = shapely.area(shapely.intersection(box, aoi)) / max(shapely.area(aoi), 1e-30)
        if share < 0.999:
            notes.append(f"{path.name} covers {share:.1%} of the area (file bounds "
                         f"{_box_text(bounds)}); results outside them lack OSM data")
    raw = read_raw(path, None if kept is None else kept.bounds, progress=progress)
    date = _osm_date(raw)
    source = f"osm:{path.name}@{date.strftime('%Y-%m-%dT%H:%M:%SZ') if date else 'undated'}"
    if date is None:
        notes.append(f"{path.name} holds no replication timestamp nor object timestamps: "
                     "the OSM date is unknown")
    keep = _keep_ways(raw, kept)
    edges, nodes, network_input = _walk_layers(raw, keep, source)
    if not len(edges):
        extent = raw.data_bounds or bounds
        where = f" (the file's data spans {_box_text(extent)})" if extent else ""
        inside = "the area" if aoi is not None else "the file"
        raise OsmAreaError(
            f"{inside} holds no walkable ways in {path.name}{where}; give an area the file "
            "covers with streets, or a file with highways")
    ids, tags, geoms = _polygons(raw, kept)
    layers = {
        "walk_edges": edges, "walk_nodes": nodes,
        "parks": _parks(ids, tags, geoms, source),
        "residential_land": _residential(ids, tags, geoms, source),
        "water": _water(ids, tags, geoms, source),
        "waterways": _waterways(raw, keep, source),
        "rail_stations": _stations(raw, kept, ids, tags, geoms, source),
        "cycleways": _cycleways(raw, keep, source),
        "facilities": _facilities(raw, kept, ids, tags, geoms, source),
    }
    complete = _import_extent(path, bounds or raw.data_bounds, kept)
    for name, frame in layers.items():
        frame.attrs["gisplan"] = _meta(name, path, source, _DESCRIPTIONS[name], complete)
    return OsmImport(layers, path, source, date, bounds, aoi, kept, notes, network_input)

