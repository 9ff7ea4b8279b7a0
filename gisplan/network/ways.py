"""Edges from way arrays: topology by node id, no shapely object per step.

Ways arrive as flat arrays (the way of each vertex, its node index). Edges run
between *graph nodes*, the nodes where the street graph branches or ends (as osmnx's
``simplify_graph`` keeps them): a node is a graph node unless it joins exactly two
street segments leading to two different neighbours. Ways are cut at graph nodes into
pieces; pieces that meet at a node joining just two ways (a street continuing under
another way id) are chained into one edge. Everything is numpy except that chaining, a
loop over those few pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gisplan._arrays import run_offsets

__all__ = ["EARTH_RADIUS_M", "EdgeArrays", "chain_edges", "great_circle_m"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius used by osmnx's great-circle lengths."""


@dataclass(frozen=True)
class EdgeArrays:
    """Edges as runs of vertex indices.

    Attributes
    ----------
    vertex : numpy.ndarray of int
        Indices into the input vertex arrays, edge after edge, in walking order.
    first : numpy.ndarray of int
        The vertices of edge ``e`` are ``vertex[first[e]:first[e + 1]]``.
    way : numpy.ndarray of int
        The input way each edge starts on.
    chained : dict of int to numpy.ndarray of int
        For edges running along several ways (chained through two-way joints): the
        ways, sorted.
    """

    vertex: IntArray
    first: IntArray
    way: IntArray
    chained: dict[int, IntArray]

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.first) - 1


def _graph_nodes(node: IntArray, way: IntArray, n_nodes: int) -> npt.NDArray[np.bool_]:
    """Which nodes are graph nodes (see the module docstring)."""
    same = way[1:] == way[:-1]
    a, b = node[:-1][same], node[1:][same]
    step = a != b
    a, b = a[step], b[step]
    segments = np.bincount(a, minlength=n_nodes) + np.bincount(b, minlength=n_nodes)
    pairs = np.minimum(a, b) * n_nodes + np.maximum(a, b)
    pairs.sort()  # a sort finds the distinct pairs faster than np.unique's hashing
    lo, hi = np.divmod(pairs[np.diff(pairs, prepend=-1) != 0], n_nodes)
    neighbours = np.bincount(lo, minlength=n_nodes) + np.bincount(hi, minlength=n_nodes)
    return (segments != 2) | (neighbours != 2)


def _chain(piece_start: IntArray, piece_end: IntArray, is_graph: npt.NDArray[np.bool_]
           ) -> list[list[tuple[int, bool]]]:
    """Chain pieces meeting at non-graph nodes; each chain as [(piece, reversed), ...]."""
    loose = np.flatnonzero(~is_graph[piece_start] | ~is_graph[piece_end])
    at: dict[int, list[tuple[int, bool]]] = {}
    for p in loose.tolist():
        for node, is_end in ((int(piece_start[p]), False), (int(piece_end[p]), True)):
            if not is_graph[node]:
                at.setdefault(node, []).append((p, is_end))
    used: set[int] = set()
    chains = []
    # chains from a graph node first, then rings made of non-graph nodes only
    ordered = sorted(loose.tolist(), key=lambda p: not (is_graph[piece_start[p]]
                                                        or is_graph[piece_end[p]]))
    for p in ordered:
        if p in used:
            continue
        reverse = bool(is_graph[piece_end[p]] and not is_graph[piece_start[p]])
        origin = int(piece_end[p] if reverse else piece_start[p])
        chain = []
        current, backwards = p, reverse
        while True:
            used.add(current)
            chain.append((current, backwards))
            tail = int(piece_start[current] if backwards else piece_end[current])
            if is_graph[tail] or tail == origin:
                break
            following = [(q, e) for q, e in at.get(tail, []) if q not in used]
            if not following:
                break
            current, backwards = following[0][0], following[0][1]
        chains.append(chain)
    return chains


