"""GB/T 50563-2010 park size classes and service radii."""

import geopandas as gpd
import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

from gisplan._errors import CRSError
from gisplan.crs import METRIC_CRS
from gisplan.standards.parks import HISTORIC_DISTRICT_RADII, PARK_SERVICE_RADII, classify_parks

# x0, side length (m): areas 10000, 2500 and 1600 m2, known on paper
SQUARES = [(0, 100.0), (1000, 50.0), (2000, 40.0)]


@pytest.fixture
def squares():
    geoms = [box(500000 + x, 3390000, 500000 + x + side, 3390000 + side) for x, side in SQUARES]
    return gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=geoms, crs=METRIC_CRS,
                            index=[10, 20, 30])


def test_default_radii_follow_the_standard(squares):
    result = classify_parks(squares)
    assert result["area_m2"].round(3).tolist() == [10000.0, 2500.0, 1600.0]
    assert result["size_class"].tolist() == ["large", "medium", "small"]
    assert result["service_radius_m"].iloc[:2].tolist() == [500.0, 300.0]
    assert np.isnan(result["service_radius_m"].iloc[2])


def test_thresholds_are_inclusive():
    frame = gpd.GeoDataFrame({"area": [5000.0, 4999.9, 2000.0, 1999.9]},
                             geometry=[None] * 4)
    result = classify_parks(frame, area_column="area")
    assert result["service_radius_m"].fillna(0).tolist() == [500.0, 300.0, 300.0, 0.0]


def test_input_is_not_modified_and_index_is_kept(squares):
    before = squares.copy()
    result = classify_parks(squares)
    assert list(result.index) == [10, 20, 30]
    assert list(squares.columns) == list(before.columns)
    assert_geodataframe_equal(squares, before)


def test_result_is_the_same_in_wgs84(squares):
    metric = classify_parks(squares)["area_m2"]
    geographic = classify_parks(squares.to_crs("EPSG:4326"))["area_m2"]
    np.testing.assert_allclose(metric.to_numpy(), geographic.to_numpy(), rtol=1e-6)


def test_historic_district_rule_counts_smaller_parks(squares):
    result = classify_parks(squares, radii=HISTORIC_DISTRICT_RADII)
    assert result["service_radius_m"].tolist() == [500.0, 300.0, 300.0]


def test_custom_radii(squares):
    result = classify_parks(squares, radii=[(8000.0, 800.0, "big")])
    assert result["size_class"].tolist() == ["big", "small", "small"]


def test_default_table_matches_the_standard():
    assert [(a, r) for a, r, _ in PARK_SERVICE_RADII] == [(5000.0, 500.0), (2000.0, 300.0)]


def test_missing_crs_is_refused(squares):
    with pytest.raises(CRSError, match="no CRS"):
        classify_parks(squares.set_crs(None, allow_override=True))


@pytest.mark.parametrize("radii", [[], [(2000.0, 300.0, "m"), (5000.0, 500.0, "l")],
                                   [(5000.0, -1.0, "l")]])
def test_bad_radii_are_refused(squares, radii):
    with pytest.raises(ValueError, match="radii"):
        classify_parks(squares, radii=radii)
