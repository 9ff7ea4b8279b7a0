"""The facilities and residential_land layers, and a user's own POI file in GCJ-02/BD-09."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

import gisplan
from gisplan import crs
from gisplan.standards.facilities import FACILITY_CATEGORIES


def test_facilities_are_points_of_known_categories_with_provenance():
    facilities = gisplan.load_layer("facilities")
    assert len(facilities) > 100
    assert set(facilities.geom_type) == {"Point"}
    assert set(facilities["category"]) <= {c.category for c in FACILITY_CATEGORIES}
    assert facilities["osm_id"].str.match(r"^(?:(node|way|relation)/\d+;?)+$").all()
    assert (facilities["source"] == "osm").all()
    areas = facilities["geocode_method"] == "point_on_surface"
    assert areas.any() and (facilities.loc[areas, "precision_m"] >= 10).all()
    meta = gisplan.layer_metadata("facilities")
    assert "OpenStreetMap" in meta["attribution"] and meta["licence"] == "ODbL-1.0"
    west, south, east, north = meta["complete_extent"]["bbox"]
    assert west < 104.07 < east and south < 30.67 < north


def test_residential_land_is_residential_polygons_with_areas():
    land = gisplan.load_layer("residential_land")
    assert set(land.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (land["landuse"] == "residential").all()
    metric = land.to_crs(crs.METRIC_CRS).area
    assert np.allclose(land["area_m2"], metric, rtol=1e-4)
    assert land.is_valid.all()


def _amap_pois(tmp_path, system):
    """Two POIs as an Amap/Baidu export would give them, in that system's coordinates."""
    wgs = [(104.06339, 30.65957), (104.0810, 30.6700)]
    convert = crs.wgs84_to_gcj02 if system == "gcj02" else crs.wgs84_to_bd09
    shifted = [convert(lon, lat) for lon, lat in wgs]
    frame = gpd.GeoDataFrame({"name_zh": ["某小学", "某菜市场"],
                              "category": ["primary_school", "market"]},
                             geometry=[shapely.Point(p) for p in shifted], crs="EPSG:4326")
    path = tmp_path / f"pois_{system}.geojson"
    frame.to_file(path)
    return path, wgs


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_user_poi_file_in_chinese_web_coordinates_is_converted(tmp_path, system):
    path, wgs = _amap_pois(tmp_path, system)
    loaded = gisplan.load_layer("facilities", path, crs=system, precision_m=5)
    assert list(loaded["category"]) == ["primary_school", "market"]
    got = np.column_stack([loaded.geometry.x, loaded.geometry.y])
    metres = np.abs(got - np.array(wgs)) * np.array([96_000, 111_000])
    assert metres.max() < 0.5
    assert (loaded["source"] == f"user:{path.name}").all()
    assert (loaded["precision_m"] == 5).all()


def test_user_poi_file_without_category_says_what_is_missing(tmp_path):
    frame = gpd.GeoDataFrame({"name_zh": ["某小学"]}, geometry=[shapely.Point(104.07, 30.66)],
                             crs="EPSG:4326")
    path = tmp_path / "pois.geojson"
    frame.to_file(path)
    with pytest.raises(gisplan.LayerFileError, match="category"):
        gisplan.load_layer("facilities", path, crs="gcj02", precision_m=5)
