"""The life-circle map: walking distance to the nearest facility of each kind, on hexagons.

It draws the layer ``life_circle_distances`` that the main job measures
(:func:`gisplan.analysis.distances.requirement_distances`: for every facility a
GB 50180-2018 circle needs, the walk from each hexagon of the measured area to the
nearest one), coloured within 300, 500, 1,000 and 2,000 m and red where none lies within
2,000 m, so the gaps show at a glance; the facilities and the residential land on top.
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import numpy as np
import pandas as pd

from gisplan.analysis.distances import DEFAULT_MAX_DISTANCE_M, unique_requirements
from gisplan.outputs.maps._base import add_layer, add_overlay, base_map, finish_map, spatial_layer
from gisplan.outputs.symbology import GradClass, Symbology

__all__ = ["DISTANCES_LAYER", "DISTANCE_CLASSES", "life_circles_map"]

DISTANCES_LAYER = "life_circle_distances"
"""The analysis layer the map draws: hexagons with the walk to each kind of facility."""
GAP_COLOUR = "#d7191c"
DISTANCE_CLASSES = (
    GradClass(0, 300, "<= 300 m (5 min)", "#1a9641"),
    GradClass(300, 500, "300-500 m (10 min)", "#a6d96a"),
    GradClass(500, 1000, "500-1000 m (15 min)", "#ffffbf"),
    GradClass(1000, DEFAULT_MAX_DISTANCE_M, "1000-2000 m", "#fdae61"),
    GradClass(DEFAULT_MAX_DISTANCE_M, float("inf"), "none within 2000 m (gap)", GAP_COLOUR),
)
"""Distance classes of the hexagons; those with no facility within 2,000 m (NaN) are red."""


def life_circles_map(layers: Mapping[str, pd.DataFrame], *,
                     tianditu_key: str | None = None) -> folium.Map:
    """Return the life-circle map: distance to the nearest facility of each kind.

    Parameters
    ----------
    layers : mapping of str to (Geo)DataFrame
        Uses :data:`DISTANCES_LAYER`, ``facilities`` and ``residential_land``; without
        the first the map holds only its basemaps and the facilities.
    tianditu_key : str, optional
        Adds Tianditu basemaps.

    Returns
    -------
    folium.Map
        The map; save it with :func:`gisplan.outputs.maps.save_map`.
    """
    fmap = base_map("wgs84", tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    hexes = spatial_layer(layers, DISTANCES_LAYER)
    if hexes is not None:
        labels = {r.requirement: r.label_zh for r in unique_requirements()}
        shown = [need for need in labels if need in hexes.columns]
        for i, need in enumerate(shown):
            frame = hexes[["hex_id", need, "geometry"]].rename(columns={need: "distance_m"})
            frame["precision_m"] = 10.0
            gaps = int(np.isnan(frame["distance_m"]).sum())
            symbology = Symbology(layer="life_circles", geometry="polygon",
                                  column="distance_m", classes=DISTANCE_CLASSES,
                                  colour=GAP_COLOUR, fill_opacity=0.55, width=0.3)
            name = (f"{labels[need]} {need}: 最近设施步行距离 walk to nearest "
                    f"({gaps} of {len(frame)} hexagons without one within 2 km)")
            add_overlay(fmap, frame, symbology, name, legend if i == 0 else [], show=i == 0,
                        popup_columns=["distance_m"])
    residential = spatial_layer(layers, "residential_land")
    if residential is not None:
        add_layer(fmap, residential, "residential_land", legend, show=False)
    facilities = spatial_layer(layers, "facilities")
    if facilities is not None:
        add_layer(fmap, facilities, "facilities", legend, popup_columns=["category", "osm_id"])
    return finish_map(fmap, legend, hexes if hexes is not None else facilities)
