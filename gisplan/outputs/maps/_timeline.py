"""The station map's time control: one slider (with play) over the network's year-ends.

Each day of the ``rail_history`` table (every year-end since the first opening, then the
day the rail data were compiled) holds the sections then open (``rail_sections``), the
stations then open (``metro_stations`` with their opening dates) and the union of their
800 m discs. Moving the slider draws that day's network alone and writes that day's
coverage figure, from ``rail_history``, into the map's title. The plan's baseline and
the end of its period are marked under the slider. Everything is inlined, so it works
offline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from gisplan.catalogue.dates import latest_day, layer_as_of, section_status
from gisplan.crs import METRIC_CRS, WGS84
from gisplan.outputs.maps._titles import area_label, share_text

__all__ = ["CATCHMENT_COLOUR", "LINE_COLOUR", "STATION_COLOUR", "TIMELINE_CSS",
           "add_network_slider", "timeline_days"]

RADIUS_M = 800.0
SIMPLIFY_M = 10.0
CATCHMENT_COLOUR = "#f5b041"
LINE_COLOUR = "#1f3b73"
STATION_COLOUR = "#000000"

TIMELINE_CSS = """<style>
.gisplan-timeline {position: absolute; bottom: 28px; left: 50%; transform: translateX(-50%);
  z-index: 900; width: 430px; background: rgba(255,255,255,0.95); padding: 6px 10px 4px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 12px;}
