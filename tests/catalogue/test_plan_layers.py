"""The plan's own layers: functional zones, ecosystems and projects, ecological pattern,
parks, water bodies, waterways and the walking network."""

import math
import re
import xml.etree.ElementTree as ET

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

import gisplan
from compile_layers._common import PLAN_TEXT
from gisplan.crs import METRIC_CRS, WGS84
from gisplan.outputs.maps.plan import NOT_ON_PLAN_MAP
from gisplan.outputs.qgis_styles import qml
from gisplan.outputs.symbology import layer_symbology
from gisplan.sources.geocoder import geocode_candidates

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


# The zones the plan text itself calls 产业功能区 or 功能区, with a line that names each
# (read from the plan, not from the layer).
PLAN_NAMED_ZONES = {
    "成都电子信息产业功能区": 985, "成都空天产业功能区": 985, "龙泉驿汽车产业功能区": 985,
    "新都现代交通产业功能区": 985, "天府新区新能源新材料产业功能区": 986,
    "青白江先进材料产业功能区": 986, "成都新材料产业功能区": 986,
    "成都龙潭新经济产业功能区": 988, "白鹭湾新经济总部功能区": 988,
    "锦江新兴传媒功能区": 1002, "李冰文化创意旅游产业功能区": 1002,
    "安仁·中国文博产业功能区": 1002, "成都影视城功能区": 1002, "成都国际商贸城功能区": 1006,
    "智能应用产业功能区": 1352, "电商物流产业功能区": 580, "武侯电商产业功能区": 1372,
    "都江堰精华灌区康养产业功能区": 912, "崇州都市农业产业功能区": 912,
    "青城山旅游装备产业功能区": 912, "西岭雪山运动康养产业功能区": 912,
    "邛崃绿色食品产业功能区": 912, "大邑文体智能装备产业功能区": 1830,
    "生产性服务业功能区": 987,
}


def _plan_lines():
    if not PLAN_TEXT.exists():
        pytest.skip("plan text not available")
    return PLAN_TEXT.read_text(encoding="utf-8").split("\n")


def _short_names(name):
    """The zone's name as the plan may print it: without the bracketed part, the bracketed
    part alone, without the leading 成都 or the trailing 新城 (淮州新城 is printed 淮州)."""
    bare = re.sub(r"（.*?）", "", name)
    names = {name, bare, *re.findall(r"（(.*?)）", name)}
    names |= {n.removeprefix("成都") for n in names} | {n.removesuffix("新城") for n in names}
    return {n for n in names if len(n) >= 2}


def test_functional_zones_are_the_ones_the_plan_names(layers):
    text = _plan_lines()
    zones = layers["functional_zones"]
    assert zones["zone_id"].is_unique
    assert zones["plan_lines"].str.match(r"^\d+(;\d+)*$").all()
    count = re.search(r"形成具有成都特色的(\d+)个产业功能区", text[1294 - 1])
    summary = gisplan.layer_metadata("functional_zones")["summary"]
    assert summary["plan_zone_count"] == int(count.group(1)) == 66
    roster = zones[zones["counts_toward_66"]]
    assert set(roster["status"]) == {"explicit", "carrier"}
    assert 0 < len(roster) <= int(count.group(1))
    # every zone of the roster is printed at one of the lines it cites
    for row in roster.itertuples():
        cited = [text[int(n) - 1] for n in row.plan_lines.split(";")]
        assert any(short in line for short in _short_names(row.name_zh) for line in cited), \
            row.name_zh
    # every zone the plan calls a functional zone is in the roster, as explicit
    explicit = {re.sub(r"（.*?）", "", n) for n in roster.loc[roster["status"] == "explicit",
                                                              "name_zh"]}
    for name, line in PLAN_NAMED_ZONES.items():
        assert name in text[line - 1], (name, line)
        assert name in explicit, name


def test_locations_say_how_they_were_found(layers):
    for name in ["functional_zones", "ecosystem_projects"]:
        frame = layers[name]
        present = _present(frame)
        assert (frame.loc[~present, "geocode_method"] == "unlocated").all(), name
        assert (frame.loc[present, "geocode_method"] != "unlocated").all(), name
        by_district = frame["geocode_method"] == "district_centroid"
        assert by_district.any() and (~present).any(), name
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


# Features with no surveyed geometry in any source, so drawn by construction: no panda
# park, Ring Expressway or 环城生态区 outline exists in the raw data (protected/PROVENANCE.md),
# no elevation model for the mountains (dem/), no park outline of 锦城公园, 锦江公园 or
# 兴隆湖 in the OSM extract (parks/), and the Min's channel is missing from Natural Earth.
DRAWN_FEATURES = {
    "eco_pattern_areas": {"龙门山", "龙泉山", "龙泉山城市森林公园", "环城生态区", "环二绕生态环",
                          "大熊猫国家公园（成都片区）"},
    "eco_pattern_rivers": {"岷江（金马河）"},
    "parks": {"锦城公园", "锦江公园", "兴隆湖"},
}


