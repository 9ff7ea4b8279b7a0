"""Measure kinds: how a target of each kind is measured, whatever its id.

:data:`MEASURES` maps each measure kind of a plan file (:data:`gisplan.plan.schema.
MEASURE_KINDS`) to a function ``(context, target, measurement) -> MeasureRow``: the
value and its notes, and whether the value can only undercount. The functions read
their inputs, areas and parameters from the target, never from its id; a
:class:`MeasureContext` holds what several measurements share (loaded layers, the
walking network) and collects the coverage results and tables of the GeoPackage.

Notes that describe data say what the data's metadata say (title, source, extent), so
the same sentence is true of the embedded extract and of a user's OSM file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gisplan._errors import CoverageInputError
from gisplan.analysis import (
    CoverageResult,
    facility_coverage,
    life_circle_coverage,
    park_coverage,
    rail_network_length,
    station_coverage,
)
from gisplan.analysis.access import COVERAGE_TABLE_COLUMNS
from gisplan.catalogue import declare_extent, layer_extent, load_area, load_layer
from gisplan.catalogue.dates import MODES, lower_bound_sections
from gisplan.catalogue.networks import load_walk_network
from gisplan.crs import metric_crs_for
from gisplan.network import WalkNetwork
from gisplan.plan.schema import Measurement, Plan, PlanTarget
from gisplan.standards.life_circles import LIFE_CIRCLES, life_circle

__all__ = ["INPUT_LAYERS", "MEASURES", "MeasureContext", "MeasureRow", "data_note"]

INPUT_LAYERS = {"stations": "metro_stations", "parks": "parks", "facilities": "facilities",
                "residential": "residential_land", "water": "water", "waterways": "waterways",
                "lines": "waterways", "polygons": "parks", "groups": "districts",
                "sections": "rail_sections"}
"""The catalogue layer whose schema an input file must follow, by input name."""

WATER_LINE_WIDTH_M = 1.0
"""River centrelines count as water this wide on each side (waterfront access)."""


@dataclass
class MeasureRow:
    """What one measurement gives.

    Attributes
    ----------
    value : float
        The measured value (NaN when it cannot be measured).
    notes : list of str
        What the value rests on and its caveats.
    lower_bound : bool
        Whether this value can only undercount (then a value under the threshold does
        not show the target missed).
    """

    value: float
    notes: list[str] = field(default_factory=list)
    lower_bound: bool = False


def data_note(frame: pd.DataFrame, what: str) -> str:
    """Return a phrase naming the data behind ``what``: its title and where it is complete.

    Parameters
    ----------
    frame : pandas.DataFrame
        A layer as loaded (its metadata in ``attrs["gisplan"]``).
    what : str
        What the layer holds, as the sentence names it.

    Returns
    -------
    str
        E.g. ``"facilities: Everyday facilities (central OSM extract), complete in the
        central OpenStreetMap extract (... state before July 2018)"``.
    """
    meta = frame.attrs.get("gisplan", {}) or {}
    title = meta.get("title_en") or meta.get("name") or "a layer without metadata"
    extent = (meta.get("extent") or {}).get("description")
    return f"{what}: {title}" + (f", complete in {extent}" if extent else "")


@dataclass
class MeasureContext:
    """What the measurements of one evaluation share, and what they collect.

    Attributes
    ----------
    plan : Plan
        The plan evaluated (areas and input files are resolved against its file).
    day : datetime.date
        The day measured.
    dated : bool
        Whether the day was asked for (dated inputs are then loaded as of it).
    network : WalkNetwork or None
        The walking network (the catalogue's ``walk_edges`` when None).
    coverage : dict
        ``(indicator, method, area)`` -> :class:`~gisplan.analysis.CoverageResult` of the
        station and park coverage measurements.
    circle_rows : list of dict
        Rows of the ``life_circle_coverage`` table.
    circle_areas : list of geopandas.GeoDataFrame
        Covered land per target, category and circle.
    """

    plan: Plan
    day: dt.date
    dated: bool = False
    network: WalkNetwork | None = None
    coverage: dict[tuple[str, str, str], CoverageResult] = field(default_factory=dict)
    circle_rows: list[dict[str, Any]] = field(default_factory=list)
    circle_areas: list[gpd.GeoDataFrame] = field(default_factory=list)
    _cache: dict[Any, Any] = field(default_factory=dict)

    def walk_network(self) -> WalkNetwork:
        """Return the walking network, loaded once."""
        if self.network is None:
            self.network = load_walk_network()
        return self.network

    def input(self, target: PlanTarget, name: str, *, dated: bool = False) -> gpd.GeoDataFrame:
        """Return an input of a target: a catalogue layer, or a file in its layer's schema.

        An input is a layer name, a file path (relative to the plan file), or a table
        ``{ file = ..., crs = ..., precision_m = ..., extent = ... }`` whose ``extent``
        (an area id or polygon file) says where the file is complete.
        """
        if name not in target.inputs:
            raise CoverageInputError(f"target {target.target_id} ({target.kind}) needs the "
                                     f"input {name!r}; add it to its inputs in the plan file")
        raw = target.inputs[name]
        spec: dict[str, Any] = dict(raw) if isinstance(raw, Mapping) else {"file": str(raw)}
        source = self.plan.resolve(str(spec["file"]))
        day = self.day if dated and self.dated else None
        key = (source, day)
        if key not in self._cache:
            if Path(source).suffix:
                extent = spec.get("extent")
                self._cache[key] = load_layer(
                    INPUT_LAYERS.get(name, name), source, as_of=day, crs=spec.get("crs"),
                    precision_m=spec.get("precision_m"),
                    extent=None if extent is None else load_area(self.plan.resolve(str(extent))))
            else:
                self._cache[key] = load_layer(source, as_of=day)
        return self._cache[key]

    def area(self, measurement: Measurement) -> gpd.GeoDataFrame:
        """Return the area of a measurement (an ``area_id`` or a polygon file)."""
        spec = self.plan.resolve(measurement.area)
        if spec not in self._cache:
            self._cache[spec] = load_area(spec, what=f"area {measurement.area!r}")
        return self._cache[spec]

    def record(self, target: PlanTarget, measurement: Measurement, category: str,
               circle: str, radius: float, result: CoverageResult,
               notes: list[str]) -> None:
        """Add a walking-access result to the ``life_circle_coverage`` table and areas."""
        denominator = measurement.denominator or "area"
        self.circle_rows.append({
            "target_id": target.target_id, "category": category, "circle": circle,
            "radius_m": radius, "method": measurement.method, "area": measurement.area,
            "denominator": denominator, "share": result.share,
            "covered_km2": result.covered_km2, "total_km2": result.total_km2,
            "notes": "; ".join(notes)})
        if denominator != "residential land":
            self.circle_areas.append(gpd.GeoDataFrame(
                {"target_id": [target.target_id], "circle": [circle], "category": [category],
                 "radius_m": [radius], "covered_km2": [result.covered.iloc[0].area / 1e6]},
                geometry=[result.covered.iloc[0]], crs=result.params["crs"]))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the ``life_circle_coverage`` table and the ``life_circle_areas`` layer."""
        crs = self.network.crs if self.network is not None else "EPSG:4544"
        columns = ["target_id", "circle", "category", "radius_m", "covered_km2", "geometry"]
        areas = (pd.concat([a.to_crs(crs) for a in self.circle_areas], ignore_index=True)
                 if self.circle_areas else gpd.GeoDataFrame(columns=columns, geometry="geometry",
                                                            crs=crs))
        return {"life_circle_coverage": pd.DataFrame(self.circle_rows,
                                                     columns=COVERAGE_TABLE_COLUMNS),
                "life_circle_areas": gpd.GeoDataFrame(areas[columns], geometry="geometry",
                                                      crs=crs)}


Measure = Callable[[MeasureContext, PlanTarget, Measurement], MeasureRow]


def _residential(ctx: MeasureContext, target: PlanTarget,
                 measurement: Measurement) -> gpd.GeoDataFrame | None:
    if measurement.denominator != "residential land":
        return None
    return ctx.input(target, "residential")


def _network(ctx: MeasureContext, measurement: Measurement) -> WalkNetwork | None:
    return ctx.walk_network() if measurement.method == "network" else None


def _coverage_notes(result: CoverageResult, method: str) -> list[str]:
    notes = [f"{result.covered_km2:.2f} of {result.total_km2:.2f} km2"]
    if method == "network":
        notes.append(f"network: {result.params['network']}; street access "
                     f"{result.params['access_distance_m']:.0f} m")
    return notes


def _station_coverage(ctx: MeasureContext, target: PlanTarget,
                      measurement: Measurement) -> MeasureRow:
    stations = ctx.input(target, "stations", dated=target.dated)
    groups = ctx.input(target, "groups") if "groups" in target.inputs else None
    result = station_coverage(stations, ctx.area(measurement),
                              radius=target.param(measurement, "radius_m", 800.0),
                              method=measurement.method, network=_network(ctx, measurement),
                              groups=groups)
    ctx.coverage[(target.indicator, measurement.method, measurement.area)] = result
    notes = _coverage_notes(result, measurement.method)
    only = set(target.param(measurement, "single_line_note", []))
    layer = (stations.attrs.get("gisplan") or {}).get("name", "the stations layer")
    count = f"{result.params['n_stations']} stations of {layer}"
    if only and "lines" in stations.columns:
        served = stations["lines"].fillna("").astype(str).str.split(";")
        single = int(sum(bool(set(ls)) and set(ls) <= only for ls in served))
        count += f" ({single} of them served only by {', '.join(sorted(only))})"
    notes.append(count)
    as_of_note = stations.attrs.get("gisplan_as_of", {}).get("note")
    if as_of_note:
        notes.append(as_of_note)
    return MeasureRow(result.share, notes + list(result.notes))


def _park_coverage(ctx: MeasureContext, target: PlanTarget,
                   measurement: Measurement) -> MeasureRow:
    residential = _residential(ctx, target, measurement)
    groups = ctx.input(target, "groups") if "groups" in target.inputs else None
    result = park_coverage(ctx.input(target, "parks"), ctx.area(measurement),
                           method=measurement.method, network=_network(ctx, measurement),
                           groups=groups, residential=residential)
    key = measurement.area if residential is None else f"{measurement.area} (residential land)"
    ctx.coverage[(target.indicator, measurement.method, key)] = result
    notes = _coverage_notes(result, measurement.method)
    notes.append(f"{result.params['n_parks_used']} parks with a service radius")
    if residential is not None:
        notes.append("denominator: residential land (" + data_note(residential, "landuse") + ")")
    return MeasureRow(result.share, notes + list(result.notes))


def _rail_length(ctx: MeasureContext, target: PlanTarget,
                 measurement: Measurement) -> MeasureRow:
    modes = tuple(target.param(measurement, "modes", MODES))
    sections = ctx.input(target, "sections")
    value, parts = 0.0, []
    for status in ("operating", "under_construction"):
        total = rail_network_length(ctx.day, modes=modes, status=status,
                                    sections=sections).iloc[-1]
        value += float(total["official_or_measured_km"])
        parts.append(f"{status.replace('_', ' ')} {total['official_or_measured_km']:.1f} km "
                     f"(geometry {total['measured_km']:.1f} km)")
    missing = lower_bound_sections(sections[sections["mode"].isin(modes)], ctx.day)
    label = target.param(measurement, "label", "+".join(modes))
    notes = [f"{label} on {ctx.day.isoformat()}: " + " + ".join(parts),
             "official lengths where published, else the length of the geometry",
             data_note(sections, "sections")]
    if target.param(measurement, "threshold_note"):
        notes.append(str(target.param(measurement, "threshold_note")))
    if missing:
        notes.append(f"lower bound: start of works unknown for {', '.join(missing)}")
    return MeasureRow(value, notes, lower_bound=bool(missing))


def _real_features(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Features mapped as they are, not drawn schematically (``geocode_method``)."""
    if "geocode_method" not in frame.columns:
        return frame
    return frame[frame["geocode_method"].fillna("") != "schematic"]


def _area_share(ctx: MeasureContext, target: PlanTarget,
                measurement: Measurement) -> MeasureRow:
    polygons = ctx.input(target, "polygons")
    area = ctx.area(measurement)
    crs = metric_crs_for(area)
    green = _real_features(polygons).to_crs(crs)
    whole = shapely.union_all(area.to_crs(crs).geometry.values)
    inside = shapely.intersection(shapely.union_all(green.geometry.values), whole)
    what = target.param(measurement, "what", "polygons")
    notes = [f"{inside.area / 1e6:.2f} of {whole.area / 1e6:.2f} km2 are {what}",
             data_note(polygons, "polygons")]
    if target.param(measurement, "missing"):
        notes.append(f"{target.param(measurement, 'missing')}, so the ratio is a lower bound")
    return MeasureRow(inside.area / whole.area, notes)


def _circle_radius(target: PlanTarget, measurement: Measurement) -> tuple[float, str]:
    radius = target.param(measurement, "radius_m")
    circle = target.param(measurement, "circle")
    label = target.param(measurement, "table_circle", circle or "")
    if radius is None:
        radius = life_circle(str(circle)).radius_m
    return float(radius), str(label)


def _facility_coverage(ctx: MeasureContext, target: PlanTarget,
                       measurement: Measurement) -> MeasureRow:
    categories = tuple(target.param(measurement, "categories", ()))
    radius, circle = _circle_radius(target, measurement)
    facilities = ctx.input(target, "facilities")
    result = facility_coverage(facilities, ctx.area(measurement), categories, radius=radius,
                               network=ctx.walk_network(),
                               residential=_residential(ctx, target, measurement))
    what = target.param(measurement, "what", "facilities")
    how = target.param(measurement, "how", "walk")
    notes = [f"{what} ({'|'.join(categories)}: {result.params['n_facilities']} in "
             f"facilities) within a {radius:.0f} m {how}"]
    if target.param(measurement, "assumption"):
        notes.append(str(target.param(measurement, "assumption")))
    notes += list(result.notes)
    notes += [f"{result.covered_km2:.2f} of {result.total_km2:.2f} km2",
              data_note(facilities, "facilities") + " (a share of mapped facilities is a "
              "lower bound)"]
    ctx.record(target, measurement, "|".join(categories), circle, radius, result, notes)
    return MeasureRow(result.share, notes)


def _all_circles(ctx: MeasureContext, target: PlanTarget,
                 measurement: Measurement) -> pd.DataFrame:
    """Every circle of the standard over the area, once; the target's own circle named."""
    key = ("circles", target.target_id, measurement.area)
    own = str(target.param(measurement, "circle", "15min"))
    if key not in ctx._cache:
        tables = []
        for circle in LIFE_CIRCLES:
            label = target.target_id if circle.circle == own else None
            result = life_circle_coverage(
                ctx.input(target, "facilities"), ctx.area(measurement), circle.circle,
                network=ctx.walk_network(), residential=ctx.input(target, "residential"),
                area_name=measurement.area, target_id=label)
            tables.append(result.table)
            ctx.circle_areas.append(result.covered.assign(target_id=label))
        table = pd.concat(tables, ignore_index=True)
        ctx.circle_rows += table.to_dict("records")
        ctx._cache[key] = table
    return ctx._cache[key]


def _life_circle_bundle(ctx: MeasureContext, target: PlanTarget,
                        measurement: Measurement) -> MeasureRow:
    circle = str(target.param(measurement, "circle", "15min"))
    tables = _all_circles(ctx, target, measurement)
    denominator = measurement.denominator or "area"
    rows = tables[(tables["circle"] == circle) & (tables["denominator"] == denominator)]
    bundle = rows[rows["category"] == "all"].iloc[0]
    parts = ", ".join(f"{r.category} {r.share:.0%}" for r in rows.itertuples()
                      if r.category not in ("all", "all_mapped") and r.share == r.share)
    notes = [bundle.notes, f"each facility within {bundle.radius_m:.0f} m: {parts}",
             data_note(ctx.input(target, "facilities"), "facilities")]
    mapped = rows[rows["category"] == "all_mapped"]
    if len(mapped):
        notes.insert(1, f"the mapped facilities together: {mapped['share'].iloc[0]:.1%}")
    return MeasureRow(float(bundle.share), notes)


def _park_access(ctx: MeasureContext, target: PlanTarget,
                 measurement: Measurement) -> MeasureRow:
    parks = _real_features(ctx.input(target, "parks"))
    if "park_green" in parks.columns:
        parks = parks[parks["park_green"].fillna(False).astype(bool)]
    radius, circle = _circle_radius(target, measurement)
    result = park_coverage(parks, ctx.area(measurement), method="network",
                           radii=((0.0, radius),), radius_column="",
                           residential=_residential(ctx, target, measurement),
                           network=ctx.walk_network())
    notes = [f"{len(parks)} parks and gardens (any size, as community parks) within a "
             f"{radius:.0f} m walk from the streets along them", *result.notes,
             f"{result.covered_km2:.2f} of {result.total_km2:.2f} km2",
             data_note(parks, "parks")]
    ctx.record(target, measurement, "park", circle, radius, result, notes)
    return MeasureRow(result.share, notes)


def _waterfront_access(ctx: MeasureContext, target: PlanTarget,
                       measurement: Measurement) -> MeasureRow:
    area = ctx.area(measurement)
    crs = metric_crs_for(area)
    water_layer = ctx.input(target, "water")
    water = water_layer.to_crs(crs).geometry
    ways = ctx.input(target, "waterways").to_crs(crs).geometry.buffer(WATER_LINE_WIDTH_M)
    blue = declare_extent(
        gpd.GeoDataFrame(geometry=pd.concat([water, ways], ignore_index=True), crs=crs),
        layer_extent(water_layer), "the extent of the water layer")
    radius, circle = _circle_radius(target, measurement)
    result = park_coverage(blue, area, method="network", radii=((0.0, radius),),
                           radius_column="", residential=_residential(ctx, target, measurement),
                           network=ctx.walk_network())
    notes = [f"{len(water)} water bodies and {len(ways)} rivers and canals; every street "
             f"within 50 m of water counts as waterfront access, within a {radius:.0f} m "
             "walk (public access points are unknown)", *result.notes,
             f"{result.covered_km2:.2f} of {result.total_km2:.2f} km2",
             data_note(water_layer, "water")]
    ctx.record(target, measurement, "waterfront", circle, radius, result, notes)
    return MeasureRow(result.share, notes)


def _line_length(ctx: MeasureContext, target: PlanTarget,
                 measurement: Measurement) -> MeasureRow:
    lines = ctx.input(target, "lines")
    column = target.param(measurement, "column")
    values = target.param(measurement, "values")
    if column and values:  # merged features hold several values, joined by ';'
        parts = lines[column].fillna("").astype(str).str.split(";")
        lines = lines[parts.map(lambda p: bool(set(p) & set(values))).astype(bool)]
    km = float(lines["length_m"].sum() / 1000)
    what = target.param(measurement, "what", "lines")
    notes = [f"{len(lines)} {what}", data_note(lines, "lines"),
             "the figure counts what the layer holds: a lower bound where the layer covers "
             "less than the plan's area"]
    return MeasureRow(km, notes)


def _absent(ctx: MeasureContext, target: PlanTarget, measurement: Measurement) -> MeasureRow:
    return MeasureRow(math.nan, [f"not measured: no layer holds its data ({target.data_needed})"])


MEASURES: dict[str, Measure] = {
    "station_coverage": _station_coverage,
    "park_coverage": _park_coverage,
    "facility_coverage": _facility_coverage,
    "life_circle_bundle": _life_circle_bundle,
    "park_access": _park_access,
    "waterfront_access": _waterfront_access,
    "area_share": _area_share,
    "line_length": _line_length,
    "rail_length": _rail_length,
    "absent": _absent,
}
"""Measure kind -> the function that measures a target of that kind."""