def chain_edges(way: IntArray, node: IntArray) -> EdgeArrays:
    """Cut ways into edges between graph nodes and chain pieces through two-way joints.

    Parameters
    ----------
    way : numpy.ndarray of int
        The way of each vertex; the vertices of a way are consecutive.
    node : numpy.ndarray of int
        Compact node index (0 .. n - 1) of each vertex.

    Returns
    -------
    EdgeArrays
    """
    n_nodes = int(node.max()) + 1 if len(node) else 0
    is_graph = _graph_nodes(node, way, n_nodes)
    n = len(node)
    way_start = np.ones(n, dtype=bool)
    way_start[1:] = way[1:] != way[:-1]
    way_end = np.ones(n, dtype=bool)
    way_end[:-1] = way[1:] != way[:-1]
    cut = np.flatnonzero(is_graph[node] | way_start | way_end)
    same_way = way[cut[1:]] == way[cut[:-1]]
    start, end = cut[:-1][same_way], cut[1:][same_way]
    start_node, end_node = node[start], node[end]
    simple = is_graph[start_node] & is_graph[end_node]
    chains = _chain(start_node, end_node, is_graph)
    # one row per (edge, piece): simple pieces are edges of their own
    edge_of = [np.flatnonzero(simple)]
    rows_piece = [edge_of[0]]
    rows_rev = [np.zeros(len(edge_of[0]), dtype=bool)]
    rows_edge = [np.arange(len(edge_of[0]))]
    count = len(edge_of[0])
    flat = [(count + i, p, r) for i, chain in enumerate(chains) for p, r in chain]
    if flat:
        e, p, r = (np.array(c) for c in zip(*flat, strict=True))
        rows_edge.append(e.astype(np.int64))
        rows_piece.append(p.astype(np.int64))
        rows_rev.append(r.astype(bool))
    edge = np.concatenate(rows_edge)
    piece = np.concatenate(rows_piece)
    rev = np.concatenate(rows_rev)
    order = np.argsort(edge, kind="stable")
    edge, piece, rev = edge[order], piece[order], rev[order]
    first_row = np.ones(len(edge), dtype=bool)
    first_row[1:] = edge[1:] != edge[:-1]
    length = end[piece] - start[piece] + 1 - (~first_row)
    offset = run_offsets(length)
    begin = np.where(rev, end[piece], start[piece]) + np.where(rev, -1, 1) * (~first_row)
    sign = np.where(rev, -1, 1)
    vertex = np.repeat(begin, length) + np.repeat(sign, length) * offset
    per_edge = np.bincount(edge, weights=length, minlength=count + len(chains)).astype(np.int64)
    first = np.zeros(len(per_edge) + 1, dtype=np.int64)
    np.cumsum(per_edge, out=first[1:])
    piece_way = way[start]
    starts = np.concatenate([edge_of[0], np.array([c[0][0] for c in chains], dtype=np.int64)])
    chained = {count + i: np.unique(piece_way[[p for p, _ in chain]])
               for i, chain in enumerate(chains) if len(chain) > 1}
    return EdgeArrays(vertex, first, piece_way[starts], chained)


def great_circle_m(lonlat: FloatArray, first: IntArray) -> FloatArray:
    """Great-circle length of each run of vertices ``lonlat[first[e]:first[e + 1]]``."""
    rad = np.radians(lonlat)
    # the haversine formula, worked in place on arrays as large as the vertices
    h, sin_lon = np.diff(rad[:, 1]), np.diff(rad[:, 0])
    cos_lat = np.cos(rad[:, 1])
    del rad
    for half in (h, sin_lon):
        half /= 2
        np.sin(half, out=half)
        half **= 2
    cos_cos = cos_lat[:-1] * cos_lat[1:]
    cos_cos *= sin_lon
    h += cos_cos
    np.minimum(h, 1.0, out=h)
    np.sqrt(h, out=h)
    np.arcsin(h, out=h)
    h *= 2 * EARTH_RADIUS_M
    return _run_sums(h, first)


def _run_sums(step: FloatArray, first: IntArray) -> FloatArray:
    """Sum the steps between consecutive vertices of each run."""
    cum = np.concatenate([[0.0], np.cumsum(step)])
    # run e covers steps first[e] .. first[e + 1] - 2
    return cum[first[1:] - 1] - cum[first[:-1]]
