"""The layer catalogue: schemas, provenance, geometry validity and user overrides."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Polygon

import gisplan
from gisplan import settings
from gisplan._errors import CRSError, LayerFileError, UnknownLayerError
from gisplan.crs import METRIC_CRS, WGS84, wgs84_to_bd09, wgs84_to_gcj02

ISSUE_LAYERS = ["districts", "planning_zones", "coverage_area"]
CHENGDU_TOLERANCE_M = 200.0


@pytest.fixture(scope="module")
def chengdu():
    area = gisplan.load_layer("coverage_area")
    return area.loc[area["area_id"] == "chengdu_city", "geometry"].iloc[0]


def test_catalogue_lists_the_foundation_layers():
    names = gisplan.list_layers()
    assert set(ISSUE_LAYERS) <= set(names)
    assert names == sorted(names)


def test_unknown_layer_lists_valid_names():
    with pytest.raises(UnknownLayerError) as info:
        gisplan.load_layer("distrcts")
    assert "districts" in str(info.value) and "valid layer names" in str(info.value)
    with pytest.raises(KeyError):
        gisplan.layer_metadata("nope")


@pytest.mark.parametrize("name", gisplan.list_layers())
def test_every_layer_meets_its_schema(name, chengdu):
    meta = gisplan.layer_metadata(name)
    for key in ("title_zh", "title_en", "description", "sources", "licence", "attribution"):
        assert meta[key], f"{name}: metadata {key} empty"
    frame = gisplan.load_layer(name)
    assert len(frame) == meta["feature_count"] > 0
    assert set(frame.columns) - {"geometry"} <= set(meta["columns"])
    source_ids = {s["id"] for s in meta["sources"]}
    if meta["kind"] == "table":
        return
    assert isinstance(frame, gpd.GeoDataFrame)
    assert frame.crs.to_epsg() == 4326
    assert frame["source"].notna().all() and set(frame["source"]) <= source_ids
    assert frame["precision_m"].notna().all() and (frame["precision_m"] > 0).all()
    geoms = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    assert shapely.is_valid(geoms.values).all()
    assert set(geoms.geom_type) <= set(meta["geometry_types"])
    # inside Chengdu, allowing for the boundary's own precision
    city = gpd.GeoSeries([chengdu], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    city = city.buffer(CHENGDU_TOLERANCE_M)
    metric = geoms.to_crs(METRIC_CRS)
    outside = ~metric.within(city)
    if "in_chengdu" in frame.columns:  # features beyond the municipality say so
        flagged = ~frame.loc[geoms.index, "in_chengdu"].astype(bool)
        assert (outside[flagged]).all(), f"{name}: in_chengdu False but inside Chengdu"
        outside &= ~flagged
    assert not outside.any(), f"{name}: {outside.sum()} features outside Chengdu"


def test_districts_are_the_20_units_with_memberships():
    districts = gisplan.load_layer("districts")
    assert len(districts) == 20
    assert districts["adcode"].str.match(r"^5101\d\d$").all()
    assert districts["name_zh"].is_unique
    assert (districts["urban_class"] == "中心城区").sum() == 12
    assert (districts["urban_class"] == "郊区新城").sum() == 8
    assert districts["membership_source"].str.contains("knowledge").all()
    zones = set(";".join(districts["directional_zone"]).split(";"))
    assert zones == {"东进", "南拓", "西控", "北改", "中优"}
    total = districts.to_crs(METRIC_CRS).area.sum() / 1e6
    assert 14_000 < total < 14_700  # Chengdu: about 14,335 km2


def test_planning_zones_and_coverage_area():
    zones = gisplan.load_layer("planning_zones")
    assert set(zones["zone_id"]) == {"东进", "南拓", "西控", "北改", "中优", "中心城区", "郊区新城"}
    area = gisplan.load_layer("coverage_area")
    core = area.loc[area["area_id"] == "core_five_districts"]
    assert len(core) == 1
    districts = gisplan.load_layer("districts").to_crs(METRIC_CRS)
    five = districts[districts["name_zh"].isin(["锦江区", "青羊区", "金牛区", "武侯区", "成华区"])]
    assert core.to_crs(METRIC_CRS).area.iloc[0] == pytest.approx(five.area.sum(), rel=1e-3)


# --- user overrides ----------------------------------------------------------

def _user_districts(n=2):
    polys = [Polygon([(104.0 + i * 0.1, 30.6), (104.05 + i * 0.1, 30.6),
                      (104.05 + i * 0.1, 30.65)]) for i in range(n)]
    return gpd.GeoDataFrame({"name_zh": [f"区{i}" for i in range(n)]}, geometry=polys, crs=WGS84)


def test_override_with_gpkg_fills_provenance(tmp_path):
    path = tmp_path / "mine.gpkg"
    _user_districts().to_file(path)
    frame = gisplan.load_layer("districts", path, precision_m=25)
    assert list(frame["name_zh"]) == ["区0", "区1"]
    assert (frame["source"] == "user:mine.gpkg").all()
    assert (frame["precision_m"] == 25).all()


def test_override_through_settings_and_gcj02_declared(tmp_path, monkeypatch):
    truth = _user_districts(1)
    gcj = truth.copy()
    coords = shapely.get_coordinates(truth.geometry.values)
    glon, glat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    gcj["geometry"] = shapely.set_coordinates(truth.geometry.values.copy(),
                                              np.column_stack([glon, glat]))
    gcj["precision_m"] = 10.0
    path = tmp_path / "amap.geojson"
    gcj.to_file(path)
    monkeypatch.setitem(settings.layer_overrides, "districts", (path, "gcj02"))
    frame = gisplan.load_layer("districts")
    np.testing.assert_allclose(shapely.get_coordinates(frame.geometry.values), coords, atol=1e-7)


def test_override_bd09_declared(tmp_path):
    truth = _user_districts(1)
    coords = shapely.get_coordinates(truth.geometry.values)
    blon, blat = wgs84_to_bd09(coords[:, 0], coords[:, 1])
    baidu = truth.copy()
    baidu["geometry"] = shapely.set_coordinates(truth.geometry.values.copy(),
                                                np.column_stack([blon, blat]))
    path = tmp_path / "baidu.geojson"
    baidu.to_file(path)
    frame = gisplan.load_layer("districts", path, crs="BD-09", precision_m=5)
    np.testing.assert_allclose(shapely.get_coordinates(frame.geometry.values), coords, atol=1e-7)


def test_override_projected_file_is_reprojected(tmp_path):
    path = tmp_path / "metric.gpkg"
    _user_districts().to_crs(METRIC_CRS).to_file(path)
    frame = gisplan.load_layer("districts", path, precision_m=1)
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.iloc[0].bounds[0] == pytest.approx(104.0, abs=1e-7)


def test_override_without_crs_says_how_to_declare(tmp_path):
    shp = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="crs"):
        _user_districts().set_crs(None, allow_override=True).to_file(shp)
    with pytest.raises(CRSError, match="crs='gcj02'"):
        gisplan.load_layer("districts", shp, precision_m=1)
    frame = gisplan.load_layer("districts", shp, crs="EPSG:4326", precision_m=1)
    assert frame.crs.to_epsg() == 4326


def test_override_missing_columns_and_wrong_geometry_reported_together(tmp_path):
    path = tmp_path / "lines.geojson"
    gpd.GeoDataFrame({"label": ["x"]}, geometry=[LineString([(104, 30.6), (104.1, 30.7)])],
                     crs=WGS84).to_file(path)
    with pytest.raises(LayerFileError) as info:
        gisplan.load_layer("districts", path, precision_m=1)
    message = str(info.value)
    assert "name_zh" in message and "LineString" in message


def test_override_invalid_geometry(tmp_path):
    bowtie = Polygon([(104.0, 30.6), (104.1, 30.7), (104.1, 30.6), (104.0, 30.7)])
    path = tmp_path / "bowtie.gpkg"
    gpd.GeoDataFrame({"name_zh": ["x"]}, geometry=[bowtie], crs=WGS84).to_file(path)
    with pytest.raises(LayerFileError, match="make_valid"):
        gisplan.load_layer("districts", path, precision_m=1)


def test_override_missing_precision_explains_fix(tmp_path):
    path = tmp_path / "d.gpkg"
    _user_districts().to_file(path)
    with pytest.raises(LayerFileError, match="precision_m"):
        gisplan.load_layer("districts", path)


TRUNCATED = b'{"type": "FeatureCollection", "feat'


@pytest.mark.parametrize("content", [b"", TRUNCATED, b"\x00\x01junk"])
def test_override_corrupt_file(tmp_path, content):
    path = tmp_path / "broken.geojson"
    path.write_bytes(content)
    with pytest.raises(LayerFileError, match="could not be read"):
        gisplan.load_layer("districts", path, precision_m=1)


def test_override_empty_file(tmp_path):
    path = tmp_path / "empty.gpkg"
    _user_districts().iloc[:0].to_file(path)
    with pytest.raises(LayerFileError, match="no features"):
        gisplan.load_layer("districts", path, precision_m=1)


def test_override_missing_file(tmp_path):
    with pytest.raises(LayerFileError, match="does not exist"):
        gisplan.load_layer("districts", tmp_path / "absent.gpkg")


def test_override_bad_declared_crs(tmp_path):
    path = tmp_path / "d.gpkg"
    _user_districts().to_file(path)
    with pytest.raises(CRSError, match="not a coordinate system"):
        gisplan.load_layer("districts", path, crs="EPSG:99999999", precision_m=1)


def test_load_returns_a_copy_with_metadata():
    first = gisplan.load_layer("districts")
    first.loc[0, "name_zh"] = "changed"
    again = gisplan.load_layer("districts")
    assert again.loc[0, "name_zh"] == "锦江区"
    assert again.attrs["gisplan"]["name"] == "districts"
    assert isinstance(again, pd.DataFrame)


GEOMETRY_FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line",
                     "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
SPATIAL_CATALOGUE = [n for n in gisplan.list_layers()
                     if gisplan.layer_metadata(n)["kind"] == "spatial"]


@pytest.mark.parametrize("name", SPATIAL_CATALOGUE)
def test_every_spatial_layer_holds_one_geometry_family(name):
    """QGIS opens a GeoPackage layer as one family: points, lines or polygons."""
    frame = gisplan.load_layer(name)
    geoms = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    families = {GEOMETRY_FAMILIES.get(t, t) for t in geoms.geom_type}
    assert len(families) == 1, f"{name}: geometry families {sorted(families)}"
    declared = {GEOMETRY_FAMILIES.get(t, t)
                for t in gisplan.layer_metadata(name)["geometry_types"]}
    assert declared == families, f"{name}: metadata declares {sorted(declared)}"


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "abc"])
def test_override_precision_must_be_finite_and_not_negative(tmp_path, bad):
    path = tmp_path / "mine.gpkg"
    _user_districts().to_file(path)
    with pytest.raises(LayerFileError, match="precision_m must be a finite number"):
        gisplan.load_layer("districts", path, precision_m=bad)
    assert (gisplan.load_layer("districts", path, precision_m=0)["precision_m"] == 0).all()


def test_override_precision_column_must_be_finite_and_not_negative(tmp_path):
    path = tmp_path / "mine.gpkg"
    frame = _user_districts()
    frame["precision_m"] = [10.0, -5.0]
    frame.to_file(path)
    with pytest.raises(LayerFileError, match="1 feature\\(s\\) have a precision_m"):
        gisplan.load_layer("districts", path)


def test_override_degrees_declared_projected_is_refused(tmp_path):
    path = tmp_path / "mislabelled.gpkg"
    _user_districts().set_crs(METRIC_CRS, allow_override=True).to_file(path)
    with pytest.raises(CRSError, match="crs='EPSG:4326'"):
        gisplan.load_layer("districts", path, precision_m=1)
    with pytest.raises(CRSError, match="longitude/latitude degrees"):
        gisplan.load_layer("districts", tmp_path / "mislabelled.gpkg", crs="EPSG:32648",
                           precision_m=1)


def test_override_metres_declared_geographic_is_refused(tmp_path):
    path = tmp_path / "metres.gpkg"
    _user_districts().to_crs(METRIC_CRS).set_crs(WGS84, allow_override=True).to_file(path)
    with pytest.raises(CRSError, match=r"not degrees.*crs='EPSG:4544'"):
        gisplan.load_layer("districts", path, precision_m=1)
    with pytest.raises(CRSError, match="not degrees"):
        gisplan.load_layer("districts", path, crs="gcj02", precision_m=1)
    frame = gisplan.load_layer("districts", path, crs=METRIC_CRS, precision_m=1)
    assert frame.geometry.iloc[0].bounds[0] == pytest.approx(104.0, abs=1e-7)


def test_override_features_far_from_chengdu_are_counted(tmp_path):
    path = tmp_path / "far.gpkg"
    frame = _user_districts(3)
    frame.loc[frame.index[1:], "geometry"] = frame.geometry.iloc[1:].translate(12.0, 9.0)
    frame.to_file(path)  # two of three moved to Beijing
    with pytest.warns(gisplan.GisplanWarning, match="2 of 3 feature\\(s\\) lie more than 50 km"):
        gisplan.load_layer("districts", path, precision_m=1)
