"""Edges cut from ways and chained through two-way joints, by hand; lengths against osmnx."""

import itertools

import numpy as np
import pytest
from osmnx.distance import great_circle

from gisplan.network.ways import EARTH_RADIUS_M, chain_edges, great_circle_m


def _ways(*node_lists):
    way = np.concatenate([np.full(len(n), i) for i, n in enumerate(node_lists)])
    return way.astype(np.int64), np.concatenate(node_lists).astype(np.int64)


def _edges(result):
    return [result.vertex[result.first[e]:result.first[e + 1]].tolist()
            for e in range(result.n_edges)]


def test_two_ways_meeting_at_a_joint_are_one_edge():
    result = chain_edges(*_ways([0, 1, 2], [2, 3, 4]))
    assert _edges(result) == [[0, 1, 2, 4, 5]]  # the joint's second copy (3) is left out
    assert result.way.tolist() == [0]
    assert {e: w.tolist() for e, w in result.chained.items()} == {0: [0, 1]}


def test_a_reversed_way_is_walked_backwards():
    result = chain_edges(*_ways([0, 1, 2], [4, 3, 2]))
    assert _edges(result) == [[0, 1, 2, 4, 3]]
    assert {e: w.tolist() for e, w in result.chained.items()} == {0: [0, 1]}


def test_a_branch_makes_the_joint_a_graph_node():
    result = chain_edges(*_ways([0, 1, 2], [2, 3, 4], [2, 5]))
    assert _edges(result) == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert result.way.tolist() == [0, 1, 2]
    assert result.chained == {}


def test_a_way_is_cut_where_another_crosses_it():
    result = chain_edges(*_ways([0, 1, 2, 3], [5, 1, 6]))
    assert _edges(result) == [[0, 1], [1, 2, 3], [4, 5], [5, 6]]
    assert result.way.tolist() == [0, 0, 1, 1]
    assert result.chained == {}


def test_a_ring_without_graph_nodes_is_one_edge_of_one_piece():
    result = chain_edges(*_ways([0, 1, 2, 0]))
    assert _edges(result) == [[0, 1, 2, 3]]
    assert result.chained == {}


def test_node_numbers_need_not_rise_along_a_way():
    result = chain_edges(*_ways([2, 1, 0]))
    assert _edges(result) == [[0, 1, 2]]


def test_no_ways_no_edges():
    result = chain_edges(np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert result.n_edges == 0 and result.vertex.size == 0 and result.chained == {}


def test_chains_after_simple_edges_are_numbered_after_them():
    # a simple street (way 0), then two chains of two ways each
    result = chain_edges(*_ways([10, 11], [0, 1, 2], [2, 3], [20, 21], [21, 22, 23]))
    assert _edges(result) == [[0, 1], [2, 3, 4, 6], [7, 8, 10, 11]]
    assert result.way.tolist() == [0, 1, 3]
    assert {e: w.tolist() for e, w in result.chained.items()} == {1: [1, 2], 2: [3, 4]}


def test_a_long_chain_keeps_its_order():
    # sixty two-node ways end to end, among forty simple streets
    streets = [[1000 + 2 * i, 1001 + 2 * i] for i in range(40)]
    chain = [[i, i + 1] for i in range(60)]
    result = chain_edges(*_ways(*streets, *chain))
    edges = _edges(result)
    assert edges[:40] == [[2 * i, 2 * i + 1] for i in range(40)]
    assert edges[40] == [80] + [81 + 2 * i for i in range(60)]
    assert result.way.tolist() == [*range(40), 40]
    assert result.chained[40].tolist() == list(range(40, 100))


def test_great_circle_lengths_are_osmnx_s():
    rng = np.random.default_rng(5)
    lonlat = np.column_stack([rng.uniform(-180, 180, 40), rng.uniform(-85, 85, 40)])
    lonlat[10:13] = [[104.0, 30.6], [104.01, 30.61], [104.01, 30.61]]  # a step of 0 m
    first = np.array([0, 2, 9, 13, 14, 40])
    got = great_circle_m(lonlat, first)
    step = great_circle(lonlat[:-1, 1], lonlat[:-1, 0], lonlat[1:, 1], lonlat[1:, 0],
                        earth_radius=EARTH_RADIUS_M)
    expected = [step[a:b - 1].sum() for a, b in itertools.pairwise(first)]
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert got[3] == 0.0


def test_antipodal_points_are_half_the_circumference_apart():
    got = great_circle_m(np.array([[0.0, 0.0], [180.0, 0.0], [0.0, 0.0]]), np.array([0, 3]))
    assert got.tolist() == pytest.approx([2 * np.pi * EARTH_RADIUS_M], rel=1e-12)
