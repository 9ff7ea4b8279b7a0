"""Interactive HTML maps (folium) of the plan's layers and its analyses, one file each.

Maps are built from a mapping of layer name -> (Geo)DataFrame, usually the layers of the
main job (:func:`gisplan.pipeline.collect_layers` and the analysis layers); layers that
are missing are left out. Every map is self-contained (Leaflet inlined) and written
atomically (:func:`save_map`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal, TypeAlias

import pandas as pd

from gisplan.outputs.maps._base import MAX_MAP_BYTES, MapView, map_html, save_map, show_map
from gisplan.outputs.maps.coverage import park_coverage_map, station_coverage_map
from gisplan.outputs.maps.life_circles import life_circles_map
from gisplan.outputs.maps.plan import PLAN_LAYERS, PLAN_SHOWN, plan_map

__all__ = ["MAP_FILES", "MAX_MAP_BYTES", "PLAN_LAYERS", "PLAN_SHOWN", "MapKey", "MapView",
           "life_circles_map", "map_html", "park_coverage_map", "plan_map", "save_map",
           "show_map", "station_coverage_map", "write_maps"]


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
        "life_circles": lambda: life_circles_map(layers, tianditu_key=tianditu_key),
    }
    folder = Path(out_dir)
    return [save_map(builders[key](), folder / MAP_FILES[key]) for key in which]
