"""A user's own file in place of a catalogue layer: read, checked, converted to WGS84.

The file (GeoPackage, GeoJSON, Shapefile) is checked against the layer's schema and
converted to WGS84, from GCJ-02 or BD-09 where declared; features without ``source``
get ``user:<file name>``. Its extent (where it is complete) is the one declared, else
the convex hull of its features.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
import shapely

from gisplan._errors import CRSError, GisplanWarning, LayerFileError
from gisplan._validate import check_coordinate_units, check_layer_frame, precision
from gisplan.catalogue.extent import extent_record, features_extent
from gisplan.crs import metric_crs_for, normalise_offset_system, to_wgs84

__all__ = ["FAR_OUTSIDE_M", "load_user_file", "user_metadata"]

FAR_OUTSIDE_M = 50_000.0
"""A replacement feature farther than this from the city (the ``districts`` extent) is
counted in a warning: probably misplaced, or in a wrong CRS."""


def _read_user_file(path: Path, name: str) -> pd.DataFrame:
    if not path.exists():
        raise LayerFileError(f"layer {name!r}: file {str(path)!r} does not exist")
    try:
        info = pyogrio.read_info(path)
        frame = pyogrio.read_dataframe(path, datetime_as_string=True)  # as the embedded layers
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise LayerFileError(
            f"layer {name!r}: {str(path)!r} could not be read as GeoPackage, GeoJSON or "
            f"Shapefile ({exc}); check that the file is complete and in one of those formats"
        ) from exc
    if info.get("geometry_type") is None and not isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame)
    return frame


def _apply_crs(frame: gpd.GeoDataFrame, crs: str | None, origin: str) -> gpd.GeoDataFrame:
    if crs is None and frame.crs is None:
        raise CRSError(
            f"{origin} has no coordinate reference system. Declare it: "
            "crs='EPSG:4326' for GPS/OpenStreetMap/Tianditu data, crs='gcj02' for "
            "Amap/Gaode/Tencent data, crs='bd09' for Baidu data, or the file's EPSG code"
        )
    try:
        return to_wgs84(frame, crs)
    except CRSError:
        raise
    except Exception as exc:  # pyproj raises its own CRSError subclasses
        raise CRSError(f"{origin}: cannot use coordinate system {crs!r}: {exc}") from exc


def _fill_provenance(
    frame: pd.DataFrame, path: Path, precision_m: float | None, origin: str
) -> pd.DataFrame:
    frame = frame.copy()
    if "source" not in frame.columns:
        frame["source"] = f"user:{path.name}"
    if "precision_m" not in frame.columns:
        if precision_m is None:
            raise LayerFileError(
                f"{origin} has no 'precision_m' column. Add one (horizontal uncertainty "
                "of each feature in metres) or pass precision_m=<metres> for all features"
            )
        frame["precision_m"] = float(precision_m)
    return frame


def user_metadata(meta: dict[str, Any], frame: pd.DataFrame, extent: Any) -> dict[str, Any]:
    """Return the metadata of a replacement file: the layer's, with its own extent.

    Parameters
    ----------
    meta : dict
        The layer's metadata.
    frame : pandas.DataFrame
        The file as loaded.
    extent : shapely geometry, GeoSeries or GeoDataFrame, or None
        Where the file is complete, as declared; None for the convex hull of its features.

    Returns
    -------
    dict
        ``meta`` with the file's own ``extent``.
    """
    meta = dict(meta)
    meta.pop("extent", None)
    if isinstance(frame, gpd.GeoDataFrame):
        record = (features_extent(frame) if extent is None
                  else extent_record(extent, "declared for the replacement file"))
        if record is not None:
            meta["extent"] = record
    return meta


def _is_geographic(crs: str | None, frame: gpd.GeoDataFrame, origin: str) -> bool:
    """Whether the CRS the coordinates are declared in is longitude/latitude."""
    if crs is not None and normalise_offset_system(crs) is not None:
        return True
    try:
        declared = pyproj.CRS.from_user_input(crs if crs is not None else frame.crs)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"{origin}: {crs!r} is not a coordinate system: {exc}") from exc
    return bool(declared.is_geographic)


def _warn_far_features(frame: gpd.GeoDataFrame, origin: str,
                       city: gpd.GeoSeries | None) -> None:
    if city is None or not len(frame):
        return
    crs = metric_crs_for(city)
    geoms = frame.geometry.to_crs(crs).values
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    distance = shapely.distance(geoms[present], city.to_crs(crs).iloc[0])
    far = int((distance > FAR_OUTSIDE_M).sum())
    if far:
        warnings.warn(
            f"{origin}: {far} of {len(frame)} feature(s) lie more than "
            f"{FAR_OUTSIDE_M / 1000:.0f} km from the city ({city.attrs['description']}); "
            "check their coordinates and the declared CRS", GisplanWarning, stacklevel=4)


def load_user_file(
    name: str, meta: dict[str, Any], path: Path, crs: str | None, precision_m: float | None,
    city: gpd.GeoSeries | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a user's file for layer ``name``, check it against ``meta`` and convert it.

    Parameters
    ----------
    name : str
        The catalogue layer the file stands in for.
    meta : dict
        That layer's metadata (schema, geometry types).
    path : pathlib.Path
        The file.
    crs : str or None
        The file's coordinate system when it declares none or a wrong one (EPSG code,
        ``"gcj02"``, ``"bd09"``).
    precision_m : float or None
        Precision of every feature when the file has no ``precision_m`` column.
    city : geopandas.GeoSeries, optional
        Where the city lies; features more than :data:`FAR_OUTSIDE_M` from it are
        counted in a warning.

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        The features in EPSG:4326 with ``source`` and ``precision_m``.
    """
    origin = f"file {str(path)!r} (for layer {name!r})"
    if precision_m is not None:
        precision_m = precision(precision_m, origin)
    if crs is not None and normalise_offset_system(crs) is None:
        try:
            pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as exc:
            raise CRSError(f"{origin}: {crs!r} is not a coordinate system: {exc}") from exc
    frame = _read_user_file(path, name)
    spatial = meta.get("kind") != "table" and isinstance(frame, gpd.GeoDataFrame)
    if spatial and len(frame):
        if crs is not None or frame.crs is not None:
            check_coordinate_units(frame, _is_geographic(crs, frame, origin),
                                   str(crs if crs is not None else frame.crs), origin)
        frame = _apply_crs(frame, crs, origin)
    frame = _fill_provenance(frame, path, precision_m, origin) if len(frame) else frame
    check_layer_frame(frame, meta, origin=origin)
    if "precision_m" in frame.columns:
        frame["precision_m"] = frame["precision_m"].astype(np.float64)
    if spatial and len(frame):
        _warn_far_features(frame, origin, city)
    return frame
