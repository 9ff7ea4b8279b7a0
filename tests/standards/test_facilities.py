"""The facility rules: each tested on real features of the extract, or on its tags where
the 2018 extract holds no such feature; duplicates merged; the documentation page current."""

import pytest

import gisplan
from compile_layers import facilities_doc
from gisplan.standards.facilities import (
    FACILITY_CATEGORIES,
    FACILITY_RULES,
    facility_category,
    facility_rule,
    facility_rule_table,
)

# real features of the central OSM extract: (OSM object, name, category or None, rule)
REAL = [
    ("node/1949073598", "成华敬式牙科诊所", "dentist", "H1"),  # amenity=hospital, a dentist
    ("node/1958204276", "成都市中医医院", "hospital", "H5"),
    ("node/5160198121", None, "clinic", "H6"),
    ("node/1949195316", "八里庄菜市场", "market", "M2"),
    ("way/570290389", "横桥自强便民市场", "market", "M2"),
    ("node/1964464310", "加州阳光幼儿园", "kindergarten", "E1"),  # tagged amenity=school
    ("way/239428437", None, "childcare", "E5"),  # amenity=childcare: 托儿所, not 幼儿园
    ("way/577364627", "成都十八中", "secondary_school", "E10"),
    ("node/1956519446", "成都49中", "secondary_school", "E10"),
    ("node/5460742682", "电子科技大学附实小蓝水湾校区", "primary_school", "E9"),
    ("way/430059278", "成都博物馆", "public_culture", "C3"),
    ("node/1949031945", "永益大药房", "pharmacy", "H8"),  # tagged shop=alcohol
    ("way/100285854", "成都体育中心", "sports", "P1"),
]
# real features the rules leave out: (OSM object, name, why)
EXCLUDED = [
    ("node/5321719718", "城北电子城", "an electronics market"),
    ("way/333419942", "军用品", "a military-goods market"),
    ("way/590415468", "纺织面料辅料专业市场", "a textile market"),
    ("node/1964485650", "成华区教师进修学校", "a training school"),
    ("way/207600009", "交大图书馆", "a university's library"),
    ("node/1956589180", "兰花布艺", "a fabric shop tagged as a convenience store"),
]
# rules no feature of the 2018 extract exercises, on the tags that would
SYNTHETIC = [
    ({"amenity": "kindergarten", "nursery": "yes"}, "childcare", "E2"),
    ({"amenity": "school", "name": "锦江区托育中心"}, "childcare", "E3"),
    ({"amenity": "school", "isced:level": "1", "name": "某校"}, "primary_school", "E7"),
    ({"amenity": "school", "school": "secondary", "name": "某校"}, "secondary_school", "E8"),
    ({"amenity": "school", "name": "成都市第十二中学"}, "secondary_school", "E10"),
    ({"amenity": "school", "name": "成都七中（林荫校区）"}, "secondary_school", "E10"),
    ({"amenity": "clinic", "name": "府城社区卫生服务中心"}, "health_centre", "H3"),
    ({"amenity": "clinic", "name": "双林社区卫生服务站"}, "health_station", "H4"),
    ({"amenity": "pharmacy"}, "pharmacy", "H7"),
    ({"shop": "supermarket", "name": "红旗连锁"}, "supermarket", "S2"),
    ({"amenity": "social_facility", "social_facility": "nursing_home"}, "elderly_care", "A1"),
    ({"office": "government", "name": "双林社区居委会"}, "community_service", "G1"),
    ({"amenity": "community_centre", "name": "猛追湾街道综合文化站"}, "culture_centre", "C2"),
    ({"amenity": "toilets", "access": "customers"}, None, "T1"),
    ({"public_transport": "platform", "bus": "yes"}, "bus_stop", "B2"),
    ({"amenity": "marketplace", "name": "城北电子城"}, None, "M1"),
    ({"shop": "convenience", "name": "兰花布艺"}, None, "S1"),
    ({"amenity": "library", "name": "交大图书馆"}, None, "C1"),
    ({"amenity": "school", "name": "成华区教师进修学校"}, None, "E6"),
    ({"amenity": "school", "name": "西南交通大学"}, None, "E11"),
]


@pytest.fixture(scope="module")
def layer():
    facilities = gisplan.load_layer("facilities")
    by_osm = {}
    for row in facilities.itertuples():
        for osm in row.osm_id.split(";"):
            by_osm[osm] = row
    return facilities, by_osm


@pytest.mark.parametrize(("osm", "name", "category", "rule"), REAL)
def test_real_features_get_their_category_and_rule(layer, osm, name, category, rule):
    _, by_osm = layer
    row = by_osm[osm]
    assert (row.name_zh, row.category, row.category_rule) == (name, category, rule)


@pytest.mark.parametrize(("osm", "name", "why"), EXCLUDED)
def test_real_features_that_are_no_facility_are_left_out(layer, osm, name, why):
    _, by_osm = layer
    assert osm not in by_osm, why


@pytest.mark.parametrize(("tags", "category", "rule"), SYNTHETIC)
def test_rules_on_their_tags(tags, category, rule):
    found = facility_rule(tags)
    assert (found.rule_id, found.category) == (rule, category)
    assert facility_category(tags) == category


def test_every_rule_is_tested_and_every_category_has_a_label():
    tested = ({r for *_, r in REAL} | {r for *_, r in SYNTHETIC}
              | {"E4", "E12", "H2", "M2", "S3", "P2", "B1", "T2", "F1", "P1"})
    assert {r.rule_id for r in FACILITY_RULES} <= tested
    categories = {c.category for c in FACILITY_CATEGORIES}
    assert {r.category for r in FACILITY_RULES} - {None} <= categories
    assert len(facility_rule_table()) == len(FACILITY_RULES)


def test_a_place_mapped_three_times_is_one_facility(layer):
    facilities, _ = layer
    museum = facilities[facilities["name_zh"] == "成都永陵博物馆"]
    assert len(museum) == 1 and len(museum["osm_id"].iloc[0].split(";")) == 3


def test_the_documentation_lists_every_facility_as_the_layer_has_it(layer):
    facilities, _ = layer
    assert facilities_doc.DOC.read_text(encoding="utf-8") == facilities_doc.render()
    assert f"## The {len(facilities)} facilities" in facilities_doc.render()
