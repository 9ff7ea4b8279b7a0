"""Service-area coverage: rail-station catchments and park service radii.

Two indicators of the plan are shares of an area lying within a distance of a
facility:

* 「中心城区建成区轨道站点800米范围覆盖面超过50%」 (plan L2464):
  :func:`station_coverage`;
* 「公园绿地服务半径覆盖率不低于90%」 (plan L1849): :func:`park_coverage`, with the
  service radii of GB/T 50563 (:data:`gisplan.standards.parks.PARK_SERVICE_RADII`).

The plan says neither whether a distance is straight-line or along streets nor
which polygon is the 建成区, so both methods are offered and the area is an input:

``method="euclidean"``
    Union of discs (stations) or of polygon buffers (parks). Discs are 128-gons, whose
    area is within 0.05 % of pi r^2.
``method="network"``
    Distance along a :class:`~gisplan.network.graph.WalkNetwork`. Sources are snapped to
    the nearest street (the snap distance counts towards the radius); one Dijkstra
    pass gives every node its distance to the nearest source; every street segment
    within the radius is kept, partial segments up to the remaining distance; the
    land within the street-access distance (:data:`DEFAULT_ACCESS_M`) of the kept
    segments is covered. That land is built on a grid of ``access_distance / 4``
    cells (12.5 m by default; see :mod:`gisplan.analysis._coverage_grid`): a city's worth of
    catchments takes tens of milliseconds instead of seconds, and its area agrees with
    the exact buffer-and-dissolve to about 1 % (the tests check 1.5 % on the embedded
    network and on synthetic grids; ``benchmarks/coverage_bench.py`` prints the
    difference). ``exact_area=True`` buffers and dissolves with GEOS instead.

Measurement is made in the metric CRS that fits the area
(:func:`gisplan.crs.metric_crs_for`: EPSG:4544 for Chengdu), recorded in
``params["crs"]``; the network method measures in the network's CRS
(:attr:`~gisplan.network.graph.WalkNetwork.crs`, chosen the same way from its streets). The
covered geometry is returned in that CRS.

The measured area is compared with the extents where the inputs are complete
(:func:`gisplan.catalogue.extent.check_extents`): beyond them the result says so in ``notes`` and
an :class:`~gisplan.IncompleteDataWarning` (an error with ``strict=True``); an area
that shares nothing with them is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from gisplan._arrays import run_offsets
from gisplan._errors import CoverageInputError, CRSError
from gisplan._validate import check_coordinate_units, positive_distance
from gisplan.analysis._coverage_grid import grid_cover
from gisplan.analysis.population import PopulationInput, population_totals
from gisplan.catalogue.extent import check_extents, layer_extent
from gisplan.crs import METRIC_CRS, metric_crs_for
from gisplan.network.graph import EdgeSources, WalkNetwork, load_walk_network
from gisplan.standards.parks import PARK_SERVICE_RADII

__all__ = [
    "CIRCLE_QUAD_SEGS",
    "DEFAULT_ACCESS_M",
    "DEFAULT_MAX_SNAP_M",
    "DEFAULT_PARK_ENTRANCE_M",
    "DEFAULT_RADIUS_M",
    "CoverageInputError",
    "CoverageResult",
    "park_coverage",
    "park_service_radius",
    "station_coverage",
]

DEFAULT_RADIUS_M = 800.0
"""Station catchment radius of plan L2464 (「轨道站点800米范围」)."""
DEFAULT_ACCESS_M = 50.0
"""Street-access distance: land within this distance of a reached street is covered."""
DEFAULT_MAX_SNAP_M = 400.0
"""A source farther than this from every street is reported unreachable, not used."""
DEFAULT_PARK_ENTRANCE_M = 50.0
"""Streets within this distance of a park count as its entrances (entrances are unknown)."""
CIRCLE_QUAD_SEGS = 32
"""Segments per quarter circle of a catchment disc: a 128-gon, area error < 0.05 %."""
ACCESS_QUAD_SEGS = 4
"""Segments per quarter circle of the street-access buffer (``exact_area=True``)."""
GRID_CELLS_PER_ACCESS = 4
"""Network method: the covered area is built on cells of ``access_distance / 4``."""

METHODS = ("euclidean", "network")

Intervals = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class CoverageResult:
    """Result of a coverage computation.

    Attributes
    ----------
    share : float
        Covered area / total area, between 0 and 1.
    covered_km2, total_km2 : float
        Covered and total area in km2 (in ``params["crs"]``).
    by_group : pandas.DataFrame
        Per group (e.g. district) sharing at least 1 m2 with the area: ``group``,
        ``total_km2`` (its part of the area), ``covered_km2``, ``share``; empty when
        no groups were given.
    covered : geopandas.GeoSeries
        The covered part of the area (one geometry, in ``params["crs"]``).
    params : dict
        Everything the number depends on: method, radius, area name, distances, data,
        and ``crs``, the metric CRS of the measurement.
    snap_distances : pandas.DataFrame
        Network method: per source that could reach the area (input index; sources
        farther than radius + access distance from it are left out, as no walk is
        shorter than the straight line), ``snap_m`` (NaN if not snapped),
        ``component_nodes`` (size of the network component it snapped to; for a park
        touching several, the largest) and
        ``reachable``. Empty for the Euclidean method.
    unreachable : list
        Input index labels of sources that could not be placed on the network.
    population_share : float or None
        Share of the population of the area living in the covered part, when a
        population layer was given.
    notes : list of str
        Caveats worth reporting next to the number.
    """

    share: float
    covered_km2: float
    total_km2: float
    by_group: pd.DataFrame
    covered: gpd.GeoSeries
    params: dict[str, Any]
    snap_distances: pd.DataFrame
    unreachable: list[Any]
    population_share: float | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- inputs


def _geometries(data: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> gpd.GeoSeries:
    """Return the geometries of an input, after checking its type, CRS and units."""
    if not isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        raise CoverageInputError(
            f"{what} must be a GeoDataFrame or GeoSeries with a CRS, got {type(data).__name__}"
        )
    if data.crs is None:
        raise CRSError(
            f"{what} have no CRS; set it (e.g. .set_crs('EPSG:4326') for WGS84 data, or "
            "convert GCJ-02 data with gisplan.crs.to_wgs84 first)"
        )
    geoms = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    check_coordinate_units(geoms, data.crs.is_geographic, data.crs.to_string(), what)
    return geoms


def _metric(data: gpd.GeoDataFrame | gpd.GeoSeries, what: str, crs: str) -> gpd.GeoSeries:
    return _geometries(data, what).to_crs(crs)


def _measuring_crs(area: gpd.GeoDataFrame | gpd.GeoSeries, method: str,
                   network: WalkNetwork | None = None) -> str:
    """Return the metric CRS of a computation: the network's, or one fitting the area."""
    if method == "network":
        # the embedded network (load_walk_network) is in METRIC_CRS
        return network.crs if isinstance(network, WalkNetwork) else METRIC_CRS
    geoms = _geometries(area, "area")
    if (geoms.isna() | geoms.is_empty).all():
        raise CoverageInputError("area have no area; a share of an empty area is undefined")
    return metric_crs_for(geoms)


