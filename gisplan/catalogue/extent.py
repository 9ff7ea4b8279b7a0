"""Where a layer is complete, and whether a measured area stays inside it.

Every catalogue layer records in its metadata the polygon where its data are complete
(``layer_metadata(name)["extent"]``): the central OpenStreetMap extract for parks,
water and the walking network, the municipality for districts, stations and the plan's
layers. A user's own file loaded with :func:`gisplan.load_layer` gets the extent it is
declared with, or else the convex hull of its features; a frame built in code can be
given one with :func:`declare_extent`.

An indicator that counts features (stations, parks) over an area can only be right
where those features are complete. :func:`check_extents` compares the area with the
extents of the inputs that make the numerator: where the area reaches beyond them it
returns a note and issues an :class:`~gisplan.IncompleteDataWarning` (an error with
``strict=True``); an area that shares nothing with them is always an error.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gisplan._errors import CoverageInputError, IncompleteDataWarning
from gisplan.crs import WGS84

__all__ = ["EXTENT_TOLERANCE", "check_extents", "declare_extent", "extent_from_record",
           "extent_record", "features_extent", "frame_extent"]

EXTENT_TOLERANCE = 0.001
"""Share of the area that may lie beyond an extent (after growing the extent by its
``precision_m``) before the result says so: slivers along a shared boundary do not count."""

FEATURE_HULL = "the convex hull of its features (no extent was declared)"
DECLARED = "declared by the user"


def _meta(layer: pd.DataFrame | gpd.GeoSeries) -> dict[str, Any] | None:
    meta = layer.attrs.get("gisplan")
    return meta if isinstance(meta, dict) else None


def extent_from_record(record: dict[str, Any] | None) -> gpd.GeoSeries | None:
    """Return the polygon of an extent record (as stored in metadata), None for None.

    Parameters
    ----------
    record : dict or None
        ``{"description", "precision_m", "wkt"}``, as :func:`extent_record` makes it.

    Returns
    -------
    geopandas.GeoSeries or None
        One polygon in EPSG:4326 with ``attrs["description"]`` and ``attrs["precision_m"]``.
    """
    if record is None:
        return None
    series = gpd.GeoSeries([shapely.from_wkt(record["wkt"])], crs=WGS84)
    series.attrs = {"description": record["description"],
                    "precision_m": float(record.get("precision_m", 0.0))}
    return series


def frame_extent(frame: pd.DataFrame | gpd.GeoSeries) -> gpd.GeoSeries | None:
    """Return the polygon where a loaded frame's data are complete (None if it has none).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or GeoSeries
        A frame from :func:`gisplan.load_layer` or :func:`declare_extent`.

    Returns
    -------
    geopandas.GeoSeries or None
        As :func:`extent_from_record`.
    """
    meta = _meta(frame)
    return extent_from_record(None if meta is None else meta.get("extent"))


def extent_record(extent: Any, description: str, precision_m: float = 0.0) -> dict[str, Any]:
    """Return the metadata entry of an extent: description, precision and GeoJSON polygon.

    Parameters
    ----------
    extent : shapely geometry (EPSG:4326), geopandas.GeoSeries or GeoDataFrame
        The polygon(s) where the data are complete; frames are reprojected to
        EPSG:4326 and dissolved.
    description : str
        What the extent is, in words.
    precision_m : float, optional
        How far the polygon may stray from the real extent, in metres.

    Returns
    -------
    dict
        ``{"description", "precision_m", "wkt"}`` (the polygon as WKT in EPSG:4326), as
        stored in layer metadata.

    Raises
    ------
    CoverageInputError
        If the extent is not a polygon with an area, or a frame without a CRS.
    """
    if isinstance(extent, gpd.GeoDataFrame | gpd.GeoSeries):
        if extent.crs is None:
            raise CoverageInputError("the extent has no CRS; set it (e.g. EPSG:4326)")
        extent = shapely.union_all(extent.geometry.to_crs(WGS84).values)
    if not isinstance(extent, shapely.Polygon | shapely.MultiPolygon) or extent.area <= 0:
        raise CoverageInputError(
            "an extent must be a polygon with an area (where the data are complete), got "
            f"{getattr(extent, 'geom_type', type(extent).__name__)}"
        )
    return {"description": description, "precision_m": float(precision_m),
            "wkt": shapely.to_wkt(extent, rounding_precision=-1)}


def declare_extent(frame: gpd.GeoDataFrame, extent: Any, description: str = DECLARED,
                   precision_m: float = 0.0) -> gpd.GeoDataFrame:
    """Return a copy of ``frame`` that records where its data are complete.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Features built in code (loaded layers already carry their extent).
    extent : shapely geometry (EPSG:4326), geopandas.GeoSeries or GeoDataFrame
        The polygon(s) where ``frame`` holds every feature there is.
    description : str, optional
        What the extent is.
    precision_m : float, optional
        How far the polygon may stray from the real extent, in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy whose ``attrs["gisplan"]["extent"]`` holds the extent.
    """
    result = frame.copy()
    meta = dict(_meta(frame) or {})
    meta["extent"] = extent_record(extent, description, precision_m)
    result.attrs["gisplan"] = meta
    return result


def features_extent(frame: gpd.GeoDataFrame) -> dict[str, Any] | None:
    """Return the extent record of the convex hull of a frame's features (None if empty)."""
    geoms = frame.geometry.to_crs(WGS84)
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if not len(geoms):
        return None
    hull = shapely.convex_hull(shapely.union_all(geoms.values))
    return {"description": FEATURE_HULL, "precision_m": 0.0,
            "wkt": shapely.to_wkt(hull, rounding_precision=-1)}


