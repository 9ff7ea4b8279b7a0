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
import pandas as pd
import pyproj
import shapely
from scipy.sparse.csgraph import connected_components

from gisplan._arrays import run_offsets
from gisplan._errors import CRSError, GisplanError
from gisplan.crs import METRIC_CRS, WGS84, metric_crs_at, project_xy
from gisplan.network._csr import symmetric_csr
from gisplan.network.graph import NODE_TOLERANCE_M, WalkNetwork

__all__ = ["coincident_points", "network_from_arrays", "network_from_edges"]

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


def coincident_points(xy: FloatArray) -> IntArray:
    """Give the points equal to :data:`~gisplan.network.graph.NODE_TOLERANCE_M` one number.

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
        Coordinates in metres.

    Returns
    -------
    numpy.ndarray of int
        A number per point, the same for points on the same cell of the grid of
        :data:`~gisplan.network.graph.NODE_TOLERANCE_M`, in order of first appearance.
    """
    if not len(xy):
        return np.zeros(0, dtype=np.int64)
    return _pair_codes(*_steps(xy, NODE_TOLERANCE_M))


def _steps(xy: FloatArray, quantum: float) -> tuple[IntArray, IntArray]:
    """Whole steps of ``quantum`` from the smallest coordinate, rounded, along x and y."""
    x, y = xy[:, 0], xy[:, 1]
    # non-negative, so adding a half and truncating rounds
    return (((x - x.min()) / quantum + 0.5).astype(np.int64),
            ((y - y.min()) / quantum + 0.5).astype(np.int64))


def _pair_codes(ix: IntArray, iy: IntArray) -> IntArray:
    """Give each distinct (ix, iy) pair of non-negative integers a number (first seen, first).

    Where both fit in 31 bits (a city, in centimetres or 1e-9 degrees) a pair is one
    62-bit integer; otherwise its bits are read as one complex number (finite, since the
    integers are non-negative and small, so equal pairs and only they hash alike).
    """
    if max(int(ix.max()), int(iy.max())) < 2**31:
        key = ix << 31
        key |= iy
        codes, _ = pd.factorize(key)
    else:
        pair = np.column_stack([ix, iy])
        codes, _ = pd.factorize(pair.view(np.complex128).ravel())
    return codes


