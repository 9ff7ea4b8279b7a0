import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

import gisplan.outputs.geopackage
from gisplan import load_layer
from gisplan._errors import GisplanError
from gisplan.outputs.geopackage import write_geopackage
from gisplan.outputs.symbology import geometry_kind
from gisplan.pipeline import collect_layers, geopackage_layers

LAYER_STYLES_COLUMNS = [
    "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
    "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
]


@pytest.fixture
def layers():
    districts = load_layer("districts")
    stations = gpd.GeoDataFrame(
        {"name_zh": ["天府广场", "春熙路"], "source": ["t", "t"], "precision_m": [10.0, 10.0]},
        geometry=[shapely.Point(104.0637, 30.6595), shapely.Point(104.0774, 30.6549)],
        crs="EPSG:4326",
    )
    table = pd.DataFrame({"indicator": ["a"], "value": [0.5]})
    return {"districts": districts, "stations_sample": stations, "indicators_sample": table}


def _rows(path, sql, args=()):
    with sqlite3.connect(path) as connection:
        rows = connection.execute(sql, args).fetchall()
    connection.close()
    return rows


def test_layer_styles_table_follows_the_qgis_convention(tmp_path, layers):
    path = write_geopackage(layers, tmp_path / "out.gpkg")
    with sqlite3.connect(path) as connection:
        columns = [r[1] for r in connection.execute("PRAGMA table_info(layer_styles)")]
    connection.close()
    assert columns == LAYER_STYLES_COLUMNS
    assert _rows(path, "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'") \
        == [("attributes",)]


def test_every_spatial_layer_has_one_default_style_that_parses_as_qml(tmp_path, layers):
    path = write_geopackage(layers, tmp_path / "out.gpkg")
    spatial = {r[0]: r[1] for r in _rows(
        path, "SELECT table_name, column_name FROM gpkg_geometry_columns")}
    assert set(spatial) == {"districts", "stations_sample"}
    styles = _rows(path, "SELECT f_table_name, f_geometry_column, styleQML, styleSLD, "
                         "useAsDefault FROM layer_styles")
    assert sorted(s[0] for s in styles) == sorted(spatial)
    for name, geometry_column, qml_text, sld_text, default in styles:
        assert geometry_column == spatial[name]
        assert default == 1
        root = ET.fromstring(qml_text.split("\n", 1)[1])
        assert root.tag == "qgis" and root.find("renderer-v2") is not None
        assert ET.fromstring(sld_text.split("\n", 1)[1]).tag.endswith("StyledLayerDescriptor")


def test_layer_metadata_are_in_the_geopackage_metadata_tables(tmp_path, layers):
    path = write_geopackage(layers, tmp_path / "out.gpkg")
    refs = _rows(path, "SELECT r.reference_scope, r.table_name, m.metadata FROM "
                       "gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id")
    by_table = {table: text for scope, table, text in refs if scope == "table"}
    assert set(by_table) == set(layers)
    assert any(scope == "geopackage" for scope, _, _ in refs)
    districts = ET.fromstring(by_table["districts"].split("\n", 1)[1])
    meta = layers["districts"].attrs["gisplan"]
    assert meta["title_en"] in districts.findtext("title")
    assert districts.findtext("abstract") == meta["description"]
    assert districts.findtext("licenses/license") == meta["licence"]
    assert len(districts.findall("links/link")) == len(meta["sources"])
    extensions = _rows(path, "SELECT table_name FROM gpkg_extensions WHERE "
                             "extension_name = 'gpkg_metadata'")
    assert sorted(e[0] for e in extensions) == ["gpkg_metadata", "gpkg_metadata_reference"]


def test_layers_read_back_with_their_names(tmp_path, layers):
    path = write_geopackage(layers, tmp_path / "out.gpkg")
    names = [name for name, _ in pyogrio.list_layers(path)]
    assert set(layers) <= set(names)
    assert len(pyogrio.read_dataframe(path, layer="districts")) == len(layers["districts"])


