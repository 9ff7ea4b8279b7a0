"""Values of the network builder worked by hand: exact lengths, far points, repeated streets."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan import GisplanError
from gisplan.network import network_from_arrays, network_from_edges
from gisplan.network._csr import index_dtype
from gisplan.network.build import _distinct_positions, _duplicates, coincident_points

CRS = "EPSG:4544"


def _runs(*runs):
    """Vertex arrays of network_from_arrays for runs of points, each edge its own two nodes."""
    xy = np.concatenate([np.asarray(r, dtype=float) for r in runs])
    first = np.concatenate([[0], np.cumsum([len(r) for r in runs])])
    node_of_vertex = np.zeros(len(xy), dtype=np.int64)
    node_of_vertex[first[:-1]] = np.arange(0, 2 * len(runs), 2)
    node_of_vertex[first[1:] - 1] = np.arange(1, 2 * len(runs), 2)
    return xy, first, node_of_vertex


def _streets(*runs):
    return gpd.GeoSeries([shapely.LineString(r) for r in runs], crs=CRS)


def test_lengths_of_streets_far_apart_equal_geos_lengths():
    """Each edge is measured from its own first vertex, not from a running total.

    The second and third streets lie thousands of kilometres from the first; the gap
    between them is no part of any length, so short lengths keep all their digits.
    """
    runs = [[(0.0, 0.0), (0.1, 0.0)],
            [(8e6, 3e6), (8e6, 3e6 + 0.3), (8e6 + 0.2, 3e6 + 0.3)],
            [(-5e6, 9e6), (-5e6 + 0.7, 9e6)]]
    xy, first, nodes = _runs(*runs)
    net = network_from_arrays(xy, first, nodes, source="test", crs=CRS)
    expected = shapely.length([shapely.LineString(r) for r in runs])
    assert net.edge_length[0] == 0.1  # one step of 0.1 m from 0: exact
    np.testing.assert_allclose(net.edge_length, expected, rtol=0, atol=1e-12)
    _, vertex_first, along = net.edge_vertices
    np.testing.assert_array_equal(along[vertex_first[:-1]], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(along[vertex_first[1:] - 1], expected, rtol=0, atol=1e-12)


def test_short_streets_keep_their_geos_lengths_when_a_repeated_street_is_dropped():
    """The second street repeats the first backwards and is dropped; the others keep
    GEOS's lengths to the last bit (0.1 m and 0.3 m, both measured from 0)."""
    streets = _streets([(0.0, 0.0), (0.1, 0.0)], [(0.1, 0.0), (0.0, 0.0)],
                       [(0.1, 0.0), (0.1, 0.3)])
    net = network_from_edges(streets, crs=CRS)
    assert net.n_edges == 2
    expected = shapely.length(streets.values[[0, 2]])
    assert expected.tolist() == [0.1, 0.3]
    np.testing.assert_array_equal(net.edge_length, expected)
    _, first, along = net.edge_vertices
    np.testing.assert_array_equal(along[first[1:] - 1], expected)


def test_given_distances_along_the_edges_are_taken_as_they_are():
    """Distances along the edges passed in (e.g. measured on the ground) are kept."""
    xy, first, nodes = _runs([(0.0, 0.0), (3.0, 4.0), (6.0, 8.0)], [(6.0, 8.0), (6.0, 20.0)])
    along = np.array([0.0, 5.5, 11.0, 0.0, 12.5])  # not the straight-line 5, 10 and 12
    net = network_from_arrays(xy, first, nodes, source="test", crs=CRS, along=along)
    assert net.edge_length.tolist() == [11.0, 12.5]
    np.testing.assert_array_equal(net.edge_vertices[2], along)
    assert sorted(net.graph.data.tolist()) == [11.0, 11.0, 12.5, 12.5]


def test_no_edges_at_all_is_refused():
    xy, first = np.zeros((0, 2)), np.array([0])
    with pytest.raises(GisplanError, match="no street segments"):
        network_from_arrays(xy, first, np.zeros(0, dtype=np.int64), source="test", crs=CRS)


def test_points_on_either_side_of_the_world_are_two_nodes():
    # 2**31 centimetre steps apart in y (21,475 km, within the span of Web Mercator), and
    # one step apart in x: the pairs of steps (0, 2**31) and (1, 0) are different nodes
    xy = np.array([[0.0, 2**31 * 0.01], [0.01, 0.0], [0.0, 2**31 * 0.01]])
    assert coincident_points(xy).tolist() == [0, 1, 0]


def test_positions_one_step_apart_stay_apart_at_2_to_the_52_steps():
    # whole steps of 1: 2**52 and 2**52 + 1 steps from the smallest x (and y) are
    # different positions, as are 0 and 1
    big = 2.0**52
    coords = np.array([[0.0, 0.0], [big, 0.0], [big + 1, 0.0], [0.0, big], [0.0, big + 1],
                       [big + 1, 0.0], [1.0, 0.0]])
    codes, points = _distinct_positions(coords, 1.0)
    assert codes.tolist() == [0, 1, 2, 3, 4, 2, 5]
    np.testing.assert_array_equal(points, coords[[0, 1, 2, 3, 4, 6]])


