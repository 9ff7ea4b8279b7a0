"""The walking rule: hand-worked tags, and its Overpass filter read back as Overpass reads it."""

import itertools
import re

import pytest

from gisplan.standards.walk_filter import (
    BLOCKING_TAGS,
    EXCLUDED_HIGHWAY,
    is_walkable,
    overpass_filter,
    walk_filter_table,
    walkable_highway,
)

# osmnx 2.x, network_type="walk": the highway values its regular expression excludes
# (abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|raceway|razed)
HAND_EXCLUDED = ["abandoned", "bus_guideway", "construction", "cycleway", "motorway",
                 "motorway_link", "no", "planned", "platform", "proposed", "raceway", "razed",
                 "disused_construction", "noexit"]
HAND_WALKABLE = ["residential", "footway", "pedestrian", "steps", "path", "service", "track",
                 "primary", "trunk", "living_street", "unclassified", "tertiary", "corridor"]


def overpass_keeps(query: str, tags: dict[str, str]) -> bool:
    """Read an Overpass tag filter as Overpass does: ``["k"]`` the key is present,
    ``["k"!~"re"]`` the key is absent or its value does not contain a match of ``re``."""
    terms = re.findall(r'\["([^"]+)"(?:!~"([^"]*)")?\]', query)
    assert "".join(f'["{k}"]' if not r else f'["{k}"!~"{r}"]' for k, r in terms) == query
    for key, regex in terms:
        if not regex and key not in tags:
            return False
        if regex and key in tags and re.search(regex, tags[key]):
            return False
    return True


@pytest.mark.parametrize("value", HAND_EXCLUDED)
def test_excluded_highways_by_hand(value):
    assert not walkable_highway(value)
    assert not is_walkable({"highway": value})


@pytest.mark.parametrize("value", HAND_WALKABLE)
def test_walkable_highways_by_hand(value):
    assert walkable_highway(value)
    assert is_walkable({"highway": value})


@pytest.mark.parametrize(("key", "value", "walkable"), [
    ("area", "yes", False), ("area", "no", True),
    ("foot", "no", False), ("foot", "yes", True), ("foot", "designated", True),
    ("service", "private", False), ("service", "driveway", True),
    ("access", "private", False), ("access", "permissive", True), ("access", "no", True),
    ("sidewalk", "separate", True), ("name", "private", True),
])
def test_blocking_tags_by_hand(key, value, walkable):
    assert is_walkable({"highway": "residential", key: value}) is walkable


def test_a_way_without_highway_is_not_walkable():
    assert not is_walkable({})
    assert not is_walkable({"foot": "yes"})
    assert not is_walkable({"highway": None})
    assert not is_walkable({"highway": []})


def test_merged_edges_need_every_highway_value_to_pass():
    # osmnx's simplified edges carry the tags of their ways as lists
    assert is_walkable({"highway": ["residential", "footway"]})
    assert not is_walkable({"highway": ["residential", "cycleway"]})
    assert not is_walkable({"highway": ("motorway_link", "residential")})
    assert not is_walkable({"highway": "footway", "access": ["yes", "private"]})
    assert is_walkable({"highway": "footway", "access": ["yes", "permissive"]})


class Text:
    """A tag value that is not a str but reads as one (as some readers give them)."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def test_values_that_are_not_text_are_read_as_text():
    assert is_walkable({"highway": "residential", "area": 1})
    assert not is_walkable({"highway": "residential", "foot": Text("no")})
    assert not is_walkable({"highway": Text("motorway")})
    assert is_walkable({"highway": Text("footway"), "foot": Text("yes")})
    assert is_walkable({"highway": "residential", "foot": None})


def test_the_overpass_filter_is_the_documented_one():
    assert overpass_filter() == (
        '["highway"]["highway"!~"abandoned|bus_guideway|construction|cycleway|motor|no|'
        'planned|platform|proposed|raceway|razed"]["area"!~"yes"]["foot"!~"no"]'
        '["service"!~"private"]["access"!~"private"]')


def test_the_overpass_filter_keeps_the_ways_is_walkable_keeps():
    highways = [None, *HAND_EXCLUDED, *HAND_WALKABLE]
    extra = [{}] + [{k: v} for k, v in BLOCKING_TAGS] + [
        {"area": "no"}, {"foot": "yes"}, {"access": "permissive"}, {"service": "alley"}]
    query = overpass_filter()
    checked = 0
    for highway, more in itertools.product(highways, extra):
        tags = dict(more) if highway is None else {"highway": highway, **more}
        assert overpass_keeps(query, tags) is is_walkable(tags), tags
        checked += 1
    assert checked == len(highways) * len(extra)


def test_the_table_lists_every_condition():
    table = walk_filter_table()
    assert list(table.columns) == ["key", "condition", "effect"]
    assert len(table) == 1 + len(EXCLUDED_HIGHWAY) + len(BLOCKING_TAGS) == 16
    assert table.iloc[0].to_dict() == {"key": "highway", "condition": "present",
                                       "effect": "required"}
    assert table.iloc[5].to_dict() == {"key": "highway", "condition": "value contains 'motor'",
                                       "effect": "excluded"}
    assert table.iloc[-1].to_dict() == {"key": "access", "condition": "= private",
                                        "effect": "excluded"}
    assert (table["effect"] == "excluded").sum() == 15
    assert set(table.loc[table["key"] != "highway", "key"]) == {"area", "foot", "service",
                                                                "access"}
