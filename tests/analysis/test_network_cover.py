"""The street parts of a walk: substrings and reached lines against shapely's own substring."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.ops import substring

from gisplan.analysis._network_cover import reached_lines, substrings
from gisplan.network import network_from_edges

CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0
# a zigzag of 30 + 40 + 50 m (vertices at 30 and 70 m along it) and a straight 100 m edge
ZIGZAG = shapely.LineString([(X0, Y0), (X0 + 30, Y0), (X0 + 30, Y0 + 40), (X0 + 60, Y0 + 80)])
STRAIGHT = shapely.LineString([(X0 + 60, Y0 + 80), (X0 + 160, Y0 + 80)])


@pytest.fixture(scope="module")
def net():
    network = network_from_edges(gpd.GeoSeries([ZIGZAG, STRAIGHT], crs=CRS))
    assert network.edge_length.tolist() == pytest.approx([120.0, 100.0])
    return network


def _edge(net, line):
    return int(np.flatnonzero([g.equals(line) for g in net.edge_geometry])[0])


@pytest.mark.parametrize(("start", "end"), [
    (0.0, 120.0), (0.0, 30.0), (30.0, 70.0), (30.0, 120.0), (10.0, 50.0), (29.0, 31.0),
    (30.0, 30.5), (69.5, 70.0), (0.0, 5.0), (115.0, 120.0), (45.5, 100.25)])
def test_substrings_are_shapelys_substrings(net, start, end):
    e = _edge(net, ZIGZAG)
    got = substrings(net, np.array([e]), np.array([start]), np.array([end]))
    expected = substring(net.edge_geometry[e], start, end)
    assert len(got) == 1
    np.testing.assert_allclose(shapely.get_coordinates(got[0]),
                               shapely.get_coordinates(expected), atol=1e-9)


def test_several_substrings_at_once(net):
    z, s = _edge(net, ZIGZAG), _edge(net, STRAIGHT)
    edge, start, end = np.array([s, z, z]), np.array([20.0, 30.0, 0.0]), np.array([80, 70, 29.0])
    got = substrings(net, edge, start, end)
    for line, e, a, b in zip(got, edge, start, end, strict=True):
        np.testing.assert_allclose(shapely.get_coordinates(line),
                                   shapely.get_coordinates(substring(net.edge_geometry[e], a, b)),
                                   atol=1e-9)


def test_no_substrings(net):
    got = substrings(net, np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    assert got.dtype == object and got.shape == (0,)


def test_reached_lines_keep_whole_edges_and_cut_the_others(net):
    z, s = _edge(net, ZIGZAG), _edge(net, STRAIGHT)
    parts = (np.array([z, s, s, z]), np.array([0.0, 0.5, 0.0, 30.0]),
             np.array([120.0, 100.0, 99.5, 70.0]))
    lines = reached_lines(net, parts)
    # whole edges first, then the parts in their order
    assert shapely.length(lines).tolist() == pytest.approx([120.0, 99.5, 99.5, 40.0])
    assert lines[0].equals(ZIGZAG)
    np.testing.assert_allclose(shapely.get_coordinates(lines[1]),
                               [[X0 + 60.5, Y0 + 80], [X0 + 160, Y0 + 80]])
    np.testing.assert_allclose(shapely.get_coordinates(lines[2]),
                               [[X0 + 60, Y0 + 80], [X0 + 159.5, Y0 + 80]])
