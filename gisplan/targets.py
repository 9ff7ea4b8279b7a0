"""The plan's spatially measurable targets, and a scoreboard that measures them.

:data:`TARGETS` holds the core targets of the plan inventory (section g1) that gisplan
measures or could measure: each with the exact wording of the plan, its line, the
target value and unit, the function that measures it and, where the embedded data
cannot measure it, the data that would be needed. :func:`evaluate` runs every
measurement; :func:`scoreboard` returns the table.

Coverage indicators are shares between 0 and 1 (``target`` 0.5 means 50 %). The
areas are rows of the ``coverage_area`` layer: the plan's 中心城区建成区 has no published
boundary, so each row names the area it measured.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gisplan.access_targets import ABSENT_TARGET_SPECS, ACCESS_TARGET_SPECS, AccessMeasurer
from gisplan.coverage import CoverageInputError, CoverageResult, park_coverage, station_coverage
from gisplan.crs import METRIC_CRS
from gisplan.layers import list_layers, load_layer
from gisplan.network import WalkNetwork, load_walk_network

__all__ = [
    "SCOREBOARD_COLUMNS",
    "TARGETS",
    "Evaluation",
    "PlanTarget",
    "evaluate",
    "format_scoreboard",
    "rail_route_length_km",
    "scoreboard",
]

SCOREBOARD_COLUMNS = ["target_id", "indicator", "method", "area", "denominator", "value",
                      "target", "unit", "met", "notes", "wording_zh", "plan_line", "data_needed"]
"""Columns of :func:`scoreboard`."""

ROUTE_WIDTHS_M = (40.0, 80.0)
"""Buffer widths of :func:`rail_route_length_km`."""

_COMPARE = {">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class PlanTarget:
    """A spatially measurable target of the plan.

    Attributes
    ----------
    target_id : str
        Id in the plan inventory (``T01`` ...).
    indicator : str
        Short key used in the ``indicators`` table.
    name_zh, name_en : str
        Name of the indicator.
    wording_zh : str
        The exact words of the plan.
    plan_line : int
        Line of the plan text holding the wording.
    target : float
        Target value, in ``unit``.
    comparison : str
        ``">"`` (超过) or ``">="`` (不低于, 达到).
    unit : str
        ``"share of area"`` (0-1) or ``"km"``.
    measurements : tuple of (method, area_id[, denominator])
        What :func:`evaluate` measures for this target; the denominator is ``"area"``
        (default) or ``"residential land"``.
    data_needed : str
        What data the measurement needs beyond (or instead of) the embedded layers.
    """

    target_id: str
    indicator: str
    name_zh: str
    name_en: str
    wording_zh: str
    plan_line: int
    target: float
    comparison: str
    unit: str
    measurements: tuple[tuple[Any, ...], ...]
    data_needed: str

    def met(self, value: float) -> bool:
        """Return whether ``value`` reaches the target."""
        return bool(_COMPARE[self.comparison](value, self.target))


TARGETS: tuple[PlanTarget, ...] = (
    PlanTarget(
        "T01", "rail_station_coverage_800m", "中心城区建成区轨道站点800米覆盖",
        "Rail-station 800 m coverage of the central built-up area",
        "中心城区建成区轨道站点800米范围覆盖面超过50%", 2464, 0.5, ">", "share of area",
        (("euclidean", "core_five_districts"), ("euclidean", "central_urban_12_districts"),
         ("euclidean", "central_osm_extract"), ("network", "central_osm_extract")),
        "the official 中心城区建成区 boundary (the core five districts are a proxy); a "
        "walking network for the whole built-up area (the embedded one covers the central "
        "OSM extract only)",
    ),
    PlanTarget(
        "T04", "park_service_coverage", "公园绿地服务半径覆盖率",
        "Park green-space service-radius coverage",
        "公园绿地服务半径覆盖率不低于90%", 1849, 0.9, ">=", "share of area",
        (("euclidean", "central_osm_extract"), ("network", "central_osm_extract"),
         ("euclidean", "central_osm_extract", "residential land"),
         ("network", "central_osm_extract", "residential land")),
        "current 公园绿地 polygons for the built-up area (the embedded parks are OSM 2018 "
        "of the central extract) and residential land (居住用地), the standard's "
        "denominator; without it the whole area is the denominator",
    ),
    PlanTarget(
        "T08", "greenway_length", "天府绿道建成里程", "Built length of Tianfu Greenway",
        "天府绿道建成10000公里", 1849, 10000.0, ">=", "km", (),
        "centrelines of the built Tianfu Greenway (all levels) with construction status; "
        "no embedded layer holds them",
    ),
    PlanTarget(
        "T25", "rail_transit_length", "轨道交通运营及在建里程",
        "Rail transit length operating + under construction",
        "实现城市轨道交通运营及在建里程达850公里以上", 1085, 850.0, ">=", "km",
        (("route_length", "metro_lines"),),
        "lines under construction (the embedded metro_lines hold operating lines only, "
        "so the value is a lower bound)",
    ),
    *(PlanTarget(**spec) for spec in ACCESS_TARGET_SPECS + ABSENT_TARGET_SPECS),
)
"""The registry: core targets of plan inventory section g1 with a spatial measurement."""


@dataclass
class Evaluation:
    """All measurements of the targets.

    Attributes
    ----------
    table : pandas.DataFrame
        The scoreboard, columns :data:`SCOREBOARD_COLUMNS`.
    coverage : dict
        ``(indicator, method, area_id)`` -> :class:`~gisplan.coverage.CoverageResult`
        (``area_id`` followed by `` (residential land)`` for that denominator).
    tables : dict
        Further output layers by name: ``life_circle_coverage`` and
        ``life_circle_areas`` (see :mod:`gisplan.access_targets`).
    """

    table: pd.DataFrame
    coverage: dict[tuple[str, str, str], CoverageResult] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def rail_route_length_km(lines: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """Route length of rail lines whose geometry holds both tracks.

    OpenStreetMap often draws each direction of a metro line as its own track, so the
    geometric length is about twice the route length. The route length is taken as
    ``(A(w2) - A(w1)) / (2 (w2 - w1))`` where ``A(w)`` is the area of the line buffered
    by ``w`` with flat ends (:data:`ROUTE_WIDTHS_M`): parallel tracks closer than ``w1``
    count once, whatever their spacing. Measured in EPSG:4544.

    Parameters
    ----------
    lines : geopandas.GeoDataFrame or GeoSeries
        Line geometries with a CRS.

    Returns
    -------
    numpy.ndarray of float
        Route length of each feature in km.
    """
    geoms = (lines.geometry if isinstance(lines, gpd.GeoDataFrame) else lines).to_crs(METRIC_CRS)
    w1, w2 = ROUTE_WIDTHS_M
    wide, narrow = (geoms.buffer(w, cap_style="flat").area for w in (w2, w1))
    return ((wide - narrow) / (2 * (w2 - w1)) / 1000).to_numpy()


def _area(area_id: str) -> gpd.GeoDataFrame:
    areas = load_layer("coverage_area")
    return areas[areas["area_id"] == area_id]


def _coverage_row(target: PlanTarget, method: str, area_id: str,
                  result: CoverageResult) -> dict[str, Any]:
    notes = [f"{result.covered_km2:.2f} of {result.total_km2:.2f} km2"]
    if method == "network":
        notes.append(f"network: {result.params['network']}; street access "
                     f"{result.params['access_distance_m']:.0f} m")
    if target.target_id == "T01":
        lines = load_layer("metro_stations")["lines"].fillna("").str.split(";")
        tram_only = int(sum(set(ls) == {"蓉2"} for ls in lines))
        notes.append(f"{result.params['n_stations']} stations of metro_stations "
                     f"({tram_only} of them 蓉2 tram stops only)")
    else:
        notes.append(f"{result.params['n_parks_used']} parks with a service radius")
        if "residential" in result.params["area"]:
            notes.append("denominator: residential land (OSM landuse=residential, mapped "
                         "for under a tenth of the extract)")
    notes.extend(result.notes)
    return {"value": result.share, "met": target.met(result.share), "notes": "; ".join(notes)}


def _measure_coverage(target: PlanTarget, method: str, area_id: str, denominator: str,
                      network: WalkNetwork | None) -> CoverageResult:
    area = _area(area_id)
    districts = load_layer("districts")
    net = network if method == "network" else None
    if target.target_id == "T01":
        return station_coverage(load_layer("metro_stations"), area, method=method,
                                network=net, groups=districts)
    residential = load_layer("residential_land") if denominator == "residential land" else None
    return park_coverage(load_layer("parks"), area, method=method, network=net,
                         groups=districts, residential=residential)


def _rail_length_row(target: PlanTarget) -> dict[str, Any]:
    lines = load_layer("metro_lines")
    km = rail_route_length_km(lines)
    urban = lines["mode"].isin(["metro", "suburban_metro"]).to_numpy()
    value = float(km[urban].sum())
    met = True if target.met(value) else None
    notes = (f"operating metro and S3 route length (OSM); tram 蓉2 adds {km[~urban].sum():.1f} km"
             "; lines under construction are missing, so not meeting the target cannot be "
             "concluded")
    return {"value": value, "met": met, "notes": notes}


def evaluate(targets: tuple[PlanTarget, ...] = TARGETS, *,
             network: WalkNetwork | None = None) -> Evaluation:
    """Measure every target the embedded layers allow.

    Parameters
    ----------
    targets : tuple of PlanTarget, optional
        The registry (:data:`TARGETS`).
    network : WalkNetwork, optional
        Walking network for the network method (embedded ``walk_edges`` by default).

    Returns
    -------
    Evaluation
        The scoreboard and the coverage results behind it.
    """
    rows = []
    coverage: dict[tuple[str, str, str], CoverageResult] = {}
    available = set(list_layers())
    if network is None and "walk_edges" in available:
        network = load_walk_network()
    access = AccessMeasurer(network) if network is not None else None
    for target in targets:
        base = {"target_id": target.target_id, "indicator": target.indicator,
                "target": target.target, "unit": target.unit,
                "wording_zh": target.wording_zh, "plan_line": target.plan_line,
                "data_needed": target.data_needed}
        if not target.measurements:
            rows.append({**base, "method": None, "area": None, "denominator": None,
                         "value": np.nan, "met": None,
                         "notes": "not measurable with the embedded data"})
        for method, area_id, *rest in target.measurements:
            denominator: str | None = rest[0] if rest else "area"
            if method == "route_length":
                row = _rail_length_row(target)
                denominator = None
            elif target.target_id not in {"T01", "T04"}:
                if access is None:
                    continue
                try:
                    row = access.measure(target, method, area_id, denominator)
                except CoverageInputError as exc:  # e.g. an area beyond all the data
                    row = {"value": np.nan, "met": None, "notes": f"not measured: {exc}"}
            else:
                try:
                    result = _measure_coverage(target, method, area_id, str(denominator),
                                               network)
                except CoverageInputError as exc:  # e.g. an area beyond all the data
                    row = {"value": np.nan, "met": None, "notes": f"not measured: {exc}"}
                else:
                    key = area_id if denominator == "area" else f"{area_id} ({denominator})"
                    coverage[(target.indicator, method, key)] = result
                    row = _coverage_row(target, method, area_id, result)
            rows.append({**base, "method": method, "area": area_id,
                         "denominator": denominator, **row})
    table = pd.DataFrame(rows, columns=SCOREBOARD_COLUMNS)
    table["met"] = table["met"].astype(object)
    return Evaluation(table, coverage, access.tables() if access is not None else {})


def scoreboard(targets: tuple[PlanTarget, ...] = TARGETS, *,
               network: WalkNetwork | None = None) -> pd.DataFrame:
    """Return the scoreboard: each target's measured value, target and status.

    Parameters
    ----------
    targets : tuple of PlanTarget, optional
        The registry (:data:`TARGETS`).
    network : WalkNetwork, optional
        Walking network for the network method.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCOREBOARD_COLUMNS`; ``met`` is True, False or None (cannot be
        decided with the data); ``value`` is NaN where the data is missing.
    """
    return evaluate(targets, network=network).table


def format_scoreboard(table: pd.DataFrame) -> str:
    """Return the scoreboard as aligned text lines for a terminal."""
    lines = [f"{'target':6s} {'indicator':36s} {'method':10s} {'area':20s} "
             f"{'denominator':16s} {'value':>9s} {'target':>8s}  met"]
    for row in table.itertuples(index=False):
        share = str(row.unit).startswith("share")
        value = "n/a" if pd.isna(row.value) else (f"{row.value:.1%}" if share
                                                  else f"{row.value:.1f}")
        goal = f"{row.target:.0%}" if share else f"{row.target:.0f}"
        met = {True: "yes", False: "no"}.get(row.met, "unknown")
        method, area, denominator = ("-" if pd.isna(v) else str(v)
                                     for v in (row.method, row.area, row.denominator))
        lines.append(f"{row.target_id:6s} {row.indicator:36s} {method:10s} "
                     f"{area:20s} {denominator:16s} {value:>9s} {goal:>8s}  {met}")
    return "\n".join(lines)
