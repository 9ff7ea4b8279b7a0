"""The walking network and its multi-source shortest-path engine.

A :class:`WalkNetwork` is an undirected street graph in a metric CRS that fits its
streets (:func:`gisplan.crs.metric_crs_for`: EPSG:4544 for Chengdu, the CGCS2000
3-degree Gauss-Kruger zone of its centre elsewhere in China, UTM outside China),
recorded in :attr:`WalkNetwork.crs`: node coordinates, one edge per street segment
with its vertices and length in metres, and a symmetric CSR matrix of edge lengths
for :func:`scipy.sparse.csgraph.dijkstra`. Build one with
:func:`gisplan.network.network_from_arrays` or :func:`gisplan.network.network_from_edges`.

Distances from many sources are computed in one Dijkstra pass: a virtual source node
is joined to every source location with an edge whose weight is the source's initial
distance (snap distance plus any offset), so each node receives its distance to the
nearest source, exactly as ``dijkstra(..., indices=sources, min_only=True)`` but with
sources allowed in the middle of an edge and with unequal starting distances.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from gisplan._arrays import grid_buckets, run_offsets
from gisplan._errors import GisplanError
from gisplan.crs import METRIC_CRS
from gisplan.network._segment_index import SegmentIndex

__all__ = ["CELL_SIZE_M", "NODE_TOLERANCE_M", "EdgeSources", "WalkNetwork", "node_distances"]

NODE_TOLERANCE_M = 0.01
"""End points closer than this (after rounding to this grid, in metres) are one node."""

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

    Build it with :func:`gisplan.network.network_from_arrays` or
    :func:`gisplan.network.network_from_edges` rather than directly.

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

    def prepare(self) -> WalkNetwork:
        """Build the spatial indexes now rather than on first use; returns the network.

        The network builders call it, so that every coverage query pays only for its
        own work.
        """
        _ = self.segment_index, self.node_cells, self.extent()
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
            The parts split at the edge vertices, as ``[[x0, y0], [x1, y1]]`` in :attr:`crs`:
            the pieces of whole edges first, then those of cut parts, each in input order.
        """
        xy, first, along = self.edge_vertices
        whole = (start <= 0.0) & (end >= self.edge_length[edge])
        # whole edges: their own vertices (``take`` gathers rows faster than indexing)
        j, _ = _segment_starts(first, edge[whole])
        # parts: each segment of the edge cut to the wanted distances
        cut, count = _segment_starts(first, edge[~whole])
        owner = np.repeat(np.flatnonzero(~whole), count)
        low = np.maximum(along[cut], start[owner])
        high = np.minimum(along[cut + 1], end[owner])
        keep = high > low
        cut, low, high = cut[keep], low[keep], high[keep]
        out = np.empty((len(j) + len(cut), 2, 2))
        out[:len(j), 0] = np.take(xy, j, axis=0)
        out[:len(j), 1] = np.take(xy, j + 1, axis=0)
        base = np.take(xy, cut, axis=0)
        step = np.take(xy, cut + 1, axis=0) - base
        span = np.maximum(along[cut + 1] - along[cut], np.finfo(float).tiny)
        out[len(j):, 0] = base + step * ((low - along[cut]) / span)[:, None]
        out[len(j):, 1] = base + step * ((high - along[cut]) / span)[:, None]
        return out

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
        sub = self._within_reach(EdgeSources(sources.edge, position, sources.start), limit)
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

        The sources' positions must lie on their edges (0 to the edge's length): shapely
        would measure a negative one from the edge's far end. None when the nodes would be
        more than a quarter of the network.
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
        # the k-th cell of a source's block: column k // rows, row k % rows, numbered
        # from its first cell on one-dimensional arrays
        k = run_offsets(count)
        rows = np.repeat(span[:, 1], count)
        seen = np.zeros(len(start) - 1, dtype=bool)
        seen[np.repeat(low[:, 0] * shape[1] + low[:, 1], count) + k
             + k // rows * (shape[1] - rows)] = True
        wanted = np.flatnonzero(seen)
        first = start[wanted]
        total = start[wanted + 1] - first
        if total.sum() > self.n_nodes // 4:
            return None
        pick = np.repeat(first, total) + run_offsets(total)
        chosen = np.zeros(self.n_nodes, dtype=bool)
        chosen[order[pick]] = True
        return np.flatnonzero(chosen)


def _segment_starts(first: IntArray, edges: IntArray) -> tuple[IntArray, IntArray]:
    """First vertex of every segment of ``edges`` (edge after edge), and each edge's count.

    ``first`` is the vertex offsets of :attr:`WalkNetwork.edge_vertices`: the segments of
    edge ``e`` start at vertices ``first[e]`` to ``first[e + 1] - 2``.
    """
    head = first[edges]
    count = first[edges + 1] - head - 1
    return np.repeat(head, count) + run_offsets(count), count


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
