"""Rail network lengths: route length of line geometries, and of the network on a day.

:func:`rail_route_length_km` measures the route length of lines drawn with both tracks;
:func:`rail_network_length` gives the network of a day (``rail_sections`` dated by
:mod:`gisplan.catalogue.dates`) per line and in total, with the published lengths.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan._errors import GisplanError, IncompleteDataWarning
from gisplan.catalogue.dates import (
    FIRST_OPENING,
    MODES,
    beyond_data_note,
    empty_network_note,
    latest_day,
    parse_as_of,
    section_status,
)
from gisplan.catalogue.layers import load_layer
from gisplan.crs import METRIC_CRS, metric_crs_for

__all__ = ["ROUTE_WIDTHS_M", "rail_network_length", "rail_route_length_km"]

ROUTE_WIDTHS_M = (40.0, 80.0)
"""Buffer widths of :func:`rail_route_length_km`."""


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


def _as_tuple(values: str | Iterable[str]) -> tuple[str, ...]:
    return (values,) if isinstance(values, str) else tuple(values)


def _route_km(geometries: gpd.GeoSeries) -> float:
    present = geometries[geometries.notna() & ~geometries.is_empty]
    if present.empty:
        return float("nan")
    union = gpd.GeoSeries([shapely.union_all(present.to_crs(METRIC_CRS).values)], crs=METRIC_CRS)
    return float(rail_route_length_km(union)[0])


def _line_length(official: pd.Series, measured: pd.Series) -> tuple[float, str]:
    """Return the length of a line's sections, never mixing official and measured figures.

    Official where every section has one (the sections of a line sum to the line's
    published figure); else measured where every section has a geometry; else, as a last
    resort, each section's own figure (``mixed``).
    """
    if official.notna().all():
        return float(official.sum()), "official"
    if measured.notna().all():
        return float(measured.sum()), "measured"
    return float(official.fillna(measured).fillna(0.0).sum()), "mixed"


def _line_row(line_id: str, group: gpd.GeoDataFrame) -> dict[str, Any]:
    official = group["official_km"].astype(float)
    measured = group["measured_km"].astype(float)
    opened = group["opened"].dropna()
    length, basis = _line_length(official, measured)
    return {
        "line_id": line_id, "mode": group["mode"].iloc[0],
        "status": ";".join(sorted(set(group["status"]))),
        "sections": ";".join(group["section_id"]),
        "measured_km": _route_km(group.geometry),
        "official_km": float(official.sum()) if official.notna().all() else float("nan"),
        "official_or_measured_km": length, "length_basis": basis,
        "opened": str(min(opened)) if len(opened) else None,
    }


def rail_network_length(as_of: str | dt.date | None = None, *,
                        modes: str | Iterable[str] = MODES,
                        status: str | Iterable[str] = ("operating",),
                        sections: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Route length of the rail network on a day, per line and in total.

    Parameters
    ----------
    as_of : str or datetime.date, optional
        The day (YYYY-MM-DD); by default the latest day the data know (the day they were
        compiled, or today if earlier). A later day warns (``IncompleteDataWarning``).
    modes : str or iterable of str, optional
        Modes to count (:data:`MODES`: ``metro``, ``suburban``, ``tram``).
    status : str or iterable of str, optional
        Statuses on that day to count: ``operating`` (default), ``under_construction``.
    sections : geopandas.GeoDataFrame, optional
        A ``rail_sections`` layer; the embedded one by default.

    Returns
    -------
    pandas.DataFrame
        One row per line and status (``line_id``, ``mode``, ``status``, ``sections``,
        ``measured_km``: route length of the geometry, parallel tracks once;
        ``official_km``: sum of the published lengths, NaN if a section has none;
        ``official_or_measured_km``: the official length where every section of the line
        has one (the sections of a line sum to its published figure), else the measured
        one for the whole line, never a mix within a line; ``length_basis``: which;
        ``opened``: first opening among the sections), then a row
        ``line_id == "total"`` whose ``measured_km`` is the route length of the union
        of all geometries (track shared by two lines counts once). Sections without
        geometry (S5, S11 ...) have no measured length; S3 is measured inside Chengdu
        only; the tram geometry is schematic. ``attrs["as_of"]`` holds the day.
    """
    if sections is None:
        sections = load_layer("rail_sections")
    day = parse_as_of(as_of) or latest_day(sections.attrs.get("gisplan"))
    wanted_modes, wanted_status = _as_tuple(modes), _as_tuple(status)
    unknown = (set(wanted_modes) - set(MODES)) | (
        set(wanted_status) - {"operating", "under_construction"})
    if unknown:
        raise GisplanError(f"unknown modes or statuses {sorted(unknown)}; modes are "
                           f"{', '.join(MODES)}; statuses operating, under_construction")
    beyond = beyond_data_note("rail_sections", sections.attrs.get("gisplan"), day)
    if beyond is not None:
        warnings.warn(beyond, IncompleteDataWarning, stacklevel=2)
    dated = sections.assign(status=section_status(sections, day))
    chosen = dated[dated["mode"].isin(wanted_modes) & dated["status"].isin(wanted_status)]
    rows = [_line_row(str(line_id), group)
            for (line_id, _), group in chosen.groupby(["line_id", "status"], sort=False)]
    total = {"line_id": "total", "mode": ";".join(m for m in MODES if m in set(chosen["mode"])),
             "status": ";".join(s for s in wanted_status if s in set(chosen["status"])),
             "sections": ";".join(chosen["section_id"]),
             "measured_km": _route_km(chosen.geometry) if len(chosen) else 0.0,
             "official_km": float(chosen["official_km"].astype(float).sum(min_count=len(chosen)))
             if len(chosen) else 0.0,
             "official_or_measured_km": float(sum(r["official_or_measured_km"] for r in rows)),
             "length_basis": ";".join(sorted({r["length_basis"] for r in rows})) or None,
             "opened": min((r["opened"] for r in rows if r["opened"]), default=None)}
    table = pd.DataFrame([*rows, total], columns=list(total))
    table["measured_km"] = table["measured_km"].astype(float).round(3)
    table.attrs["as_of"] = day.isoformat()
    if day < FIRST_OPENING:
        table.attrs["note"] = empty_network_note(day)
    elif beyond is not None:
        table.attrs["note"] = beyond
    return table
