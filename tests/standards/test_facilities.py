"""The OSM tag table of everyday facilities."""

import doctest

import pytest

from gisplan.standards import facilities as facility_tags
from gisplan.standards.facilities import FACILITY_CATEGORIES, facility_category, facility_tag_table


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"amenity": "kindergarten", "name": "金苹果幼儿园"}, "kindergarten"),
        ({"amenity": "school", "isced:level": "1"}, "primary_school"),
        ({"amenity": "school", "isced:level": "2;3"}, "secondary_school"),
        ({"amenity": "school", "name": "成都七中"}, "school"),
        ({"amenity": "school", "name": "成都市第七中学"}, "secondary_school"),
        ({"amenity": "school", "name": "泡桐树小学", "isced:level": "2"}, "secondary_school"),
        ({"amenity": "hospital"}, "hospital"),
        ({"healthcare": "centre"}, "clinic"),
        ({"amenity": "marketplace"}, "market"),
        ({"amenity": "social_facility", "social_facility:for": "senior"}, "elderly_care"),
        ({"tourism": "museum"}, "culture"),
        ({"leisure": "park"}, None),
        ({"leisure": "playground"}, "playground"),
        ({"public_transport": "platform", "bus": "yes"}, "bus_stop"),
        ({"public_transport": "platform", "subway": "yes"}, None),
        ({"amenity": "toilets"}, "toilets"),
        ({"amenity": "bench"}, None),
        ({}, None),
    ],
)
def test_categories_of_tags(tags: dict[str, str], expected: str | None) -> None:
    assert facility_category(tags) == expected


def test_every_rule_names_a_known_category() -> None:
    table = facility_tag_table()
    known = {c.category for c in FACILITY_CATEGORIES}
    assert set(table["category"]) == known
    assert table["label_zh"].str.len().gt(0).all()


def test_docstring_examples() -> None:
    failures, attempted = doctest.testmod(facility_tags)
    assert attempted >= 3
    assert failures == 0


def test_the_first_matching_rule_wins_whatever_keys_a_feature_has():
    from itertools import combinations

    from gisplan.standards.facilities import FACILITY_TAG_RULES

    def first_match(tags):
        return next((r.category for r in FACILITY_TAG_RULES if r.matches(tags)), None)

    pairs = {(r.key, v) for r in FACILITY_TAG_RULES for v in (r.values or ("yes",))}
    pairs |= {(k, v) for r in FACILITY_TAG_RULES for k, vs in r.also for v in vs}
    names = ({}, {"name": "第一小学"}, {"name": "第七中学"})
    checked = 0
    for a, b in combinations(sorted(pairs), 2):
        for name in names:
            tags = {a[0]: a[1], b[0]: b[1], **name}
            assert facility_category(tags) == first_match(tags), tags
            checked += 1
    assert checked > 1000
