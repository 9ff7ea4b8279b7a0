"""The plan's walking-access and land-share targets, measured on the central OSM extract.

Each spec of :data:`ACCESS_TARGET_SPECS` becomes a :class:`gisplan.plan.targets.PlanTarget`
(wording, plan line, threshold, definition); :class:`AccessMeasurer` measures them with
:mod:`gisplan.analysis.access` on the embedded layers (``facilities``, ``residential_land``,
``parks``, ``water``, ``waterways``, the walking network) and collects the
``life_circle_coverage`` table and the covered areas for the GeoPackage.
:data:`ABSENT_TARGET_SPECS` lists targets whose data is absent, with what would measure
them.

The plan sets no number for its circles (「打造……15分钟步行生活圈」): every resident
within the circle, a share of 1, is read as the target. OSM in 2018 mapped only part of
Chengdu's facilities and residential land, so a share below the target does not show
the target missed: ``met`` is then None (unknown), as for the rail length T25.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd
import shapely

from gisplan.analysis.access import (
    COVERAGE_TABLE_COLUMNS,
    facility_coverage,
    life_circle_coverage,
)
from gisplan.analysis.coverage import CoverageResult, park_coverage
from gisplan.catalogue.extent import declare_extent, layer_extent
from gisplan.catalogue.layers import load_layer
from gisplan.crs import metric_crs_for
from gisplan.network.graph import WalkNetwork
from gisplan.standards.life_circles import LIFE_CIRCLES, life_circle

__all__ = ["ABSENT_TARGET_SPECS", "ACCESS_TARGET_SPECS", "AccessMeasurer"]

EXTRACT = "central_osm_extract"
RESIDENTIAL = "residential land"
FIRE_DRIVE_M = 2000.0
"""Fire response: 4 minutes' drive at 30 km/h after a 1-minute turnout (an assumption)."""
WATERFRONT_M = 500.0
"""The 10-minute circle's walk (GB 50180-2018) to the waterfront, for T14."""
CHILD_PLAY = ("kindergarten", "playground")
"""Stand-ins for the 社区儿童综合体 (托儿所, 儿童运动场) of T11."""
FRESH_FOOD = ("market", "supermarket")
"""生鲜菜市: 菜市场或生鲜超市 (GB 50180-2018, 10-minute circle), for T42."""

_BOTH = (("network", EXTRACT, RESIDENTIAL), ("network", EXTRACT, "area"))
_OSM_2018 = ("OSM before July 2018 maps only part of the facilities and residential land, "
             "so the share is a lower bound")