def _points(stations: gpd.GeoDataFrame | gpd.GeoSeries, crs: str) -> gpd.GeoSeries:
    geoms = _metric(stations, "stations", crs)
    missing = geoms.isna() | geoms.is_empty
    if missing.any():
        raise CoverageInputError(
            f"{int(missing.sum())} station(s) have no geometry (index "
            f"{list(geoms.index[missing][:5])}); drop or locate them"
        )
    kinds = set(geoms.geom_type)
    if kinds - {"Point"}:
        raise CoverageInputError(
            f"stations must be Points, found {sorted(kinds)}; use representative points "
            "(e.g. frame.representative_point()) if you have station polygons"
        )
    return geoms


def _polygon_union(data: gpd.GeoDataFrame | gpd.GeoSeries, what: str,
                   crs: str) -> shapely.Geometry:
    geoms = _metric(data, what, crs)
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    kinds = set(geoms.geom_type)
    if kinds - {"Polygon", "MultiPolygon"}:
        raise CoverageInputError(f"{what} must be polygons, found {sorted(kinds)}")
    invalid = ~geoms.is_valid
    if invalid.any():
        reasons = list(shapely.is_valid_reason(geoms[invalid].values[:3]))
        raise CoverageInputError(
            f"{int(invalid.sum())} invalid polygon(s) in {what} (e.g. {reasons}); repair "
            "them with shapely.make_valid (or QGIS 'Fix geometries') and check the result"
        )
    union = shapely.union_all(geoms.values)
    if union.is_empty or union.area <= 0:
        raise CoverageInputError(f"{what} have no area; a share of an empty area is undefined")
    return union


