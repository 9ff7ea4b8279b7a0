"""Analysis outputs of the main job: indicator rows, catchments and service areas.

:func:`analysis_layers` turns an :class:`~gisplan.plan.Evaluation` into the layers
added to ``chengdu.gpkg``:

``indicators``
    One row per measured target (columns :data:`INDICATOR_COLUMNS`).
``station_catchments_800m``, ``park_service_areas``
    The covered part of each measured area, one feature per method and area.
``coverage_by_district``
    Covered and total km2 per district for every coverage measurement.
``life_circle_distances``
    Hexagons of the area of the plan's life-circle target, with the walk from each to
    the nearest facility of every kind a GB 50180-2018 circle needs (the life-circle map).
``life_circle_coverage``, ``life_circle_areas``
    Walking access to everyday facilities (:mod:`gisplan.plan.measures`): the share of
    the area and of its residential land per target, category and circle, and the
    covered land.
``rail_history`` (when asked)
    The rail network year by year (:func:`gisplan.plan.history.network_history`):
    operating length by mode and 800 m station coverage at each year-end.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gisplan.analysis.distances import requirement_distances
from gisplan.catalogue import list_layers, load_area, load_layer
from gisplan.catalogue.layers import current_metadata
from gisplan.crs import METRIC_CRS
from gisplan.plan.evaluate import Evaluation, evaluate
from gisplan.plan.history import network_history

__all__ = ["INDICATOR_COLUMNS", "LIFE_CIRCLE_HEX_M", "MET_TEXT", "analysis_layers",
           "life_circle_distances", "rail_history_table"]

LIFE_CIRCLE_HEX_M = 200.0
"""Side of the hexagons of ``life_circle_distances``, in metres."""

INDICATOR_COLUMNS = ["target_id", "indicator", "method", "area", "denominator", "value",
                     "comparison", "target", "unit", "met", "target_basis", "caveat", "as_of",
                     "baseline", "end_of_period", "notes"]
"""Columns of the ``indicators`` table (``met`` as text: yes, no or unknown)."""

MET_TEXT = {True: "yes", False: "no"}
"""``met`` of the scoreboard as text; anything else (None: the data cannot decide) is
``unknown``."""

_META: dict[str, dict[str, Any]] = {
    "indicators": {
        "title_zh": "规划空间指标测算结果", "title_en": "Measured spatial targets of the plan",
        "description": "One row per target and method: value (share 0-1 for coverage, km "
        "for lengths) on the day as_of, and at the plan's baseline and period end where the "
        "data carry dates; target in the same unit and whose number it is (target_basis: "
        "plan, standard, or reading where the plan sets no figure); met (yes, no, or unknown "
        "where the data cannot decide); the area measured (coverage_area.area_id); a one-line "
        "caveat and notes on the data.",
    },
    "station_catchments_800m": {
        "title_zh": "轨道站点800米覆盖范围", "title_en": "Rail-station 800 m catchments",
        "description": "Part of each measured area within 800 m of a station of "
        "metro_stations: straight-line discs (euclidean), or the land within the "
        "street-access distance (50 m) of the reached streets, built on a 12.5 m grid "
        "(network).",
    },
    "park_service_areas": {
        "title_zh": "公园绿地服务半径覆盖范围", "title_en": "Park service areas (GB/T 50563)",
        "description": "Part of each measured area within the GB/T 50563 service radius of "
        "a park (500 m for >= 5000 m2, 300 m for 2000-5000 m2), straight-line or walking.",
    },
    "life_circle_coverage": {
        "title_zh": "生活圈设施步行可达覆盖率", "title_en": "Life-circle walking access coverage",
        "description": "Share of the area, and of its residential land (OSM "
        "landuse=residential), within a walk of each facility category of the GB 50180-2018 "
        "5-, 10- and 15-minute circles (300, 500, 1000 m) and of the whole bundle "
        "(category 'all'), and of the facilities of the plan's walking-access targets; "
        "walking distance on the walking network of the data used, land within 50 m of the "
        "reached streets. Each row's notes name the facilities' data and where they "
        "are complete; shares of mapped facilities are lower bounds.",
    },
    "life_circle_areas": {
        "title_zh": "生活圈设施步行可达范围", "title_en": "Life-circle walking access areas",
        "description": "Land within a walk of a facility of each category and circle "
        "(category 'all': reaching every facility of the circle), as measured in "
        "life_circle_coverage over the whole area; built on a 12.5 m grid.",
    },
    "life_circle_distances": {
        "title_zh": "生活圈设施最近步行距离",
        "title_en": "Walk to the nearest life-circle facility",
        "description": "Hexagons (200 m side) of the area of the plan's life-circle target; one "
        "column per facility a GB 50180-2018 circle needs: the walking distance in metres from "
        "the hexagon's centre to the nearest such facility, empty where none lies within "
        "2,000 m.",
    },
    "rail_history": {
        "title_zh": "轨道交通逐年发展", "title_en": "The rail network year by year",
        "description": "At the end of each year since the first opening (the last row: the "
        "day the rail data were compiled): operating route length by mode in km (published "
        "lengths where a source gives one, else measured), metro operating and under "
        "construction, and the share of each area within 800 m (straight-line) of a station "
        "open that day.",
    },
    "coverage_by_district": {
        "title_zh": "分区县覆盖率", "title_en": "Coverage by district",
        "description": "Total and covered km2 and the covered share of every coverage "
        "measurement, per district of the districts layer.",
    },
}


def _inputs_meta(evaluation: Evaluation) -> dict[str, str]:
    """Licence and attribution of the catalogue layers the plan's targets read."""
    names = sorted({str(spec) for target in evaluation.plan.targets
                    for spec in target.inputs.values() if isinstance(spec, str)}
                   & set(list_layers()))
    metas = [current_metadata(name) for name in names]
    licences = sorted({m.get("licence", "") for m in metas} - {""})
    credits = sorted({m.get("attribution", "") for m in metas} - {""})
    return {"licence": "; ".join(licences) or "as the input layers",
            "attribution": "; ".join(credits) or "see the input layers",
            "inputs": ", ".join(names)}