ACCESS_TARGET_SPECS: tuple[dict[str, Any], ...] = (
    {"target_id": "T05", "indicator": "urban_green_space_ratio", "name_zh": "城市绿地率",
     "name_en": "Urban green-space ratio", "wording_zh": "城市绿地率达41%",
     "plan_line": 1849, "target": 0.41, "comparison": ">=", "unit": "share of area",
     "measurements": (("area_ratio", EXTRACT, "area"),),
     "data_needed": "green-space (绿地) polygons of the built-up area from a land-use "
                    "survey, including the attached green of compounds and institutions "
                    "(附属绿地) and road green, which OSM does not map"},
    {"target_id": "T09", "indicator": "life_circle_15min", "name_zh": "15分钟步行生活圈",
     "name_en": "15-minute walking life circle",
     "wording_zh": "打造城镇社区、产业社区15分钟步行生活圈", "plan_line": 2176,
     "target": 1.0, "comparison": ">=", "unit": "share of area", "measurements": _BOTH,
     "data_needed": "a complete facility register or POI set (Amap/Baidu POIs: 初中, "
                    "社区卫生服务中心, 养老院, 文化活动中心, 运动场地, 菜市场) and the residential "
                    "land or population of urban and industrial communities"},
    {"target_id": "T11", "indicator": "children_5min_activity_circle",
     "name_zh": "儿童5分钟步行活动圈", "name_en": "Children's 5-minute walking activity circle",
     "wording_zh": "打造儿童“5分钟步行活动圈”", "plan_line": 2150, "target": 1.0,
     "comparison": ">=", "unit": "share of area", "measurements": _BOTH,
     "data_needed": "the 200 社区儿童综合体 (sites not published) and the population aged "
                    "0-14; kindergartens and playgrounds stand in for them"},
    {"target_id": "T12", "indicator": "children_15min_public_space",
     "name_zh": "儿童15分钟公共空间体验网络",
     "name_en": "Children's 15-minute public-space network (community parks)",
     "wording_zh": "依托城市社区公园，打造儿童“15分钟公共空间体验网络”", "plan_line": 2150,
     "target": 1.0, "comparison": ">=", "unit": "share of area", "measurements": _BOTH,
     "data_needed": "community park (社区公园) polygons with entrances, and the population "
                    "aged 0-14"},
    {"target_id": "T14", "indicator": "blue_network_10min", "name_zh": "10分钟蓝网生活圈",
     "name_en": "10-minute blue-network life circle",
     "wording_zh": "构建水声入耳、蓝绿交融、人水共生的10分钟蓝网生活圈", "plan_line": 1863,
     "target": 1.0, "comparison": ">=", "unit": "share of area", "measurements": _BOTH,
     "data_needed": "public access points of the blue network's waterfronts (which "
                    "banks are walkable) and residents"},
    {"target_id": "T15", "indicator": "blue_network_belt_length",
     "name_zh": "精品蓝网发展带长度", "name_en": "Premium blue-network belts",
     "wording_zh": "打造引领城市高质量发展的1000公里精品蓝网发展带", "plan_line": 1863,
     "target": 1000.0, "comparison": ">=", "unit": "km",
     "measurements": (("length", "waterways", None),),
     "data_needed": "the designated blue-network belt reaches (锦江, 沱江, 岷江 ...) for the "
                    "whole city; the embedded waterways cover the central extract only"},
    {"target_id": "T18", "indicator": "fire_response_5min", "name_zh": "5分钟消防力量到场",
     "name_en": "Fire response within 5 minutes",
     "wording_zh": "力争5分钟消防力量到场救援", "plan_line": 2250, "target": 1.0,
     "comparison": ">=", "unit": "share of area",
     "measurements": (("network", EXTRACT, "area"),),
     "data_needed": "fire stations and 微型消防站 with their response areas, and a road "
                    "network with speeds (the walking network stands in for the streets)"},
    {"target_id": "T19", "indicator": "culture_15min", "name_zh": "15分钟公共文化服务圈",
     "name_en": "15-minute public cultural service circle",
     "wording_zh": "打造“15分钟公共文化服务圈”", "plan_line": 1768, "target": 1.0,
     "comparison": ">=", "unit": "share of area", "measurements": _BOTH,
     "data_needed": "the four-level public cultural facility network (市/区/街道/社区 "
                    "libraries, cultural centres and community cultural rooms)"},
    {"target_id": "T42", "indicator": "community_convenience", "name_zh": "社区便民服务全覆盖",
     "name_en": "Community convenience services",
     "wording_zh": "实现生鲜菜市、洗衣理发、家政维修等基本便民服务社区全覆盖",
     "plan_line": 2176, "target": 1.0, "comparison": ">=", "unit": "share of area",
     "measurements": _BOTH,
     "data_needed": "community (社区) boundaries and POIs of fresh-food markets, laundries, "
                    "barbers and repair services (OSM 2018 maps two barbers and no laundry)"},
)
"""Targets measured by :class:`AccessMeasurer` (keyword arguments of ``PlanTarget``)."""

