"""Everyday facilities: one table of rules from OpenStreetMap tags and names to categories.

One table serves every reader of OSM data (the embedded extract's compiler and the OSM
file import), so a facility gets the same category whichever way it arrives. The
categories follow the facility lists of GB 50180-2018 (城市居住区规划设计标准, appendix B:
the 15-, 10- and 5-minute circles and the 居住街坊); the tags are those of the
OpenStreetMap wiki.

Each rule (:data:`FACILITY_RULES`) names the tags of which one must hold, further tags that
must all hold, a pattern the Chinese name must match, and a pattern it must not match;
the first rule that matches gives the category, and a rule without a category excludes
the feature (a training school is no 小学, an electronics market no 菜市场). Chinese
names decide where OSM tags say too little: 幼儿园 tagged ``amenity=school`` is a
kindergarten, 成都七中 a secondary school, a clinic named 牙科 a dentist.
:func:`facility_rule_table` prints the table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from gisplan.crs import metric_crs_for

__all__ = ["DUPLICATE_DISTANCE_M", "FACILITY_CATEGORIES", "FACILITY_RULES", "FACILITY_TAG_KEYS",
           "FacilityCategory", "FacilityRule", "duplicate_groups", "facility_category",
           "facility_rule", "facility_rule_table", "merge_duplicates"]


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


FACILITY_CATEGORIES: tuple[FacilityCategory, ...] = (
    FacilityCategory("kindergarten", "幼儿园", "Kindergarten"),
    FacilityCategory("childcare", "托儿所", "Childcare (under 3)"),
    FacilityCategory("primary_school", "小学", "Primary school"),
    FacilityCategory("secondary_school", "中学", "Secondary school"),
    FacilityCategory("school", "学校（学段不详）", "School (level unknown)"),
    FacilityCategory("health_centre", "社区卫生服务中心", "Community health-service centre"),
    FacilityCategory("health_station", "社区卫生服务站", "Community health station"),
    FacilityCategory("hospital", "医院", "Hospital"),
    FacilityCategory("clinic", "门诊部/诊所", "Clinic"),
    FacilityCategory("dentist", "牙科诊所", "Dentist"),
    FacilityCategory("pharmacy", "药店", "Pharmacy"),
    FacilityCategory("market", "菜市场", "Fresh-food market"),
    FacilityCategory("supermarket", "超市", "Supermarket"),
    FacilityCategory("convenience", "便利店", "Convenience store"),
    FacilityCategory("elderly_care", "养老服务设施", "Elderly care"),
    FacilityCategory("community_service", "社区服务站", "Community service station"),
    FacilityCategory("culture_centre", "文化活动中心/站", "Community cultural centre"),
    FacilityCategory("public_culture", "图书馆/博物馆/剧院", "Library, museum or theatre"),
    FacilityCategory("sports", "体育设施", "Sports facility"),
    FacilityCategory("playground", "儿童游戏场地", "Children's playground"),
    FacilityCategory("bus_stop", "公交站", "Bus stop"),
    FacilityCategory("toilets", "公共厕所", "Public toilets"),
    FacilityCategory("fire_station", "消防站", "Fire station"),
)
"""Every facility category, in the order of the ``facilities`` layer."""

Tags = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class FacilityRule:
    """One rule: tags, name patterns and exclusions -> a category (or none).

    Attributes
    ----------
    rule_id : str
        Identifier (``E1``, ``H3`` ...), cited by tests and the documentation.
    category : str or None
        Category given to a feature the rule matches; None excludes it.
    any_of : tuple of (key, values)
        One of these must hold (``values`` empty: any value).
    all_of : tuple of (key, values)
        These must all hold too.
    name : str
        A regular expression the ``name`` must match ("" for none).
    not_name : str
        A regular expression the ``name`` must not match ("" for none).
    why : str
        Why the rule exists, for the documentation.
    """

    rule_id: str
    category: str | None
    any_of: Tags
    all_of: Tags = ()
    name: str = ""
    not_name: str = ""
    why: str = ""

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Whether a feature with these tags matches the rule."""
        if not any(_has(tags, key, values) for key, values in self.any_of):
            return False
        if not all(_has(tags, key, values) for key, values in self.all_of):
            return False
        name = tags.get("name", "")
        if self.name and not re.search(self.name, name):
            return False
        return not (self.not_name and re.search(self.not_name, name))


def _has(tags: Mapping[str, str], key: str, values: tuple[str, ...]) -> bool:
    value = tags.get(key)
    if value is None:
        return False
    return not values or any(part.strip() in values for part in value.split(";"))