def _area_name(area: gpd.GeoDataFrame | gpd.GeoSeries, name: str | None) -> str:
    if name is not None:
        return name
    if isinstance(area, gpd.GeoDataFrame) and "area_id" in area.columns and len(area):
        return ";".join(str(a) for a in area["area_id"])
    return "user area"


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise CoverageInputError(f"method must be one of {METHODS}, got {method!r}")


def _distances(**values: Any) -> dict[str, float]:
    """Each distance argument checked by :func:`gisplan._validate.positive_distance`."""
    return {name: positive_distance(value, name) for name, value in values.items()}


# ----------------------------------------------------------------------- geometry


def _substrings(net: WalkNetwork, edge: npt.NDArray[np.int64], start: npt.NDArray[np.float64],
                end: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    """Vectorised ``shapely.ops.substring``: the part of each edge from ``start`` to ``end``."""
    if not len(edge):
        return np.empty(0, dtype=object)
    xy, first, along = net.edge_vertices
    count = first[edge + 1] - first[edge]
    owner = np.repeat(np.arange(len(edge)), count)
    vertex = np.repeat(first[edge], count) + run_offsets(count)
    inner = (along[vertex] > start[owner]) & (along[vertex] < end[owner])
    geoms = net.edge_lines(edge)
    head = shapely.get_coordinates(shapely.line_interpolate_point(geoms, start))
    tail = shapely.get_coordinates(shapely.line_interpolate_point(geoms, end))
    idx = np.arange(len(edge))
    points = np.concatenate([head, xy[vertex[inner]], tail])
    line = np.concatenate([idx, owner[inner], idx])
    rank = np.concatenate([np.zeros(len(idx)), np.ones(inner.sum()), np.full(len(idx), 2.0)])
    order = np.lexsort((rank, np.concatenate([start, along[vertex[inner]], end]), line))
    return shapely.linestrings(points[order], indices=line[order])


def _reached_intervals(net: WalkNetwork, dist: npt.NDArray[np.float64], sources: EdgeSources,
                       limit: float) -> Intervals:
    """Return the parts of edges within ``limit`` of a source as ``(edge, start, end)``.

    Whole edges run from 0 to their length; partial edges are cut at the remaining
    distance, from either end node and around the sources. Only the edges at reached
    nodes are looked at.
    """
    candidate = net.edges_at(np.flatnonzero(dist <= limit))
    length = net.edge_length[candidate]
    du, dv = dist[net.edge_u[candidate]], dist[net.edge_v[candidate]]
    reach_u = np.where(du <= limit, limit - du, -1.0)
    reach_v = np.where(dv <= limit, limit - dv, -1.0)
    full = (reach_u >= 0) & (reach_v >= 0) & (reach_u + reach_v >= length)
    full |= (reach_u >= length) | (reach_v >= length)
    part_u = ~full & (reach_u > 0)
    part_v = ~full & (reach_v > 0)
    full_edges = np.zeros(net.n_edges, dtype=bool)
    full_edges[candidate[full]] = True
    remaining = limit - sources.start
    own = (remaining > 0) & ~full_edges[sources.edge]
    own_edge = sources.edge[own]
    own_len = net.edge_length[own_edge]
    edge = np.concatenate([candidate[full], candidate[part_u], candidate[part_v], own_edge])
    start = np.concatenate([
        np.zeros(full.sum() + part_u.sum()),
        length[part_v] - reach_v[part_v],
        np.clip(sources.position[own] - remaining[own], 0.0, own_len),
    ])
    end = np.concatenate([
        length[full],
        reach_u[part_u],
        length[part_v],
        np.clip(sources.position[own] + remaining[own], 0.0, own_len),
    ])
    keep = end > start
    return edge[keep], start[keep], end[keep]


def _reached_lines(net: WalkNetwork, parts: Intervals) -> npt.NDArray[np.object_]:
    """Return the street parts as lines (whole edges reuse their geometry)."""
    edge, start, end = parts
    whole = (start <= 0.0) & (end >= net.edge_length[edge])
    return np.concatenate([
        net.edge_lines(edge[whole]),
        _substrings(net, edge[~whole], start[~whole], end[~whole]),
    ])


def _street_cover(net: WalkNetwork, parts: Intervals, access: float, area: shapely.Geometry,
                  exact: bool, fill: npt.NDArray[np.object_] | None = None) -> shapely.Geometry:
    """Land inside ``area`` within ``access`` of the street parts, plus ``fill`` polygons.

    On a grid of ``access / GRID_CELLS_PER_ACCESS`` cells by default; with ``exact``,
    by buffering every part and dissolving with GEOS.
    """
    if not exact:
        return grid_cover(net.segments(*parts), access, access / GRID_CELLS_PER_ACCESS,
                          area=area, fill=fill)
    buffers = shapely.buffer(_reached_lines(net, parts), access, quad_segs=ACCESS_QUAD_SEGS)
    if fill is not None:
        buffers = np.concatenate([buffers, fill])
    return shapely.intersection(_dissolve(buffers), area)


def _dissolve(polygons: npt.NDArray[np.object_]) -> shapely.Geometry:
    return shapely.union_all(polygons) if len(polygons) else shapely.Polygon()


def _component_sizes(net: WalkNetwork, edges: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    sizes = np.bincount(net.component)
    return sizes[net.component[net.edge_u[edges]]]


def _network_for(network: WalkNetwork | None, area: shapely.Geometry,
                 access: float) -> WalkNetwork:
    net = load_walk_network() if network is None else network
    if not isinstance(net, WalkNetwork):
        raise CoverageInputError(
            "network must be a gisplan.network.graph.WalkNetwork (see network_from_edges, "
            f"network_from_osm), got {type(net).__name__}"
        )
    inside = shapely.intersection(area, net.extent(margin=access)).area / area.area
    if inside < 0.99:
        raise CoverageInputError(
            f"the network ({net.source}) covers only {inside:.1%} of the area; streets "
            "outside it are missing, so the share would be too low. Use a network that "
            "spans the area (network_from_osm, network_from_place) or a smaller area"
        )
    return net


def _network_notes(network: WalkNetwork | None, area: shapely.Geometry,
                   strict: bool) -> list[str]:
    """Return notes on the extent of the embedded walking network.

    It is complete only in the central OSM extract, although ways crossing its edge
    reach kilometres beyond (so its hull is larger than that).
    """
    if network is not None:
        return []
    return check_extents(area, METRIC_CRS, {"streets of the walking network":
                                            layer_extent("walk_edges")},
                         strict=strict, stacklevel=3)


# ------------------------------------------------------------------------ results


MIN_GROUP_M2 = 1.0
"""A group sharing less than this with the area (a neighbour along its edge) is not listed."""


def _by_group(covered: shapely.Geometry, area: shapely.Geometry,
              groups: gpd.GeoDataFrame | None, group_column: str, crs: str) -> pd.DataFrame:
    columns = ["group", "total_km2", "covered_km2", "share"]
    if groups is None:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "group" else float)
                             for c in columns})
    if group_column not in groups.columns:
        raise CoverageInputError(
            f"groups have no column {group_column!r}; pass group_column= one of "
            f"{[c for c in groups.columns if c != groups.geometry.name]}"
        )
    inside = shapely.intersection(_metric(groups, "groups", crs).values, area)
    total = shapely.area(inside)
    meets = total >= MIN_GROUP_M2
    inside, total = inside[meets], total[meets] / 1e6
    cov = np.minimum(shapely.area(shapely.intersection(inside, covered)) / 1e6, total)
    return pd.DataFrame({"group": list(groups[group_column].astype(object)[meets]),
                         "total_km2": total, "covered_km2": cov, "share": cov / total})