@pytest.mark.parametrize("name", sorted(DRAWN_FEATURES))
def test_schematic_features_say_so(layers, name):
    frame = layers[name]
    schematic = frame[frame["geocode_method"] == "schematic"]
    assert not schematic.empty
    assert set(schematic["name_zh"]) == DRAWN_FEATURES[name]
    assert _present(schematic).all()
    assert (schematic["precision_m"] >= 1000).all()
    assert (schematic["source"] == "schematic").all()
    assert schematic["description"].str.startswith("Schematic").all()


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


# 成都日报 2015-12-11 (news.chengdu.cn/2015/1211/1749157.shtml): 环城生态区 is the land
# 500 m on each side of the Ring Expressway plus seven wedges, 187.15 km2 in all, and forms
# an 85 km green ring; the Ring Expressway is 85 km long (baike.wangchao.net.cn/detail_560467).
RING_EXPRESSWAY_KM = 85.0
RING_HALF_WIDTH_M = 500.0
RING_ZONE_KM2 = 187.15
# <bounds> of the raw central OSM extract, which stops inside the Ring Expressway
# (network/PROVENANCE.md).
OSM_EXTRACT_BOUNDS = (104.0421, 30.6528, 104.1296, 30.7279)
# 大熊猫国家公园总体规划（征求意见稿）, 2019-10: the Chengdu part is 1459 km2 in 崇州, 大邑,
# 彭州 and 都江堰 (reported at www.app.dawuhanapp.com/p/130768.html).
PANDA_CHENGDU_KM2 = 1459.0
PANDA_COUNTIES = {"崇州市", "大邑县", "彭州市", "都江堰市"}


def _metric(geom):
    return gpd.GeoSeries([geom], crs=WGS84).to_crs(METRIC_CRS).iloc[0]


def test_ring_band_follows_the_published_ring_expressway(layers):
    areas = layers["eco_pattern_areas"].set_index("name_zh")
    ring = _metric(areas.geometry["环城生态区"])
    assert ring.geom_type == "Polygon" and len(ring.interiors) == 1
    mid_line_km = (ring.exterior.length + ring.interiors[0].length) / 2 / 1000
    assert mid_line_km == pytest.approx(RING_EXPRESSWAY_KM, rel=0.02)
    assert ring.area / (mid_line_km * 1000) == pytest.approx(2 * RING_HALF_WIDTH_M, rel=0.02)
    assert areas.loc["环城生态区", "published_area_km2"] == RING_ZONE_KM2
    assert ring.area / 1e6 < RING_ZONE_KM2  # the wedges are not drawn
    centre = _metric(shapely.Point(TIANFU_SQUARE))
    extract = _metric(shapely.box(*OSM_EXTRACT_BOUNDS))
    hole = shapely.Polygon(ring.interiors[0])
    assert hole.contains(centre) and hole.contains(extract)


def test_panda_park_matches_the_published_area_and_counties(layers):
    areas = layers["eco_pattern_areas"].set_index("name_zh")
    park = _metric(areas.geometry["大熊猫国家公园（成都片区）"])
    assert park.area / 1e6 == pytest.approx(PANDA_CHENGDU_KM2, rel=0.01)
    assert areas.loc["大熊猫国家公园（成都片区）", "published_area_km2"] == PANDA_CHENGDU_KM2
    districts = gisplan.load_layer("districts").set_index("name_zh").to_crs(METRIC_CRS)
    inside = {name: park.intersection(geom).area / 1e6
              for name, geom in districts.geometry.items()}
    assert {name for name, km2 in inside.items() if km2 > 1} == PANDA_COUNTIES
    assert sum(inside[name] for name in PANDA_COUNTIES) == pytest.approx(park.area / 1e6,
                                                                         rel=1e-3)


def test_river_networks(layers):
    rivers = layers["eco_pattern_rivers"]
    assert set(rivers["network"]) == {"岷江", "沱江"}
    stems = rivers[rivers["role"] == "main_stem"]
    assert set(stems["network"]) == {"岷江", "沱江"} and _present(stems).all()
    osm = rivers[rivers["source"] == "osm"]
    assert {"锦江", "沙河", "东风渠"} <= set(osm["name_zh"])
    assert (osm["precision_m"] < 100).all()
    undrawn = rivers[~_present(rivers)]
    assert len(undrawn) > 0
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
