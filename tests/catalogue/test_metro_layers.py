"""The rail layers: metro_stations, metro_lines and tod_sites."""

import re

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

import gisplan
from compile_layers._common import RAW
from gisplan.crs import METRIC_CRS, WGS84, gcj02_to_wgs84

REQUIRED_LINES = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "13", "17", "18", "19",
                  "27", "30", "S3", "蓉2"}
LINE_2_EAST = ["大面铺", "连山坡", "界牌", "书房", "龙平路", "龙泉驿"]
# 专栏17 都市TOD网络打造计划 (plan L1109, as in plan_inventory.json) and 三岔TOD (L952).
TOD_NAMES = ["福田", "火车南站", "三岔", "太平园", "东客站", "龙潭寺", "东光南站", "廖家湾", "人北",
             "四川师大", "林家坝", "成都行政学院", "万盛", "犀浦—天河路", "成彭高铁彭州站",
             "成蒲快铁邛崃站", "成蒲快铁崇州站", "新津站+5G公园城市社区", "都江堰", "三岔TOD"]
SNAP_MAX_M = 60.0
ON_TRACK_M = 0.5  # snapped points sit on the track, up to coordinate rounding
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@pytest.fixture(scope="module")
def stations():
    return gisplan.load_layer("metro_stations")


@pytest.fixture(scope="module")
def lines():
    return gisplan.load_layer("metro_lines")


@pytest.fixture(scope="module")
def tods():
    return gisplan.load_layer("tod_sites")


@pytest.fixture(scope="module")
def districts():
    return gisplan.load_layer("districts").to_crs(METRIC_CRS)


def _line_sets(frame):
    return frame["lines"].fillna("").str.split(";").map(lambda ls: {x for x in ls if x})


def _metric(geoms):
    return gpd.GeoSeries(list(geoms), crs=WGS84).to_crs(METRIC_CRS)


# --- metro_stations ------------------------------------------------------------

def test_every_station_and_line_is_present(stations):
    assert len(stations) >= 350
    served = set().union(*_line_sets(stations))
    assert served == REQUIRED_LINES
    assert (stations["line_count"] == _line_sets(stations).map(len)).all()


def test_interchanges_appear_once_with_all_their_lines(stations):
    assert stations["name_zh"].is_unique, "distinct stations never share a name in the sources"
    assert stations["station_id"].is_unique
    sets = dict(zip(stations["name_zh"], _line_sets(stations), strict=True))
    assert sets["天府广场"] == {"1", "2"}
    assert sets["火车南站"] == {"1", "7", "18"}
    assert sets["成都西站"] >= {"4", "9", "蓉2"}  # metro and tram at the same hub
    assert sets["交大兴业北街"] == {"6"} and "兴业北街" not in sets  # renamed since 2025


def test_tianfu_square_position(stations):
    """The Amap-derived station lies at the station mapped independently in OpenStreetMap."""
    osm_file = RAW / "network" / "osm_central_chengdu_2018.osm"
    if not osm_file.exists():
        pytest.skip(f"{osm_file} not available")
    nodes = pyogrio.read_dataframe(osm_file, layer="points", columns=["name", "other_tags"])
    osm_station = nodes[(nodes["name"] == "天府广场")
                        & nodes["other_tags"].str.contains('"railway"=>"station"', na=False)]
    assert len(osm_station) >= 1
    row = stations[stations["name_zh"] == "天府广场"]
    # The OSM station nodes lie 30 m apart in a station box about 200 m long.
    distances = _metric(osm_station.geometry).distance(_metric(row.geometry).iloc[0])
    assert distances.min() < 50


def test_stations_are_inside_chengdu_except_s3_in_ziyang(stations, districts):
    city = shapely.union_all(districts.geometry.values).buffer(1.0)
    inside = _metric(stations.geometry).within(city).to_numpy()
    flagged = stations["in_chengdu"].to_numpy(dtype=bool)
    assert (inside == flagged).all(), list(stations.loc[inside != flagged, "name_zh"])
    assert stations.loc[flagged, "district_zh"].isin(set(districts["name_zh"])).all()
    outside = stations[~flagged]
    assert len(outside) == 5 and (outside["lines"] == "S3").all()
    assert outside["district_zh"].isna().all()


