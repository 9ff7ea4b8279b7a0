"""Checks and conversions of the inputs of every measurement: CRS, units, geometry types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gisplan._errors import CoverageInputError, CRSError
from gisplan._validate import check_coordinate_units, positive_distance
from gisplan.catalogue.areas import MIN_AREA_M2
from gisplan.crs import METRIC_CRS, metric_crs_for
from gisplan.network import WalkNetwork

__all__ = ["METHODS", "check_method", "checked_distances", "input_geometries", "labels",
           "measured_area_name", "measuring_crs", "metric_geometries", "point_geometries",
           "polygon_union"]


METHODS = ("euclidean", "network")

def input_geometries(data: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> gpd.GeoSeries:
    """Return the geometries of an input, after checking its type, CRS and units."""
    if not isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        raise CoverageInputError(
            f"{what} must be a GeoDataFrame or GeoSeries with a CRS, got {type(data).__name__}"
        )
    if data.crs is None:
        raise CRSError(
            f"{what} have no CRS; set it (e.g. .set_crs('EPSG:4326') for WGS84 data, or "
            "convert GCJ-02 data with gisplan.crs.to_wgs84 first)"
        )
    geoms = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    check_coordinate_units(geoms, data.crs.is_geographic, data.crs.to_string(), what)
    return geoms

def metric_geometries(data: gpd.GeoDataFrame | gpd.GeoSeries, what: str, crs: str) -> gpd.GeoSeries:
    return input_geometries(data, what).to_crs(crs)

def measuring_crs(area: gpd.GeoDataFrame | gpd.GeoSeries, method: str,
                   network: WalkNetwork | None = None) -> str:
    """Return the metric CRS of a computation: the network's, or one fitting the area."""
    if method == "network":
        # the embedded network (load_walk_network) is in METRIC_CRS
        return network.crs if isinstance(network, WalkNetwork) else METRIC_CRS
    geoms = input_geometries(area, "area")
    if (geoms.isna() | geoms.is_empty).all():
        raise CoverageInputError("area have no area; a share of an empty area is undefined")
    return metric_crs_for(geoms)

def point_geometries(stations: gpd.GeoDataFrame | gpd.GeoSeries, crs: str) -> gpd.GeoSeries:
    geoms = metric_geometries(stations, "stations", crs)
    missing = geoms.isna() | geoms.is_empty
    if missing.any():
        raise CoverageInputError(
            f"{int(missing.sum())} station(s) have no geometry (index "
            f"{list(geoms.index[missing][:5])}); drop or locate them"
        )
    kinds = set(geoms.geom_type)
    if kinds - {"Point"}:
        raise CoverageInputError(
            f"stations must be Points, found {sorted(kinds)}; use representative points "
            "(e.g. frame.representative_point()) if you have station polygons"
        )
    return geoms

def polygon_union(data: gpd.GeoDataFrame | gpd.GeoSeries, what: str,
                   crs: str) -> shapely.Geometry:
    geoms = metric_geometries(data, what, crs)
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    kinds = set(geoms.geom_type)
    if kinds - {"Polygon", "MultiPolygon"}:
        raise CoverageInputError(f"{what} must be polygons, found {sorted(kinds)}")
    invalid = ~geoms.is_valid
    if invalid.any():
        reasons = list(shapely.is_valid_reason(geoms[invalid].values[:3]))
        raise CoverageInputError(
            f"{int(invalid.sum())} invalid polygon(s) in {what} (e.g. {reasons}); repair "
            "them with shapely.make_valid (or QGIS 'Fix geometries') and check the result"
        )
    union = shapely.union_all(geoms.values)
    if union.is_empty or union.area < MIN_AREA_M2:  # in a metric CRS: flat or degenerate
        raise CoverageInputError(
            f"{what} have no area: flat or degenerate polygons (e.g. three points on one "
            "line); a share of an empty area is undefined")
    return union

def measured_area_name(area: gpd.GeoDataFrame | gpd.GeoSeries, name: str | None) -> str:
    if name is not None:
        return name
    if isinstance(area, gpd.GeoDataFrame) and "area_id" in area.columns and len(area):
        return ";".join(str(a) for a in area["area_id"])
    return "user area"

def check_method(method: str) -> None:
    if method not in METHODS:
        raise CoverageInputError(f"method must be one of {METHODS}, got {method!r}")

def checked_distances(**values: Any) -> dict[str, float]:
    """Each distance argument checked by :func:`gisplan._validate.positive_distance`."""
    return {name: positive_distance(value, name) for name, value in values.items()}

def labels(data: gpd.GeoDataFrame | gpd.GeoSeries, index: Sequence[Any]) -> list[str]:
    """Name (``name_zh``) of the given rows for messages, else their index label."""
    names = data["name_zh"] if isinstance(data, gpd.GeoDataFrame) and "name_zh" in data else None
    return [str(names.loc[i]) if names is not None and pd.notna(names.loc[i]) else str(i)
            for i in index]
