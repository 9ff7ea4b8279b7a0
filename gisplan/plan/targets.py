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

import datetime as dt
import operator
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gisplan._errors import DateError
from gisplan.analysis.coverage import (
    CoverageInputError,
    CoverageResult,
    park_coverage,
    station_coverage,
)
from gisplan.catalogue.dates import (
    MODES,
    lower_bound_sections,
    parse_as_of,
    rail_network_length,
)
from gisplan.catalogue.layers import list_layers, load_layer
from gisplan.crs import metric_crs_for
from gisplan.network.graph import WalkNetwork, load_walk_network
from gisplan.plan.access_targets import ABSENT_TARGET_SPECS, ACCESS_TARGET_SPECS, AccessMeasurer

__all__ = [
    "BASELINE",
    "PERIOD_END",
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
                      "target", "unit", "met", "notes", "wording_zh", "plan_line", "data_needed",
                      "as_of", "baseline_2020", "end_2025"]
"""Columns of :func:`scoreboard`: ``value`` is measured on ``as_of``; ``baseline_2020`` and
``end_2025`` are the same measurement on :data:`BASELINE` and :data:`PERIOD_END` (NaN for
targets whose data has no dates)."""

BASELINE = dt.date(2020, 12, 31)
"""The plan's baseline: the end of 2020, before the period 2021-2025."""
PERIOD_END = dt.date(2025, 12, 31)
"""The end of the plan period."""
DATED_TARGETS = ("T01", "T25")
"""Targets whose data (the dated rail layers) can be measured on any day."""
STRETCH_RAIL_KM = 1000.0
"""力争: operating and under construction, metro + suburban rail + tram (plan line 1085)."""

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
        (("route_length", "urban_rail"), ("route_length", "all_rail")),
        "opening dates and start of works of every section (layer rail_sections, from news "
        "and official releases); lines under construction without published geometry count "
        "with their official length only",
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
        ``(indicator, method, area_id)`` -> :class:`~gisplan.analysis.coverage.CoverageResult`
        (``area_id`` followed by `` (residential land)`` for that denominator).
    tables : dict
        Further output layers by name: ``life_circle_coverage`` and
        ``life_circle_areas`` (see :mod:`gisplan.plan.access_targets`).
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
    count once, whatever their spacing. Measured in the metric CRS that fits the lines
    (EPSG:4544 in Chengdu).

    Parameters
    ----------
    lines : geopandas.GeoDataFrame or GeoSeries
        Line geometries with a CRS.

    Returns
    -------
    numpy.ndarray of float
        Route length of each feature in km.
    """
    geoms = lines.geometry if isinstance(lines, gpd.GeoDataFrame) else lines
    if not len(geoms):
        return np.zeros(0)
    geoms = geoms.to_crs(metric_crs_for(geoms))
    w1, w2 = ROUTE_WIDTHS_M
    wide, narrow = (geoms.buffer(w, cap_style="flat").area for w in (w2, w1))
    return ((wide - narrow) / (2 * (w2 - w1)) / 1000).to_numpy()


def _area(area_id: str) -> gpd.GeoDataFrame:
    areas = load_layer("coverage_area")
    return areas[areas["area_id"] == area_id]


def _coverage_row(target: PlanTarget, method: str, area_id: str, result: CoverageResult,
                  stations: gpd.GeoDataFrame) -> dict[str, Any]:
    notes = [f"{result.covered_km2:.2f} of {result.total_km2:.2f} km2"]
    if method == "network":
        notes.append(f"network: {result.params['network']}; street access "
                     f"{result.params['access_distance_m']:.0f} m")
    if target.target_id == "T01":
        lines = stations["lines"].fillna("").str.split(";")
        tram_only = int(sum(set(ls) == {"蓉2"} for ls in lines))
        notes.append(f"{result.params['n_stations']} stations of metro_stations "
                     f"({tram_only} of them 蓉2 tram stops only)")
        as_of_note = stations.attrs.get("gisplan_as_of", {}).get("note")
        if as_of_note:
            notes.append(as_of_note)
    else:
        notes.append(f"{result.params['n_parks_used']} parks with a service radius")
        if "residential" in result.params["area"]:
            notes.append("denominator: residential land (OSM landuse=residential, mapped "
                         "for under a tenth of the extract)")
    notes.extend(result.notes)
    return {"value": result.share, "met": target.met(result.share), "notes": "; ".join(notes)}


def _measure_coverage(target: PlanTarget, method: str, area_id: str, denominator: str,
                      network: WalkNetwork | None, stations: gpd.GeoDataFrame) -> CoverageResult:
    area = _area(area_id)
    districts = load_layer("districts")
    net = network if method == "network" else None
    if target.target_id == "T01":
        return station_coverage(stations, area, method=method, network=net, groups=districts)
    residential = load_layer("residential_land") if denominator == "residential land" else None
    return park_coverage(load_layer("parks"), area, method=method, network=net,
                         groups=districts, residential=residential)


def _rail_length_row(target: PlanTarget, scope: str, day: dt.date) -> dict[str, Any]:
    """T25 on ``day``: urban rail (metro) against 850 km, or every mode against 1,000 km."""
    modes = ("metro",) if scope == "urban_rail" else MODES
    goal = target.target if scope == "urban_rail" else STRETCH_RAIL_KM
    sections = load_layer("rail_sections")
    parts = []
    value = 0.0
    for status in ("operating", "under_construction"):
        total = rail_network_length(day, modes=modes, status=status, sections=sections).iloc[-1]
        value += float(total["official_or_measured_km"])
        parts.append(f"{status.replace('_', ' ')} {total['official_or_measured_km']:.1f} km "
                     f"(geometry {total['measured_km']:.1f} km)")
    missing = lower_bound_sections(sections[sections["mode"].isin(modes)], day)
    reached = value >= goal
    met = True if reached else (None if missing else False)
    notes = [f"{'metro (城市轨道交通)' if scope == 'urban_rail' else 'metro + suburban + tram'} "
             f"on {day.isoformat()}: " + " + ".join(parts),
             "official lengths where published, else the length of the geometry; geometry "
             "runs station to station (S3 inside Chengdu only, tram schematic)"]
    if scope == "all_rail":
        notes.append(f"力争 target {STRETCH_RAIL_KM:.0f} km (轨道交通: 地铁+市域铁路+有轨电车)")
    if missing and not reached:
        notes.append(f"lower bound: start of works unknown for {', '.join(missing)}")
    return {"value": value, "met": met, "notes": "; ".join(notes), "target": goal}


def evaluate(targets: tuple[PlanTarget, ...] = TARGETS, *,
             network: WalkNetwork | None = None, as_of: str | dt.date | None = None,
             period: bool = True) -> Evaluation:
    """Measure every target the embedded layers allow.

    Parameters
    ----------
    targets : tuple of PlanTarget, optional
        The registry (:data:`TARGETS`).
    network : WalkNetwork, optional
        Walking network for the network method (embedded ``walk_edges`` by default).
    as_of : str or datetime.date, optional
        Measure on this day (YYYY-MM-DD; today by default): the rail targets (T01,
        T25) use the network of that day; targets on undated data are left unmeasured
        for a past day, with a note.
    period : bool, optional
        Fill ``baseline_2020`` and ``end_2025`` for the dated targets (default True).

    Returns
    -------
    Evaluation
        The scoreboard and the coverage results behind it.
    """
    day = parse_as_of(as_of) or dt.date.today()
    past = as_of is not None and day != dt.date.today()
    rows = []
    coverage: dict[tuple[str, str, str], CoverageResult] = {}
    available = set(list_layers())
    if network is None and "walk_edges" in available:
        network = load_walk_network()
    access = AccessMeasurer(network) if network is not None else None
    stations = load_layer("metro_stations", as_of=day if as_of is not None else None)
    for target in targets:
        base = {"target_id": target.target_id, "indicator": target.indicator,
                "target": target.target, "unit": target.unit,
                "wording_zh": target.wording_zh, "plan_line": target.plan_line,
                "data_needed": target.data_needed, "as_of": day.isoformat()}
        if not target.measurements:
            rows.append({**base, "method": None, "area": None, "denominator": None,
                         "value": np.nan, "met": None,
                         "notes": "not measurable with the embedded data"})
        for method, area_id, *rest in target.measurements:
            denominator: str | None = rest[0] if rest else "area"
            if past and target.target_id not in DATED_TARGETS:
                row = {"value": np.nan, "met": None, "notes": "the data of this target has "
                       "no dates: measured for today only (no as_of)"}
            elif method == "route_length":
                row = _rail_length_row(target, area_id, day)
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
                                               network, stations)
                except CoverageInputError as exc:  # e.g. an area beyond all the data
                    row = {"value": np.nan, "met": None, "notes": f"not measured: {exc}"}
                else:
                    key = area_id if denominator == "area" else f"{area_id} ({denominator})"
                    coverage[(target.indicator, method, key)] = result
                    row = _coverage_row(target, method, area_id, result, stations)
            rows.append({**base, "method": method, "area": area_id,
                         "denominator": denominator, **row})
    table = pd.DataFrame(rows, columns=SCOREBOARD_COLUMNS)
    table["met"] = table["met"].astype(object)
    if period:
        _add_period_columns(table, targets, network)
    return Evaluation(table, coverage, access.tables() if access is not None else {})


def _add_period_columns(table: pd.DataFrame, targets: tuple[PlanTarget, ...],
                        network: WalkNetwork | None) -> None:
    """Fill ``baseline_2020`` and ``end_2025`` for the targets measurable on any day."""
    dated = tuple(t for t in targets if t.target_id in DATED_TARGETS)
    key = ["target_id", "method", "area", "denominator"]
    for column, day in (("baseline_2020", BASELINE), ("end_2025", PERIOD_END)):
        try:
            then = evaluate(dated, network=network, as_of=day, period=False).table
        except DateError:  # rail layers replaced by files without dates
            table[column] = np.nan
            continue
        then = then.set_index(key)["value"]
        table[column] = [then.get(k, np.nan) for k in
                         table[key].itertuples(index=False, name=None)]


def scoreboard(targets: tuple[PlanTarget, ...] = TARGETS, *,
               network: WalkNetwork | None = None,
               as_of: str | dt.date | None = None) -> pd.DataFrame:
    """Return the scoreboard: each target's measured value, target and status.

    Parameters
    ----------
    targets : tuple of PlanTarget, optional
        The registry (:data:`TARGETS`).
    network : WalkNetwork, optional
        Walking network for the network method.
    as_of : str or datetime.date, optional
        The day measured (YYYY-MM-DD; today by default). The columns ``baseline_2020``
        and ``end_2025`` give the dated targets (T01, T25) at the end of 2020 and of
        2025 whatever the day.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCOREBOARD_COLUMNS`; ``met`` is True, False or None (cannot be
        decided with the data); ``value`` is NaN where the data is missing.
    """
    return evaluate(targets, network=network, as_of=as_of).table


def _formatted(value: float, share: bool) -> str:
    if pd.isna(value):
        return "n/a"
    return f"{value:.1%}" if share else f"{value:.1f}"


def format_scoreboard(table: pd.DataFrame) -> str:
    """Return the scoreboard as aligned text lines for a terminal.

    The value is measured on the day in ``as_of``; ``2020`` and ``2025`` are the
    baseline and end-of-period columns where the scoreboard has them.
    """
    period = "baseline_2020" in table.columns and table["baseline_2020"].notna().any()
    day = table["as_of"].iloc[0] if "as_of" in table.columns and len(table) else "value"
    header = (f"{'target':6s} {'indicator':36s} {'method':12s} {'area':20s} "
              f"{'denominator':16s} {day:>10s} ")
    if period:
        header += f"{'2020':>9s} {'2025':>9s} "
    lines = [header + f"{'target':>8s}  met"]
    for row in table.itertuples(index=False):
        share = str(row.unit).startswith("share")
        text = f"{_formatted(row.value, share):>10s} "
        if period:
            text += (f"{_formatted(row.baseline_2020, share):>9s} "
                     f"{_formatted(row.end_2025, share):>9s} ")
        goal = f"{row.target:.0%}" if share else f"{row.target:.0f}"
        met = {True: "yes", False: "no"}.get(row.met, "unknown")
        method, area, denominator = ("-" if pd.isna(v) else str(v)
                                     for v in (row.method, row.area, row.denominator))
        lines.append(f"{row.target_id:6s} {row.indicator:36s} {method:12s} "
                     f"{area:20s} {denominator:16s} {text}{goal:>8s}  {met}")
    return "\n".join(lines)
