"""Static maps for print: panels of layers with title, legend, scale bar, north arrow and sources.

A :class:`Panel` is one map frame: layers drawn bottom first in a metric CRS, each with
the symbology of the HTML maps and the QGIS styles (:func:`gisplan.outputs.symbology.
layer_symbology`, or its own). :func:`static_map` puts one or more panels side by side
(e.g. the baseline and the end of the plan period) under one title, with one legend, a
scale bar and a north arrow in each panel and a source line under them.

Features placed schematically or at a district point (:func:`gisplan.outputs.symbology.
approximate_mask`) are drawn dashed or hollow, and the legend says so.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan.crs import metric_crs_for
from gisplan.outputs._fonts import bilingual, figure_rc
from gisplan.outputs.symbology import (
    Category,
    Symbology,
    approximate_mask,
    geometry_kind,
    has_geometry,
    layer_symbology,
)

__all__ = ["Panel", "PanelLayer", "figure_bytes", "nice_length", "static_map"]

_SCALE_LENGTHS_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 25_000,
                    50_000, 100_000, 200_000)
_MARGIN = 0.04


@dataclass(frozen=True)
class PanelLayer:
    """One layer of a panel.

    Attributes
    ----------
    name : str
        Layer name; gives the symbology when ``symbology`` is None.
    frame : geopandas.GeoDataFrame
        Features, in any CRS.
    symbology : Symbology, optional
        How to draw it (the layer's own by default).
    legend : str
        Legend heading; the layer's title (``attrs["gisplan"]``) by default, "" for none.
    """

    name: str
    frame: gpd.GeoDataFrame
    symbology: Symbology | None = None
    legend: str | None = None


@dataclass(frozen=True)
class Panel:
    """One map frame: layers, a subtitle, and the extent shown.

    Attributes
    ----------
    layers : sequence of PanelLayer
        Drawn bottom first.
    subtitle : str
        Heading of the panel (e.g. the day shown and its figure).
    extent : shapely.Geometry, optional
        What the frame shows (WGS84); the union of the layers by default.
    """

    layers: Sequence[PanelLayer]
    subtitle: str = ""
    extent: shapely.Geometry | None = None
    notes: tuple[str, ...] = field(default=())


def nice_length(span_m: float) -> int:
    """Return a round scale-bar length near a fifth of ``span_m`` (metres)."""
    goal = span_m / 5.0
    return min(_SCALE_LENGTHS_M, key=lambda length: abs(math.log(length / goal)))


def _title(layer: PanelLayer) -> str:
    if layer.legend is not None:
        return layer.legend
    meta = layer.frame.attrs.get("gisplan", {})
    return bilingual(str(meta.get("title_zh", "")), str(meta.get("title_en", layer.name)))


def _category_of(symbology: Symbology, frame: gpd.GeoDataFrame) -> list[Category | None]:
    if symbology.column is None or symbology.column not in frame.columns:
        return [None] * len(frame)
    by_colour = {c.colour: c for c in symbology.categories}
    return [by_colour.get(symbology.colour_of(v)) if symbology.categories else None
            for v in frame[symbology.column]]


def _draw(ax: object, frame: gpd.GeoDataFrame, symbology: Symbology, colour: str,
          approximate: bool) -> None:
    """Draw features of one colour, dashed or hollow where approximate."""
    kind = geometry_kind(frame)
    style = "--" if approximate else "-"
    if kind == "polygon":
        filled = symbology.fill_opacity > 0 and not approximate
        width = max(symbology.width * 0.5, 0.4)
        if filled:
            frame.plot(ax=ax, facecolor=colour, alpha=symbology.fill_opacity, edgecolor="none",
                       zorder=2)
        frame.boundary.plot(ax=ax, color=symbology.outline_of(colour) if filled else colour,
                            linewidth=width, linestyle=style, zorder=2)
    elif kind == "line":
        frame.plot(ax=ax, color=colour, linewidth=max(symbology.width * 0.6, 0.6),
                   linestyle=style, zorder=3)
    else:
        size = max(symbology.radius, 1.0) ** 2 * 0.9
        frame.plot(ax=ax, markersize=size, facecolor="none" if approximate else colour,
                   edgecolor=colour if approximate else "#ffffff", linewidth=0.6 if approximate
                   else 0.3, zorder=4)


def _legend_entries(layer: PanelLayer, symbology: Symbology, frame: gpd.GeoDataFrame,
                    drawn: dict[str, set[str]]) -> None:
    heading = _title(layer)
    if not heading:
        return
    entries = drawn.setdefault(heading, set())
    for category in _category_of(symbology, frame):
        entries.add(category.colour if category else symbology.colour)


def _handles(layers: Sequence[tuple[PanelLayer, Symbology]], drawn: dict[str, set[str]],
             approximate: bool) -> list[object]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[object] = []
    seen: set[tuple[str, str]] = set()
    for layer, symbology in layers:
        heading = _title(layer)
        colours = drawn.get(heading, set())
        if not heading or not colours:
            continue
        kind = symbology.geometry
        entries = ([(c.colour, c.label) for c in symbology.categories if c.colour in colours]
                   if symbology.categories else [(symbology.colour, heading)])
        if symbology.categories:
            handles.append(Patch(facecolor="none", edgecolor="none", label=heading))
        for colour, label in entries:
            if (colour, label) in seen:
                continue
            seen.add((colour, label))
            text = f"  {label}" if symbology.categories else label
            if kind == "point":
                handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=colour,
                                      markeredgecolor="#ffffff", markersize=6, label=text))
            elif kind == "line":
                handles.append(Line2D([], [], color=colour, linewidth=2, label=text))
            else:
                alpha = symbology.fill_opacity if symbology.fill_opacity > 0 else 0.0
                handles.append(Patch(facecolor=colour if alpha else "none", alpha=alpha or None,
                                     edgecolor=colour if not alpha else
                                     symbology.outline_of(colour), label=text))
    if approximate:
        handles.append(Line2D([], [], color="#555555", linestyle="--", marker="o",
                              markerfacecolor="none", label=bilingual(
                                  "虚线、空心：示意或区县代表点",
                                  "dashed, hollow: schematic or placed at a district point")))
    return handles


def _scale_bar(ax: object, bounds: tuple[float, float, float, float]) -> None:
    xmin, ymin, xmax, ymax = bounds
    length = nice_length(xmax - xmin)
    x0 = xmin + (xmax - xmin) * 0.05
    y0 = ymin + (ymax - ymin) * 0.05
    height = (ymax - ymin) * 0.012
    half = length / 2
    ax.fill([x0, x0 + half, x0 + half, x0], [y0, y0, y0 + height, y0 + height],  # type: ignore[attr-defined]
            facecolor="#222222", edgecolor="#222222", zorder=10)
    ax.fill([x0 + half, x0 + length, x0 + length, x0 + half],  # type: ignore[attr-defined]
            [y0, y0, y0 + height, y0 + height], facecolor="#ffffff", edgecolor="#222222",
            zorder=10)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    ax.text(x0 + length / 2, y0 + height * 1.8, label, ha="center", va="bottom",  # type: ignore[attr-defined]
            fontsize=7, zorder=10)


def _north_arrow(ax: object) -> None:
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.85), xycoords="axes fraction",  # type: ignore[attr-defined]
                ha="center", va="center", fontsize=9, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "#222222", "linewidth": 1.2})


def _bounds(panel: Panel, crs: str) -> tuple[float, float, float, float]:
    if panel.extent is not None:
        box = gpd.GeoSeries([panel.extent], crs="EPSG:4326").to_crs(crs).total_bounds
    else:
        boxes = [lay.frame[has_geometry(lay.frame)].to_crs(crs).total_bounds
                 for lay in panel.layers if has_geometry(lay.frame).any()]
        stacked = np.array(boxes) if boxes else np.array([[0.0, 0.0, 1.0, 1.0]])
        box = np.array([stacked[:, 0].min(), stacked[:, 1].min(), stacked[:, 2].max(),
                        stacked[:, 3].max()])
    dx, dy = (box[2] - box[0]) or 1.0, (box[3] - box[1]) or 1.0
    return (box[0] - dx * _MARGIN, box[1] - dy * _MARGIN, box[2] + dx * _MARGIN,
            box[3] + dy * _MARGIN)


def _crs(panels: Sequence[Panel]) -> str:
    frames = [lay.frame for p in panels for lay in p.layers if has_geometry(lay.frame).any()]
    if not frames:
        return "EPSG:3857"
    return metric_crs_for(frames[0][has_geometry(frames[0])])


def static_map(panels: Sequence[Panel], *, title: str, source: str,
               width_in: float = 10.0, legend_columns: int = 2) -> object:
    """Draw panels side by side with a title, legend, scale bars, north arrows, sources.

    Parameters
    ----------
    panels : sequence of Panel
        One or more map frames, drawn in one metric CRS (:func:`gisplan.crs.metric_crs_for`).
    title : str
        Title of the figure (what it shows, where, how and when).
    source : str
        Source line (data, licences, CRS).
    width_in : float, optional
        Width of the figure in inches.
    legend_columns : int, optional
        Columns of the legend under the panels.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (write it with :func:`figure_bytes`).
    """
    import matplotlib
    from matplotlib.figure import Figure

    crs = _crs(panels)
    projected = [[(layer, layer.frame[has_geometry(layer.frame)].to_crs(crs))
                  for layer in panel.layers] for panel in panels]
    styles = _shared_symbologies(projected)
    with matplotlib.rc_context(figure_rc()):
        bounds = [_bounds(p, crs) for p in panels]
        aspect = max((b[3] - b[1]) / max(b[2] - b[0], 1.0) for b in bounds)
        gap = 0.25
        panel_width = (width_in - gap * (len(panels) - 1)) / len(panels)
        map_height = min(panel_width * aspect, 8.0)
        figure = Figure(figsize=(width_in, map_height + 2.0))
        drawn: dict[str, set[str]] = {}
        axes = []
        any_approximate = False
        for layers in projected:
            ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
            axes.append(ax)
            for layer, frame in layers:
                if frame.empty:
                    continue
                symbology = styles[_key(layer)]
                approximate = approximate_mask(frame)
                any_approximate |= bool(approximate.any())
                categories = _category_of(symbology, frame)
                colours = np.array([c.colour if c else symbology.colour for c in categories])
                for colour in dict.fromkeys(colours):
                    for rough in (False, True):
                        part = frame[(colours == colour) & (approximate == rough)]
                        if len(part):
                            _draw(ax, part, symbology, str(colour), rough)
                _legend_entries(layer, symbology, frame, drawn)
        ordered = [(layer, styles[_key(layer)]) for layer in
                   dict((_key(lay), lay) for layers in projected for lay, _ in layers).values()]
        handles = _handles(ordered, drawn, any_approximate)
        rows = math.ceil(len(handles) / legend_columns) if handles else 0
        title_text = _wrap(title, width_in)
        credit = _wrap(f"{source} | CRS {crs} (metres)", width_in * 1.6)
        subtitle_lines = max((_wrap(p.subtitle, panel_width).count("\n") + 1
                              for p in panels if p.subtitle), default=0)
        heights = {"title": 0.3 * (title_text.count("\n") + 1) + 0.1,
                   "subtitle": 0.18 * subtitle_lines + 0.05, "map": map_height,
                   "legend": 0.17 * rows + 0.15, "credit": 0.11 * (credit.count("\n") + 1)}
        total = sum(heights.values()) + 0.1
        figure.set_size_inches(width_in, total)
        bottom = (heights["legend"] + heights["credit"] + 0.05) / total
        for k, (ax, panel, box) in enumerate(zip(axes, panels, bounds, strict=True)):
            ax.set_position((k * (panel_width + gap) / width_in, bottom,
                             panel_width / width_in, map_height / total))
            ax.set_xlim(box[0], box[2])
            ax.set_ylim(box[1], box[3])
            ax.set_aspect("equal", adjustable="box")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.set_title(_wrap(panel.subtitle, panel_width), fontsize=9)
            _scale_bar(ax, box)
            _north_arrow(ax)
            for k_note, note in enumerate(panel.notes):
                ax.text(0.01, 0.99 - k_note * 0.035, note, transform=ax.transAxes, fontsize=7,
                        va="top", ha="left", color="#222222", zorder=11,
                        bbox={"facecolor": "#ffffff", "alpha": 0.85, "edgecolor": "none",
                              "pad": 1.5})
        figure.text(0.5, 1 - 0.05 / total, title_text, ha="center", va="top", fontsize=12,
                    fontweight="bold")
        if handles:
            figure.legend(handles=handles, loc="upper center", ncols=legend_columns,
                          fontsize=7, frameon=False,
                          bbox_to_anchor=(0.5, (heights["legend"] + heights["credit"]) / total))
        figure.text(0.0, 0.0, credit, fontsize=6, color="#555555", ha="left", va="bottom")
    return figure


def _key(layer: PanelLayer) -> tuple[str, str | None]:
    return layer.name, layer.legend


def _shared_symbologies(projected: Sequence[Sequence[tuple[PanelLayer, gpd.GeoDataFrame]]]
                        ) -> dict[tuple[str, str | None], Symbology]:
    """One symbology per layer across the panels, so a class has one colour everywhere."""
    frames: dict[tuple[str, str | None], list[gpd.GeoDataFrame]] = {}
    given: dict[tuple[str, str | None], Symbology] = {}
    for layers in projected:
        for layer, frame in layers:
            frames.setdefault(_key(layer), []).append(frame)
            if layer.symbology is not None:
                given[_key(layer)] = layer.symbology
    styles = {}
    for key, parts in frames.items():
        if key in given:
            styles[key] = given[key]
            continue
        joined = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
        joined.attrs = parts[0].attrs
        styles[key] = layer_symbology(key[0], joined)
    return styles


def _wrap(text: str, width_in: float) -> str:
    """Wrap a line to the width of ``width_in`` inches of small print."""
    return "\n".join(textwrap.wrap(text, max(int(width_in * 13), 30))) if text else text


def figure_bytes(figure: object, fmt: str = "svg", dpi: int = 150) -> bytes:
    """Return a figure as SVG (text as paths, fonts not needed) or PNG bytes."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(figure_rc()):
        figure.savefig(buffer, format=fmt, dpi=dpi,  # type: ignore[attr-defined]
                       bbox_inches="tight", pad_inches=0.08,
                       metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()