ABSENT_TARGET_SPECS: tuple[dict[str, Any], ...] = (
    {"target_id": "T37", "indicator": "tertiary_hospital_per_district",
     "name_zh": "三级医疗机构区（市）县全覆盖", "name_en": "Tertiary hospital in every district",
     "wording_zh": "实现三级医疗机构区（市）县全覆盖", "plan_line": 2048, "target": 1.0,
     "comparison": ">=", "unit": "share of districts", "measurements": (),
     "data_needed": "hospitals with their grade (三级甲等/乙等, from the health commission's "
                    "register) and the 23 district boundaries; OSM has no grades"},
    {"target_id": "T38", "indicator": "model_high_schools_per_district",
     "name_zh": "每个区（市）县至少2所省级示范高中",
     "name_en": "At least 2 provincial model high schools per district",
     "wording_zh": "每个区（市）县至少有2所省级示范高中", "plan_line": 2030, "target": 2.0,
     "comparison": ">=", "unit": "schools per district", "measurements": (),
     "data_needed": "the list of 省级示范性普通高中 with addresses (Sichuan education "
                    "department) and district boundaries"},
    {"target_id": "T41", "indicator": "elderly_care_complex_per_subdistrict",
     "name_zh": "街道社区养老服务综合体", "name_en": "Elderly-care complex in every sub-district",
     "wording_zh": "所有街道和有条件的乡（镇）至少建有1个社区养老服务综合体", "plan_line": 2166,
     "target": 1.0, "comparison": ">=", "unit": "share of sub-districts", "measurements": (),
     "data_needed": "sub-district (街道/乡镇) boundaries and the register of 社区养老服务综合体; "
                    "OSM 2018 maps no elderly care in the extract"},
    {"target_id": "T20", "indicator": "sports_area_per_capita", "name_zh": "人均体育场地面积",
     "name_en": "Sports ground area per capita", "wording_zh": "实现人均体育场地面积2.5平方米",
     "plan_line": 1764, "target": 2.5, "comparison": ">=", "unit": "m2 per resident",
     "measurements": (),
     "data_needed": "sports ground areas by the sports-census definition and the resident "
                    "population (e.g. WorldPop or census counts by district)"},
    {"target_id": "T45", "indicator": "childcare_places_per_1000",
     "name_zh": "每千人口3岁以下婴幼儿托位数", "name_en": "Childcare places per 1000 residents",
     "wording_zh": "每千人口拥有3岁以下婴幼 儿托位数", "plan_line": 463, "target": 8.0,
     "comparison": ">=", "unit": "places per 1000", "measurements": (),
     "data_needed": "licensed childcare facilities with their capacity, and the resident "
                    "population"},
)
"""Targets whose data is absent, with exactly what would measure them."""


class _Target(Protocol):
    @property
    def target_id(self) -> str: ...

    def met(self, value: float) -> bool: ...


