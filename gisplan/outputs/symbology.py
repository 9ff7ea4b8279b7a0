"""How each layer is drawn: one symbology shared by the HTML maps and the QGIS styles.

:func:`layer_symbology` looks at a layer's name and columns and returns a
:class:`Symbology`: categorised (by ecosystem, metro line, zone type, park class,
catchment method ...), graduated (coverage shares) or a single symbol, with colours,
line widths and the label column. Unknown layers get a single symbol, so layers
added to the catalogue later are drawn without changes here.

Colours carry meaning: parks are green by GB/T 50563 size class, the straight-line
and walking service areas have their own colours (``METHOD_COLOURS``) unlike any park
class, and each directional zone of the plan has its own colour. Categories that
have a fixed colour get a bilingual legend label too. :func:`approximate_mask` tells
the features placed schematically or at a district point from surveyed ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan.standards.facilities import FACILITY_CATEGORIES

__all__ = [
    "ABOVE_TARGET",
    "APPROXIMATE_METHODS",
    "APPROXIMATE_PRECISION_M",
    "BELOW_TARGET",
    "METHOD_COLOURS",
    "METHOD_LABELS",
    "Category",
    "GradClass",
    "Symbology",
    "alternative_symbologies",
    "approximate_mask",
    "geometry_kind",
    "has_geometry",
    "layer_symbology",
    "target_classes",
]

GeometryKind = Literal["point", "line", "polygon"]

# Categorical colours (ColorBrewer Set1, Dark2 and Paired, Apache-2.0 style licence).
PALETTE = (
    "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf",
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#1f78b4",
    "#33a02c", "#fb9a99", "#fdbf6f", "#cab2d6", "#b15928", "#a6cee3", "#b2df8a",
    "#666666",
)
# Sequential colours for shares (ColorBrewer YlGnBu, 5 classes).
SEQUENTIAL = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
_HEX = re.compile(r"^#?[0-9a-fA-F]{6}$")

APPROXIMATE_METHODS = frozenset({
    "schematic", "schematic_station_sequence", "district_centroid", "functional_zone",
    "metro_station_named_after_place", "metro_station_of_place", "schematic_station_chords",
    "unpublished", "unlocated", "none",
})
"""``geocode_method`` values of features that were not surveyed where they stand."""
APPROXIMATE_PRECISION_M = 1000.0
"""Features at least this uncertain (``precision_m``) are drawn as approximate."""

METHOD_COLOURS = {"euclidean": "#e66101", "network": "#5e3c99"}
"""Colours of straight-line and walking catchments and service areas (no park green)."""
METHOD_LABELS = {"euclidean": "直线距离 Straight-line", "network": "步行路网 Walking network"}
"""Bilingual names of the coverage methods."""
_PARK_CLASSES = {  # GB/T 50563-2010 size classes (gisplan.standards.parks.PARK_SERVICE_RADII)
    "large": ("#1b7837", "大型公园 Large park (≥ 5000 m², serves 500 m)"),
    "medium": ("#5aae61", "中型公园 Medium park (2000–5000 m², serves 300 m)"),
    "small": ("#a6dba0", "小型公园 Small park (< 2000 m², no service radius)"),
    "": ("#9aae8c", "其他绿地 Other green space (not a park class)"),
}
_DIRECTIONAL_ZONES = {
    "东进": ("#d7301f", "东进 East expansion"),
    "南拓": ("#fd8d3c", "南拓 South expansion"),
    "西控": ("#1b9e77", "西控 West control"),
    "北改": ("#2b8cbe", "北改 North reform"),
    "中优": ("#7a0177", "中优 Central optimisation"),
    "中心城区": ("#8c510a", "中心城区 Central urban area"),
    "郊区新城": ("#dfc27d", "郊区新城 Suburban new cities"),
}
_ECO_COMPONENTS = {
    "两山": ("#8c6d31", "两山 The two mountain ranges"),
    "两环": ("#35978f", "两环 The two ecological rings"),
    "六片": ("#d9f0a3", "六片 Green-separation areas"),
    "自然保护地": ("#01665e", "自然保护地 Protected area"),
}
_ZONE_STATUS = {
    "explicit": ("#54278f", "规划列名 Named in the plan"),
    "carrier": ("#9e9ac8", "功能区载体 Carrier of a zone"),
    "area": ("#cc4c02", "其他片区 Other development area"),
}
_RIVER_NETWORKS = {"岷江": ("#2166ac", "岷江水系 Min river network"),
                   "沱江": ("#67a9cf", "沱江水系 Tuo river network")}
_METHODS = {key: (colour, METHOD_LABELS[key]) for key, colour in METHOD_COLOURS.items()}
_FACILITY_LABELS = {c.category: f"{c.label_zh} {c.label_en}" for c in FACILITY_CATEGORIES}
# Colours of the 14 industrial ecosystems: Tableau 10/20 hues, none used by another layer.
_ECOSYSTEM_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
)


@dataclass(frozen=True)
class Category:
    """One class of a categorised layer: attribute value, legend label, colour."""

    value: str
    label: str
    colour: str


@dataclass(frozen=True)
class GradClass:
    """One class of a graduated layer: ``lower < value <= upper`` (the first includes lower)."""

    lower: float
    upper: float
    label: str
    colour: str


@dataclass(frozen=True)
class Symbology:
    """How one layer is drawn.

    Attributes
    ----------
    layer : str
        Layer name.
    geometry : {"point", "line", "polygon"}
        Geometry kind.
    column : str or None
        The attribute classified by ``categories`` or ``classes``.
    categories, classes : tuple
        Categorised or graduated classes; both empty for a single symbol.
    colour : str
        Colour of a single symbol, and of features outside every class.
    fill_opacity : float
        Polygon fill opacity (0 draws outlines only).
    width : float
        Line or outline width in screen pixels.
    radius : float
        Point radius in screen pixels.
    label_column : str or None
        Attribute to label features with.
    approximate_by : tuple of str
        The columns of the layer that tell approximate features (drawn dashed or
        hollow, see :func:`approximate_mask`): ``geocode_method`` and/or
        ``precision_m``; empty when it has neither.
    """

    layer: str
    geometry: GeometryKind
    column: str | None = None
    categories: tuple[Category, ...] = ()
    classes: tuple[GradClass, ...] = ()
    colour: str = "#3388ff"
    fill_opacity: float = 0.3
    width: float = 1.5
    radius: float = 4.0
    label_column: str | None = None
    title: str = field(default="", compare=False)
    approximate_by: tuple[str, ...] = ()

    @property
    def renderer(self) -> Literal["categorised", "graduated", "single"]:
        """The kind of classification: categorised, graduated or single."""
        if self.categories:
            return "categorised"
        if self.classes:
            return "graduated"
        return "single"

    def outline_of(self, colour: str) -> str:
        """Return the outline colour of a polygon filled with ``colour``.

        Strong categorised fills get a dark edge; light fills and outline-only
        polygons keep their own colour, so their class stays readable at the edge.
        """
        if self.geometry == "polygon" and self.column and self.fill_opacity >= 0.3:
            return "#333333"
        return colour

    def colour_of(self, value: object) -> str:
        """Return the colour for one attribute value of :attr:`column`."""
        if self.categories:
            key = _category_key(value)
            for category in self.categories:
                if category.value == key:
                    return category.colour
        if self.classes and isinstance(value, int | float) and not math.isnan(value):
            for grad in self.classes:
                if value <= grad.upper:
                    return grad.colour
            return self.classes[-1].colour
        return self.colour


@dataclass(frozen=True)
class _Rule:
    categorise: tuple[str, ...] = ()
    colour_columns: tuple[str, ...] = ()
    label_columns: tuple[str, ...] = ()
    graduate: bool = False
    colour: str = "#3388ff"
    fill_opacity: float = 0.3
    width: float = 1.5
    radius: float = 4.0
    label: bool = False
    fixed: dict[str, tuple[str, str]] = field(default_factory=dict)
    value_labels: dict[str, str] = field(default_factory=dict)
    palette: tuple[str, ...] = PALETTE


_CATEGORY_TYPES = ("zone_type", "category", "type", "kind")
_RULES: dict[str, _Rule] = {
    "districts": _Rule(colour="#555555", fill_opacity=0.0, width=1.5, label=True),
    "planning_zones": _Rule(categorise=("zone_id", "zone_type"), fill_opacity=0.12, width=2.0,
                            fixed=_DIRECTIONAL_ZONES),
    "coverage_area": _Rule(colour="#c51b7d", fill_opacity=0.0, width=2.5),
    "metro_lines": _Rule(
        categorise=("line_name_zh", "line_zh", "line", "line_id", "name_zh"),
        colour_columns=("colour", "color", "line_colour", "line_color"),
        label_columns=("name_zh",),
        width=3.0,
    ),
    "metro_stations": _Rule(colour="#222222", radius=3.5, label=True, fill_opacity=0.9),
    "tod_sites": _Rule(colour="#e7298a", radius=6.0, label=True, fill_opacity=0.8),
    "functional_zones": _Rule(
        categorise=("status", "zone_type", "category", "type"), fill_opacity=0.8, radius=5.0,
        fixed=_ZONE_STATUS,
    ),
    "industrial_ecosystems": _Rule(categorise=("ecosystem", "name_zh"), fill_opacity=0.35),
    "ecosystem_projects": _Rule(
        categorise=("ecosystem", "ecosystem_zh", "ecosystem_name_zh", "ecosystem_id"),
        radius=5.0, fill_opacity=0.8, palette=_ECOSYSTEM_PALETTE,
    ),
    "eco_pattern_areas": _Rule(
        categorise=("component", "pattern_type", "area_type", *_CATEGORY_TYPES),
        fill_opacity=0.3, fixed=_ECO_COMPONENTS,
    ),
    "eco_pattern_rivers": _Rule(categorise=("network",), colour="#1f78b4", width=2.5,
                                fixed=_RIVER_NETWORKS),
    "parks": _Rule(
        categorise=("size_class", "park_class", "class", "level", "park_type"),
        fill_opacity=0.6, radius=5.0, fixed=_PARK_CLASSES, colour=_PARK_CLASSES[""][0],
    ),
    "water": _Rule(colour="#6baed6", fill_opacity=0.5, width=1.0),
    "waterways": _Rule(colour="#3182bd", width=1.5),
    "walk_edges": _Rule(colour="#969696", width=0.5),
    "walk_nodes": _Rule(colour="#969696", radius=1.0),
    "station_catchments_800m": _Rule(categorise=("method",), fill_opacity=0.25, width=1.0,
                                     fixed=_METHODS),
    "park_service_areas": _Rule(categorise=("method",), fill_opacity=0.25, width=1.0,
                                fixed=_METHODS),
    "coverage_by_district": _Rule(graduate=True, colour="#bdbdbd", fill_opacity=0.6, width=1.0),
    "facilities": _Rule(categorise=("category",), radius=4.0, fill_opacity=0.9,
                        value_labels=_FACILITY_LABELS),
    "residential_land": _Rule(colour="#e08214", fill_opacity=0.2, width=0.8),
    "life_circle_areas": _Rule(categorise=("category",), fill_opacity=0.25, width=1.0,
                               value_labels=_FACILITY_LABELS),
}


_RESERVED = {c.lower() for rule in _RULES.values()
             for c in (rule.colour, *(f for f, _ in rule.fixed.values()))}
_UNRULED = tuple(c for c in PALETTE if c not in _RESERVED | set(_ECOSYSTEM_PALETTE))
"""Colours for layers without a rule: none of them means something else already."""


def has_geometry(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return a mask of the rows whose geometry is neither missing nor empty.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Any spatial layer.

    Returns
    -------
    numpy.ndarray of bool
        True where a row has a drawable geometry.
    """
    values = np.asarray(frame.geometry.values)
    return ~(shapely.is_missing(values) | shapely.is_empty(values))


