"""The life-circle map: walking distance to the nearest facility of one kind at a time.

It draws the layer ``life_circle_distances`` that the main job measures
(:func:`gisplan.analysis.distances.requirement_distances`: for every facility a
GB 50180-2018 circle needs, the walk from each hexagon of the measured area to the
nearest one). One kind is shown at a time, chosen in a list (an exclusive choice): its
hexagons coloured within 300, 500, 1,000 and 2,000 m, the gaps (none within 2,000 m) in
a dark purple no distance class uses, and its facilities as black dots ringed in white,
a style no distance class shares. The title gives the share of hexagons within the
kind's circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template

from gisplan.analysis.distances import (
    DEFAULT_MAX_DISTANCE_M,
    requirement_column,
    unique_requirements,
)
from gisplan.outputs.maps._base import add_layer, base_map, finish_map, spatial_layer
from gisplan.outputs.maps._layers import overlay
from gisplan.outputs.maps._titles import add_title, area_label, share_text
from gisplan.outputs.symbology import GradClass, Symbology
from gisplan.standards.life_circles import CircleRequirement, life_circle

__all__ = ["DISTANCES_LAYER", "DISTANCE_CLASSES", "FACILITY_STYLE", "GAP_COLOUR",
           "life_circles_map"]

DISTANCES_LAYER = "life_circle_distances"
"""The analysis layer the map draws: hexagons with the walk to each kind of facility."""
GAP_COLOUR = "#54278f"
"""Hexagons with no facility of the kind within 2,000 m: a purple outside the distance ramp."""
DISTANCE_CLASSES = (
    GradClass(0, 300, "<= 300 m (5 min)", "#1a9641"),
    GradClass(300, 500, "300-500 m (10 min)", "#a6d96a"),
    GradClass(500, 1000, "500-1000 m (15 min)", "#ffffbf"),
    GradClass(1000, DEFAULT_MAX_DISTANCE_M, "1000-2000 m", "#fdae61"),
    GradClass(DEFAULT_MAX_DISTANCE_M, float("inf"), "none within 2000 m (gap)", GAP_COLOUR),
)
"""Distance classes of the hexagons; those with no facility within 2,000 m (NaN) are gaps."""
FACILITY_STYLE = Symbology(layer="life_circle_facilities", geometry="point",
                           colour="#111111", radius=4.5, fill_opacity=1.0)
"""Facilities of the kind shown: black dots ringed in white, unlike every distance class."""

_CSS = """<style>
.gisplan-kinds {background: rgba(255,255,255,0.95); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 12px; max-height: calc(100vh - 260px);
  overflow-y: auto; max-width: 300px;}
