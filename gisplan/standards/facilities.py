"""Everyday facilities: the table from OpenStreetMap tags to facility categories.

One table serves every reader of OSM data (the embedded extract's compiler and the
OSM file import), so a facility gets the same category whichever way it arrives. The
categories follow the facilities GB 50180-2018 (城市居住区规划设计标准, appendix B)
lists for the 5-, 10- and 15-minute life circles; the tags are those of the
OpenStreetMap wiki (Map features).

Rules are tried in order and the first that matches gives the category, so a
``amenity=school`` tagged ``isced:level=1`` is a ``primary_school`` and one with no
level is ``school`` (level unknown). Where OSM gives no level, the Chinese name decides
(小学 primary; 中学, 初中, 高中 secondary), as Chinese school names always state it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class FacilityCategory:
    """A category of everyday facility.

    Attributes
    ----------
    category : str
        Identifier used in the ``category`` column of the ``facilities`` layer.
    label_zh, label_en : str
        Chinese and English names (the Chinese one as GB 50180-2018 names it).
    """

    category: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class TagRule:
    """One OSM tag rule: ``key`` takes one of ``values`` (all values when empty).

    Attributes
    ----------
    category : str
        Category given to a feature the rule matches.
    key : str
        OSM key tested.
    values : tuple of str
        Accepted values of ``key``; empty accepts any value.
    also : tuple of (str, tuple of str)
        Further tags that must all hold, as (key, accepted values).
    name_contains : tuple of str
        When not empty, the ``name`` tag must contain one of these strings.
    """

    category: str
    key: str
    values: tuple[str, ...] = ()
    also: tuple[tuple[str, tuple[str, ...]], ...] = ()
    name_contains: tuple[str, ...] = ()

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Whether a feature with these tags matches the rule."""
        if not _has(tags, self.key, self.values):
            return False
        if not all(_has(tags, key, values) for key, values in self.also):
            return False
        if self.name_contains:
            name = tags.get("name", "")
            return any(part in name for part in self.name_contains)
        return True


def _has(tags: Mapping[str, str], key: str, values: tuple[str, ...]) -> bool:
    value = tags.get(key)
    if value is None:
        return False
    if not values:
        return True
    return any(part.strip() in values for part in value.split(";"))


FACILITY_CATEGORIES: tuple[FacilityCategory, ...] = (
    FacilityCategory("kindergarten", "幼儿园", "Kindergarten"),
    FacilityCategory("primary_school", "小学", "Primary school"),
    FacilityCategory("secondary_school", "中学", "Secondary school"),
    FacilityCategory("school", "学校（学段不详）", "School (level unknown)"),
    FacilityCategory("hospital", "医院", "Hospital"),
    FacilityCategory("clinic", "社区卫生服务站/诊所", "Clinic or community health station"),
    FacilityCategory("pharmacy", "药店", "Pharmacy"),
    FacilityCategory("market", "菜市场", "Fresh-food market"),
    FacilityCategory("supermarket", "超市", "Supermarket"),
    FacilityCategory("convenience", "便利店", "Convenience store"),
    FacilityCategory("elderly_care", "养老服务设施", "Elderly care"),
    FacilityCategory("culture", "文化活动设施", "Cultural facility"),
    FacilityCategory("sports", "体育设施", "Sports facility"),
    FacilityCategory("playground", "儿童游戏场地", "Children's playground"),
    FacilityCategory("bus_stop", "公交站", "Bus stop"),
    FacilityCategory("toilets", "公共厕所", "Public toilets"),
    FacilityCategory("fire_station", "消防站", "Fire station"),
)
"""Every facility category, in the order of :data:`FACILITY_TAG_RULES`."""

_SCHOOL = ("amenity", ("school",))