@dataclass
class AccessMeasurer:
    """Measures the access targets once the layers are loaded, collecting the tables.

    Attributes
    ----------
    network : WalkNetwork
        The walking network.
    rows : list of dict
        Rows of the ``life_circle_coverage`` table.
    areas : list of geopandas.GeoDataFrame
        Covered land per target, category and circle (EPSG:4544).
    """

    network: WalkNetwork
    rows: list[dict[str, Any]] = field(default_factory=list)
    areas: list[gpd.GeoDataFrame] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict)

    def _layer(self, name: str) -> gpd.GeoDataFrame:
        if name not in self._cache:
            self._cache[name] = load_layer(name)
        return self._cache[name]

    def _area(self, area_id: str) -> gpd.GeoDataFrame:
        areas = self._layer("coverage_area")
        return areas[areas["area_id"] == area_id]

    def measure(self, target: _Target, method: str, area_id: str,
                denominator: str | None) -> dict[str, Any]:
        """Return ``value``, ``met`` and ``notes`` of one measurement of ``target``."""
        measure = getattr(self, f"_{target.target_id.lower()}")
        value, notes = measure(method, area_id, denominator)
        met = True if target.met(value) else None
        return {"value": value, "met": met, "notes": "; ".join(notes)}

    # -------------------------------------------------------------- helpers

    def _residential(self, denominator: str | None) -> gpd.GeoDataFrame | None:
        return self._layer("residential_land") if denominator == RESIDENTIAL else None

    def _facility_share(self, target_id: str, categories: tuple[str, ...], radius: float,
                        circle: str, area_id: str, denominator: str | None,
                        what: str, how: str = "walk") -> tuple[float, list[str]]:
        result = facility_coverage(self._layer("facilities"), self._area(area_id),
                                   categories, radius=radius, network=self.network,
                                   residential=self._residential(denominator))
        notes = [f"{what} ({'|'.join(categories)}: {result.params['n_facilities']} in "
                 f"facilities) within a {radius:.0f} m {how}", *result.notes]
        return self._record(target_id, "|".join(categories), circle, radius, area_id,
                            denominator, result, notes)

    def _record(self, target_id: str, category: str, circle: str, radius: float,
                area_id: str, denominator: str | None, result: CoverageResult,
                notes: list[str]) -> tuple[float, list[str]]:
        notes = [*notes, f"{result.covered_km2:.2f} of {result.total_km2:.2f} km2", _OSM_2018]
        self.rows.append({"target_id": target_id, "category": category, "circle": circle,
                          "radius_m": radius, "method": "network", "area": area_id,
                          "denominator": denominator, "share": result.share,
                          "covered_km2": result.covered_km2, "total_km2": result.total_km2,
                          "notes": "; ".join(notes)})
        if denominator != RESIDENTIAL:
            self.areas.append(_covered_frame(target_id, circle, category, radius,
                                             result.covered.iloc[0], self.network.crs))
        return result.share, notes

    # ------------------------------------------------------------- targets

    def _t05(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        parks = self._layer("parks")
        area = self._area(area_id)
        crs = metric_crs_for(area)
        green = parks[parks["source"] == "osm"].to_crs(crs)
        whole = shapely.union_all(area.to_crs(crs).geometry.values)
        inside = shapely.intersection(shapely.union_all(green.geometry.values), whole)
        notes = [f"{inside.area / 1e6:.2f} of {whole.area / 1e6:.2f} km2 are OSM parks, "
                 "gardens, grass, wood and meadow (parks layer)",
                 "the attached green of compounds and institutions (附属绿地) and road green "
                 "are not mapped in OSM, so the ratio is a lower bound"]
        return inside.area / whole.area, notes

    def _t09(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        if "T09" not in self._cache:
            self._cache["T09"] = _all_circles(self._layer("facilities"), self._area(area_id),
                                              self.network, self._layer("residential_land"),
                                              area_id)
            tables, covered = self._cache["T09"]
            self.rows += tables.to_dict("records")
            self.areas.append(covered)
        tables, _ = self._cache["T09"]
        rows = tables[(tables["circle"] == "15min") & (tables["denominator"] == denominator)]
        bundle = rows[rows["category"] == "all"].iloc[0]
        parts = ", ".join(f"{r.category} {r.share:.0%}" for r in rows.itertuples()
                          if r.category != "all")
        notes = [f"land reaching all 15-minute facilities of GB 50180-2018 within "
                 f"{bundle.radius_m:.0f} m; each: {parts}", bundle.notes.split("; ", 1)[-1],
                 _OSM_2018]
        return float(bundle.share), notes

    def _t11(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        return self._facility_share("T11", CHILD_PLAY, life_circle("5min").radius_m, "5min",
                                    area_id, denominator, "kindergartens and playgrounds")

    def _t12(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        parks = self._layer("parks")
        parks = parks[(parks["source"] == "osm") & parks["park_green"].astype(bool)]
        radius = life_circle("15min").radius_m
        result = park_coverage(parks, self._area(area_id), method="network",
                               radii=((0.0, radius),), radius_column="",
                               residential=self._residential(denominator),
                               network=self.network)
        notes = [f"{len(parks)} OSM parks and gardens (any size, as community parks) within "
                 f"a {radius:.0f} m walk from the streets along them", *result.notes]
        return self._record("T12", "park", "15min", radius, area_id, denominator, result,
                            notes)

    def _t14(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        crs = metric_crs_for(self._area(area_id))
        water = self._layer("water").to_crs(crs).geometry
        ways = self._layer("waterways").to_crs(crs).geometry.buffer(1.0)
        blue = declare_extent(
            gpd.GeoDataFrame(geometry=pd.concat([water, ways], ignore_index=True), crs=crs),
            layer_extent(self._layer("water")), "the extent of the water layer")
        result = park_coverage(blue, self._area(area_id), method="network",
                               radii=((0.0, WATERFRONT_M),), radius_column="",
                               residential=self._residential(denominator),
                               network=self.network)
        notes = [f"{len(water)} water bodies and {len(ways)} rivers and canals; every street "
                 f"within 50 m of water counts as waterfront access, within a "
                 f"{WATERFRONT_M:.0f} m walk (public access points are unknown)",
                 *result.notes]
        return self._record("T14", "waterfront", "10min", WATERFRONT_M, area_id,
                            denominator, result, notes)

    def _t15(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        ways = self._layer("waterways")
        belts = ways[ways["waterway"].fillna("").astype(str).str.contains("river|canal")]
        km = float(belts["length_m"].sum() / 1000)
        notes = [f"{len(belts)} rivers and canals of the waterways layer (central OSM "
                 "extract; drains and streams left out)",
                 "the plan's belts are designated reaches across the city, which no layer "
                 "holds: a lower bound, so not meeting the target cannot be concluded"]
        return km, notes

    def _t18(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        share, notes = self._facility_share(
            "T18", ("fire_station",), FIRE_DRIVE_M, "5min drive", area_id, denominator,
            "fire stations", how="drive along the streets")
        notes.insert(1, "5 minutes read as 1 minute turnout and 4 minutes' drive at 30 km/h "
                        "(assumptions: the plan gives no definition; the walking network "
                        "stands in for the streets); 微型消防站 are not mapped")
        return share, notes

    def _t19(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        return self._facility_share("T19", ("culture",), life_circle("15min").radius_m,
                                    "15min", area_id, denominator, "libraries, community and "
                                    "arts centres, theatres, museums")

    def _t42(self, method: str, area_id: str, denominator: str | None
             ) -> tuple[float, list[str]]:
        share, notes = self._facility_share("T42", FRESH_FOOD, life_circle("10min").radius_m,
                                            "10min", area_id, denominator, "fresh-food markets")
        notes.insert(1, "laundries, barbers and repair services are not measured; community "
                        "boundaries are absent, so land within the 10-minute walk stands in "
                        "for 社区全覆盖")
        return share, notes

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the ``life_circle_coverage`` table and ``life_circle_areas`` layer."""
        table = pd.DataFrame(self.rows, columns=COVERAGE_TABLE_COLUMNS)
        columns = ["target_id", "circle", "category", "radius_m", "covered_km2", "geometry"]
        areas = (pd.concat(self.areas, ignore_index=True) if self.areas
                 else gpd.GeoDataFrame(columns=columns, geometry="geometry",
                                       crs=self.network.crs))
        return {"life_circle_coverage": table,
                "life_circle_areas": gpd.GeoDataFrame(areas[columns], geometry="geometry",
                                                      crs=self.network.crs)}


def _covered_frame(target_id: str, circle: str, category: str, radius: float,
                   geom: shapely.Geometry, crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"target_id": [target_id], "circle": [circle],
                             "category": [category], "radius_m": [radius],
                             "covered_km2": [geom.area / 1e6]},
                            geometry=[geom], crs=crs)


def _all_circles(facilities: gpd.GeoDataFrame, area: gpd.GeoDataFrame, network: WalkNetwork,
                 residential: gpd.GeoDataFrame, area_id: str
                 ) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    tables, covered = [], []
    for circle in LIFE_CIRCLES:
        result = life_circle_coverage(facilities, area, circle.circle, network=network,
                                      residential=residential, area_name=area_id,
                                      target_id="T09")
        tables.append(result.table)
        covered.append(result.covered.assign(target_id="T09"))
    return pd.concat(tables, ignore_index=True), pd.concat(covered, ignore_index=True)
