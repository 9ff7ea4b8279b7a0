"""Which OSM objects make which layer: the tag rules of the reader, as data and predicates.

Ways: walking (:mod:`gisplan.standards.walk_filter`), cycling, waterway centrelines, and
closed ways with a polygon key; nodes and areas: rail stations, facilities
(:mod:`gisplan.standards.facilities`), parks and other green, residential land, water.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from gisplan.standards.facilities import FACILITY_TAG_KEYS, facility_rule
from gisplan.standards.walk_filter import BLOCKING_TAGS, walkable_highway

__all__ = ["FACILITY_KEY", "FACILITY_RULE_KEY", "GREEN_LANDUSE", "GREEN_NATURAL", "KINDS",
           "NODE_KEYS", "POLYGON_KEYS", "POLYGON_KEY_SET", "RESIDENTIAL_LANDUSE",
           "STATION_MODES", "WATERWAY_LINES",
           "WAY_TAGS", "WAY_TAG_SET", "any_tag", "is_station", "polygon_wanted", "way_kinds",
           "with_category"]


WATERWAY_LINES = frozenset({"river", "canal", "stream", "drain"})
"""``waterway`` values kept as centrelines."""

POLYGON_KEYS = ("leisure", "landuse", "natural", "waterway", "water", "amenity", "shop",
                "healthcare", "tourism", "social_facility", "railway", "public_transport")
"""Keys that make a closed way or multipolygon relation interesting."""

POLYGON_KEY_SET = frozenset(POLYGON_KEYS)

STATION_MODES = {"subway": "metro", "light_rail": "suburban", "monorail": "metro",
                 "tram": "tram", "train": "rail"}
"""``station=`` / public_transport mode tag -> station mode."""

WAY_TAGS = ("highway", "name", "foot", "access", "service", "area", "bicycle", "cycleway",
            "waterway", "name:en", "route")
"""Way tags kept for the layers."""

WAY_TAG_SET = frozenset(WAY_TAGS)

NODE_KEYS = frozenset({"railway", "public_transport", *FACILITY_TAG_KEYS})
"""A node is looked at only if it has one of these keys."""

def any_tag(mask: npt.NDArray[np.bool_], tag_way: npt.NDArray[np.int64], n: int
             ) -> npt.NDArray[np.bool_]:
    """Whether each of ``n`` ways has a tag for which ``mask`` holds."""
    return np.bincount(tag_way[mask], minlength=n) > 0

def way_kinds(texts: list[str], keys: npt.NDArray[np.int64], vals: npt.NDArray[np.int64],
              tag_way: npt.NDArray[np.int64], n: int) -> dict[str, npt.NDArray[np.bool_]]:
    """Return which of ``n`` ways are ``walk``, ``cycle``, ``waterway`` and ``polygon_key``.

    Parameters
    ----------
    texts : list of str
        String table; ``keys``, ``vals`` index it.
    keys, vals : numpy.ndarray of int
        Key and value of every tag, ways one after another.
    tag_way : numpy.ndarray of int
        The way of every tag.
    n : int
        Number of ways.

    Notes
    -----
    ``walk``: the rule of :mod:`gisplan.standards.walk_filter` (a ``highway`` value
    without an excluded substring, and none of its blocking tags). ``cycle``:
    ``highway=cycleway``, a path, footway or track with ``bicycle=designated``, or a
    name containing 绿道. ``waterway``: a :data:`WATERWAY_LINES` value. ``polygon_key``:
    a key of :data:`POLYGON_KEYS`.
    """
    index = {t: i for i, t in enumerate(texts)}

    def sid(text: str) -> int:
        return index.get(text, -1)

    def among(values: Iterable[str]) -> npt.NDArray[np.bool_]:
        return np.isin(vals, [index[v] for v in values if v in index])

    highway = keys == sid("highway")
    walkable = np.fromiter((walkable_highway(t) for t in texts), bool, len(texts))
    blocked = np.zeros(len(keys), dtype=bool)
    for key, value in BLOCKING_TAGS:
        blocked |= (keys == sid(key)) & (vals == sid(value))
    greenway = np.fromiter(("绿道" in t for t in texts), bool, len(texts))
    path_like = any_tag(highway & among(("path", "footway", "track")), tag_way, n)
    designated = any_tag((keys == sid("bicycle")) & (vals == sid("designated")), tag_way, n)
    return {
        "walk": any_tag(highway & walkable[vals], tag_way, n) & ~any_tag(blocked, tag_way, n),
        "cycle": (any_tag(highway & (vals == sid("cycleway")), tag_way, n)
                  | (path_like & designated)
                  | any_tag((keys == sid("name")) & greenway[vals], tag_way, n)),
        "waterway": any_tag((keys == sid("waterway")) & among(WATERWAY_LINES), tag_way, n),
        "polygon_key": any_tag(np.isin(keys, [index[k] for k in POLYGON_KEYS if k in index]),
                                tag_way, n),
    }

KINDS = ("walk", "cycle", "waterway")
"""Kinds of line ways, in the order :class:`RawOsm` lists a way's entries."""

def is_station(tags: Mapping[str, str]) -> bool:
    """Whether a node's tags make it a rail station or stop (metro, suburban, tram, rail)."""
    railway = tags.get("railway")
    if railway in ("station", "halt", "tram_stop"):
        return tags.get("station") != "miniature"
    return tags.get("public_transport") == "station" and any(
        tags.get(mode) == "yes" for mode in STATION_MODES)

FACILITY_KEY = "gisplan:facility"
"""Key under which the reader stores a feature's facility category in its tags dict
(computed once, with :func:`gisplan.standards.facilities.facility_category`)."""

FACILITY_RULE_KEY = "gisplan:facility_rule"
"""Key under which the reader stores the id of the rule that gave the category."""


def with_category(tags: dict[str, str]) -> dict[str, str]:
    rule = facility_rule(tags)
    if rule is not None and rule.category is not None:
        tags[FACILITY_KEY] = rule.category
        tags[FACILITY_RULE_KEY] = rule.rule_id
    return tags

def polygon_wanted(tags: Mapping[str, str]) -> bool:
    leisure, landuse, natural = tags.get("leisure"), tags.get("landuse"), tags.get("natural")
    return (leisure in ("park", "garden") or landuse in GREEN_LANDUSE or natural in GREEN_NATURAL
            or landuse in RESIDENTIAL_LANDUSE or natural == "water"
            or tags.get("waterway") == "riverbank" or landuse in ("reservoir", "basin")
            or FACILITY_KEY in tags or is_station(tags))

GREEN_LANDUSE = frozenset({"grass", "meadow", "village_green", "forest"})
"""``landuse`` values of other green space (not 公园绿地)."""

GREEN_NATURAL = frozenset({"wood", "scrub"})
"""``natural`` values of other green space."""

RESIDENTIAL_LANDUSE = frozenset({"residential"})
"""``landuse`` values of residential land (居住用地)."""
