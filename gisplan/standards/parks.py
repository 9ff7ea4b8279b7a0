"""Park size classes and service radii under GB/T 50563-2010.

GB/T 50563-2010 《城市园林绿化评价标准》 measures 公园绿地服务半径覆盖率 (share of
residential land within a park's service radius) with radii that depend on the park's
area: parks of 5000 m2 or more serve 500 m, parks of 2000 m2 up to 5000 m2 serve
300 m. Parks under 2000 m2 are not counted and get no radius. Inside 历史文化街区
(historic conservation districts) the standard also counts parks of 1000 m2 or more
with a 300 m radius: pass :data:`HISTORIC_DISTRICT_RADII` for such areas.

The radii live here, in one place: the ``parks`` layer compiler and the analysis
code both call :func:`classify_parks`, and a caller can pass other thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from gisplan._errors import CRSError
from gisplan.crs import metric_crs_for

__all__ = ["HISTORIC_DISTRICT_RADII", "PARK_SERVICE_RADII", "classify_parks", "park_service_radius"]

PARK_SERVICE_RADII: tuple[tuple[float, float, str], ...] = (
    (5000.0, 500.0, "large"),
    (2000.0, 300.0, "medium"),
)
"""GB/T 50563-2010 thresholds: (minimum area in m2, service radius in m, size class).

Ordered from the largest threshold down; a park takes the first row whose minimum
area it reaches. Parks below the last threshold get size class ``"small"`` and no
radius.
"""

HISTORIC_DISTRICT_RADII: tuple[tuple[float, float, str], ...] = (
    (5000.0, 500.0, "large"),
    (1000.0, 300.0, "medium"),
)
"""GB/T 50563-2010 rule inside 历史文化街区: parks of 1000 m2 or more serve 300 m."""

SMALL_CLASS = "small"


def _check_radii(radii: Sequence[tuple[float, float, str]]) -> None:
    areas = [float(row[0]) for row in radii]
    if not areas:
        raise ValueError("radii is empty; give at least one (min_area_m2, radius_m, class) row")
    if any(a <= 0 for a in areas) or any(float(row[1]) <= 0 for row in radii):
        raise ValueError(f"radii must hold positive areas and radii, got {list(radii)}")
    if areas != sorted(areas, reverse=True) or len(set(areas)) != len(areas):
        raise ValueError(
            f"radii must be ordered from the largest minimum area down, got {areas}"
        )


def classify_parks(
    parks: gpd.GeoDataFrame,
    *,
    radii: Sequence[tuple[float, float, str]] = PARK_SERVICE_RADII,
    area_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Return a copy of ``parks`` with ``area_m2``, ``size_class`` and ``service_radius_m``.

    Parameters
    ----------
    parks : geopandas.GeoDataFrame
        Park polygons in any projected or geographic CRS. Not modified.
    radii : sequence of (float, float, str)
        Rows ``(min_area_m2, radius_m, size_class)`` from the largest minimum area down;
        defaults to :data:`PARK_SERVICE_RADII` (GB/T 50563-2010).
    area_column : str, optional
        Column already holding each park's area in m2. Without it the area is
        measured in the metric CRS that fits the parks (EPSG:4544 in Chengdu).

    Returns
    -------
    geopandas.GeoDataFrame
        Same index and rows as ``parks``. ``service_radius_m`` is NaN and
        ``size_class`` is ``"small"`` for parks under the smallest threshold.

    Raises
    ------
    CRSError
        If ``parks`` has no CRS and no ``area_column`` is given.
    ValueError
        If ``radii`` is empty, unordered or not positive.
    """
    _check_radii(radii)
    result = parks.copy()
    if area_column is not None:
        area = pd.to_numeric(result[area_column]).to_numpy(dtype=float)
    else:
        if parks.crs is None:
            raise CRSError(
                "parks has no CRS, so its areas cannot be measured; set it "
                "(e.g. parks.set_crs('EPSG:4326')) or pass area_column="
            )
        area = parks.geometry.to_crs(metric_crs_for(parks)).area.to_numpy(dtype=float)
    size_class = np.full(len(result), SMALL_CLASS, dtype=object)
    radius = np.full(len(result), np.nan)
    assigned = np.zeros(len(result), dtype=bool)
    for min_area, radius_m, name in radii:
        hit = (area >= float(min_area)) & ~assigned
        size_class[hit] = name
        radius[hit] = float(radius_m)
        assigned |= hit
    result["area_m2"] = area
    result["size_class"] = size_class
    result["service_radius_m"] = radius
    return result


def park_service_radius(
    area_m2: npt.ArrayLike, radii: Sequence[Sequence[Any]] = PARK_SERVICE_RADII
) -> npt.NDArray[np.float64]:
    """Service radius of parks from their area (GB/T 50563 classes by default).

    Parameters
    ----------
    area_m2 : array_like of float
        Park areas in m2.
    radii : sequence of (min_area_m2, radius_m[, size_class])
        Classes, as in :data:`PARK_SERVICE_RADII`; a park takes the
        class with the largest minimum area it reaches.

    Returns
    -------
    numpy.ndarray of float
        Radius in metres, 0 where a park is below every class.
    """
    area_m2 = np.asarray(area_m2, dtype=float)
    out = np.zeros(area_m2.shape)
    for row in sorted(radii, key=lambda r: float(r[0])):
        out = np.where(area_m2 >= float(row[0]), float(row[1]), out)
    return out
