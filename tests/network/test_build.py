"""Networks built from coordinate arrays: lengths, graph, components and the segment index."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gisplan.network._csr import symmetric_csr as _symmetric_csr
from gisplan.network._segment_index import SegmentIndex
from gisplan.network.build import network_from_arrays


def _streets(seed: int, side: int = 12, islands: int = 0):
    """Bent streets between jittered grid nodes, plus small separate squares (islands).

    Returns the vertex arrays ``(xy, first, node_of_vertex)`` of network_from_arrays.
    """
    rng = np.random.default_rng(seed)
    nodes = np.array([(i * 100.0, j * 100.0) for i in range(side) for j in range(side)])
    nodes += rng.uniform(-20, 20, nodes.shape)
    pairs = [(i * side + j, (i + di) * side + j + dj) for i in range(side) for j in range(side)
             for di, dj in ((1, 0), (0, 1)) if i + di < side and j + dj < side]
    pairs = [p for p in pairs if rng.random() > 0.1]
    pairs += [pairs[k] for k in rng.choice(len(pairs), 5, replace=False)]  # parallel edges
    for k in range(islands):  # squares far away, 4 nodes each
        base = len(nodes)
        corner = np.array([5000.0 + 300 * k, 5000.0])
        nodes = np.vstack([nodes, corner + np.array([[0, 0], [40, 0], [40, 40], [0, 40]])])
        pairs += [(base + a, base + (a + 1) % 4) for a in range(4)]
    xy, node_of_vertex, first = [], [], [0]
    for a, b in pairs:
        inner = rng.integers(0, 3)
        bend = nodes[a] + (nodes[b] - nodes[a]) * np.sort(rng.uniform(0.1, 0.9, inner))[:, None]
        bend += rng.uniform(-5, 5, bend.shape)
        xy += [nodes[a], *bend, nodes[b]]
        node_of_vertex += [a, *([10**6] * inner), b]
        first.append(len(xy))
    return np.array(xy), np.array(first), np.array(node_of_vertex)


def test_array_lengths_and_geometry_equal_shapely_s():
    xy, first, nodes = _streets(1)
    net = network_from_arrays(xy, first, nodes, source="test", crs="EPSG:4544")
    owner = np.repeat(np.arange(len(first) - 1), np.diff(first))
    lines = shapely.linestrings(xy, indices=owner)
    assert net._geometry is None  # no geometry is made by the build
    np.testing.assert_allclose(net.edge_length, shapely.length(lines), rtol=0, atol=1e-6)
    assert shapely.equals_exact(net.edge_geometry, lines, tolerance=0).all()
    picked = np.array([5, 0, 5, len(lines) - 1])
    assert shapely.equals_exact(net.edge_lines(picked), lines[picked], tolerance=0).all()


def test_one_build_drops_the_small_components_as_two_builds_did():
    xy, first, nodes = _streets(3, islands=3)
    whole = network_from_arrays(xy, first, nodes, source="test", crs="EPSG:4544")
    share = 0.05
    sizes = np.bincount(whole.component)
    small = sizes[whole.component[whole.edge_u]] < share * whole.n_nodes
    assert small.sum() == 12  # the three islands
    count = np.diff(first)
    keep = np.repeat(~small, count)
    again = network_from_arrays(xy[keep], np.concatenate([[0], np.cumsum(count[~small])]),
                                nodes[keep], source="test", crs="EPSG:4544")
    once = network_from_arrays(xy, first, nodes, source="test", crs="EPSG:4544",
                               min_component_share=share)
    assert once.n_components == 1 and once.n_nodes == whole.n_nodes - 12
    for name in ("node_xy", "edge_u", "edge_v", "component"):
        np.testing.assert_array_equal(getattr(once, name), getattr(again, name))
    np.testing.assert_allclose(once.edge_length, again.edge_length, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(once.graph.indptr, again.graph.indptr)
    np.testing.assert_array_equal(once.graph.indices, again.graph.indices)
    for got, want in zip(once.edge_vertices, again.edge_vertices, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [4, 5])
def test_symmetric_graph_keeps_the_shortest_parallel_edge_and_no_loop(seed):
    rng = np.random.default_rng(seed)
    n = 40
    u, v = rng.integers(0, n, 300), rng.integers(0, n, 300)
    length = rng.uniform(1, 100, 300)
    length[:30] = 0.0  # two nodes at one place: an edge all the same
    graph = _symmetric_csr(n, u, v, length)
    want: dict[tuple[int, int], float] = {}
    for a, b, w in zip(u.tolist(), v.tolist(), length.tolist(), strict=True):
        if a != b:
            for key in ((a, b), (b, a)):
                want[key] = min(w, want.get(key, np.inf))
    coo = graph.tocoo()
    assert dict(zip(zip(coo.row.tolist(), coo.col.tolist(), strict=True),
                    coo.data.tolist(), strict=True)) == want
    assert graph.has_sorted_indices and graph.nnz == len(want)
    assert (graph.data == 0).sum() == sum(w == 0 for w in want.values()) > 0


def _segments(rng, count):
    """Random segments: mostly short, some kilometres long, some of zero length."""
    start = rng.uniform(0, 3000, (count, 2))
    step = rng.normal(0, 40, (count, 2))
    step[: count // 20] *= 50
    step[-3:] = 0.0
    xy = np.empty((2 * count, 2))
    xy[0::2], xy[1::2] = start, start + step
    return xy, np.arange(0, 2 * count, 2)


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_segment_index_finds_the_truly_nearest_segment(seed):
    rng = np.random.default_rng(seed)
    xy, segment = _segments(rng, 400)
    index = SegmentIndex.build(xy, segment, np.hypot(*(xy[1::2] - xy[0::2]).T), 50.0)
    points = rng.uniform(-500, 3500, (300, 2))
    points[:5] = xy[segment[:5]]  # on a segment end
    found, dist = index.nearest(points, 250.0)
    lines = shapely.linestrings(xy, indices=np.repeat(np.arange(len(segment)), 2))
    every = shapely.distance(lines[None, :], shapely.points(points)[:, None])
    best = every.min(axis=1)
    near = best <= 250.0
    assert near.sum() > 100 and (~near).sum() > 10
    np.testing.assert_array_equal(found[~near], -1)
    np.testing.assert_allclose(dist[near], best[near], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(found[near], every[near].argmin(axis=1))


def test_snap_and_edges_near_equal_an_strtree_search():
    xy, first, nodes = _streets(9)
    net = network_from_arrays(xy, first, nodes, source="test", crs="EPSG:4544")
    rng = np.random.default_rng(9)
    points = shapely.points(rng.uniform(-300, 1500, (200, 2)))
    tree = shapely.STRtree(net.edge_geometry)
    (which, _), dist = tree.query_nearest(points, max_distance=120.0, return_distance=True,
                                             all_matches=False)
    sources, snapped = net.snap(points, 120.0)
    assert np.isnan(snapped).sum() == len(points) - len(which) > 0
    np.testing.assert_allclose(snapped[which], dist, rtol=0, atol=1e-9)
    np.testing.assert_allclose(sources.start, dist, rtol=0, atol=1e-9)
    on = shapely.distance(net.edge_lines(sources.edge), points[which])
    np.testing.assert_allclose(on, dist, rtol=0, atol=1e-9)
    zones = shapely.buffer(points[:40], rng.uniform(5, 80, 40))
    got = net.edges_near(zones, 30.0)
    want = tree.query(zones, predicate="dwithin", distance=30.0)
    assert len(got[0]) > 40
    assert set(zip(*got, strict=True)) == set(zip(*want, strict=True))


def test_group_by_counts_like_a_stable_sort():
    from gisplan._arrays import group_by

    key = np.random.default_rng(10).integers(0, 50, 1000)
    start, order = group_by(key, 60)
    np.testing.assert_array_equal(order, np.argsort(key, kind="stable"))
    np.testing.assert_array_equal(start, np.searchsorted(np.sort(key), np.arange(61)))
