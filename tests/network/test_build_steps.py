"""Steps of the network builder: node grid, midpoints and the CRS that fits, by hand and shapely."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gisplan import GisplanError
from gisplan.network import network_from_arrays, network_from_edges
from gisplan.network.build import _along, _midpoints, coincident_points


def test_points_on_the_same_centimetre_step_are_one_node():
    # offsets from the smallest x, in cm: 0, 0.4, 0.6, 1.4, 1.6 round to steps 0, 0, 1, 1, 2
    x = 1000.0 + np.array([0.0, 0.004, 0.006, 0.014, 0.016])
    codes = coincident_points(np.column_stack([x, np.full(5, 7.0)]))
    assert codes.tolist() == [0, 0, 1, 1, 2]


def test_negative_coordinates_are_stepped_from_the_smallest():
    xy = np.array([[-100.0, -5.0], [-100.004, -5.0], [-100.006, -5.0], [-100.0, -5.012]])
    assert coincident_points(xy).tolist() == [0, 1, 1, 2]


def test_no_points_no_codes():
    codes = coincident_points(np.zeros((0, 2)))
    assert codes.dtype == np.int64 and codes.shape == (0,)


@pytest.mark.parametrize("seed", range(4))
def test_midpoints_are_shapelys_halfway_points(seed):
    rng = np.random.default_rng(seed)
    runs = []
    for _ in range(12):
        k = int(rng.integers(2, 7))
        run = rng.uniform(0, 100, (k, 2)).round(1)
        if k > 2 and rng.random() < 0.5:
            run[1] = run[0]  # a repeated vertex: a step of length 0
        runs.append(run)
    runs.append(np.array([[5.0, 5.0], [5.0, 5.0]]))  # a run of length 0
    xy = np.concatenate(runs)
    first = np.concatenate([[0], np.cumsum([len(r) for r in runs])])
    along = _along(xy, first)
    edges = np.arange(len(runs))[::-1]
    got = _midpoints(xy, first, along, edges)
    lines = [shapely.LineString(runs[e]) for e in edges]
    expected = shapely.get_coordinates(shapely.line_interpolate_point(lines, 0.5,
                                                                      normalized=True))
    expected[0] = runs[edges[0]][0]  # shapely's halfway point of a zero-length line is NaN
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_a_network_in_degrees_gets_the_crs_of_its_centre():
    # the centre's latitude is 1.0 N: inside the GCJ-02 box of China, so CGCS2000 zone 35
    # (EPSG:4544); two thirds of it (0.67 N) would lie outside (UTM 48N)
    streets = gpd.GeoSeries([shapely.LineString([(104.0, 0.999), (104.0, 1.001)]),
                             shapely.LineString([(104.0, 1.001), (104.001, 1.001)])],
                            crs="EPSG:4326")
    net = network_from_edges(streets)
    assert net.crs == "EPSG:4544"
    # a degree of latitude near the equator is 110,574 m, of longitude 111,320 m x cos(lat)
    assert net.edge_length.sum() == pytest.approx(0.002 * 110_574 + 0.001 * 111_303, rel=1e-3)


CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0


def _lines(*coords_list):
    return gpd.GeoSeries([shapely.LineString([(X0 + x, Y0 + y) for x, y in c])
                          for c in coords_list], crs=CRS)


def test_midpoints_of_runs_with_steps_under_a_metre():
    run = np.array([[0.0, 0.0], [0.3, 0.0], [0.3, 0.4], [1.0, 0.4]])  # 0.3 + 0.4 + 0.7 m
    first = np.array([0, 4])
    got = _midpoints(run, first, _along(run, first), np.array([0]))
    np.testing.assert_allclose(got, [[0.3, 0.4]], atol=1e-12)  # 0.7 m along: the corner
    run = np.array([[0.0, 0.0], [0.2, 0.0], [0.6, 0.0]])
    got = _midpoints(run, np.array([0, 3]), _along(run, np.array([0, 3])), np.array([0]))
    np.testing.assert_allclose(got, [[0.3, 0.0]], atol=1e-12)


def test_a_component_of_exactly_the_minimum_share_is_kept():
    # ten nodes: a chain of eight and a lone edge (two nodes, 20 %)
    xy = np.array([[float(10 * i), 0.0] for i in range(8)] + [[0.0, 500.0], [10.0, 500.0]])
    pairs = [(i, i + 1) for i in range(7)] + [(8, 9)]
    vertices = np.concatenate([xy[[a, b]] for a, b in pairs])
    first = np.arange(0, 2 * len(pairs) + 1, 2)
    node_of_vertex = np.array([n for pair in pairs for n in pair])
    kept = network_from_arrays(vertices, first, node_of_vertex, source="t", crs=CRS,
                               min_component_share=0.2)
    assert (kept.n_nodes, kept.n_edges, kept.n_components) == (10, 8, 2)
    dropped = network_from_arrays(vertices, first, node_of_vertex, source="t", crs=CRS,
                                  min_component_share=0.21)
    assert (dropped.n_nodes, dropped.n_edges, dropped.n_components) == (8, 7, 1)


def test_missing_and_empty_lines_are_left_out():
    streets = _lines([(0, 0), (100, 0)], [(100, 0), (100, 100)], [(100, 100), (0, 100)])
    streets = pd.concat([streets, gpd.GeoSeries([None, shapely.LineString()], crs=CRS)],
                        ignore_index=True)
    net = network_from_edges(streets)
    assert (net.n_nodes, net.n_edges) == (4, 3)
    assert net.edge_length.sum() == pytest.approx(300.0)


def test_points_among_the_streets_are_refused_even_beside_missing_ones():
    streets = pd.concat([_lines([(0, 0), (100, 0)]),
                         gpd.GeoSeries([None, shapely.Point(X0, Y0)], crs=CRS)],
                        ignore_index=True)
    with pytest.raises(GisplanError, match=r"must be LineStrings, found \['LineString', "
                                           r"'Point'\]"):
        network_from_edges(streets)


def test_no_lines_at_all_is_refused():
    with pytest.raises(GisplanError, match="no street segments"):
        network_from_edges(gpd.GeoSeries([shapely.LineString(), None], crs=CRS))


def test_streets_between_the_same_nodes_are_told_apart_by_their_midpoints():
    # a straight street, one bent 20 m north, the straight one again reversed, and one
    # running 100 m west first (its midpoint on the axis, 50 m west of the middle)
    streets = _lines([(0, 0), (100, 0)], [(0, 0), (50, 20), (100, 0)], [(100, 0), (0, 0)],
                     [(0, 0), (-100, 0), (100, 0)])
    net = network_from_edges(streets)
    assert net.n_nodes == 2
    assert sorted(net.edge_length.round(6).tolist()) == pytest.approx(
        sorted([100.0, 2 * np.hypot(50, 20), 300.0]))
