"""The central OpenStreetMap extract: file paths and its declared extent.

Source: ``shared/data/raw/network/osm_central_chengdu_2018.osm`` (OSM XML made with
osmconvert, state before July 2018; repository lizihan021/ETA, see
network/PROVENANCE.md), ODbL-1.0 © OpenStreetMap contributors, WGS84. The parks and
water files under ``raw/parks`` and ``raw/water`` are filtered copies of it.
"""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import shapely

from compile_layers._common import OSM_SOURCE, RAW, extent_entry

OSM_FILE = RAW / "network" / "osm_central_chengdu_2018.osm"
PARKS_FILE = RAW / "parks" / "osm_central_chengdu_2018_parks.geojson"
OTHER_GREEN_FILE = RAW / "parks" / "osm_central_chengdu_2018_other_green.geojson"
WATERWAYS_FILE = RAW / "water" / "osm_central_chengdu_2018_waterways.geojson"
OSM_PRECISION_M = 10.0
"""OSM positions in central Chengdu: river edges of converted district boundaries lie
5-11 m from OSM centrelines (boundary/PROVENANCE.md)."""
OSM_META = {
    "sources": [OSM_SOURCE],
    "licence": OSM_SOURCE["licence"],
    "attribution": OSM_SOURCE["attribution"],
}
"""Source, licence and attribution of every layer taken from the extract."""



def add_osm_provenance(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Append the provenance columns of features taken as they are from the extract."""
    frame["source"] = "osm"
    frame["precision_m"] = OSM_PRECISION_M
    frame["geocode_method"] = "source_coordinates"
    return frame


_BOUNDS = re.compile(r"<bounds\s+([^>]*)/?>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def osm_bounds() -> tuple[float, float, float, float]:
    """Return the extract's ``<bounds>`` as (min_lon, min_lat, max_lon, max_lat).

    Raises
    ------
    ValueError
        If the file has no ``<bounds>`` element in its header.
    """
    with OSM_FILE.open(encoding="utf-8") as handle:
        head = handle.read(4096)
    match = _BOUNDS.search(head)
    if match is None:
        raise ValueError(f"{OSM_FILE} has no <bounds> element; cannot tell its extent")
    attrs = dict(_ATTR.findall(match.group(1)))
    return (float(attrs["minlon"]), float(attrs["minlat"]), float(attrs["maxlon"]),
            float(attrs["maxlat"]))


def extract_polygon() -> shapely.Polygon:
    """Return the extract's declared extent as a WGS84 polygon."""
    return shapely.box(*osm_bounds())


def extract_extent() -> dict[str, Any]:
    """Return the extent entry of layers taken from the extract: its declared bounds."""
    west, south, east, north = osm_bounds()
    return extent_entry(
        extract_polygon(),
        f"the central OpenStreetMap extract (its <bounds>, {west}-{east} E, "
        f"{south}-{north} N; state before July 2018)", 0.0)