def _meta(name: str, inputs: dict[str, str]) -> dict[str, Any]:
    source = {"id": "gisplan", "title": f"computed by gisplan from the layers {inputs['inputs']}",
              "licence": inputs["licence"], "attribution": inputs["attribution"]}
    return {"name": name, **_META[name], "sources": [source], "licence": inputs["licence"],
            "attribution": inputs["attribution"]}


def _multipolygon(geom: shapely.Geometry) -> shapely.Geometry:
    polygons = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
    return shapely.MultiPolygon(polygons)


def _areas_frame(evaluation: Evaluation, indicators: list[str], name: str) -> gpd.GeoDataFrame:
    inputs = _inputs_meta(evaluation)
    rows = []
    for (key, method, area_id), result in evaluation.coverage.items():
        if key not in indicators:
            continue
        rows.append({"method": method, "area": area_id, "share": result.share,
                     "covered_km2": result.covered_km2, "total_km2": result.total_km2,
                     "geometry": _multipolygon(result.covered.to_crs(METRIC_CRS).iloc[0])})
    frame = gpd.GeoDataFrame(rows, columns=["method", "area", "share", "covered_km2",
                                            "total_km2", "geometry"],
                             geometry="geometry", crs=METRIC_CRS)
    frame.attrs["gisplan"] = _meta(name, inputs)
    return frame


def _by_district(evaluation: Evaluation) -> pd.DataFrame:
    inputs = _inputs_meta(evaluation)
    parts = []
    for (indicator, method, area_id), result in evaluation.coverage.items():
        table = result.by_group[result.by_group["total_km2"] > 0].rename(
            columns={"group": "district"})
        parts.append(table.assign(indicator=indicator, method=method, area=area_id))
    columns = ["indicator", "method", "area", "district", "total_km2", "covered_km2", "share"]
    frame = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(
        columns=columns)
    frame.attrs["gisplan"] = _meta("coverage_by_district", inputs)
    return frame


