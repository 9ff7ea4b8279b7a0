"""Input checks shared by the API and the command line.

:func:`check_layer_frame` checks that a frame satisfies a layer's schema (every problem
is reported at once); :func:`check_coordinate_units` that coordinates are in the units
of their declared CRS; :func:`positive_distance` and :func:`precision` check numbers.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan._errors import CoverageInputError, CRSError, LayerFileError

__all__ = ["check_coordinate_units", "check_layer_frame", "positive_distance", "precision"]

_TYPE_CHECKS = {
    "str": pd.api.types.is_object_dtype,
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_numeric_dtype,
    "bool": pd.api.types.is_bool_dtype,
}


def _geometry_problems(frame: gpd.GeoDataFrame, meta: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    geoms = frame.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any() and not meta.get("allow_empty_geometry", False):
        rows = list(frame.index[missing][:5])
        problems.append(
            f"{int(missing.sum())} feature(s) have no geometry (rows {rows}); "
            "drop them or give them a geometry"
        )
    present = geoms[~missing]
    allowed = set(meta.get("geometry_types", []))
    if allowed and len(present):
        found = set(shapely.get_type_id(present).tolist())
        names = {_TYPE_NAMES[t] for t in found}
        wrong = sorted(names - allowed)
        if wrong:
            problems.append(
                f"geometry type(s) {wrong} are not allowed for this layer; expected "
                f"{sorted(allowed)}"
            )
    invalid = ~shapely.is_valid(present)
    if invalid.any():
        reasons = shapely.is_valid_reason(present[invalid][:3])
        problems.append(
            f"{int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
            f"(e.g. {list(reasons)}); repair them with shapely.make_valid or QGIS "
            "'Fix geometries' and load again"
        )
    return problems


_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def check_layer_frame(
    frame: pd.DataFrame, meta: dict[str, Any], *, origin: str
) -> None:
    """Raise :class:`LayerFileError` listing every way ``frame`` breaks the layer schema.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The data read from a file.
    meta : dict
        The layer's metadata (``columns``, ``required``, ``geometry_types``, ``kind``).
    origin : str
        Where the data came from, quoted in the message.
    """
    problems: list[str] = []
    if len(frame) == 0:
        problems.append("the file holds no features")
    required = meta.get("required", [])
    missing_cols = [c for c in required if c not in frame.columns]
    if missing_cols:
        problems.append(
            f"missing required column(s) {missing_cols}; the layer needs {required}"
        )
    for column, spec in meta.get("columns", {}).items():
        if column not in frame.columns or not len(frame):
            continue
        check = _TYPE_CHECKS.get(spec.get("type", ""))
        values = frame[column].dropna()
        if check is not None and len(values) and not check(values.infer_objects().dtype):
            if spec["type"] == "str" and pd.api.types.is_string_dtype(values.dtype):
                continue
            problems.append(
                f"column {column!r} should hold {spec['type']} values, found {values.dtype}"
            )
    if "precision_m" in frame.columns and len(frame):
        problems.extend(_precision_problems(frame["precision_m"]))
    if meta.get("kind", "spatial") == "spatial":
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
            problems.append("the file has no geometry column; this layer needs geometries")
        elif len(frame):
            problems.extend(_geometry_problems(frame, meta))
    if problems:
        bullet = "\n  - "
        raise LayerFileError(
            f"{origin} cannot be used as layer {meta['name']!r}:{bullet}"
            + bullet.join(problems)
        )


def positive_distance(value: Any, name: str) -> float:
    """Return ``value`` as a finite positive distance in metres, or raise.

    The API and the command line both call this, so a value is accepted or refused the
    same way in both: numbers and numeric strings (``800``, ``"800"``, ``"1e3"``) are
    accepted; zero, negative numbers, NaN, infinity, booleans and other text are not.

    Parameters
    ----------
    value : object
        The value given by the user.
    name : str
        The argument's name, quoted in the message (``"radius"``, ``"max_snap"``, ...).

    Returns
    -------
    float
        The distance in metres.

    Raises
    ------
    CoverageInputError
        If ``value`` is not a finite positive number; the message says what to pass.
    """
    number = math.nan
    if not isinstance(value, bool):
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise CoverageInputError(
            f"{name} must be a finite positive distance in metres (for example {name}=800), "
            f"got {value!r}"
        )
    return number


def precision(value: Any, origin: str) -> float:
    """Return ``value`` as a precision in metres (finite, >= 0), or raise LayerFileError.

    Parameters
    ----------
    value : object
        The ``precision_m`` given by the user.
    origin : str
        What it is for, quoted in the message.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not (math.isfinite(number) and number >= 0):
        raise LayerFileError(
            f"{origin}: precision_m must be a finite number of metres >= 0 (the horizontal "
            f"uncertainty of the features, e.g. precision_m=20), got {value!r}"
        )
    return number


def _precision_problems(column: pd.Series) -> list[str]:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(values) & (values >= 0))
    if not bad.any():
        return []
    rows = list(column.index[bad][:5])
    return [f"{int(bad.sum())} feature(s) have a precision_m that is not a finite number of "
            f"metres >= 0 (rows {rows}); give each feature its horizontal uncertainty"]


def check_coordinate_units(frame: gpd.GeoDataFrame | gpd.GeoSeries, geographic: bool,
                           crs_label: str, origin: str) -> None:
    """Refuse coordinates that plainly are not in the units of their declared CRS.

    Degrees lie within +-180 / +-90; projected coordinates in metres of any real
    place lie outside that box (false eastings alone are 500 km), so a file declared
    projected with every coordinate inside it holds degrees, and a file declared
    geographic with coordinates outside it holds metres.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or GeoSeries
        The features as read, before any reprojection.
    geographic : bool
        Whether the declared CRS is geographic (longitude/latitude, GCJ-02, BD-09).
    crs_label : str
        The declared CRS, quoted in the message.
    origin : str
        Where the data came from, quoted in the message.

    Raises
    ------
    CRSError
        With the likely fix.
    """
    geoms = frame.geometry
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if not len(geoms):
        return
    west, south, east, north = geoms.total_bounds
    in_degrees = west >= -180 and east <= 180 and south >= -90 and north <= 90
    if geographic and not in_degrees:
        raise CRSError(
            f"{origin} is declared in {crs_label}, a longitude/latitude system, but its "
            f"coordinates reach x {west:.0f}..{east:.0f}, y {south:.0f}..{north:.0f}, "
            "which are not degrees: the file is probably in a projected CRS in metres. "
            "Declare it, e.g. crs='EPSG:4544' (CGCS2000 / 3-degree Gauss-Kruger CM 105E) "
            "or the file's UTM zone"
        )
    if not geographic and in_degrees:
        raise CRSError(
            f"{origin} is declared in {crs_label}, a projected CRS in metres, but every "
            f"coordinate lies within x {west:.4f}..{east:.4f}, y {south:.4f}..{north:.4f}, "
            "which are longitude/latitude degrees. Declare crs='EPSG:4326' (or 'gcj02' for "
            "Amap/Tencent, 'bd09' for Baidu data)"
        )
