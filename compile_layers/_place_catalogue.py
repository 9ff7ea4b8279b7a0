"""The plan's hubs, airports and new areas: names, English forms and where each is placed.

Positions come only from compiled layers (a metro station of the hub, the districts an
area spans) or the central OSM extract; the facts tying a place to them are cited in
:data:`WEB_SOURCES` (each checked in two public pages).
"""

from __future__ import annotations

from dataclasses import dataclass

HUB_EXTENT_M = 500.0
"""Assumed extent of a national-rail station complex (halls, squares, platforms) about
the metro station that serves it: the uncertainty of a hub placed at that station."""
AIRPORT_EXTENT_M = 1500.0
"""Assumed extent of an airport's terminal complex about its terminal metro station(s)."""


@dataclass(frozen=True)
class CuratedPlace:
    """A named place of the plan with the rule that places it.

    Exactly one of ``stations`` (metro station names whose points mark it),
    ``osm_name`` (a named feature of the central OSM extract) or ``districts``
    (';'-joined county-level units it lies in or spans) is set.
    """

    name_zh: str
    name_en: str
    kind: str
    plan_lines: str
    aliases: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    extent_m: float = 0.0
    osm_name: str | None = None
    districts: str | None = None
    source: str = "plan"
    note: str = ""


WEB_SOURCES = [
    {"id": "web-eastern-new-area",
     "title": "成都东部新区: 规划面积729平方公里, 简阳市所辖13个镇(街道) (四川在线/天府早报, "
     "2020-05-06; "
     "cross-checked with the 成都东部新区 article of Chinese Wikipedia, which "
     "places it in 简阳市)",
     "licence": "facts only", "attribution": "四川在线; Wikipedia contributors",
     "url": "http://www.tianfudaily.cn/content_118513081-1.html"},
    {"id": "web-tianfu-new-area",
     "title": "四川天府新区: 1578 km2; 成都片区 in 成都高新区, 双流区, 龙泉驿区, 新津区 "
     "and 简阳市, 眉山片区 in 彭山区 and 仁寿县; the 成都直管区 lies in the south of "
     "Chengdu, east of 双流区 (mdbkg.com; cross-checked with sboyo.com: 1578 km2, "
     "成都 and 眉山 parts)",
     "licence": "facts only", "attribution": "mdbkg.com; sboyo.com",
     "url": "https://mdbkg.com/sheng/1pq2l.html"},
    {"id": "web-panda-tower",
     "title": "天府熊猫塔 = 锦绣天府塔 = 四川广播电视塔 (成都电视塔, 339 m, 成华区猛追湾街168号) "
     "(newton.com.tw 天府熊貓塔; cross-checked with bkwk.cn: 成都电视塔又称天府熊猫塔或锦绣天府塔)",
     "licence": "facts only", "attribution": "newton.com.tw; bkwk.cn",
     "url": "https://newton.com.tw/wiki/%E5%A4%A9%E5%BA%9C%E7%86%8A%E8%B2%93%E5%A1%94/22426710"},
]

LANDMARK_OSM_NAMES = {
    "天府熊猫塔": (("四川广播电视塔",), "web-panda-tower"),
    "太古里": (("成都远洋太古里",), "plan"),
    "四圣祠": (("四圣祠北街", "四圣祠南街"), "plan"),
    "白马寺街巴蜀文化发轫地": (("白马寺街",), "plan"),
}
"""Plan name -> (names of the OSM features that are the place, source of the identity).

The plan's 四圣祠 (one of the 八街) is the street pair 四圣祠北街/南街 and its 白马寺街 the
street so named; 太古里 is mapped in OSM under its full name; 天府熊猫塔 is the TV tower
mapped under its former name (see the cited source)."""

_HUB_NOTE = ("national-rail hub placed at the metro station that serves it (layer "
             "metro_stations); precision_m is the assumed extent of the station complex "
             f"({HUB_EXTENT_M:.0f} m) or the station's own precision if larger")
_AIRPORT_NOTE = ("airport placed at its terminal metro station(s) (layer metro_stations); "
                 "precision_m covers the stations and the assumed extent of the terminal "
                 f"complex ({AIRPORT_EXTENT_M:.0f} m)")
_AREA_NOTE = ("area without a published boundary in the sources used: placed at the "
              "districts it lies in")