# name patterns (Chinese names state what a place is)
KINDERGARTEN = r"幼儿园|幼稚园"
CHILDCARE = r"托儿所|托育|早教|育婴"
NOT_SCHOOLING = (r"进修|培训|驾校|职业|职校|职高|技校|技工|中专|党校|电大|老年大学|干部学校"
                 r"|研究生")
PRIMARY = r"小学|附小|实小"
SECONDARY = (r"中学|初中|高中|(?:\d+|[〇零一二三四五六七八九十]+)中(?![心医路街队药])"
             r"|[铁附]中(?:$|[（(])")
DENTAL = r"牙科|口腔|齿科|牙医|牙病|[Dd]ental"
HEALTH_CENTRE = r"社区卫生服务中心|社区卫生中心|社区医院|卫生院"
HEALTH_STATION = r"卫生服务站|卫生站|卫生室"
PHARMACY = r"药房|药店|药业|[Pp]harmacy"
NOT_FOOD_MARKET = (r"电子|电脑|数码|通讯|手机|军用|军品|纺织|面料|辅料|布料|服装|服饰|鞋|皮具"
                   r"|家具|家居|建材|装饰|五金|灯饰|花鸟|古玩|收藏|茶叶|小商品|批发|专业市场"
                   r"|商贸城|旧货|二手|汽车|汽配|摩托|书城")
NOT_A_SHOP = r"布艺|窗帘|服装|服饰|鞋|家居|建材|五金|手机|电子|彩票|橱柜"
UNIVERSITY = r"大学|学院|交大|川大|[Uu]niversity|[Cc]ollege"
COMMUNITY_SERVICE = r"社区服务站|社区服务中心|居委会|居民委员会|社区党群服务中心|便民服务中心"

HEALTH: Tags = (("amenity", ("hospital", "clinic", "doctors", "dentist")),
                ("healthcare", ("hospital", "clinic", "doctor", "dentist", "centre")))
SCHOOLING: Tags = (("amenity", ("school", "kindergarten", "childcare")),)
SCHOOL: Tags = (("amenity", ("school",)),)
CULTURE_VENUES: Tags = (("amenity", ("library", "theatre", "arts_centre")),
                        ("tourism", ("museum", "gallery")))

