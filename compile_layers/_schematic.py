"""Documented schematic constructions from public figures and district polygons.

Nothing here reads a coordinate that is not in a data file: the only fixed point is
天府广场 (Tianfu Square), taken from the metro provenance note
(``shared/data/raw/metro/PROVENANCE.md``: Amap GCJ-02 position converted to WGS84);
every other shape is built from it, from district polygons and from published
lengths and areas quoted with each construction.
"""

from __future__ import annotations

import math

import geopandas as gpd
import shapely
from scipy.optimize import brentq

from gisplan.crs import METRIC_CRS, WGS84

TIANFU_SQUARE_WGS84 = (104.06339, 30.65957)
"""天府广场, WGS84 (metro/PROVENANCE.md, converted from Amap GCJ-02)."""


def to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    """Project one WGS84 geometry to EPSG:4544."""
    return gpd.GeoSeries([geom], crs=WGS84).to_crs(METRIC_CRS).iloc[0]


def to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    """Project one EPSG:4544 geometry to WGS84."""
    return gpd.GeoSeries([geom], crs=METRIC_CRS).to_crs(WGS84).iloc[0]


def centre_metric() -> shapely.Point:
    """Return 天府广场 in EPSG:4544."""
    return to_metric(shapely.Point(TIANFU_SQUARE_WGS84))


def ring_band(length_m: float, half_width_m: float) -> shapely.Geometry:
    """Return (in EPSG:4544) a circular band about 天府广场 for a ring road.

    The ring road of published length ``length_m`` is drawn as a circle of the same
    circumference, radius ``length_m / (2 pi)``, and buffered by ``half_width_m``.
    """
    radius = length_m / (2.0 * math.pi)
    circle = centre_metric().buffer(radius, quad_segs=64).exterior
    return circle.buffer(half_width_m, quad_segs=8)


def shared_boundary(districts_metric: gpd.GeoSeries, a: str, b: str,
                    tolerance_m: float = 200.0) -> shapely.Geometry:
    """Return the shared boundary of two districts (EPSG:4544), merged into lines."""
    line = districts_metric[a].boundary.intersection(districts_metric[b].buffer(tolerance_m))
    return shapely.line_merge(line) if line.geom_type == "MultiLineString" else line


def beyond_radius(area_metric: shapely.Geometry, radius_m: float) -> shapely.Geometry:
    """Return the part of ``area_metric`` farther than ``radius_m`` from 天府广场."""
    return area_metric.difference(centre_metric().buffer(radius_m, quad_segs=64))


def area_matched_radius(area_metric: shapely.Geometry, target_m2: float) -> float:
    """Return the radius about 天府广场 beyond which ``area_metric`` has ``target_m2``.

    Raises
    ------
    ValueError
        If the whole area is smaller than ``target_m2``.
    """
    if area_metric.area < target_m2:
        raise ValueError(
            f"area {area_metric.area / 1e6:.0f} km2 is smaller than the target "
            f"{target_m2 / 1e6:.0f} km2"
        )
    far = centre_metric().hausdorff_distance(area_metric)
    return brentq(lambda r: beyond_radius(area_metric, r).area - target_m2, 0.0, far,
                  xtol=10.0)