FACILITY_TAG_RULES: tuple[TagRule, ...] = (
    TagRule("kindergarten", "amenity", ("kindergarten", "childcare")),
    TagRule("primary_school", "isced:level", ("1",), also=(_SCHOOL,)),
    TagRule("primary_school", "school", ("primary",), also=(_SCHOOL,)),
    TagRule("secondary_school", "isced:level", ("2", "3"), also=(_SCHOOL,)),
    TagRule("secondary_school", "school", ("secondary", "middle", "high"), also=(_SCHOOL,)),
    TagRule("primary_school", "amenity", ("school",), name_contains=("小学",)),
    TagRule("secondary_school", "amenity", ("school",), name_contains=("中学", "初中", "高中")),
    TagRule("school", "amenity", ("school",)),
    TagRule("hospital", "amenity", ("hospital",)),
    TagRule("hospital", "healthcare", ("hospital",)),
    TagRule("clinic", "amenity", ("clinic", "doctors")),
    TagRule("clinic", "healthcare", ("clinic", "doctor", "centre")),
    TagRule("pharmacy", "amenity", ("pharmacy",)),
    TagRule("pharmacy", "healthcare", ("pharmacy",)),
    TagRule("market", "amenity", ("marketplace",)),
    TagRule("market", "shop", ("greengrocer",)),
    TagRule("supermarket", "shop", ("supermarket",)),
    TagRule("convenience", "shop", ("convenience",)),
    TagRule("elderly_care", "amenity", ("nursing_home",)),
    TagRule("elderly_care", "social_facility", ("nursing_home", "assisted_living")),
    TagRule("elderly_care", "social_facility:for", ("senior",)),
    TagRule("culture", "amenity", ("library", "community_centre", "arts_centre", "theatre")),
    TagRule("culture", "tourism", ("museum",)),
    TagRule("sports", "leisure", ("sports_centre", "fitness_centre", "stadium", "pitch",
                                  "fitness_station", "swimming_pool", "track")),
    TagRule("playground", "leisure", ("playground",)),
    TagRule("bus_stop", "highway", ("bus_stop",)),
    TagRule("bus_stop", "public_transport", ("platform", "stop_position"),
            also=(("bus", ("yes",)),)),
    TagRule("toilets", "amenity", ("toilets",)),
    TagRule("fire_station", "amenity", ("fire_station",)),
)
"""OSM tag rules, tried in order; the first match gives a feature's category."""

FACILITY_TAG_KEYS: frozenset[str] = frozenset(rule.key for rule in FACILITY_TAG_RULES)
"""Keys of which at least one must be present for a feature to be a facility."""

_RULES_BY_KEY: dict[str, tuple[int, ...]] = {
    key: tuple(i for i, rule in enumerate(FACILITY_TAG_RULES) if rule.key == key)
    for key in FACILITY_TAG_KEYS}
"""Positions in :data:`FACILITY_TAG_RULES` of the rules testing each key."""


def facility_category(tags: Mapping[str, str]) -> str | None:
    """Category of a feature from its OSM tags.

    Parameters
    ----------
    tags : mapping of str to str
        The feature's OSM tags.

    Returns
    -------
    str or None
        The category of the first matching rule of :data:`FACILITY_TAG_RULES`, or
        None for a feature that is no everyday facility.

    Examples
    --------
    >>> facility_category({"amenity": "school", "name": "成都市泡桐树小学"})
    'primary_school'
    >>> facility_category({"shop": "supermarket"})
    'supermarket'
    >>> facility_category({"highway": "residential"}) is None
    True
    """
    keys = FACILITY_TAG_KEYS.intersection(tags)
    if not keys:
        return None
    # only the rules of the keys present can match; tried in their order in the table
    tried = (_RULES_BY_KEY[next(iter(keys))] if len(keys) == 1
             else sorted(i for key in keys for i in _RULES_BY_KEY[key]))
    for i in tried:
        rule = FACILITY_TAG_RULES[i]
        if rule.matches(tags):
            return rule.category
    return None


def facility_tag_table() -> pd.DataFrame:
    """Return the tag rules as a table, one row per rule, for documentation and review.

    Returns
    -------
    pandas.DataFrame
        Columns ``category``, ``label_zh``, ``label_en``, ``osm_tag`` (for example
        ``amenity=school + isced:level=1``) and ``name_contains``.
    """
    labels = {c.category: c for c in FACILITY_CATEGORIES}
    rows = []
    for rule in FACILITY_TAG_RULES:
        parts = [f"{rule.key}={'|'.join(rule.values) or '*'}"]
        parts += [f"{key}={'|'.join(values)}" for key, values in rule.also]
        rows.append({
            "category": rule.category,
            "label_zh": labels[rule.category].label_zh,
            "label_en": labels[rule.category].label_en,
            "osm_tag": " + ".join(parts),
            "name_contains": "|".join(rule.name_contains),
        })
    return pd.DataFrame(rows)
