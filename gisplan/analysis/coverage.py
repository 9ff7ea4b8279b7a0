"""Service-area coverage: rail-station catchments and park service radii.

Two indicators of the plan are shares of an area lying within a distance of a
facility:

* 「中心城区建成区轨道站点800米范围覆盖面超过50%」 (plan L2464):
  :func:`station_coverage`;
* 「公园绿地服务半径覆盖率不低于90%」 (plan L1849): :func:`park_coverage`, with the
  service radii of GB/T 50563 (:data:`gisplan.standards.parks.PARK_SERVICE_RADII`).

The plan says neither whether a distance is straight-line or along streets nor
which polygon is the 建成区, so both methods are offered and the area is an input:

``method="euclidean"``
    Union of discs (stations) or of polygon buffers (parks). Discs are 128-gons, whose
    area is within 0.05 % of pi r^2.
``method="network"``
    Distance along a :class:`~gisplan.network.graph.WalkNetwork`. Sources are snapped to
    the nearest street (the snap distance counts towards the radius); one Dijkstra
    pass gives every node its distance to the nearest source; every street segment
    within the radius is kept, partial segments up to the remaining distance; the
    land within the street-access distance (:data:`DEFAULT_ACCESS_M`) of the kept
    segments is covered. That land is built on a grid of ``access_distance / 4``
    cells (12.5 m by default; see :mod:`gisplan.analysis._coverage_grid`): a city's worth of
    catchments takes tens of milliseconds instead of seconds, and its area agrees with
    the exact buffer-and-dissolve to about 1 % (the tests check 1.5 % on the embedded
    network and on synthetic grids; ``benchmarks/coverage_bench.py`` prints the
    difference). ``exact_area=True`` buffers and dissolves with GEOS instead.

Measurement is made in the metric CRS that fits the area
(:func:`gisplan.crs.metric_crs_for`: EPSG:4544 for Chengdu), recorded in
``params["crs"]``; the network method measures in the network's CRS
(:attr:`~gisplan.network.graph.WalkNetwork.crs`, chosen the same way from its streets). The
covered geometry is returned in that CRS.

The measured area is compared with the extents where the inputs are complete
(:func:`gisplan.catalogue.extent.check_extents`): beyond them the result says so in ``notes`` and
an :class:`~gisplan.IncompleteDataWarning` (an error with ``strict=True``); an area
that shares nothing with them is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from gisplan._errors import CoverageInputError
from gisplan.analysis._inputs import (
    check_method,
    checked_distances,
    labels,
    measured_area_name,
    measuring_crs,
    metric_geometries,
    point_geometries,
    polygon_union,
)
from gisplan.analysis._network_cover import (
    CIRCLE_QUAD_SEGS,
    component_sizes,
    dissolve,
    empty_snaps,
    network_for,
    network_notes,
    network_params,
    park_network_cover,
    reached_intervals,
    street_cover,
)
from gisplan.analysis._result import CoverageResult, coverage_result
from gisplan.analysis.population import PopulationInput
from gisplan.catalogue import check_extents
from gisplan.network import WalkNetwork
from gisplan.standards.parks import PARK_SERVICE_RADII, park_service_radius

__all__ = [
    "DEFAULT_ACCESS_M",
    "DEFAULT_MAX_SNAP_M",
    "DEFAULT_PARK_ENTRANCE_M",
    "DEFAULT_RADIUS_M",
    "CoverageResult",
    "park_coverage",
    "station_coverage",
]


DEFAULT_RADIUS_M = 800.0
"""Station catchment radius of plan L2464 (「轨道站点800米范围」)."""

DEFAULT_ACCESS_M = 50.0
"""Street-access distance: land within this distance of a reached street is covered."""

DEFAULT_MAX_SNAP_M = 400.0
"""A source farther than this from every street is reported unreachable, not used."""

DEFAULT_PARK_ENTRANCE_M = 50.0
"""Streets within this distance of a park count as its entrances (entrances are unknown)."""

def station_coverage(
    stations: gpd.GeoDataFrame | gpd.GeoSeries,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    radius: float = DEFAULT_RADIUS_M,
    method: str = "euclidean",
    network: WalkNetwork | None = None,
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
    """Share of an area within ``radius`` of a rail station (plan L2464).

    Parameters
    ----------
    stations : geopandas.GeoDataFrame or GeoSeries
        Station points, any CRS (GCJ-02 data must be converted first).
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons of the area measured (dissolved; holes are excluded), e.g. a row of
        the ``coverage_area`` layer.
    radius : float, optional
        Catchment radius in metres (800).
    method : {"euclidean", "network"}, optional
        Straight-line discs, or walking distance along ``network``.
    network : WalkNetwork, optional
        Walking network for ``method="network"``; the embedded ``walk_edges`` layer
        by default. It must span the area.
    groups : geopandas.GeoDataFrame, optional
        Polygons (e.g. districts) for the breakdown in ``by_group``.
    group_column : str, optional
        Column of ``groups`` naming each group.
    area_name : str, optional
        Name recorded in ``params["area"]``; the ``area_id`` column by default.
    access_distance : float, optional
        Network method: buffer around reached streets, in metres.
    max_snap : float, optional
        Network method: stations farther from every street are unreachable.
    exact_area : bool, optional
        Network method: build the covered area by buffering every reached street
        part and dissolving the buffers with GEOS, instead of on a grid of
        ``access_distance / 4`` cells (the default, see the module notes). Exact, but
        seconds instead of milliseconds for a city.
    population : str, os.PathLike or geopandas.GeoDataFrame, optional
        A population raster (read with rasterio) or population polygons; adds
        ``population_share``.
    population_column : str, optional
        Column of population polygons holding the head count.
    strict : bool, optional
        Raise instead of warning when the area reaches beyond the extent where the
        stations are complete (see :func:`gisplan.catalogue.extent.check_extents`).

    Returns
    -------
    CoverageResult

    Raises
    ------
    CRSError
        If an input has no CRS.
    CoverageInputError
        For invalid or empty areas, non-point stations, an unknown method, a distance
        that is not a finite positive number (``radius``, ``access_distance``,
        ``max_snap``; numeric strings are accepted), a network that does not span the
        area, an area sharing nothing with the extent of the stations, or (with
        ``strict``) an area reaching beyond it.

    Warns
    -----
    IncompleteDataWarning
        When the area reaches beyond the extent where the stations are complete.

    Examples
    --------
    >>> from gisplan import load_layer, station_coverage
    >>> areas = load_layer("coverage_area")
    >>> core = areas[areas["area_id"] == "core_five_districts"]
    >>> result = station_coverage(load_layer("metro_stations"), core)  # doctest: +SKIP
    >>> round(result.share, 3)  # doctest: +SKIP
    """
    check_method(method)
    checked = checked_distances(radius=radius, access_distance=access_distance, max_snap=max_snap)
    radius, access_distance, max_snap = (checked["radius"], checked["access_distance"],
                                         checked["max_snap"])
    crs = measuring_crs(area, method, network)
    points = point_geometries(stations, crs)
    area_geom = polygon_union(area, "area", crs)
    params: dict[str, Any] = {
        "indicator": "station_coverage", "method": method, "radius_m": radius,
        "area": measured_area_name(area, area_name), "crs": crs,
        "n_stations": len(points),
    }
    notes = check_extents(area_geom, crs, {"stations": stations}, strict=strict,
                          stacklevel=2) if len(points) else []
    if not len(points):
        notes.append("no stations: nothing is covered")
    if method == "euclidean":
        params["circle_quad_segs"] = CIRCLE_QUAD_SEGS
        discs = shapely.buffer(points.values, radius, quad_segs=CIRCLE_QUAD_SEGS)
        covered = shapely.intersection(dissolve(discs), area_geom)
        snaps = empty_snaps()
    else:
        net = network_for(network, area_geom, access_distance)
        notes += network_notes(network, area_geom, strict)
        # a walk is never shorter than the straight line: farther stations cannot reach
        near = points[shapely.dwithin(points.values, area_geom, radius + access_distance)]
        sources, snapped = net.snap(near.values, max_snap)
        dist = net.distances(sources, radius)
        parts = reached_intervals(net, dist, sources, radius)
        covered = street_cover(net, parts, access_distance, area_geom, exact_area)
        component = np.zeros(len(near), dtype=np.int64)
        component[~np.isnan(snapped)] = component_sizes(net, sources.edge)
        snaps = pd.DataFrame({"snap_m": snapped, "component_nodes": component,
                              "reachable": ~np.isnan(snapped)}, index=near.index)
        params.update(network_params(net, access_distance, max_snap, exact_area))
        params["n_stations_in_reach"] = len(near)
        small = snaps["reachable"] & (snaps["component_nodes"] < 0.01 * net.n_nodes)
        if small.any():
            notes.append(f"{int(small.sum())} station(s) snapped to a small network "
                         "component (< 1% of nodes): "
                         f"{', '.join(labels(stations, snaps.index[small][:10]))}")
    return coverage_result(covered, area_geom, groups=groups, group_column=group_column,
                   population=population, population_column=population_column,
                   params=params, snaps=snaps, notes=notes, sources=stations)

def park_coverage(
    parks: gpd.GeoDataFrame | gpd.GeoSeries,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    method: str = "euclidean",
    radius: float | None = None,
    radii: Sequence[Sequence[Any]] = PARK_SERVICE_RADII,
    radius_column: str = "service_radius_m",
    residential: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    network: WalkNetwork | None = None,
    groups: gpd.GeoDataFrame | None = None,
    group_column: str = "name_zh",
    area_name: str | None = None,
    access_distance: float = DEFAULT_ACCESS_M,
    entrance_distance: float = DEFAULT_PARK_ENTRANCE_M,
    exact_area: bool = False,
    population: PopulationInput | None = None,
    population_column: str | None = None,
    strict: bool = False,
) -> CoverageResult:
    """Park green-space service-radius coverage (plan L1849, GB/T 50563).

    Each park serves the land within its service radius: ``radius`` if given, else the
    ``radius_column`` of ``parks`` if present, else :func:`park_service_radius` of its
    area. Parks with radius 0 (too small) are left out and counted in ``params``.
    Only real parks receive a radius: features with ``park_green`` False (other green,
    and the schematic drawings of the embedded layer) or ``geocode_method``
    ``"schematic"`` are left out and counted in ``notes``.

    Parameters
    ----------
    parks : geopandas.GeoDataFrame or GeoSeries
        Park polygons, any CRS.
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons of the area measured.
    method : {"euclidean", "network"}, optional
        Straight-line distance from the park edge (as in the standard), or walking
        distance from the streets touching the park.
    radius : float, optional
        One service radius in metres for every real park, whatever its size class.
    radii : sequence of (min_area_m2, radius_m[, size_class]), optional
        Size classes when ``parks`` has no radius column
        (:data:`gisplan.standards.parks.PARK_SERVICE_RADII` by default).
    radius_column : str, optional
        Column of per-park radii in metres.
    residential : geopandas.GeoDataFrame or GeoSeries, optional
        Residential land (居住用地); when given, the denominator is residential land
        inside the area, as the standard defines it.
    network : WalkNetwork, optional
        Walking network for ``method="network"`` (embedded ``walk_edges`` by default).
    groups, group_column, area_name, access_distance, exact_area, population, population_column
        As in :func:`station_coverage`.
    entrance_distance : float, optional
        Network method: every street within this distance of a park is an entrance.
    strict : bool, optional
        Raise instead of warning when the area reaches beyond the extent where the
        parks are complete (see :func:`gisplan.catalogue.extent.check_extents`).

    Returns
    -------
    CoverageResult
        ``unreachable`` lists parks with no street within ``entrance_distance``.

    Raises
    ------
    CRSError, CoverageInputError
        As in :func:`station_coverage` (``radius``, ``access_distance`` and
        ``entrance_distance`` must be finite positive numbers).

    Warns
    -----
    IncompleteDataWarning
        When the area reaches beyond the extent where the parks are complete.
    """
    check_method(method)
    distances = {"access_distance": access_distance, "entrance_distance": entrance_distance}
    checked = checked_distances(**distances, **({} if radius is None else {"radius": radius}))
    access_distance, entrance_distance = (checked["access_distance"],
                                          checked["entrance_distance"])
    crs = measuring_crs(area, method, network)
    geoms = metric_geometries(parks, "parks", crs)
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    real = _real_parks(parks, geoms.index)
    if "radius" in checked:
        park_radius_all = np.where(real, checked["radius"], 0.0)
        radius_source = f"radius {checked['radius']:g} m for every real park"
    elif isinstance(parks, gpd.GeoDataFrame) and radius_column in parks.columns:
        column = parks.loc[geoms.index, radius_column].astype(float).fillna(0.0).to_numpy()
        park_radius_all = np.where(real, column, 0.0)
        radius_source = f"column {radius_column}"
    else:
        park_radius_all = np.where(real, park_service_radius(geoms.area.to_numpy(), radii), 0.0)
        radius_source = f"park area classes {[tuple(r[:2]) for r in radii]}"
    used = park_radius_all > 0
    area_geom = polygon_union(area, "area", crs)
    name = measured_area_name(area, area_name)
    if residential is not None:
        area_geom = shapely.intersection(area_geom,
                                         polygon_union(residential, "residential", crs))
        if area_geom.area <= 0:
            raise CoverageInputError("no residential land inside the area")
        name = f"{name} (residential land)"
    params: dict[str, Any] = {
        "indicator": "park_coverage", "method": method, "area": name, "crs": crs,
        "radius_source": radius_source, "n_parks": len(geoms),
        "n_parks_used": int(used.sum()), "n_parks_too_small": int((real & ~used).sum()),
        "n_not_parks": int((~real).sum()),
    }
    notes = check_extents(area_geom, crs, {"parks": parks}, strict=strict,
                          stacklevel=2) if len(geoms) else ["no parks: nothing is covered"]
    if isinstance(parks, gpd.GeoDataFrame) and (~real).any():
        notes.append(_left_out_note(parks, geoms.index[~real]))
    park_geoms = geoms.values[used]
    park_radius = park_radius_all[used]
    if method == "euclidean":
        zones = shapely.buffer(park_geoms, park_radius, quad_segs=CIRCLE_QUAD_SEGS)
        covered = shapely.intersection(dissolve(zones), area_geom)
        snaps = empty_snaps()
    else:
        net = network_for(network, area_geom, access_distance)
        notes += network_notes(network, area_geom, strict)
        near = shapely.dwithin(park_geoms, area_geom, park_radius + access_distance)
        covered, snaps = park_network_cover(net, park_geoms[near], park_radius[near],
                                             geoms.index[used][near], area_geom,
                                             access_distance, entrance_distance, exact_area)
        params.update(network_params(net, access_distance, entrance_distance, exact_area))
        params["entrance_distance_m"] = params.pop("max_snap_m")
    return coverage_result(covered, area_geom, groups=groups, group_column=group_column,
                   population=population, population_column=population_column,
                   params=params, snaps=snaps, notes=notes, sources=parks)

def _real_parks(parks: gpd.GeoDataFrame | gpd.GeoSeries, index: pd.Index) -> npt.NDArray[np.bool_]:
    """Return True for features that are parks (``park_green``), not schematic drawings."""
    real = np.ones(len(index), dtype=bool)
    if not isinstance(parks, gpd.GeoDataFrame):
        return real
    if "park_green" in parks.columns:
        # a missing value is not a park, whatever the column's type (a file's NULLs come
        # as NaN in float64 or as NA in the nullable types)
        flags = parks.loc[index, "park_green"]
        known = flags.notna().to_numpy()
        real &= known
        real[known] &= flags[known].astype(bool).to_numpy()
    if "geocode_method" in parks.columns:
        real &= (parks.loc[index, "geocode_method"] != "schematic").to_numpy()
    return real

def _left_out_note(parks: gpd.GeoDataFrame, index: pd.Index) -> str:
    schematic = (parks.loc[index, "geocode_method"] == "schematic"
                 if "geocode_method" in parks.columns else pd.Series(False, index=index))
    named = labels(parks, index[schematic.to_numpy()])
    return (f"{len(index)} feature(s) of the park layer received no service radius: "
            f"{int(schematic.sum())} schematic drawing(s)"
            + (f" ({', '.join(named[:10])})" if named else "")
            + f" and {int((~schematic).sum())} non-park green feature(s) (park_green False)")
