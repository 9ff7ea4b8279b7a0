"""Dates of the catalogue: the rail layers as they were on any day.

The layer ``rail_sections`` dates every section of Chengdu's rail network (opening,
start of works, official length, sources); stations carry the opening day of each line
serving them. :func:`layer_as_of` gives the rail layers (``metro_stations``,
``metro_lines``, ``rail_sections``) as they were on a day; ``gisplan.load_layer(name,
as_of=...)`` uses it. Time is a column, not a copy of the layer per year.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely

from gisplan._errors import DateError
from gisplan.crs import METRIC_CRS

__all__ = ["AS_OF_LAYERS", "FIRST_OPENING", "MODES", "beyond_data_note", "data_as_of",
           "empty_network_note", "latest_day", "layer_as_of", "lower_bound_sections",
           "parse_as_of", "parse_date", "section_status"]

AS_OF_LAYERS = ("metro_stations", "metro_lines", "rail_sections")
"""Layers that :func:`gisplan.load_layer` can give ``as_of`` a date."""
FIRST_OPENING = dt.date(2010, 9, 27)
"""Opening of line 1 phase I, Chengdu's first rail section."""
MODES = ("metro", "suburban", "tram")
"""Modes of ``rail_sections``: metro (城市轨道交通), suburban (市域铁路, S3 ...) and tram."""
LINE_CLIP_M = 60.0
"""``metro_lines`` as of a day keeps a line's track within this distance of its open sections."""
_EMPTY_NOTE = ("no rail section had opened by {day}: Chengdu's first, line 1 phase I, opened on "
               f"{FIRST_OPENING.isoformat()}")


def data_as_of(meta: dict | None) -> dt.date | None:
    """Return the day up to which a layer's dated data are known (``data_as_of``), if any."""
    value = (meta or {}).get("data_as_of")
    return None if value is None else dt.date.fromisoformat(str(value))


def latest_day(meta: dict | None, today: dt.date | None = None) -> dt.date:
    """Return the latest day a layer's dated data know: today, or the day they were compiled."""
    today = dt.date.today() if today is None else today
    known = data_as_of(meta)
    return today if known is None else min(today, known)


def beyond_data_note(name: str, meta: dict | None, day: dt.date) -> str | None:
    """Return the note for a day after the data of a layer were compiled (None if not).

    Parameters
    ----------
    name : str
        The layer, as the note names it.
    meta : dict or None
        Its metadata (``data_as_of``).
    day : datetime.date
        The day asked for.
    """
    known = data_as_of(meta)
    if known is None or day <= known:
        return None
    return (f"{name} on {day.isoformat()}: the data were compiled on {known.isoformat()}, "
            "so sections and stations opened after that day are missing")


def empty_network_note(day: dt.date) -> str:
    """Return the note of a day before the first rail section opened."""
    return _EMPTY_NOTE.format(day=day.isoformat())


