import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan import GisplanError
from gisplan.crs import wgs84_to_gcj02
from gisplan.outputs.maps import (
    MAP_FILES,
    MAX_MAP_BYTES,
    plan_map,
    save_map,
    station_coverage_map,
    write_maps,
)
from gisplan.outputs.maps._assets import external_assets, inline_assets
from gisplan.outputs.maps._layers import display_frame
from gisplan.outputs.maps.basemaps import default_basemaps, tianditu
from tests.outputs._map_fixtures import map_layers


@pytest.fixture(scope="module")
def layers():
    return map_layers()


@pytest.fixture(scope="module")
def written(tmp_path_factory, layers):
    folder = tmp_path_factory.mktemp("maps")
    return write_maps(layers, folder)


def test_every_map_is_written_self_contained_and_small(written):
    assert sorted(p.name for p in written) == sorted(MAP_FILES.values())
    assert sorted(p.name for p in written[0].parent.iterdir()) == sorted(MAP_FILES.values())
    for path in written:
        html = path.read_text(encoding="utf-8")
        assert external_assets(html) == [], path.name
        assert "Leaflet 1.9.3" in html
        assert "L.Control.FullScreen" in html or "FullScreen" in html
        assert path.stat().st_size < MAX_MAP_BYTES


def _popups(path):
    html = path.read_text(encoding="utf-8")
    return [json.loads(f'"{p}"') for p in re.findall(r'"popup": "((?:[^"\\]|\\.)*)"', html)]


def test_popups_show_source_and_precision_and_tooltips_are_bilingual(written):
    html = (written[0].parent / MAP_FILES["plan"]).read_text(encoding="utf-8")
    tooltips = re.findall(r"fields\s*=\s*\[([^\]]*)\]", html)
    assert any('"name_zh"' in p and '"name_en"' in p for p in tooltips)
    popups = _popups(written[0].parent / MAP_FILES["plan"])
    assert popups
    assert all("来源 Source" in p and "位置精度 Position uncertainty" in p and "±" in p
               for p in popups)
    every = [p for key in ("plan", "stations", "parks")
             for p in _popups(written[0].parent / MAP_FILES[key])]
    labels = {label for p in every for label in re.findall(r"<th>(.*?)</th>", p)}
    assert labels and not any("_" in label for label in labels), labels  # no column names
    assert all(re.search(r"[\u4e00-\u9fff]", label) and re.search(r"[A-Za-z]", label)
               for label in labels), labels  # bilingual


def test_plan_map_offers_osm_and_positron_and_names_them_with_attribution(written):
    html = (written[0].parent / MAP_FILES["plan"]).read_text(encoding="utf-8")
    for basemap in default_basemaps("wgs84"):
        assert basemap.url in html
        assert basemap.name in html
    attributions = {json.loads(m) for m in re.findall(r'"attribution": ("(?:[^"\\]|\\.)*")', html)}
    assert {b.attribution for b in default_basemaps("wgs84")} <= attributions


def test_gcj02_map_uses_amap_tiles_and_shifted_overlays(layers):
    wgs = plan_map(layers).get_root().render()
    gcj = plan_map(layers, system="gcj02").get_root().render()
    assert "autonavi.com" in gcj and "autonavi.com" not in wgs
    assert "tile.openstreetmap.org" not in gcj


def test_display_frame_shifts_to_gcj02_and_rounds_to_the_precision():
    frame = gpd.GeoDataFrame({"name_zh": ["点"], "precision_m": [100.0]},
                             geometry=[shapely.Point(104.0637123456, 30.6595123456)],
                             crs="EPSG:4326")
    wgs = display_frame(frame, ["name_zh"])
    assert wgs.geometry.iloc[0].x == pytest.approx(104.0637, abs=1e-9)
    gcj = display_frame(frame, ["name_zh"], system="gcj02")
    lon, lat = wgs84_to_gcj02(104.0637123456, 30.6595123456)
    assert gcj.geometry.iloc[0].x == pytest.approx(np.round(lon, 4), abs=1e-9)
    assert gcj.geometry.iloc[0].y == pytest.approx(np.round(lat, 4), abs=1e-9)
    assert frame.geometry.iloc[0].x == 104.0637123456  # input untouched


def test_display_frame_simplifies_within_the_precision():
    ring = [(104 + 0.01 * np.cos(a), 30.6 + 0.01 * np.sin(a))
            for a in np.linspace(0, 2 * np.pi, 2000)]
    frame = gpd.GeoDataFrame({"precision_m": [10.0]}, geometry=[shapely.Polygon(ring)],
                             crs="EPSG:4326")
    light = display_frame(frame, [])
    assert shapely.get_num_coordinates(light.geometry.iloc[0]) < 2000
    moved = frame.to_crs("EPSG:4544").geometry.iloc[0].hausdorff_distance(
        light.to_crs("EPSG:4544").geometry.iloc[0])
    assert moved <= 10.0


def test_tianditu_needs_a_plain_key_and_adds_base_and_labels():
    base, labels = tianditu("abc123")
    assert "tk=abc123" in base.url and labels.overlay
    assert len(default_basemaps("wgs84", "abc123")) == 4
    with pytest.raises(GisplanError, match="Tianditu key"):
        tianditu("abc'; alert(1)")


def test_unknown_cdn_asset_is_refused():
    page = '<script src="https://cdn.example.org/other.js"></script>'
    with pytest.raises(GisplanError, match="no local copy"):
        inline_assets(page)


def test_map_over_the_size_limit_is_refused_and_nothing_written(tmp_path, layers, monkeypatch):
    import gisplan.outputs.maps._base

    monkeypatch.setattr(gisplan.outputs.maps._base, "MAX_MAP_BYTES", 1000)
    with pytest.raises(GisplanError, match="MB limit"):
        save_map(plan_map(layers), tmp_path / "m.html")
    assert list(tmp_path.iterdir()) == []


def test_empty_and_missing_geometries_are_left_out_without_warnings():
    point = gpd.GeoDataFrame({"name_zh": ["点"]}, geometry=[shapely.Point(104, 30.6)],
                             crs="EPSG:4326")
    catchments = gpd.GeoDataFrame(
        {"method": ["euclidean", "network", "network"], "area": ["a", "a", "b"]},
        geometry=[shapely.box(104, 30.6, 104.1, 30.7), shapely.MultiPolygon(), None],
        crs="EPSG:4326",
    )
    fmap = station_coverage_map({"metro_stations": point, "station_catchments_800m": catchments})
    names = [c.layer_name for c in fmap._children.values() if isinstance(c, folium.GeoJson)]
    assert any(name.endswith("(直线距离 Straight-line, a)") for name in names)
    assert not any("Walking network" in name for name in names)
    empty_parks = gpd.GeoDataFrame({"name_zh": ["空"]}, geometry=[shapely.Polygon()],
                                   crs="EPSG:4326")
    html = plan_map({"districts": point, "parks": empty_parks}).get_root().render()
    assert html.count("L.geoJson(") == 1