def _kind_coverage(evaluation: Evaluation, kind: str) -> list[str]:
    """Return the indicators of the plan's targets of one measure kind."""
    return [t.indicator for t in evaluation.plan.targets if t.kind == kind]


def life_circle_distances(evaluation: Evaluation) -> gpd.GeoDataFrame | None:
    """Return hexagons of the life-circle target's area with the walk to each kind of facility.

    Parameters
    ----------
    evaluation : Evaluation
        An evaluation whose plan has a ``life_circle_bundle`` target.

    Returns
    -------
    geopandas.GeoDataFrame or None
        :func:`gisplan.analysis.distances.requirement_distances` over the area of that
        target's first measurement, on the evaluation's network; None when the plan has
        no such target or the evaluation no network.
    """
    inputs = _inputs_meta(evaluation)
    target = next((t for t in evaluation.plan.targets
                   if t.kind == "life_circle_bundle" and t.measurements), None)
    if target is None or evaluation.network is None or "facilities" not in target.inputs:
        return None
    measurement = target.measurements[0]
    area = load_area(evaluation.plan.resolve(measurement.area))
    facilities = load_layer(target.inputs["facilities"])
    hexes = requirement_distances(facilities, area, evaluation.network,
                                  hex_size_m=LIFE_CIRCLE_HEX_M)
    frame = gpd.GeoDataFrame(hexes, geometry="geometry", crs=evaluation.network.crs)
    frame.attrs["gisplan"] = {**_meta("life_circle_distances", inputs),
                              "area": measurement.area}
    return frame


def rail_history_table(evaluation: Evaluation) -> pd.DataFrame | None:
    """Return the ``rail_history`` table (dates as ``YYYY-MM-DD``), None without rail targets."""
    if not any(t.kind in ("rail_length", "station_coverage") for t in evaluation.plan.targets):
        return None
    table = network_history()
    table["date"] = [day.isoformat() for day in table["date"]]
    table.attrs["gisplan"] = _meta("rail_history", _inputs_meta(evaluation))
    return table


def analysis_layers(evaluation: Evaluation | None = None, *,
                    history: bool = False) -> dict[str, pd.DataFrame]:
    """Return the analysis layers of the GeoPackage, keyed by layer name.

    Parameters
    ----------
    evaluation : Evaluation, optional
        Measurements from :func:`gisplan.plan.evaluate`; computed when omitted.
    history : bool, optional
        Add ``rail_history`` (:func:`rail_history_table`; a few seconds).

    Returns
    -------
    dict of str to (Geo)DataFrame
        ``indicators``, ``station_catchments_800m``, ``park_service_areas``,
        ``coverage_by_district``, ``life_circle_distances`` and the tables of
        ``evaluation.tables`` (``life_circle_coverage``, ``life_circle_areas``), each
        with its metadata in ``attrs["gisplan"]``.
    """
    evaluation = evaluate() if evaluation is None else evaluation
    inputs = _inputs_meta(evaluation)
    indicators = evaluation.table[INDICATOR_COLUMNS].copy()
    indicators["met"] = [MET_TEXT.get(m, "unknown") for m in indicators["met"]]
    indicators.attrs["gisplan"] = _meta("indicators", inputs)
    extra = {}
    for name, frame in evaluation.tables.items():
        frame = frame.copy()
        if isinstance(frame, gpd.GeoDataFrame):
            frame["geometry"] = [_multipolygon(g) for g in frame.geometry]
        frame.attrs["gisplan"] = _meta(name, inputs)
        extra[name] = frame
    hexes = life_circle_distances(evaluation)
    if hexes is not None:
        extra["life_circle_distances"] = hexes
    table = rail_history_table(evaluation) if history else None
    if table is not None:
        extra["rail_history"] = table
    return {
        "indicators": indicators,
        "station_catchments_800m": _areas_frame(
            evaluation, _kind_coverage(evaluation, "station_coverage"), "station_catchments_800m"),
        "park_service_areas": _areas_frame(
            evaluation, _kind_coverage(evaluation, "park_coverage"), "park_service_areas"),
        "coverage_by_district": _by_district(evaluation),
        **extra,
    }
