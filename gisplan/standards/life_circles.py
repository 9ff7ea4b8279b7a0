"""Life circles of GB 50180-2018: walking distances and the facilities each circle needs.

GB 50180-2018 (城市居住区规划设计标准, 2018) divides residential areas into 15-, 10- and
5-minute walking life circles (生活圈居住区) and the neighbourhood block (居住街坊), and
lists the facilities each level must provide (appendix B). The walking distances it
states are 800-1,000 m for 15 minutes, 500 m for 10 minutes and 300 m for 5 minutes
(section 4.0.1; cross-checked in 中国大百科全书 "十分钟生活圈居住区": 约500米, and the
standard's own commentary on 5.0.1). Implied walking speeds are 53-67 m per minute;
:data:`WALK_SPEED_M_PER_MIN` (60) converts minutes for users who prefer them.

:data:`LIFE_CIRCLES` holds the circles and :data:`CIRCLE_REQUIREMENTS` the facilities
of each, expressed in the categories of :mod:`gisplan.standards.facilities` (a requirement is
met by a facility of any of its categories, e.g. 菜市场或生鲜超市 by ``market`` or
``supermarket``). Both are plain tuples: pass your own to
:func:`circle_requirements` and :func:`gisplan.analysis.access.life_circle_coverage` to override
them. The 15-minute circle is measured at its upper distance (1,000 m) by default;
``radius_m=800`` gives the strict reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from gisplan._errors import CoverageInputError
from gisplan.standards.facilities import FACILITY_CATEGORIES

__all__ = [
    "CIRCLE_REQUIREMENTS",
    "LIFE_CIRCLES",
    "WALK_SPEED_M_PER_MIN",
    "CircleRequirement",
    "LifeCircle",
    "circle_requirements",
    "known_categories",
    "life_circle",
    "minutes_to_metres",
    "preset_table",
    "resolve_categories",
]

WALK_SPEED_M_PER_MIN = 60.0
"""Walking speed in metres per minute (3.6 km/h): the standard's 300 m in 5 minutes."""


@dataclass(frozen=True)
class LifeCircle:
    """A life circle of GB 50180-2018.

    Attributes
    ----------
    circle : str
        Identifier: ``"5min"``, ``"10min"`` or ``"15min"``.
    minutes : float
        Walking time named by the standard.
    radius_m : float
        Walking distance measured by default (the upper distance of the standard).
    radius_min_m : float
        Lower walking distance of the standard (equal to ``radius_m`` where it gives one).
    label_zh : str
        Name in the standard.
    """

    circle: str
    minutes: float
    radius_m: float
    radius_min_m: float
    label_zh: str


@dataclass(frozen=True)
class CircleRequirement:
    """One facility a life circle must hold.

    Attributes
    ----------
    circle : str
        The :class:`LifeCircle` it belongs to.
    requirement : str
        Identifier of the requirement.
    label_zh : str
        The facility as GB 50180-2018 appendix B names it.
    categories : tuple of str
        Facility categories (:data:`gisplan.standards.facilities.FACILITY_CATEGORIES`) that
        meet it; any one is enough.
    """

    circle: str
    requirement: str
    label_zh: str
    categories: tuple[str, ...]


LIFE_CIRCLES: tuple[LifeCircle, ...] = (
    LifeCircle("5min", 5.0, 300.0, 300.0, "五分钟生活圈居住区"),
    LifeCircle("10min", 10.0, 500.0, 500.0, "十分钟生活圈居住区"),
    LifeCircle("15min", 15.0, 1000.0, 800.0, "十五分钟生活圈居住区"),
)
"""The circles with their walking distances (GB 50180-2018, 4.0.1)."""

