"""Life circles of GB 50180-2018: walking distances and the facilities each circle needs.

GB 50180-2018 (城市居住区规划设计标准, 2018) divides residential areas into 15-, 10- and
5-minute walking life circles (生活圈居住区) and the neighbourhood block (居住街坊), and
lists the facilities each level must provide (appendix B). The walking distances it
states are 800-1,000 m for 15 minutes, 500 m for 10 minutes and 300 m for 5 minutes
(section 4.0.1; cross-checked in 中国大百科全书 "十分钟生活圈居住区": 约500米, and the
standard's own commentary on 5.0.1). Implied walking speeds are 53-67 m per minute;
:func:`minutes_to_metres` converts minutes for users who prefer them: a circle's own
distance for its minutes, :data:`WALK_SPEED_M_PER_MIN` (60) otherwise.

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
        Identifier: ``"block"`` (居住街坊), ``"5min"``, ``"10min"`` or ``"15min"``.
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
    data_needed : str
        The data that would measure it where OpenStreetMap maps it rarely or never.
    """

    circle: str
    requirement: str
    label_zh: str
    categories: tuple[str, ...]
    data_needed: str = ""


LIFE_CIRCLES: tuple[LifeCircle, ...] = (
    LifeCircle("block", 0.0, 150.0, 150.0, "居住街坊"),
    LifeCircle("5min", 5.0, 300.0, 300.0, "五分钟生活圈居住区"),
    LifeCircle("10min", 10.0, 500.0, 500.0, "十分钟生活圈居住区"),
    LifeCircle("15min", 15.0, 1000.0, 800.0, "十五分钟生活圈居住区"),
)
"""The circles with their walking distances (GB 50180-2018, 4.0.1). The standard gives the
居住街坊 (a block of 2 to 4 hm2, about 150 to 200 m across) no distance: 150 m is gisplan's
reading, the walk across such a block."""

CIRCLE_REQUIREMENTS: tuple[CircleRequirement, ...] = (
    # 15 minutes (appendix B, table B.0.1): the required (▲) items people walk to
    CircleRequirement("15min", "secondary_school", "初中", ("secondary_school",),
                      "the education bureau's list of 初中 with addresses"),
    CircleRequirement("15min", "health_centre", "社区卫生服务中心（社区医院）", ("health_centre",),
                      "the health commission's list of 社区卫生服务中心 (OSM names few)"),
    CircleRequirement("15min", "outpatient", "门诊部", ("hospital", "clinic", "health_centre"),
                      "a register of clinics and hospitals"),
    CircleRequirement("15min", "elderly_care", "养老院", ("elderly_care",),
                      "the civil-affairs register of 养老机构 (OSM maps few)"),
    CircleRequirement("15min", "culture", "文化活动中心", ("culture_centre",),
                      "the culture bureau's list of 文化活动中心 and 综合文化站"),
    CircleRequirement("15min", "sports", "大型多功能运动场地", ("sports",),
                      "sports grounds with their size and public access"),
    # 10 minutes (table B.0.1)
    CircleRequirement("10min", "primary_school", "小学", ("primary_school",),
                      "the education bureau's list of 小学 with addresses"),
    CircleRequirement("10min", "market", "菜市场或生鲜超市", ("market", "supermarket"),
                      "a register of 菜市场 and fresh-food supermarkets"),
    CircleRequirement("10min", "sports", "中型多功能运动场地", ("sports",),
                      "sports grounds with their size and public access"),
    CircleRequirement("10min", "bus_stop", "公交车站", ("bus_stop",),
                      "the bus operator's stops (GTFS)"),
    # 5 minutes (table B.0.2, 社区服务设施)
    CircleRequirement("5min", "kindergarten", "幼儿园", ("kindergarten",),
                      "the education bureau's list of 幼儿园"),
    CircleRequirement("5min", "community_service", "社区服务站", ("community_service",),
                      "the civil-affairs list of 社区居委会 and their service stations (not in "
                      "OpenStreetMap's categories)"),
    CircleRequirement("5min", "elderly_day_care", "老年人日间照料中心", ("elderly_care",),
                      "the civil-affairs list of 日间照料中心"),
    CircleRequirement("5min", "culture", "文化活动站", ("culture_centre",),
                      "the culture bureau's list of 社区综合文化服务中心"),
    CircleRequirement("5min", "sports", "小型多功能运动场地、室外综合健身场地",
                      ("sports", "playground"), "the sports bureau's 全民健身路径 points"),
    CircleRequirement("5min", "shop", "社区商业网点（超市、药店）",
                      ("supermarket", "convenience", "pharmacy"), "shop POIs"),
    CircleRequirement("5min", "toilets", "公共厕所", ("toilets",),
                      "the city-management list of public toilets"),
    # 居住街坊 (table B.0.3, 便民服务设施)
    CircleRequirement("block", "play", "儿童、老年人活动场地", ("playground", "sports"),
                      "compound plans (play spaces inside compounds are rarely mapped)"),
    CircleRequirement("block", "convenience", "便利店（菜店、日杂等）",
                      ("convenience", "supermarket", "market"), "shop POIs"),
)
"""Facilities of each circle (GB 50180-2018 appendix B), in facility categories, with the
data that would measure each. Items no resident walks to (utilities, parking) are left
out."""


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


def minutes_to_metres(minutes: float, speed_m_per_min: float | None = None,
                      circles: Sequence[LifeCircle] = LIFE_CIRCLES) -> float:
    """Return the walking distance of ``minutes``.

    With a speed, ``minutes * speed_m_per_min``. Without one, the distance the standard
    gives for a circle of that many minutes (5: 300 m, 10: 500 m, 15: 1,000 m), so that
    ``minutes=10`` and the ``10min`` circle agree, and :data:`WALK_SPEED_M_PER_MIN` for
    other times.

    Parameters
    ----------
    minutes : float
        Walking time.
    speed_m_per_min : float, optional
        Walking speed in metres per minute.
    circles : sequence of LifeCircle, optional
        The circles whose distances stand for their minutes.

    Raises
    ------
    CoverageInputError
        If either value is not positive.
    """
    speed = WALK_SPEED_M_PER_MIN if speed_m_per_min is None else speed_m_per_min
    if not (minutes > 0 and speed > 0):
        raise CoverageInputError(
            f"minutes and walking speed must be positive, got {minutes!r} min at "
            f"{speed!r} m/min"
        )
    if speed_m_per_min is None:
        for circle in circles:
            if circle.minutes == minutes:
                return float(circle.radius_m)
    return float(minutes * speed)


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
