"""Edge look-ups, snapping and searches at their boundaries, against shapely and by hand."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.ops import substring

from gisplan import GisplanError
from gisplan.network import EdgeSources, WalkNetwork, network_from_edges
from tests.network.test_graph import X0, Y0, at_node, grid, lines, node_at


@pytest.fixture(scope="module")
def big_grid():
    # 30 x 30 nodes 100 m apart: searches of a few hundred metres run on a subgraph
    return network_from_edges(grid(30))


@pytest.mark.parametrize("seed", range(3))
def test_edges_near_are_shapelys_pairs_within_the_distance(seed):
    rng = np.random.default_rng(seed)
    net = network_from_edges(grid(8, spacing=50.0))
    points = [shapely.Point(X0 + x, Y0 + y) for x, y in rng.uniform(-60, 410, (25, 2))]
    boxes = [shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)
             for x, y, w, h in rng.uniform([-60, -60, 1, 1], [400, 400, 70, 70], (10, 4))]
    geoms = np.array([*points, *boxes, None], dtype=object)
    for distance in (3.0, 17.5, 40.0):
        which, edge = net.edges_near(geoms, distance)
        lines_ = net.edge_geometry
        expected = [(g, e) for g in range(len(geoms) - 1) for e in range(net.n_edges)
                    if shapely.dwithin(lines_[e], geoms[g], distance)]
        assert list(zip(which.tolist(), edge.tolist(), strict=True)) == expected


def test_segments_of_parts_start_and_end_where_asked():
    net = network_from_edges(lines([(0, 0), (30, 0), (30, 40)]))
    assert net.edge_length.tolist() == pytest.approx([70.0])
    for start, end in [(0.5, 70.0), (0.0, 69.5), (0.5, 69.5), (0.0, 70.0), (30.0, 70.0)]:
        segments = net.segments(np.array([0]), np.array([start]), np.array([end]))
        line = shapely.line_merge(shapely.MultiLineString(list(segments)))
        expected = substring(net.edge_geometry[0], start, end)
        assert line.length == pytest.approx(end - start)
        assert line.equals(expected)


def test_missing_and_empty_points_are_not_snapped():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(100, 0), (100, 100)]))
    points = [shapely.Point(), shapely.Point(X0 + 20, Y0 + 5), None,
              shapely.Point(X0 + 97, Y0 + 60), shapely.Point(X0 + 500, Y0)]
    sources, snapped = net.snap(points, 50.0)
    np.testing.assert_allclose(snapped, [np.nan, 5.0, np.nan, 3.0, np.nan])
    assert sources.position.tolist() == pytest.approx([20.0, 60.0])
    assert sources.start.tolist() == pytest.approx([5.0, 3.0])
    assert sources.edge.dtype == np.int64 and sources.position.dtype == np.float64


def test_nothing_to_snap_gives_empty_sources():
    net = network_from_edges(lines([(0, 0), (100, 0)]))
    sources, snapped = net.snap([], 50.0)
    assert [len(sources.edge), len(sources.position), len(sources.start)] == [0, 0, 0]
    assert snapped.shape == (0,)


def test_a_position_before_the_edge_counts_from_its_first_node():
    # positions a few nanometres off the edge (GEOS and the vertex arrays) are clipped to it
    net = network_from_edges(lines([(0, 0), (100, 0), (200, 0)]))  # one edge of 200 m
    sources = EdgeSources(np.array([0]), np.array([-5.0]), np.array([10.0]))
    dist = net.distances(sources, 1000.0)
    assert dist[net.edge_u[0]] == pytest.approx(10.0)
    assert dist[net.edge_v[0]] == pytest.approx(210.0)


def test_a_node_exactly_at_the_limit_is_reached_in_a_pruned_search(big_grid):
    net = big_grid
    corner = node_at(net, 0, 0)
    source = at_node(net, corner)
    assert net._within_reach(source, 100.0) is not None  # the search is pruned
    dist = net.distances(source, 100.0)
    # the two neighbours of the corner are exactly 100 m away, in the next cell of the index
    assert sorted(np.flatnonzero(np.isfinite(dist)).tolist()) == sorted(
        [corner, node_at(net, 100, 0), node_at(net, 0, 100)])
    assert dist[node_at(net, 100, 0)] == pytest.approx(100.0)


def test_a_source_that_starts_at_the_limit_reaches_its_own_node(big_grid):
    net = big_grid
    node = node_at(net, 1500, 1500)
    source = at_node(net, node)
    source = EdgeSources(source.edge, source.position, np.array([250.0]))
    dist = net.distances(source, 250.0)
    assert np.flatnonzero(np.isfinite(dist)).tolist() == [node]
    assert dist[node] == 250.0
    beyond = net.distances(EdgeSources(source.edge, source.position, np.array([250.5])), 250.0)
    assert np.isinf(beyond).all()


def test_extent_is_the_hull_of_the_nodes():
    net = network_from_edges(lines([(0, 0), (100, 0)], [(100, 0), (50, 80)]))
    hull = shapely.Polygon([(X0, Y0), (X0 + 100, Y0), (X0 + 50, Y0 + 80)])
    assert net.extent().equals(hull) and net.extent().area == pytest.approx(4000.0)
    assert net.extent(10.0).contains(hull.buffer(9.9))
    assert not net.extent(10.0).contains(hull.buffer(10.1))
    # a network of one node (a street of length 0): its hull is the point
    point = network_from_edges(lines([(0, 0), (0, 0)]))
    assert point.n_nodes == 1
    assert point.extent().equals(shapely.Point(X0, Y0))


def test_a_network_needs_its_edge_geometry_or_vertices():
    net = network_from_edges(lines([(0, 0), (100, 0)]))
    parts = (net.node_xy, net.edge_u, net.edge_v, net.edge_length, net.graph, net.component,
             "test")
    with pytest.raises(GisplanError, match="needs its edge geometry or its edge vertices"):
        WalkNetwork(*parts)
    from_geometry = WalkNetwork(*parts, geometry=net.edge_geometry)
    assert from_geometry.edge_vertices[2].tolist() == pytest.approx([0.0, 100.0])
    assert WalkNetwork(*parts, vertices=net.edge_vertices).edge_lines([0])[0].equals(
        net.edge_geometry[0])


def test_no_edge_lines():
    net = network_from_edges(lines([(0, 0), (100, 0)]))
    got = net.edge_lines([])
    assert got.dtype == object and got.shape == (0,)
