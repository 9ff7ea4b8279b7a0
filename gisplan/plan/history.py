"""The network year by year: operating length by mode and station coverage at each year-end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from gisplan.analysis import rail_network_length, station_coverage
from gisplan.catalogue import load_layer
from gisplan.catalogue.dates import (
    FIRST_OPENING,
    MODES,
    latest_day,
    layer_as_of,
    section_status,
)

__all__ = ["AREAS", "network_history"]


AREAS = ("core_five_districts", "central_urban_12_districts")
"""Coverage areas drawn (rows of ``coverage_area``)."""

def _year_ends(years: Iterable[int] | None, latest: dt.date) -> list[dt.date]:
    chosen = range(FIRST_OPENING.year, latest.year + 1) if years is None else years
    return [min(dt.date(year, 12, 31), latest) for year in chosen]

def network_history(years: Iterable[int] | None = None, *,
                    areas: Iterable[str] = AREAS) -> pd.DataFrame:
    """Return the operating length by mode and station coverage at the end of each year.

    Parameters
    ----------
    years : iterable of int, optional
        Years to measure (2010 to the last year the rail data know, by default); the last
        is measured on the day the data were compiled, or today if earlier.
    areas : iterable of str, optional
        ``area_id`` values of the ``coverage_area`` layer.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``<mode>_km`` for each mode (operating, as
        :func:`gisplan.rail_network_length` measures it), ``metro_with_construction_km``
        (operating and under construction; NaN
        while a section opened later has no known start of works) and
        ``coverage_<area_id>`` (share of the area within 800 m, straight-line).
    """
    sections = load_layer("rail_sections")
    stations = load_layer("metro_stations")
    coverage_areas = load_layer("coverage_area")
    rows = []
    for day in _year_ends(years, latest_day(sections.attrs.get("gisplan"))):
        row: dict[str, object] = {"date": day}
        for mode in MODES:
            row[f"{mode}_km"] = _length(sections, day, (mode,), ("operating",))
        status = section_status(sections[sections["mode"] == "metro"], day)
        row["metro_with_construction_km"] = (
            float("nan") if (status == "unknown").any()
            else _length(sections, day, ("metro",), ("operating", "under_construction")))
        open_stations = layer_as_of("metro_stations", stations, day)
        for area_id in areas:
            area = coverage_areas[coverage_areas["area_id"] == area_id]
            share = station_coverage(open_stations, area).share if len(open_stations) else 0.0
            row[f"coverage_{area_id}"] = share
        rows.append(row)
    return pd.DataFrame(rows)


def _length(sections: pd.DataFrame, day: dt.date, modes: tuple[str, ...],
            statuses: tuple[str, ...]) -> float:
    """Length of the network of ``modes`` on ``day``: :func:`rail_network_length`'s total."""
    return sum(float(rail_network_length(day, modes=modes, status=status, sections=sections)
                     .iloc[-1]["official_or_measured_km"]) for status in statuses)
