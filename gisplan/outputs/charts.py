"""The rail network year by year: operating length by mode and 800 m station coverage.

:func:`network_history` measures, for the end of each year (today for the current
year), the operating route length by mode and the straight-line 800 m coverage (T01)
of the coverage areas; :func:`plan_period_chart` draws it with the plan's targets and
the plan period 2021-2025 shaded, as PNG and SVG.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from gisplan.analysis.coverage import station_coverage
from gisplan.catalogue.dates import (
    FIRST_OPENING,
    MODES,
    layer_as_of,
    section_status,
)
from gisplan.catalogue.layers import load_layer

__all__ = ["CHART_NAME", "network_history", "plan_period_chart"]

CHART_NAME = "plan_period_rail"
"""File stem of the chart: ``<CHART_NAME>.png`` and ``.svg``."""
AREAS = ("core_five_districts", "central_urban_12_districts")
"""Coverage areas drawn (rows of ``coverage_area``)."""
PLAN_START, PLAN_END = dt.date(2021, 1, 1), dt.date(2025, 12, 31)


def _year_ends(years: Iterable[int] | None) -> list[dt.date]:
    today = dt.date.today()
    chosen = range(FIRST_OPENING.year, today.year + 1) if years is None else years
    return [min(dt.date(year, 12, 31), today) for year in chosen]


def network_history(years: Iterable[int] | None = None, *,
                    areas: Iterable[str] = AREAS) -> pd.DataFrame:
    """Operating length by mode and T01 coverage at the end of each year.

    Parameters
    ----------
    years : iterable of int, optional
        Years to measure (2010 to this year by default); the current year is measured
        today.
    areas : iterable of str, optional
        ``area_id`` values of the ``coverage_area`` layer.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``<mode>_km`` for each mode (operating, official length where
        published else measured), ``metro_with_construction_km`` (T25's measure; NaN
        while a section opened later has no known start of works) and
        ``coverage_<area_id>`` (share of the area within 800 m, straight-line).
    """
    sections = load_layer("rail_sections")
    stations = load_layer("metro_stations")
    coverage_areas = load_layer("coverage_area")
    rows = []
    length = sections["official_km"].astype(float).fillna(sections["measured_km"].astype(float))
    metro = sections["mode"] == "metro"
    for day in _year_ends(years):
        status = section_status(sections, day)
        row: dict[str, object] = {"date": day}
        for mode in MODES:
            row[f"{mode}_km"] = float(length[(sections["mode"] == mode)
                                             & (status == "operating")].sum())
        built = status.isin(["operating", "under_construction"])
        row["metro_with_construction_km"] = (
            float("nan") if (status[metro] == "unknown").any()
            else float(length[metro & built].sum()))
        open_stations = layer_as_of("metro_stations", stations, day)
        for area_id in areas:
            area = coverage_areas[coverage_areas["area_id"] == area_id]
            share = station_coverage(open_stations, area).share if len(open_stations) else 0.0
            row[f"coverage_{area_id}"] = share
        rows.append(row)
    return pd.DataFrame(rows)


def _write_atomic(figure: object, path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=path.suffix)
    os.close(handle)
    try:
        figure.savefig(temporary, dpi=150, bbox_inches="tight")  # type: ignore[attr-defined]
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def plan_period_chart(out_dir: str | os.PathLike[str] = "maps", *,
                      history: pd.DataFrame | None = None) -> list[Path]:
    """Draw operating length by mode and T01 coverage year by year; write PNG and SVG.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder of ``plan_period_rail.png`` and ``.svg`` (created if missing).
    history : pandas.DataFrame, optional
        The output of :func:`network_history` (computed when not given).

    Returns
    -------
    list of pathlib.Path
        The two files, each written atomically.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = network_history() if history is None else history
    dates = [day.year for day in data["date"]]
    figure, (lengths, coverage) = plt.subplots(2, 1, figsize=(9, 8), sharex=True)
    for axis in (lengths, coverage):
        axis.axvspan(PLAN_START.year - 1, PLAN_END.year, color="#f2e6c9",
                     label="plan period: baseline end-2020 to end-2025")
    labels = {"metro": "metro", "suburban": "suburban rail (S3)", "tram": "tram (R2)"}
    lengths.stackplot(dates, *(data[f"{mode}_km"] for mode in MODES),
                      labels=[f"operating {labels[m]}" for m in MODES],
                      colors=["#1f5fa8", "#7a9a01", "#d9822b"], alpha=0.9)
    lengths.plot(dates, data["metro_with_construction_km"], color="black", marker="o",
                 label="metro operating + under construction (T25)")
    lengths.axhline(850, color="#b22222", linestyle="--", label="T25 target 850 km (metro)")
    lengths.axhline(1000, color="#b22222", linestyle=":", label="T25 stretch 1000 km (all modes)")
    lengths.set_ylabel("route length, km")
    lengths.set_title("Chengdu rail network at the end of each year")
    lengths.legend(loc="upper left", fontsize=8)
    for column in [c for c in data.columns if c.startswith("coverage_")]:
        name = column.removeprefix("coverage_").replace("_", " ")
        coverage.plot(dates, data[column] * 100, marker="o", label=f"800 m coverage, {name}")
    coverage.axhline(50, color="#b22222", linestyle="--", label="T01 target > 50 %")
    coverage.set_ylabel("share of area within 800 m of a station, %")
    coverage.set_ylim(0, 100)
    coverage.legend(loc="upper left", fontsize=8)
    coverage.set_xlabel(f"end of year ({data['date'].iloc[-1]} for the last point); straight-line "
                        "800 m; lengths official where published, else measured")
    coverage.set_xticks(dates[::2] if len(dates) > 8 else dates)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in (".png", ".svg"):
        path = folder / f"{CHART_NAME}{suffix}"
        _write_atomic(figure, path)
        written.append(path)
    plt.close(figure)
    return written
