"""Map titles: what a map shows, its headline figure, area, method and date, at the top.

The figures come from the ``indicators`` table of the layers (the scoreboard the main
job measured), never from the map's own drawing.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import cast

import folium
import pandas as pd
from branca.element import MacroElement, Template

__all__ = ["TITLE_CSS", "MapBox", "add_title", "area_label", "describe", "headline", "share_text"]

TITLE_CSS = """<style>
.gisplan-title {position: absolute; top: 10px; left: 50%; transform: translateX(-50%);
  z-index: 900; max-width: calc(100% - 760px); min-width: 240px;
  background: rgba(255,255,255,0.94); padding: 5px 12px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); text-align: center; pointer-events: none;
  font-size: 13px; line-height: 1.35;}
.gisplan-title b {font-size: 14px;}
.gisplan-title .sub {color: #555; font-size: 11px;}
@media (max-width: 1100px) {.gisplan-title {max-width: calc(100% - 120px); top: auto;
  bottom: 30px;}}
</style>"""

_METHODS = {"euclidean": "straight-line", "network": "walking"}


def share_text(value: float) -> str:
    """Return a share as ``61.8 %`` (``n/a`` when missing)."""
    return "n/a" if value is None or pd.isna(value) else f"{value:.1%}".replace("%", " %")


def area_label(layers: Mapping[str, pd.DataFrame], area_id: str) -> str:
    """Return the short English name of a ``coverage_area`` row (its id when unknown)."""
    areas = layers.get("coverage_area")
    if areas is None or "area_id" not in areas.columns:
        return area_id
    row = areas[areas["area_id"] == area_id]
    if row.empty:
        return area_id
    return str(row["name_en"].iloc[0]).split(" (")[0]


def headline(layers: Mapping[str, pd.DataFrame], indicator: str, *,
             method: str | None = None, denominator: str = "area") -> pd.Series | None:
    """Return the first ``indicators`` row of an indicator (and method), None without one."""
    table = layers.get("indicators")
    if table is None or "indicator" not in table.columns:
        return None
    rows = table[table["indicator"] == indicator]
    if method is not None:
        rows = rows[rows["method"] == method]
    if "denominator" in rows.columns:
        rows = rows[rows["denominator"].fillna("area") == denominator]
    return None if rows.empty else rows.iloc[0]


def describe(layers: Mapping[str, pd.DataFrame], row: pd.Series, what: str) -> str:
    """Return "what, area, method: value on day" for an ``indicators`` row."""
    method = _METHODS.get(str(row["method"]), str(row["method"]))
    return (f"{what}, {area_label(layers, str(row['area']))}, {method}: "
            f"{share_text(row['value'])} on {row['as_of']}")


class MapBox(MacroElement):
    """A box of HTML placed inside the map's container (so it stays in fullscreen)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var box = document.createElement("div");
  box.className = {{ this.css_class|tojson }};
  box.innerHTML = {{ this.content|tojson }};
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);
  {{ this._parent.get_name() }}.getContainer().appendChild(box);
})();
{% endmacro %}
""")

    def __init__(self, content: str, css_class: str) -> None:
        super().__init__()
        self._name = "MapBox"
        self.content = content
        self.css_class = css_class


def add_title(fmap: folium.Map, title: str, subtitle: str = "", *,
              element_id: str = "gisplan-title") -> None:
    """Put a title box at the top of the map (its text can be changed by ``element_id``).

    Parameters
    ----------
    fmap : folium.Map
        The map.
    title : str
        The headline, e.g. "800 m coverage, core five districts, straight-line: 61.8 %".
    subtitle : str, optional
        A second, smaller line (data and source).
    element_id : str, optional
        The ``id`` of the title's text, for scripts that update it.
    """
    figure = cast(folium.Figure, fmap.get_root())
    figure.header.add_child(folium.Element(TITLE_CSS), name="gisplan_title_css")
    sub = (f'<br><span class="sub" id="{element_id}-sub">{html.escape(subtitle)}</span>'
           if subtitle else "")
    fmap.add_child(MapBox(f'<b id="{element_id}">{html.escape(title)}</b>{sub}',
                          "gisplan-title"))
