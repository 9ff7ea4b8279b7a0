"""Values of the walking network at the edges of its inputs, by hand and against networkx."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse import csr_matrix

from gisplan.network import EdgeSources, WalkNetwork, network_from_edges, node_distances
from tests.network.test_graph import X0, Y0, grid, lines, node_at


def _networkx_distances(net: WalkNetwork, sources: EdgeSources, limit: float) -> np.ndarray:
    """Distances from a virtual node joined to both ends of each source's edge."""
    graph = nx.Graph()
    graph.add_nodes_from(range(net.n_nodes))
    for u, v, length in zip(net.edge_u.tolist(), net.edge_v.tolist(),
                            net.edge_length.tolist(), strict=True):
        if not graph.has_edge(u, v) or length < graph[u][v]["weight"]:
            graph.add_edge(u, v, weight=length)
    for k, edge in enumerate(sources.edge.tolist()):
        u, v, length = int(net.edge_u[edge]), int(net.edge_v[edge]), net.edge_length[edge]
        to_u = sources.start[k] + sources.position[k]
        to_v = sources.start[k] + length - sources.position[k]
        if u == v:
            graph.add_edge(("source", k), u, weight=min(to_u, to_v))
        else:
            graph.add_edge(("source", k), u, weight=to_u)
            graph.add_edge(("source", k), v, weight=to_v)
    graph.add_edges_from((("all", ("source", k)) for k in range(len(sources.edge))), weight=0.0)
    found = nx.single_source_dijkstra_path_length(graph, "all", cutoff=limit)
    out = np.full(net.n_nodes, np.inf)
    for node, value in found.items():
        if isinstance(node, int):
            out[node] = value
    return out


def test_edge_lines_take_any_integer_like_indices_with_or_without_geometry():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(100, 0), (100, 60)]))
    # built from arrays: the lines are made from the vertices
    made = net.edge_lines(np.array([1.0, 0.0]))
    assert [g.length for g in made] == pytest.approx(net.edge_length[[1, 0]].tolist())
    _ = net.edge_geometry  # now the geometries are kept and indexed
    kept = net.edge_lines(np.array([1.0, 0.0]))
    assert all(a.equals(b) for a, b in zip(kept, made, strict=True))
    none = net.edge_lines([])
    assert none.dtype == object and none.shape == (0,)


def test_segments_of_whole_edges_are_their_straight_pieces_including_empty_ones():
    # a street drawn with its middle vertex twice: three pieces, one of them 0 m long
    net = network_from_edges(lines([(0, 0), (50, 0), (50, 0), (100, 0)],
                                   [(100, 0), (100, 30), (130, 70)]))
    edges = np.array([0, 1])
    got = net.segments(edges, np.zeros(2), net.edge_length[edges].copy())
    coords = [shapely.get_coordinates(net.edge_geometry[e]) for e in edges]
    expected = np.concatenate([np.stack([c[:-1], c[1:]], axis=1) for c in coords])
    assert got.shape == (5, 2, 2)
    np.testing.assert_array_equal(got, expected)


def test_snapping_onto_a_network_without_edges_snaps_nothing():
    net = WalkNetwork(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0, np.int64),
                      np.zeros(0), csr_matrix((0, 0)), np.zeros(0, np.int64), "empty",
                      geometry=np.empty(0, dtype=object))
    sources, snapped = net.snap([shapely.Point(X0, Y0), shapely.Point(X0 + 5, Y0)], 50.0)
    assert len(sources.edge) == len(sources.position) == len(sources.start) == 0
    assert np.isnan(snapped).all() and snapped.shape == (2,)


@pytest.fixture(scope="module")
def bulging_grid() -> WalkNetwork:
    # a 10 x 10 grid, 100 m apart, and two streets that swing 5 km out of it to the
    # east and to the west between two of its nodes
    swings = lines([(900, 0), (6000, 450), (900, 900)], [(0, 0), (-6000, 450), (0, 900)])
    return network_from_edges(pd.concat([grid(10), swings], ignore_index=True))


def _far_sources(net: WalkNetwork) -> EdgeSources:
    # the two swings are the longest edges; the far sources sit at their tips, 5 km from
    # any node, and a third source on a street of the grid
    far = np.argsort(net.edge_length)[-2:]
    near = int(np.flatnonzero(np.isclose(net.edge_length, 100.0))[40])
    edge = np.array([*far, near])
    return EdgeSources(edge, np.array([*(net.edge_length[far] / 2), 30.0]),
                       np.array([0.0, 10.0, 5.0]))


