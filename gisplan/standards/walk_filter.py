"""Which OpenStreetMap ways are walkable: one documented rule for every reader.

Every path from OpenStreetMap data to a walking network applies this rule: the PBF/XML
reader (:func:`gisplan.sources.read_osm`), an online osmnx query
(:func:`gisplan.sources.network_from_place`) and the compiler of the embedded extract
(``compile_layers/osm_central.py``). It is osmnx's ``network_type="walk"`` filter
(osmnx 2.x), written as data so that it can be read, tested and applied to tags:

* the way has a ``highway`` tag, none of whose values contains one of
  :data:`EXCLUDED_HIGHWAY` (a substring match, as osmnx's regular expression: ``motor``
  excludes ``motorway`` and ``motorway_link``; ``cycleway`` excludes cycle tracks,
  which are mapped for bicycles);
* and none of :data:`BLOCKING_TAGS` holds (``area=yes`` squares drawn as polygons,
  ``foot=no``, ``service=private``, ``access=private``).

Sidewalks mapped on the street (``sidewalk=*``) need no rule: the street itself is
walkable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = ["BLOCKING_TAGS", "EXCLUDED_HIGHWAY", "is_walkable", "overpass_filter",
           "walk_filter_table", "walkable_highway"]

EXCLUDED_HIGHWAY = ("abandoned", "bus_guideway", "construction", "cycleway", "motor", "no",
                    "planned", "platform", "proposed", "raceway", "razed")
"""Substrings of ``highway`` values that make a way not walkable."""

BLOCKING_TAGS = (("area", "yes"), ("foot", "no"), ("service", "private"),
                 ("access", "private"))
"""``(key, value)`` pairs that make a way with a walkable ``highway`` not walkable."""


def walkable_highway(value: str) -> bool:
    """Whether one ``highway`` value is walkable (contains no :data:`EXCLUDED_HIGHWAY`)."""
    return not any(bad in value for bad in EXCLUDED_HIGHWAY)


def _values(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):  # osmnx merges the tags of simplified edges in lists
        return [str(v) for v in value]
    return [str(value)]


def is_walkable(tags: Mapping[str, object]) -> bool:
    """Whether a way with these tags belongs to the walking network.

    Parameters
    ----------
    tags : mapping
        The way's tags; a value may be a list (as on osmnx's simplified edges), in
        which case every value must pass.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_walkable({"highway": "residential"})
    True
    >>> is_walkable({"highway": "cycleway"}), is_walkable({"highway": "motorway_link"})
    (False, False)
    >>> is_walkable({"highway": "footway", "access": "private"})
    False
    """
    highways = _values(tags.get("highway"))
    if not highways or not all(walkable_highway(v) for v in highways):
        return False
    return not any(value in _values(tags.get(key)) for key, value in BLOCKING_TAGS)


def overpass_filter() -> str:
    """Return the rule as an Overpass filter, for ``osmnx.graph_from_*(custom_filter=...)``.

    Returns
    -------
    str
        ``["highway"]["highway"!~"abandoned|..."]["area"!~"yes"]...``: the same ways
        as :func:`is_walkable` keeps.
    """
    parts = ['["highway"]', f'["highway"!~"{"|".join(EXCLUDED_HIGHWAY)}"]']
    parts += [f'["{key}"!~"{value}"]' for key, value in BLOCKING_TAGS]
    return "".join(parts)


def walk_filter_table() -> pd.DataFrame:
    """Return the rule as a table, one row per condition, for documentation.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``condition`` and ``effect``.
    """
    rows = [{"key": "highway", "condition": "present", "effect": "required"}]
    rows += [{"key": "highway", "condition": f"value contains {bad!r}", "effect": "excluded"}
             for bad in EXCLUDED_HIGHWAY]
    rows += [{"key": key, "condition": f"= {value}", "effect": "excluded"}
             for key, value in BLOCKING_TAGS]
    return pd.DataFrame(rows)