def test_streets_with_other_ends_through_one_midpoint_are_all_kept():
    """Streets are repeats only if they join the same two nodes.

    Points are numbered as they first appear: A 0, B 1, P 2 (a vertex), Z 3. A loop
    B-P-B has its midpoint at P, as has the straight street A-Z (points 1, 1 and 0, 3);
    the crossing streets B-C and A-D (points 1, 2 and 0, 3) share theirs too.
    """
    a, b, p, z = (0.0, 0.0), (10.0, 0.0), (5.0, 5.0), (10.0, 10.0)
    net = network_from_edges(_streets([a, b], [b, p, b], [a, z]), crs=CRS)
    assert (net.n_nodes, net.n_edges) == (3, 3)
    a, b, c, d = (-10.0, 0.0), (0.0, 10.0), (0.0, -10.0), (10.0, 0.0)
    net = network_from_edges(_streets([a, b], [b, c], [a, d]), crs=CRS)
    assert (net.n_nodes, net.n_edges) == (4, 3)
    np.testing.assert_allclose(net.edge_length, [np.hypot(10, 10), 20.0, 20.0])


def test_a_street_repeating_the_first_after_another_between_the_same_nodes_is_dropped():
    # three streets from A to B: straight (midpoint x = 5), out to x = 20 and back
    # (30 m, midpoint x = 15, the same y) and the straight one again, reversed
    streets = _streets([(0.0, 0.0), (10.0, 0.0)], [(0.0, 0.0), (20.0, 0.0), (10.0, 0.0)],
                       [(10.0, 0.0), (0.0, 0.0)])
    net = network_from_edges(streets, crs=CRS)
    assert net.n_edges == 2
    assert net.edge_length.tolist() == [10.0, 30.0]


def test_a_midpoint_on_a_vertex_is_that_vertex():
    """The halfway point of -0.38 m, 0.055 m, 0.49 m (along x) is its middle vertex.

    0.055 m is 5.5 cm: numpy rounds the half to the even centimetre, 6, the cell of
    the midpoint 0.061 m of the second street (0.876 + 0.006 m long, half 0.441 m):
    the two join the same nodes through the same centimetre, and the second is dropped.
    """
    streets = _streets([(-0.38, 0.0), (0.055, 0.0), (0.49, 0.0)],
                       [(-0.38, 0.0), (0.496, 0.0), (0.49, 0.0)])
    assert np.round(0.055 / 0.01) == np.round(0.061 / 0.01) == 6
    net = network_from_edges(streets, crs=CRS)
    assert net.n_edges == 1
    assert net.edge_length[0] == pytest.approx(0.87)


def test_no_lines_in_a_crs_with_zone_prefixed_eastings_are_refused_as_no_segments():
    # EPSG:4499 (CGCS2000 Gauss-Kruger zone 21) writes the zone before the easting: its
    # point (0, 0) is no place on Earth; with no vertex at all, no place is asked for
    streets = gpd.GeoSeries([shapely.LineString(), None], crs="EPSG:4499")
    with pytest.raises(GisplanError, match="no street segments"):
        network_from_edges(streets)


@pytest.mark.parametrize(("n", "entries", "dtype"), [
    (10, 20, np.int32),
    (2**31 - 2, 0, np.int32),  # the largest node count and entry count with int32 indices
    (0, 2**31 - 2, np.int32),
    (2**31 - 1, 0, np.int64),
    (0, 2**31 - 1, np.int64),
    (2**31, 2**31, np.int64),
    (3**20, 2**32, np.int64),
])
def test_sparse_indices_are_int32_only_while_they_fit(n, entries, dtype):
    assert index_dtype(n, entries) is dtype


def _run_arrays(*runs):
    """xy, first and the distance of each vertex from its run's first vertex."""
    xy, first, _ = _runs(*runs)
    along = np.concatenate([np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(
        np.asarray(r, dtype=float), axis=0).T))]) for r in runs])
    return xy, first, along


STRAIGHT = [(0.0, 0.0), (10.0, 0.0)]  # midpoint x = 5
OUT_AND_BACK = [(0.0, 0.0), (20.0, 0.0), (10.0, 0.0)]  # 30 m, midpoint x = 15
FURTHER = [(0.0, 0.0), (30.0, 0.0), (10.0, 0.0)]  # 50 m, midpoint x = 25


def test_one_street_between_other_nodes_numbered_beyond_2_to_the_27_is_kept():
    # nodes 0 and 1 joined to node 2**27 by the same line: different end nodes, so no
    # repeat, although 2**27 + 1 / (2**27 + 1) and 2**27 are one double
    xy, first, along = _run_arrays(STRAIGHT, STRAIGHT)
    u, v = np.array([0, 1]), np.array([2**27, 2**27])
    assert not _duplicates(u, v, xy, first, along).any()


def test_pairs_of_nodes_with_numbers_beyond_2_to_the_53_are_told_apart():
    # node pairs (2**27, 2**28 - 1) and (2**27, 2**28): 2**27 * (2**28 + 1) + 2**28 - 1 and
    # the next integer, more than 2**53 and one double. Each pair has two streets with
    # different midpoints; the second of the first pair and the first of the second share
    # theirs (x = 15), but join other nodes: nothing repeats
    low, high = 2**27, 2**28
    key = low * (high + 1) + high - 1
    assert float(key) == float(key + 1)
    xy, first, along = _run_arrays(STRAIGHT, OUT_AND_BACK, OUT_AND_BACK, FURTHER)
    u, v = np.full(4, low), np.array([high - 1, high - 1, high, high])
    assert not _duplicates(u, v, xy, first, along).any()
    # and the same streets between one pair of nodes: the third repeats the second
    assert _duplicates(u, np.full(4, high), xy, first, along).tolist() == [
        False, False, True, False]