def test_sources_far_outside_the_nodes_reach_nothing_and_leave_the_others_alone(bulging_grid):
    net = bulging_grid
    sources = _far_sources(net)
    assert net.edge_length[sources.edge[:2]] == pytest.approx(
        [2 * math.hypot(5100, 450), 2 * math.hypot(6000, 450)])
    for limit in (300.0, 6000.0):
        got = net.distances(sources, limit)
        expected = _networkx_distances(net, sources, limit)
        np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
        np.testing.assert_allclose(got[np.isfinite(got)], expected[np.isfinite(expected)],
                                   rtol=1e-12)
    # alone, the far sources reach no node within 300 m
    alone = EdgeSources(sources.edge[:2], sources.position[:2], sources.start[:2])
    assert np.isinf(net.distances(alone, 300.0)).all()


def test_sources_that_start_beyond_the_limit_reach_nothing(bulging_grid):
    net = bulging_grid
    sources = _far_sources(net)
    late = EdgeSources(sources.edge, sources.position, np.array([400.0, 301.0, 300.5]))
    got = net.distances(late, 300.0)
    assert got.shape == (net.n_nodes,) and np.isinf(got).all()


def test_distances_on_a_network_smaller_than_one_cell():
    # two nodes 50 m apart: the node index has a single cell
    net = network_from_edges(lines([(0, 0), (50, 0)], [(50, 0), (50, 20)]))
    assert net.node_cells[2].tolist() == [1, 1]
    edge = int(np.argmax(net.edge_length))
    sources = EdgeSources(np.array([edge]), np.array([10.0]), np.array([2.0]))
    got = net.distances(sources, 100.0)
    # 2 m to the street, then 10 m back to its first node or 40 m on, and 20 m further
    assert sorted(got.tolist()) == pytest.approx([12.0, 42.0, 62.0])
    np.testing.assert_allclose(got, _networkx_distances(net, sources, 100.0))


def test_node_distances_take_node_numbers_of_any_integer_type():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(100, 0), (100, 60)]))
    a, b, c = node_at(net, 0, 0), node_at(net, 100, 0), node_at(net, 100, 60)
    for dtype in (np.uint64, np.uint32, np.int16, np.int64):
        got = node_distances(net.graph, np.array([a], dtype=dtype), [5.0], 1000.0)
        assert got[[a, b, c]].tolist() == pytest.approx([5.0, 105.0, 165.0])


def test_node_distances_count_the_smallest_start_of_a_repeated_node():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(100, 0), (100, 60)]))
    a, b, c = node_at(net, 0, 0), node_at(net, 100, 0), node_at(net, 100, 60)
    got = node_distances(net.graph, [a, a, c, a], [30.0, 10.0, 500.0, 20.0], 1000.0)
    assert got[[a, b, c]].tolist() == pytest.approx([10.0, 110.0, 170.0])


def test_node_distances_follow_each_stored_direction():
    # both directions stored, with unequal weights (e.g. walking times up and down a slope)
    weights = {(0, 1): 10.0, (1, 0): 100.0, (1, 2): 5.0, (2, 1): 50.0, (2, 3): 7.0,
               (3, 2): 7.0}
    rows, cols = zip(*weights, strict=True)
    graph = csr_matrix((list(weights.values()), (rows, cols)), shape=(4, 4))
    digraph = nx.DiGraph()
    digraph.add_weighted_edges_from((u, v, w) for (u, v), w in weights.items())
    for sources, starts in (([2], [0.0]), ([3, 0], [1.0, 20.0])):
        digraph.add_weighted_edges_from(("s", n, s) for n, s in zip(sources, starts,
                                                                     strict=True))
        expected = nx.single_source_dijkstra_path_length(digraph, "s")
        digraph.remove_node("s")
        got = node_distances(graph, sources, starts, 1000.0)
        assert got.tolist() == pytest.approx([expected[n] for n in range(4)])
    # from node 2: 50 m up to node 1, then 100 m to node 0
    assert node_distances(graph, [2], [0.0], 1000.0).tolist() == [150.0, 50.0, 0.0, 7.0]


def test_a_position_before_the_edge_counts_from_its_first_node_in_a_pruned_search():
    # a 30 x 30 grid 100 m apart: a search of 30 m runs on the nodes near the source. The
    # source lies a nanometre before the first node of an edge (as GEOS may put it): it is
    # 0 m from that node and 100 m from the other, so only the first node is reached,
    # whatever the direction the edge was drawn in
    for reverse in (False, True):
        segs = grid(30)
        net = network_from_edges(segs.reverse() if reverse else segs)
        edge = int(np.flatnonzero(np.isclose(net.edge_length, 100.0))[400])
        sources = EdgeSources(np.array([edge]), np.array([-1e-9]), np.array([0.0]))
        assert net._within_reach(sources, 30.0) is not None
        dist = net.distances(sources, 30.0)
        assert np.flatnonzero(np.isfinite(dist)).tolist() == [net.edge_u[edge]]
        assert dist[net.edge_u[edge]] == pytest.approx(0.0, abs=1e-6)
