"""The evaluation report of a plan on the embedded data or an imported OpenStreetMap file.

:func:`report` evaluates the plan (on a day, over the areas chosen), gathers the layers
and analysis outputs the GeoPackage would hold, measures the network year by year for
the charts, and writes the report (:func:`gisplan.outputs.report.write_report`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from gisplan._version import __version__
from gisplan.catalogue import load_area
from gisplan.catalogue.dates import data_as_of
from gisplan.crs import WGS84
from gisplan.outputs.report import ReportFiles, write_report
from gisplan.pipeline.main import collect_layers
from gisplan.pipeline.osm_build import build_from_osm, replaced_layers
from gisplan.plan import Evaluation, Plan, evaluate, load_plan
from gisplan.plan.indicators import analysis_layers

__all__ = ["DEFAULT_REPORT_DIR", "report"]

DEFAULT_REPORT_DIR = "build/report"
"""Folder of the report when none is given."""

def _measured_over(plan: Plan, area_id: str, areas: set[str]) -> Plan:
    """Return the plan with every measurement over a polygon area made over ``area_id``."""
    targets = []
    for target in plan.targets:
        kept: dict[tuple[Any, ...], Any] = {}
        for m in target.measurements:
            moved = dataclasses.replace(m, area=area_id) if m.area in areas else m
            kept.setdefault((moved.method, moved.area, moved.denominator), moved)
        targets.append(dataclasses.replace(target, measurements=tuple(kept.values())))
    return dataclasses.replace(plan, targets=tuple(targets))


def _area_row(spec: str, layers: dict[str, pd.DataFrame]) -> tuple[str, gpd.GeoDataFrame]:
    """Return the ``area_id`` of ``--area`` and ``coverage_area`` with it (a file is added)."""
    areas = layers["coverage_area"]
    if spec in set(areas["area_id"]):
        return spec, areas
    polygons = load_area(spec, what=f"area {spec!r}")
    area_id = Path(spec).stem
    shape = polygons.to_crs(WGS84).geometry.union_all()
    row = gpd.GeoDataFrame({"area_id": [area_id], "name_zh": [area_id],
                            "name_en": [Path(spec).name],
                            "description": [f"polygons of the file {spec}"],
                            "source": ["user"], "precision_m": [0.0]},
                           geometry=[shape], crs=WGS84)
    joined = gpd.GeoDataFrame(pd.concat([areas, row], ignore_index=True), crs=WGS84)
    joined.attrs = areas.attrs
    return area_id, joined


def _embedded_note(layers: dict[str, pd.DataFrame], evaluation: Evaluation) -> str:
    rail = data_as_of(layers.get("rail_sections", pd.DataFrame()).attrs.get("gisplan"))
    streets = layers.get("walk_edges", pd.DataFrame()).attrs.get("gisplan", {})
    extent = streets.get("extent")
    where = extent.get("description") if isinstance(extent, dict) else None
    parts = [f"the layers embedded in gisplan {__version__}"]
    if rail is not None:
        parts.append(f"rail lines and stations with their opening dates, compiled on "
                     f"{rail.isoformat()}")
    if where:
        parts.append(f"streets, parks, water and facilities from {where}")
    return "; ".join(parts)


def report(out: str | os.PathLike[str] = DEFAULT_REPORT_DIR, *,
           as_of: str | dt.date | None = None, area: str | None = None,
           osm: str | os.PathLike[str] | None = None,
           plan: Plan | str | os.PathLike[str] | None = None, pdf: bool = True,
           echo: Callable[[str], None] | None = None) -> ReportFiles:
    """Write the end-of-period evaluation report of a plan.

    Parameters
    ----------
    out : str or os.PathLike
        Folder of ``index.html``, ``headline.csv`` and ``report.pdf`` (default
        ``build/report``).
    as_of : str or datetime.date, optional
        The day of the "data of" column (YYYY-MM-DD; the latest day the dated data know by
        default); the baseline and end-of-period columns are the plan's.
    area : str, optional
        An ``area_id`` of ``coverage_area`` or a polygon file: every measurement over an
        area is made over this one instead. With ``osm``, the area imported.
    osm : str or os.PathLike, optional
        An OpenStreetMap file (``.osm.pbf`` or ``.osm``) whose streets, parks, water,
        facilities and residential land replace the embedded ones
        (:func:`gisplan.pipeline.osm_build.build_from_osm`); the cover says so.
    plan : Plan, str or os.PathLike, optional
        The plan (the packaged Chengdu plan by default).
    pdf : bool, optional
        Print ``report.pdf`` where Chromium or WeasyPrint is installed (default True).
    echo : callable, optional
        Receives one line per file written and the notes.

    Returns
    -------
    gisplan.outputs.report.ReportFiles
        The files written and the notes (how to get the PDF without an engine).

    Raises
    ------
    GisplanError
        On a bad date, area, plan or OSM file, before anything is written.
    """
    chosen = plan if isinstance(plan, Plan) else load_plan(plan)
    if osm is not None:
        built = build_from_osm(osm, area, plan=chosen, as_of=as_of, echo=None)
        evaluation, layers = built.evaluation, dict(built.layers)
        imported = built.imported
        date = imported.osm_date.strftime("%Y-%m-%d") if imported.osm_date else "unknown"
        note = (f"the OpenStreetMap file {Path(osm).name} (data of {date}; {imported.source}) "
                f"for streets, parks, water, facilities and residential land, over "
                f"{built.area['name_en'].iloc[0]}; rail lines and stations embedded")
    else:
        layers = collect_layers()
        if area is not None:
            area_id, areas = _area_row(area, layers)
            layers["coverage_area"] = areas
            chosen = _measured_over(chosen, area_id, set(areas["area_id"]))
        with replaced_layers({"coverage_area": layers["coverage_area"]}):
            evaluation = evaluate(chosen, as_of=as_of)
            layers.update(analysis_layers(evaluation, history=True))
        note = _embedded_note(layers, evaluation)
    files = write_report(evaluation, layers, out, history=layers.get("rail_history"),
                         data_note=note, pdf=pdf)
    if echo is not None:
        for path in files.written:
            echo(f"wrote {path}")
        for line in files.notes:
            echo(f"note: {line}")
    return files
