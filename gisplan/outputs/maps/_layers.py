"""Overlays and legends of the HTML maps: display copies of layers, styled GeoJSON, legend.

Features placed schematically or at a district point
(:func:`gisplan.outputs.symbology.approximate_mask`) are drawn with dashed outlines and as
hollow markers; popups come from :mod:`gisplan.outputs.maps._popups`. The legend shows the
sections of the overlays that are switched on, folds away and scrolls.
"""

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
from gisplan.outputs.maps._popups import popup_html
from gisplan.outputs.symbology import Symbology, approximate_mask, has_geometry

__all__ = ["Legend", "display_frame", "overlay"]

_METRES_PER_DEGREE = 111_320.0
_MAX_SIMPLIFY_M = 20.0
_DEFAULT_PRECISION_M = 10.0
_PROVENANCE = ("source", "precision_m", "geocode_method")
_POPUP = "popup"
_APPROXIMATE = "approximate"
_DASHES = "6 5"


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


def _style(symbology: Symbology, value: object, approximate: bool = False) -> dict[str, Any]:
    """Return the Leaflet style of one feature; approximate ones dashed or hollow."""
    colour = symbology.colour_of(value)
    style: dict[str, Any] = {"color": colour, "weight": symbology.width, "opacity": 0.9}
    if symbology.geometry == "polygon":
        fill = symbology.fill_opacity / 2 if approximate else symbology.fill_opacity
        style.update(fillColor=colour, fillOpacity=fill, color=symbology.outline_of(colour))
        if approximate:
            style.update(color=colour, weight=max(symbology.width, 2.0))
    elif symbology.geometry == "point":
        style.update(fillColor=colour, fillOpacity=symbology.fill_opacity, color="#ffffff",
                     weight=1)
        if approximate:
            style.update(fillOpacity=0, color=colour, weight=2.5)
    if approximate and symbology.geometry != "point":
        style["dashArray"] = _DASHES
    return style


def _source_names(frame: gpd.GeoDataFrame) -> dict[str, str]:
    """Return readable names of the source ids of a layer, from its metadata."""
    sources = frame.attrs.get("gisplan", {}).get("sources", [])
    names = {}
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, dict) and source.get("id"):
            text = source.get("attribution") or source.get("title") or ""
            names[str(source["id"])] = f"{text} ({source['id']})" if text else str(source["id"])
    return names


def overlay(
    frame: gpd.GeoDataFrame,
    symbology: Symbology,
    name: str,
    *,
    popup_columns: list[str] | None = None,
    popup_labels: dict[str, str] | None = None,
    show: bool = True,
    system: Literal["wgs84", "gcj02"] = "wgs84",
) -> folium.GeoJson:
    """Return a styled, toggleable GeoJSON overlay with bilingual tooltips and popups.

    Approximate features (:func:`gisplan.outputs.symbology.approximate_mask`) are drawn with
    dashed outlines and as hollow markers, and their popup says how they were placed.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The layer (any CRS).
    symbology : Symbology
        How to draw it.
    name : str
        Name in the layer control.
    popup_columns : list of str, optional
        Extra attributes for the popup; the name, the classified attribute, the
        description and the provenance (placement, precision, source) are always shown.
    popup_labels : dict of str to str, optional
        Bilingual labels of popup columns that :data:`gisplan.outputs.maps._popups.FIELD_LABELS`
        does not name.
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
    column = symbology.column
    values = {column: {c.value: c.label for c in symbology.categories}} if column else {}
    decorated = frame.assign(**{
        _POPUP: popup_html(frame, extra, labels=popup_labels, sources=_source_names(frame),
                           values=values),
        _APPROXIMATE: approximate_mask(frame),
    })
    keep = [c for c in dict.fromkeys([*names, *([column] if column else []), _POPUP,
                                      _APPROXIMATE, *_PROVENANCE]) if c in decorated.columns]
    light = display_frame(decorated, keep, system=system)
    for name_column in names:  # tooltips are inserted as HTML
        light[name_column] = [html.escape(str(v)) if v is not None and v == v else ""
                              for v in light[name_column]]
    kwargs: dict[str, Any] = {
        "popup": folium.GeoJsonPopup(fields=[_POPUP], labels=False, max_width=380)}
    if names:
        kwargs["tooltip"] = folium.GeoJsonTooltip(
            fields=names, aliases=["名称" if c == "name_zh" else "Name" for c in names]
        )
    if symbology.geometry == "point":
        kwargs["marker"] = folium.CircleMarker(radius=symbology.radius, fill=True)
    return folium.GeoJson(
        _feature_collection(light),
        name=name,
        show=show,
        style_function=lambda f: _style(
            symbology, f["properties"].get(column) if column else None,
            bool(f["properties"].get(_APPROXIMATE))),
        highlight_function=lambda f: {"weight": symbology.width + 2},
        smooth_factor=1.0,
        **kwargs,
    )


_FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
          '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')
"""Font stack of the maps' text: a CJK font first, so Chinese never falls back to boxes."""

