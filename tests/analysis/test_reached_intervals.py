"""The street parts within a walk of the sources, as intervals worked out by hand."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan.analysis._network_cover import reached_intervals
from gisplan.network import EdgeSources, network_from_edges

CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0


def _line(*xy):
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in xy])


def _parts(net, sources, limit):
    edge, start, end = reached_intervals(net, net.distances(sources, limit), sources, limit)
    found = {}
    for e, a, b in zip(edge.tolist(), start.tolist(), end.tolist(), strict=True):
        found.setdefault(e, []).append((round(a, 9), round(b, 9)))
    return {e: sorted(v) for e, v in found.items()}


@pytest.fixture(scope="module")
def two_streets():
    """A-B and B-C, 100 m each, in a line (B is where they meet)."""
    net = network_from_edges(gpd.GeoSeries([_line((0, 0), (100, 0)), _line((100, 0), (200, 0))],
                                           crs=CRS))
    ab = next(e for e in range(2) if net.edge_geometry[e].equals(_line((0, 0), (100, 0))))
    return net, ab, 1 - ab


def _at(net, edge, metres_from_x0):
    """The position on ``edge`` of the point ``metres_from_x0`` east of its western end."""
    west_first = net.node_xy[net.edge_u[edge], 0] < net.node_xy[net.edge_v[edge], 0]
    return metres_from_x0 if west_first else net.edge_length[edge] - metres_from_x0


def _interval(net, edge, a, b):
    """``(a, b)`` in metres from the western end, as positions along ``edge``."""
    p, q = _at(net, edge, a), _at(net, edge, b)
    return (round(min(p, q), 9), round(max(p, q), 9))


def test_half_a_metre_beyond_the_joint(two_streets):
    net, ab, bc = two_streets
    source = EdgeSources(np.array([ab]), np.array([_at(net, ab, 0.0)]), np.array([0.0]))
    parts = _parts(net, source, 100.5)
    assert parts[bc] == [_interval(net, bc, 0.0, 0.5)]
    assert _interval(net, ab, 0.0, 100.0) in parts[ab]


def test_a_source_at_the_far_end_reaches_back_only(two_streets):
    net, _, bc = two_streets
    source = EdgeSources(np.array([bc]), np.array([_at(net, bc, 100.0)]), np.array([0.0]))
    parts = _parts(net, source, 30.0)
    # from the node and around the source: the same 30 m, and nothing at the other end
    assert set(parts) == {bc}
    assert set(parts[bc]) == {_interval(net, bc, 70.0, 100.0)}


def test_a_source_with_half_a_metre_left(two_streets):
    net, ab, _ = two_streets
    source = EdgeSources(np.array([ab]), np.array([_at(net, ab, 40.0)]), np.array([99.5]))
    assert _parts(net, source, 100.0) == {ab: [_interval(net, ab, 39.5, 40.5)]}


def test_a_source_near_the_start_of_its_street(two_streets):
    net, ab, _ = two_streets
    # 0.2 m from the edge's first node, with 0.3 m left: 0.1 m from that node, and
    # 0.3 m either side of the source (cut at the node)
    source = EdgeSources(np.array([ab]), np.array([0.2]), np.array([99.7]))
    assert _parts(net, source, 100.0) == {ab: [(0.0, 0.1), (0.0, 0.5)]}
