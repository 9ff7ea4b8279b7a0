"""The symmetric CSR matrix of a street graph against a dense matrix built edge by edge."""

import numpy as np
import pytest

from gisplan.network._csr import symmetric_csr


def _by_hand(n, u, v, length):
    """Shortest edge per pair of distinct nodes, both ways: (dense lengths, stored pairs)."""
    dense = np.full((n, n), np.inf)
    for a, b, w in zip(u.tolist(), v.tolist(), length.tolist(), strict=True):
        if a != b:
            dense[a, b] = dense[b, a] = min(dense[a, b], w)
    stored = {(a, b) for a, b in zip(*np.nonzero(np.isfinite(dense)), strict=True)}
    return dense, stored


@pytest.mark.parametrize(("n", "m", "seed"), [(5, 12, 0), (30, 80, 1), (200, 150, 2),
                                              (3, 9, 3), (50, 400, 4)])
def test_symmetric_csr_is_the_shortest_edge_of_each_pair(n, m, seed):
    rng = np.random.default_rng(seed)
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    length = rng.choice([0.0, 1.5, 7.0, 20.25, 100.0], m)
    dense, stored = _by_hand(n, u, v, length)
    graph = symmetric_csr(n, u, v, length)
    assert graph.shape == (n, n)
    assert graph.indices.dtype == graph.indptr.dtype == np.int32
    assert graph.has_sorted_indices
    rows = np.repeat(np.arange(n), np.diff(graph.indptr))
    pairs = list(zip(rows.tolist(), graph.indices.tolist(), strict=True))
    assert len(pairs) == len(set(pairs)) == len(stored)  # each pair once, zeros kept
    assert set(pairs) == stored
    np.testing.assert_array_equal(graph.data, dense[rows, graph.indices])


def test_loops_parallel_edges_and_zero_lengths_by_hand():
    u = np.array([0, 1, 2, 1, 2, 3])
    v = np.array([1, 0, 2, 2, 1, 3])
    length = np.array([5.0, 3.0, 1.0, 0.0, 4.0, 2.0])
    graph = symmetric_csr(4, u, v, length)
    assert graph.indptr.tolist() == [0, 1, 3, 4, 4]
    assert graph.indices.tolist() == [1, 0, 2, 1]
    assert graph.data.tolist() == [3.0, 3.0, 0.0, 0.0]


def test_an_edge_list_in_any_order_gives_the_same_matrix():
    rng = np.random.default_rng(9)
    n, m = 40, 120
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    length = rng.uniform(0, 50, m).round(1)
    order = rng.permutation(m)
    a = symmetric_csr(n, u, v, length)
    b = symmetric_csr(n, v[order], u[order], length[order])
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