.gisplan-timeline .row {display: flex; align-items: center; gap: 8px;}
.gisplan-timeline button {width: 30px; height: 26px; cursor: pointer; font-size: 13px;}
.gisplan-timeline input[type=range] {flex: 1;}
.gisplan-timeline .marks {position: relative; height: 28px; margin: 0 174px 0 46px;
  font-size: 10px; color: #444;}
.gisplan-timeline .marks span {position: absolute; transform: translateX(-50%);
  white-space: nowrap; text-align: center; line-height: 1.1;}
.gisplan-timeline .marks span.period {color: #b22222; font-weight: bold;}
.gisplan-timeline .day {font-weight: bold; width: 150px; text-align: right;}
</style>"""


def _wgs84(geometry: shapely.Geometry) -> dict[str, Any]:
    series = gpd.GeoSeries([geometry], crs=METRIC_CRS).simplify(SIMPLIFY_M).to_crs(WGS84)
    return shapely.geometry.mapping(shapely.set_precision(series.iloc[0], 1e-5))


def timeline_days(layers: Mapping[str, pd.DataFrame]) -> list[dt.date]:
    """Return the days of the slider: the dates of ``rail_history`` (year-ends, then the last).

    Without ``rail_history``: every year-end from the first opening, then the day the rail
    data were compiled (or today, if earlier).
    """
    history = layers.get("rail_history")
    if history is not None and len(history):
        return [dt.date.fromisoformat(str(d)[:10]) for d in history["date"]]
    sections = layers.get("rail_sections")
    last = latest_day(None if sections is None else sections.attrs.get("gisplan"))
    opened = pd.Series([] if sections is None else pd.to_datetime(sections["opened"],
                                                                  errors="coerce")).dropna()
    first = int(opened.dt.year.min()) if len(opened) else last.year
    return [dt.date(year, 12, 31) for year in range(first, last.year)] + [last]


def _coverage(layers: Mapping[str, pd.DataFrame]) -> tuple[str, dict[str, float]]:
    """Return the area of the slider's figure and its share on each day, from rail_history."""
    history = layers.get("rail_history")
    if history is None:
        return "", {}
    columns = [c for c in history.columns if c.startswith("coverage_")]
    if not columns:
        return "", {}
    column = columns[0]
    return column.removeprefix("coverage_"), {
        str(d)[:10]: float(v) for d, v in zip(history["date"], history[column], strict=True)}


def _day_features(sections: gpd.GeoDataFrame, stations: gpd.GeoDataFrame,
                  day: dt.date) -> tuple[list[dict[str, Any]], int]:
    metric = sections.to_crs(METRIC_CRS)
    open_sections = metric[(section_status(sections, day) == "operating").to_numpy()
                           & metric.geometry.notna().to_numpy()]
    open_stations = layer_as_of("metro_stations", stations, day)
    features: list[dict[str, Any]] = []
    if len(open_stations):
        metric_stations = open_stations.to_crs(METRIC_CRS)
        discs = shapely.union_all(metric_stations.buffer(RADIUS_M, quad_segs=16).values)
        features.append({"type": "Feature", "properties": {"kind": "catchment"},
                         "geometry": _wgs84(discs)})
    if len(open_sections):
        features.append({"type": "Feature", "properties": {"kind": "line"},
                         "geometry": _wgs84(shapely.union_all(open_sections.geometry.values))})
    if len(open_stations):
        points = shapely.set_precision(
            shapely.union_all(open_stations.to_crs(WGS84).geometry.values), 1e-5)
        features.append({"type": "Feature", "properties": {"kind": "station"},
                         "geometry": shapely.geometry.mapping(points)})
    return features, len(open_stations)


class _Slider(MacroElement):
    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var data = {{ this.data|tojson }};
  var styles = {catchment: {color: "__CATCHMENT__", weight: 1, fillColor: "__CATCHMENT__",
                            fillOpacity: 0.3},
                line: {color: "__LINE__", weight: 2.5, opacity: 0.9}};
  var layer = L.geoJSON(null, {
    interactive: false,
    style: function (f) { return styles[f.properties.kind]; },
    pointToLayer: function (f, ll) {
      return L.circleMarker(ll, {radius: 2.5, color: "#ffffff", weight: 0.8,
                                 fillColor: "__STATION__", fillOpacity: 1});
    }
  }).addTo(map);
  var last = data.days.length - 1;
  var box = document.createElement("div");
  box.className = "gisplan-timeline";
  var marks = data.days.map(function (d, i) {
    if (!d.mark) { return ""; }
    return '<span class="' + (d.period ? 'period' : '') + '" style="left:' +
      (100 * i / last) + '%">' + d.mark + '</span>';
  }).join("");
  box.innerHTML = '<div class="row"><button type="button" class="play" title="play">&#9654;' +
    '</button><input type="range" min="0" max="' + last + '" step="1" value="' + last +
    '" aria-label="year"><span class="day"></span></div><div class="marks">' + marks +
    '</div>';
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);
  map.getContainer().appendChild(box);
  var input = box.querySelector("input"), button = box.querySelector("button");
  var label = box.querySelector(".day"), timer = null;
  function show(i) {
    var day = data.days[i];
    layer.clearLayers();
    layer.addData(day.features);
    input.value = i;
    label.textContent = day.label;
    var title = document.getElementById(data.title_id);
    if (title) { title.textContent = day.title; }
    var sub = document.getElementById(data.title_id + "-sub");
    if (sub) { sub.textContent = day.subtitle; }
  }
  function stop() { clearInterval(timer); timer = null; button.innerHTML = "&#9654;"; }
  input.addEventListener("input", function () { stop(); show(+input.value); });
  button.addEventListener("click", function () {
    if (timer) { stop(); return; }
    var i = +input.value >= last ? 0 : +input.value;
    show(i);
    button.innerHTML = "&#10073;&#10073;";
    timer = setInterval(function () {
      if (+input.value >= last) { stop(); return; }
      show(+input.value + 1);
    }, 900);
  });
  show(last);
  window.gisplanTimeline = {show: show, days: data.days.map(function (d) {
    return {date: d.date, title: d.title, stations: d.stations}; })};
})();
{% endmacro %}
""".replace("__CATCHMENT__", CATCHMENT_COLOUR).replace("__LINE__", LINE_COLOUR)
      .replace("__STATION__", STATION_COLOUR))

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "NetworkSlider"
        self.data = data


def add_network_slider(fmap: folium.Map, layers: Mapping[str, pd.DataFrame], *,
                       baseline: dt.date, period_end: dt.date,
                       title_id: str = "gisplan-title") -> int:
    """Add the time control: one slider over the days, the chosen day's network drawn.

    Parameters
    ----------
    fmap : folium.Map
        The map to add to.
    layers : mapping of str to (Geo)DataFrame
        Needs ``rail_sections`` and ``metro_stations`` (with opening dates); the coverage
        figure of each day comes from ``rail_history`` when present.
    baseline, period_end : datetime.date
        The plan's baseline and period end, marked under the slider.
    title_id : str, optional
        The ``id`` of the map title the slider rewrites (:func:`add_title`).

    Returns
    -------
    int
        Number of days on the slider (0 when the layers are missing).
    """
    sections, stations = layers.get("rail_sections"), layers.get("metro_stations")
    if not isinstance(sections, gpd.GeoDataFrame) or not isinstance(stations, gpd.GeoDataFrame):
        return 0
    area, shares = _coverage(layers)
    place = area_label(layers, area) if area else ""
    days = timeline_days(layers)
    entries = []
    for day in days:
        features, count = _day_features(sections, stations, day)
        share = shares.get(day.isoformat())
        title = (f"800 m coverage, {place}, straight-line: {share_text(share)} on "
                 f"{day.isoformat()}" if share is not None else
                 f"Rail stations and their 800 m catchments on {day.isoformat()}")
        period = {baseline: "基期 baseline", period_end: "期末 end"}.get(day)
        mark = f"{day.year}<br>{period}" if period else (
            str(day.year) if day == days[0] else "")
        entries.append({
            "date": day.isoformat(), "features": features, "stations": count,
            "label": day.isoformat() + (f" ({period})" if period else ""),
            "title": title, "mark": mark, "period": bool(period),
            "subtitle": f"{count} stations open; drag the slider or press play "
                        f"({baseline.isoformat()} baseline, {period_end.isoformat()} end "
                        "of the plan period)"})
    figure = cast(folium.Figure, fmap.get_root())
    figure.header.add_child(folium.Element(TIMELINE_CSS), name="gisplan_timeline_css")
    fmap.add_child(_Slider({"days": entries, "title_id": title_id}))
    return len(entries)

