"""The land within a walk of sources: reached street parts, their covered land, parks' frontage.

One engine for every walking measurement: sources on edges, one multi-source Dijkstra
pass (:meth:`gisplan.network.WalkNetwork.distances`), every street part within the
limit (:func:`reached_intervals`), and the land within the street-access distance of
those parts (:func:`street_cover`: on a grid by default, see
:mod:`gisplan.analysis._coverage_grid`, or exactly with GEOS).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from gisplan._arrays import run_offsets
from gisplan._errors import CoverageInputError
from gisplan.analysis._coverage_grid import grid_cover
from gisplan.catalogue import check_extents, layer_extent, load_walk_network
from gisplan.crs import METRIC_CRS
from gisplan.network import EdgeSources, WalkNetwork

__all__ = ["ACCESS_QUAD_SEGS", "CIRCLE_QUAD_SEGS", "GRID_CELLS_PER_ACCESS", "Intervals",
           "component_sizes", "dissolve", "empty_snaps", "network_for", "network_notes",
           "network_params", "park_network_cover", "reached_intervals", "reached_lines",
           "street_cover", "substrings"]

CIRCLE_QUAD_SEGS = 32
"""Segments per quarter circle of a catchment disc: a 128-gon, area error < 0.05 %."""

ACCESS_QUAD_SEGS = 4
"""Segments per quarter circle of the street-access buffer (``exact_area=True``)."""

GRID_CELLS_PER_ACCESS = 4
"""Network method: the covered area is built on cells of ``access_distance / 4``."""

Intervals = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]

def substrings(net: WalkNetwork, edge: npt.NDArray[np.int64], start: npt.NDArray[np.float64],
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

def reached_intervals(net: WalkNetwork, dist: npt.NDArray[np.float64], sources: EdgeSources,
                       limit: float) -> Intervals:
    """Return the parts of edges within ``limit`` of a source as ``(edge, start, end)``.

    Whole edges run from 0 to their length; partial edges are cut at the remaining
    distance, from either end node and around the sources. Only the edges with a
    reached end node are looked at.
    """
    near = dist <= limit
    candidate = np.flatnonzero(np.take(near, net.edge_u) | np.take(near, net.edge_v))
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

def reached_lines(net: WalkNetwork, parts: Intervals) -> npt.NDArray[np.object_]:
    """Return the street parts as lines (whole edges reuse their geometry)."""
    edge, start, end = parts
    whole = (start <= 0.0) & (end >= net.edge_length[edge])
    return np.concatenate([
        net.edge_lines(edge[whole]),
        substrings(net, edge[~whole], start[~whole], end[~whole]),
    ])

def street_cover(net: WalkNetwork, parts: Intervals, access: float, area: shapely.Geometry,
                  exact: bool, fill: npt.NDArray[np.object_] | None = None) -> shapely.Geometry:
    """Land inside ``area`` within ``access`` of the street parts, plus ``fill`` polygons.

    On a grid of ``access / GRID_CELLS_PER_ACCESS`` cells by default; with ``exact``,
    by buffering every part and dissolving with GEOS.
    """
    if not exact:
        return grid_cover(net.segments(*parts), access, access / GRID_CELLS_PER_ACCESS,
                          area=area, fill=fill)
    buffers = shapely.buffer(reached_lines(net, parts), access, quad_segs=ACCESS_QUAD_SEGS)
    if fill is not None:
        buffers = np.concatenate([buffers, fill])
    return shapely.intersection(dissolve(buffers), area)

def dissolve(polygons: npt.NDArray[np.object_]) -> shapely.Geometry:
    return shapely.union_all(polygons) if len(polygons) else shapely.Polygon()

def component_sizes(net: WalkNetwork, edges: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    sizes = np.bincount(net.component)
    return sizes[net.component[net.edge_u[edges]]]

def network_for(network: WalkNetwork | None, area: shapely.Geometry,
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

def network_notes(network: WalkNetwork | None, area: shapely.Geometry,
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

def network_params(net: WalkNetwork, access: float, max_snap: float,
                    exact: bool) -> dict[str, Any]:
    return {"access_distance_m": float(access), "max_snap_m": float(max_snap),
            "area_method": "exact" if exact else "grid",
            "grid_cell_m": None if exact else float(access) / GRID_CELLS_PER_ACCESS,
            "network": net.source, "network_nodes": net.n_nodes,
            "network_edges": net.n_edges, "network_components": net.n_components}

def empty_snaps(index: Sequence[Any] = ()) -> pd.DataFrame:
    return pd.DataFrame({"snap_m": pd.Series(dtype=float),
                         "component_nodes": pd.Series(dtype="int64"),
                         "reachable": pd.Series(dtype=bool)}, index=pd.Index(index))

def park_network_cover(net: WalkNetwork, parks: npt.NDArray[np.object_],
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
        return shapely.Polygon(), empty_snaps(index)
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
    reached = reached_intervals(net, dist, sources, limit)
    parts = (np.concatenate([reached[0], edge_j]), np.concatenate([reached[1], lo]),
             np.concatenate([reached[2], hi]))
    covered = street_cover(net, parts, access, area, exact, fill=parks)
    nearest = np.full(len(parks), np.nan)
    np.fmin.at(nearest, pair_park, gap)
    component = np.zeros(len(parks), dtype=np.int64)
    if len(edge_j):  # a park touching several components: the largest one
        np.maximum.at(component, park_i, component_sizes(net, edge_j))
    snaps = pd.DataFrame({"snap_m": nearest, "component_nodes": component,
                          "reachable": ~np.isnan(nearest)}, index=index)
    return covered, snaps
