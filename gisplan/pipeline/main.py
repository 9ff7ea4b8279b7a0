"""The main job: every layer and analysis output into one GeoPackage, the maps, the chart."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from gisplan.catalogue.layers import list_layers, load_layer
from gisplan.outputs.charts import plan_period_chart
from gisplan.outputs.geopackage import write_geopackage
from gisplan.outputs.maps import MAP_FILES, write_maps
from gisplan.plan import Plan, evaluate, format_scoreboard
from gisplan.plan.history import network_history
from gisplan.plan.indicators import analysis_layers

__all__ = ["GEOPACKAGE_NAME", "build_geopackage", "collect_layers", "geopackage_layers",
           "write_chart", "write_outputs"]

GEOPACKAGE_NAME = "chengdu.gpkg"


def collect_layers() -> dict[str, pd.DataFrame]:
    """Load every catalogue layer, keyed by layer name.

    Returns
    -------
    dict of str to (Geo)DataFrame
        One entry per name in :func:`gisplan.list_layers`.
    """
    return {name: load_layer(name) for name in list_layers()}


def geopackage_layers(
    layers: dict[str, pd.DataFrame], echo: Callable[[str], None] | None = print, *,
    plan: Plan | str | os.PathLike[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Return the catalogue layers plus the analysis outputs, and echo the scoreboard.

    Parameters
    ----------
    layers : dict of str to (Geo)DataFrame
        The catalogue layers (:func:`collect_layers`).
    echo : callable, optional
        Receives the scoreboard text (:func:`gisplan.plan.format_scoreboard`); None
        keeps quiet.
    plan : Plan, str or os.PathLike, optional
        The plan evaluated (the packaged plan by default).

    Returns
    -------
    dict of str to (Geo)DataFrame
        ``layers`` and :func:`gisplan.plan.indicators.analysis_layers` (with
        ``rail_history``).
    """
    evaluation = evaluate(plan)
    if echo is not None:
        echo(format_scoreboard(evaluation.table))
    return {**layers, **analysis_layers(evaluation, history=True)}


def build_geopackage(
    out_dir: str | os.PathLike[str] = "build", *, echo: Callable[[str], None] | None = print
) -> Path:
    """Write ``<out_dir>/chengdu.gpkg`` with every layer and the analysis outputs.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Output folder, created if missing.
    echo : callable, optional
        Receives the scoreboard text; None keeps quiet.

    Returns
    -------
    pathlib.Path
        Path of the GeoPackage written.
    """
    return write_geopackage(geopackage_layers(collect_layers(), echo),
                            Path(out_dir) / GEOPACKAGE_NAME)


def write_outputs(
    out_dir: str | os.PathLike[str] | None = "build",
    maps_dir: str | os.PathLike[str] | None = "maps",
    *,
    tianditu_key: str | None = None,
    progress: Callable[[str], None] | None = None,
    echo: Callable[[str], None] | None = print,
) -> list[Path]:
    """Write the GeoPackage and the HTML maps from one collection of the layers.

    The analysis outputs (:func:`geopackage_layers`) are computed once and go into both.

    Parameters
    ----------
    out_dir : str or os.PathLike or None
        Folder of ``chengdu.gpkg``; None writes no GeoPackage.
    maps_dir : str or os.PathLike or None
        Folder of the maps (:data:`gisplan.outputs.maps.MAP_FILES`); None writes no maps.
    tianditu_key : str, optional
        Adds Tianditu basemaps to the maps.
    progress : callable, optional
        Called with a short label after each step (collecting, the GeoPackage, each map).
    echo : callable, optional
        Receives the scoreboard text when the GeoPackage is written; None keeps quiet.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    report = progress or (lambda step: None)
    layers = geopackage_layers(collect_layers(), echo if out_dir is not None else None)
    report("layers")
    written = []
    if out_dir is not None:
        written.append(write_geopackage(layers, Path(out_dir) / GEOPACKAGE_NAME))
        report(GEOPACKAGE_NAME)
    if maps_dir is not None:
        for key, filename in MAP_FILES.items():
            written += write_maps(layers, maps_dir, tianditu_key=tianditu_key, which=[key])
            report(filename)
    return written


def write_chart(out_dir: str | os.PathLike[str] = "maps", *,
                plan: Plan | None = None) -> list[Path]:
    """Measure the network year by year and draw the plan-period chart (PNG and SVG).

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder of the chart files.
    plan : Plan, optional
        Whose period and thresholds are drawn (the packaged plan by default).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    return plan_period_chart(network_history(), out_dir, plan=plan)
