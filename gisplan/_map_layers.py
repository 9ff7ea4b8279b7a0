"""Overlays and legends of the HTML maps: display copies of layers, styled GeoJSON, legend."""

from __future__ import annotations

import html
import json
import math
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from gisplan.crs import METRIC_CRS, WGS84, wgs84_to_gcj02
from gisplan.symbology import Symbology, has_geometry

__all__ = ["Legend", "display_frame", "overlay"]

_METRES_PER_DEGREE = 111_320.0
_MAX_SIMPLIFY_M = 20.0
_DEFAULT_PRECISION_M = 10.0
_PROVENANCE = ("source", "precision_m", "geocode_method")


def _precision(frame: gpd.GeoDataFrame) -> float:
    if "precision_m" not in frame.columns:
        return _DEFAULT_PRECISION_M
    values = pd.to_numeric(frame["precision_m"], errors="coerce").dropna()
    return float(values.min()) if len(values) else _DEFAULT_PRECISION_M


def display_frame(
    frame: gpd.GeoDataFrame,
    columns: list[str],
    *,
    system: Literal["wgs84", "gcj02"] = "wgs84",
) -> gpd.GeoDataFrame:
    """Return a light copy of a layer for display: few columns, simplified, rounded.

    Multi-points become one feature per point. Geometries are simplified in
    :data:`gisplan.crs.METRIC_CRS` within half the layer's finest ``precision_m`` (at
    most 20 m, below a pixel at city zoom levels), and coordinates are rounded to the
    decimals that precision warrants (at least 1e-6 degrees, about 0.1 m).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A layer in any CRS.
    columns : list of str
        Attribute columns to keep (missing ones are ignored).
    system : {"wgs84", "gcj02"}
        Coordinate system of the result: GCJ-02 to overlay Amap tiles.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame in EPSG:4326 labels (GCJ-02 coordinates when asked for).
    """
    keep = [c for c in dict.fromkeys(columns) if c in frame.columns]
    present = frame[has_geometry(frame)]
    light = gpd.GeoDataFrame(present[keep].copy(), geometry=present.geometry.values,
                             crs=frame.crs)
    # Leaflet 1.9.3 fails on MultiPoint features (a layer group without an element).
    multipoint = light.geom_type == "MultiPoint"
    if multipoint.any():
        light = pd.concat([light[~multipoint], light[multipoint].explode(index_parts=False)])
    light = light.reset_index(drop=True)
    precision = _precision(frame)
    tolerance = min(0.5 * precision, _MAX_SIMPLIFY_M)
    metric = light.to_crs(METRIC_CRS)
    metric["geometry"] = metric.geometry.simplify(tolerance, preserve_topology=True)
    light = metric.to_crs(WGS84)
    decimals = int(min(6, max(4, math.ceil(math.log10(_METRES_PER_DEGREE / max(precision, 0.1))))))
    shift = system == "gcj02"

    def _vertices(coords: np.ndarray) -> np.ndarray:
        if shift:
            lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
            coords = np.column_stack([lon, lat])
        return np.round(coords, decimals)

    light["geometry"] = shapely.transform(np.asarray(light.geometry.values), _vertices)
    for column in keep:
        if pd.api.types.is_float_dtype(light[column].dtype):
            light[column] = light[column].round(3)
    return light


def _feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    return json.loads(frame.to_json(na="null", show_bbox=False, drop_id=False))


def _style(symbology: Symbology, value: object) -> dict[str, Any]:
    colour = symbology.colour_of(value)
    style: dict[str, Any] = {"color": colour, "weight": symbology.width, "opacity": 0.9}
    if symbology.geometry == "polygon":
        outline_only = symbology.fill_opacity == 0
        style.update(fillColor=colour, fillOpacity=symbology.fill_opacity,
                     color="#333333" if not outline_only and symbology.column else colour)
    elif symbology.geometry == "point":
        style.update(fillColor=colour, fillOpacity=symbology.fill_opacity, color="#ffffff",
                     weight=1)
    if symbology.dashed:
        style["dashArray"] = "6 4"
    return style


