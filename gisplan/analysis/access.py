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
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from gisplan._arrays import run_offsets
from gisplan._errors import IncompleteDataWarning
from gisplan.analysis.coverage import (
    DEFAULT_ACCESS_M,
    DEFAULT_MAX_SNAP_M,
    CoverageInputError,
    CoverageResult,
    _area_name,
    _measuring_crs,
    _polygon_union,
    station_coverage,
)
from gisplan.analysis.population import PopulationInput
from gisplan.catalogue.extent import check_extents
from gisplan.crs import METRIC_CRS, metric_crs_for
from gisplan.network.graph import EdgeSources, WalkNetwork, load_walk_network
from gisplan.standards.life_circles import (
    CIRCLE_REQUIREMENTS,
    LIFE_CIRCLES,
    WALK_SPEED_M_PER_MIN,
    CircleRequirement,
    LifeCircle,
    circle_requirements,
    life_circle,
    minutes_to_metres,
    resolve_categories,
)

__all__ = [
    "COVERAGE_TABLE_COLUMNS",
    "DEFAULT_MAX_DISTANCE_M",
    "LifeCircleResult",
    "NodeDistances",
    "facility_coverage",
    "facility_node_distances",
    "hexagon_grid",
    "life_circle_coverage",
    "nearest_facility_distances",
]

DEFAULT_MAX_DISTANCE_M = 2000.0
"""Nearest-facility search radius: farther facilities give NaN (none within reach)."""
NEAR_SNAP_M = 25.0
"""Facilities are first snapped within this distance (a small search box is cheap), then
the rest within ``max_snap``; the nearest street is the same either way."""
DEFAULT_HEX_SIZE_M = 150.0
"""Side of the hexagons of :func:`hexagon_grid` (centre to corner), in metres."""
COVERAGE_TABLE_COLUMNS = ["target_id", "category", "circle", "radius_m", "method", "area",
                          "denominator", "share", "covered_km2", "total_km2", "notes"]
"""Columns of :attr:`LifeCircleResult.table` (and of the ``life_circle_coverage`` table)."""


# ---------------------------------------------------------------------------- inputs


