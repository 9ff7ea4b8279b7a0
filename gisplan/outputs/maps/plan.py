"""The plan map: every plan layer, each switchable, the plan's structure shown at start.

A map opens with its context and its subject switched on (:data:`PLAN_SHOWN`); every
other overlay waits in the layer control. Layers this module does not name are added
(hidden). Features placed schematically or at a district point are drawn dashed or
hollow and their popups say so.
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from gisplan.outputs.maps._base import (
    add_layer,
    add_overlay,
    base_map,
    finish_map,
    layer_title,
    spatial_layer,
)
from gisplan.outputs.maps._titles import add_title
from gisplan.outputs.maps.basemaps import System
from gisplan.outputs.symbology import (
    Symbology,
    approximate_mask,
    has_geometry,
    layer_symbology,
)

__all__ = ["NOT_ON_PLAN_MAP", "PLAN_LAYERS", "PLAN_SHOWN", "plan_map"]


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
    "life_circle_distances",
})
"""Layers kept off the plan map: networks, analysis outputs, large context layers."""

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
    fmap = base_map(system, tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    others = sorted(set(layers) - set(PLAN_LAYERS) - NOT_ON_PLAN_MAP)
    for name in [*PLAN_LAYERS, *others]:
        frame = spatial_layer(layers, name)
        if frame is None:
            continue
        if name == "planning_zones" and "zone_type" in frame.columns:
            _add_planning_zones(fmap, frame, legend, system=system)
            continue
        add_layer(fmap, frame, name, legend, show=name in PLAN_SHOWN, system=system)
    add_title(fmap, *_plan_title(layers, system))
    return finish_map(fmap, legend, spatial_layer(layers, "districts"))


def _plan_title(layers: Mapping[str, pd.DataFrame], system: System) -> tuple[str, str]:
    """Return the plan map's title (features placed, how) and its data line."""
    frames = [layers[n] for n in PLAN_LAYERS if n in layers]
    total = sum(len(f) for f in frames)
    located = sum(int(has_geometry(f).sum()) for f in frames if "geometry" in f)
    rough = sum(int((has_geometry(f) & approximate_mask(f)).sum()) for f in frames
                if "geometry" in f)
    day = layers.get("indicators", pd.DataFrame()).attrs.get("as_of")
    title = (f"十四五规划空间图层 Plan layers: {located:,} of {total:,} features on the map, "
             f"{rough:,} of them schematic or at a district point")
    shift = "; shifted to GCJ-02 for the Amap basemap" if system == "gcj02" else ""
    return title, (f"data of {day}" if day else "embedded layers") + shift

def _add_planning_zones(fmap: folium.Map, frame: gpd.GeoDataFrame,
                        legend: list[tuple[str, Symbology]], *, system: System) -> None:
    """Add the directional zones and the urban classes as two overlays (they overlap)."""
    for zone_type, part in frame.groupby("zone_type", sort=False):
        title, shown = PLANNING_ZONE_PARTS.get(
            str(zone_type), (f"{layer_title('planning_zones', frame)} ({zone_type})", False))
        add_overlay(fmap, part, layer_symbology("planning_zones", part), title, legend,
             show=shown and "planning_zones" in PLAN_SHOWN, system=system,
             popup_columns=["slogan_zh", "member_districts"])