CIRCLE_REQUIREMENTS: tuple[CircleRequirement, ...] = (
    # 15 minutes (appendix B, table B.0.1, 十五分钟生活圈居住区)
    CircleRequirement("15min", "secondary_school", "初中", ("secondary_school",)),
    CircleRequirement("15min", "health_centre", "社区卫生服务中心/医院",
                      ("hospital", "clinic")),
    CircleRequirement("15min", "elderly_care", "养老院", ("elderly_care",)),
    CircleRequirement("15min", "culture", "文化活动中心", ("culture",)),
    CircleRequirement("15min", "sports", "大型多功能运动场地/体育馆", ("sports",)),
    CircleRequirement("15min", "market", "菜市场或生鲜超市/商场", ("market", "supermarket")),
    # 10 minutes (appendix B, table B.0.1, 十分钟生活圈居住区)
    CircleRequirement("10min", "primary_school", "小学", ("primary_school",)),
    CircleRequirement("10min", "market", "菜市场或生鲜超市", ("market", "supermarket")),
    CircleRequirement("10min", "sports", "中型多功能运动场地", ("sports",)),
    CircleRequirement("10min", "bus_stop", "公交车站", ("bus_stop",)),
    # 5 minutes (appendix B, table B.0.2, 社区服务设施)
    CircleRequirement("5min", "kindergarten", "幼儿园", ("kindergarten",)),
    CircleRequirement("5min", "clinic", "社区卫生服务站", ("clinic",)),
    CircleRequirement("5min", "elderly_care", "老年人日间照料中心", ("elderly_care",)),
    CircleRequirement("5min", "culture", "文化活动站", ("culture",)),
    CircleRequirement("5min", "sports", "室外综合健身场地", ("sports", "playground")),
    CircleRequirement("5min", "shop", "社区商业网点（超市、药店）",
                      ("supermarket", "convenience", "pharmacy")),
    CircleRequirement("5min", "toilets", "公共厕所", ("toilets",)),
)
"""Facilities of each circle (GB 50180-2018 appendix B), in facility categories."""


def known_categories(extra: Sequence[str] = ()) -> list[str]:
    """Return the facility categories of the tag table, then any ``extra`` ones, each once."""
    names = [c.category for c in FACILITY_CATEGORIES]
    return names + sorted(set(extra) - set(names))


def resolve_categories(category: str | Sequence[str],
                       extra: Sequence[str] = ()) -> tuple[str, ...]:
    """Return the categories named by ``category`` (one name, ``"a|b"``, or a sequence).

    Raises
    ------
    CoverageInputError
        If a name is not a known category; the message lists the known ones.
    """
    names = category.split("|") if isinstance(category, str) else list(category)
    known = known_categories(extra)
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise CoverageInputError(
            f"unknown facility category {unknown or names!r}; known categories: "
            f"{', '.join(known)} (or a life circle: "
            f"{', '.join(c.circle for c in LIFE_CIRCLES)})"
        )
    return tuple(names)


def life_circle(circle: str, circles: Sequence[LifeCircle] = LIFE_CIRCLES) -> LifeCircle:
    """Return the circle named ``circle`` (``"5min"``, ``"10min"``, ``"15min"``).

    Raises
    ------
    CoverageInputError
        If there is no such circle; the message lists them.
    """
    for item in circles:
        if item.circle == circle:
            return item
    raise CoverageInputError(
        f"unknown life circle {circle!r}; known circles: "
        f"{', '.join(c.circle for c in circles)}"
    )


def circle_requirements(
    circle: str, requirements: Sequence[CircleRequirement] = CIRCLE_REQUIREMENTS
) -> list[CircleRequirement]:
    """Return the requirements of one circle, in table order."""
    found = [r for r in requirements if r.circle == circle]
    if not found:
        life_circle(circle)  # an unknown circle raises with the list of circles
    return found


def minutes_to_metres(minutes: float, speed_m_per_min: float = WALK_SPEED_M_PER_MIN) -> float:
    """Return the walking distance covered in ``minutes`` at ``speed_m_per_min``.

    Raises
    ------
    CoverageInputError
        If either value is not positive.
    """
    if not (minutes > 0 and speed_m_per_min > 0):
        raise CoverageInputError(
            f"minutes and walking speed must be positive, got {minutes!r} min at "
            f"{speed_m_per_min!r} m/min"
        )
    return float(minutes * speed_m_per_min)


def preset_table(circles: Sequence[LifeCircle] = LIFE_CIRCLES,
                 requirements: Sequence[CircleRequirement] = CIRCLE_REQUIREMENTS
                 ) -> pd.DataFrame:
    """Return the presets as one table: a row per circle and requirement.

    Returns
    -------
    pandas.DataFrame
        Columns ``circle``, ``minutes``, ``radius_m``, ``radius_min_m``,
        ``requirement``, ``label_zh`` and ``categories`` (``|``-joined).
    """
    rows = []
    for req in requirements:
        c = life_circle(req.circle, circles)
        rows.append({"circle": c.circle, "minutes": c.minutes, "radius_m": c.radius_m,
                     "radius_min_m": c.radius_min_m, "requirement": req.requirement,
                     "label_zh": req.label_zh, "categories": "|".join(req.categories)})
    return pd.DataFrame(rows)