def _facility_points(facilities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(facilities, gpd.GeoDataFrame) or "category" not in facilities.columns:
        raise CoverageInputError(
            "facilities must be a GeoDataFrame with a 'category' column (the facilities "
            "layer, or your own POIs loaded with load_layer('facilities', path, crs=...))"
        )
    if facilities.crs is None:
        raise CoverageInputError("facilities have no CRS; set it (EPSG:4326 for WGS84)")
    geoms = facilities.geometry
    kinds = set(geoms[~(geoms.isna() | geoms.is_empty)].geom_type)
    if kinds - {"Point"}:
        raise CoverageInputError(
            f"facilities must be points, found {sorted(kinds)}; reduce areas to points "
            "with frame.representative_point()"
        )
    return facilities


def _radius(radius: float | None, minutes: float | None, speed: float,
            default: float | None = None) -> float:
    if radius is not None and minutes is not None:
        raise CoverageInputError("give either radius (metres) or minutes, not both")
    if minutes is not None:
        return minutes_to_metres(minutes, speed)
    value = default if radius is None else radius
    if value is None or not value > 0:
        raise CoverageInputError(f"radius must be a positive distance in metres, got {value!r}")
    return float(value)


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


# ----------------------------------------------------------------------- coverage


def facility_coverage(
    facilities: gpd.GeoDataFrame,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    category: str | Sequence[str],
    *,
    radius: float | None = None,
    minutes: float | None = None,
    speed_m_per_min: float = WALK_SPEED_M_PER_MIN,
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
        Time and speed instead of ``radius`` (60 m/min by default).
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
    points = _facility_points(facilities)
    categories = resolve_categories(category, extra=list(points["category"].dropna().unique()))
    distance = _radius(radius, minutes, speed_m_per_min)
    chosen = points[points["category"].isin(categories)]
    crs = _measuring_crs(area, method, network)
    measured = _denominator_area(area, residential, crs)
    name = _area_name(area, area_name)
    if residential is not None:
        name = f"{name} (residential land)"
    extent_notes = check_extents(_polygon_union(measured, "area", crs), crs,
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
        params.update({"minutes": float(minutes), "speed_m_per_min": float(speed_m_per_min)})
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
    distance = _radius(radius, None, WALK_SPEED_M_PER_MIN, default=spec.radius_m)
    wanted = circle_requirements(circle, requirements)
    name = _area_name(area, area_name)
    crs = _measuring_crs(area, method, network)
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
        note = "; ".join([f"{req.label_zh}: {'|'.join(req.categories)}, "
                          f"{result.params['n_facilities']} facilities", *result.notes])
        rows += _rows(target_id, req.requirement, circle, distance, method, name, covered,
                      whole, land, note)
        shapes.append({"circle": circle, "category": req.requirement, "radius_m": distance,
                       "method": method, "covered_km2": covered.area / 1e6,
                       "geometry": covered})
    absent = [r for r in wanted if results[r.requirement].params["n_facilities"] == 0]
    bundle = _intersection([s["geometry"] for s in shapes], whole)
    present = _intersection([s["geometry"] for s in shapes
                             if s["category"] not in {r.requirement for r in absent}], whole)
    note = f"land reaching all {len(wanted)} facilities of the circle"
    if absent:
        note += (f"; none mapped for {', '.join(r.requirement for r in absent)}, so the "
                 f"bundle is empty; the {len(wanted) - len(absent)} mapped ones together "
                 f"cover {present.area / whole.area:.1%} of the area")
    rows += _rows(target_id, "all", circle, distance, method, name, bundle, whole, land, note)
    shapes.append({"circle": circle, "category": "all", "radius_m": distance,
                   "method": method, "covered_km2": bundle.area / 1e6, "geometry": bundle})
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
          area: str, covered: shapely.Geometry, whole: shapely.Geometry,
          land: shapely.Geometry | None, notes: str) -> list[dict[str, Any]]:
    bases = [("area", whole)] + ([] if land is None else [("residential land", land)])
    rows = []
    for denominator, base in bases:
        part = shapely.intersection(covered, base).area if land is not None else covered.area
        rows.append({"target_id": target_id, "category": category, "circle": circle,
                     "radius_m": radius, "method": method, "area": area,
                     "denominator": denominator, "share": part / base.area,
                     "covered_km2": part / 1e6, "total_km2": base.area / 1e6,
                     "notes": notes})
    return rows


# ------------------------------------------------------------------------ distances


def hexagon_grid(area: gpd.GeoDataFrame | gpd.GeoSeries,
                 size_m: float = DEFAULT_HEX_SIZE_M, *, crs: str | None = None
                 ) -> gpd.GeoDataFrame:
    """Return flat-topped hexagons covering an area, those whose centre lies in it.

    Parameters
    ----------
    area : geopandas.GeoDataFrame or GeoSeries
        Polygons, any CRS.
    size_m : float, optional
        Side of a hexagon (centre to corner) in metres.
    crs : str, optional
        Metric CRS of the hexagons; by default the one that fits the area
        (:func:`gisplan.crs.metric_crs_for`: EPSG:4544 for Chengdu).

    Returns
    -------
    geopandas.GeoDataFrame
        ``hex_id`` and the hexagons in ``crs``.
    """
    if not size_m > 0:
        raise CoverageInputError(f"hexagon size must be positive, got {size_m!r}")
    crs = metric_crs_for(area) if crs is None else crs
    whole = shapely.union_all(area.to_crs(crs).geometry.values)
    xmin, ymin, xmax, ymax = whole.bounds
    step_x, step_y = 1.5 * size_m, np.sqrt(3.0) * size_m
    cols = np.arange(xmin, xmax + step_x, step_x)
    rows = np.arange(ymin, ymax + step_y, step_y)
    grid_x, grid_y = np.meshgrid(cols, rows)
    grid_y = grid_y + np.where(np.arange(len(cols)) % 2 == 1, step_y / 2, 0.0)[None, :]
    cx, cy = grid_x.ravel(), grid_y.ravel()
    inside = shapely.contains_xy(whole, cx, cy)
    cx, cy = cx[inside], cy[inside]
    angles = np.deg2rad(np.arange(0, 360, 60))
    ring = np.stack([cx[:, None] + size_m * np.cos(angles),
                     cy[:, None] + size_m * np.sin(angles)], axis=-1)
    hexagons = shapely.polygons(ring)
    return gpd.GeoDataFrame({"hex_id": np.arange(len(hexagons))}, geometry=hexagons,
                            crs=crs)


def category_node_distances(net: WalkNetwork, sources: Sequence[EdgeSources],
                            limit: float) -> npt.NDArray[np.float64]:
    """Distance from every node to the nearest source of each group, one pass per group.

    One matrix serves every group: a virtual node per group is joined to the end
    nodes of its sources' edges (weight: start plus the distance along the edge), and
    ``scipy.sparse.csgraph.dijkstra`` runs from each virtual node. Virtual nodes have
    no incoming edges, so no path passes through another group's.

    Parameters
    ----------
    net : WalkNetwork
        The network.
    sources : sequence of EdgeSources
        One group of sources per category.
    limit : float
        Search radius in metres; farther nodes get ``inf``.

    Returns
    -------
    numpy.ndarray, shape (groups, nodes)
    """
    n, k = net.n_nodes, len(sources)
    if not k:
        return np.empty((0, n))
    graph = net.graph
    nodes, weights, counts = [], [], []
    for group in sources:
        length = net.edge_length[group.edge]
        targets = np.concatenate([net.edge_u[group.edge], net.edge_v[group.edge]])
        start = np.concatenate([group.start + group.position,
                                group.start + (length - group.position)])
        keep = start <= limit
        nodes.append(targets[keep])
        weights.append(start[keep])
        counts.append(int(keep.sum()))
    extra = np.asarray(counts, dtype=np.int64)
    indptr = np.concatenate([graph.indptr.astype(np.int64),
                             graph.indptr[-1] + np.cumsum(extra)])
    index_dtype = np.int32 if indptr[-1] < 2**31 - 1 and n + k < 2**31 - 1 else np.int64
    augmented = csr_matrix(
        (np.concatenate([graph.data, *weights]),
         np.concatenate([graph.indices, *nodes]).astype(index_dtype),
         indptr.astype(index_dtype)), shape=(n + k, n + k))
    out = dijkstra(augmented, directed=True, indices=np.arange(n, n + k), limit=limit)
    return np.asarray(out[:, :n])


def _origin_distances(net: WalkNetwork, node_dist: npt.NDArray[np.float64],
                      origin: EdgeSources, found: npt.NDArray[np.bool_],
                      group: EdgeSources) -> npt.NDArray[np.float64]:
    """Return each snapped origin's distance to the nearest source.

    Through an end node of the origin's edge, or along the edge to a source on it.
    """
    out = np.full(len(found), np.inf)
    length = net.edge_length[origin.edge]
    via_u = origin.position + node_dist[net.edge_u[origin.edge]]
    via_v = (length - origin.position) + node_dist[net.edge_v[origin.edge]]
    best = np.minimum(via_u, via_v)
    if len(group.edge):
        order = np.argsort(group.edge, kind="stable")
        edges = group.edge[order]
        lo = np.searchsorted(edges, origin.edge, side="left")
        hi = np.searchsorted(edges, origin.edge, side="right")
        count = hi - lo
        which = np.repeat(np.arange(len(origin.edge)), count)
        pick = order[np.repeat(lo, count) + run_offsets(count)]
        along = np.abs(origin.position[which] - group.position[pick]) + group.start[pick]
        np.minimum.at(best, which, along)
    out[found] = best + origin.start
    return out


@dataclasses.dataclass(frozen=True)
class NodeDistances:
    """Distance from every street node to the nearest facility of each category.

    Attributes
    ----------
    categories : tuple of str
        The categories, in the order of the rows of ``distances``.
    distances : numpy.ndarray, shape (categories, nodes)
        Metres; ``inf`` beyond the search radius or where none is reachable.
    sources : list of EdgeSources
        The snapped facilities of each category.
    unplaced : list
        Index labels of facilities farther than ``max_snap`` from every street.
    """

    categories: tuple[str, ...]
    distances: npt.NDArray[np.float64]
    sources: list[EdgeSources]
    unplaced: list[Any]


def facility_node_distances(
    facilities: gpd.GeoDataFrame,
    network: WalkNetwork,
    *,
    categories: Sequence[str] | None = None,
    max_distance: float = DEFAULT_MAX_DISTANCE_M,
    max_snap: float = DEFAULT_MAX_SNAP_M,
) -> NodeDistances:
    """Return the walking distance from every street node to the nearest facility of each kind.

    The engine of :func:`nearest_facility_distances`, without building a frame: the
    facilities of each category are snapped to their nearest street and one Dijkstra
    pass per category (:func:`category_node_distances`) reaches every node.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with a ``category`` column.
    network : WalkNetwork
        The walking network.
    categories, max_distance, max_snap
        As in :func:`nearest_facility_distances`.

    Returns
    -------
    NodeDistances
    """
    points = _facility_points(facilities)
    present = list(dict.fromkeys(points["category"].dropna()))
    wanted = (resolve_categories(list(categories), extra=present) if categories is not None
              else tuple(present))
    metric = points.geometry.to_crs(network.crs).values
    labels = points["category"].to_numpy()
    groups, unplaced = [], []
    for name in wanted:
        chosen = labels == name
        sources, snapped = _snap_facilities(network, metric[chosen], max_snap)
        missing = np.flatnonzero(chosen)[np.isnan(snapped)]
        unplaced += list(points.index[missing]) if len(missing) else []
        groups.append(sources)
    return NodeDistances(tuple(wanted), category_node_distances(network, groups, max_distance),
                         groups, unplaced)


def _snap_facilities(net: WalkNetwork, points: npt.NDArray[np.object_],
                     max_snap: float) -> tuple[EdgeSources, npt.NDArray[np.float64]]:
    """Snap points as :meth:`WalkNetwork.snap` does, searching near the streets first.

    The sources come in no particular order (they are a set to search from).
    """
    near = min(NEAR_SNAP_M, max_snap)
    sources, snapped = net.snap(points, near)
    far = np.flatnonzero(np.isnan(snapped))
    if near >= max_snap or not len(far):
        return sources, snapped
    more, farther = net.snap(points[far], max_snap)
    snapped[far] = farther
    joined = EdgeSources(np.concatenate([sources.edge, more.edge]),
                         np.concatenate([sources.position, more.position]),
                         np.concatenate([sources.start, more.start]))
    return joined, snapped


def nearest_facility_distances(
    facilities: gpd.GeoDataFrame,
    *,
    categories: Sequence[str] | None = None,
    origins: str | gpd.GeoDataFrame | gpd.GeoSeries = "nodes",
    network: WalkNetwork | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    hex_size_m: float = DEFAULT_HEX_SIZE_M,
    max_distance: float = DEFAULT_MAX_DISTANCE_M,
    max_snap: float = DEFAULT_MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """Return the walking distance from every origin to the nearest facility of each category.

    Facilities are snapped to their nearest street (the snap distance counts); one
    Dijkstra pass per category (:func:`category_node_distances`) gives every street
    node its distance; an origin is snapped likewise and reaches the nearest facility
    through an end node of its street segment, or along the segment itself.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        Points with a ``category`` column.
    categories : sequence of str, optional
        Categories to measure (those present in ``facilities`` by default); a
        category with no facility gives an all-NaN column.
    origins : "nodes", "hexagons", or geopandas.GeoDataFrame / GeoSeries, optional
        Street nodes (default); the centres of a :func:`hexagon_grid` of ``area``; or
        your own origins: points, or polygons (residential parcels, population cells)
        measured from a point on their surface.
    network : WalkNetwork, optional
        The embedded ``walk_edges`` network by default.
    area : geopandas.GeoDataFrame or GeoSeries, optional
        Required with ``origins="hexagons"``.
    hex_size_m : float, optional
        Hexagon side for ``origins="hexagons"``.
    max_distance : float, optional
        Search radius in metres: farther facilities, or none, give NaN.
    max_snap : float, optional
        Facilities and origins farther than this from every street are not placed
        (their ids are in ``attrs["unplaced_facilities"]``; such origins get NaN).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per origin (its own columns kept; nodes get ``node``), one float
        column per category (metres, NaN beyond ``max_distance``), ``snap_m`` (origin
        to street), geometry in the network's CRS (the origin's own geometry).

    Raises
    ------
    CoverageInputError
        For an unknown category (listing the known ones) or a bad origin choice.
    """
    net = load_walk_network() if network is None else network
    placed = facility_node_distances(facilities, net, categories=categories,
                                     max_distance=max_distance, max_snap=max_snap)
    wanted, groups, node_dist = placed.categories, placed.sources, placed.distances
    unplaced = placed.unplaced
    frame = _origins(origins, net, area, hex_size_m)
    if frame is None:
        values = node_dist
        frame = gpd.GeoDataFrame({"node": np.arange(net.n_nodes),
                                  "snap_m": np.zeros(net.n_nodes)},
                                 geometry=shapely.points(net.node_xy), crs=net.crs)
    else:
        where = frame.geometry.values
        where = np.where(shapely.get_type_id(where) == 0, where,
                         shapely.point_on_surface(where))
        origin, snapped = net.snap(where, max_snap)
        found = ~np.isnan(snapped)
        values = np.stack([_origin_distances(net, node_dist[i], origin, found, groups[i])
                           for i in range(len(groups))]) if groups else np.empty((0, len(frame)))
        frame["snap_m"] = snapped
    values[~(values <= max_distance)] = np.nan
    columns = pd.DataFrame(values.T, columns=list(wanted), index=frame.index)
    frame = gpd.GeoDataFrame(pd.concat([frame.drop(columns=list(wanted), errors="ignore"),
                                        columns], axis=1), geometry=frame.geometry.name,
                             crs=frame.crs)
    frame.attrs["unplaced_facilities"] = unplaced
    frame.attrs["max_distance_m"] = float(max_distance)
    return frame


def _origins(origins: str | gpd.GeoDataFrame | gpd.GeoSeries, net: WalkNetwork,
             area: gpd.GeoDataFrame | gpd.GeoSeries | None,
             hex_size_m: float) -> gpd.GeoDataFrame | None:
    if isinstance(origins, str):
        if origins == "nodes":
            return None
        if origins == "hexagons":
            if area is None:
                raise CoverageInputError("origins='hexagons' needs area= (the polygons to tile)")
            return hexagon_grid(area, hex_size_m, crs=net.crs)
        raise CoverageInputError(
            f"origins must be 'nodes', 'hexagons' or a GeoDataFrame, got {origins!r}")
    if origins.crs is None:
        raise CoverageInputError("origins have no CRS; set it (EPSG:4326 for WGS84)")
    frame = (origins if isinstance(origins, gpd.GeoDataFrame)
             else gpd.GeoDataFrame(geometry=origins)).to_crs(net.crs)
    return frame.copy()