def _labels(data: gpd.GeoDataFrame | gpd.GeoSeries, index: Sequence[Any]) -> list[str]:
    """Name (``name_zh``) of the given rows for messages, else their index label."""
    names = data["name_zh"] if isinstance(data, gpd.GeoDataFrame) and "name_zh" in data else None
    return [str(names.loc[i]) if names is not None and pd.notna(names.loc[i]) else str(i)
            for i in index]


def _result(covered: shapely.Geometry, area: shapely.Geometry, *,
            groups: gpd.GeoDataFrame | None, group_column: str,
            population: PopulationInput | None, population_column: str | None,
            params: dict[str, Any], snaps: pd.DataFrame, notes: list[str],
            sources: gpd.GeoDataFrame | gpd.GeoSeries) -> CoverageResult:
    total = area.area
    crs = params["crs"]
    pop_share = None
    if population is not None:
        people, everyone = population_totals(population, covered, area,
                                             column=population_column, crs=crs)
        if everyone <= 0:
            raise CoverageInputError("the population layer holds no people inside the area")
        pop_share = people / everyone
        params["population_total"] = everyone
    unreachable = list(snaps.index[~snaps["reachable"]]) if len(snaps) else []
    if unreachable:
        notes.append(f"{len(unreachable)} source(s) within reach of the area but not on the "
                     f"network: {', '.join(_labels(sources, unreachable[:10]))}")
    return CoverageResult(
        share=float(covered.area / total),
        covered_km2=float(covered.area / 1e6),
        total_km2=float(total / 1e6),
        by_group=_by_group(covered, area, groups, group_column, crs),
        covered=gpd.GeoSeries([covered], crs=crs),
        params=params,
        snap_distances=snaps,
        unreachable=unreachable,
        population_share=pop_share,
        notes=notes,
    )


