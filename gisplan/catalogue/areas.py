"""Areas to measure: a row of the ``coverage_area`` layer, a polygon file or polygons.

Every command and function that takes an area (``--area NAME|FILE``, ``area=``) reads
it through :func:`load_area`, so the same input gets the same checks everywhere: a
coordinate system, polygons, coordinates that fit the CRS, valid geometry and an area
greater than zero.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.errors
import shapely

from gisplan._errors import CoverageInputError, CRSError, LayerFileError
from gisplan.catalogue.layers import load_layer
from gisplan.crs import WGS84, metric_crs_for

__all__ = ["AREA_LAYER", "MIN_AREA_M2", "area_ids", "load_area"]

MIN_AREA_M2 = 1.0
"""An area smaller than this (in m2) is flat or degenerate, not land to measure."""

FLATNESS = 1e-9
"""A polygon whose area, in its own CRS, is under this share of its perimeter squared is
flat (its points on one line): projecting it would give it a sliver of area that is not
land."""

AREA_LAYER = "coverage_area"
"""The catalogue layer whose ``area_id`` values name areas."""


def area_ids() -> list[str]:
    """Return the ``area_id`` values of the ``coverage_area`` layer."""
    return [str(a) for a in load_layer(AREA_LAYER)["area_id"]]


def _read(spec: str | os.PathLike[str], what: str) -> gpd.GeoDataFrame:
    areas = load_layer(AREA_LAYER)
    if isinstance(spec, str) and spec in set(areas["area_id"]):
        return areas[areas["area_id"] == spec]
    path = Path(spec)
    named = what if repr(str(spec)) in what else f"{what} {str(spec)!r}"  # the file, once
    if not path.exists():
        raise LayerFileError(
            f"{named} is neither a file nor an area_id of layer {AREA_LAYER} "
            f"({', '.join(areas['area_id'])})")
    try:
        frame = pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise LayerFileError(f"{named} could not be read as GeoPackage, GeoJSON "
                             f"or Shapefile: {exc}") from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise LayerFileError(f"{named} has no geometries; give a polygon layer")
    return frame


def load_area(area: Any, *, what: str = "the area") -> gpd.GeoDataFrame:
    """Return an area to measure as polygons with a CRS, checked.

    Parameters
    ----------
    area : str, os.PathLike, geopandas.GeoDataFrame or GeoSeries
        An ``area_id`` of the ``coverage_area`` layer, a polygon file (GeoPackage,
        GeoJSON, Shapefile) with a CRS, or polygons in any CRS.
    what : str, optional
        How messages name the input (e.g. ``"--area"``).

    Returns
    -------
    geopandas.GeoDataFrame
        The polygons in their own CRS (a row of ``coverage_area`` keeps its columns).

    Raises
    ------
    LayerFileError
        For a name that is neither an area_id nor a readable file.
    CRSError
        For polygons without a CRS, or whose coordinates do not fit it.
    CoverageInputError
        For geometry that is not polygons, invalid polygons (repair them first) or an
        area of zero.
    """
    if isinstance(area, shapely.Geometry):
        raise CRSError(
            f"{what} is a bare shapely geometry without a coordinate system; pass "
            "geopandas.GeoSeries([geometry], crs='EPSG:4326') (or the CRS it is in)")
    if isinstance(area, str | os.PathLike):
        area = _read(area, what)
    if isinstance(area, gpd.GeoSeries):
        area = gpd.GeoDataFrame(geometry=area)
    if not isinstance(area, gpd.GeoDataFrame):
        raise CoverageInputError(f"{what} must be polygons (a GeoDataFrame or GeoSeries), "
                                 f"a polygon file or an area_id, not {type(area).__name__}")
    if area.crs is None:
        raise CRSError(f"{what} has no coordinate reference system; set it (e.g. "
                       "area.set_crs('EPSG:4326')) or save the file with one")
    geoms = area.geometry
    present = area[~(geoms.isna() | geoms.is_empty)]
    kinds = set(present.geom_type)
    if not len(present) or kinds - {"Polygon", "MultiPolygon"}:
        raise CoverageInputError(f"{what} must hold polygons (found {sorted(kinds) or 'nothing'})")
    _check_fits_crs(present, what)
    invalid = ~present.is_valid
    if invalid.any():
        reasons = list(shapely.is_valid_reason(present.geometry[invalid].values[:3]))
        raise CoverageInputError(
            f"{what} holds {int(invalid.sum())} invalid polygon(s) (e.g. {reasons}); repair "
            "them (shapely.make_valid, or QGIS 'Fix geometries') and check the result")
    own = shapely.union_all(present.geometry.values)
    metric = present.geometry.to_crs(metric_crs_for(present))
    if (float(shapely.area(shapely.union_all(metric.values))) < MIN_AREA_M2
            or own.area <= FLATNESS * own.length ** 2):
        raise CoverageInputError(
            f"{what} has no area: its polygons are flat or degenerate (e.g. three points on "
            "one line); a share of an empty area is undefined. Give polygons that enclose land")
    return present


def _check_fits_crs(area: gpd.GeoDataFrame, what: str) -> None:
    wgs = area.geometry.to_crs(WGS84)
    x0, y0, x1, y1 = wgs.total_bounds
    if not (np.isfinite([x0, y0, x1, y1]).all() and -180 <= x0 <= x1 <= 180
            and -90 <= y0 <= y1 <= 90):
        x0, y0, x1, y1 = area.total_bounds
        raise CRSError(
            f"{what}'s coordinates ({x0:.6g}..{x1:.6g}, {y0:.6g}..{y1:.6g}) do not fit its "
            f"declared CRS {area.crs.to_string()}: the CRS is wrong; set the one the "
            "coordinates are in (e.g. EPSG:4544 for metres in Chengdu)")
