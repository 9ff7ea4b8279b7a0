"""Walking networks and the multi-source shortest-path engine used for coverage.

A :class:`WalkNetwork` is an undirected street graph in a metric CRS that fits its
streets (:func:`gisplan.crs.metric_crs_for`: EPSG:4544 for Chengdu, the CGCS2000
3-degree Gauss-Kruger zone of its centre elsewhere in China, UTM outside China),
recorded in :attr:`WalkNetwork.crs`: node coordinates, one edge per street segment
with its geometry and length in metres, and a symmetric CSR matrix of edge lengths
for :func:`scipy.sparse.csgraph.dijkstra`.

Networks come from

* street segments as a GeoDataFrame (:func:`network_from_edges`), e.g. the embedded
  ``walk_edges`` layer (:func:`load_walk_network`);
* an OpenStreetMap XML (``.osm``) or PBF (``.osm.pbf``) file (:func:`network_from_osm`);
* an online OpenStreetMap query through osmnx, cached in
  :data:`gisplan.settings.cache_dir` (:func:`network_from_place`, needs internet).

Topology is read from the geometry: two segments are connected where an end point of
one equals (to :data:`NODE_TOLERANCE_M`) an end point of the other.

Distances from many sources are computed in one Dijkstra pass: a virtual source node
is joined to every source location with an edge whose weight is the source's initial
distance (snap distance plus any offset), so each node receives its distance to the
nearest source, exactly as ``dijkstra(..., indices=sources, min_only=True)`` but with
sources allowed in the middle of an edge and with unequal starting distances.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from gisplan import settings
from gisplan._arrays import grid_buckets, group_by, run_offsets
from gisplan._errors import CRSError, GisplanError
from gisplan.crs import METRIC_CRS, metric_crs_for
from gisplan.network._segment_index import SegmentIndex

__all__ = [
    "NODE_TOLERANCE_M",
    "EdgeSources",
    "WalkNetwork",
    "load_walk_network",
    "network_from_edges",
    "network_from_graph",
    "network_from_osm",
    "network_from_place",
]

NODE_TOLERANCE_M = 0.01
"""End points closer than this (after rounding to this grid, in metres) are one node."""

NOT_WALKABLE = frozenset({
    "motorway", "motorway_link", "construction", "proposed", "planned", "abandoned",
    "raceway", "bus_guideway", "razed", "platform", "no",
})
"""OpenStreetMap ``highway`` values excluded from walking networks (as in osmnx's walk filter)."""

CELL_SIZE_M = 100.0
"""Cell size of the node bucket index used to restrict a search to nodes in reach."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class EdgeSources:
    """Source locations on network edges, with their starting distances.

    Attributes
    ----------
    edge : numpy.ndarray of int
        Index of the edge each source lies on.
    position : numpy.ndarray of float
        Distance in metres from the edge's first node along its geometry.
    start : numpy.ndarray of float
        Distance already spent on reaching the source (snap distance, offsets).
    """

    edge: IntArray
    position: FloatArray
    start: FloatArray


@dataclass
class WalkNetwork:
    """An undirected walking network in a metric CRS (:attr:`crs`).

    Build it with :func:`network_from_edges`, :func:`network_from_osm`,
    :func:`network_from_place` or :func:`load_walk_network` rather than directly.

    Attributes
    ----------
    node_xy : numpy.ndarray, shape (n, 2)
        Node coordinates in :attr:`crs`.
    edge_u, edge_v : numpy.ndarray of int
        First and last node of each edge (the geometry runs from ``u`` to ``v``).
    edge_length : numpy.ndarray of float
        Edge lengths in metres (length of the geometry in :attr:`crs`).
    graph : scipy.sparse.csr_matrix
        Symmetric n x n matrix of the shortest edge length between adjacent nodes.
    component : numpy.ndarray of int
        Connected-component label of each node.
    source : str
        Where the network came from.
    crs : str
        The metric CRS of the coordinates, e.g. ``"EPSG:4544"`` (the embedded network);
        the builders choose the one that fits the streets.
    geometry : numpy.ndarray of shapely.LineString, optional
        Edge geometries in :attr:`crs`; without them, ``vertices`` must be given.
    vertices : tuple, optional
        The edge vertices as :attr:`edge_vertices` returns them; without them,
        ``geometry`` must be given.
    """

    node_xy: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_length: FloatArray
    graph: csr_matrix
    component: IntArray
    source: str
    crs: str = METRIC_CRS
    geometry: InitVar[npt.NDArray[np.object_] | None] = None
    vertices: InitVar[tuple[FloatArray, IntArray, FloatArray] | None] = None
    _geometry: npt.NDArray[np.object_] | None = field(default=None, init=False, repr=False)
    _vertices: tuple[FloatArray, IntArray, FloatArray] | None = field(
        default=None, init=False, repr=False)
    _segments: SegmentIndex | None = field(default=None, init=False, repr=False)
    _cells: tuple[FloatArray, float, IntArray, IntArray, IntArray] | None = field(
        default=None, init=False, repr=False)
    _hull: shapely.Geometry | None = field(default=None, init=False, repr=False)
    _incidence: tuple[IntArray, IntArray] | None = field(default=None, init=False, repr=False)

    def __post_init__(self, geometry: npt.NDArray[np.object_] | None,
                      vertices: tuple[FloatArray, IntArray, FloatArray] | None) -> None:
        if geometry is None and vertices is None:
            raise GisplanError("a WalkNetwork needs its edge geometry or its edge vertices")
        self._geometry, self._vertices = geometry, vertices

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges (street segments)."""
        return len(self.edge_u)

    @property
    def n_components(self) -> int:
        """Number of connected components."""
        return int(self.component.max()) + 1 if len(self.component) else 0

    @property
    def edge_geometry(self) -> npt.NDArray[np.object_]:
        """Edge geometries (shapely LineStrings in :attr:`crs`; made on first use).

        Networks built from coordinate arrays make no geometry unless asked: use
        :meth:`edge_lines` for a few edges.
        """
        if self._geometry is None:
            self._geometry = self.edge_lines(np.arange(self.n_edges))
        return self._geometry

    def edge_lines(self, edges: npt.ArrayLike) -> npt.NDArray[np.object_]:
        """Return the geometries of the given edges (made from the vertices if need be)."""
        edges = np.asarray(edges, dtype=np.int64)
        if self._geometry is not None:
            return self._geometry[edges]
        if not len(edges):
            return np.empty(0, dtype=object)
        xy, first, _ = self.edge_vertices
        count = first[edges + 1] - first[edges]
        vertex = np.repeat(first[edges], count) + run_offsets(count)
        lines = shapely.linestrings(xy[vertex], indices=np.repeat(np.arange(len(edges)), count))
        return np.asarray(lines, dtype=object).reshape(len(edges))

    @property
    def segment_index(self) -> SegmentIndex:
        """Bucket index of the straight segments of the edges (built on first use)."""
        if self._segments is None:
            xy, first, along = self.edge_vertices
            last = np.zeros(len(xy), dtype=bool)
            last[first[1:] - 1] = True
            segment = np.flatnonzero(~last)
            length = along[1:][segment]
            length -= along[segment]
            self._segments = SegmentIndex.build(xy, segment, length, CELL_SIZE_M)
        return self._segments

    def edges_near(self, geoms: npt.ArrayLike, distance: float) -> tuple[IntArray, IntArray]:
        """Return the pairs of geometries and edges within ``distance`` of each other.

        Parameters
        ----------
        geoms : array of shapely geometries
            Geometries in :attr:`crs`.
        distance : float
            Distance in metres.

        Returns
        -------
        geom, edge : numpy.ndarray of int
            Every (geometry, edge) pair closer than or at ``distance``, each once,
            sorted by geometry, then edge.
        """
        geoms = np.asarray(geoms, dtype=object)
        bounds = shapely.bounds(geoms).reshape(-1, 4)
        given = np.flatnonzero(np.isfinite(bounds).all(axis=1))
        which, segment = self.segment_index.candidates(bounds[given, :2] - distance,
                                                       bounds[given, 2:] + distance)
        which = given[which]
        _, first, _ = self.edge_vertices
        edge = np.searchsorted(first, self.segment_index.segment[segment], side="right") - 1
        pair = np.unique(which * self.n_edges + edge)
        which, edge = pair // self.n_edges, pair % self.n_edges
        near = shapely.dwithin(self.edge_lines(edge), geoms[which], distance)
        return which[near], edge[near]

    @property
    def node_cells(self) -> tuple[FloatArray, float, IntArray, IntArray, IntArray]:
        """Bucket index of the nodes in square cells (built on first use).

        Returns ``(origin, cell_size, shape, cell_start, node_order)``: the nodes of cell
        ``(i, j)`` are ``node_order[cell_start[k]:cell_start[k + 1]]``, ``k = i * shape[1]
        + j``. Cells are :data:`CELL_SIZE_M` wide, or wider so that there are at most two
        per node.
        """
        if self._cells is None:
            x, y = self.node_xy[:, 0], self.node_xy[:, 1]
            origin = np.array([x.min(), y.min()])
            extent = np.maximum(np.array([x.max(), y.max()]) - origin, CELL_SIZE_M)
            size = max(CELL_SIZE_M, float(np.sqrt(extent.prod() / (2 * self.n_nodes))))
            shape, start, order = grid_buckets(x, y, origin, size)
            self._cells = (origin, size, shape, start, order)
        return self._cells

    @property
    def edge_vertices(self) -> tuple[FloatArray, IntArray, FloatArray]:
        """All edge vertices, edge after edge (built on first use).

        Returns ``(xy, first, along)``: the vertices of edge ``e`` are
        ``xy[first[e]:first[e + 1]]`` and ``along`` is each vertex's distance from the
        edge's first node, in metres.
        """
        if self._vertices is None:
            xy, owner = shapely.get_coordinates(self._geometry, return_index=True)
            first = np.searchsorted(owner, np.arange(self.n_edges + 1)).astype(np.int64)
            step = np.zeros(len(xy))
            step[1:] = np.hypot(*(xy[1:] - xy[:-1]).T)
            step[first[:-1]] = 0.0
            along = np.cumsum(step)
            along -= np.repeat(along[first[:-1]], np.diff(first))
            self._vertices = (xy, first, along)
        return self._vertices

    @property
    def node_edges(self) -> tuple[IntArray, IntArray]:
        """Edges at each node (built on first use).

        Returns ``(first, edges)``: the edges ending at node ``i`` are
        ``edges[first[i]:first[i + 1]]``.
        """
        if self._incidence is None:
            first, edges = group_by(np.concatenate([self.edge_u, self.edge_v]), self.n_nodes)
            np.remainder(edges, self.n_edges, out=edges)
            self._incidence = (first, edges)
        return self._incidence

    def edges_at(self, nodes: IntArray) -> IntArray:
        """Return the edges ending at any of ``nodes``, sorted, each once."""
        first, edges = self.node_edges
        count = first[nodes + 1] - first[nodes]
        picked = np.zeros(self.n_edges, dtype=bool)
        picked[edges[np.repeat(first[nodes], count) + run_offsets(count)]] = True
        return np.flatnonzero(picked)

    def prepare(self) -> WalkNetwork:
        """Build the spatial indexes now rather than on first use; returns the network.

        The network builders call it, so that every coverage query pays only for its
        own work.
        """
        _ = self.segment_index, self.node_cells, self.node_edges, self.extent()
        return self

    def extent(self, margin: float = 0.0) -> shapely.Geometry:
        """Return the convex hull of the nodes, buffered by ``margin`` metres."""
        if self._hull is None:
            # one line through all nodes has the nodes' hull, and is cheap to build
            nodes = (shapely.points(self.node_xy[0]) if self.n_nodes == 1
                     else shapely.linestrings(self.node_xy))
            self._hull = shapely.convex_hull(nodes)
        return shapely.buffer(self._hull, margin) if margin else self._hull

    def segments(self, edge: IntArray, start: FloatArray, end: FloatArray) -> FloatArray:
        """Straight pieces of edges between two distances along them.

        Parameters
        ----------
        edge : numpy.ndarray of int
            Edge of each part.
        start, end : numpy.ndarray of float
            Distances from the edge's first node where each part starts and ends.

        Returns
        -------
        numpy.ndarray, shape (k, 2, 2)
            The parts split at the edge vertices, as ``[[x0, y0], [x1, y1]]`` in :attr:`crs`.
        """
        xy, first, along = self.edge_vertices
        count = first[edge + 1] - first[edge] - 1
        j = np.repeat(first[edge], count) + run_offsets(count)
        whole = np.repeat((start <= 0.0) & (end >= self.edge_length[edge]), count)
        # whole edges: their own vertices; parts: cut each segment to the wanted distances
        cut, owner = j[~whole], np.repeat(np.arange(len(edge)), count)[~whole]
        low = np.maximum(along[cut], start[owner])
        high = np.minimum(along[cut + 1], end[owner])
        keep = high > low
        cut, low, high = cut[keep], low[keep], high[keep]
        span = np.maximum(along[cut + 1] - along[cut], np.finfo(float).tiny)
        step = xy[cut + 1] - xy[cut]
        j = j[whole]
        head = np.concatenate([xy[j], xy[cut] + step * ((low - along[cut]) / span)[:, None]])
        tail = np.concatenate([xy[j + 1], xy[cut] + step * ((high - along[cut]) / span)[:, None]])
        return np.stack([head, tail], axis=1)

    def snap(self, points: npt.ArrayLike, max_distance: float) -> tuple[EdgeSources, FloatArray]:
        """Project points onto their nearest edge.

        Parameters
        ----------
        points : array of shapely.Point
            Points in :attr:`crs`.
        max_distance : float
            Points farther than this from every edge are not snapped.

        Returns
        -------
        sources : EdgeSources
            One entry per snapped point (``start`` is the snap distance).
        snapped : numpy.ndarray of float
            Per input point, the snap distance in metres, NaN where not snapped.
        """
        points = np.asarray(points, dtype=object)
        snapped = np.full(len(points), np.nan)
        if not len(points) or not self.n_edges:
            empty = EdgeSources(np.empty(0, np.int64), np.empty(0), np.empty(0))
            return empty, snapped
        index = self.segment_index
        given = np.flatnonzero(~(shapely.is_missing(points) | shapely.is_empty(points)))
        segment, _ = index.nearest(shapely.get_coordinates(points[given]), max_distance)
        point_idx = given[segment >= 0]
        segment = segment[segment >= 0]
        _, first, _ = self.edge_vertices
        edge_idx = np.searchsorted(first, index.segment[segment], side="right") - 1
        lines = self.edge_lines(edge_idx)
        dist = shapely.distance(lines, points[point_idx])
        position = shapely.line_locate_point(lines, points[point_idx])
        snapped[point_idx] = dist
        sources = EdgeSources(edge_idx.astype(np.int64), np.asarray(position, float),
                              np.asarray(dist, float))
        return sources, snapped

    def distances(self, sources: EdgeSources, limit: float) -> FloatArray:
        """Distance from every node to its nearest source, in one Dijkstra pass.

        A walk is never shorter than the straight line, so only nodes within
        ``limit - start`` of a source as the crow flies can be reached: when the cells
        holding them (:attr:`node_cells`) hold under a quarter of the network, the search
        runs on the subgraph of those nodes, which keeps its cost independent of the
        network's size. The result is the same.

        Parameters
        ----------
        sources : EdgeSources
            Source locations; a source's distance to an end node of its edge is
            ``start`` plus the distance along the edge.
        limit : float
            Search radius in metres; nodes farther than this get ``inf``.

        Returns
        -------
        numpy.ndarray of float
            Per node, the network distance to the nearest source (``inf`` if beyond
            ``limit`` or unreachable).
        """
        length = self.edge_length[sources.edge]
        # GEOS and the vertex arrays may measure an edge a few nanometres apart
        position = np.clip(sources.position, 0.0, length)
        targets = np.concatenate([self.edge_u[sources.edge], self.edge_v[sources.edge]])
        weights = np.concatenate([sources.start + position,
                                  sources.start + (length - position)])
        sub = self._within_reach(sources, limit)
        if sub is None:
            return node_distances(self.graph, targets, weights, limit)
        out = np.full(self.n_nodes, np.inf)
        if len(sub):
            local = np.minimum(np.searchsorted(sub, targets), len(sub) - 1)
            inside = sub[local] == targets
            out[sub] = node_distances(self.graph[sub][:, sub], local[inside],
                                      weights[inside], limit)
        return out

    def _within_reach(self, sources: EdgeSources, limit: float) -> IntArray | None:
        """Nodes in the cells within ``limit - start`` of a source (a superset of the reachable).

        None when they would be more than a quarter of the network.
        """
        reach = limit - sources.start
        ok = reach >= 0
        if not ok.any() or not self.n_nodes:
            return np.empty(0, dtype=np.int64)
        origin, size, shape, start, order = self.node_cells
        where = shapely.get_coordinates(shapely.line_interpolate_point(
            self.edge_lines(sources.edge[ok]), sources.position[ok]))
        pad = reach[ok, None] + NODE_TOLERANCE_M
        low = np.clip(np.floor((where - pad - origin) / size), 0, shape - 1)
        high = np.clip(np.floor((where + pad - origin) / size), 0, shape - 1)
        low, span = low.astype(np.int64), (high - low).astype(np.int64) + 1
        count = span[:, 0] * span[:, 1]
        owner = np.repeat(np.arange(len(count)), count)
        k = run_offsets(count)
        seen = np.zeros(len(start) - 1, dtype=bool)
        seen[(low[owner, 0] + k // span[owner, 1]) * shape[1] + low[owner, 1]
             + k % span[owner, 1]] = True
        wanted = np.flatnonzero(seen)
        first = start[wanted]
        total = start[wanted + 1] - first
        if total.sum() > self.n_nodes // 4:
            return None
        pick = np.repeat(first, total) + run_offsets(total)
        chosen = np.zeros(self.n_nodes, dtype=bool)
        chosen[order[pick]] = True
        return np.flatnonzero(chosen)


def node_distances(
    graph: csr_matrix, nodes: npt.ArrayLike, start: npt.ArrayLike, limit: float
) -> FloatArray:
    """Multi-source Dijkstra with per-source starting distances, in one pass.

    Parameters
    ----------
    graph : scipy.sparse.csr_matrix
        Square matrix of non-negative edge weights, both directions stored.
    nodes : array_like of int
        Source nodes (repeats allowed; the smallest start counts).
    start : array_like of float
        Starting distance of each source.
    limit : float
        Nodes farther than this get ``inf``.

    Returns
    -------
    numpy.ndarray of float
        Per node, ``min over sources (start + network distance)``.
    """
    n = graph.shape[0]
    nodes = np.asarray(nodes, dtype=graph.indices.dtype)
    start = np.asarray(start, dtype=float)
    keep = start <= limit
    nodes, start = nodes[keep], start[keep]
    if not len(nodes):
        return np.full(n, np.inf)
    indptr = np.append(graph.indptr, graph.indptr[-1] + len(nodes)).astype(graph.indptr.dtype)
    augmented = csr_matrix(
        (np.concatenate([graph.data, start]), np.concatenate([graph.indices, nodes]), indptr),
        shape=(n + 1, n + 1),
    )
    return dijkstra(augmented, directed=True, indices=n, limit=limit)[:n]


def _symmetric_csr(n: int, u: IntArray, v: IntArray, length: FloatArray) -> csr_matrix:
    """Symmetric n x n matrix of the shortest edge between each pair of adjacent nodes.

    Loops are left out; zero lengths are kept as explicit entries (edges of length 0).
    One sort of the node pairs finds parallel edges and gives the upper triangle row by
    row; its transpose (a counting sort) gives the lower one, whose entries come first
    in each row, so that every row's columns are sorted.
    """
    key = np.minimum(u, v).astype(np.int64)
    key *= n
    key += np.maximum(u, v)
    loop = u == v
    if loop.any():
        key, length = key[~loop], length[~loop]
    order = np.argsort(key)
    key, weight = key[order], length[order]
    new = np.ones(len(key), dtype=bool)
    np.not_equal(key[1:], key[:-1], out=new[1:])
    if not new.all():
        first = np.flatnonzero(new)
        key, weight = key[first], np.minimum.reduceat(weight, first)
    lo, hi = np.divmod(key, n)
    index = np.int32 if max(n, 2 * len(key)) < 2**31 - 1 else np.int64
    indptr = np.zeros(n + 1, dtype=index)
    np.cumsum(np.bincount(lo, minlength=n), out=indptr[1:])
    lower = csr_matrix((weight, hi.astype(index), indptr), shape=(n, n)).transpose().tocsr()
    at = np.arange(len(key))
    at += lower.indptr[lo + 1]
    upper = np.zeros(2 * len(key), dtype=bool)
    upper[at] = True
    columns = np.empty(2 * len(key), dtype=index)
    columns[at], columns[~upper] = hi, lower.indices
    data = np.empty(2 * len(key))
    data[at], data[~upper] = weight, lower.data
    return csr_matrix((data, columns, (indptr + lower.indptr).astype(index)), shape=(n, n))


def _unique_points(xy: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
    """Group coordinates equal to :data:`NODE_TOLERANCE_M`: (keys, first index, inverse)."""
    grid = np.round(xy / NODE_TOLERANCE_M).astype(np.int64)
    grid -= grid.min(axis=0)
    span = int(grid[:, 1].max()) + 1
    if grid[:, 0].max() < np.iinfo(np.int64).max // span:
        keys = grid[:, 0] * span + grid[:, 1]
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    else:
        uniq, first, inverse = np.unique(grid, axis=0, return_index=True, return_inverse=True)
    return uniq, first, inverse.ravel()


def _metric_lines(edges: gpd.GeoDataFrame | gpd.GeoSeries,
                  crs: str | None) -> tuple[npt.NDArray[np.object_], str]:
    if edges.crs is None:
        raise CRSError(
            "the street segments have no CRS; set it (e.g. edges.set_crs('EPSG:4326')) "
            "before building a network"
        )
    geoms = edges.geometry if isinstance(edges, gpd.GeoDataFrame) else edges
    if crs is None:
        crs = metric_crs_for(geoms) if (~(geoms.isna() | geoms.is_empty)).any() else METRIC_CRS
    geoms = geoms.to_crs(crs).explode(index_parts=False).values
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    kinds = shapely.get_type_id(geoms)
    if len(geoms) and not np.all(kinds == 1):
        found = sorted({shapely.geometry.base.GEOMETRY_TYPES[k] for k in set(kinds.tolist())})
        raise GisplanError(
            f"street segments must be LineStrings, found {found}; pass the edges of a "
            "street network (e.g. osmnx.graph_to_gdfs(G, nodes=False))"
        )
    return geoms, crs


def network_from_edges(
    edges: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str = "user edges",
    crs: str | None = None,
) -> WalkNetwork:
    """Build a :class:`WalkNetwork` from street-segment lines.

    Parameters
    ----------
    edges : geopandas.GeoDataFrame or GeoSeries
        LineStrings (MultiLineStrings are split), in any CRS; projected to ``crs``.
        Segments must meet at their end points (a network's edges, as written by
        osmnx); duplicates (same end nodes and midpoint, e.g. the two directions of a
        street) are dropped.
    source : str, optional
        Description recorded in :attr:`WalkNetwork.source`.
    crs : str, optional
        Metric CRS of the network; by default the one that fits the segments
        (:func:`gisplan.crs.metric_crs_for` of their centre: EPSG:4544 for Chengdu).

    Returns
    -------
    WalkNetwork

    Raises
    ------
    CRSError
        If ``edges`` has no CRS.
    GisplanError
        If a geometry is not a line, or there are no segments.
    """
    geoms, crs = _metric_lines(edges, crs)
    if not len(geoms):
        raise GisplanError("no street segments: the network needs at least one line")
    ends = np.concatenate([
        shapely.get_coordinates(shapely.get_point(geoms, 0)),
        shapely.get_coordinates(shapely.get_point(geoms, -1)),
    ])
    uniq, first, inverse = _unique_points(ends)
    m = len(geoms)
    u, v = inverse[:m], inverse[m:]
    length = shapely.length(geoms)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    middle = shapely.get_coordinates(shapely.line_interpolate_point(geoms, 0.5, normalized=True))
    middle = np.round(middle / NODE_TOLERANCE_M).astype(np.int64)
    _, keep = np.unique(np.column_stack([lo, hi, middle]), axis=0, return_index=True)
    keep.sort()
    u, v, length, geoms = u[keep], v[keep], length[keep], geoms[keep]
    node_xy = ends[first]
    graph = _symmetric_csr(len(uniq), u, v, length)
    _, component = connected_components(graph, directed=False)
    return WalkNetwork(node_xy, u.astype(np.int64), v.astype(np.int64), length, graph,
                       component.astype(np.int64), source, crs, geometry=geoms).prepare()


def _split_at_shared_vertices(lines: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Cut ways into segments at every vertex shared with another way (OSM topology)."""
    coords, line = shapely.get_coordinates(lines, return_index=True)
    _, _, inverse = _unique_points(coords)
    counts = np.bincount(inverse)
    is_first = np.ones(len(line), dtype=bool)
    is_first[1:] = line[1:] != line[:-1]
    is_last = np.ones(len(line), dtype=bool)
    is_last[:-1] = line[1:] != line[:-1]
    brk = (counts[inverse] > 1) | is_first | is_last
    starts = brk & ~is_last
    edge = np.cumsum(starts) - 1
    segment = np.flatnonzero(~is_last)
    closing = segment[brk[segment + 1]] + 1
    vertex = np.concatenate([segment, closing])
    owner = np.concatenate([edge[segment], edge[closing - 1]])
    order = np.lexsort((vertex, owner))
    return shapely.linestrings(coords[vertex[order]], indices=owner[order])


def _walkable(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    highway = frame["highway"].astype(object)
    tags = frame.get("other_tags", pd.Series(None, index=frame.index)).astype(object).fillna("")
    ok = highway.notna() & ~highway.isin(NOT_WALKABLE)
    blocked = tags.str.contains('"foot"=>"no"', regex=False) | tags.str.contains(
        '"access"=>"private"', regex=False
    )
    return np.asarray(ok & ~blocked, dtype=bool)


def network_from_osm(path: str | os.PathLike[str]) -> WalkNetwork:
    """Build a walking network from an OpenStreetMap XML or PBF file.

    Ways with a walkable ``highway`` tag (everything except :data:`NOT_WALKABLE`, and
    not ``foot=no`` or ``access=private``) are read with GDAL's OSM driver and cut at
    every vertex they share with another way, which reproduces OSM's node topology.
    Bridges and tunnels therefore do not connect to the streets they cross.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm`` (XML) or ``.osm.pbf`` file.

    Returns
    -------
    WalkNetwork
    """
    path = Path(path)
    if not path.exists():
        raise GisplanError(f"OpenStreetMap file {str(path)!r} does not exist")
    try:
        frame = pyogrio.read_dataframe(path, layer="lines")
    except pyogrio.errors.DataSourceError as exc:
        raise GisplanError(
            f"{str(path)!r} could not be read as OpenStreetMap XML or PBF ({exc})"
        ) from exc
    if "highway" not in frame.columns:
        raise GisplanError(f"{str(path)!r} holds no ways with a 'highway' tag")
    frame = frame[_walkable(frame)]
    if not len(frame):
        raise GisplanError(f"{str(path)!r} holds no walkable ways")
    lines = _split_at_shared_vertices(np.asarray(frame.geometry.values, dtype=object))
    edges = gpd.GeoSeries(lines, crs=frame.crs or "EPSG:4326")
    return network_from_edges(edges, source=f"OpenStreetMap file {path.name}")


def network_from_graph(graph: Any, *, source: str = "osmnx graph") -> WalkNetwork:
    """Build a :class:`WalkNetwork` from an osmnx graph (projected or not).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph as returned by osmnx (nodes with ``x``/``y``, ``crs`` graph attribute).
    source : str, optional
        Description recorded in :attr:`WalkNetwork.source`.

    Returns
    -------
    WalkNetwork
    """
    import osmnx

    edges = osmnx.graph_to_gdfs(graph, nodes=False, fill_edge_geometry=True)
    return network_from_edges(edges, source=source)


def network_from_place(
    query: str | dict[str, str] | shapely.Geometry, *, cache: bool = True
) -> WalkNetwork:
    """Download a walking network from OpenStreetMap with osmnx (needs internet).

    Parameters
    ----------
    query : str, dict or shapely Polygon
        A place name or structured query for ``osmnx.graph_from_place``, or a
        WGS84 polygon for ``osmnx.graph_from_polygon``.
    cache : bool, optional
        Keep the graph (GraphML) and osmnx's HTTP cache in
        ``gisplan.settings.cache_dir``; a repeated query reads the cached graph.

    Returns
    -------
    WalkNetwork
    """
    import osmnx

    text = query.wkt if isinstance(query, shapely.Geometry) else repr(query)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    folder = Path(settings.cache_dir) / "osmnx"
    cached = folder / f"walk_{digest}.graphml"
    if cache and cached.exists():
        return network_from_graph(osmnx.load_graphml(cached), source=f"osmnx cache {text}")
    osmnx.settings.use_cache = cache
    osmnx.settings.cache_folder = str(folder / "http")
    if isinstance(query, shapely.Geometry):
        graph = osmnx.graph_from_polygon(query, network_type="walk")
    else:
        graph = osmnx.graph_from_place(query, network_type="walk")
    if cache:
        folder.mkdir(parents=True, exist_ok=True)
        osmnx.save_graphml(graph, cached)
    return network_from_graph(graph, source=f"OpenStreetMap via osmnx: {text}")


def load_walk_network() -> WalkNetwork:
    """Return the embedded walking network (layer ``walk_edges``).

    Returns
    -------
    WalkNetwork
        The central-Chengdu OpenStreetMap extract (see the layer's metadata for its
        extent, date and licence), in EPSG:4544.
    """
    from gisplan.catalogue.layers import layer_metadata, load_layer

    meta = layer_metadata("walk_edges")
    return network_from_edges(load_layer("walk_edges"), source=meta["title_en"],
                              crs=METRIC_CRS)