.gisplan-kinds h4 {margin: 0 0 4px; font-size: 12px;}
.gisplan-kinds label {display: block; line-height: 1.35; cursor: pointer;}
</style>"""


class _KindChoice(MacroElement):
    """A list of radio buttons: one kind of facility on the map at a time."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var kinds = {{ this.kinds|tojson }};
  var control = L.control({position: "topright"});
  control.onAdd = function () {
    var div = L.DomUtil.create("div", "gisplan-kinds");
    div.innerHTML = "<h4>设施类型（单选） Kind of facility (one at a time)</h4>" +
      kinds.map(function (k, i) {
        return '<label><input type="radio" name="gisplan-kind" value="' + i + '"' +
          (i === 0 ? " checked" : "") + "> " + k.label + "</label>";
      }).join("");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    div.addEventListener("change", function (event) { choose(+event.target.value); });
    return div;
  };
  function choose(i) {
    kinds.forEach(function (k, j) {
      k.layers.forEach(function (name) {
        var layer = window[name];
        if (!layer) { return; }
        if (j === i && !map.hasLayer(layer)) { map.addLayer(layer); }
        if (j !== i && map.hasLayer(layer)) { map.removeLayer(layer); }
      });
    });
    var title = document.getElementById("gisplan-title");
    if (title) { title.textContent = kinds[i].title; }
  }
  control.addTo(map);
  map.whenReady(function () { choose(0); });
  window.gisplanKinds = {choose: choose, kinds: kinds};
})();
{% endmacro %}
""")

    def __init__(self, kinds: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "KindChoice"
        self.kinds = kinds


def _circle_radius(requirement: CircleRequirement) -> float:
    """Return the walk of the requirement's circle (the standard's distance)."""
    return life_circle(requirement.circle).radius_m


def life_circles_map(layers: Mapping[str, pd.DataFrame], *,
                     tianditu_key: str | None = None) -> folium.Map:
    """Return the life-circle map: distance to the nearest facility of one kind at a time.

    Parameters
    ----------
    layers : mapping of str to (Geo)DataFrame
        Uses :data:`DISTANCES_LAYER`, ``facilities`` and ``residential_land``; without
        the first the map holds only its basemaps and the facilities.
    tianditu_key : str, optional
        Adds Tianditu basemaps.

    Returns
    -------
    folium.Map
        The map; save it with :func:`gisplan.outputs.maps.save_map`.
    """
    fmap = base_map("wgs84", tianditu_key)
    legend: list[tuple[str, Symbology]] = []
    hexes = spatial_layer(layers, DISTANCES_LAYER)
    facilities = spatial_layer(layers, "facilities")
    residential = spatial_layer(layers, "residential_land")
    if residential is not None:
        add_layer(fmap, residential, "residential_land", legend, show=False)
    kinds: list[dict[str, Any]] = []
    measured = layers.get(DISTANCES_LAYER, pd.DataFrame()).attrs.get("gisplan", {}).get("area")
    area = area_label(layers, str(measured)) if measured else ""
    if hexes is not None:
        shading = Symbology(layer="life_circles", geometry="polygon", column="distance_m",
                            classes=DISTANCE_CLASSES, colour=GAP_COLOUR, fill_opacity=0.6,
                            width=0.3)
        for need in unique_requirements():
            column = requirement_column(need)
            if column not in hexes.columns:
                continue
            frame = hexes[["hex_id", column, "geometry"]].rename(columns={column: "distance_m"})
            frame["precision_m"] = 10.0
            radius = _circle_radius(need)
            within = float(np.mean(frame["distance_m"].fillna(np.inf) <= radius))
            gaps = int(frame["distance_m"].isna().sum())
            label = f"{need.label_zh} {column}"
            no_data = bool(facilities is None or "category" not in facilities.columns
                           or not facilities["category"].isin(need.categories).any())
            names = [_hidden(fmap, overlay(frame, shading, label, show=False,
                                           popup_columns=["distance_m"]))]
            if facilities is not None and "category" in facilities.columns:
                own = facilities[facilities["category"].isin(need.categories)]
                if len(own):
                    names.append(_hidden(fmap, overlay(
                        own, FACILITY_STYLE, f"{label}: facilities", show=False,
                        popup_columns=["name_zh", "category"])))
            where = f", {area}" if area else ""
            kinds.append({
                "label": f"{label} (无数据 no data)" if no_data else f"{label} ({gaps} gaps)",
                "layers": names,
                "title": (f"{need.label_zh} {column}{where}: no facility of this kind in the "
                          "data (n/a, not a gap)") if no_data else
                (f"Walk to the nearest {column.replace('_', ' ')}{where}: "
                 f"{share_text(within)} of hexagons within {radius:,.0f} m; {gaps} of "
                 f"{len(frame)} with none within 2 km")})
        legend.append(("最近设施步行距离 Walk to the nearest facility of the kind chosen",
                       shading))
        legend.append(("所选类型的设施 Facilities of the kind chosen", FACILITY_STYLE))
    add_title(fmap, kinds[0]["title"] if kinds else "Everyday facilities",
              "walking distance along the streets, GB 50180-2018 circles; "
              + _data_line(facilities))
    if kinds:
        figure = cast(folium.Figure, fmap.get_root())
        figure.header.add_child(folium.Element(_CSS), name="gisplan_kinds_css")
        fmap.add_child(_KindChoice(kinds))
    return finish_map(fmap, legend, hexes if hexes is not None else facilities)


def _hidden(fmap: folium.Map, layer: folium.GeoJson) -> str:
    """Add a layer to the map outside the layer control; return its JavaScript name."""
    layer.control = False
    layer.add_to(fmap)
    return str(layer.get_name())


def _data_line(frame: pd.DataFrame | None) -> str:
    if frame is None:
        return ""
    meta = frame.attrs.get("gisplan", {})
    return f"data: {meta.get('title_en') or meta.get('name') or ''}"