def parse_date(value: str | dt.date) -> dt.date:
    """Return ``value`` as a date.

    Parameters
    ----------
    value : str or datetime.date
        A date, or its text in the form YYYY-MM-DD.

    Raises
    ------
    DateError
        (a ``ValueError``) for anything else; the message shows the expected form.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise DateError(f"as_of {value!r} is not a date; give it in the form YYYY-MM-DD, "
                    "e.g. as_of='2020-12-31'")


def parse_as_of(value: str | dt.date | None) -> dt.date | None:
    """Return ``value`` as a date, None staying None (see :func:`parse_date`)."""
    return None if value is None else parse_date(value)


def _dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, format="%Y-%m-%d", errors="raise").dt.date


def section_status(sections: pd.DataFrame, day: dt.date) -> pd.Series:
    """Return each section's status on ``day``.

    ``operating`` from its opening, ``under_construction`` from ``construction_from``
    until then, ``planned`` for sections planned on the compile date (and not started
    by ``day``), ``not_started`` when works had not begun, and ``unknown`` for a section
    opened later whose start of works is not known.
    """
    opened = _dates(sections["opened"])
    started = _dates(sections["construction_from"])
    status = []
    for o, s, now in zip(opened, started, sections["status"], strict=True):
        if pd.notna(o) and o <= day:
            status.append("operating")
        elif pd.notna(s) and s <= day:
            status.append("under_construction")
        elif now == "planned":
            status.append("planned")
        elif pd.isna(s) and pd.notna(o):
            status.append("unknown")
        else:
            status.append("not_started")
    return pd.Series(status, index=sections.index, dtype=object)


def _with_note(frame: pd.DataFrame, day: dt.date, note: str | None) -> pd.DataFrame:
    frame.attrs["gisplan_as_of"] = {"as_of": day.isoformat(), "note": note}
    return frame


def _require(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DateError(f"layer {name!r} has no {', '.join(missing)} column: its features "
                        "carry no dates, so as_of cannot select them (a replacement file? "
                        "add the columns of the embedded layer)")


def _stations_as_of(stations: gpd.GeoDataFrame, day: dt.date) -> gpd.GeoDataFrame:
    _require(stations, "metro_stations", ("line_opened",))
    served = []
    for text in stations["line_opened"].fillna(""):
        lines = [part.split(":", 1) for part in text.split(";") if part]
        served.append([line for line, date in lines
                       if date != "unknown" and dt.date.fromisoformat(date) <= day])
    frame = stations.copy()
    frame["lines"] = [";".join(lines) for lines in served]
    frame["line_count"] = [len(lines) for lines in served]
    return frame[frame["line_count"] > 0].reset_index(drop=True)


def _lines_as_of(lines: gpd.GeoDataFrame, sections: gpd.GeoDataFrame,
                 day: dt.date) -> gpd.GeoDataFrame:
    _require(sections, "rail_sections", ("opened", "construction_from", "status", "tracks"))
    open_sections = sections[(section_status(sections, day) == "operating")
                             & sections.geometry.notna()].to_crs(METRIC_CRS)
    metric = lines.to_crs(METRIC_CRS)
    # the lines each section carries; a section without tracks carries none (an empty
    # id matches no line, even a line whose id is empty)
    carried = open_sections["tracks"].fillna("").str.split(";").map(
        lambda ids: {i for i in ids if i})
    keep, geometries = [], []
    for i, (line_id, track) in enumerate(zip(metric["line_id"], metric.geometry, strict=True)):
        on_line = open_sections[carried.map(lambda ids, line=line_id: line in ids)]
        if on_line.empty:
            continue
        corridor = shapely.union_all(on_line.geometry.buffer(LINE_CLIP_M).values)
        clipped = shapely.intersection(track, corridor)
        parts = [g for g in shapely.get_parts(clipped) if g.geom_type == "LineString"]
        if parts:
            keep.append(i)
            geometries.append(shapely.MultiLineString(parts))
    frame = metric.iloc[keep].copy()
    frame = frame.set_geometry(gpd.GeoSeries(geometries, index=frame.index, crs=METRIC_CRS))
    return frame.to_crs(lines.crs).reset_index(drop=True)


def layer_as_of(name: str, frame: gpd.GeoDataFrame, day: dt.date,
                sections: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Return a rail layer as it was on ``day``.

    ``metro_stations``: the stations open on ``day``, with ``lines`` and ``line_count``
    reduced to the lines then serving them (stations without a known opening date are
    left out). ``metro_lines``: each line's track within :data:`LINE_CLIP_M` of its
    sections open on ``day``. ``rail_sections``: the sections operating or under
    construction on ``day``, with ``status`` on that day. Before
    :data:`FIRST_OPENING` the stations and lines are empty; ``attrs["gisplan_as_of"]``
    holds the date and a note.

    Parameters
    ----------
    name : str
        One of :data:`AS_OF_LAYERS`.
    frame : geopandas.GeoDataFrame
        The layer as loaded.
    day : datetime.date
        The day.
    sections : geopandas.GeoDataFrame, optional
        The ``rail_sections`` layer; required for ``metro_lines``.
    """
    if name not in AS_OF_LAYERS:
        raise DateError(f"as_of applies to the rail layers {', '.join(AS_OF_LAYERS)}, "
                           f"not to {name!r}, whose features carry no dates")
    note = _EMPTY_NOTE.format(day=day.isoformat()) if day < FIRST_OPENING else None
    if name == "rail_sections":
        _require(frame, name, ("opened", "construction_from", "status"))
        status = section_status(frame, day)
        result = frame.assign(status=status)
        result = result[status.isin(["operating", "under_construction"])].reset_index(drop=True)
    elif name == "metro_stations":
        result = _stations_as_of(frame, day)
    else:
        if sections is None:
            raise DateError("metro_lines as of a day needs the rail_sections layer "
                            "(sections=), which dates the track")
        result = _lines_as_of(frame, sections, day)
    return _with_note(result, day, note)


def lower_bound_sections(sections: pd.DataFrame, day: dt.date) -> list[str]:
    """Sections opened after ``day`` whose start of works is unknown (status ``unknown``).

    A total of lengths under construction on ``day`` misses them, so it is a lower bound
    when this list is not empty.
    """
    status = section_status(sections, day)
    return list(sections.loc[status == "unknown", "section_id"])
