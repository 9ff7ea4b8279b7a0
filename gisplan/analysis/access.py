"""Walking access to everyday facilities: covered land and distance to the nearest one.

Two questions, one engine (that of :func:`gisplan.analysis.coverage.station_coverage`: sources
snapped to the nearest street, one multi-source Dijkstra pass, the land within the
street-access distance of the reached streets built on a grid):

* which land lies within a walk of a facility of a kind? :func:`facility_coverage`
  for one category (or several, any of which will do), :func:`life_circle_coverage`
  for every facility of a GB 50180-2018 life circle (:mod:`gisplan.standards.life_circles`) and
  for the whole bundle;
* how far is the nearest facility of each kind? :func:`nearest_facility_distances`
  gives every street node, or every origin of the user's choice (residential parcels,
  population cells, a :func:`hexagon_grid` of the area), the walking distance to the
  nearest facility of every category, one Dijkstra pass per category.

Denominators: the area, residential land inside it (``residential=``), or population
(``population=``, adds ``population_share``). Distances and areas are in the metric
CRS that fits the area, or with ``method="network"`` the network's (``WalkNetwork.crs``).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gisplan._errors import CoverageInputError, IncompleteDataWarning
from gisplan.analysis._facilities_input import facility_points, walk_radius
from gisplan.analysis._inputs import measured_area_name, measuring_crs, polygon_union
from gisplan.analysis.coverage import (
    DEFAULT_ACCESS_M,
    DEFAULT_MAX_SNAP_M,
    CoverageResult,
    station_coverage,
)
from gisplan.analysis.population import PopulationInput
from gisplan.catalogue import check_extents
from gisplan.crs import METRIC_CRS
from gisplan.network import WalkNetwork
from gisplan.standards.life_circles import (
    CIRCLE_REQUIREMENTS,
    LIFE_CIRCLES,
    CircleRequirement,
    LifeCircle,
    circle_requirements,
    life_circle,
    resolve_categories,
)

__all__ = ["COVERAGE_TABLE_COLUMNS", "LifeCircleResult", "facility_coverage",
           "life_circle_coverage"]


COVERAGE_TABLE_COLUMNS = ["target_id", "category", "circle", "radius_m", "method", "area",
                          "denominator", "share", "covered_km2", "total_km2", "notes"]
"""Columns of :attr:`LifeCircleResult.table` (and of the ``life_circle_coverage`` table)."""

def _denominator_area(area: gpd.GeoDataFrame | gpd.GeoSeries,
                      residential: gpd.GeoDataFrame | gpd.GeoSeries | None,
                      crs: str = METRIC_CRS) -> gpd.GeoDataFrame | gpd.GeoSeries:
    if residential is None:
        return area
    if residential.crs is None or area.crs is None:
        raise CoverageInputError("area and residential land need a CRS")
    land = shapely.union_all(shapely.make_valid(residential.to_crs(crs).geometry.values))
    whole = shapely.union_all(area.to_crs(crs).geometry.values)
    inside = shapely.intersection(whole, land)
    if inside.area <= 0:
        raise CoverageInputError("no residential land inside the area: nothing to measure")
    return gpd.GeoSeries([inside], crs=crs)

def facility_coverage(
    facilities: gpd.GeoDataFrame,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    category: str | Sequence[str],
    *,
    radius: float | None = None,
    minutes: float | None = None,
    speed_m_per_min: float | None = None,
    method: str = "network",
    network: WalkNetwork | None = None,
    residential: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    groups: gpd.GeoDataFrame | None = None,
    group_column: str = "name_zh",
    area_name: str | None = None,
    access_distance: float = DEFAULT_ACCESS_M,
    max_snap: float = DEFAULT_MAX_SNAP_M,
    exact_area: bool = False,
    population: PopulationInput | None = None,
    population_column: str | None = None,
    strict: bool = False,
) -> CoverageResult:
    """Share of an area (or of its residential land) within a walk of a facility of a kind.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with a ``category`` column (the ``facilities`` layer or your own POIs).
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons of the area measured.
    category : str or sequence of str
        Category (e.g. ``"primary_school"``), ``"market|supermarket"`` or a list: a
        facility of any of them serves.
    radius : float, optional
        Walking (or straight-line) distance in metres; required unless ``minutes``.
    minutes, speed_m_per_min : float, optional
        Time (and speed) instead of ``radius``: without a speed, a circle's own distance
        for its minutes (10 minutes: 500 m), else 60 m/min
        (:func:`gisplan.standards.life_circles.minutes_to_metres`).
    method : {"network", "euclidean"}, optional
        Walking distance along ``network`` (default) or straight line.
    network : WalkNetwork, optional
        The embedded ``walk_edges`` network by default; it must span the area.
    residential : geopandas.GeoDataFrame or GeoSeries, optional
        Residential land: the denominator becomes the residential land inside the area.
    groups, group_column, area_name, access_distance, max_snap, exact_area
        As in :func:`gisplan.analysis.coverage.station_coverage`.
    population, population_column
        As in :func:`gisplan.analysis.coverage.station_coverage`.
    strict : bool, optional
        Refuse an area reaching beyond the extent where the facilities are complete,
        instead of warning.

    Returns
    -------
    CoverageResult
        ``params`` records ``indicator`` ``facility_coverage``, ``categories``,
        ``n_facilities`` and ``denominator``; with no facility of the category the
        share is 0 and ``notes`` says so.

    Raises
    ------
    CoverageInputError
        For an unknown category (the message lists the known ones), non-point
        facilities, a bad radius, or the errors of ``station_coverage`` (an area
        sharing nothing with the facilities' extent; with ``strict``, reaching beyond it).

    Warns
    -----
    IncompleteDataWarning
        When the area reaches beyond the extent where the facilities are complete.
    """
    points = facility_points(facilities)
    categories = resolve_categories(category, extra=list(points["category"].dropna().unique()))
    distance = walk_radius(radius, minutes, speed_m_per_min)
    chosen = points[points["category"].isin(categories)]
    crs = measuring_crs(area, method, network)
    measured = _denominator_area(area, residential, crs)
    name = measured_area_name(area, area_name)
    if residential is not None:
        name = f"{name} (residential land)"
    extent_notes = check_extents(polygon_union(measured, "area", crs), crs,
                                 {"facilities": points}, strict=strict, stacklevel=2)
    with warnings.catch_warnings():  # the same check, worded for stations: said above
        warnings.simplefilter("ignore", IncompleteDataWarning)
        result = station_coverage(
            chosen, measured, radius=distance, method=method, network=network,
            groups=groups, group_column=group_column, area_name=name,
            access_distance=access_distance, max_snap=max_snap, exact_area=exact_area,
            population=population, population_column=population_column, strict=strict)
    params = dict(result.params)
    params["n_facilities"] = params.pop("n_stations")
    if "n_stations_in_reach" in params:
        params["n_facilities_in_reach"] = params.pop("n_stations_in_reach")
    params.update({"indicator": "facility_coverage", "categories": list(categories),
                   "denominator": "residential land" if residential is not None else "area"})
    if minutes is not None:
        params.update({"minutes": float(minutes), "speed_m_per_min": speed_m_per_min})
    notes = extent_notes + [n for n in result.notes if not n.startswith(("no stations",
                                                                        "stations"))
                            and "where stations are complete" not in n]
    if not len(chosen):
        notes.insert(0, f"no facility of category {'|'.join(categories)} in the data: "
                        "nothing is covered (share 0)")
    return dataclasses.replace(result, params=params, notes=notes)

@dataclasses.dataclass(frozen=True)
class LifeCircleResult:
    """Coverage of every facility of a life circle, and of the whole bundle.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per requirement and denominator, then the bundle (``category``
        ``"all"``: land reaching every requirement); columns
        :data:`COVERAGE_TABLE_COLUMNS`.
    covered : geopandas.GeoDataFrame
        The covered land per requirement and for the bundle (in the measuring CRS,
        ``params["crs"]`` of the results); columns
        ``circle``, ``category``, ``radius_m``, ``method``, ``covered_km2``.
    results : dict
        Requirement -> the :class:`~gisplan.analysis.coverage.CoverageResult` over the area.
    """

    table: pd.DataFrame
    covered: gpd.GeoDataFrame
    results: dict[str, CoverageResult]

def life_circle_coverage(
    facilities: gpd.GeoDataFrame,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    circle: str,
    *,
    radius: float | None = None,
    method: str = "network",
    network: WalkNetwork | None = None,
    residential: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str | None = None,
    target_id: str | None = None,
    circles: Sequence[LifeCircle] = LIFE_CIRCLES,
    requirements: Sequence[CircleRequirement] = CIRCLE_REQUIREMENTS,
    access_distance: float = DEFAULT_ACCESS_M,
    max_snap: float = DEFAULT_MAX_SNAP_M,
) -> LifeCircleResult:
    """Coverage of each facility a GB 50180-2018 life circle needs, and of all of them.

    Each requirement is measured once over the area; with ``residential``, every share
    is also given over the residential land inside the area (the standard's
    denominator), from the same covered land.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with a ``category`` column.
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons of the area measured.
    circle : str
        ``"5min"``, ``"10min"`` or ``"15min"`` (a circle of ``circles``).
    radius : float, optional
        Overrides the circle's distance (e.g. 800 for the strict 15-minute reading).
    method, network, access_distance, max_snap
        As in :func:`facility_coverage`.
    residential : geopandas.GeoDataFrame or GeoSeries, optional
        Residential land, for the second denominator.
    area_name, target_id : str, optional
        Recorded in the table.
    circles, requirements : sequence, optional
        The preset tables (:data:`gisplan.standards.life_circles.LIFE_CIRCLES`,
        :data:`~gisplan.standards.life_circles.CIRCLE_REQUIREMENTS`); pass your own to override.

    Returns
    -------
    LifeCircleResult
    """
    spec = life_circle(circle, circles)
    distance = walk_radius(radius, None, None, default=spec.radius_m)
    wanted = circle_requirements(circle, requirements)
    name = measured_area_name(area, area_name)
    crs = measuring_crs(area, method, network)
    whole = shapely.union_all(area.to_crs(crs).geometry.values)
    land = None
    if residential is not None:
        land = _denominator_area(area, residential, crs).iloc[0]
    results: dict[str, CoverageResult] = {}
    rows: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    for req in wanted:
        result = facility_coverage(facilities, area, req.categories, radius=distance,
                                   method=method, network=network, area_name=name,
                                   access_distance=access_distance, max_snap=max_snap)
        results[req.requirement] = result
        covered = result.covered.iloc[0]
        mapped = result.params["n_facilities"] > 0
        note = "; ".join([f"{req.label_zh}: {'|'.join(req.categories)}, "
                          f"{result.params['n_facilities']} facilities",
                          *([] if mapped else [f"n/a: no data; needs "
                                               f"{req.data_needed or 'data on it'}"]),
                          *(n for n in result.notes if not n.startswith("no facility"))])
        rows += _rows(target_id, req.requirement, circle, distance, method, name,
                      covered if mapped else None, whole, land, note)
        shapes.append({"circle": circle, "category": req.requirement, "radius_m": distance,
                       "method": method, "covered_km2": covered.area / 1e6,
                       "geometry": covered})
    absent = [r for r in wanted if results[r.requirement].params["n_facilities"] == 0]
    present = _intersection([s["geometry"] for s in shapes
                             if s["category"] not in {r.requirement for r in absent}], whole)
    note = f"land reaching all {len(wanted)} facilities of the circle"
    if absent:
        # a requirement without data cannot be judged: the bundle is not measured (n/a),
        # and the mapped ones are given as such
        missing = "; ".join(f"{r.requirement} ({r.label_zh}: {'|'.join(r.categories)}; "
                            f"needs {r.data_needed or 'data on it'})" for r in absent)
        note = (f"n/a: no data for {missing}; the {len(wanted) - len(absent)} mapped "
                f"facilities together: category all_mapped")
        rows += _rows(target_id, "all", circle, distance, method, name, None, whole, land,
                      note)
        rows += _rows(target_id, "all_mapped", circle, distance, method, name, present,
                      whole, land, f"land reaching the {len(wanted) - len(absent)} mapped "
                      f"facilities of the circle (no data for "
                      f"{', '.join(r.requirement for r in absent)})")
        shapes.append({"circle": circle, "category": "all_mapped", "radius_m": distance,
                       "method": method, "covered_km2": present.area / 1e6,
                       "geometry": present})
    else:
        rows += _rows(target_id, "all", circle, distance, method, name, present, whole, land,
                      note)
        shapes.append({"circle": circle, "category": "all", "radius_m": distance,
                       "method": method, "covered_km2": present.area / 1e6,
                       "geometry": present})
    table = pd.DataFrame(rows, columns=COVERAGE_TABLE_COLUMNS)
    covered_frame = gpd.GeoDataFrame(shapes, geometry="geometry", crs=crs)
    return LifeCircleResult(table, covered_frame, results)


def _intersection(geoms: list[shapely.Geometry], whole: shapely.Geometry) -> shapely.Geometry:
    out = whole
    for geom in geoms:
        if geom.is_empty or out.is_empty:
            return shapely.Polygon()
        out = shapely.intersection(out, geom)
    return out

def _rows(target_id: str | None, category: str, circle: str, radius: float, method: str,
          area: str, covered: shapely.Geometry | None, whole: shapely.Geometry,
          land: shapely.Geometry | None, notes: str) -> list[dict[str, Any]]:
    """Rows of one requirement over the area (and its residential land); None: n/a."""
    bases = [("area", whole)] + ([] if land is None else [("residential land", land)])
    rows = []
    for denominator, base in bases:
        if covered is None:
            part = float("nan")
        else:
            part = (shapely.intersection(covered, base).area if land is not None
                    else covered.area)
        rows.append({"target_id": target_id, "category": category, "circle": circle,
                     "radius_m": radius, "method": method, "area": area,
                     "denominator": denominator, "share": part / base.area,
                     "covered_km2": part / 1e6, "total_km2": base.area / 1e6,
                     "notes": notes})
    return rows