R = FacilityRule
FACILITY_RULES: tuple[FacilityRule, ...] = (
    R("E1", "kindergarten", SCHOOLING, name=KINDERGARTEN,
      why="named 幼儿园, whatever the amenity (mappers tag some amenity=school)"),
    R("E2", "childcare", (("amenity", ("kindergarten",)),), all_of=(("nursery", ("yes",)),),
      why="nursery=yes: children under 3 (托儿所)"),
    R("E3", "childcare", SCHOOLING, name=CHILDCARE, why="named 托儿所, 托育, 早教"),
    R("E4", "kindergarten", (("amenity", ("kindergarten",)),),
      why="amenity=kindergarten: preschool, 3 to 6 years (幼儿园)"),
    R("E5", "childcare", (("amenity", ("childcare",)),),
      why="amenity=childcare is not a kindergarten (OSM wiki): 托儿所, optional in the "
          "standard's 5-minute list"),
    R("E6", None, SCHOOL, name=NOT_SCHOOLING,
      why="training, vocational and adult schools are neither 小学 nor 中学"),
    R("E7", "primary_school", (("isced:level", ("1",)), ("school", ("primary",))),
      all_of=SCHOOL, why="OSM level tags"),
    R("E8", "secondary_school", (("isced:level", ("2", "3")),
                                 ("school", ("secondary", "middle", "high"))),
      all_of=SCHOOL, why="OSM level tags"),
    R("E9", "primary_school", SCHOOL, name=PRIMARY, why="named 小学, 附小, 实小"),
    R("E10", "secondary_school", SCHOOL, name=SECONDARY,
      why="named 中学, 初中, 高中, or by number (成都七中, 49中, 十八中, 铁中)"),
    R("E11", None, SCHOOL, name=UNIVERSITY,
      why="a university tagged as a school (its own 附小 and 附中 are named so, and "
          "counted above)"),
    R("E12", "school", SCHOOL, why="a school whose level neither tags nor name give"),
    R("H1", "dentist", HEALTH, name=DENTAL,
      why="a dental practice is no hospital, clinic or health centre"),
    R("H2", "dentist", (("amenity", ("dentist",)), ("healthcare", ("dentist",))),
      why="amenity or healthcare=dentist"),
    R("H3", "health_centre", HEALTH, name=HEALTH_CENTRE,
      why="社区卫生服务中心 (15-minute list) only by its name: OSM has no tag for it"),
    R("H4", "health_station", HEALTH, name=HEALTH_STATION,
      why="社区卫生服务站 (5-minute list) only by its name"),
    R("H5", "hospital", (("amenity", ("hospital",)), ("healthcare", ("hospital",))),
      why="hospitals serve outpatients (门诊部, 15-minute list)"),
    R("H6", "clinic", (("amenity", ("clinic", "doctors")),
                       ("healthcare", ("clinic", "doctor", "centre"))),
      why="clinics and doctors' practices (门诊部)"),
    R("H7", "pharmacy", (("amenity", ("pharmacy",)), ("healthcare", ("pharmacy",))),
      why="pharmacies (社区商业网点: 药店)"),
    R("H8", "pharmacy", (("shop", ()),), name=PHARMACY,
      why="a shop named 药房 or 药店 is a pharmacy, whatever its shop tag"),
    R("M1", None, (("amenity", ("marketplace",)),), name=NOT_FOOD_MARKET,
      why="electronics, textile, military-goods, furniture or wholesale markets sell no "
          "fresh food"),
    R("M2", "market", (("amenity", ("marketplace",)), ("shop", ("greengrocer",))),
      why="markets (菜市场) and greengrocers; an unnamed marketplace counts as one"),
    R("S1", None, (("shop", ("convenience", "supermarket")),), name=NOT_A_SHOP,
      why="shops named for fabrics, clothes, phones ... mistagged as groceries"),
    R("S2", "supermarket", (("shop", ("supermarket",)),), why="supermarkets (超市)"),
    R("S3", "convenience", (("shop", ("convenience",)),), why="convenience stores (便利店)"),
    R("A1", "elderly_care", (("amenity", ("nursing_home",)),
                             ("social_facility", ("nursing_home", "assisted_living")),
                             ("social_facility:for", ("senior",))),
      why="养老院 and day care for the elderly"),
    R("G1", "community_service", (("office", ()), ("amenity", ("townhall", "community_centre",
                                                                 "social_facility"))),
      name=COMMUNITY_SERVICE,
      why="社区服务站 and 居委会 (5-minute list) only by their names"),
    R("C1", None, (*CULTURE_VENUES, ("amenity", ("community_centre",))), name=UNIVERSITY,
      why="a university's library or hall serves its campus, not the community"),
    R("C2", "culture_centre", (("amenity", ("community_centre",)),),
      why="community centres: 文化活动中心 (15 minutes) and 文化活动站 (5 minutes)"),
    R("C3", "public_culture", CULTURE_VENUES,
      why="libraries, museums, galleries, theatres: the plan's public culture (T19), not "
          "the standard's community cultural centre"),
    R("P1", "sports", (("leisure", ("sports_centre", "fitness_centre", "stadium", "pitch",
                                    "fitness_station", "swimming_pool", "track")),),
      why="sports grounds and halls"),
    R("P2", "playground", (("leisure", ("playground",)),), why="children's playgrounds"),
    R("B1", "bus_stop", (("highway", ("bus_stop",)),), why="bus stops (公交车站)"),
    R("B2", "bus_stop", (("public_transport", ("platform", "stop_position")),),
      all_of=(("bus", ("yes",)),), why="bus platforms and stop positions"),
    R("T1", None, (("amenity", ("toilets",)),),
      all_of=(("access", ("private", "customers", "no")),), why="toilets not open to all"),
    R("T2", "toilets", (("amenity", ("toilets",)),), why="public toilets (公共厕所)"),
    R("F1", "fire_station", (("amenity", ("fire_station",)),), why="fire stations (消防站)"),
)
"""The rules, tried in order; the first match gives a feature's category (None: not a
facility)."""

FACILITY_TAG_KEYS: frozenset[str] = frozenset(key for rule in FACILITY_RULES
                                              for key, _ in rule.any_of)
"""Keys of which at least one must be present for a feature to be a facility."""

_RULES_BY_KEY: dict[str, tuple[int, ...]] = {
    key: tuple(i for i, rule in enumerate(FACILITY_RULES)
               if any(k == key for k, _ in rule.any_of))
    for key in FACILITY_TAG_KEYS}
"""Positions in :data:`FACILITY_RULES` of the rules testing each key."""


def facility_rule(tags: Mapping[str, str]) -> FacilityRule | None:
    """Return the first rule of :data:`FACILITY_RULES` a feature matches, if any.

    Parameters
    ----------
    tags : mapping of str to str
        The feature's OSM tags (``name`` included).

    Returns
    -------
    FacilityRule or None
    """
    keys = FACILITY_TAG_KEYS.intersection(tags)
    if not keys:
        return None
    # only the rules of the keys present can match; tried in their order in the table
    tried = sorted({i for key in keys for i in _RULES_BY_KEY[key]})
    return next((FACILITY_RULES[i] for i in tried if FACILITY_RULES[i].matches(tags)), None)