def _empty_snaps(index: Sequence[Any] = ()) -> pd.DataFrame:
    return pd.DataFrame({"snap_m": pd.Series(dtype=float),
                         "component_nodes": pd.Series(dtype="int64"),
                         "reachable": pd.Series(dtype=bool)}, index=pd.Index(index))


# -------------------------------------------------------------------- indicators


def station_coverage(
    stations: gpd.GeoDataFrame | gpd.GeoSeries,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    radius: float = DEFAULT_RADIUS_M,
    method: str = "euclidean",
    network: WalkNetwork | None = None,
    groups: gpd.GeoDataFrame | None = None,
    group_column: str = "name_zh",
    area_name: str | None = None,
    access_distance: float = DEFAULT_ACCESS_M,
    max_snap: float = DEFAULT_MAX_SNAP_M,
    exact_area: bool = False,
    population: PopulationInput | None = None,
    population_column: str | None = None,
    strict: bool = False,
) -> CoverageResult:
    """Share of an area within ``radius`` of a rail station (plan L2464).

    Parameters
    ----------
    stations : geopandas.GeoDataFrame or GeoSeries
        Station points, any CRS (GCJ-02 data must be converted first).
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons of the area measured (dissolved; holes are excluded), e.g. a row of
        the ``coverage_area`` layer.
    radius : float, optional
        Catchment radius in metres (800).
    method : {"euclidean", "network"}, optional
        Straight-line discs, or walking distance along ``network``.
    network : WalkNetwork, optional
        Walking network for ``method="network"``; the embedded ``walk_edges`` layer
        by default. It must span the area.
    groups : geopandas.GeoDataFrame, optional
        Polygons (e.g. districts) for the breakdown in ``by_group``.
    group_column : str, optional
        Column of ``groups`` naming each group.
    area_name : str, optional
        Name recorded in ``params["area"]``; the ``area_id`` column by default.
    access_distance : float, optional
        Network method: buffer around reached streets, in metres.
    max_snap : float, optional
        Network method: stations farther from every street are unreachable.
    exact_area : bool, optional
        Network method: build the covered area by buffering every reached street
        part and dissolving the buffers with GEOS, instead of on a grid of
        ``access_distance / 4`` cells (the default, see the module notes). Exact, but
        seconds instead of milliseconds for a city.
    population : str, os.PathLike or geopandas.GeoDataFrame, optional
        A population raster (read with rasterio) or population polygons; adds
        ``population_share``.
    population_column : str, optional
        Column of population polygons holding the head count.
    strict : bool, optional
        Raise instead of warning when the area reaches beyond the extent where the
        stations are complete (see :func:`gisplan.catalogue.extent.check_extents`).

    Returns
    -------
    CoverageResult

    Raises
    ------
    CRSError
        If an input has no CRS.
    CoverageInputError
        For invalid or empty areas, non-point stations, an unknown method, a distance
        that is not a finite positive number (``radius``, ``access_distance``,
        ``max_snap``; numeric strings are accepted), a network that does not span the
        area, an area sharing nothing with the extent of the stations, or (with
        ``strict``) an area reaching beyond it.

    Warns
    -----
    IncompleteDataWarning
        When the area reaches beyond the extent where the stations are complete.

    Examples
    --------
    >>> from gisplan import load_layer, station_coverage
    >>> areas = load_layer("coverage_area")
    >>> core = areas[areas["area_id"] == "core_five_districts"]
    >>> result = station_coverage(load_layer("metro_stations"), core)  # doctest: +SKIP
    >>> round(result.share, 3)  # doctest: +SKIP
    """
    _check_method(method)
    checked = _distances(radius=radius, access_distance=access_distance, max_snap=max_snap)
    radius, access_distance, max_snap = (checked["radius"], checked["access_distance"],
                                         checked["max_snap"])
    crs = _measuring_crs(area, method, network)
    points = _points(stations, crs)
    area_geom = _polygon_union(area, "area", crs)
    params: dict[str, Any] = {
        "indicator": "station_coverage", "method": method, "radius_m": radius,
        "area": _area_name(area, area_name), "crs": crs,
        "n_stations": len(points),
    }
    notes = check_extents(area_geom, crs, {"stations": stations}, strict=strict,
                          stacklevel=2) if len(points) else []
    if not len(points):
        notes.append("no stations: nothing is covered")
    if method == "euclidean":
        params["circle_quad_segs"] = CIRCLE_QUAD_SEGS
        discs = shapely.buffer(points.values, radius, quad_segs=CIRCLE_QUAD_SEGS)
        covered = shapely.intersection(_dissolve(discs), area_geom)
        snaps = _empty_snaps()
    else:
        net = _network_for(network, area_geom, access_distance)
        notes += _network_notes(network, area_geom, strict)
        # a walk is never shorter than the straight line: farther stations cannot reach
        near = points[shapely.dwithin(points.values, area_geom, radius + access_distance)]
        sources, snapped = net.snap(near.values, max_snap)
        dist = net.distances(sources, radius)
        parts = _reached_intervals(net, dist, sources, radius)
        covered = _street_cover(net, parts, access_distance, area_geom, exact_area)
        component = np.zeros(len(near), dtype=np.int64)
        component[~np.isnan(snapped)] = _component_sizes(net, sources.edge)
        snaps = pd.DataFrame({"snap_m": snapped, "component_nodes": component,
                              "reachable": ~np.isnan(snapped)}, index=near.index)
        params.update(_network_params(net, access_distance, max_snap, exact_area))
        params["n_stations_in_reach"] = len(near)
        small = snaps["reachable"] & (snaps["component_nodes"] < 0.01 * net.n_nodes)
        if small.any():
            notes.append(f"{int(small.sum())} station(s) snapped to a small network "
                         "component (< 1% of nodes): "
                         f"{', '.join(_labels(stations, snaps.index[small][:10]))}")
    return _result(covered, area_geom, groups=groups, group_column=group_column,
                   population=population, population_column=population_column,
                   params=params, snaps=snaps, notes=notes, sources=stations)


