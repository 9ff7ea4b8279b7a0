"""The street parts within a walk, worked by hand: each part once, in the edge's own direction.

The streets run east along y = 0 and every edge is drawn in a chosen direction (its first
point is its first node), so the intervals below are metres from that first point.
"""

import math
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan import CoverageInputError, IncompleteDataWarning, load_layer, station_coverage
from gisplan.analysis._network_cover import (
    dissolve,
    network_for,
    reached_intervals,
    reached_lines,
)
from gisplan.network import EdgeSources, network_from_edges

CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0


def _line(*xs):
    return shapely.LineString([(X0 + x, Y0) for x in xs])


def _network(*lines):
    """The network of ``lines``, each an edge drawn from its first point to its last."""
    net = network_from_edges(gpd.GeoSeries(list(lines), crs=CRS))
    assert net.n_edges == len(lines)
    for e, line in enumerate(lines):
        assert net.edge_geometry[e].equals_exact(line, 0.0)
        first = shapely.get_coordinates(line)[0]
        assert net.node_xy[net.edge_u[e]].tolist() == first.tolist()
    return net


def _sources(*edge_position_start):
    edge, position, start = zip(*edge_position_start, strict=True)
    return EdgeSources(np.array(edge, dtype=np.int64), np.array(position, dtype=float),
                       np.array(start, dtype=float))


def _parts(net, sources, limit):
    """Per edge, the sorted list of its intervals (repeats kept)."""
    edge, start, end = reached_intervals(net, net.distances(sources, limit), sources, limit)
    found = {}
    for e, a, b in zip(edge.tolist(), start.tolist(), end.tolist(), strict=True):
        found.setdefault(e, []).append((a, b))
    return {e: sorted(v) for e, v in found.items()}


def _drawn(a, b, forward):
    """The line from ``a`` to ``b`` metres east, or from ``b`` back to ``a``."""
    return _line(a, b) if forward else _line(b, a)


def _along(a, b, forward, x):
    """Metres along ``_drawn(a, b, forward)`` of the point ``x`` metres east."""
    return x - a if forward else b - x


@pytest.mark.parametrize("forward", [True, False])
def test_an_edge_reached_from_both_ends_is_one_whole_part(forward):
    """A-B-C-D, 100 m each; sources at A (start 0) and at D (start 20), limit 160 m.

    B is 100 m from A and C 120 m (from D): B-C has 60 m left at B and 40 m at C, together
    exactly its length, so it is whole, as A-B (160 m left at A) and C-D (140 m at D).
    The sources lie on whole edges and add nothing: each edge is one part, 0 to 100 m.
    """
    net = _network(_drawn(0, 100, forward), _drawn(100, 200, forward),
                   _drawn(200, 300, forward))
    sources = _sources((0, _along(0, 100, forward, 0), 0.0),
                       (2, _along(200, 300, forward, 300), 20.0))
    west_to_east = np.argsort(net.node_xy[:, 0])
    assert net.distances(sources, 160.0)[west_to_east].tolist() == [0.0, 100.0, 120.0, 20.0]
    assert _parts(net, sources, 160.0) == {0: [(0.0, 100.0)], 1: [(0.0, 100.0)],
                                           2: [(0.0, 100.0)]}


@pytest.mark.parametrize("forward", [True, False])
def test_an_edge_with_half_a_metre_left_at_one_end_is_whole_if_the_other_end_makes_up(forward):
    """A-B-C-D, 100 m each; a source at A (start 0) and one on C-D 1 m from C (start 0).

    Limit 100.5 m: B-C has 0.5 m left at B and 99.5 m at C, together its length: whole.
    """
    net = _network(_drawn(0, 100, forward), _drawn(100, 200, forward),
                   _drawn(200, 300, forward))
    sources = _sources((0, _along(0, 100, forward, 0), 0.0),
                       (2, _along(200, 300, forward, 201), 0.0))
    parts = _parts(net, sources, 100.5)
    assert parts[1] == [(0.0, 100.0)]
    assert parts[0] == [(0.0, 100.0)]
    # on C-D: 100.5 m either side of the source, cut at the edge's ends
    assert parts[2] == [(0.0, 100.0)]


def test_street_ends_reached_with_half_a_metre_to_spare():
    """P-Q-R-S, 100 m each, drawn eastwards (P-Q ends at Q, R-S starts at R).

    A source in the middle of Q-R (start 0) with a limit of 50.5 m reaches Q and R at 50 m:
    the last 0.5 m of P-Q before Q, the first 0.5 m of R-S after R, and P and S not at all.
    """
    net = _network(_line(0, 100), _line(100, 200), _line(200, 300))
    sources = _sources((1, 50.0, 0.0))
    assert _parts(net, sources, 50.5) == {
        0: [(99.5, 100.0)],
        1: [(0.0, 0.5), (0.0, 100.0), (99.5, 100.0)],  # from Q, around the source, from R
        2: [(0.0, 0.5)],
    }
    # drawn the other way, the same metres are at the other ends of the edges
    back = _network(_line(100, 0), _line(100, 200), _line(300, 200))
    assert _parts(back, sources, 50.5) == {
        0: [(0.0, 0.5)],
        1: [(0.0, 0.5), (0.0, 100.0), (99.5, 100.0)],
        2: [(99.5, 100.0)],
    }


