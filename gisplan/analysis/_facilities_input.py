"""Facilities as sources: the checked point layer, and a walking distance from minutes."""

from __future__ import annotations

import geopandas as gpd

from gisplan._errors import CoverageInputError
from gisplan.standards.life_circles import minutes_to_metres

__all__ = ["facility_points", "walk_radius"]


def facility_points(facilities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(facilities, gpd.GeoDataFrame) or "category" not in facilities.columns:
        raise CoverageInputError(
            "facilities must be a GeoDataFrame with a 'category' column (the facilities "
            "layer, or your own POIs loaded with load_layer('facilities', path, crs=...))"
        )
    if facilities.crs is None:
        raise CoverageInputError("facilities have no CRS; set it (EPSG:4326 for WGS84)")
    geoms = facilities.geometry
    kinds = set(geoms[~(geoms.isna() | geoms.is_empty)].geom_type)
    if kinds - {"Point"}:
        raise CoverageInputError(
            f"facilities must be points, found {sorted(kinds)}; reduce areas to points "
            "with frame.representative_point()"
        )
    return facilities

def walk_radius(radius: float | None, minutes: float | None, speed: float | None,
            default: float | None = None) -> float:
    if radius is not None and minutes is not None:
        raise CoverageInputError("give either radius (metres) or minutes, not both")
    if minutes is not None:
        return minutes_to_metres(minutes, speed)
    value = default if radius is None else radius
    if value is None or not value > 0:
        raise CoverageInputError(f"radius must be a positive distance in metres, got {value!r}")
    return float(value)