def facility_category(tags: Mapping[str, str]) -> str | None:
    """Return the category of a feature from its OSM tags and name.

    Parameters
    ----------
    tags : mapping of str to str
        The feature's OSM tags.

    Returns
    -------
    str or None
        The category of the first matching rule, or None for a feature that is no
        everyday facility (or that a rule excludes).

    Examples
    --------
    >>> facility_category({"amenity": "school", "name": "成都市泡桐树小学"})
    'primary_school'
    >>> facility_category({"amenity": "school", "name": "加州阳光幼儿园"})
    'kindergarten'
    >>> facility_category({"amenity": "marketplace", "name": "城北电子城"}) is None
    True
    """
    rule = facility_rule(tags)
    return None if rule is None else rule.category


def facility_rule_table() -> pd.DataFrame:
    """Return the rules as a table, one row per rule, for documentation and review.

    Returns
    -------
    pandas.DataFrame
        Columns ``rule``, ``category``, ``label_zh``, ``osm_tags`` (e.g. ``amenity=school
        + isced:level=1``), ``name``, ``not_name`` and ``why``.
    """
    labels = {c.category: c.label_zh for c in FACILITY_CATEGORIES}

    def text(pairs: Tags) -> str:
        return " | ".join(f"{k}={'|'.join(v) or '*'}" for k, v in pairs)

    rows = [{"rule": r.rule_id, "category": r.category or "(excluded)",
             "label_zh": labels.get(r.category or "", ""),
             "osm_tags": text(r.any_of) + (f" + {text(r.all_of)}" if r.all_of else ""),
             "name": r.name, "not_name": r.not_name, "why": r.why} for r in FACILITY_RULES]
    return pd.DataFrame(rows)


DUPLICATE_DISTANCE_M = 150.0
"""Features of one category and one name closer than this are one place mapped twice (a
museum as a node and as two outlines): they count once."""


def duplicate_groups(names: list[str | None], categories: list[str],
                     xy: npt.NDArray[np.float64],
                     distance_m: float = DUPLICATE_DISTANCE_M) -> npt.NDArray[np.int64]:
    """Return a place number per facility: one number for a place mapped several times.

    Two facilities are one place when they have the same category and the same
    (non-empty) name and lie within ``distance_m`` of each other, directly or through
    others.

    Parameters
    ----------
    names, categories : list
        Name (or None) and category of each facility.
    xy : numpy.ndarray, shape (n, 2)
        Positions in a metric CRS.
    distance_m : float, optional
        How close the features of one place lie.

    Returns
    -------
    numpy.ndarray of int
        A group number per facility (``0 .. groups - 1``), in order of first appearance.
    """
    n = len(names)
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    by_key: dict[tuple[str, str], list[int]] = {}
    for i, (name, category) in enumerate(zip(names, categories, strict=True)):
        if name:
            by_key.setdefault((category, name.strip()), []).append(i)
    for members in by_key.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1:]:
                if np.hypot(*(xy[a] - xy[b])) <= distance_m:
                    parent[root(a)] = root(b)
    roots = np.array([root(i) for i in range(n)], dtype=np.int64)
    _, first = np.unique(roots, return_index=True)
    order = np.argsort(first)
    number = np.empty(len(first), dtype=np.int64)
    number[order] = np.arange(len(first))
    return number[np.searchsorted(np.unique(roots), roots)]


def merge_duplicates(facilities: gpd.GeoDataFrame,
                     distance_m: float = DUPLICATE_DISTANCE_M) -> gpd.GeoDataFrame:
    """Return facilities with each place mapped several times as one feature.

    The places of :func:`duplicate_groups`; a merged place keeps its first feature (its
    point, category and name) and lists every OSM object in ``osm_id`` (``;``-joined).

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with ``name_zh``, ``category`` and ``osm_id`` columns, any CRS.
    distance_m : float, optional
        How close the features of one place lie.

    Returns
    -------
    geopandas.GeoDataFrame
        The facilities, in their order, one row per place.
    """
    if not len(facilities):
        return facilities
    metric = facilities.geometry.to_crs(metric_crs_for(facilities))
    xy = np.column_stack([metric.x.to_numpy(), metric.y.to_numpy()])
    names = [None if pd.isna(n) else str(n) for n in facilities["name_zh"]]
    group = duplicate_groups(names, list(facilities["category"]), xy, distance_m)
    first = ~pd.Series(group).duplicated().to_numpy()
    merged = facilities[first].copy()
    ids = pd.Series(list(facilities["osm_id"]), dtype=object).groupby(group).agg(";".join)
    merged["osm_id"] = list(ids.loc[group[first]])
    return merged
