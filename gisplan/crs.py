"""Coordinate reference systems used in Chinese geodata, and conversions between them.

Chinese web maps publish coordinates in three systems:

* **WGS84** (EPSG:4326): GPS, OpenStreetMap, Tianditu, Natural Earth.
* **GCJ-02**: the obfuscated system required for maps published in mainland China
  (Amap/Gaode, Tencent, Google Maps China). It is WGS84 plus a smooth, nonlinear
  offset of a few hundred metres; it has no EPSG code. In Chengdu the offset is about
  +0.0025 deg longitude and -0.0024 deg latitude (roughly 250 m east, 270 m south).
* **BD-09**: Baidu's system, a further rotation/scaling of GCJ-02.

The forward conversion WGS84 -> GCJ-02 is the published formula; the inverse has no
closed form, so :func:`gcj02_to_wgs84` inverts the forward formula by fixed-point
iteration to better than 1e-9 degrees (well under a millimetre). Outside mainland
China (the standard's bounding box) GCJ-02 equals WGS84.

Distances and areas are measured in a metric CRS that fits the data
(:func:`metric_crs_at`, :func:`metric_crs_for`): :data:`METRIC_CRS`, CGCS2000 /
3-degree Gauss-Kruger CM 105E (EPSG:4544), whose central meridian passes 1 degree
east of Chengdu, for Chengdu; the CGCS2000 3-degree Gauss-Kruger zone of the data's
centre elsewhere in China (EPSG:4534-4554); UTM outside China. Web Mercator
(EPSG:3857) is never used for measurement.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt
import pyproj
import shapely

from gisplan._errors import CRSError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "CGCS2000",
    "CHINA_OFFSET_SYSTEMS",
    "DISPLAY_CRS",
    "METRIC_CRS",
    "WGS84",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "convert_geometries",
    "format_bounds",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "metric_crs_at",
    "metric_crs_for",
    "metric_crs_for_lonlat",
    "normalise_offset_system",
    "out_of_china",
    "project_xy",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

WGS84 = "EPSG:4326"
"""Geographic WGS84, the CRS of every gisplan layer."""
CGCS2000 = "EPSG:4490"
"""China Geodetic Coordinate System 2000, geographic (equal to WGS84 within about 1 m)."""
METRIC_CRS = "EPSG:4544"
"""CGCS2000 / 3-degree Gauss-Kruger CM 105E: metres, used for all measurement in Chengdu."""
GK3_FIRST_EPSG, GK3_FIRST_CM, GK3_LAST_CM = 4534, 75, 135
"""CGCS2000 / 3-degree Gauss-Kruger CM 75E is EPSG:4534, ... CM 135E is EPSG:4554."""
DISPLAY_CRS = WGS84
"""CRS of layers handed to maps and files."""

CHINA_OFFSET_SYSTEMS = ("gcj02", "bd09")
"""Names of the non-EPSG coordinate systems that :func:`to_wgs84` understands."""

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_TOLERANCE_DEG = 1e-9
_MAX_ITERATIONS = 30

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]
T = TypeVar("T", bound="gpd.GeoSeries | gpd.GeoDataFrame")


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> npt.NDArray[np.bool_]:
    """Return True where a point lies outside the GCJ-02 bounding box of mainland China.

    Parameters
    ----------
    lon, lat : array_like
        Longitude and latitude in degrees.

    Returns
    -------
    numpy.ndarray of bool
        True where the GCJ-02 offset does not apply (the standard's box test).
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 offset in degrees at WGS84 positions (the published formula)."""
    x = lon - 105.0
    y = lat - 35.0
    abs_x = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs_x
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs_x
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray, bool]:
    lon_arr = np.asarray(lon, dtype=float)
    lat_arr = np.asarray(lat, dtype=float)
    if lon_arr.shape != lat_arr.shape:
        raise ValueError(
            f"lon and lat must have the same shape, got {lon_arr.shape} and {lat_arr.shape}"
        )
    return lon_arr, lat_arr, lon_arr.ndim == 0


def _result(lon: FloatArray, lat: FloatArray, scalar: bool) -> tuple:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: FloatArray,
    lat: FloatArray,
    start: tuple[FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Invert a near-identity forward mapping by fixed-point iteration."""
    x, y = (np.array(start[0], dtype=float), np.array(start[1], dtype=float))
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        ex, ey = fx - lon, fy - lat
        x = x - ex
        y = y - ey
        if np.all(np.abs(ex) < _TOLERANCE_DEG) and np.all(np.abs(ey) < _TOLERANCE_DEG):
            break
    return x, y


def _wgs84_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _offset(lon, lat)
    outside = out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def _gcj02_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert WGS84 longitude/latitude to GCJ-02.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 coordinates in degrees, longitude first.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02: floats for scalar input, arrays otherwise. Points
        outside mainland China are returned unchanged.
    """
    x, y, scalar = _as_arrays(lon, lat)
    return _result(*_wgs84_to_gcj02(x, y), scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert GCJ-02 longitude/latitude to WGS84 by iterative inversion.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 coordinates in degrees (Amap/Gaode, Tencent), longitude first.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84, accurate to better than 1e-9 degrees against the
        forward formula.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(104.065891, 30.657141)  # Tianfu Square
    >>> round(lon, 5), round(lat, 5)
    (104.06339, 30.65957)
    """
    x, y, scalar = _as_arrays(lon, lat)
    return _result(*_invert(_wgs84_to_gcj02, x, y, start=(x, y)), scalar)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert GCJ-02 longitude/latitude to Baidu BD-09.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 coordinates in degrees, longitude first.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09.
    """
    x, y, scalar = _as_arrays(lon, lat)
    return _result(*_gcj02_to_bd09(x, y), scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert Baidu BD-09 longitude/latitude to GCJ-02 by iterative inversion.

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 coordinates in degrees, longitude first.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02, accurate to better than 1e-9 degrees.
    """
    x, y, scalar = _as_arrays(lon, lat)
    start = (x - 0.0065, y - 0.006)
    return _result(*_invert(_gcj02_to_bd09, x, y, start=start), scalar)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert WGS84 longitude/latitude to Baidu BD-09 (through GCJ-02).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 coordinates in degrees, longitude first.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09.
    """
    x, y, scalar = _as_arrays(lon, lat)
    return _result(*_gcj02_to_bd09(*_wgs84_to_gcj02(x, y)), scalar)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """Convert Baidu BD-09 longitude/latitude to WGS84 (through GCJ-02).

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 coordinates in degrees, longitude first.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84.
    """
    x, y, scalar = _as_arrays(lon, lat)
    gx, gy = _invert(_gcj02_to_bd09, x, y, start=(x - 0.0065, y - 0.006))
    return _result(*_invert(_wgs84_to_gcj02, gx, gy, start=(gx, gy)), scalar)


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def normalise_offset_system(name: str) -> str | None:
    """Return ``"gcj02"`` or ``"bd09"`` for the spellings users type, else None.

    Parameters
    ----------
    name : str
        For example ``"GCJ-02"``, ``"gcj02"``, ``"amap"``, ``"BD-09"``, ``"baidu"``.

    Returns
    -------
    str or None
        The canonical name, or None when ``name`` is no China offset system.
    """
    key = name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if key in {"gcj02", "gcj", "amap", "gaode", "tencent", "mars"}:
        return "gcj02"
    if key in {"bd09", "bd09ll", "baidu"}:
        return "bd09"
    return None


def convert_geometries(geometries: T, system: str) -> T:
    """Convert every vertex of a GeoSeries or GeoDataFrame from GCJ-02 or BD-09 to WGS84.

    Parameters
    ----------
    geometries : geopandas.GeoSeries or geopandas.GeoDataFrame
        Geometries whose coordinates are GCJ-02 or BD-09 longitude/latitude. Their CRS
        label is ignored (such files are usually labelled EPSG:4326).
    system : {"gcj02", "bd09"}
        The system the coordinates are in; see :func:`normalise_offset_system`.

    Returns
    -------
    Same type as ``geometries``
        A copy in WGS84 (EPSG:4326); the input is not modified.
    """
    canonical = normalise_offset_system(system)
    if canonical is None:
        raise CRSError(
            f"unknown coordinate system {system!r}; use 'gcj02' (Amap, Tencent) or "
            "'bd09' (Baidu), or an EPSG code for ordinary CRSs"
        )
    convert = _TO_WGS84[canonical]

    def _vertices(coords: FloatArray) -> FloatArray:
        lon, lat = convert(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    result = geometries.copy()
    series = result.geometry
    converted = shapely.transform(np.asarray(series.values), _vertices)
    if hasattr(result, "set_geometry"):
        result[series.name] = converted
        return result.set_crs(WGS84, allow_override=True)
    return type(series)(converted, index=series.index, crs=WGS84)


def to_wgs84(frame: T, crs: str | None = None) -> T:
    """Return a GeoSeries/GeoDataFrame in WGS84, from any EPSG CRS, GCJ-02 or BD-09.

    Parameters
    ----------
    frame : geopandas.GeoSeries or geopandas.GeoDataFrame
        Input geometries.
    crs : str, optional
        The CRS the coordinates are really in, when the file does not say it or says
        it wrongly: ``"gcj02"``, ``"bd09"``, or anything pyproj understands. Without
        it, ``frame.crs`` is used.

    Returns
    -------
    Same type as ``frame``
        A copy in EPSG:4326.

    Raises
    ------
    CRSError
        If neither ``frame.crs`` nor ``crs`` names a coordinate system.
    """
    if crs is not None:
        system = normalise_offset_system(crs)
        if system is not None:
            return convert_geometries(frame, system)
        frame = frame.set_crs(crs, allow_override=True)
    if frame.crs is None:
        raise CRSError(
            "the data has no coordinate reference system; declare it, e.g. crs='EPSG:4326' "
            "for GPS/OSM data, crs='gcj02' for Amap/Tencent data or crs='bd09' for Baidu data"
        )
    return frame.to_crs(WGS84)


def metric_crs_at(lon: float, lat: float) -> str:
    """Return the metric CRS gisplan measures in around a WGS84 position.

    In China (the GCJ-02 box of :func:`out_of_china`) it is the CGCS2000 3-degree
    Gauss-Kruger zone whose central meridian is nearest (EPSG:4534 for 75E to
    EPSG:4554 for 135E; EPSG:4544 for Chengdu); elsewhere the WGS84 UTM zone (EPSG:326xx
    north of the equator, 327xx south). Within 1.5 degrees of a zone's central
    meridian the scale error of a Gauss-Kruger zone is under 0.04 %, within 3 degrees of
    a UTM central meridian under 0.1 % (at the equator).

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in degrees (WGS84), e.g. the centre of the area measured.

    Returns
    -------
    str
        An ``"EPSG:<code>"`` string.

    Raises
    ------
    CRSError
        If the position is not a finite longitude/latitude.
    """
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
            and -90 <= lat <= 90):
        raise CRSError(
            f"({lon}, {lat}) is not a WGS84 longitude/latitude; reproject the data to "
            "EPSG:4326 or give it its real CRS"
        )
    if not out_of_china(lon, lat):
        central = 3 * round(lon / 3)
        if GK3_FIRST_CM <= central <= GK3_LAST_CM:
            return f"EPSG:{GK3_FIRST_EPSG + (central - GK3_FIRST_CM) // 3}"
    zone = min(int((lon + 180.0) // 6.0), 59) + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def format_bounds(box: Sequence[float]) -> str:
    """Return a WGS84 box (min_lon, min_lat, max_lon, max_lat) as text.

    Examples
    --------
    >>> format_bounds((104.0421, 30.6528, 104.1296, 30.7279))
    '104.0421-104.1296 E, 30.6528-30.7279 N'
    """
    return f"{box[0]:.4f}-{box[2]:.4f} E, {box[1]:.4f}-{box[3]:.4f} N"


def metric_crs_for_lonlat(lonlat: npt.NDArray[np.float64]) -> str:
    """Return the metric CRS that fits WGS84 longitude/latitude pairs.

    :func:`metric_crs_at` of the centre of their bounds; :data:`METRIC_CRS` when there
    are none.

    Parameters
    ----------
    lonlat : numpy.ndarray, shape (n, 2)
        Longitude and latitude in degrees.

    Returns
    -------
    str
        An ``"EPSG:<code>"`` string.
    """
    if not len(lonlat):
        return METRIC_CRS
    (west, south), (east, north) = lonlat.min(axis=0), lonlat.max(axis=0)
    return metric_crs_at((west + east) / 2.0, (south + north) / 2.0)


def project_xy(xy: npt.NDArray[np.float64], source: object, target: object
               ) -> npt.NDArray[np.float64]:
    """Project coordinate pairs from one CRS to another (x, y order: longitude first).

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
        Coordinates in ``source``.
    source, target : str or pyproj.CRS
        Coordinate systems, as pyproj accepts them (``"EPSG:4326"``, a CRS object).

    Returns
    -------
    numpy.ndarray, shape (n, 2)
        Coordinates in ``target``.
    """
    x, y = _transformer(str(source), str(target)).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


@functools.lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def metric_crs_for(data: gpd.GeoSeries | gpd.GeoDataFrame) -> str:
    """Return the metric CRS that fits ``data``: :func:`metric_crs_at` of its centre.

    Parameters
    ----------
    data : geopandas.GeoSeries or geopandas.GeoDataFrame
        Geometries with a CRS (any), e.g. the area to be measured.

    Returns
    -------
    str
        An ``"EPSG:<code>"`` string; ``"EPSG:4544"`` for Chengdu.

    Raises
    ------
    CRSError
        If ``data`` has no CRS or no geometry.
    """
    if data.crs is None:
        raise CRSError("the data have no CRS; set it (e.g. .set_crs('EPSG:4326'))")
    geoms = data.geometry.to_crs(WGS84)
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if not len(geoms):
        raise CRSError("the data have no geometry to choose a metric CRS from")
    west, south, east, north = geoms.total_bounds
    return metric_crs_at((west + east) / 2.0, (south + north) / 2.0)
