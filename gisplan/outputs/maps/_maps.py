"""Interactive HTML maps (folium) of the plan's layers and its coverage analyses.

Each map is one self-contained HTML file: Leaflet and its plugins are inlined from
installed copies (see :mod:`gisplan.outputs.maps._assets`), so the overlays are drawn from
disk without a network; only basemap tiles are fetched. Overlays are simplified and
rounded to what their ``precision_m`` warrants and drawn on a canvas.

Maps are built from a mapping of layer name -> (Geo)DataFrame, usually
:func:`gisplan.pipeline.collect_layers`; layers that are missing are left out, and
plan layers this module does not name are added (hidden) to the plan map.

A map opens with its context and its subject switched on (:data:`PLAN_SHOWN` on the
plan map); every other overlay waits in the layer control. Features placed
schematically or at a district point are drawn dashed or hollow and their popups say
so; the legend shows the overlays that are on.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Literal, TypeAlias, cast

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd

from gisplan._errors import GisplanError
from gisplan.outputs.maps._assets import LEAFLET_CSS_URL, LEAFLET_JS_URL, inline_assets
from gisplan.outputs.maps._layers import Legend, overlay
from gisplan.outputs.maps._timeline import add_network_years
from gisplan.outputs.maps.basemaps import System, add_basemaps, default_basemaps
from gisplan.outputs.symbology import (
    METHOD_LABELS,
    Symbology,
    has_geometry,
    layer_symbology,
)

__all__ = [
    "MAP_FILES",
    "MAX_MAP_BYTES",
    "PLAN_LAYERS",
    "PLAN_SHOWN",
    "MapKey",
    "MapView",
    "map_html",
    "park_coverage_map",
    "plan_map",
    "save_map",
    "show_map",
    "station_coverage_map",
    "write_maps",
]

PLAN_LAYERS = (
    "districts", "planning_zones", "metro_lines", "metro_stations", "tod_sites",
    "functional_zones", "industrial_ecosystems", "ecosystem_projects", "eco_pattern_areas",
    "eco_pattern_rivers", "parks",
)
"""Plan layers on the plan map, bottom to top."""
PLAN_SHOWN = ("districts", "planning_zones", "metro_lines")
"""Plan layers switched on when the plan map opens (of planning_zones, the five
directional zones); the others are in the layer control."""
PLANNING_ZONE_PARTS = {
    "directional_zone": ("五大功能区 Five directional zones", True),
    "urban_class": ("中心城区与郊区新城 Central urban area and suburbs", False),
}
"""The planning_zones overlays (by ``zone_type``): name and whether shown at start."""
NOT_ON_PLAN_MAP = frozenset({
    "walk_edges", "walk_nodes", "water", "waterways", "coverage_area",
    "station_catchments_800m", "park_service_areas", "coverage_by_district", "indicators",
    "facilities", "residential_land", "life_circle_areas", "life_circle_coverage",
})
"""Layers kept off the plan map: networks, analysis outputs, large context layers."""
MapKey: TypeAlias = Literal["plan", "plan_gcj02", "stations", "parks", "life_circles"]
"""Name of one of the maps :func:`write_maps` writes."""
MAP_FILES: dict[MapKey, str] = {
    "plan": "chengdu_plan.html",
    "plan_gcj02": "chengdu_plan_gcj02.html",
    "stations": "station_coverage.html",
    "parks": "park_coverage.html",
    "life_circles": "life_circles.html",
}
"""File names of the maps written by :func:`write_maps`."""
MAX_MAP_BYTES = 10 * 1024 * 1024
"""Largest map file :func:`save_map` writes."""
CHENGDU_CENTRE = (30.66, 104.07)
_CONTROL_CSS = (
    "<style>.leaflet-control-layers {font-size: 12px; max-width: 340px;}"
    ".leaflet-control-layers label {white-space: normal; line-height: 1.3;}</style>"
)
_AREA_POPUP = ["area_id", "area_km2", "description"]
"""Columns shown in the popup of a measured area."""
_METHOD_NAMES = METHOD_LABELS
_STATION_SHARE = ("800 m 站点覆盖率（按区县） Share within 800 m of a station, by district")


def _spatial(layers: Mapping[str, pd.DataFrame], name: str) -> gpd.GeoDataFrame | None:
    frame = layers.get(name)
    if isinstance(frame, gpd.GeoDataFrame) and has_geometry(frame).any():
        return frame
    return None


def _title(name: str, frame: pd.DataFrame) -> str:
    meta = frame.attrs.get("gisplan", {})
    parts = [meta.get("title_zh"), meta.get("title_en")]
    return " ".join(str(p) for p in parts if p) or name


def _base_map(system: System, tianditu_key: str | None) -> folium.Map:
    fmap = folium.Map(location=CHENGDU_CENTRE, zoom_start=10, tiles=None, prefer_canvas=True,
                      control_scale=True)
    fmap.default_js = [("leaflet", LEAFLET_JS_URL)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS_URL)]
    add_basemaps(fmap, default_basemaps(system, tianditu_key))
    return fmap


def _legend_layers(fmap: folium.Map, headings: list[str]) -> dict[str, list[str]]:
    """Return the JavaScript names of the overlays of each legend section."""
    overlays = [c for c in fmap._children.values() if isinstance(c, folium.GeoJson)]
    return {h: [o.get_name() for o in overlays
                if o.layer_name == h or str(o.layer_name).startswith(h + " (")]
            for h in headings}


def _finish(fmap: folium.Map, legend: list[tuple[str, Symbology]],
            bounds_from: gpd.GeoDataFrame | None) -> folium.Map:
    if legend:
        approximate = [
            c.get_name() for c in fmap._children.values() if isinstance(c, folium.GeoJson)
            and any(f["properties"].get("approximate") for f in c.data.get("features", []))]
        fmap.add_child(Legend(legend, layers=_legend_layers(fmap, [h for h, _ in legend]),
                              approximate=approximate))
    folium.plugins.Fullscreen(position="topleft").add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    figure = cast(folium.Figure, fmap.get_root())  # a Map's root is always its Figure
    figure.header.add_child(folium.Element(_CONTROL_CSS), name="gisplan_control_css")
    if bounds_from is not None:
        west, south, east, north = bounds_from.to_crs("EPSG:4326").total_bounds
        fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def _add(fmap: folium.Map, frame: gpd.GeoDataFrame, symbology: Symbology, name: str,
         legend: list[tuple[str, Symbology]], *, show: bool = True, system: System = "wgs84",
         popup_columns: list[str] | None = None,
         popup_labels: dict[str, str] | None = None) -> None:
    if not has_geometry(frame).any():  # e.g. a network catchment that reached nothing
        return
    overlay(frame, symbology, name, show=show, system=system, popup_columns=popup_columns,
            popup_labels=popup_labels).add_to(fmap)
    legend.append((name, symbology))


def _add_layer(fmap: folium.Map, frame: gpd.GeoDataFrame, name: str,
               legend: list[tuple[str, Symbology]], *, show: bool = True,
               system: System = "wgs84", popup_columns: list[str] | None = None) -> None:
    """Add catalogue layer ``name`` with its own symbology and title."""
    _add(fmap, frame, layer_symbology(name, frame), _title(name, frame), legend, show=show,
         system=system, popup_columns=popup_columns)


def plan_map(
    layers: Mapping[str, pd.DataFrame],
    *,
    system: System = "wgs84",
    tianditu_key: str | None = None,
) -> folium.Map:
    """Return the map of the plan's layers, each toggleable in the layer control.

    Parameters
    ----------
    layers : mapping of str to (Geo)DataFrame
        Layers by name; those in :data:`PLAN_LAYERS` are drawn in that order, other
        spatial layers not in :data:`NOT_ON_PLAN_MAP` are added switched off.
    system : {"wgs84", "gcj02"}
        ``"gcj02"`` offers Amap basemaps and shifts every overlay to GCJ-02.
    tianditu_key : str, optional
        Adds Tianditu basemaps (WGS84 maps only).

    Returns
    -------
    folium.Map
        The map; save it with :func:`save_map`.
    """
    fmap = _base_map(system, tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    others = sorted(set(layers) - set(PLAN_LAYERS) - NOT_ON_PLAN_MAP)
    for name in [*PLAN_LAYERS, *others]:
        frame = _spatial(layers, name)
        if frame is None:
            continue
        if name == "planning_zones" and "zone_type" in frame.columns:
            _add_planning_zones(fmap, frame, legend, system=system)
            continue
        _add_layer(fmap, frame, name, legend, show=name in PLAN_SHOWN, system=system)
    return _finish(fmap, legend, _spatial(layers, "districts"))


def _add_planning_zones(fmap: folium.Map, frame: gpd.GeoDataFrame,
                        legend: list[tuple[str, Symbology]], *, system: System) -> None:
    """Add the directional zones and the urban classes as two overlays (they overlap)."""
    for zone_type, part in frame.groupby("zone_type", sort=False):
        title, shown = PLANNING_ZONE_PARTS.get(
            str(zone_type), (f"{_title('planning_zones', frame)} ({zone_type})", False))
        _add(fmap, part, layer_symbology("planning_zones", part), title, legend,
             show=shown and "planning_zones" in PLAN_SHOWN, system=system,
             popup_columns=["slogan_zh", "member_districts"])


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
    label = ", ".join(p for p in (_METHOD_NAMES.get(method, method), area) if p)
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
        spatial = _spatial(layers, "coverage_by_district")
        if spatial is None:
            return None
        return spatial, "", {}, [c for c in spatial.columns if c.endswith("km2")]
    districts = _spatial(layers, "districts")
    if table is None or districts is None or "district" not in table.columns:
        return None
    rows = table[table["indicator"] == indicator] if "indicator" in table.columns else table
    if rows.empty:
        return None
    areas = _area_names(layers)
    keys = [f"share_{m}_{a}" for m, a in zip(rows["method"], rows["area"], strict=True)]
    labels = {f"share_{m}_{a}": f"{_METHOD_NAMES.get(m, m)}, {areas.get(a, a)}"
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


def _add_measured(fmap: folium.Map, frame: gpd.GeoDataFrame, name: str, prefix: str,
                  legend: list[tuple[str, Symbology]],
                  area_names: Mapping[str, str] | None = None) -> None:
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
        _add(fmap, part, own, _measurement_name(prefix, method, readable), legend,
             show=first, popup_columns=popup)
        first = False


def _measured_areas(layers: Mapping[str, pd.DataFrame],
                    measured: list[gpd.GeoDataFrame | None]) -> gpd.GeoDataFrame | None:
    """Return the rows of ``coverage_area`` that the analysis layers measured."""
    areas = _spatial(layers, "coverage_area")
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
        straight-line and network) and ``metro_stations``; with ``rail_sections``, one
        overlay per year-end shows the network and its 800 m catchments as they grew
        (:func:`gisplan.outputs.maps._timeline.add_network_years`).
    tianditu_key : str, optional
        Adds Tianditu basemaps.

    Returns
    -------
    folium.Map
        The map; save it with :func:`save_map`.
    """
    fmap = _base_map("wgs84", tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    found = _district_shares(layers, "rail_station_coverage_800m")
    if found is not None:
        shares, measured, labels, popup = found
        title = f"{_STATION_SHARE} ({measured})" if measured else _STATION_SHARE
        _add(fmap, shares, layer_symbology("coverage_by_district", shares), title, legend,
             show=False, popup_columns=popup, popup_labels=labels)
    catchments = _spatial(layers, "station_catchments_800m")
    area = _measured_areas(layers, [catchments])
    if area is not None:
        _add_layer(fmap, area, "coverage_area", legend, popup_columns=_AREA_POPUP)
    if catchments is not None:
        _add_measured(fmap, catchments, "station_catchments_800m",
                      "800 m 站点服务范围 Station catchments", legend, _area_names(layers))
    stations = _spatial(layers, "metro_stations")
    if stations is not None:
        small = replace(layer_symbology("metro_stations", stations), radius=2.5)
        _add(fmap, stations, small, _title("metro_stations", stations), legend,
             popup_columns=["lines"])  # small, so the catchments show between them
    add_network_years(fmap, layers)
    return _finish(fmap, legend, area if area is not None else _spatial(layers, "districts"))


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
    fmap = _base_map("wgs84", tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    districts = _spatial(layers, "districts")
    if districts is not None:
        _add_layer(fmap, districts, "districts", legend)
    service = _spatial(layers, "park_service_areas")
    area = _measured_areas(layers, [service])
    if area is not None and service is not None:
        _add_layer(fmap, area, "coverage_area", legend, popup_columns=_AREA_POPUP)
    if service is not None:
        _add_measured(fmap, service, "park_service_areas",
                      "公园服务范围 Park service areas", legend, _area_names(layers))
    parks = _spatial(layers, "parks")
    if parks is not None:
        _add_layer(fmap, parks, "parks", legend,
                   popup_columns=["area_m2", "service_radius_m", "green_type"])
    bounds = area if area is not None and service is not None else parks
    return _finish(fmap, legend, bounds if bounds is not None else districts)


def map_html(fmap: folium.Map) -> str:
    """Return a map as one self-contained HTML page (Leaflet and plugins inlined).

    Parameters
    ----------
    fmap : folium.Map
        A map from this module.

    Returns
    -------
    str
        The page.
    """
    return inline_assets(fmap.get_root().render())


class MapView:
    """A map shown in Jupyter from its self-contained page (no CDN needed)."""

    def __init__(self, page: str, height: int = 520) -> None:
        self.page = page
        self.height = height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
                f'style="width: 100%; height: {self.height}px; border: none"></iframe>')


def show_map(fmap: folium.Map, height: int = 520) -> MapView:
    """Return a view of a map for Jupyter that draws without a network.

    folium's own notebook display links Leaflet from a CDN; this one inlines it.

    Parameters
    ----------
    fmap : folium.Map
        A map from this module.
    height : int
        Height of the view in pixels.

    Returns
    -------
    MapView
        An object Jupyter displays as the map.
    """
    return MapView(map_html(fmap), height)


def save_map(fmap: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write a map as one self-contained HTML file, atomically.

    Parameters
    ----------
    fmap : folium.Map
        A map from this module.
    path : str or os.PathLike
        Target ``.html`` file.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    GisplanError
        If the page would need an asset without a local copy, or exceed
        :data:`MAX_MAP_BYTES`.
    """
    target = Path(path)
    page = map_html(fmap).encode("utf-8")
    if len(page) > MAX_MAP_BYTES:
        raise GisplanError(
            f"map {target.name} would be {len(page) / 1e6:.1f} MB, over the "
            f"{MAX_MAP_BYTES / 1e6:.0f} MB limit; leave large layers off it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".html",
                                        dir=target.parent)
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(page)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, target)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return target


def _life_circles_map(layers: Mapping[str, pd.DataFrame],
                      tianditu_key: str | None) -> folium.Map:
    from gisplan.outputs.maps.life_circles import life_circles_map  # it builds on this module

    return life_circles_map(layers, tianditu_key=tianditu_key)


def write_maps(
    layers: Mapping[str, pd.DataFrame],
    out_dir: str | os.PathLike[str] = "maps",
    *,
    tianditu_key: str | None = None,
    which: Iterable[MapKey] = tuple(MAP_FILES),
) -> list[Path]:
    """Write the HTML maps into a folder.

    Parameters
    ----------
    layers : mapping of str to (Geo)DataFrame
        Layers by name, e.g. :func:`gisplan.pipeline.collect_layers`.
    out_dir : str or os.PathLike
        Output folder, created if missing.
    tianditu_key : str, optional
        Adds Tianditu basemaps to the WGS84 maps.
    which : iterable of str
        Keys of :data:`MAP_FILES` to write; all by default.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    builders = {
        "plan": lambda: plan_map(layers, tianditu_key=tianditu_key),
        "plan_gcj02": lambda: plan_map(layers, system="gcj02"),
        "stations": lambda: station_coverage_map(layers, tianditu_key=tianditu_key),
        "parks": lambda: park_coverage_map(layers, tianditu_key=tianditu_key),
        "life_circles": lambda: _life_circles_map(layers, tianditu_key),
    }
    folder = Path(out_dir)
    return [save_map(builders[key](), folder / MAP_FILES[key]) for key in which]
