"""Steps of the network builder: node grid, midpoints and the CRS that fits, by hand and shapely."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan.network import network_from_edges
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
