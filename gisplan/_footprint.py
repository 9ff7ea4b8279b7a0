"""A point on a feature and the radius about it that covers the whole feature.

The one rule used by the geocoder and by every layer compiler that reduces a line or a
polygon to a point:

* the point is the feature's centroid when the centroid lies on the feature, otherwise
  a point on its surface (GEOS ``point_on_surface``), both computed in EPSG:4544;
* the radius is the largest distance from that point to the feature (the discrete
  Hausdorff distance, exact here since the farthest point of a feature is a vertex),
  rounded up to two significant figures (7,536 m -> 7,600 m; 48 m -> 48 m);
* a feature's precision as a point is the larger of that radius and its own
  ``precision_m``.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from gisplan.crs import METRIC_CRS, WGS84

__all__ = ["point_and_radius", "round_up_2_significant"]


def round_up_2_significant(metres: float) -> float:
    """Round a non-negative distance up to two significant figures (0 stays 0)."""
    if not metres > 0:
        return 0.0
    step = 10.0 ** max(0, math.floor(math.log10(metres)) - 1)
    return float(math.ceil(round(metres / step, 9)) * step)


def point_and_radius(
    geometries: gpd.GeoSeries, precision_m: np.ndarray | float | None = None
) -> tuple[gpd.GeoSeries, np.ndarray]:
    """Return a point on each feature and the radius about it that covers the feature.

    Parameters
    ----------
    geometries : geopandas.GeoSeries
        Non-empty geometries with a CRS.
    precision_m : array-like or float, optional
        The features' own horizontal uncertainty; the returned radius is at least this.

    Returns
    -------
    points : geopandas.GeoSeries
        One point per feature, in WGS84, with the index of ``geometries``.
    radius_m : numpy.ndarray
        Radius in metres about each point covering its whole feature (see module notes).

    Raises
    ------
    ValueError
        If ``geometries`` has no CRS or holds missing or empty geometries.
    """
    if geometries.crs is None:
        raise ValueError("geometries have no CRS; set one before reducing them to points")
    if bool((geometries.isna() | geometries.is_empty).any()):
        raise ValueError("geometries contain missing or empty features; drop them first")
    metric = geometries.to_crs(METRIC_CRS).values
    centroids = shapely.centroid(metric)
    on_feature = shapely.intersects(centroids, metric)
    points = np.where(on_feature, centroids, shapely.point_on_surface(metric))
    extent = shapely.hausdorff_distance(points, metric)
    radius = np.array([round_up_2_significant(float(d)) for d in extent])
    if precision_m is not None:
        own = np.broadcast_to(np.asarray(precision_m, dtype=float), radius.shape)
        radius = np.fmax(radius, own)
    wgs = gpd.GeoSeries(points, crs=METRIC_CRS, index=geometries.index).to_crs(WGS84)
    is_point = (geometries.geom_type == "Point").to_numpy()
    if is_point.any():  # a point stays exactly where it is (no round trip through 4544)
        wgs[is_point] = geometries[is_point].to_crs(WGS84)
    return wgs, radius
