"""Coordinate conversions against an independent implementation (prcoords) and known pairs."""

import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from gisplan import crs
from gisplan._errors import CRSError

prcoords = pytest.importorskip("prcoords")

# 1 degree of latitude is about 111 km; 0.5 m is about 4.5e-6 degrees.
HALF_METRE_DEG = 4.5e-6
TIANFU_GCJ = (104.065891, 30.657141)
TIANFU_WGS = (104.06339, 30.65957)


@pytest.fixture(scope="module")
def chengdu_points():
    rng = np.random.default_rng(20210301)
    lon = rng.uniform(102.9, 104.9, 3000)
    lat = rng.uniform(30.1, 31.45, 3000)
    return lon, lat


def _oracle(func, lon, lat):
    out = [func(prcoords.Coords(la, lo)) for lo, la in zip(lon, lat, strict=True)]
    return np.array([c.lon for c in out]), np.array([c.lat for c in out])


def test_constants_are_the_documented_epsg_codes():
    assert crs.WGS84 == "EPSG:4326"
    assert crs.CGCS2000 == "EPSG:4490"
    assert crs.METRIC_CRS == "EPSG:4544"


def test_tianfu_square_known_pair():
    lon, lat = crs.gcj02_to_wgs84(*TIANFU_GCJ)
    assert isinstance(lon, float)
    assert abs(lon - TIANFU_WGS[0]) < 1e-5
    assert abs(lat - TIANFU_WGS[1]) < 1e-5
    # the GCJ-02 offset at Chengdu is a few hundred metres
    assert 0.002 < TIANFU_GCJ[0] - lon < 0.003
    assert 0.002 < lat - TIANFU_GCJ[1] < 0.003


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("wgs84_to_gcj02", "wgs_gcj"),
        ("gcj02_to_wgs84", "gcj_wgs_bored"),
        ("gcj02_to_bd09", "gcj_bd"),
        ("bd09_to_gcj02", "bd_gcj_bored"),
        ("wgs84_to_bd09", "wgs_bd"),
        ("bd09_to_wgs84", "bd_wgs_bored"),
    ],
)
def test_matches_independent_implementation(chengdu_points, ours, theirs):
    lon, lat = chengdu_points
    got_lon, got_lat = getattr(crs, ours)(lon, lat)
    ref_lon, ref_lat = _oracle(getattr(prcoords, theirs), lon, lat)
    assert got_lon.shape == lon.shape
    assert np.max(np.abs(got_lon - ref_lon)) < HALF_METRE_DEG
    assert np.max(np.abs(got_lat - ref_lat)) < HALF_METRE_DEG


@pytest.mark.parametrize(
    ("forward", "inverse"),
    [("wgs84_to_gcj02", "gcj02_to_wgs84"), ("wgs84_to_bd09", "bd09_to_wgs84"),
     ("gcj02_to_bd09", "bd09_to_gcj02")],
)
def test_round_trip_better_than_half_a_metre(chengdu_points, forward, inverse):
    lon, lat = chengdu_points
    back_lon, back_lat = getattr(crs, inverse)(*getattr(crs, forward)(lon, lat))
    assert np.max(np.abs(back_lon - lon)) < HALF_METRE_DEG / 100
    assert np.max(np.abs(back_lat - lat)) < HALF_METRE_DEG / 100


def test_outside_china_gcj_is_identity_and_bd_still_shifts():
    lon, lat = np.array([-74.0, 2.35, 150.0]), np.array([40.7, 48.85, -33.9])
    assert np.array_equal(crs.wgs84_to_gcj02(lon, lat)[0], lon)
    assert np.array_equal(crs.gcj02_to_wgs84(lon, lat)[1], lat)
    assert crs.out_of_china(lon, lat).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = prcoords.wgs_bd(prcoords.Coords(40.7, -74.0))
    bd_lon, bd_lat = crs.wgs84_to_bd09(-74.0, 40.7)
    assert abs(bd_lon - ref.lon) < 1e-9 and abs(bd_lat - ref.lat) < 1e-9


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="same shape"):
        crs.gcj02_to_wgs84([104.0, 104.1], [30.6])


