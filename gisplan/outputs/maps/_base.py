"""What every map shares: the base map, overlays and legend, and the self-contained page.

Each map is one self-contained HTML file: Leaflet and its plugins are inlined from
installed copies (see :mod:`gisplan.outputs.maps._assets`), so the overlays are drawn
from disk without a network; only basemap tiles are fetched. Overlays are simplified
and rounded to what their ``precision_m`` warrants and drawn on a canvas.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd

from gisplan._atomic import write_atomically
from gisplan._errors import GisplanError
from gisplan.outputs.maps._assets import LEAFLET_CSS_URL, LEAFLET_JS_URL, inline_assets
from gisplan.outputs.maps._layers import Legend, overlay
from gisplan.outputs.maps.basemaps import System, add_basemaps, default_basemaps
from gisplan.outputs.symbology import Symbology, has_geometry, layer_symbology

__all__ = ["AREA_POPUP", "CONTROL_CSS", "MAX_MAP_BYTES", "MapView", "add_layer", "add_overlay",
           "base_map", "finish_map", "layer_title", "legend_layers", "map_html", "save_map",
           "show_map", "spatial_layer"]

AREA_POPUP = ["area_id", "area_km2", "description"]
"""Columns shown in the popup of a measured area."""


MAX_MAP_BYTES = 10 * 1024 * 1024
"""Largest map file :func:`save_map` writes."""

CHENGDU_CENTRE = (30.66, 104.07)

CONTROL_CSS = (
    "<style>.leaflet-control-layers {font-size: 12px; max-width: 340px;}"
    ".leaflet-control-layers label {white-space: normal; line-height: 1.3;}</style>"
)

def spatial_layer(layers: Mapping[str, pd.DataFrame], name: str) -> gpd.GeoDataFrame | None:
    frame = layers.get(name)
    if isinstance(frame, gpd.GeoDataFrame) and has_geometry(frame).any():
        return frame
    return None

def layer_title(name: str, frame: pd.DataFrame) -> str:
    meta = frame.attrs.get("gisplan", {})
    parts = [meta.get("title_zh"), meta.get("title_en")]
    return " ".join(str(p) for p in parts if p) or name

def base_map(system: System, tianditu_key: str | None) -> folium.Map:
    fmap = folium.Map(location=CHENGDU_CENTRE, zoom_start=10, tiles=None, prefer_canvas=True,
                      control_scale=True)
    fmap.default_js = [("leaflet", LEAFLET_JS_URL)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS_URL)]
    add_basemaps(fmap, default_basemaps(system, tianditu_key))
    return fmap

def legend_layers(fmap: folium.Map, headings: list[str]) -> dict[str, list[str]]:
    """Return the JavaScript names of the overlays of each legend section."""
    overlays = [c for c in fmap._children.values() if isinstance(c, folium.GeoJson)]
    return {h: [o.get_name() for o in overlays
                if o.layer_name == h or str(o.layer_name).startswith(h + " (")]
            for h in headings}

def finish_map(fmap: folium.Map, legend: list[tuple[str, Symbology]],
            bounds_from: gpd.GeoDataFrame | None) -> folium.Map:
    if legend:
        approximate = [
            c.get_name() for c in fmap._children.values() if isinstance(c, folium.GeoJson)
            and any(f["properties"].get("approximate") for f in c.data.get("features", []))]
        fmap.add_child(Legend(legend, layers=legend_layers(fmap, [h for h, _ in legend]),
                              approximate=approximate))
    folium.plugins.Fullscreen(position="topleft").add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    figure = cast(folium.Figure, fmap.get_root())  # a Map's root is always its Figure
    figure.header.add_child(folium.Element(CONTROL_CSS), name="gisplan_control_css")
    if bounds_from is not None:
        west, south, east, north = bounds_from.to_crs("EPSG:4326").total_bounds
        fmap.fit_bounds([[south, west], [north, east]])
    return fmap

def add_overlay(fmap: folium.Map, frame: gpd.GeoDataFrame, symbology: Symbology, name: str,
         legend: list[tuple[str, Symbology]], *, show: bool = True, system: System = "wgs84",
         popup_columns: list[str] | None = None,
         popup_labels: dict[str, str] | None = None) -> None:
    if not has_geometry(frame).any():  # e.g. a network catchment that reached nothing
        return
    overlay(frame, symbology, name, show=show, system=system, popup_columns=popup_columns,
            popup_labels=popup_labels).add_to(fmap)
    legend.append((name, symbology))

def add_layer(fmap: folium.Map, frame: gpd.GeoDataFrame, name: str,
               legend: list[tuple[str, Symbology]], *, show: bool = True,
               system: System = "wgs84", popup_columns: list[str] | None = None) -> None:
    """Add catalogue layer ``name`` with its own symbology and title."""
    add_overlay(fmap, frame, layer_symbology(name, frame), layer_title(name, frame), legend,
                show=show, system=system, popup_columns=popup_columns)

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
    return write_atomically(target, lambda tmp: tmp.write_bytes(page))