def test_geometry_is_the_converted_source_point_or_its_snap(stations):
    lon, lat = gcj02_to_wgs84(stations["lon_gcj02"].to_numpy(), stations["lat_gcj02"].to_numpy())
    converted = _metric(shapely.points(lon, lat))
    moved = converted.distance(_metric(stations.geometry).set_axis(converted.index)).to_numpy()
    snapped = (stations["geocode_method"] == "snapped_to_track").to_numpy()
    assert set(stations["geocode_method"]) == {"snapped_to_track", "source_coordinates"}
    assert (moved[~snapped] < 0.05).all()
    np.testing.assert_allclose(moved[snapped], stations["snap_distance_m"][snapped], atol=0.2)
    assert (stations.loc[snapped, "snap_distance_m"] <= SNAP_MAX_M).all()
    far = stations.loc[~snapped, "snap_distance_m"].dropna()
    assert len(far) > 0
    assert (far > SNAP_MAX_M).all()


def test_snapped_stations_lie_on_their_own_line(stations, lines):
    tracks = dict(zip(lines["line_id"], _metric(lines.geometry), strict=True))
    # metro_lines ends at the city boundary; S3 stations in 资阳 lie beyond it
    snapped = stations[(stations["geocode_method"] == "snapped_to_track")
                       & stations["in_chengdu"].astype(bool)]
    for name, line_set, point in zip(snapped["name_zh"], _line_sets(snapped),
                                     _metric(snapped.geometry), strict=True):
        nearest = min(point.distance(tracks[line]) for line in line_set - {"蓉2"})
        assert nearest < ON_TRACK_M, f"{name} is {nearest:.1f} m from its tracks"


def test_precision_is_graded_by_method(stations):
    snapped = stations["geocode_method"] == "snapped_to_track"
    assert stations.loc[snapped, "precision_m"].between(10, 20).all()
    assert stations.loc[~snapped, "precision_m"].between(30, 50).all()
    assert (stations.loc[snapped, "precision_m"].max()
            < stations.loc[~snapped, "precision_m"].min())


def test_line_2_east_end_and_tram_come_from_the_older_file(stations):
    meta = gisplan.layer_metadata("metro_stations")
    statuses = set(stations["status"])
    assert statuses == {"operating", "not_in_service_2026", "in_older_source_only"}
    assert all(s in meta["columns"]["status"]["description"] for s in statuses)
    east = stations.set_index("name_zh").loc[LINE_2_EAST]
    assert (east["status"] == "not_in_service_2026").all()
    assert (east["lines"] == "2").all() and (east["source"] == "amap-metroman-2025").all()
    older = stations[stations["status"] == "in_older_source_only"]
    assert (older["lines"] == "蓉2").all() and len(older) > 20
    operating = stations[stations["status"] == "operating"]
    assert (operating["source"] == "amap-metro-typing-2026").all()


def test_station_metadata_names_sources_and_licences():
    meta = gisplan.layer_metadata("metro_stations")
    sources = {s["id"]: s for s in meta["sources"]}
    assert sources["osm"]["licence"] == "ODbL-1.0"
    assert sources["osm"]["attribution"] == "© OpenStreetMap contributors"
    assert "Evenss/metro-typing" in sources["amap-metro-typing-2026"]["url"]
    assert "MetroMapOpenMiniProgram" in sources["amap-metroman-2025"]["url"]
    assert all("GCJ-02" in sources[k]["title"] and "WGS84" in sources[k]["title"]
               for k in ("amap-metro-typing-2026", "amap-metroman-2025"))
    frame = gisplan.load_layer("metro_stations")
    assert set(frame.columns) - {"geometry"} == set(meta["columns"])


# --- metro_lines -----------------------------------------------------------------

def test_lines_have_colours_and_every_required_line(lines):
    assert len(lines) >= 17
    assert lines["line_id"].is_unique and set(lines["line_id"]) == REQUIRED_LINES
    assert lines["colour"].str.match(HEX_COLOUR.pattern).all()
    assert set(lines.geom_type) == {"MultiLineString"}
    assert not lines.geometry.is_empty.any()


