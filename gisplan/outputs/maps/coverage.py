"""The coverage maps: station catchments and park service areas, measured areas, districts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace

import folium
import geopandas as gpd
import pandas as pd

from gisplan.outputs.maps._base import (
    AREA_POPUP,
    add_layer,
    add_overlay,
    base_map,
    finish_map,
    layer_title,
    spatial_layer,
)
from gisplan.outputs.maps._timeline import (
    CATCHMENT_COLOUR,
    LINE_COLOUR,
    STATION_COLOUR,
    add_network_slider,
)
from gisplan.outputs.maps._titles import add_title, describe, headline, share_text
from gisplan.outputs.symbology import (
    METHOD_LABELS,
    Symbology,
    has_geometry,
    layer_symbology,
    target_classes,
)
from gisplan.plan import load_plan

__all__ = ["park_coverage_map", "station_coverage_map"]


_STATION_SHARE = ("800 m 站点覆盖率（按区县） Share within 800 m of a station, by district")

def _measurements(frame: gpd.GeoDataFrame) -> Iterable[tuple[str, str, gpd.GeoDataFrame]]:
    """Split an analysis layer into (method, area, part), in the layer's order."""
    keys = [c for c in ("method", "area") if c in frame.columns]
    if not keys:
        yield "", "", frame
        return
    for key, part in frame.groupby(keys, sort=False):
        method, area = (*key, "")[:2] if isinstance(key, tuple) else (key, "")
        yield str(method), str(area), part

def _measurement_name(prefix: str, method: str, area: str) -> str:
    label = ", ".join(p for p in (METHOD_LABELS.get(method, method), area) if p)
    return f"{prefix} ({label})" if label else prefix

def _short(name: object) -> str:
    """Return a name without its bracketed explanation: '中心城区（12区）' -> '中心城区'."""
    text = str(name or "")
    for bracket in ("（", " ("):
        text = text.split(bracket)[0]
    return text.strip()