def check_extents(area: shapely.Geometry, crs: str, inputs: Mapping[str, Any], *,
                  strict: bool = False, stacklevel: int = 2) -> list[str]:
    """Compare a measured area with the extents where its inputs are complete.

    Indicators call this with the inputs that make their numerator (stations, parks,
    ...). Inputs without an extent (frames built in code) are not checked; a note says so.

    Parameters
    ----------
    area : shapely geometry
        The area measured, in ``crs``.
    crs : str
        The metric CRS of ``area``.
    inputs : mapping of str to layer
        What the numerator is made of, by name (used in messages), e.g.
        ``{"parks": parks}``: frames from :func:`gisplan.load_layer` or
        :func:`declare_extent`, or extents as from :func:`gisplan.layer_extent`.
    strict : bool, optional
        Raise instead of warning when the area reaches beyond an extent.
    stacklevel : int, optional
        Passed to :func:`warnings.warn` (2: the caller of this function).

    Returns
    -------
    list of str
        One note per input the area reaches beyond, or whose extent is unknown.

    Raises
    ------
    CoverageInputError
        If the area shares nothing with an input's extent (a share there would be a
        silent 0), or, with ``strict``, if it reaches beyond one.

    Warns
    -----
    IncompleteDataWarning
        Once per input the area reaches beyond (without ``strict``).
    """
    notes: list[str] = []
    for name, layer in inputs.items():
        extent = layer if _is_extent(layer) else frame_extent(layer)
        if extent is None:
            notes.append(f"{name}: no extent is known for these data, so it is not checked "
                         "that they are complete over the area (load them with "
                         "gisplan.load_layer or give them one with gisplan.declare_extent)")
            continue
        message = _shortfall(area, crs, name, extent)
        if message is None:
            continue
        if strict:
            raise CoverageInputError(message + " (strict=True: refused)")
        warnings.warn(message, IncompleteDataWarning, stacklevel=stacklevel + 1)
        notes.append(message)
    return notes


def _is_extent(layer: Any) -> bool:
    return isinstance(layer, gpd.GeoSeries) and "description" in layer.attrs


def _shortfall(area: shapely.Geometry, crs: str, name: str,
               extent: gpd.GeoSeries) -> str | None:
    """Return the message for an area reaching beyond ``extent``, None when inside it."""
    description = extent.attrs.get("description", "declared extent")
    grown = shapely.buffer(shapely.union_all(extent.to_crs(crs).values),
                           float(extent.attrs.get("precision_m", 0.0)))
    if not shapely.intersects(area, grown) or shapely.intersection(area, grown).area <= 0:
        raise CoverageInputError(
            f"the area shares nothing with the extent where {name} are complete "
            f"({description}): a share there would be 0 whatever exists. Measure an area "
            f"inside that extent, or give {name} that cover the area (your own file through "
            "gisplan.load_layer(name, path), or a frame with gisplan.declare_extent)"
        )
    outside = shapely.difference(area, grown).area
    if outside <= EXTENT_TOLERANCE * area.area:
        return None
    return (
        f"{outside / 1e6:.1f} km2 ({outside / area.area:.1%}) of the area lies beyond the "
        f"extent where {name} are complete ({description}); {name} there are unknown, so "
        "the result may understate it. Measure inside that extent, or give "
        f"{name} that cover the area"
    )
