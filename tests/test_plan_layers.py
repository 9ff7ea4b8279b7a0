"""The plan's own layers: functional zones, ecosystems and projects, ecological pattern,
parks, water bodies, waterways and the walking network."""

import math
import xml.etree.ElementTree as ET

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

import gisplan
from gisplan.crs import METRIC_CRS, WGS84
from gisplan.geocode import geocode_candidates
from gisplan.maps import NOT_ON_PLAN_MAP
from gisplan.styles import qml
from gisplan.symbology import layer_symbology

NAMED_LAYERS = ["functional_zones", "ecosystem_projects", "eco_pattern_areas",
                "eco_pattern_rivers", "parks", "water", "waterways"]
SPATIAL_LAYERS = [*NAMED_LAYERS, "walk_edges", "walk_nodes"]
OSM_LAYERS = ["parks", "water", "waterways", "walk_edges", "walk_nodes", "eco_pattern_rivers"]
TIANFU_SQUARE = (104.06339, 30.65957)


@pytest.fixture(scope="module")
def layers():
    return {name: gisplan.load_layer(name) for name in [*SPATIAL_LAYERS,
                                                         "industrial_ecosystems"]}


def _present(frame):
    return ~(frame.geometry.isna() | frame.geometry.is_empty)


def test_fourteen_ecosystems_with_consistent_counts(layers):
    table = layers["industrial_ecosystems"]
    projects = layers["ecosystem_projects"]
    assert len(table) == 14 and table["ecosystem_id"].is_unique
    assert table["name_zh"].str.endswith("产业生态圈").all()
    counted = projects[~projects["supplementary"]].groupby("ecosystem_id").size()
    assert counted.reindex(table["ecosystem_id"]).tolist() == table["project_count"].tolist()
    zones = layers["functional_zones"]
    ids = dict(zip(table["name_zh"], table["ecosystem_id"], strict=True))
    for names, keys in zip(zones["ecosystems"].fillna(""), zones["ecosystem_ids"].fillna(""),
                           strict=True):
        assert [ids[n] for n in names.split(";") if n] == [k for k in keys.split(";") if k]
    for row in table.itertuples():
        listed = zones["ecosystems"].fillna("").str.split(";").map(lambda v, n=row.name_zh:
                                                                    n in v)
        assert listed.sum() == row.zone_count


def test_major_projects_each_tied_to_one_ecosystem(layers):
    projects = layers["ecosystem_projects"]
    ids = set(layers["industrial_ecosystems"]["ecosystem_id"])
    assert (projects["column"] == "专栏23").sum() == 98
    assert len(projects) >= 98
    assert projects["ecosystem_id"].isin(ids).all()
    assert projects["project_id"].is_unique


def test_reorganisation_into_twelve_is_recorded():
    meta = gisplan.layer_metadata("industrial_ecosystems")["reorganisation_2021"]
    table = gisplan.load_layer("industrial_ecosystems")
    assert set(meta["mapping_14_to_12"]) == set(table["name_zh"])
    targets = {t for v in meta["mapping_14_to_12"].values() for t in v.replace("|", ";")
               .split(";")} | set(meta["new_in_2021"])
    assert len(targets) == 12
    assert "2021" in meta["note"] and meta["source"]


def test_functional_zones_and_their_summary(layers):
    zones = layers["functional_zones"]
    assert len(zones) >= 60 and zones["zone_id"].is_unique
    roster = zones[zones["counts_toward_66"]]
    assert len(roster) >= 60
    assert set(roster["status"]) == {"explicit", "carrier"}
    summary = gisplan.layer_metadata("functional_zones")["summary"]
    located = roster[roster["geocode_method"] != "unlocated"]
    assert summary["plan_zone_count"] == 66
    assert summary["named_in_plan_explicit_or_carrier"] == len(roster)
    assert summary["located_explicit_or_carrier"] == len(located)
    assert summary["precision_m_of_located"]["median"] == located["precision_m"].median()
    assert zones["plan_lines"].str.match(r"^\d+(;\d+)*$").all()