@pytest.mark.parametrize("forward", [True, False])
def test_an_edge_whose_far_end_is_a_rounding_error_beyond_the_limit_is_whole(forward):
    """O-U (50 m) and U-V (75 m); U is 18.4 m from a source, the limit is just under 93.4 m.

    In floating point the limit minus 18.4 is exactly 75 (U-V can be walked whole from U),
    while 18.4 + 75 rounds to 93.4, above the limit, so V itself is beyond it. U-V is one
    whole part, and a second source on it (30 m from U, 10 m left) adds nothing.
    """
    limit = math.nextafter(93.4, 0.0)
    assert limit - 18.4 == 75.0 and limit < 18.4 + 75.0
    net = _network(_line(-50, 0), _drawn(0, 75, forward))
    sources = _sources((0, 50.0, 18.4), (1, _along(0, 75, forward, 30), limit - 10.0))
    dist = net.distances(sources, limit)
    assert dist[net.edge_u[0]] == 68.4 and np.isinf(dist).sum() == 1
    assert _parts(net, sources, limit) == {0: [(0.0, 50.0)], 1: [(0.0, 75.0)]}


@pytest.mark.parametrize("forward", [True, False])
def test_a_street_end_reached_with_a_rounding_error_to_spare_adds_no_empty_part(forward):
    """A 1 km edge from a node reached at 50 m, with a limit one float above 50 m.

    0.7e-14 m is left at that node: 1000 m minus it is 1000 m again in floating point,
    so a part counted from the far end would be empty. Every part has a length.
    """
    limit = math.nextafter(50.0, 100.0)
    net = _network(_line(-100, 0), _drawn(0, 1000, forward))
    sources = _sources((0, 50.0, 0.0))
    edge, start, end = reached_intervals(net, net.distances(sources, limit), sources, limit)
    assert (end > start).all()
    tiny = limit - 50.0
    on_far_edge = sorted(zip(start[edge == 1].tolist(), end[edge == 1].tolist(), strict=True))
    assert on_far_edge == ([(0.0, tiny)] if forward else [])


def test_reached_lines_put_whole_edges_first_as_their_own_geometry():
    """Whole edges come first and are the network's own line objects; parts follow."""
    net = _network(_line(0, 30, 100), _line(100, 200))
    parts = (np.array([1, 0, 1]), np.array([10.0, 0.0, 0.0]), np.array([60.0, 100.0, 100.0]))
    lines = reached_lines(net, parts)
    assert lines[0] is net.edge_geometry[0] and lines[1] is net.edge_geometry[1]
    assert shapely.length(lines).tolist() == pytest.approx([100.0, 100.0, 50.0])
    np.testing.assert_allclose(shapely.get_coordinates(lines[2]),
                               [[X0 + 110, Y0], [X0 + 160, Y0]])


def test_dissolving_nothing_gives_an_empty_polygon():
    nothing = dissolve(np.empty(0, dtype=object))
    assert nothing.geom_type == "Polygon" and nothing.is_empty
    one = dissolve(np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], dtype=object))
    assert one.area == 2.0


def test_a_network_spanning_exactly_99_percent_of_the_area_is_accepted():
    """Streets around a 1 km square: its hull grown by 50 m ends at x = 1050 m.

    An area from x = 951 m to 1051 m (100 m x 100 m) has 99 m of its 100 m inside,
    exactly 99 %; one from x = 952 m to 1052 m has 98 %, which is refused.
    """
    ring = [_line(0, 1000),
            shapely.LineString([(X0 + 1000, Y0), (X0 + 1000, Y0 + 1000)]),
            shapely.LineString([(X0 + 1000, Y0 + 1000), (X0, Y0 + 1000)]),
            shapely.LineString([(X0, Y0 + 1000), (X0, Y0)])]
    net = network_from_edges(gpd.GeoSeries(ring, crs=CRS))
    area = shapely.box(X0 + 951, Y0 + 400, X0 + 1051, Y0 + 500)
    inside = shapely.intersection(area, net.extent(margin=50.0)).area / area.area
    assert inside == 0.99
    assert network_for(net, area, 50.0) is net
    with pytest.raises(CoverageInputError, match=r"covers only 98\.0% of the area"):
        network_for(net, shapely.box(X0 + 952, Y0 + 400, X0 + 1052, Y0 + 500), 50.0)


def test_the_embedded_network_warns_at_the_line_that_asked_for_the_coverage():
    """An area 300 m beyond the central extract: the walking network's warning names this file."""
    areas = load_layer("coverage_area")
    extract = areas[areas["area_id"] == "central_osm_extract"].to_crs(CRS)
    grown = gpd.GeoSeries(extract.buffer(300, join_style="mitre"), crs=CRS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        station_coverage(load_layer("metro_stations"), grown, method="network")
    streets = [w for w in caught if issubclass(w.category, IncompleteDataWarning)
               and "streets of the walking network" in str(w.message)]
    assert len(streets) == 1
    assert streets[0].filename == __file__
