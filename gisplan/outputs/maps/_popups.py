"""Popups of the HTML maps: bilingual labels, formatted values, how each position was made.

:func:`popup_html` turns each feature's attributes into a small HTML table: labels in
Chinese and English instead of column names, values formatted for reading (61.8 %,
±49 km, 470.4 km²), and for every feature a sentence saying how its position was
obtained (from ``geocode_method``), with the feature's own ``description`` or
``notes`` where they say what was drawn. All text is HTML-escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from gisplan.outputs.symbology import METHOD_LABELS, approximate_mask

__all__ = ["FIELD_LABELS", "PLACEMENT", "format_value", "placement_sentence", "popup_html"]

FIELD_LABELS: dict[str, str] = {
    "name_zh": "名称 Name", "name_en": "英文名 English name",
    "source": "来源 Source", "precision_m": "位置精度 Position uncertainty",
    "geocode_method": "定位 Placement", "description": "说明 What was drawn",
    "notes": "备注 Notes", "share": "覆盖率 Share", "covered_km2": "覆盖面积 Area covered",
    "total_km2": "测算面积 Area measured", "area_km2": "面积 Area", "area_m2": "面积 Area",
    "area": "测算范围 Area measured", "method": "方法 Method",
    "service_radius_m": "服务半径 Service radius", "size_class": "规模 Size class (GB/T 50563)",
    "green_type": "绿地类型 Green-space type", "lines": "线路 Lines", "line_id": "线路 Line",
    "status": "状态 Status", "component": "组成 Component", "network": "水系 River network",
    "zone_type": "分区类型 Zone type", "directional_zone": "功能区 Directional zone",
    "ecosystem_zh": "产业生态圈 Industrial ecosystem", "district_zh": "区县 District",
    "lead_industry": "主导产业 Lead industry", "category": "类别 Category",
    "published_area_km2": "公布面积 Published area", "length_m": "长度 Length",
    "mode": "方式 Mode", "slogan_zh": "发展导向 Slogan",
    "population_share": "人口覆盖率 Population share", "area_id": "范围代码 Area id",
    "zone_id": "分区 Zone", "member_districts": "所辖区县 Member districts",
}
"""Bilingual popup labels of the catalogue's columns."""

PLACEMENT: dict[str, str] = {
    "schematic": "示意绘制，非测绘 Drawn schematically, not surveyed",
    "schematic_station_sequence": "按车站顺序示意连线，非轨道走向 Drawn as straight links "
                                  "between its stations, not along the track",
    "district_centroid": "以所在区县的代表点定位，非项目实际位置 Placed at a representative "
                         "point of its district, not at the site itself",
    "functional_zone": "以所属功能区的点定位 Placed at the point of its functional zone",
    "metro_station_named_after_place": "以同名地铁站定位 Placed at the metro station named "
                                       "after the place",
    "metro_station_of_place": "以其地铁站定位（枢纽、机场） Placed at its metro station (a "
                              "hub or airport), not across the whole site",
    "osm_named_feature": "以 OSM 同名要素定位 Placed at the OpenStreetMap feature of the "
                         "same name",
    "point_on_surface": "OSM 轮廓上的点 A point on its OpenStreetMap outline",
    "track_between_stations": "沿 OSM 轨道截取于两端车站之间 OpenStreetMap track cut "
                              "between its end stations",
    "schematic_station_chords": "按车站顺序示意连线，非轨道走向 Drawn as straight links "
                                "between its stations, not along the track",
    "none": "无几何，仅有长度 No geometry, length only",
    "unpublished": "位置未公布 Position not published",
    "unlocated": "未定位 Not located",
    "osm_outline_point": "OSM 轮廓内的点 A point inside its OpenStreetMap outline",
    "source_coordinates": "来源坐标 Position as given by the source",
    "source_coordinates_gcj02_converted": "来源坐标，由 GCJ-02 转换为 WGS84 Source "
                                          "coordinates, converted from GCJ-02 to WGS84",
    "snapped_to_track": "来源坐标移至 OSM 轨道 Source position moved onto the OSM track",
    "osm_track_geometry": "OSM 轨道几何 OpenStreetMap track geometry",
    "dissolved_district_boundaries": "由区县边界合并 Dissolved district boundaries",
}
"""Bilingual sentences for the ``geocode_method`` values of the catalogue."""

_APPROXIMATE = "示意位置 Approximate position: "
_VALUE_NAMES = {
    "size_class": {"large": "大型 large (≥ 5000 m²)", "medium": "中型 medium (2000–5000 m²)",
                   "small": "小型 small (< 2000 m²)"},
    "green_type": {  # OSM leisure/landuse/natural values and the plan parks' types
        "park": "公园 park", "garden": "花园 garden", "wood": "林地 wood",
        "grass": "草地 grass", "meadow": "草甸 meadow", "village_green": "村绿地 village green",
        "city_park": "城市公园 city park", "river_park": "滨河公园 river park",
        "lake_park": "湖泊公园 lake park",
    },
}


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _metres(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value / 1000:.3g} km"
    return f"{value:.0f} m"