def _area_names(layers: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Return a short bilingual name of each ``area_id`` of ``coverage_area``."""
    areas = layers.get("coverage_area")
    if areas is None or "area_id" not in areas.columns:
        return {}
    names = {}
    for row in areas.to_dict("records"):
        label = " ".join(_short(row.get(c)) for c in ("name_zh", "name_en") if row.get(c))
        names[str(row["area_id"])] = label or str(row["area_id"])
    return names

def _district_shares(
    layers: Mapping[str, pd.DataFrame], indicator: str
) -> tuple[gpd.GeoDataFrame, str, dict[str, str], list[str]] | None:
    """Return districts with one share column per measurement of an indicator.

    ``coverage_by_district`` is either already spatial (drawn as it is) or a table with
    ``indicator``, ``method``, ``area``, ``district`` and ``share`` that is joined to the
    ``districts`` layer on ``name_zh``; the measurement covering most districts (the first
    of equals) gives the ``share`` column that colours the map.

    Returns
    -------
    tuple or None
        The districts, the "method, area" label of the ``share`` column, the
        bilingual popup labels of the share columns and the columns for the popup.
    """
    table = layers.get("coverage_by_district")
    if isinstance(table, gpd.GeoDataFrame):
        spatial = spatial_layer(layers, "coverage_by_district")
        if spatial is None:
            return None
        return spatial, "", {}, [c for c in spatial.columns if c.endswith("km2")]
    districts = spatial_layer(layers, "districts")
    if table is None or districts is None or "district" not in table.columns:
        return None
    rows = table[table["indicator"] == indicator] if "indicator" in table.columns else table
    if rows.empty:
        return None
    areas = _area_names(layers)
    keys = [f"share_{m}_{a}" for m, a in zip(rows["method"], rows["area"], strict=True)]
    labels = {f"share_{m}_{a}": f"{METHOD_LABELS.get(m, m)}, {areas.get(a, a)}"
              for m, a in zip(rows["method"], rows["area"], strict=True)}
    wide = rows.assign(measurement=keys).pivot_table(
        index="district", columns="measurement", values="share", sort=False)
    wide = wide[list(dict.fromkeys(keys))]
    main = wide.count().idxmax()
    wide.insert(0, "share", wide[main])
    keep = [c for c in ("name_zh", "name_en", "source", "precision_m") if c in districts]
    shares = districts[[*keep, districts.geometry.name]].merge(
        wide, left_on="name_zh", right_index=True)
    shares.attrs["gisplan"] = {**table.attrs.get("gisplan", {}),
                               "sources": districts.attrs.get("gisplan", {}).get("sources", [])}
    popup_labels = {k: f"覆盖率 Share ({v})" for k, v in labels.items()}
    popup_labels["share"] = f"覆盖率 Share ({labels[main]})"
    others = [k for k in wide.columns if k not in ("share", main)]
    return shares, labels[main], popup_labels, others

def _period(layers: Mapping[str, pd.DataFrame]) -> tuple[dt.date, dt.date]:
    """Return the plan's baseline and period end (from ``indicators``, else the packaged plan)."""
    attrs = layers.get("indicators", pd.DataFrame()).attrs
    if attrs.get("baseline") and attrs.get("end_of_period"):
        return (dt.date.fromisoformat(attrs["baseline"]),
                dt.date.fromisoformat(attrs["end_of_period"]))
    plan = load_plan()
    return plan.baseline, plan.period_end


def _share_symbology(layers: Mapping[str, pd.DataFrame], indicator: str,
                     shares: gpd.GeoDataFrame) -> Symbology:
    """Return the district shading, its classes broken at the indicator's threshold."""
    symbology = layer_symbology("coverage_by_district", shares)
    row = headline(layers, indicator)
    if row is None or pd.isna(row["target"]):
        return symbology
    return replace(symbology, classes=target_classes(float(row["target"]),
                                                     str(row.get("comparison") or ">=")))


_TIMELINE_LEGEND = (
    ("所选日期的800米范围 Within 800 m of a station open on the day shown",
     Symbology(layer="timeline", geometry="polygon", colour=CATCHMENT_COLOUR,
               fill_opacity=0.3, width=1.0)),
    ("运营线路（所选日期） Sections open on the day shown",
     Symbology(layer="timeline", geometry="line", colour=LINE_COLOUR, width=2.5)),
    ("车站（所选日期） Stations open on the day shown",
     Symbology(layer="timeline", geometry="point", colour=STATION_COLOUR, radius=2.5,
               fill_opacity=1.0)),
)


def _add_measured(fmap: folium.Map, frame: gpd.GeoDataFrame, name: str, prefix: str,
                  legend: list[tuple[str, Symbology]],
                  area_names: Mapping[str, str] | None = None, *,
                  show_first: bool = True) -> None:
    """Add one overlay per (method, area) of an analysis layer; the first one shown.

    Each overlay has its own legend section, titled like the overlay with its method
    and area, and coloured by method as the whole layer is.
    """
    symbology = layer_symbology(name, frame)
    popup = [c for c in frame.columns if c != frame.geometry.name]
    names = area_names or {}
    first = True
    for method, area, part in _measurements(frame):
        if not has_geometry(part).any():
            continue
        readable = names.get(area, area)
        if "area" in part.columns:
            part = part.assign(area=readable)
        own = replace(symbology, categories=tuple(
            c for c in symbology.categories if c.value == method)) if method else symbology
        add_overlay(fmap, part, own, _measurement_name(prefix, method, readable), legend,
             show=first and show_first, popup_columns=popup)
        first = False

def _measured_areas(layers: Mapping[str, pd.DataFrame],
                    measured: list[gpd.GeoDataFrame | None]) -> gpd.GeoDataFrame | None:
    """Return the rows of ``coverage_area`` that the analysis layers measured."""
    areas = spatial_layer(layers, "coverage_area")
    used = {a for f in measured if f is not None and "area" in f.columns for a in f["area"]}
    if areas is None or not used or "area_id" not in areas.columns:
        return areas
    return areas[areas["area_id"].isin(used)]

def station_coverage_map(
    layers: Mapping[str, pd.DataFrame], *, tianditu_key: str | None = None
) -> folium.Map:
    """Return the map of rail-station coverage: 800 m catchments, the area measured, shares.

    Parameters
    ----------
    layers : mapping of str to (Geo)DataFrame
        Uses ``coverage_by_district`` (share per district and measurement, in popups;
        joined to ``districts`` when it is a table), ``coverage_area`` (the areas
        measured), ``station_catchments_800m`` (one overlay per method and area:
        straight-line and network) and ``metro_stations``; with ``rail_sections``, a
        time slider draws the network and its 800 m catchments of one day at a time,
        each day's coverage from ``rail_history`` in the title
        (:func:`gisplan.outputs.maps._timeline.add_network_slider`), and the layer
        control's catchments and stations start switched off.
    tianditu_key : str, optional
        Adds Tianditu basemaps.

    Returns
    -------
    folium.Map
        The map; save it with :func:`save_map`.
    """
    fmap = base_map("wgs84", tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    indicator = "rail_station_coverage_800m"
    timeline = isinstance(layers.get("rail_sections"), gpd.GeoDataFrame)
    found = _district_shares(layers, indicator)
    if found is not None:
        shares, measured, labels, popup = found
        title = f"{_STATION_SHARE} ({measured})" if measured else _STATION_SHARE
        add_overlay(fmap, shares, _share_symbology(layers, indicator, shares), title, legend,
                    show=False, popup_columns=popup, popup_labels=labels)
    catchments = spatial_layer(layers, "station_catchments_800m")
    area = _measured_areas(layers, [catchments])
    if area is not None:
        add_layer(fmap, area, "coverage_area", legend, popup_columns=AREA_POPUP)
    if catchments is not None:
        _add_measured(fmap, catchments, "station_catchments_800m",
                      "800 m 站点服务范围 Station catchments", legend, _area_names(layers),
                      show_first=not timeline)
    stations = spatial_layer(layers, "metro_stations")
    if stations is not None:
        small = replace(layer_symbology("metro_stations", stations), radius=2.5)
        add_overlay(fmap, stations, small, layer_title("metro_stations", stations), legend,
             show=not timeline, popup_columns=["lines"])  # small: catchments show between
    row = headline(layers, indicator, method="euclidean")
    add_title(fmap, describe(layers, row, "800 m coverage") if row is not None else
              "Rail stations and their 800 m catchments",
              "rail stations with their opening dates; straight-line 800 m")
    if timeline:
        baseline, period_end = _period(layers)
        if add_network_slider(fmap, layers, baseline=baseline, period_end=period_end):
            legend.extend(_TIMELINE_LEGEND)
    return finish_map(fmap, legend,
                      area if area is not None else spatial_layer(layers, "districts"))


def park_coverage_map(
    layers: Mapping[str, pd.DataFrame], *, tianditu_key: str | None = None
) -> folium.Map:
    """Return the map of parks by size class and their service areas.

    Parameters
    ----------
    layers : mapping of str to (Geo)DataFrame
        Uses ``districts`` (outlines), ``coverage_area`` (the areas measured),
        ``park_service_areas`` (one overlay per method and area) and ``parks``.
    tianditu_key : str, optional
        Adds Tianditu basemaps.

    Returns
    -------
    folium.Map
        The map; save it with :func:`save_map`.
    """
    fmap = base_map("wgs84", tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    districts = spatial_layer(layers, "districts")
    if districts is not None:
        add_layer(fmap, districts, "districts", legend)
    service = spatial_layer(layers, "park_service_areas")
    area = _measured_areas(layers, [service])
    if area is not None and service is not None:
        add_layer(fmap, area, "coverage_area", legend, popup_columns=AREA_POPUP)
    if service is not None:
        _add_measured(fmap, service, "park_service_areas",
                      "公园服务范围 Park service areas", legend, _area_names(layers))
    parks = spatial_layer(layers, "parks")
    if parks is not None:
        add_layer(fmap, parks, "parks", legend,
                   popup_columns=["area_m2", "service_radius_m", "green_type"])
    straight = headline(layers, "park_service_coverage", method="euclidean")
    walking = headline(layers, "park_service_coverage", method="network")
    if straight is not None:
        title = describe(layers, straight, "Park service-radius coverage")
        if walking is not None:
            title += f" (walking {share_text(walking['value'])})"
    else:
        title = "Parks and their service areas (GB/T 50563-2010)"
    add_title(fmap, title, _data_line(parks))
    bounds = area if area is not None and service is not None else parks
    return finish_map(fmap, legend, bounds if bounds is not None else districts)


def _data_line(frame: pd.DataFrame | None) -> str:
    """Return "data: <title of the layer>" (which data the figure rests on)."""
    if frame is None:
        return ""
    meta = frame.attrs.get("gisplan", {})
    return f"data: {meta.get('title_en') or meta.get('name') or ''}".strip()
