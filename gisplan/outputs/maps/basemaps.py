"""Basemap tile layers for the HTML maps, each with its attribution and coordinate system.

OpenStreetMap, CartoDB Positron and Tianditu (天地图, CGCS2000, within about a metre of
WGS84) line up with gisplan's WGS84 layers. Amap/Gaode (高德) tiles are drawn in
GCJ-02, offset from WGS84 by a few hundred metres in Chengdu; a map that offers them
shifts its overlays to GCJ-02 (see :func:`gisplan.outputs.maps.plan_map`). Only basemap tiles
need the network; the overlays are drawn without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import folium

from gisplan._errors import GisplanError

__all__ = [
    "AMAP_NORMAL",
    "AMAP_SATELLITE",
    "OPENSTREETMAP",
    "POSITRON",
    "Basemap",
    "add_basemaps",
    "default_basemaps",
    "tianditu",
]

System = Literal["wgs84", "gcj02"]


@dataclass(frozen=True)
class Basemap:
    """A tile layer: name in the layer control, URL template, attribution, system."""

    name: str
    url: str
    attribution: str
    system: System = "wgs84"
    subdomains: str = "abc"
    max_zoom: int = 19
    overlay: bool = False


OPENSTREETMAP = Basemap(
    "OpenStreetMap",
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
POSITRON = Basemap(
    "CartoDB Positron",
    "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
    '&copy; <a href="https://carto.com/attributions">CARTO</a>',
    subdomains="abcd",
    max_zoom=20,
)
AMAP_NORMAL = Basemap(
    "高德地图 Amap (GCJ-02)",
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}",
    '&copy; <a href="https://www.amap.com/">高德地图 Amap</a>',
    system="gcj02",
    subdomains="1234",
    max_zoom=18,
)
AMAP_SATELLITE = Basemap(
    "高德卫星 Amap satellite (GCJ-02)",
    "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
    '&copy; <a href="https://www.amap.com/">高德地图 Amap</a>',
    system="gcj02",
    subdomains="1234",
    max_zoom=18,
)
_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}"
    "&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
_TIANDITU_ATTRIBUTION = '&copy; <a href="https://www.tianditu.gov.cn/">天地图 Tianditu</a>'


def tianditu(key: str) -> tuple[Basemap, Basemap]:
    """Return the Tianditu vector basemap and its Chinese annotation overlay.

    Parameters
    ----------
    key : str
        The user's Tianditu browser key (``tk``), from https://console.tianditu.gov.cn/.
        It is written into the HTML file, readable by whoever gets the file.

    Returns
    -------
    tuple of Basemap
        The vector basemap and the annotation layer (an overlay).

    Raises
    ------
    GisplanError
        If the key is not a plain string of letters and digits.
    """
    if not key.strip().isalnum():
        raise GisplanError(f"a Tianditu key is letters and digits only, got {key!r}")
    vec = Basemap("天地图 Tianditu", _TIANDITU_URL.format(layer="vec", key=key.strip()),
                  _TIANDITU_ATTRIBUTION, subdomains="01234567", max_zoom=18)
    cva = Basemap("天地图注记 Tianditu labels", _TIANDITU_URL.format(layer="cva", key=key.strip()),
                  _TIANDITU_ATTRIBUTION, subdomains="01234567", max_zoom=18, overlay=True)
    return vec, cva


def default_basemaps(system: System = "wgs84", tianditu_key: str | None = None) -> list[Basemap]:
    """Return the basemaps offered on a map whose overlays are in ``system``.

    Parameters
    ----------
    system : {"wgs84", "gcj02"}
        Coordinate system of the map's overlays: WGS84 maps get OpenStreetMap,
        CartoDB Positron and, with a key, Tianditu; GCJ-02 maps get Amap.
    tianditu_key : str, optional
        A Tianditu key; without it no Tianditu layer is offered.

    Returns
    -------
    list of Basemap
        The first one is shown when the map opens.
    """
    if system == "gcj02":
        return [AMAP_NORMAL, AMAP_SATELLITE]
    basemaps = [OPENSTREETMAP, POSITRON]
    if tianditu_key:
        basemaps.extend(tianditu(tianditu_key))
    return basemaps


def add_basemaps(fmap: folium.Map, basemaps: list[Basemap]) -> None:
    """Add tile layers to a map; the first base layer is shown.

    Parameters
    ----------
    fmap : folium.Map
        A map created with ``tiles=None``.
    basemaps : list of Basemap
        Layers to add, in layer-control order.
    """
    first = True
    for basemap in basemaps:
        folium.TileLayer(
            tiles=basemap.url, attr=basemap.attribution, name=basemap.name,
            subdomains=basemap.subdomains, max_zoom=basemap.max_zoom, overlay=basemap.overlay,
            control=True, show=first or basemap.overlay,
        ).add_to(fmap)
        first = first and basemap.overlay