_LEGEND_TEMPLATE = """
{% macro header(this, kwargs) %}
<style>
.leaflet-container, .gisplan-legend {font-family: {{ this.fonts }};}
.gisplan-legend {background: rgba(255,255,255,0.94); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 12px; line-height: 1.35;
  max-height: calc(100vh - 190px); overflow-y: auto; max-width: 300px;
  box-sizing: border-box;}
.gisplan-legend summary {font-weight: bold; cursor: pointer;}
.gisplan-legend h4 {margin: 6px 0 2px; font-size: 12px;}
.gisplan-legend i {display: inline-block; width: 14px; height: 10px; margin-right: 5px;
  vertical-align: middle; border: 1px solid #555; box-sizing: border-box;}
.gisplan-popup-box {width: 340px; max-width: 70vw; max-height: min(320px, 50vh);
  overflow-y: auto; font-size: 12px; line-height: 1.35;}
.gisplan-popup {border-collapse: collapse; width: 100%; table-layout: fixed;
  overflow-wrap: anywhere;}
.gisplan-popup th {text-align: left; vertical-align: top; padding: 1px 8px 1px 0;
  font-weight: normal; color: #555; width: 8em; white-space: normal; font-size: 11px;}
.gisplan-popup td {vertical-align: top; padding: 1px 4px 1px 0;}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomleft"});
{{ this.get_name() }}.onAdd = function (map) {
    var div = L.DomUtil.create("div", "gisplan-legend");
    div.innerHTML = {{ this.content|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    var update = function () {
        div.querySelectorAll(".gisplan-legend-section").forEach(function (section) {
            var names = JSON.parse(section.getAttribute("data-layers"));
            var on = names.length === 0 || names.some(function (n) {
                return window[n] !== undefined && map.hasLayer(window[n]);
            });
            section.style.display = on ? "" : "none";
        });
    };
    map.on("overlayadd overlayremove layeradd layerremove", update);
    map.whenReady(update);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""


class Legend(MacroElement):
    """A map legend (a Leaflet control, so it stays visible in fullscreen).

    It folds away (a ``<details>`` element), scrolls when taller than the window allows,
    and shows only the sections of the overlays that are switched on.

    Parameters
    ----------
    entries : list of (str, Symbology)
        Section title and symbology of each legend section, in order.
    title : str
        Legend heading.
    layers : dict of str to list of str, optional
        JavaScript names of the overlays of each section title; a section without
        overlays is always shown.
    approximate : list of str, optional
        JavaScript names of the overlays holding approximate features; while one of
        them is on, the legend explains their dashed and hollow drawing.
    """

    _template = Template(_LEGEND_TEMPLATE)

    def __init__(self, entries: list[tuple[str, Symbology]], title: str = "图例 Legend",
                 *, layers: dict[str, list[str]] | None = None,
                 approximate: list[str] | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        self.entries = list(entries)
        self.fonts = _FONTS
        sections = [_legend_section(heading, sym, (layers or {}).get(heading, []))
                    for heading, sym in entries]
        if approximate:
            sections.append(_DRAWING_KEY.replace("data-layers='[]'",
                                                 f"data-layers='{json.dumps(approximate)}'"))
        self.content = (f"<details open><summary>{html.escape(title)}</summary>"
                        + "".join(sections) + "</details>")

    def rows(self) -> list[tuple[str, str, str]]:
        """Return (section title, label, colour) of every coloured legend row."""
        return [(heading, label, colour) for heading, symbology in self.entries
                for colour, label in _legend_rows(symbology)]


_DRAWING_KEY = (
    "<div class=\"gisplan-legend-section\" data-layers='[]'><h4>图形 Drawing</h4>"
    '<div><i style="background: #bbb;"></i>实线、实心：测绘位置 solid: surveyed position</div>'
    '<div><i style="background: none; border: 2px dashed #333;"></i>'
    '虚线、空心：示意或区县代表点 dashed, hollow: drawn schematically or placed at a '
    'district point (see popup)</div></div>'
)


def _swatch(colour: str, symbology: Symbology) -> str:
    shape = "border-radius: 50%; width: 10px;" if symbology.geometry == "point" else ""
    if symbology.geometry == "line":
        shape = "height: 0; border: 0; border-top: 3px solid " + colour + ";"
    elif symbology.geometry == "polygon" and symbology.fill_opacity == 0:
        return f'<i style="background: none; border: 2px solid {colour};"></i>'
    return f'<i style="background: {colour}; {shape}"></i>'


def _legend_rows(symbology: Symbology) -> list[tuple[str, str]]:
    if symbology.categories:
        return [(c.colour, c.label) for c in symbology.categories]
    if symbology.classes:
        return [(g.colour, g.label) for g in symbology.classes]
    return [(symbology.colour, "")]


def _legend_section(heading: str, symbology: Symbology, layers: list[str]) -> str:
    items = "".join(
        f"<div>{_swatch(colour, symbology)}{html.escape(label)}</div>"
        for colour, label in _legend_rows(symbology)
    )
    return (f"<div class=\"gisplan-legend-section\" data-layers='{json.dumps(layers)}'>"
            f"<h4>{html.escape(heading)}</h4>{items}</div>")