def geometry_kind(frame: gpd.GeoDataFrame) -> GeometryKind:
    """Return the dominant geometry kind of a layer: point, line or polygon.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A spatial layer.

    Returns
    -------
    {"point", "line", "polygon"}
        The kind of most of the non-empty geometries (polygon for an empty layer).
    """
    present = frame.geometry[has_geometry(frame)]
    if present.empty:
        return "polygon"
    kinds = present.geom_type.str.replace("Multi", "", regex=False).map(
        {"Point": "point", "LineString": "line", "Polygon": "polygon"}
    )
    return kinds.mode().iloc[0] if kinds.notna().any() else "polygon"


def _category_key(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _first_column(frame: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    return next((c for c in candidates if c in frame.columns), None)


def _share_column(frame: pd.DataFrame) -> str | None:
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c].dtype)]
    shares = [c for c in numeric if "share" in c or "pct" in c or c.startswith("cov_")]
    return shares[0] if shares else None


def _natural_key(value: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting '2' before '10' (metro line numbers)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.findall(r"\d+|\D+", value))


def _first_per_key(frame: pd.DataFrame, column: str, other: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if other is not None and other != column:
        for key, value in zip(frame[column], frame[other], strict=True):
            if isinstance(value, str) and value:
                found.setdefault(_category_key(key), value)
    return found


def _categories(
    frame: pd.DataFrame, column: str, colour_column: str | None, label_column: str | None,
    rule: _Rule,
) -> tuple[Category, ...]:
    order = {key: i for i, key in enumerate(rule.fixed)}  # fixed classes in their order
    values = sorted({_category_key(v) for v in frame[column]},
                    key=lambda v: (order.get(v, len(order)), _natural_key(v)))
    given = {key: "#" + colour.lstrip("#").lower()
             for key, colour in _first_per_key(frame, column, colour_column).items()
             if _HEX.match(colour)}
    labels = _first_per_key(frame, column, label_column)
    free = [c for c in rule.palette if c not in {f for f, _ in rule.fixed.values()}]
    categories: list[Category] = []
    for value in values:
        colour, label = rule.fixed.get(value, ("", ""))
        if not colour:
            colour = given.get(value) or free[len(categories) % len(free)]
            label = labels.get(value) or rule.value_labels.get(value, value) or "(未填 none)"
        categories.append(Category(value, label, colour))
    return tuple(categories)


def _classes(frame: pd.DataFrame, column: str) -> tuple[GradClass, ...]:
    values = pd.to_numeric(frame[column], errors="coerce").dropna()
    top = 100.0 if len(values) and values.max() > 1.0 else 1.0
    step = top / len(SEQUENTIAL)
    classes = []
    for i, colour in enumerate(SEQUENTIAL):
        lower, upper = i * step, (i + 1) * step
        label = f"{lower / top:.0%} – {upper / top:.0%}"
        classes.append(GradClass(lower, upper, label, colour))
    return tuple(classes)


BELOW_TARGET = ("#d7301f", "#fc8d59")
"""Colours of the classes under a target (far below, below)."""
ABOVE_TARGET = ("#91bfdb", "#4575b4")
"""Colours of the classes that meet a target (meets, well above)."""


def target_classes(target: float, comparison: str = ">=") -> tuple[GradClass, ...]:
    """Return four classes of a share (0-1) broken at a target: two under it, two meeting it.

    Parameters
    ----------
    target : float
        The threshold, a share between 0 and 1 (e.g. 0.5).
    comparison : str, optional
        How the threshold is met (``>`` or ``>=``), said in the labels.

    Returns
    -------
    tuple of GradClass
        ``[0, t/2]``, ``(t/2, t]``, ``(t, (1+t)/2]``, ``((1+t)/2, 1]``, coloured warm below the
        target and cool above it, so the map shows who meets it.
    """
    t = min(max(float(target), 0.0), 1.0)
    edges = (0.0, t / 2, t, (1 + t) / 2, 1.0)
    meets = "meets" if comparison in (">", ">=") else "misses"
    names = ("far below", "below", meets, "well above")
    colours = (*BELOW_TARGET, *ABOVE_TARGET)
    return tuple(
        GradClass(lower, upper, f"{lower:.0%} – {upper:.0%} ({name} {comparison} {t:.0%})",
                  colour)
        for lower, upper, name, colour in zip(edges[:-1], edges[1:], names, colours,
                                              strict=True))


def layer_symbology(name: str, frame: gpd.GeoDataFrame) -> Symbology:
    """Return how a layer is drawn, from its name and its columns.

    Parameters
    ----------
    name : str
        Layer name (a catalogue name or an analysis output's name).
    frame : geopandas.GeoDataFrame
        The layer's data; classes come from its values.

    Returns
    -------
    Symbology
        Categorised, graduated or single-symbol drawing rules.
    """
    rule = _RULES.get(name, _Rule(colour=_UNRULED[sum(map(ord, name)) % len(_UNRULED)]))
    kind = geometry_kind(frame)
    column = _first_column(frame, rule.categorise)
    categories: tuple[Category, ...] = ()
    classes: tuple[GradClass, ...] = ()
    if column is not None:
        categories = _categories(frame, column, _first_column(frame, rule.colour_columns),
                                 _first_column(frame, rule.label_columns), rule)
    elif rule.graduate:
        column = _share_column(frame)
        if column is not None:
            classes = _classes(frame, column)
    label = "name_zh" if "name_zh" in frame.columns and (rule.label or kind == "point") else None
    meta = frame.attrs.get("gisplan", {})
    return Symbology(
        layer=name, geometry=kind, column=column, categories=categories, classes=classes,
        colour=rule.colour, fill_opacity=rule.fill_opacity, width=rule.width,
        radius=rule.radius, label_column=label,
        title=str(meta.get("title_zh") or name),
        approximate_by=tuple(c for c in ("geocode_method", "precision_m") if c in frame.columns),
    )


def approximate_mask(frame: pd.DataFrame) -> np.ndarray:
    """Return a mask of the features placed schematically or at a district point.

    A feature is approximate when its ``geocode_method`` is one of
    :data:`APPROXIMATE_METHODS` or its ``precision_m`` is at least
    :data:`APPROXIMATE_PRECISION_M`; maps draw it dashed or hollow.

    Parameters
    ----------
    frame : pandas.DataFrame
        A layer, with or without ``geocode_method`` and ``precision_m``.

    Returns
    -------
    numpy.ndarray of bool
        True for approximate features.
    """
    mask = np.zeros(len(frame), dtype=bool)
    if "geocode_method" in frame.columns:
        mask |= frame["geocode_method"].isin(APPROXIMATE_METHODS).to_numpy()
    if "precision_m" in frame.columns:
        precision = pd.to_numeric(frame["precision_m"], errors="coerce").to_numpy(dtype=float)
        mask |= np.nan_to_num(precision, nan=0.0) >= APPROXIMATE_PRECISION_M
    return mask


def alternative_symbologies(name: str, frame: gpd.GeoDataFrame) -> list[Symbology]:
    """Return further ways to draw a layer, offered besides its default style.

    A layer with a coverage share (e.g. ``station_catchments_800m``, categorised by
    method by default) also gets a graduated style on that share.

    Parameters
    ----------
    name : str
        Layer name.
    frame : geopandas.GeoDataFrame
        The layer's data.

    Returns
    -------
    list of Symbology
        Possibly empty.
    """
    default = layer_symbology(name, frame)
    column = _share_column(frame)
    if default.renderer == "graduated" or column is None:
        return []
    return [Symbology(
        layer=name, geometry=default.geometry, column=column, classes=_classes(frame, column),
        colour="#bdbdbd", fill_opacity=max(default.fill_opacity, 0.5), width=default.width,
        radius=default.radius, label_column=default.label_column,
        title=default.title, approximate_by=default.approximate_by,
    )]
