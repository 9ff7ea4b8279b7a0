"""The result of a coverage measurement: share, areas, breakdown by group, population."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan._errors import CoverageInputError
from gisplan.analysis._inputs import labels, metric_geometries
from gisplan.analysis.population import PopulationInput, population_totals

__all__ = ["MIN_GROUP_M2", "CoverageResult", "by_group", "coverage_result"]


@dataclass(frozen=True)
class CoverageResult:
    """Result of a coverage computation.

    Attributes
    ----------
    share : float
        Covered area / total area, between 0 and 1.
    covered_km2, total_km2 : float
        Covered and total area in km2 (in ``params["crs"]``).
    by_group : pandas.DataFrame
        Per group (e.g. district) sharing at least 1 m2 with the area: ``group``,
        ``total_km2`` (its part of the area), ``covered_km2``, ``share``; empty when
        no groups were given.
    covered : geopandas.GeoSeries
        The covered part of the area (one geometry, in ``params["crs"]``).
    params : dict
        Everything the number depends on: method, radius, area name, distances, data,
        and ``crs``, the metric CRS of the measurement.
    snap_distances : pandas.DataFrame
        Network method: per source that could reach the area (input index; sources
        farther than radius + access distance from it are left out, as no walk is
        shorter than the straight line), ``snap_m`` (NaN if not snapped),
        ``component_nodes`` (size of the network component it snapped to; for a park
        touching several, the largest) and
        ``reachable``. Empty for the Euclidean method.
    unreachable : list
        Input index labels of sources that could not be placed on the network.
    population_share : float or None
        Share of the population of the area living in the covered part, when a
        population layer was given.
    notes : list of str
        Caveats worth reporting next to the number.
    """

    share: float
    covered_km2: float
    total_km2: float
    by_group: pd.DataFrame
    covered: gpd.GeoSeries
    params: dict[str, Any]
    snap_distances: pd.DataFrame
    unreachable: list[Any]
    population_share: float | None = None
    notes: list[str] = field(default_factory=list)

MIN_GROUP_M2 = 1.0
"""A group sharing less than this with the area (a neighbour along its edge) is not listed."""

def by_group(covered: shapely.Geometry, area: shapely.Geometry,
              groups: gpd.GeoDataFrame | None, group_column: str, crs: str) -> pd.DataFrame:
    columns = ["group", "total_km2", "covered_km2", "share"]
    if groups is None:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "group" else float)
                             for c in columns})
    if group_column not in groups.columns:
        raise CoverageInputError(
            f"groups have no column {group_column!r}; pass group_column= one of "
            f"{[c for c in groups.columns if c != groups.geometry.name]}"
        )
    inside = shapely.intersection(metric_geometries(groups, "groups", crs).values, area)
    total = shapely.area(inside)
    meets = total >= MIN_GROUP_M2
    inside, total = inside[meets], total[meets] / 1e6
    cov = np.minimum(shapely.area(shapely.intersection(inside, covered)) / 1e6, total)
    return pd.DataFrame({"group": list(groups[group_column].astype(object)[meets]),
                         "total_km2": total, "covered_km2": cov, "share": cov / total})

def coverage_result(covered: shapely.Geometry, area: shapely.Geometry, *,
            groups: gpd.GeoDataFrame | None, group_column: str,
            population: PopulationInput | None, population_column: str | None,
            params: dict[str, Any], snaps: pd.DataFrame, notes: list[str],
            sources: gpd.GeoDataFrame | gpd.GeoSeries) -> CoverageResult:
    total = area.area
    crs = params["crs"]
    pop_share = None
    if population is not None:
        people, everyone = population_totals(population, covered, area,
                                             column=population_column, crs=crs)
        if everyone <= 0:
            raise CoverageInputError("the population layer holds no people inside the area")
        pop_share = people / everyone
        params["population_total"] = everyone
    unreachable = list(snaps.index[~snaps["reachable"]]) if len(snaps) else []
    if unreachable:
        notes.append(f"{len(unreachable)} source(s) within reach of the area but not on the "
                     f"network: {', '.join(labels(sources, unreachable[:10]))}")
    return CoverageResult(
        share=float(covered.area / total),
        covered_km2=float(covered.area / 1e6),
        total_km2=float(total / 1e6),
        by_group=by_group(covered, area, groups, group_column, crs),
        covered=gpd.GeoSeries([covered], crs=crs),
        params=params,
        snap_distances=snaps,
        unreachable=unreachable,
        population_share=pop_share,
        notes=notes,
    )
