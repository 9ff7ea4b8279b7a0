"""Population weighting of coverage: how many people live in the covered part of an area.

Two kinds of population data are understood:

* a raster of head counts per cell (e.g. WorldPop ``chn_ppp_2020_UNadj_constrained.tif``,
  CC BY 4.0), read with rasterio; a cell counts where its centre lies in the polygon;
* polygons with a head-count column (census units, grid squares); a polygon's people
  are spread evenly over its area (areal weighting in EPSG:4544).

No population data is embedded in gisplan; the user supplies it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import shapely

from gisplan._errors import CRSError, GisplanError
from gisplan.crs import METRIC_CRS

__all__ = ["PopulationInput", "population_totals"]

PopulationInput: TypeAlias = str | os.PathLike[str] | gpd.GeoDataFrame
"""A raster path or population polygons."""


def population_totals(
    population: PopulationInput,
    covered: shapely.Geometry,
    area: shapely.Geometry,
    *,
    column: str | None = None,
    crs: str = METRIC_CRS,
) -> tuple[float, float]:
    """Return the people living in ``covered`` and in ``area``.

    Parameters
    ----------
    population : str, os.PathLike or geopandas.GeoDataFrame
        Path of a population raster, or population polygons.
    covered, area : shapely.Geometry
        Polygons in ``crs``; ``covered`` lies inside ``area``.
    column : str, optional
        Head-count column of population polygons (required for polygons).
    crs : str, optional
        The metric CRS of ``covered`` and ``area`` (EPSG:4544 by default).

    Returns
    -------
    tuple of float
        ``(people in covered, people in area)``.

    Raises
    ------
    GisplanError
        If the raster cannot be read or the polygon column is missing.
    CRSError
        If the raster or the polygons have no CRS.
    """
    if isinstance(population, gpd.GeoDataFrame):
        return _polygon_totals(population, covered, area, column, crs)
    return _raster_totals(Path(population), covered, area, crs)


def _polygon_totals(frame: gpd.GeoDataFrame, covered: shapely.Geometry,
                    area: shapely.Geometry, column: str | None,
                    crs: str) -> tuple[float, float]:
    if column is None or column not in frame.columns:
        raise GisplanError(
            f"population polygons need a head-count column: pass population_column= one "
            f"of {[c for c in frame.columns if c != frame.geometry.name]}"
        )
    if frame.crs is None:
        raise CRSError("population polygons have no CRS; set it before use")
    geoms = frame.geometry.to_crs(crs).values
    people = frame[column].astype(float).fillna(0.0).to_numpy()
    size = shapely.area(geoms)
    density = np.divide(people, size, out=np.zeros_like(people), where=size > 0)
    inside = shapely.area(shapely.intersection(geoms, area))
    reached = shapely.area(shapely.intersection(geoms, covered))
    return float((density * reached).sum()), float((density * inside).sum())


def _raster_totals(path: Path, covered: shapely.Geometry,
                   area: shapely.Geometry, crs: str) -> tuple[float, float]:
    import rasterio
    import rasterio.features
    import rasterio.transform
    import rasterio.windows

    if not path.exists():
        raise GisplanError(f"population raster {str(path)!r} does not exist")
    with rasterio.open(path) as src:
        if src.crs is None:
            raise CRSError(f"population raster {str(path)!r} has no CRS")
        shapes = gpd.GeoSeries([area, covered], crs=crs).to_crs(src.crs).values
        footprint = shapely.box(*src.bounds)
        inside = shapely.intersection(shapes[0], footprint).area / shapes[0].area
        if inside < 0.99:
            raise GisplanError(
                f"population raster {str(path)!r} covers only {inside:.1%} of the area; "
                "people outside it would be missing from both counts. Use a raster that "
                "spans the area"
            )
        bounds = rasterio.windows.from_bounds(*shapes[0].bounds, transform=src.transform)
        col0 = max(0, int(np.floor(bounds.col_off)))
        row0 = max(0, int(np.floor(bounds.row_off)))
        col1 = min(src.width, int(np.ceil(bounds.col_off + bounds.width)))
        row1 = min(src.height, int(np.ceil(bounds.row_off + bounds.height)))
        window = rasterio.windows.Window(col0, row0, col1 - col0, row1 - row0)
        data = src.read(1, window=window, masked=True).astype(float).filled(0.0)
        transform = src.transform @ rasterio.transform.Affine.translation(col0, row0)
    totals = []
    for geom in shapes:
        if geom.is_empty:
            totals.append(0.0)
            continue
        mask = rasterio.features.geometry_mask([geom], out_shape=data.shape,
                                               transform=transform, invert=True)
        totals.append(float(data[mask].sum()))
    return totals[1], totals[0]
