"""The plan-period chart: rail length by mode and station coverage year by year, with targets.

It draws the table of :func:`gisplan.plan.history.network_history` (it measures
nothing) with the plan's thresholds read from the plan: those of its ``rail_length`` and
``station_coverage`` targets, and the plan period shaded. PNG and SVG are written
atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from gisplan._atomic import write_atomically
from gisplan.plan import Plan, load_plan

__all__ = ["CHART_NAME", "draw_rail_lengths", "draw_station_coverage", "plan_period_chart"]

CHART_NAME = "plan_period_rail"
"""File stem of the chart: ``<CHART_NAME>.png`` and ``.svg``."""


def _thresholds(plan: Plan, kind: str) -> list[tuple[float, str]]:
    """(threshold, label) of every measurement of the plan's targets of ``kind``."""
    found = []
    for target in plan.targets:
        if target.kind != kind:
            continue
        for measurement in target.measurements or ():
            value = target.target if measurement.threshold is None else measurement.threshold
            label = target.param(measurement, "label", "")
            text = (f"{target.target_id} {target.comparison} {value:.0%}" if target.is_share
                    else f"{target.target_id} {target.comparison} {value:,.0f} {target.unit}")
            found.append((value, text + (f" ({label})" if label else "")))
    return sorted(set(found))


def _draw_thresholds(axis: Any, plan: Plan, kind: str, styles: tuple[str, ...],
                     scale: float = 1) -> None:
    """Draw the first thresholds of ``kind`` as red lines, one line style each, times ``scale``."""
    for style, (value, text) in zip(styles, _thresholds(plan, kind), strict=False):
        axis.axhline(value * scale, color="#b22222", linestyle=style, label=f"target {text}")


def draw_rail_lengths(axis: Any, history: pd.DataFrame, plan: Plan) -> None:
    """Draw operating length by mode, year by year, with the plan's length thresholds.

    Parameters
    ----------
    axis : matplotlib.axes.Axes
        Where to draw.
    history : pandas.DataFrame
        The output of :func:`gisplan.plan.history.network_history`.
    plan : Plan
        Whose period and ``rail_length`` thresholds are drawn.
    """
    dates = _years(history)
    modes = [c.removesuffix("_km") for c in history.columns
             if c.endswith("_km") and c != "metro_with_construction_km"]
    _period(axis, plan)
    labels = {"metro": "metro", "suburban": "suburban rail", "tram": "tram"}
    axis.stackplot(dates, *(history[f"{mode}_km"] for mode in modes),
                   labels=[f"operating {labels.get(m, m)}" for m in modes],
                   colors=["#1f5fa8", "#7a9a01", "#d9822b"][:len(modes)], alpha=0.9)
    axis.plot(dates, history["metro_with_construction_km"], color="black", marker="o",
              label="metro operating + under construction")
    _draw_thresholds(axis, plan, "rail_length", ("--", ":", "-."))
    axis.set_ylabel("route length, km")
    axis.set_title("Rail network at the end of each year")
    axis.legend(loc="upper left", fontsize=8)


def draw_station_coverage(axis: Any, history: pd.DataFrame, plan: Plan) -> None:
    """Draw the share within 800 m of a station, year by year, with the plan's thresholds.

    Parameters
    ----------
    axis : matplotlib.axes.Axes
        Where to draw.
    history : pandas.DataFrame
        The output of :func:`gisplan.plan.history.network_history`.
    plan : Plan
        Whose period and ``station_coverage`` thresholds are drawn.
    """
    dates = _years(history)
    _period(axis, plan)
    for column in [c for c in history.columns if c.startswith("coverage_")]:
        name = column.removeprefix("coverage_").replace("_", " ")
        axis.plot(dates, history[column] * 100, marker="o", label=f"800 m coverage, {name}")
    _draw_thresholds(axis, plan, "station_coverage", ("--", ":"), scale=100)
    axis.set_ylabel("share of area within 800 m of a station, %")
    axis.set_ylim(0, 100)
    axis.legend(loc="upper left", fontsize=8)
    axis.set_xticks(dates[::2] if len(dates) > 8 else dates)


def _years(history: pd.DataFrame) -> list[int]:
    """Years of the ``date`` column (dates or ``YYYY-MM-DD`` text)."""
    return [int(year) for year in pd.to_datetime(history["date"]).dt.year]


def _period(axis: Any, plan: Plan) -> None:
    axis.axvspan(plan.baseline.year, plan.period_end.year, color="#f2e6c9",
                 label=f"plan period: baseline {plan.baseline.isoformat()} to "
                 f"{plan.period_end.isoformat()}")


def plan_period_chart(history: pd.DataFrame, out_dir: str | os.PathLike[str] = "maps", *,
                      plan: Plan | None = None) -> list[Path]:
    """Draw operating length by mode and station coverage year by year; write PNG and SVG.

    Parameters
    ----------
    history : pandas.DataFrame
        The output of :func:`gisplan.plan.history.network_history`.
    out_dir : str or os.PathLike
        Folder of ``plan_period_rail.png`` and ``.svg`` (created if missing).
    plan : Plan, optional
        Whose period and thresholds are drawn (the packaged plan by default).

    Returns
    -------
    list of pathlib.Path
        The two files, each written atomically.
    """
    from matplotlib.figure import Figure

    plan = load_plan() if plan is None else plan
    figure = Figure(figsize=(9, 8))
    lengths, coverage = figure.subplots(2, 1, sharex=True)
    draw_rail_lengths(lengths, history, plan)
    draw_station_coverage(coverage, history, plan)
    last = pd.Timestamp(history["date"].iloc[-1]).date().isoformat()
    coverage.set_xlabel(f"end of year ({last} for the last point); "
                        "straight-line 800 m; lengths official where published, else measured")
    written = []
    for suffix in (".png", ".svg"):
        path = Path(out_dir) / f"{CHART_NAME}{suffix}"
        written.append(write_atomically(
            path, lambda tmp: figure.savefig(tmp, dpi=150, bbox_inches="tight",
                                             format=tmp.suffix.lstrip("."))))
    return written