def test_tram_is_schematic_and_metro_is_osm(lines):
    tram = lines[lines["line_id"] == "蓉2"].iloc[0]
    assert tram["geocode_method"] == "schematic_station_sequence"
    assert tram["precision_m"] >= 1000
    metro = lines[lines["line_id"] != "蓉2"]
    assert (metro["source"] == "osm").all() and metro["osm_relation_ids"].notna().all()


def test_platform_rings_are_dropped(lines):
    for geom in _metric(lines.geometry):
        parts = shapely.get_parts(geom)
        short_rings = [p for p in parts if p.is_closed and p.length < 1000]
        assert not short_rings


def test_every_station_is_near_its_lines(stations, lines):
    # one point per interchange: the platforms of another line can be a few hundred m away
    tracks = dict(zip(lines["line_id"], _metric(lines.geometry), strict=True))
    stations = stations[stations["in_chengdu"].astype(bool)]  # lines end at the boundary
    for name, line_set, point in zip(stations["name_zh"], _line_sets(stations),
                                     _metric(stations.geometry), strict=True):
        distances = [point.distance(tracks[line]) for line in sorted(line_set - {"蓉2"})]
        if distances:
            assert min(distances) < 100, f"{name} far from all its lines"
            assert max(distances) < 500, f"{name} far from one of its lines"


# --- tod_sites -------------------------------------------------------------------

def test_every_tod_name_is_present(tods):
    assert sorted(tods["name_zh"]) == sorted(TOD_NAMES)
    assert tods["tod_id"].is_unique


def test_tod_provenance_and_geometry(tods):
    meta = gisplan.layer_metadata("tod_sites")
    source_ids = {s["id"] for s in meta["sources"]}
    assert tods["source"].isin(source_ids).all()
    assert (tods["precision_m"] > 0).all()
    assert tods["geocode_method"].str.len().gt(0).all()
    assert not (tods.geometry.isna() | tods.geometry.is_empty).any()
    assert tods["plan_lines"].str.contains("1109|952").all()


def test_station_tods_sit_on_their_stations(tods, stations):
    by_id = stations.set_index("station_id")
    linked = tods[tods["station_ids"].notna()]
    assert len(linked) >= 14
    for ids, geom in zip(linked["station_ids"], linked.geometry, strict=True):
        points = [by_id.loc[i, "geometry"] for i in ids.split(";")]
        assert shapely.equals_exact(geom, shapely.union_all(points), tolerance=1e-7) or \
            shapely.equals(geom, shapely.MultiPoint(points))
    named = dict(zip(tods["name_zh"], tods["station_ids"], strict=True))
    assert named["火车南站"] == by_id.index[by_id["name_zh"] == "火车南站"][0]
    assert len(named["犀浦—天河路"].split(";")) == 2
    assert named["三岔TOD"] == named["三岔"]


def test_district_placed_tods_cover_their_district(tods, districts):
    placed = tods[tods["geocode_method"] == "district_centroid"]
    assert set(placed["name_zh"]) == {"东光南站", "林家坝", "成彭高铁彭州站", "成蒲快铁邛崃站",
                                      "成蒲快铁崇州站", "都江堰"}
    polygons = districts.set_index("name_zh").geometry
    for district, precision, point in zip(placed["district_zh"], placed["precision_m"],
                                          _metric(placed.geometry), strict=True):
        polygon = polygons[district]
        assert point.within(polygon)
        farthest = np.hypot(*(shapely.get_coordinates(polygon) - shapely.get_coordinates(point)).T)
        assert farthest.max() <= precision, f"{district}: radius too small"
    assert placed["station_ids"].isna().all()
    assert placed["notes"].str.len().gt(40).all()


def test_tod_districts_by_overlay(tods, stations):
    liaojiawan = tods[tods["name_zh"] == "廖家湾"].iloc[0]
    station = stations[stations["name_zh"] == "廖家湾"].iloc[0]
    assert liaojiawan["district_by_overlay"] == station["district_zh"]
