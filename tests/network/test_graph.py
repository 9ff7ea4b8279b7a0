"""Walking networks and the one-pass multi-source engine, against hand computations and networkx."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gisplan import CRSError, GisplanError
from gisplan._arrays import run_offsets
from gisplan.analysis._network_cover import reached_intervals as _reached_intervals
from gisplan.analysis._network_cover import reached_lines as _reached_lines
from gisplan.network import EdgeSources, network_from_edges, node_distances

CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0  # inside the zone of EPSG:4544


def lines(*coords_list):
    return gpd.GeoSeries([shapely.LineString([(X0 + x, Y0 + y) for x, y in coords])
                          for coords in coords_list], crs=CRS)


def grid(n: int, spacing: float = 100.0) -> gpd.GeoSeries:
    segs = []
    for i in range(n):
        for j in range(n):
            if i + 1 < n:
                segs.append([(i * spacing, j * spacing), ((i + 1) * spacing, j * spacing)])
            if j + 1 < n:
                segs.append([(i * spacing, j * spacing), (i * spacing, (j + 1) * spacing)])
    return lines(*segs)


def node_at(net, x, y):
    return int(np.argmin(np.hypot(net.node_xy[:, 0] - X0 - x, net.node_xy[:, 1] - Y0 - y)))


def reached_lines(net, sources, limit):
    return _reached_lines(net, _reached_intervals(net, net.distances(sources, limit), sources,
                                                  limit))


def reached_length(net, sources, limit):
    return shapely.union_all(reached_lines(net, sources, limit)).length


def at_node(net, node):
    """An EdgeSources entry sitting exactly on ``node``."""
    edge = int(np.flatnonzero((net.edge_u == node) | (net.edge_v == node))[0])
    position = 0.0 if net.edge_u[edge] == node else net.edge_length[edge]
    return EdgeSources(np.array([edge]), np.array([position]), np.array([0.0]))


def test_topology_from_end_points_drops_reversed_duplicates():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(100, 0), (0, 0)],
                                   [(100, 0), (100, 50), (200, 0)]))
    assert (net.n_nodes, net.n_edges) == (3, 2)
    assert net.graph[0, 1] == pytest.approx(100.0)
    assert net.n_components == 1


def test_parallel_edges_keep_the_shorter_in_the_graph():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(0, 0), (50, 80), (100, 0)]))
    assert net.n_edges == 2
    assert net.graph[0, 1] == pytest.approx(100.0)


def test_grid_distances_are_manhattan():
    net = network_from_edges(grid(4))
    corner = node_at(net, 0, 0)
    dist = net.distances(at_node(net, corner), 1000.0)
    expected = (np.abs(net.node_xy[:, 0] - X0) + np.abs(net.node_xy[:, 1] - Y0))
    np.testing.assert_allclose(dist, expected, atol=1e-6)


def test_grid_reached_length_by_hand():
    # corner source, radius 250 on a 3x3 grid of 100 m: six full edges and four 50 m stubs
    net = network_from_edges(grid(3))
    sources = at_node(net, node_at(net, 0, 0))
    assert reached_length(net, sources, 250.0) == pytest.approx(800.0)


def test_partial_edges_from_both_ends_do_not_double_count():
    net = network_from_edges(lines([(0, 0), (1000, 0)]))
    both = EdgeSources(np.array([0, 0]), np.array([0.0, 1000.0]), np.zeros(2))
    assert reached_length(net, both, 300.0) == pytest.approx(600.0)
    assert reached_length(net, both, 600.0) == pytest.approx(1000.0)


def test_source_inside_a_long_edge_covers_both_sides():
    net = network_from_edges(lines([(0, 0), (3000, 0)]))
    sources = EdgeSources(np.array([0]), np.array([1500.0]), np.array([0.0]))
    assert np.all(np.isinf(net.distances(sources, 800.0)))
    assert reached_length(net, sources, 800.0) == pytest.approx(1600.0)


def test_partial_segment_follows_a_bent_street():
    net = network_from_edges(lines([(0, 0), (100, 0), (100, 100), (200, 100)]))
    sources = EdgeSources(np.array([0]), np.array([0.0]), np.array([0.0]))
    piece = shapely.line_merge(shapely.union_all(reached_lines(net, sources, 150.0)))
    assert piece.geom_type == "LineString"
    assert piece.length == pytest.approx(150.0)
    assert {piece.coords[0], piece.coords[-1]} == {(X0, Y0), (X0 + 100, Y0 + 50)}
    # the same part as straight segments, split at the bend (what the grid draws); the
    # source's own edge is reached from the source and from its end node: once each
    segments = net.segments(*_reached_intervals(net, net.distances(sources, 150.0), sources,
                                                150.0))
    np.testing.assert_allclose(np.unique(segments - [X0, Y0], axis=0),
                               [[[0, 0], [100, 0]], [[100, 0], [100, 50]]], atol=1e-9)


def test_run_offsets():
    np.testing.assert_array_equal(run_offsets(np.array([2, 0, 3])), [0, 1, 0, 1, 2])
    assert run_offsets(np.array([], dtype=np.int64)).size == 0
    assert run_offsets(np.array([3]), dtype=np.int32).dtype == np.int32


def test_segments_cut_inside_and_across_vertices():
    net = network_from_edges(lines([(0, 0), (100, 0), (100, 100)], [(100, 100), (300, 100)]))
    first = int(np.flatnonzero(net.edge_length == 200.0)[0])
    edge = np.array([first, first, 1 - first])
    segments = net.segments(edge, np.array([20.0, 100.0, 50.0]), np.array([150.0, 100.0, 60.0]))
    np.testing.assert_allclose(segments - [X0, Y0], [[[20, 0], [100, 0]], [[100, 0], [100, 50]],
                                                     [[150, 100], [160, 100]]], atol=1e-9)


def test_pruned_search_equals_the_full_search():
    # a 60 x 60 jittered grid with short radii: the search runs on the subgraph in reach
    rng = np.random.default_rng(3)
    xy = {(i, j): (i * 100 + rng.uniform(-20, 20), j * 100 + rng.uniform(-20, 20))
          for i in range(60) for j in range(60)}
    segs = [[xy[i, j], xy[i + di, j + dj]] for (i, j) in xy for di, dj in ((1, 0), (0, 1))
            if (i + di, j + dj) in xy and rng.random() > 0.1]
    net = network_from_edges(lines(*segs))
    edges = rng.choice(net.n_edges, 5, replace=False)
    sources = EdgeSources(edges, net.edge_length[edges] * rng.random(5), rng.uniform(0, 80, 5))
    assert net._within_reach(sources, 350.0) is not None
    assert net._within_reach(sources, 5000.0) is None
    pruned = net.distances(sources, 350.0)
    assert np.isfinite(pruned).sum() > 0
    length = net.edge_length[sources.edge]
    full = node_distances(net.graph, np.concatenate([net.edge_u[edges], net.edge_v[edges]]),
                          np.concatenate([sources.start + sources.position,
                                          sources.start + length - sources.position]), 350.0)
    np.testing.assert_array_equal(np.isinf(pruned), np.isinf(full))
    np.testing.assert_allclose(pruned, full, rtol=1e-12)


def test_snap_distance_is_counted():
    net = network_from_edges(lines([(0, 0), (1000, 0)]))
    points = shapely.points([(X0 + 500, Y0 + 50), (X0 + 500, Y0 + 900)])
    sources, snapped = net.snap(points, max_distance=400.0)
    assert snapped[0] == pytest.approx(50.0)
    assert math.isnan(snapped[1])
    assert sources.position[0] == pytest.approx(500.0)
    dist = net.distances(sources, 800.0)
    np.testing.assert_allclose(sorted(dist), [550.0, 550.0])


def test_disconnected_parts_are_not_reached():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(0, 500), (100, 500)]))
    assert net.n_components == 2
    dist = net.distances(at_node(net, node_at(net, 0, 0)), 10_000.0)
    assert np.isfinite(dist).sum() == 2
    assert np.all(np.isinf(dist[[node_at(net, 0, 500), node_at(net, 100, 500)]]))


def test_multilinestrings_are_split_and_non_lines_refused():
    multi = gpd.GeoSeries([shapely.MultiLineString([[(X0, Y0), (X0 + 10, Y0)],
                                                    [(X0 + 10, Y0), (X0 + 20, Y0)]])], crs=CRS)
    assert network_from_edges(multi).n_edges == 2
    with pytest.raises(GisplanError, match="LineStrings"):
        network_from_edges(gpd.GeoSeries([shapely.Point(X0, Y0)], crs=CRS))
    with pytest.raises(CRSError):
        network_from_edges(gpd.GeoSeries([shapely.LineString([(0, 0), (1, 1)])]))


def test_node_distances_start_offsets_and_limit():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(100, 0), (200, 0)]))
    a, c = node_at(net, 0, 0), node_at(net, 200, 0)
    dist = node_distances(net.graph, [a, c], [0.0, 50.0], 1000.0)
    assert dist[node_at(net, 100, 0)] == pytest.approx(100.0)
    assert dist[c] == pytest.approx(50.0)
    assert np.all(np.isinf(node_distances(net.graph, [a], [2000.0], 1000.0)))


@st.composite
def random_graphs(draw):
    n = draw(st.integers(3, 25))
    xy = draw(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=n,
                       max_size=n, unique=True))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                          min_size=1, max_size=3 * n))
    pairs = [(a, b) for a, b in pairs if a != b]
    sources = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))
    starts = draw(st.lists(st.floats(0, 300), min_size=len(sources), max_size=len(sources)))
    limit = draw(st.floats(10, 2000))
    return [(X0 + x * 37.0, Y0 + y * 23.0) for x, y in xy], pairs, sources, starts, limit


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_one_pass_matches_networkx_multi_source(case):
    xy, pairs, sources, starts, limit = case
    assume(pairs)
    segs = gpd.GeoSeries([shapely.LineString([xy[a], xy[b]]) for a, b in pairs], crs=CRS)
    net = network_from_edges(segs)
    index = {tuple(np.round(p, 6)): i for i, p in enumerate(net.node_xy)}
    graph = nx.Graph()
    for a, b in pairs:
        length = math.dist(xy[a], xy[b])
        if graph.has_edge(a, b):
            length = min(length, graph[a][b]["length"])
        graph.add_edge(a, b, length=length)
    graph.add_node("src")
    for node, start in zip(sources, starts, strict=True):
        if node in graph and (not graph.has_edge("src", node) or start < graph["src"][node]
                              ["length"]):
            graph.add_edge("src", node, length=start)
    expected = nx.single_source_dijkstra_path_length(graph, "src", cutoff=limit,
                                                     weight="length")
    ours_nodes = [index[tuple(np.round(xy[s], 6))] if s in graph else -1 for s in sources]
    keep = [i for i, node in enumerate(ours_nodes) if node >= 0]
    dist = node_distances(net.graph, [ours_nodes[i] for i in keep],
                          [starts[i] for i in keep], limit)
    for node, value in expected.items():
        if node == "src":
            continue
        assert dist[index[tuple(np.round(xy[node], 6))]] == pytest.approx(value, abs=1e-6)
    assert np.isfinite(dist).sum() == len(expected) - 1


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6), st.floats(50, 600))
def test_pruned_search_matches_networkx_on_random_street_grids(seed, n_sources, limit):
    # WalkNetwork.distances searches only the nodes in straight-line reach of a source;
    # networkx searches the whole graph from a virtual source
    rng = np.random.default_rng(seed)
    xy = {(i, j): (i * 100 + rng.uniform(-30, 30), j * 100 + rng.uniform(-30, 30))
          for i in range(30) for j in range(30)}
    segs = [[xy[i, j], xy[i + di, j + dj]] for (i, j) in xy for di, dj in ((1, 0), (0, 1))
            if (i + di, j + dj) in xy and rng.random() > 0.15]
    net = network_from_edges(lines(*segs))
    edges = rng.choice(net.n_edges, n_sources, replace=False)
    sources = EdgeSources(edges, net.edge_length[edges] * rng.random(n_sources),
                          rng.uniform(0, 100, n_sources))
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(net.edge_u.tolist(), net.edge_v.tolist(),
                                      net.edge_length.tolist(), strict=True))
    for k, edge in enumerate(edges.tolist()):
        u, v = int(net.edge_u[edge]), int(net.edge_v[edge])
        graph.add_edge(("source", k), u, weight=sources.start[k] + sources.position[k])
        graph.add_edge(("source", k), v, weight=sources.start[k] + net.edge_length[edge]
                       - sources.position[k])
        graph.add_edge("src", ("source", k), weight=0.0)
    expected = nx.single_source_dijkstra_path_length(graph, "src", cutoff=limit)
    dist = net.distances(sources, limit)
    reached = {node: value for node, value in expected.items() if isinstance(node, int)}
    assert np.isfinite(dist).sum() == len(reached)
    for node, value in reached.items():
        assert dist[node] == pytest.approx(value, abs=1e-6)