def test_convert_geometries_converts_every_vertex():
    line = LineString([(104.06, 30.65), (104.07, 30.66), (104.08, 30.67)])
    poly = Polygon([(104.0, 30.6), (104.1, 30.6), (104.1, 30.7), (104.0, 30.6)])
    frame = gpd.GeoDataFrame({"name": ["a", "b", "c"]},
                             geometry=[Point(TIANFU_GCJ), line, poly], crs=crs.WGS84)
    out = crs.convert_geometries(frame, "GCJ-02")
    assert out is not frame and frame.geometry.iloc[0].x == TIANFU_GCJ[0]
    assert out.crs.to_epsg() == 4326
    assert list(out["name"]) == ["a", "b", "c"]
    assert abs(out.geometry.iloc[0].x - TIANFU_WGS[0]) < 1e-5
    coords_in = shapely.get_coordinates(frame.geometry.values)
    coords_out = shapely.get_coordinates(out.geometry.values)
    ref_lon, ref_lat = _oracle(prcoords.gcj_wgs_bored, coords_in[:, 0], coords_in[:, 1])
    np.testing.assert_allclose(coords_out, np.column_stack([ref_lon, ref_lat]),
                               atol=HALF_METRE_DEG)


def test_convert_geoseries_keeps_index():
    series = gpd.GeoSeries([Point(TIANFU_GCJ)], index=[42], crs=crs.WGS84)
    out = crs.convert_geometries(series, "amap")
    assert list(out.index) == [42]
    assert isinstance(out, gpd.GeoSeries)


def test_to_wgs84_handles_declared_and_missing_crs():
    frame = gpd.GeoDataFrame(geometry=[Point(TIANFU_GCJ)])
    with pytest.raises(CRSError, match="gcj02"):
        crs.to_wgs84(frame)
    converted = crs.to_wgs84(frame, "gcj02")
    assert abs(converted.geometry.iloc[0].y - TIANFU_WGS[1]) < 1e-5
    metric = gpd.GeoDataFrame(geometry=[Point(TIANFU_WGS)], crs=crs.WGS84).to_crs(crs.METRIC_CRS)
    back = crs.to_wgs84(metric)
    assert abs(back.geometry.iloc[0].x - TIANFU_WGS[0]) < 1e-9


def test_unknown_offset_system_is_rejected():
    frame = gpd.GeoDataFrame(geometry=[Point(TIANFU_GCJ)], crs=crs.WGS84)
    with pytest.raises(CRSError, match="unknown coordinate system"):
        crs.convert_geometries(frame, "mars2000")
    assert crs.normalise_offset_system("BD-09") == "bd09"
    assert crs.normalise_offset_system("EPSG:4326") is None


@pytest.mark.parametrize(("lon", "lat", "expected", "central"), [
    (104.07, 30.66, "EPSG:4544", "CM 105E"),   # Chengdu
    (116.40, 39.90, "EPSG:4548", "CM 117E"),   # Beijing
    (87.62, 43.83, "EPSG:4538", "CM 87E"),     # Urumqi
    (121.47, 31.23, "EPSG:4549", "CM 120E"),   # Shanghai
    (0.05, 0.05, "EPSG:32631", "UTM zone 31N"),
    (2.35, 48.86, "EPSG:32631", "UTM zone 31N"),  # Paris
    (151.21, -33.87, "EPSG:32756", "UTM zone 56S"),  # Sydney
])
def test_metric_crs_fits_the_place(lon, lat, expected, central):
    assert crs.metric_crs_at(lon, lat) == expected
    assert central in pyproj.CRS(expected).name


def test_metric_crs_for_data_uses_their_centre():
    beijing = gpd.GeoSeries([shapely.box(116.3, 39.85, 116.5, 40.0)], crs="EPSG:4326")
    assert crs.metric_crs_for(beijing) == "EPSG:4548"
    assert crs.metric_crs_for(beijing.to_crs("EPSG:3857")) == "EPSG:4548"
