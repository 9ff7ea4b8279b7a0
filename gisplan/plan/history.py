"""The network year by year: operating length by mode and station coverage at each year-end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from gisplan.analysis import station_coverage
from gisplan.catalogue import load_layer
from gisplan.catalogue.dates import FIRST_OPENING, MODES, layer_as_of, section_status

__all__ = ["AREAS", "network_history"]


AREAS = ("core_five_districts", "central_urban_12_districts")
"""Coverage areas drawn (rows of ``coverage_area``)."""

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