def test_locations_say_how_they_were_found(layers):
    for name in ["functional_zones", "ecosystem_projects"]:
        frame = layers[name]
        present = _present(frame)
        assert (frame.loc[~present, "geocode_method"] == "unlocated").all(), name
        assert (frame.loc[present, "geocode_method"] != "unlocated").all(), name
        by_district = frame["geocode_method"] == "district_centroid"
        # a district point is never more precise than a few km
        assert (frame.loc[by_district, "precision_m"] >= 3000).all(), name
        assert frame.loc[by_district, "notes"].str.contains("centroid").all()


def test_district_points_lie_in_their_district(layers):
    districts = gisplan.load_layer("districts").set_index("name_zh")
    zones = layers["functional_zones"]
    single = zones[(zones["geocode_method"] == "district_centroid")
                   & zones["district_zh"].isin(districts.index)]
    assert len(single) > 20
    for row in single.itertuples():
        assert districts.geometry[row.district_zh].contains(row.geometry), row.name_zh


@pytest.mark.parametrize("name", SPATIAL_LAYERS)
def test_schematic_features_say_so(layers, name):
    frame = layers[name]
    if "geocode_method" not in frame:
        return
    schematic = frame[frame["geocode_method"] == "schematic"]
    assert (schematic["precision_m"] >= 1000).all()
    assert (schematic["source"] == "schematic").all()
    if "description" in frame:
        assert schematic["description"].str.contains("chematic").all()


def test_eco_pattern_areas(layers):
    areas = layers["eco_pattern_areas"].set_index("name_zh")
    assert set(areas["component"]) == {"两山", "两环", "六片", "自然保护地"}
    six = areas[areas["component"] == "六片"]
    assert len(six) == 6 and not _present(six).any()
    assert (six["geocode_method"] == "unpublished").all()
    drawn = areas[areas["component"] != "六片"]
    assert _present(drawn).all() and (drawn["geocode_method"] == "schematic").all()
    for name in ["龙门山", "龙泉山", "龙泉山城市森林公园", "环城生态区", "环二绕生态环",
                 "大熊猫国家公园（成都片区）"]:
        assert name in areas.index


