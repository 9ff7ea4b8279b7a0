"""One map layer per year: the rail network and its 800 m catchments as they grew.

Used by :func:`gisplan.outputs.maps.station_coverage_map`: each year-end of
:data:`TIMELINE_YEARS` (and today) is an overlay of the layer control holding the
sections then open (``rail_sections``) and the union of the 800 m discs around the
stations then open (``metro_stations`` with ``line_opened``); the latest is shown, the
others are switched on to compare. Everything is inlined, so it draws offline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd
import shapely

from gisplan.catalogue.dates import layer_as_of, section_status
from gisplan.crs import METRIC_CRS, WGS84

TIMELINE_YEARS = (2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024, 2025)
"""Year-ends drawn (2020: the plan's baseline; 2025: its end), then today."""
RADIUS_M = 800.0
SIMPLIFY_M = 10.0
_PERIOD_LABEL = {2020: " (baseline)", 2025: " (end of plan)"}
_LINE_STYLE = {"color": "#1f3b73", "weight": 2, "opacity": 0.9}
_CATCHMENT_STYLE = {"color": "#d9822b", "weight": 1, "fillColor": "#f5b041", "fillOpacity": 0.25}


def _days() -> list[tuple[dt.date, str]]:
    today = dt.date.today()
    days = [(dt.date(year, 12, 31), f"end of {year}{_PERIOD_LABEL.get(year, '')}")
            for year in TIMELINE_YEARS if dt.date(year, 12, 31) < today]
    return [*days, (today, f"today {today.isoformat()}")]


def _wgs84_json(geometry: shapely.Geometry) -> dict[str, object]:
    frame = gpd.GeoSeries([geometry], crs=METRIC_CRS).simplify(SIMPLIFY_M).to_crs(WGS84)
    rounded = shapely.set_precision(frame.iloc[0], 1e-5)
    return {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(rounded)}


def add_network_years(fmap: folium.Map, layers: Mapping[str, pd.DataFrame]) -> int:
    """Add one overlay per year-end with the open sections and their 800 m catchments.

    Parameters
    ----------
    fmap : folium.Map
        The map to add to.
    layers : mapping of str to (Geo)DataFrame
        Needs ``rail_sections`` and ``metro_stations`` (with ``line_opened``).

    Returns
    -------
    int
        Number of overlays added (0 when the layers are missing).
    """
    sections, stations = layers.get("rail_sections"), layers.get("metro_stations")
    if (not isinstance(sections, gpd.GeoDataFrame) or not isinstance(stations, gpd.GeoDataFrame)
            or "line_opened" not in stations.columns):
        return 0
    metric_sections = sections.to_crs(METRIC_CRS)
    days = _days()
    for day, label in days:
        open_sections = metric_sections[(section_status(sections, day) == "operating").to_numpy()
                                        & metric_sections.geometry.notna().to_numpy()]
        open_stations = layer_as_of("metro_stations", stations, day).to_crs(METRIC_CRS)
        group = folium.FeatureGroup(name=f"{label}: {len(open_stations)} stations, 800 m",
                                    show=day == days[-1][0])
        if len(open_stations):
            discs = shapely.union_all(open_stations.buffer(RADIUS_M, quad_segs=16).values)
            folium.GeoJson(_wgs84_json(discs), style_function=lambda _, s=_CATCHMENT_STYLE: s,
                           tooltip=f"800 m of a station open at the {label}").add_to(group)
        if len(open_sections):
            lines = shapely.union_all(open_sections.geometry.values)
            folium.GeoJson(_wgs84_json(lines), style_function=lambda _, s=_LINE_STYLE: s,
                           tooltip=f"rail sections open at the {label}").add_to(group)
        group.add_to(fmap)
    return len(days)