def test_failed_export_keeps_the_old_file_and_leaves_no_temporary_file(
    tmp_path, layers, monkeypatch
):
    target = tmp_path / "chengdu.gpkg"
    write_geopackage({"stations_sample": layers["stations_sample"]}, target)
    before = target.read_bytes()

    def broken(path, frames):
        raise RuntimeError("simulated failure while writing metadata")

    monkeypatch.setattr(gisplan.outputs.geopackage, "add_metadata", broken)
    with pytest.raises(RuntimeError, match="simulated failure"):
        write_geopackage(layers, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chengdu.gpkg"]


def test_failed_first_export_leaves_nothing(tmp_path, layers, monkeypatch):
    def broken(path, frames):
        raise RuntimeError("simulated failure while writing styles")

    monkeypatch.setattr(gisplan.outputs.geopackage, "add_layer_styles", broken)
    with pytest.raises(RuntimeError):
        write_geopackage(layers, tmp_path / "chengdu.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_coverage_layers_also_get_a_graduated_style_that_is_not_default(tmp_path, layers):
    catchments = gpd.GeoDataFrame(
        {"method": ["euclidean", "network"], "share": [0.6, 0.4]},
        geometry=[shapely.box(104.0, 30.6, 104.1, 30.7), shapely.box(104.0, 30.6, 104.05, 30.65)],
        crs="EPSG:4326",
    )
    path = write_geopackage({**layers, "station_catchments_800m": catchments},
                            tmp_path / "out.gpkg")
    rows = _rows(path, "SELECT styleName, useAsDefault, styleQML FROM layer_styles "
                       "WHERE f_table_name = 'station_catchments_800m' ORDER BY id")
    assert [(name, default) for name, default, _ in rows] == [
        ("station_catchments_800m", 1), ("station_catchments_800m_by_share", 0)]
    renderers = [ET.fromstring(q.split("\n", 1)[1]).find("renderer-v2") for _, _, q in rows]
    assert [(r.get("type"), r.get("attr")) for r in renderers] == [
        ("categorizedSymbol", "method"), ("graduatedSymbol", "share")]


def test_layers_with_the_same_title_get_distinct_identifiers(tmp_path, layers):
    twin = layers["districts"].copy()
    twin.attrs["gisplan"] = layers["districts"].attrs["gisplan"]
    path = write_geopackage({"districts": layers["districts"], "districts_copy": twin},
                            tmp_path / "out.gpkg")
    identifiers = _rows(path, "SELECT identifier FROM gpkg_contents WHERE table_name LIKE "
                              "'districts%' ORDER BY table_name")
    assert len({i[0] for i in identifiers}) == 2


def _points_and_polygons():
    return gpd.GeoDataFrame(
        {"name_zh": ["湖心", "湖面"], "source": ["t", "t"], "precision_m": [10.0, 10.0]},
        geometry=[shapely.Point(104.07, 30.41), shapely.box(104.06, 30.40, 104.08, 30.42)],
        crs="EPSG:4326",
    )


def test_a_layer_mixing_geometry_families_is_refused_and_leaves_no_file(tmp_path, layers):
    with pytest.raises(GisplanError) as info:
        write_geopackage({**layers, "lake": _points_and_polygons()}, tmp_path / "out.gpkg")
    message = str(info.value)
    assert "'lake'" in message and "point" in message and "polygon" in message
    assert "split the layer" in message and "one geometry family" in message
    assert list(tmp_path.iterdir()) == []


def test_a_refused_layer_keeps_the_previous_file(tmp_path, layers):
    target = tmp_path / "chengdu.gpkg"
    write_geopackage({"stations_sample": layers["stations_sample"]}, target)
    before = target.read_bytes()
    with pytest.raises(GisplanError, match="mixes geometry families"):
        write_geopackage({"lake": _points_and_polygons()}, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["chengdu.gpkg"]


def test_single_and_multi_parts_are_written_as_the_multi_type(tmp_path, layers):
    mixed = gpd.GeoDataFrame(
        {"source": ["t", "t", "t"], "precision_m": [10.0, 10.0, 10.0]},
        geometry=[shapely.box(104.0, 30.6, 104.01, 30.61),
                  shapely.MultiPolygon([shapely.box(104.02, 30.6, 104.03, 30.61),
                                        shapely.box(104.04, 30.6, 104.05, 30.61)]),
                  None],
        crs="EPSG:4326",
    )
    path = write_geopackage({**layers, "mixed": mixed}, tmp_path / "out.gpkg")
    types = dict(pyogrio.list_layers(path))
    assert types["mixed"] == "MultiPolygon"
    assert types["stations_sample"] == "Point"
    back = pyogrio.read_dataframe(path, layer="mixed")
    assert back.geometry.notna().sum() == 2
    assert back.to_crs("EPSG:4544").area.sum() == pytest.approx(
        mixed.to_crs("EPSG:4544").area.sum(), rel=1e-6)


@pytest.mark.parametrize(("declared", "written"), [
    (["Point"], "Point"),
    (["Polygon", "MultiPolygon"], "MultiPolygon"),
    (["LineString"], "LineString"),
])
def test_an_empty_layer_takes_its_geometry_type_from_the_metadata(tmp_path, declared, written):
    empty = gpd.GeoDataFrame({"source": ["t"], "precision_m": [10.0]},
                             geometry=[None], crs="EPSG:4326")
    empty.attrs["gisplan"] = {"title_en": "nothing located yet", "geometry_types": declared}
    path = write_geopackage({"empty": empty}, tmp_path / "out.gpkg")
    assert dict(pyogrio.list_layers(path))["empty"] == written


def test_the_pipeline_geopackage_declares_one_geometry_type_per_spatial_layer(tmp_path):
    layers = geopackage_layers(collect_layers(), echo=None)
    path = write_geopackage(layers, tmp_path / "chengdu.gpkg")
    types = dict(pyogrio.list_layers(path))
    spatial = [n for n, f in layers.items() if isinstance(f, gpd.GeoDataFrame)]
    assert {"water", "waterways", "parks", "functional_zones", "tod_sites"} <= set(spatial)
    unknown = [n for n in spatial if types[n] in (None, "Unknown")]
    assert not unknown, f"layers written with no declared geometry type: {unknown}"
    families = {"Point": "point", "LineString": "line", "Polygon": "polygon"}
    for name in spatial:
        assert families[types[name].removeprefix("Multi")] == geometry_kind(layers[name]), name
    assert types["water"].endswith("Polygon") and types["waterways"].endswith("LineString")
    assert types["parks"].endswith("Polygon") and types["functional_zones"] == "Point"
