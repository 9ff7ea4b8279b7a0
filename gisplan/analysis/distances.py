"""Walking distance from every origin to the nearest facility of each kind.

:func:`nearest_facility_distances` gives every street node, or every origin of the user's
choice (residential parcels, population cells, a :func:`hexagon_grid` of the area), the
walking distance to the nearest facility of every category, one Dijkstra pass per
category; :func:`requirement_distances` does it for every facility a GB 50180-2018 life
circle needs (the data of the life-circle map).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from gisplan._arrays import run_offsets
from gisplan._errors import CoverageInputError
from gisplan.analysis._facilities_input import facility_points
from gisplan.analysis.coverage import DEFAULT_MAX_SNAP_M
from gisplan.catalogue import load_walk_network
from gisplan.crs import metric_crs_for
from gisplan.network import EdgeSources, WalkNetwork
from gisplan.standards.life_circles import (
    CIRCLE_REQUIREMENTS,
    CircleRequirement,
    resolve_categories,
)

__all__ = ["DEFAULT_HEX_SIZE_M", "DEFAULT_MAX_DISTANCE_M", "NodeDistances",
           "category_node_distances", "facility_node_distances", "hexagon_grid",
           "nearest_facility_distances", "requirement_column", "requirement_distances",
           "unique_requirements"]


DEFAULT_MAX_DISTANCE_M = 2000.0
"""Nearest-facility search radius: farther facilities give NaN (none within reach)."""

NEAR_SNAP_M = 25.0
"""Facilities are first snapped within this distance (a small search box is cheap), then
the rest within ``max_snap``; the nearest street is the same either way."""

DEFAULT_HEX_SIZE_M = 150.0
"""Side of the hexagons of :func:`hexagon_grid` (centre to corner), in metres."""

def hexagon_grid(area: gpd.GeoDataFrame | gpd.GeoSeries,
                 size_m: float = DEFAULT_HEX_SIZE_M, *, crs: str | None = None
                 ) -> gpd.GeoDataFrame:
    """Return flat-topped hexagons covering an area, those whose centre lies in it.

    Parameters
    ----------
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons, any CRS.
    size_m : float, optional
        Side of a hexagon (centre to corner) in metres.
    crs : str, optional
        Metric CRS of the hexagons; by default the one that fits the area
        (:func:`gisplan.crs.metric_crs_for`: EPSG:4544 for Chengdu).

    Returns
    -------
    geopandas.GeoDataFrame
        ``hex_id`` and the hexagons in ``crs``.
    """
    if not size_m > 0:
        raise CoverageInputError(f"hexagon size must be positive, got {size_m!r}")
    crs = metric_crs_for(area) if crs is None else crs
    whole = shapely.union_all(area.to_crs(crs).geometry.values)
    xmin, ymin, xmax, ymax = whole.bounds
    step_x, step_y = 1.5 * size_m, np.sqrt(3.0) * size_m
    cols = np.arange(xmin, xmax + step_x, step_x)
    rows = np.arange(ymin, ymax + step_y, step_y)
    grid_x, grid_y = np.meshgrid(cols, rows)
    grid_y = grid_y + np.where(np.arange(len(cols)) % 2 == 1, step_y / 2, 0.0)[None, :]
    cx, cy = grid_x.ravel(), grid_y.ravel()
    inside = shapely.contains_xy(whole, cx, cy)
    cx, cy = cx[inside], cy[inside]
    angles = np.deg2rad(np.arange(0, 360, 60))
    ring = np.stack([cx[:, None] + size_m * np.cos(angles),
                     cy[:, None] + size_m * np.sin(angles)], axis=-1)
    hexagons = shapely.polygons(ring)
    return gpd.GeoDataFrame({"hex_id": np.arange(len(hexagons))}, geometry=hexagons,
                            crs=crs)

def category_node_distances(net: WalkNetwork, sources: Sequence[EdgeSources],
                            limit: float) -> npt.NDArray[np.float64]:
    """Distance from every node to the nearest source of each group, one pass per group.

    One matrix serves every group: a virtual node per group is joined to the end
    nodes of its sources' edges (weight: start plus the distance along the edge), and
    ``scipy.sparse.csgraph.dijkstra`` runs from each virtual node. Virtual nodes have
    no incoming edges, so no path passes through another group's.

    Parameters
    ----------
    net : WalkNetwork
        The network.
    sources : sequence of EdgeSources
        One group of sources per category.
    limit : float
        Search radius in metres; farther nodes get ``inf``.

    Returns
    -------
    numpy.ndarray, shape (groups, nodes)
    """
    n, k = net.n_nodes, len(sources)
    if not k:
        return np.empty((0, n))
    graph = net.graph
    nodes, weights, counts = [], [], []
    for group in sources:
        length = net.edge_length[group.edge]
        # GEOS and the vertex arrays may measure an edge a few nanometres apart
        position = np.clip(group.position, 0.0, length)
        targets = np.concatenate([net.edge_u[group.edge], net.edge_v[group.edge]])
        start = np.concatenate([group.start + position, group.start + (length - position)])
        keep = start <= limit
        nodes.append(targets[keep])
        weights.append(start[keep])
        counts.append(int(keep.sum()))
    extra = np.asarray(counts, dtype=np.int64)
    indptr = np.concatenate([graph.indptr.astype(np.int64),
                             graph.indptr[-1] + np.cumsum(extra)])
    index_dtype = np.int32 if indptr[-1] < 2**31 - 1 and n + k < 2**31 - 1 else np.int64
    augmented = csr_matrix(
        (np.concatenate([graph.data, *weights]),
         np.concatenate([graph.indices, *nodes]).astype(index_dtype),
         indptr.astype(index_dtype)), shape=(n + k, n + k))
    out = dijkstra(augmented, directed=True, indices=np.arange(n, n + k), limit=limit)
    return np.asarray(out[:, :n])

def _origin_distances(net: WalkNetwork, node_dist: npt.NDArray[np.float64],
                      origin: EdgeSources, found: npt.NDArray[np.bool_],
                      group: EdgeSources) -> npt.NDArray[np.float64]:
    """Return each snapped origin's distance to the nearest source.

    Through an end node of the origin's edge, or along the edge to a source on it.
    """
    out = np.full(len(found), np.inf)
    length = net.edge_length[origin.edge]
    via_u = origin.position + node_dist[net.edge_u[origin.edge]]
    via_v = (length - origin.position) + node_dist[net.edge_v[origin.edge]]
    best = np.minimum(via_u, via_v)
    if len(group.edge):
        order = np.argsort(group.edge, kind="stable")
        edges = group.edge[order]
        lo = np.searchsorted(edges, origin.edge, side="left")
        hi = np.searchsorted(edges, origin.edge, side="right")
        count = hi - lo
        which = np.repeat(np.arange(len(origin.edge)), count)
        pick = order[np.repeat(lo, count) + run_offsets(count)]
        along = np.abs(origin.position[which] - group.position[pick]) + group.start[pick]
        np.minimum.at(best, which, along)
    out[found] = best + origin.start
    return out

@dataclasses.dataclass(frozen=True)
class NodeDistances:
    """Distance from every street node to the nearest facility of each category.

    Attributes
    ----------
    categories : tuple of str
        The categories, in the order of the rows of ``distances``.
    distances : numpy.ndarray, shape (categories, nodes)
        Metres; ``inf`` beyond the search radius or where none is reachable.
    sources : list of EdgeSources
        The snapped facilities of each category.
    unplaced : list
        Index labels of facilities farther than ``max_snap`` from every street.
    """

    categories: tuple[str, ...]
    distances: npt.NDArray[np.float64]
    sources: list[EdgeSources]
    unplaced: list[Any]

def facility_node_distances(
    facilities: gpd.GeoDataFrame,
    network: WalkNetwork,
    *,
    categories: Sequence[str] | None = None,
    max_distance: float = DEFAULT_MAX_DISTANCE_M,
    max_snap: float = DEFAULT_MAX_SNAP_M,
) -> NodeDistances:
    """Return the walking distance from every street node to the nearest facility of each kind.

    The engine of :func:`nearest_facility_distances`, without building a frame: the
    facilities of each category are snapped to their nearest street and one Dijkstra
    pass per category (:func:`category_node_distances`) reaches every node.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with a ``category`` column.
    network : WalkNetwork
        The walking network.
    categories, max_distance, max_snap
        As in :func:`nearest_facility_distances`.

    Returns
    -------
    NodeDistances
    """
    points = facility_points(facilities)
    present = list(dict.fromkeys(points["category"].dropna()))
    wanted = (resolve_categories(list(categories), extra=present) if categories is not None
              else tuple(present))
    metric = points.geometry.to_crs(network.crs).values
    labels = points["category"].to_numpy()
    groups, unplaced = [], []
    for name in wanted:
        chosen = labels == name
        sources, snapped = _snap_facilities(network, metric[chosen], max_snap)
        missing = np.flatnonzero(chosen)[np.isnan(snapped)]
        unplaced += list(points.index[missing]) if len(missing) else []
        groups.append(sources)
    return NodeDistances(tuple(wanted), category_node_distances(network, groups, max_distance),
                         groups, unplaced)

def _snap_facilities(net: WalkNetwork, points: npt.NDArray[np.object_],
                     max_snap: float) -> tuple[EdgeSources, npt.NDArray[np.float64]]:
    """Snap points as :meth:`WalkNetwork.snap` does, searching near the streets first.

    The sources come in no particular order (they are a set to search from).
    """
    near = min(NEAR_SNAP_M, max_snap)
    sources, snapped = net.snap(points, near)
    far = np.flatnonzero(np.isnan(snapped))
    if near >= max_snap or not len(far):
        return sources, snapped
    more, farther = net.snap(points[far], max_snap)
    snapped[far] = farther
    joined = EdgeSources(np.concatenate([sources.edge, more.edge]),
                         np.concatenate([sources.position, more.position]),
                         np.concatenate([sources.start, more.start]))
    return joined, snapped

def nearest_facility_distances(
    facilities: gpd.GeoDataFrame,
    *,
    categories: Sequence[str] | None = None,
    origins: str | gpd.GeoDataFrame | gpd.GeoSeries = "nodes",
    network: WalkNetwork | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    hex_size_m: float = DEFAULT_HEX_SIZE_M,
    max_distance: float = DEFAULT_MAX_DISTANCE_M,
    max_snap: float = DEFAULT_MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """Return the walking distance from every origin to the nearest facility of each category.

    Facilities are snapped to their nearest street (the snap distance counts); one
    Dijkstra pass per category (:func:`category_node_distances`) gives every street
    node its distance; an origin is snapped likewise and reaches the nearest facility
    through an end node of its street segment, or along the segment itself.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with a ``category`` column.
    categories : sequence of str, optional
        Categories to measure (those present in ``facilities`` by default); a
        category with no facility gives an all-NaN column.
    origins : "nodes", "hexagons", or geopandas.GeoDataFrame / GeoSeries, optional
        Street nodes (default); the centres of a :func:`hexagon_grid` of ``area``; or
        your own origins: points, or polygons (residential parcels, population cells)
        measured from a point on their surface.
    network : WalkNetwork, optional
        The embedded ``walk_edges`` network by default.
    area : geopandas.GeoDataFrame or GeoSeries, optional
        Required with ``origins="hexagons"``.
    hex_size_m : float, optional
        Hexagon side for ``origins="hexagons"``.
    max_distance : float, optional
        Search radius in metres: farther facilities, or none, give NaN.
    max_snap : float, optional
        Facilities and origins farther than this from every street are not placed
        (their ids are in ``attrs["unplaced_facilities"]``; such origins get NaN).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per origin (its own columns kept; nodes get ``node``), one float
        column per category (metres, NaN beyond ``max_distance``), ``snap_m`` (origin
        to street), geometry in the network's CRS (the origin's own geometry).

    Raises
    ------
    CoverageInputError
        For an unknown category (listing the known ones) or a bad origin choice.
    """
    net = load_walk_network() if network is None else network
    placed = facility_node_distances(facilities, net, categories=categories,
                                     max_distance=max_distance, max_snap=max_snap)
    wanted, groups, node_dist = placed.categories, placed.sources, placed.distances
    unplaced = placed.unplaced
    frame = _origins(origins, net, area, hex_size_m)
    if frame is None:
        values = node_dist
        frame = gpd.GeoDataFrame({"node": np.arange(net.n_nodes),
                                  "snap_m": np.zeros(net.n_nodes)},
                                 geometry=shapely.points(net.node_xy), crs=net.crs)
    else:
        where = frame.geometry.values
        where = np.where(shapely.get_type_id(where) == 0, where,
                         shapely.point_on_surface(where))
        origin, snapped = net.snap(where, max_snap)
        found = ~np.isnan(snapped)
        values = np.stack([_origin_distances(net, node_dist[i], origin, found, groups[i])
                           for i in range(len(groups))]) if groups else np.empty((0, len(frame)))
        frame["snap_m"] = snapped
    values[~(values <= max_distance)] = np.nan
    columns = pd.DataFrame(values.T, columns=list(wanted), index=frame.index)
    frame = gpd.GeoDataFrame(pd.concat([frame.drop(columns=list(wanted), errors="ignore"),
                                        columns], axis=1), geometry=frame.geometry.name,
                             crs=frame.crs)
    frame.attrs["unplaced_facilities"] = unplaced
    frame.attrs["max_distance_m"] = float(max_distance)
    return frame

def _origins(origins: str | gpd.GeoDataFrame | gpd.GeoSeries, net: WalkNetwork,
             area: gpd.GeoDataFrame | gpd.GeoSeries | None,
             hex_size_m: float) -> gpd.GeoDataFrame | None:
    if isinstance(origins, str):
        if origins == "nodes":
            return None
        if origins == "hexagons":
            if area is None:
                raise CoverageInputError("origins='hexagons' needs area= (the polygons to tile)")
            return hexagon_grid(area, hex_size_m, crs=net.crs)
        raise CoverageInputError(
            f"origins must be 'nodes', 'hexagons' or a GeoDataFrame, got {origins!r}")
    if origins.crs is None:
        raise CoverageInputError("origins have no CRS; set it (EPSG:4326 for WGS84)")
    frame = (origins if isinstance(origins, gpd.GeoDataFrame)
             else gpd.GeoDataFrame(geometry=origins)).to_crs(net.crs)
    return frame.copy()


def unique_requirements() -> list[CircleRequirement]:
    """Return the requirements of every circle, one per distinct set of categories."""
    seen: dict[tuple[str, ...], CircleRequirement] = {}
    for requirement in CIRCLE_REQUIREMENTS:
        seen.setdefault(requirement.categories, requirement)
    return list(seen.values())


def requirement_column(requirement: CircleRequirement) -> str:
    """Return the column of a requirement in :func:`requirement_distances`.

    The requirement's id, or ``<id>_<circle>`` where two circles use one id for different
    facilities (``sports``: the 15-minute large grounds, ``sports_5min``: the small ones
    and the fitness points).
    """
    needs = unique_requirements()
    owner = next(r for r in needs if r.categories == requirement.categories)
    earlier = needs[:needs.index(owner)]
    if any(r.requirement == owner.requirement for r in earlier):
        return f"{owner.requirement}_{owner.circle}"
    return owner.requirement


def requirement_distances(facilities: gpd.GeoDataFrame, area: gpd.GeoDataFrame,
                          network: WalkNetwork, *, hex_size_m: float = DEFAULT_HEX_SIZE_M
                          ) -> gpd.GeoDataFrame:
    """Return hexagons of ``area`` with the distance to the nearest facility of each need.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with a ``category`` column.
    area : geopandas.GeoDataFrame
        Polygons to tile.
    network : WalkNetwork
        Walking network spanning the area.
    hex_size_m : float, optional
        Hexagon side in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        ``hex_id``, ``snap_m``, one column per requirement (:func:`requirement_column`:
        the smallest distance over its categories, NaN beyond 2,000 m), in the network's
        CRS.
    """
    needs = unique_requirements()
    categories = sorted({c for r in needs for c in r.categories})
    hexes = nearest_facility_distances(facilities, categories=categories, network=network,
                                       origins=hexagon_grid(area, hex_size_m, crs=network.crs))
    out = hexes[["hex_id", "snap_m", "geometry"]].copy()
    for need in needs:
        out[requirement_column(need)] = hexes[list(need.categories)].min(axis=1, skipna=True)
    return out
