"""Edges of ways that stay on one node, and great-circle lengths between antipodes."""

import numpy as np
import pytest

from gisplan.network.ways import EARTH_RADIUS_M, chain_edges, great_circle_m
from tests.network.test_ways import _edges, _ways


@pytest.mark.parametrize(("ways", "edges"), [
    # the ring (vertices 0-3) closes on its first node; the way at that node (4-5) is
    # an edge of its own, whichever comes first
    ([[0, 1, 2, 0], [0, 0]], [[0, 1, 2, 3], [4, 5]]),
    ([[0, 0], [0, 1, 2, 0]], [[0, 1], [2, 3, 4, 5]]),
    # the same at a node inside the ring
    ([[0, 1, 2, 0], [1, 1]], [[0, 1, 2, 3], [4, 5]]),
])
def test_a_way_staying_on_a_node_of_a_ring_is_not_chained_into_it(ways, edges):
    result = chain_edges(*_ways(*ways))
    assert _edges(result) == edges
    assert result.way.tolist() == [0, 1]
    assert result.chained == {}


@pytest.mark.parametrize(("ways", "edges"), [
    # a street (nodes 0-1) and, apart, a way on node 2 alone, the highest node number
    ([[0, 1], [2, 2]], [[0, 1], [2, 3]]),
    ([[0, 0]], [[0, 1]]),
])
def test_a_way_staying_on_one_node_alone_is_an_edge_of_its_own(ways, edges):
    result = chain_edges(*_ways(*ways))
    assert _edges(result) == edges
    assert result.way.tolist() == [0, 1][:len(edges)]


def test_a_way_staying_on_a_joint_is_chained_with_the_two_streets():
    result = chain_edges(*_ways([0, 1, 2], [2, 2], [2, 3, 4]))
    assert _edges(result) == [[0, 1, 2, 4, 6, 7]]
    assert {e: w.tolist() for e, w in result.chained.items()} == {0: [0, 1, 2]}


@pytest.mark.parametrize(("lon", "lat"), [
    # at this one the haversine term rounds to one unit in the last place above 1
    (-20.608981569168662, 76.7210822446456),
    (0.0, 0.0), (37.5, -12.25), (-179.0, 89.0),
])
def test_antipodes_anywhere_are_half_the_circumference_apart(lon, lat):
    lonlat = np.array([[lon, lat], [lon + 180.0, -lat], [lon, lat]])
    got = great_circle_m(lonlat, np.array([0, 2, 3]))
    assert np.isfinite(got).all()
    assert got.tolist() == pytest.approx([np.pi * EARTH_RADIUS_M, 0.0], rel=1e-12)