def network_from_arrays(
    xy: FloatArray, first: IntArray, node_of_vertex: IntArray, *, source: str, crs: str,
    min_component_share: float = 0.0, along: FloatArray | None = None,
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
    along : numpy.ndarray of float, optional
        Each vertex's distance from the first vertex of its edge, if already known.

    Returns
    -------
    WalkNetwork

    Raises
    ------
    GisplanError
        If there is no edge (``first`` has fewer than two entries).
    """
    if len(first) < 2:
        raise GisplanError("no street segments: the network needs at least one edge")
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
    along = _along(xy, first) if along is None else along
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
                   ) -> tuple[FloatArray, IntArray, IntArray, str]:
    """Return the distinct vertices in the metric CRS, each line vertex's one, line starts.

    Vertices are projected once per distinct position (a street node shared by four
    segments is projected once, not four times).
    """
    if edges.crs is None:
        raise CRSError(
            "the street segments have no CRS; set it (e.g. edges.set_crs('EPSG:4326')) "
            "before building a network"
        )
    geoms = np.asarray(edges.geometry.values if isinstance(edges, gpd.GeoDataFrame)
                       else edges.values, dtype=object)
    kinds = shapely.get_type_id(geoms)  # -1 for a missing geometry
    if (kinds < 0).any():
        geoms, kinds = geoms[kinds >= 0], kinds[kinds >= 0]
    if (kinds != 1).any():  # split MultiLineStrings into their lines
        geoms = shapely.get_parts(geoms)
        kinds = shapely.get_type_id(geoms)
    if (kinds != 1).any():
        found = sorted(shapely.geometry.base.GEOMETRY_TYPES[k] for k in np.unique(kinds))
        raise GisplanError(
            f"street segments must be LineStrings, found {found}; pass the edges of a "
            "street network (e.g. osmnx.graph_to_gdfs(G, nodes=False))"
        )
    count = shapely.get_num_coordinates(geoms)
    if (count < 2).any():  # empty lines
        geoms, count = geoms[count >= 2], count[count >= 2]
    coords = shapely.get_coordinates(geoms)
    source = pyproj.CRS.from_user_input(edges.crs)
    position, points = _distinct_positions(coords, DISTINCT_QUANTUM[source.is_geographic])
    if crs is None:
        crs = _fitting_crs(points, source)
    if not source.equals(pyproj.CRS.from_user_input(crs)):
        points = project_xy(points, source.to_string(), crs)
    first = np.zeros(len(geoms) + 1, dtype=np.int64)
    np.cumsum(count, out=first[1:])
    return points, position, first, crs


DISTINCT_QUANTUM = {True: 1e-9, False: 1e-4}
"""Vertices of the input closer than this in both coordinates (degrees for a geographic
CRS, about 0.1 mm; else metres) are projected once, as one position."""


def _distinct_positions(coords: FloatArray, quantum: float) -> tuple[IntArray, FloatArray]:
    """Return each vertex's distinct position and those positions (first occurrences).

    Positions are the same where the coordinates round to the same ``quantum`` steps.
    """
    if not len(coords):
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2))
    codes = _pair_codes(*_steps(coords, quantum))
    first = np.empty(int(codes.max()) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, coords[first]


def _fitting_crs(xy: FloatArray, source: pyproj.CRS) -> str:
    """Return the metric CRS that fits coordinates in ``source`` (the centre of their box)."""
    if not len(xy):
        return METRIC_CRS
    x, y = xy[:, 0], xy[:, 1]
    centre = np.array([[(x.min() + x.max()) / 2.0, (y.min() + y.max()) / 2.0]])
    lon, lat = (centre if source.equals(pyproj.CRS.from_user_input(WGS84))
                else project_xy(centre, source.to_string(), WGS84))[0]
    return metric_crs_at(float(lon), float(lat))


def _midpoints(xy: FloatArray, first: IntArray, along: FloatArray,
               edges: IntArray) -> FloatArray:
    """Return the point halfway along each of the given runs of vertices."""
    head, tail = first[:-1][edges], first[1:][edges] - 1
    # ``total`` rises along every run and keeps its value at run starts: globally sorted
    total = np.concatenate([[0.0], np.cumsum(np.maximum(np.diff(along), 0.0))])
    target = total[head] + along[tail] / 2.0
    step = np.searchsorted(total, target, side="right") - 1
    step = np.clip(step, head, np.maximum(tail - 1, head))
    span = total[step + 1] - total[step]
    fraction = np.zeros(len(step))  # 0 along a step of no length
    np.divide(target - total[step], span, out=fraction, where=span > 0)
    return xy[step] + (xy[step + 1] - xy[step]) * fraction[:, None]


def _duplicates(u: IntArray, v: IntArray, xy: FloatArray, first: IntArray,
                along: FloatArray) -> npt.NDArray[np.bool_]:
    """Mark every edge that repeats an earlier one: same end nodes and the same midpoint."""
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    key = lo * (int(hi.max()) + 1 if len(hi) else 1) + hi
    repeated = np.zeros(len(u), dtype=bool)
    # only edges sharing their end nodes with another are told apart by their midpoints
    edges = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())
    if not len(edges):
        return repeated
    middle = np.round(_midpoints(xy, first, along, edges) / NODE_TOLERANCE_M).astype(np.int64)
    sub = np.lexsort((middle[:, 1], middle[:, 0], key[edges]))
    ranked = np.column_stack([key[edges], middle])[sub]
    again = np.zeros(len(edges), dtype=bool)
    again[1:] = (ranked[1:] == ranked[:-1]).all(axis=1)
    repeated[edges[sub][again]] = True
    return repeated


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
    points, position, first, crs = _line_vertices(edges, crs)
    if len(first) < 2:
        raise GisplanError("no street segments: the network needs at least one line")
    point_node = coincident_points(points)
    xy = points[position]
    head, tail = first[:-1], first[1:] - 1
    u, v = point_node[position[head]], point_node[position[tail]]
    along = _along(xy, first)
    repeated = _duplicates(u, v, xy, first, along)
    if repeated.any():
        keep = np.flatnonzero(~repeated)
        count = np.diff(first)[keep]
        vertex = np.repeat(first[keep], count) + run_offsets(count)
        xy, along = xy[vertex], along[vertex]
        first = np.concatenate([[0], np.cumsum(count)])
        u, v = u[keep], v[keep]
    node_of_vertex = np.zeros(len(xy), dtype=np.int64)
    node_of_vertex[first[:-1]] = u
    node_of_vertex[first[1:] - 1] = v
    return network_from_arrays(xy, first, node_of_vertex, source=source, crs=crs, along=along)