def overlay(
    frame: gpd.GeoDataFrame,
    symbology: Symbology,
    name: str,
    *,
    popup_columns: list[str] | None = None,
    show: bool = True,
    system: Literal["wgs84", "gcj02"] = "wgs84",
) -> folium.GeoJson:
    """Return a styled, toggleable GeoJSON overlay with bilingual tooltips and popups.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The layer (any CRS).
    symbology : Symbology
        How to draw it.
    name : str
        Name in the layer control.
    popup_columns : list of str, optional
        Extra attributes for the popup; the name, the classified attribute and the
        provenance (source, precision_m, geocode_method) are always shown.
    show : bool
        Whether the overlay is on when the map opens.
    system : {"wgs84", "gcj02"}
        Coordinate system of the map's basemap.

    Returns
    -------
    folium.GeoJson
        The overlay, not yet added to a map.
    """
    names = [c for c in ("name_zh", "name_en") if c in frame.columns]
    extra = [c for c in (symbology.column, *(popup_columns or [])) if c]
    popup_fields = [c for c in dict.fromkeys([*names, *extra, *_PROVENANCE]) if c in frame.columns]
    light = display_frame(frame, popup_fields, system=system)
    for name_column in names:
        light[name_column] = (light[name_column].astype(object)
                              .where(light[name_column].notna(), ""))
    column = symbology.column
    kwargs: dict[str, Any] = {}
    if names:
        kwargs["tooltip"] = folium.GeoJsonTooltip(
            fields=names, aliases=["名称" if c == "name_zh" else "Name" for c in names]
        )
    if popup_fields:
        kwargs["popup"] = folium.GeoJsonPopup(fields=popup_fields, max_width=360)
    if symbology.geometry == "point":
        kwargs["marker"] = folium.CircleMarker(radius=symbology.radius, fill=True)
    return folium.GeoJson(
        _feature_collection(light),
        name=name,
        show=show,
        style_function=lambda f: _style(symbology, f["properties"].get(column) if column else None),
        highlight_function=lambda f: {"weight": symbology.width + 2},
        smooth_factor=1.0,
        **kwargs,
    )


_LEGEND_TEMPLATE = """
{% macro header(this, kwargs) %}
<style>
.gisplan-legend {background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.35 sans-serif; max-height: 45vh;
  overflow-y: auto; max-width: 280px;}
.gisplan-legend summary {font-weight: bold; cursor: pointer;}
.gisplan-legend h4 {margin: 6px 0 2px; font-size: 12px;}
.gisplan-legend i {display: inline-block; width: 14px; height: 10px; margin-right: 5px;
  vertical-align: middle; border: 1px solid #555;}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", "gisplan-legend");
    div.innerHTML = {{ this.content|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""


class Legend(MacroElement):
    """A map legend (a Leaflet control, so it stays visible in fullscreen).

    Parameters
    ----------
    entries : list of (str, Symbology)
        Section title and symbology of each legend section, in order.
    title : str
        Legend heading.
    """

    _template = Template(_LEGEND_TEMPLATE)

    def __init__(self, entries: list[tuple[str, Symbology]], title: str = "图例 Legend") -> None:
        super().__init__()
        self._name = "Legend"
        sections = [_legend_section(heading, sym) for heading, sym in entries]
        self.content = (f"<details open><summary>{html.escape(title)}</summary>"
                        + "".join(sections) + "</details>")


def _swatch(colour: str, symbology: Symbology) -> str:
    shape = "border-radius: 50%;" if symbology.geometry == "point" else ""
    if symbology.geometry == "line":
        shape = "height: 0; border: 0; border-top: 3px solid " + colour + ";"
    return f'<i style="background: {colour}; {shape}"></i>'


def _legend_section(heading: str, symbology: Symbology) -> str:
    rows: list[tuple[str, str]]
    if symbology.categories:
        rows = [(c.colour, c.label) for c in symbology.categories]
    elif symbology.classes:
        rows = [(g.colour, g.label) for g in symbology.classes]
    else:
        rows = [(symbology.colour, "")]
    items = "".join(
        f"<div>{_swatch(colour, symbology)}{html.escape(label)}</div>" for colour, label in rows
    )
    sub = f" <small>({html.escape(symbology.column)})</small>" if symbology.column else ""
    return f"<h4>{html.escape(heading)}{sub}</h4>{items}"
