"""Building a :class:`~gisplan.network.WalkNetwork` from coordinate arrays.

Every network is built here, one way: :func:`network_from_arrays` takes the vertices of
each edge and the node at each end, measures lengths from the coordinates, builds the
symmetric CSR matrix with one sort and labels the connected components; no shapely
object is made (edge geometries are made when a query needs them). The OSM readers
give it the node of each end by OSM node id; :func:`network_from_edges` gives it street
lines of any source, whose ends are joined where they coincide (to
:data:`~gisplan.network.graph.NODE_TOLERANCE_M`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from scipy.sparse.csgraph import connected_components

from gisplan._arrays import run_offsets
from gisplan._errors import CRSError, GisplanError
from gisplan.crs import METRIC_CRS, metric_crs_for, project_xy
from gisplan.network._csr import symmetric_csr
from gisplan.network.graph import NODE_TOLERANCE_M, WalkNetwork

__all__ = ["network_from_arrays", "network_from_edges", "unique_points"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _along(xy: FloatArray, first: IntArray) -> FloatArray:
    """Distance of each vertex from the first vertex of its run, along the run.

    Steps are measured as GEOS measures lengths, ``sqrt(dx * dx + dy * dy)``; the
    arrays are worked on in place, so that a large network needs little memory beyond.
    """
    along = np.empty(len(xy))
    if not len(xy):
        return along
    along[0] = 0.0
    step = along[1:]
    np.subtract(xy[1:, 0], xy[:-1, 0], out=step)
    np.square(step, out=step)
    dy = np.subtract(xy[1:, 1], xy[:-1, 1])
    np.square(dy, out=dy)
    step += dy
    del dy
    np.sqrt(step, out=step)
    along[first[:-1]] = 0.0
    np.cumsum(along, out=along)
    along -= np.repeat(along[first[:-1]], np.diff(first))
    return along


def unique_points(xy: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
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


def network_from_arrays(
    xy: FloatArray, first: IntArray, node_of_vertex: IntArray, *, source: str, crs: str,
    min_component_share: float = 0.0,
) -> WalkNetwork:
    """Build a :class:`~gisplan.network.graph.WalkNetwork` from edge vertex runs.

    No geometry object is made: lengths, the graph and the spatial indexes come from
    the coordinate arrays (:attr:`WalkNetwork.edge_geometry` is made on first use).

    Parameters
    ----------
    xy : numpy.ndarray, shape (k, 2)
        Edge vertices in ``crs``, edge after edge.
    first : numpy.ndarray of int
        The vertices of edge ``e`` are ``xy[first[e]:first[e + 1]]`` (two or more).
    node_of_vertex : numpy.ndarray of int
        Node index (0 or more, e.g. the rank of the OSM node id) of the first and last
        vertex of each edge (others ignored). The network numbers its nodes in the
        same order.
    source : str
        Recorded in :attr:`WalkNetwork.source`.
    crs : str
        The metric CRS of ``xy`` (:func:`gisplan.crs.metric_crs_for_lonlat`), recorded
        in :attr:`WalkNetwork.crs`.
    min_component_share : float, optional
        Connected components with fewer than this share of the nodes are left out, with
        their edges (the network is as if built from the other edges only).

    Returns
    -------
    WalkNetwork
    """
    head, tail = first[:-1], first[1:] - 1
    start, end = node_of_vertex[head], node_of_vertex[tail]
    present = np.zeros(int(max(start.max(), end.max())) + 1 if len(head) else 0, dtype=bool)
    present[start] = True
    present[end] = True
    number = np.cumsum(present, dtype=np.int64)
    number -= 1
    u, v = number[start], number[end]
    n_nodes = int(number[-1]) + 1 if len(number) else 0
    vertex_of_node = np.empty(n_nodes, dtype=np.int64)
    vertex_of_node[u] = head
    vertex_of_node[v] = tail
    node_xy = xy[vertex_of_node]
    along = _along(xy, first)
    length = along[tail]
    graph = symmetric_csr(n_nodes, u, v, length)
    _, component = connected_components(graph, directed=False)
    sizes = np.bincount(component)
    kept_node = (sizes >= min_component_share * n_nodes)[component]
    if not kept_node.all():
        kept = kept_node[u]
        count = np.diff(first)
        number = np.cumsum(kept_node) - 1
        u, v, length = number[u[kept]], number[v[kept]], length[kept]
        node_xy = node_xy[kept_node]
        kept_vertex = np.repeat(kept, count)
        xy, along = xy[kept_vertex], along[kept_vertex]
        first = np.concatenate([[0], np.cumsum(count[kept])])
        graph = symmetric_csr(len(node_xy), u, v, length)
        _, component = connected_components(graph, directed=False)
    return WalkNetwork(node_xy, u, v, length, graph, component.astype(np.int64), source, crs,
                       vertices=(xy, first, along)).prepare()


def _line_vertices(edges: gpd.GeoDataFrame | gpd.GeoSeries, crs: str | None
                   ) -> tuple[FloatArray, IntArray, str]:
    """Return the vertices of every line in the metric CRS, and where each line starts."""
    if edges.crs is None:
        raise CRSError(
            "the street segments have no CRS; set it (e.g. edges.set_crs('EPSG:4326')) "
            "before building a network"
        )
    geoms = np.asarray(edges.geometry.values if isinstance(edges, gpd.GeoDataFrame)
                       else edges.values, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    parts = shapely.get_parts(geoms)
    kinds = np.unique(shapely.get_type_id(parts))
    if len(parts) and not np.array_equal(kinds, [1]):
        found = sorted(shapely.geometry.base.GEOMETRY_TYPES[k] for k in kinds.tolist())
        raise GisplanError(
            f"street segments must be LineStrings, found {found}; pass the edges of a "
            "street network (e.g. osmnx.graph_to_gdfs(G, nodes=False))"
        )
    xy, owner = shapely.get_coordinates(parts, return_index=True)
    if crs is None:
        crs = (metric_crs_for(gpd.GeoSeries(parts, crs=edges.crs)) if len(parts)
               else METRIC_CRS)
    if not pyproj.CRS.from_user_input(edges.crs).equals(pyproj.CRS.from_user_input(crs)):
        xy = project_xy(xy, edges.crs, crs)
    first = np.searchsorted(owner, np.arange(len(parts) + 1)).astype(np.int64)
    return xy, first, crs


def _midpoints(xy: FloatArray, first: IntArray, along: FloatArray) -> FloatArray:
    """Return the point halfway along each run of vertices."""
    head, tail = first[:-1], first[1:] - 1
    # ``total`` rises along every run and keeps its value at run starts: globally sorted
    total = np.concatenate([[0.0], np.cumsum(np.maximum(np.diff(along), 0.0))])
    target = total[head] + along[tail] / 2.0
    step = np.searchsorted(total, target, side="right") - 1
    step = np.clip(step, head, np.maximum(tail - 1, head))
    span = total[step + 1] - total[step]
    fraction = np.divide(target - total[step], span, out=np.zeros(len(step)), where=span > 0)
    return xy[step] + (xy[step + 1] - xy[step]) * fraction[:, None]


def network_from_edges(
    edges: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str = "user edges",
    crs: str | None = None,
) -> WalkNetwork:
    """Build a :class:`WalkNetwork` from street-segment lines.

    The lines' vertices are projected as arrays and the network is built by
    :func:`network_from_arrays`, as every other network is; segment ends closer than
    :data:`~gisplan.network.graph.NODE_TOLERANCE_M` are one node.

    Parameters
    ----------
    edges : geopandas.GeoDataFrame or GeoSeries
        LineStrings (MultiLineStrings are split), in any CRS; projected to ``crs``.
        Segments must meet at their end points (a network's edges, as written by
        osmnx or a planning bureau's road centre lines cut at junctions); duplicates
        (same end nodes and midpoint, e.g. the two directions of a street) are dropped.
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
    xy, first, crs = _line_vertices(edges, crs)
    if len(first) < 2:
        raise GisplanError("no street segments: the network needs at least one line")
    head, tail = first[:-1], first[1:] - 1
    _, _, end_node = unique_points(np.concatenate([xy[head], xy[tail]]))
    m = len(head)
    u, v = end_node[:m], end_node[m:]
    along = _along(xy, first)
    middle = np.round(_midpoints(xy, first, along) / NODE_TOLERANCE_M).astype(np.int64)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((middle[:, 1], middle[:, 0], hi, lo))
    key = np.column_stack([lo, hi, middle])[order]
    new = np.ones(m, dtype=bool)
    new[1:] = (key[1:] != key[:-1]).any(axis=1)
    keep = np.sort(order[new])
    if len(keep) < m:
        count = np.diff(first)[keep]
        vertex = np.repeat(first[keep], count) + run_offsets(count)
        xy = xy[vertex]
        first = np.concatenate([[0], np.cumsum(count)])
        u, v = u[keep], v[keep]
    node_of_vertex = np.zeros(len(xy), dtype=np.int64)
    node_of_vertex[first[:-1]] = u
    node_of_vertex[first[1:] - 1] = v
    return network_from_arrays(xy, first, node_of_vertex, source=source, crs=crs)