def test_ring_band_is_85km_long_and_1km_wide_about_tianfu_square(layers):
    areas = layers["eco_pattern_areas"].set_index("name_zh")
    ring = gpd.GeoSeries([areas.geometry["环城生态区"]], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    assert ring.area == pytest.approx(85_000 * 1_000, rel=0.02)
    centre = gpd.GeoSeries([shapely.Point(TIANFU_SQUARE)], crs=WGS84).to_crs(METRIC_CRS)
    inner = shapely.Polygon(max(ring.interiors, key=lambda r: shapely.Polygon(r).area))
    assert inner.contains(centre.iloc[0])
    radius = 85_000 / (2 * math.pi)
    assert centre.iloc[0].distance(ring.exterior) == pytest.approx(radius + 500, abs=5)


def test_panda_park_matches_its_reported_area(layers):
    areas = layers["eco_pattern_areas"].set_index("name_zh")
    park = gpd.GeoSeries([areas.geometry["大熊猫国家公园（成都片区）"]], crs=WGS84)
    reported = areas.loc["大熊猫国家公园（成都片区）", "published_area_km2"]
    assert park.to_crs(METRIC_CRS).area.iloc[0] / 1e6 == pytest.approx(reported, rel=0.01)


def test_river_networks(layers):
    rivers = layers["eco_pattern_rivers"]
    assert set(rivers["network"]) == {"岷江", "沱江"}
    stems = rivers[rivers["role"] == "main_stem"]
    assert set(stems["network"]) == {"岷江", "沱江"} and _present(stems).all()
    osm = rivers[rivers["source"] == "osm"]
    assert {"锦江", "沙河", "东风渠"} <= set(osm["name_zh"])
    assert (osm["precision_m"] < 100).all()
    undrawn = rivers[~_present(rivers)]
    assert (undrawn["geocode_method"] == "unlocated").all() and undrawn["plan_named"].all()


@pytest.mark.parametrize("name", NAMED_LAYERS)
def test_no_two_features_share_a_name(layers, name):
    names = layers[name]["name_zh"].dropna()
    assert names.is_unique, names[names.duplicated()].tolist()
    assert "name_en" in layers[name]


def test_park_classes_and_radii_follow_gbt_50563(layers):
    parks = layers["parks"]
    surveyed = parks[parks["source"] == "osm"]
    area = surveyed.to_crs(METRIC_CRS).area
    assert np.allclose(area, surveyed["area_m2"], rtol=1e-3)
    green = surveyed[surveyed["park_green"]]
    expected = np.select([green["area_m2"] >= 5000, green["area_m2"] >= 2000], [500.0, 300.0],
                         np.nan)
    np.testing.assert_array_equal(green["service_radius_m"].to_numpy(), expected)
    classes = np.select([green["area_m2"] >= 5000, green["area_m2"] >= 2000],
                        ["large", "medium"], "small")
    assert green["size_class"].tolist() == classes.tolist()
    assert parks.loc[~parks["park_green"], "service_radius_m"].isna().all()
    assert (green["size_class"] == "large").sum() >= 20
    assert {"锦城公园", "锦江公园", "兴隆湖"} <= set(parks["name_zh"].dropna())
    merged = parks.set_index("name_zh").loc["沙河公园"]
    assert merged["pieces"] == 7 and merged["area_m2"] > 5000


def test_water_layer_holds_the_water_body_polygons(layers):
    water = layers["water"]
    assert {"升仙湖", "镜湖"} <= set(water["name_zh"].dropna())
    assert set(water.geom_type) <= {"Polygon", "MultiPolygon"} and _present(water).all()
    assert water["water_id"].is_unique
    assert {"riverbank", "reservoir", "basin"} <= set(water["water_type"])
    np.testing.assert_allclose(water["area_m2"], water.to_crs(METRIC_CRS).area, rtol=1e-3)
    assert (water["area_m2"] > 0).all()


def test_waterways_layer_holds_the_river_centrelines(layers):
    ways = layers["waterways"]
    assert {"锦江", "沙河", "东风渠", "金水"} <= set(ways["name_zh"].dropna())
    assert set(ways.geom_type) <= {"LineString", "MultiLineString"} and _present(ways).all()
    assert ways["waterway_id"].is_unique
    assert set(";".join(ways["waterway"]).split(";")) <= {"river", "canal", "stream", "drain"}
    assert ways["name_zh"].isna().sum() > 10  # the unnamed ways are kept
    np.testing.assert_allclose(ways["length_m"], ways.to_crs(METRIC_CRS).length, rtol=1e-3)
    jinjiang = ways.set_index("name_zh").loc["锦江"]
    assert jinjiang["plan_lines"] and jinjiang["osm_ids"].count("way/") >= 4
    # every raw way is in exactly one feature
    ids = ";".join(ways["osm_ids"]).split(";")
    assert len(ids) == len(set(ids))


def test_xinglong_lake_is_a_marker_disc_without_an_area(layers):
    parks = layers["parks"].set_index("name_zh")
    lake = parks.loc["兴隆湖"]
    assert lake["geocode_method"] == "schematic" and lake["source"] == "schematic"
    assert lake["precision_m"] >= 1000
    assert pd.isna(lake["area_m2"]) and pd.isna(lake["service_radius_m"])
    assert pd.isna(lake["size_class"])
    assert "only marks the location" in lake["description"]
    disc = gpd.GeoSeries([lake.geometry], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    assert disc.area == pytest.approx(math.pi * 500**2, rel=0.01)
    stations = gisplan.load_layer("metro_stations").set_index("name_zh")
    station = gpd.GeoSeries([stations.geometry["兴隆湖"]], crs=WGS84).to_crs(METRIC_CRS)
    assert disc.centroid.distance(station.iloc[0]) < 1.0
    schematic = layers["parks"][layers["parks"]["geocode_method"] == "schematic"]
    assert schematic["area_m2"].isna().all() and schematic["service_radius_m"].isna().all()


def test_dongjiao_memory_zone_is_a_point_on_its_osm_outline(layers):
    zones = layers["functional_zones"].set_index("name_zh")
    zone = zones.loc["成都东郊记忆艺术区"]
    assert zone["geocode_method"] == "osm_outline_point" and zone.geometry.geom_type == "Point"
    assert "point on the surface of the outline" in zone["notes"]
    outline = layers["parks"].set_index("name_zh").loc[["东郊记忆"]].to_crs(METRIC_CRS)
    point = gpd.GeoSeries([zone.geometry], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    assert outline.geometry.iloc[0].contains(point)
    assert zone["area_km2"] == pytest.approx(outline.area.iloc[0] / 1e6, rel=1e-3)
    assert "OSM outline" in zone["area_source"]
    farthest = point.hausdorff_distance(outline.geometry.iloc[0].boundary)
    assert farthest <= zone["precision_m"] < farthest + 100


def test_walking_network_is_connected_and_rebuildable(layers):
    edges, nodes = layers["walk_edges"], layers["walk_nodes"]
    graph = nx.MultiGraph()
    graph.add_nodes_from(nodes["osmid"])
    graph.add_edges_from(zip(edges["u"], edges["v"], edges["key"], strict=True))
    assert graph.number_of_nodes() == len(nodes) > 1000
    assert nx.is_connected(graph)
    assert not edges.duplicated(["u", "v", "key"]).any()
    metric = edges.to_crs(METRIC_CRS).length
    assert (edges["length_m"] > 0).all()
    np.testing.assert_allclose(edges["length_m"], metric, rtol=0.01, atol=0.5)
    assert not edges["highway"].str.contains("motorway|cycleway").any()


def test_walking_network_covers_the_extract(layers):
    area = gisplan.load_layer("coverage_area").set_index("area_id")
    extract = area.geometry["central_osm_extract"]
    edges, nodes = layers["walk_edges"], layers["walk_nodes"]
    assert edges.intersects(extract).mean() > 0.99
    assert nodes.within(extract).mean() > 0.9
    assert area.loc["central_osm_extract", "area_km2"] == pytest.approx(70, rel=0.1)


@pytest.mark.parametrize("name", OSM_LAYERS)
def test_osm_layers_carry_odbl_attribution(name):
    meta = gisplan.layer_metadata(name)
    osm = [s for s in meta["sources"] if s["id"] == "osm"]
    assert osm and osm[0]["licence"] == "ODbL-1.0"
    assert "OpenStreetMap contributors" in meta["attribution"]


@pytest.mark.parametrize("name", NAMED_LAYERS)
def test_geocoder_finds_every_located_name(layers, name):
    frame = layers[name]
    located = frame[_present(frame) & frame["name_zh"].notna()]
    missing = [n for n in located["name_zh"] if geocode_candidates(n, layer=name).empty]
    assert not missing


def test_every_feature_has_source_and_precision(layers):
    for name in SPATIAL_LAYERS:
        frame = layers[name]
        assert frame["source"].notna().all(), name
        assert pd.to_numeric(frame["precision_m"]).gt(0).all(), name


def test_water_layers_are_styled_by_family_and_kept_off_the_plan_map(layers):
    ways = layer_symbology("waterways", layers["waterways"])
    water = layer_symbology("water", layers["water"])
    assert (ways.geometry, water.geometry) == ("line", "polygon")
    root = ET.fromstring(qml(ways).split("\n", 1)[1])
    line = root.find("renderer-v2/symbols/symbol/layer")
    assert line.get("class") == "SimpleLine"
    colour = line.find("Option/Option[@name='line_color']").get("value")
    red, green, blue = (int(v) for v in colour.split(",")[:3])
    assert f"#{red:02x}{green:02x}{blue:02x}" == ways.colour
    assert {"water", "waterways"} <= NOT_ON_PLAN_MAP