def _network_params(net: WalkNetwork, access: float, max_snap: float,
                    exact: bool) -> dict[str, Any]:
    return {"access_distance_m": float(access), "max_snap_m": float(max_snap),
            "area_method": "exact" if exact else "grid",
            "grid_cell_m": None if exact else float(access) / GRID_CELLS_PER_ACCESS,
            "network": net.source, "network_nodes": net.n_nodes,
            "network_edges": net.n_edges, "network_components": net.n_components}


def park_service_radius(
    area_m2: npt.ArrayLike, radii: Sequence[Sequence[Any]] = PARK_SERVICE_RADII
) -> npt.NDArray[np.float64]:
    """Service radius of parks from their area (GB/T 50563 classes by default).

    Parameters
    ----------
    area_m2 : array_like of float
        Park areas in m2.
    radii : sequence of (min_area_m2, radius_m[, size_class])
        Classes, as in :data:`gisplan.standards.parks.PARK_SERVICE_RADII`; a park takes the
        class with the largest minimum area it reaches.

    Returns
    -------
    numpy.ndarray of float
        Radius in metres, 0 where a park is below every class.
    """
    area_m2 = np.asarray(area_m2, dtype=float)
    out = np.zeros(area_m2.shape)
    for row in sorted(radii, key=lambda r: float(r[0])):
        out = np.where(area_m2 >= float(row[0]), float(row[1]), out)
    return out