def format_value(column: str, value: object) -> str:
    """Return one attribute value formatted for a reader.

    Parameters
    ----------
    column : str
        Column name; its name decides the format (``share`` as a percentage,
        ``precision_m`` as ±m or ±km, ``*_km2`` in km², ``*_m2`` in m² or ha, ``*_m`` in
        m or km, ``method``, ``size_class`` and ``green_type`` by bilingual names).
    value : object
        The value.

    Returns
    -------
    str
        The formatted value ('' for a missing one).
    """
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "是 yes" if value else "否 no"
    if column == "method":
        return METHOD_LABELS.get(str(value), str(value))
    if column in _VALUE_NAMES:
        return _VALUE_NAMES[column].get(str(value), str(value))
    if column == "geocode_method":
        return PLACEMENT.get(str(value), str(value))
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if column == "share" or column.endswith("_share") or column.startswith("share"):
            return f"{100 * number:.1f} %"
        if column == "precision_m":
            return "±" + _metres(number)
        if column.endswith("_km2"):
            return f"{number:,.1f} km²"
        if column.endswith("_m2"):
            return f"{number / 1e4:,.1f} ha" if number >= 1e4 else f"{number:,.0f} m²"
        if column.endswith("_m"):
            return _metres(number)
        return f"{number:,.6g}"
    return str(value)


def placement_sentence(row: Mapping[str, object], approximate: bool) -> str:
    """Return in words how a feature's position was obtained.

    Parameters
    ----------
    row : mapping
        The feature's attributes (``geocode_method``, ``precision_m``, ``district_zh``).
    approximate : bool
        Whether the feature was placed schematically or at a district point.

    Returns
    -------
    str
        For example "示意位置 Approximate position: 以所在区县的代表点定位 ... (邛崃市);
        may be off by ±36 km".
    """
    method = row.get("geocode_method")
    words = "" if _is_missing(method) else PLACEMENT.get(str(method), str(method))
    district = row.get("district_zh")
    if method == "district_centroid" and not _is_missing(district):
        words += f" ({district})"
    precision = row.get("precision_m")
    if approximate:
        margin = "" if _is_missing(precision) else format_value("precision_m", precision)
        tail = f"; 误差可达 may be off by {margin}" if margin else ""
        return _APPROXIMATE + (words or "未实测 not surveyed") + tail
    return words


def _row(label: str, value: str) -> str:
    return f"<tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"


def popup_html(
    frame: pd.DataFrame,
    columns: list[str],
    *,
    labels: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Return the popup of each feature as an HTML table.

    Parameters
    ----------
    frame : pandas.DataFrame
        The layer.
    columns : list of str
        Attributes to show after the name (missing ones and empty values are skipped).
    labels : mapping of str to str, optional
        Labels of columns not in :data:`FIELD_LABELS`, or replacing them.
    sources : mapping of str to str, optional
        Readable names of the layer's source ids (from its metadata).
    values : mapping of str to mapping, optional
        Per column, readable names of its values (e.g. the legend labels of the
        classified column); other values are formatted by :func:`format_value`.

    Returns
    -------
    list of str
        One HTML fragment per row of ``frame``, in order.
    """
    names = {**FIELD_LABELS, **(labels or {})}
    approximate = approximate_mask(frame)
    shown = [c for c in dict.fromkeys(columns) if c in frame.columns
             and c not in {"name_zh", "name_en", "source", "precision_m", "geocode_method",
                           "description", "notes"}]
    popups = []
    for row, rough in zip(frame.to_dict("records"), approximate, strict=True):
        title = " ".join(str(row[c]) for c in ("name_zh", "name_en")
                         if c in row and not _is_missing(row[c]))
        parts = [f"<b>{html.escape(title)}</b>"] if title else []
        rows = [_row(names.get(c, c.replace("_", " ")),
                     (values or {}).get(c, {}).get(str(row[c])) or format_value(c, row[c]))
                for c in shown if not _is_missing(row[c])]
        placement = placement_sentence(row, bool(rough))
        if placement:
            rows.append(_row(names["geocode_method"], placement))
        for column in ("description", "notes"):
            text = row.get(column)
            if not _is_missing(text) and (column == "description" or rough):
                rows.append(_row(names[column], str(text)))
        if not _is_missing(row.get("precision_m")):
            rows.append(_row(names["precision_m"],
                             format_value("precision_m", row["precision_m"])))
        source = row.get("source")
        if not _is_missing(source):
            rows.append(_row(names["source"], (sources or {}).get(str(source), str(source))))
        parts.append("<table class='gisplan-popup'>" + "".join(rows) + "</table>")
        parts = ["<div class='gisplan-popup-box'>", *parts, "</div>"]
        popups.append("".join(parts))
    return popups