CURATED = (
    CuratedPlace("成都天府国际机场", "Chengdu Tianfu International Airport", "airport",
                 "580;732;794;1008",
                 ("天府国际机场", "天府机场", "Tianfu International Airport", "Tianfu Airport"),
                 stations=("天府机场1号2号航站楼",), extent_m=AIRPORT_EXTENT_M,
                 note=_AIRPORT_NOTE),
    CuratedPlace("成都双流国际机场", "Chengdu Shuangliu International Airport", "airport",
                 "299;732;794;1008",
                 ("双流国际机场", "双流机场", "Shuangliu International Airport",
                  "Shuangliu Airport"),
                 stations=("双流机场1航站楼", "双流机场2航站楼"), extent_m=AIRPORT_EXTENT_M,
                 note=_AIRPORT_NOTE),
    CuratedPlace("成都站", "Chengdu Railway Station", "rail_hub", "566;1009",
                 ("火车北站", "成都火车站", "成都站（火车北站）", "Chengdu North Railway Station"),
                 osm_name="成都站", source="osm",
                 note="outline of the station building mapped in OpenStreetMap (railway=station, "
                 "central extract, 2018); the metro station 火车北站 stands beside it"),
    CuratedPlace("成都东站", "Chengdu East Railway Station", "rail_hub", "566;1009",
                 ("东客站", "成都东客站", "East Chengdu Railway Station"),
                 stations=("成都东客站",), extent_m=HUB_EXTENT_M, note=_HUB_NOTE),
    CuratedPlace("成都南站", "Chengdu South Railway Station", "rail_hub", "1009",
                 ("火车南站", "South Railway Station"),
                 stations=("火车南站",), extent_m=HUB_EXTENT_M, note=_HUB_NOTE),
    CuratedPlace("成都西站", "Chengdu West Railway Station", "rail_hub", "1009",
                 (), stations=("成都西站",), extent_m=HUB_EXTENT_M, note=_HUB_NOTE),
    CuratedPlace("天府站", "Tianfu Railway Station", "rail_hub", "566;1009",
                 ("天府高铁枢纽站", "天府枢纽站"), stations=("天府站",), extent_m=HUB_EXTENT_M,
                 note=_HUB_NOTE),
    CuratedPlace("十陵站", "Shiling Railway Station", "rail_hub", "1009", (),
                 districts="龙泉驿区",
                 note="planned national-rail station; no position is published in the sources "
                 "used and the metro station 十陵 is not tied to it, so it is placed at its "
                 "district (public knowledge: 十陵 is in 龙泉驿区)"),
    CuratedPlace("四川天府新区", "Sichuan Tianfu New Area", "new_area", "576;888;960",
                 ("Tianfu New Area (whole)",), districts="双流区;龙泉驿区;新津区;简阳市",
                 source="web-tianfu-new-area",
                 note=_AREA_NOTE + " (its Chengdu part; the 眉山 part is outside the "
                 "districts layer and not drawn)"),
    CuratedPlace("四川天府新区成都直管区", "Tianfu New Area, Chengdu directly administered zone",
                 "new_area", "960",
                 ("天府新区", "成都天府新区", "天府新区成都直管区", "Tianfu New Area",
                  "Chengdu Tianfu New Area"),
                 districts="双流区", source="web-tianfu-new-area", note=_AREA_NOTE),
    CuratedPlace("成都东部新区", "Chengdu Eastern New Area", "new_area", "580;960",
                 ("东部新区", "Eastern New Area", "Chengdu East New Area"),
                 districts="简阳市", source="web-eastern-new-area", note=_AREA_NOTE),
    CuratedPlace("成都高新区", "Chengdu Hi-tech Zone", "new_area", "748;888;1147",
                 ("高新区", "成都高新技术产业开发区",
                  "Chengdu High-tech Industrial Development Zone",
                  "Chengdu Hi-tech Industrial Development Zone"),
                 districts="武侯区;双流区;郫都区",
                 note=_AREA_NOTE + " (南区 on 武侯区 and 双流区 land, 西区 in 郫都区)"),
    CuratedPlace("天府国际空港新城", "Tianfu International Airport New City", "new_town",
                 "580;814;882;1091",
                 ("空港新城", "成都空港新城", "空港核", "Airport New City"),
                 districts="简阳市", source="web-eastern-new-area",
                 note=_AREA_NOTE + " (the new town around 天府国际机场, in 成都东部新区)"),
    CuratedPlace("简州新城", "Jianzhou New City", "new_town", "580;882;906;1356",
                 ("简州", "简州核", "Jianzhou"), districts="简阳市", note=_AREA_NOTE),
    CuratedPlace("淮州新城", "Huaizhou New City", "new_town", "882;906;913;966;1356",
                 ("淮州", "淮州核", "Huaizhou"), districts="金堂县", note=_AREA_NOTE),
)
"""Hubs, airports, new areas and new towns of the plan (lines in the plan text)."""