def park_coverage(
    parks: gpd.GeoDataFrame | gpd.GeoSeries,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    method: str = "euclidean",
    radius: float | None = None,
    radii: Sequence[Sequence[Any]] = PARK_SERVICE_RADII,
    radius_column: str = "service_radius_m",
    residential: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    network: WalkNetwork | None = None,
    groups: gpd.GeoDataFrame | None = None,
    group_column: str = "name_zh",
    area_name: str | None = None,
    access_distance: float = DEFAULT_ACCESS_M,
    entrance_distance: float = DEFAULT_PARK_ENTRANCE_M,
    exact_area: bool = False,
    population: PopulationInput | None = None,
    population_column: str | None = None,
    strict: bool = False,
) -> CoverageResult:
    """Park green-space service-radius coverage (plan L1849, GB/T 50563).

    Each park serves the land within its service radius: ``radius`` if given, else the
    ``radius_column`` of ``parks`` if present, else :func:`park_service_radius` of its
    area. Parks with radius 0 (too small) are left out and counted in ``params``.
    Only real parks receive a radius: features with ``park_green`` False (other green,
    and the schematic drawings of the embedded layer) or ``geocode_method``
    ``"schematic"`` are left out and counted in ``notes``.

    Parameters
    ----------
    parks : geopandas.GeoDataFrame or GeoSeries
        Park polygons, any CRS.
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons of the area measured.
    method : {"euclidean", "network"}, optional
        Straight-line distance from the park edge (as in the standard), or walking
        distance from the streets touching the park.
    radius : float, optional
        One service radius in metres for every real park, whatever its size class.
    radii : sequence of (min_area_m2, radius_m[, size_class]), optional
        Size classes when ``parks`` has no radius column
        (:data:`gisplan.standards.parks.PARK_SERVICE_RADII` by default).
    radius_column : str, optional
        Column of per-park radii in metres.
    residential : geopandas.GeoDataFrame or GeoSeries, optional
        Residential land (居住用地); when given, the denominator is residential land
        inside the area, as the standard defines it.
    network : WalkNetwork, optional
        Walking network for ``method="network"`` (embedded ``walk_edges`` by default).
    groups, group_column, area_name, access_distance, exact_area, population, population_column
        As in :func:`station_coverage`.
    entrance_distance : float, optional
        Network method: every street within this distance of a park is an entrance.
    strict : bool, optional
        Raise instead of warning when the area reaches beyond the extent where the
        parks are complete (see :func:`gisplan.catalogue.extent.check_extents`).

    Returns
    -------
    CoverageResult
        ``unreachable`` lists parks with no street within ``entrance_distance``.

    Raises
    ------
    CRSError, CoverageInputError
        As in :func:`station_coverage` (``radius``, ``access_distance`` and
        ``entrance_distance`` must be finite positive numbers).

    Warns
    -----
    IncompleteDataWarning
        When the area reaches beyond the extent where the parks are complete.
    """
    _check_method(method)
    distances = {"access_distance": access_distance, "entrance_distance": entrance_distance}
    checked = _distances(**distances, **({} if radius is None else {"radius": radius}))
    access_distance, entrance_distance = (checked["access_distance"],
                                          checked["entrance_distance"])
    crs = _measuring_crs(area, method, network)
    geoms = _metric(parks, "parks", crs)
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    real = _real_parks(parks, geoms.index)
    if "radius" in checked:
        park_radius_all = np.where(real, checked["radius"], 0.0)
        radius_source = f"radius {checked['radius']:g} m for every real park"
    elif isinstance(parks, gpd.GeoDataFrame) and radius_column in parks.columns:
        column = parks.loc[geoms.index, radius_column].astype(float).fillna(0.0).to_numpy()
        park_radius_all = np.where(real, column, 0.0)
        radius_source = f"column {radius_column}"
    else:
        park_radius_all = np.where(real, park_service_radius(geoms.area.to_numpy(), radii), 0.0)
        radius_source = f"park area classes {[tuple(r[:2]) for r in radii]}"
    used = park_radius_all > 0
    area_geom = _polygon_union(area, "area", crs)
    name = _area_name(area, area_name)
    if residential is not None:
        area_geom = shapely.intersection(area_geom,
                                         _polygon_union(residential, "residential", crs))
        if area_geom.area <= 0:
            raise CoverageInputError("no residential land inside the area")
        name = f"{name} (residential land)"
    params: dict[str, Any] = {
        "indicator": "park_coverage", "method": method, "area": name, "crs": crs,
        "radius_source": radius_source, "n_parks": len(geoms),
        "n_parks_used": int(used.sum()), "n_parks_too_small": int((real & ~used).sum()),
        "n_not_parks": int((~real).sum()),
    }
    notes = check_extents(area_geom, crs, {"parks": parks}, strict=strict,
                          stacklevel=2) if len(geoms) else ["no parks: nothing is covered"]
    if isinstance(parks, gpd.GeoDataFrame) and (~real).any():
        notes.append(_left_out_note(parks, geoms.index[~real]))
    park_geoms = geoms.values[used]
    park_radius = park_radius_all[used]
    if method == "euclidean":
        zones = shapely.buffer(park_geoms, park_radius, quad_segs=CIRCLE_QUAD_SEGS)
        covered = shapely.intersection(_dissolve(zones), area_geom)
        snaps = _empty_snaps()
    else:
        net = _network_for(network, area_geom, access_distance)
        notes += _network_notes(network, area_geom, strict)
        near = shapely.dwithin(park_geoms, area_geom, park_radius + access_distance)
        covered, snaps = _park_network_cover(net, park_geoms[near], park_radius[near],
                                             geoms.index[used][near], area_geom,
                                             access_distance, entrance_distance, exact_area)
        params.update(_network_params(net, access_distance, entrance_distance, exact_area))
        params["entrance_distance_m"] = params.pop("max_snap_m")
    return _result(covered, area_geom, groups=groups, group_column=group_column,
                   population=population, population_column=population_column,
                   params=params, snaps=snaps, notes=notes, sources=parks)


