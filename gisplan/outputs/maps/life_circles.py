"""The life-circle map: walking distance to the nearest facility of each kind, on hexagons.

For every facility a GB 50180-2018 circle needs (:data:`gisplan.standards.life_circles.
CIRCLE_REQUIREMENTS`, each once), a hexagon grid of the measured area is coloured by the
walking distance from each hexagon's centre to the nearest such facility
(:func:`gisplan.analysis.access.nearest_facility_distances`): within 300, 500, 1,000 and 2,000 m,
and red where none lies within 2,000 m, so the gaps show at a glance. The facilities
and the residential land are drawn on top. Like the other maps it is one
self-contained file (see :mod:`gisplan.outputs.maps`).
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from gisplan.analysis.access import DEFAULT_MAX_DISTANCE_M, hexagon_grid, nearest_facility_distances
from gisplan.network.graph import WalkNetwork, network_from_edges
from gisplan.outputs.maps._maps import _add, _add_layer, _base_map, _finish, _spatial
from gisplan.outputs.symbology import GradClass, Symbology
from gisplan.standards.life_circles import CIRCLE_REQUIREMENTS, CircleRequirement

__all__ = ["DISTANCE_CLASSES", "MAP_AREA_ID", "life_circles_map", "requirement_distances"]

MAP_AREA_ID = "central_osm_extract"
"""``coverage_area`` row the map tiles: the extent of the walking network."""
HEX_SIZE_M = 200.0
"""Side of the map's hexagons in metres."""
GAP_COLOUR = "#d7191c"
DISTANCE_CLASSES = (
    GradClass(0, 300, "<= 300 m (5 min)", "#1a9641"),
    GradClass(300, 500, "300-500 m (10 min)", "#a6d96a"),
    GradClass(500, 1000, "500-1000 m (15 min)", "#ffffbf"),
    GradClass(1000, DEFAULT_MAX_DISTANCE_M, "1000-2000 m", "#fdae61"),
    GradClass(DEFAULT_MAX_DISTANCE_M, float("inf"), "none within 2000 m (gap)", GAP_COLOUR),
)
"""Distance classes of the hexagons; those with no facility within 2,000 m (NaN) are red."""


def _unique_requirements() -> list[CircleRequirement]:
    seen: dict[tuple[str, ...], CircleRequirement] = {}
    for requirement in CIRCLE_REQUIREMENTS:
        seen.setdefault(requirement.categories, requirement)
    return list(seen.values())


def requirement_distances(facilities: gpd.GeoDataFrame, area: gpd.GeoDataFrame,
                          network: WalkNetwork, *, hex_size_m: float = HEX_SIZE_M
                          ) -> gpd.GeoDataFrame:
    """Return hexagons of ``area`` with the distance to the nearest facility of each need.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with a ``category`` column.
    area : geopandas.GeoDataFrame
        Polygons to tile.
    network : WalkNetwork
        Walking network spanning the area.
    hex_size_m : float, optional
        Hexagon side in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        ``hex_id``, ``snap_m``, one column per requirement (the smallest distance over
        its categories, NaN beyond 2,000 m), in the network's CRS.
    """
    needs = _unique_requirements()
    categories = sorted({c for r in needs for c in r.categories})
    hexes = nearest_facility_distances(facilities, categories=categories, network=network,
                                       origins=hexagon_grid(area, hex_size_m, crs=network.crs))
    out = hexes[["hex_id", "snap_m", "geometry"]].copy()
    for need in needs:
        out[need.requirement] = hexes[list(need.categories)].min(axis=1, skipna=True)
    return out


def life_circles_map(layers: Mapping[str, pd.DataFrame], *,
                     tianditu_key: str | None = None) -> folium.Map:
    """Return the life-circle map: distance to the nearest facility of each kind.

    Parameters
    ----------
    layers : mapping of str to (Geo)DataFrame
        Uses ``facilities``, ``walk_edges`` (the network), ``coverage_area`` (row
        :data:`MAP_AREA_ID`) and ``residential_land``; without the first three the map
        holds only its basemaps.
    tianditu_key : str, optional
        Adds Tianditu basemaps.

    Returns
    -------
    folium.Map
        The map; save it with :func:`gisplan.outputs.maps.save_map`.
    """
    fmap = _base_map("wgs84", tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    facilities = _spatial(layers, "facilities")
    edges = _spatial(layers, "walk_edges")
    areas = _spatial(layers, "coverage_area")
    area = None if areas is None else areas[areas["area_id"] == MAP_AREA_ID]
    if facilities is not None and edges is not None and area is not None and len(area):
        hexes = requirement_distances(facilities, area, network_from_edges(edges))
        labels = {r.requirement: r.label_zh for r in _unique_requirements()}
        for i, (need, label) in enumerate(labels.items()):
            frame = hexes[["hex_id", need, "geometry"]].rename(columns={need: "distance_m"})
            frame["precision_m"] = 10.0
            gaps = int(np.isnan(frame["distance_m"]).sum())
            symbology = Symbology(layer="life_circles", geometry="polygon",
                                  column="distance_m", classes=DISTANCE_CLASSES,
                                  colour=GAP_COLOUR, fill_opacity=0.55, width=0.3)
            name = (f"{label} {need}: 最近设施步行距离 walk to nearest "
                    f"({gaps} of {len(frame)} hexagons without one within 2 km)")
            _add(fmap, frame, symbology, name, legend if i == 0 else [], show=i == 0,
                 popup_columns=["distance_m"])
    residential = _spatial(layers, "residential_land")
    if residential is not None:
        _add_layer(fmap, residential, "residential_land", legend, show=False)
    if facilities is not None:
        _add_layer(fmap, facilities, "facilities", legend, popup_columns=["category", "osm_id"])
    return _finish(fmap, legend, area if area is not None and len(area) else facilities)
