"""Station and park coverage: notes, names, CRS and left-out parks, worked by hand."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gisplan import IncompleteDataWarning, declare_extent, park_coverage, station_coverage
from gisplan.analysis._network_cover import ACCESS_QUAD_SEGS
from gisplan.network import network_from_edges
from tests.analysis.test_park_coverage_inputs import (
    CRS,
    PARK,
    SIDE,
    SQUARE,
    X0,
    Y0,
    box,
    served,
    with_extent,
)
from tests.analysis.test_park_coverage_inputs import TOL as CIRCLE_TOL


def street(*coords):
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in coords])


WEST_HALF = box(0, 0, SIDE / 2, SIDE)


def _incomplete(caught):
    return [w for w in caught if issubclass(w.category, IncompleteDataWarning)]


def test_no_stations_add_only_the_no_stations_note():
    """With no station nothing is compared with their extent: the one note says so."""
    result = station_coverage(gpd.GeoSeries([], crs=CRS), SQUARE)
    assert result.notes == ["no stations: nothing is covered"]
    assert result.share == 0.0


def test_stations_incomplete_over_the_area_warn_at_the_callers_line():
    """Stations complete over the west half only: half the area lies beyond their extent."""
    stations = declare_extent(
        gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 2500, Y0 + 5000)], crs=CRS),
        gpd.GeoSeries([WEST_HALF], crs=CRS).to_crs("EPSG:4326").iloc[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = station_coverage(stations, SQUARE)
    warned = _incomplete(caught)
    assert len(warned) == 1 and warned[0].filename == __file__
    assert "(50.0%) of the area lies beyond the extent where stations" in str(warned[0].message)
    assert result.notes == [str(warned[0].message)]


def test_parks_incomplete_over_the_area_warn_at_the_callers_line():
    parks = declare_extent(gpd.GeoDataFrame(geometry=[PARK], crs=CRS),
                           gpd.GeoSeries([WEST_HALF], crs=CRS).to_crs("EPSG:4326").iloc[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = park_coverage(parks, SQUARE)
    warned = _incomplete(caught)
    assert len(warned) == 1 and warned[0].filename == __file__
    assert "(50.0%) of the area lies beyond the extent where parks" in str(warned[0].message)
    assert result.covered_km2 * 1e6 == pytest.approx(served(100, 500), rel=CIRCLE_TOL)


def test_park_groups_are_named_by_name_zh_by_default():
    """Halves of the square named in ``name_zh``: the park (500 m) lies on the line between."""
    halves = gpd.GeoDataFrame({"name_zh": ["西", "东"]},
                              geometry=[WEST_HALF, box(SIDE / 2, 0, SIDE, SIDE)], crs=CRS)
    result = park_coverage(with_extent(gpd.GeoDataFrame(geometry=[PARK], crs=CRS)), SQUARE,
                           groups=halves)
    table = result.by_group.set_index("group")
    assert list(table.index) == ["西", "东"]
    half = served(100, 500) / 2 / 1e6
    assert table["covered_km2"].tolist() == pytest.approx([half, half], rel=CIRCLE_TOL)
    assert table["total_km2"].tolist() == pytest.approx([50.0, 50.0])


def test_the_given_area_name_is_recorded():
    parks = with_extent(gpd.GeoDataFrame(geometry=[PARK], crs=CRS))
    assert park_coverage(parks, SQUARE, area_name="the square").params["area"] == "the square"
    residential = gpd.GeoSeries([WEST_HALF], crs=CRS)
    named = park_coverage(parks, SQUARE, area_name="the square", residential=residential)
    assert named.params["area"] == "the square (residential land)"


@pytest.mark.parametrize(("values", "dtype"), [
    ([True, pd.NA, False], "boolean"),
    ([1.0, float("nan"), 0.0], "float64"),  # a flag column with NULLs read from a file
    ([1, pd.NA, 0], "Int64"),
    ([1.0, pd.NA, 0.0], "Float64"),
    ([True, None, False], "object"),
])
def test_a_missing_park_green_value_is_not_a_park(values, dtype):
    """park_green True, missing (NA) and False: only the first is a park, two are left out."""
    flags = pd.Series(values, dtype=dtype)
    parks = with_extent(gpd.GeoDataFrame(
        {"park_green": flags},
        geometry=[PARK, box(1000, 1000, 1100, 1100), box(8000, 8000, 8100, 8100)], crs=CRS))
    result = park_coverage(parks, SQUARE)
    assert result.params["n_parks_used"] == 1 and result.params["n_not_parks"] == 2
    assert result.covered_km2 * 1e6 == pytest.approx(served(100, 500), rel=CIRCLE_TOL)


def test_non_parks_are_counted_without_a_geocode_method_column():
    parks = with_extent(gpd.GeoDataFrame(
        {"park_green": [True, False, False]},
        geometry=[PARK, box(1000, 1000, 1100, 1100), box(8000, 8000, 8100, 8100)], crs=CRS))
    result = park_coverage(parks, SQUARE)
    assert result.notes == ["2 feature(s) of the park layer received no service radius: "
                            "0 schematic drawing(s) and 2 non-park green feature(s) "
                            "(park_green False)"]


def test_network_park_coverage_is_measured_in_the_networks_crs():
    """A street built in EPSG:4545 (the 108E zone) for an area given in EPSG:4544.

    The park (300 m) lies 20 m north of the street: its frontage reaches 45.8 m beyond
    each corner (50 m from the park), whose ends walk on with 250 m left. Lengths in the
    108E zone differ by its scale factor there (about 0.1 %, areas 0.2 %).
    """
    line = gpd.GeoSeries([street((0, 0), (5000, 0))], crs=CRS)
    net = network_from_edges(line, crs="EPSG:4545")
    assert net.crs == "EPSG:4545"
    area = gpd.GeoSeries([box(0, -10, 5000, 10)], crs=CRS)
    parks = declare_extent(gpd.GeoDataFrame({"service_radius_m": [300.0]},
                                            geometry=[box(2000, 20, 2100, 120)], crs=CRS),
                           area.buffer(100.0).to_crs("EPSG:4326").iloc[0])
    result = park_coverage(parks, area, method="network", network=net, access_distance=10.0,
                           entrance_distance=50.0, exact_area=True)
    assert result.params["crs"] == "EPSG:4545" and result.notes == []
    assert result.covered.crs == "EPSG:4545"
    dx = math.sqrt(50**2 - 20**2)
    walk = street((2000 - dx - 250, 0), (2100 + dx + 250, 0))
    expected = shapely.buffer(walk, 10.0, quad_segs=ACCESS_QUAD_SEGS).intersection(area.iloc[0])
    assert result.covered_km2 * 1e6 == pytest.approx(expected.area, rel=5e-3)
    assert result.total_km2 == pytest.approx(0.1, rel=5e-3)


def test_an_unreachable_park_is_named_in_the_notes():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (5000, 0))], crs=CRS))
    parks = gpd.GeoDataFrame({"service_radius_m": [500.0], "name_zh": ["远公园"]},
                             geometry=[box(1000, 200, 1100, 300)], crs=CRS)
    result = park_coverage(parks, gpd.GeoSeries([box(0, -10, 5000, 10)], crs=CRS),
                           method="network", network=net, access_distance=10.0)
    assert result.unreachable == [0]
    assert ("1 source(s) within reach of the area but not on the network: 远公园"
            in result.notes)