def _real_parks(parks: gpd.GeoDataFrame | gpd.GeoSeries, index: pd.Index) -> npt.NDArray[np.bool_]:
    """Return True for features that are parks (``park_green``), not schematic drawings."""
    real = np.ones(len(index), dtype=bool)
    if not isinstance(parks, gpd.GeoDataFrame):
        return real
    if "park_green" in parks.columns:
        real &= parks.loc[index, "park_green"].fillna(False).astype(bool).to_numpy()
    if "geocode_method" in parks.columns:
        real &= (parks.loc[index, "geocode_method"] != "schematic").to_numpy()
    return real


def _left_out_note(parks: gpd.GeoDataFrame, index: pd.Index) -> str:
    schematic = (parks.loc[index, "geocode_method"] == "schematic"
                 if "geocode_method" in parks.columns else pd.Series(False, index=index))
    named = _labels(parks, index[schematic.to_numpy()])
    return (f"{len(index)} feature(s) of the park layer received no service radius: "
            f"{int(schematic.sum())} schematic drawing(s)"
            + (f" ({', '.join(named[:10])})" if named else "")
            + f" and {int((~schematic).sum())} non-park green feature(s) (park_green False)")


def _park_network_cover(net: WalkNetwork, parks: npt.NDArray[np.object_],
                        radius: npt.NDArray[np.float64], index: pd.Index,
                        area: shapely.Geometry, access: float, entrance: float,
                        exact: bool) -> tuple[shapely.Geometry, pd.DataFrame]:
    """Return the walking service area of parks of different radii, in one Dijkstra pass.

    The frontage of a park is the part of each street within ``entrance`` of it; it is
    covered, and its two ends are sources whose starting distance is their straight
    distance to the park plus ``R - r`` (``R`` the largest radius, ``r`` the park's), so
    one search with limit ``R`` gives each park its own radius.
    """
    if not len(parks):
        return shapely.Polygon(), _empty_snaps(index)
    limit = float(radius.max())
    park_i, edge_j = net.edges_near(parks, entrance)
    edges = net.edge_lines(edge_j)
    zone = shapely.buffer(parks, entrance, quad_segs=CIRCLE_QUAD_SEGS)
    front = shapely.intersection(edges, zone[park_i])
    coords, which = shapely.get_coordinates(front, return_index=True)
    along = shapely.line_locate_point(edges[which], shapely.points(coords))
    lo = np.full(len(edge_j), np.inf)
    hi = np.full(len(edge_j), -np.inf)
    np.fmin.at(lo, which, along)
    np.fmax.at(hi, which, along)
    found = np.isfinite(lo)
    park_i, edge_j, edges, lo, hi = park_i[found], edge_j[found], edges[found], lo[found], hi[found]
    ends = np.concatenate([lo, hi])
    pair_park = np.concatenate([park_i, park_i])
    gap = shapely.distance(shapely.line_interpolate_point(np.concatenate([edges, edges]), ends),
                           parks[pair_park])
    sources = EdgeSources(np.concatenate([edge_j, edge_j]).astype(np.int64), ends,
                          gap + (limit - radius[pair_park]))
    dist = net.distances(sources, limit)
    reached = _reached_intervals(net, dist, sources, limit)
    parts = (np.concatenate([reached[0], edge_j]), np.concatenate([reached[1], lo]),
             np.concatenate([reached[2], hi]))
    covered = _street_cover(net, parts, access, area, exact, fill=parks)
    nearest = np.full(len(parks), np.nan)
    np.fmin.at(nearest, pair_park, gap)
    component = np.zeros(len(parks), dtype=np.int64)
    if len(edge_j):  # a park touching several components: the largest one
        np.maximum.at(component, park_i, _component_sizes(net, edge_j))
    snaps = pd.DataFrame({"snap_m": nearest, "component_nodes": component,
                          "reachable": ~np.isnan(nearest)}, index=index)
    return covered, snaps
