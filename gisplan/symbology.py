"""How each layer is drawn: one symbology shared by the HTML maps and the QGIS styles.

:func:`layer_symbology` looks at a layer's name and columns and returns a
:class:`Symbology`: categorised (by ecosystem, metro line, zone type, park class,
catchment method ...), graduated (coverage shares) or a single symbol, with colours,
line widths and the label column. Unknown layers get a single symbol, so layers
added to the catalogue later are drawn without changes here.
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

__all__ = [
    "Category",
    "GradClass",
    "Symbology",
    "alternative_symbologies",
    "geometry_kind",
    "has_geometry",
    "layer_symbology",
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
    dashed : bool
        Whether lines and outlines are dashed.
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
    dashed: bool = False
    title: str = field(default="", compare=False)

    @property
    def renderer(self) -> Literal["categorised", "graduated", "single"]:
        """The kind of classification: categorised, graduated or single."""
        if self.categories:
            return "categorised"
        if self.classes:
            return "graduated"
        return "single"

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
    dashed: bool = False


_CATEGORY_TYPES = ("zone_type", "category", "type", "kind")
_RULES: dict[str, _Rule] = {
    "districts": _Rule(colour="#555555", fill_opacity=0.0, width=1.5, label=True),
    "planning_zones": _Rule(categorise=("zone_type", "zone_id"), fill_opacity=0.06, width=2.0),
    "coverage_area": _Rule(colour="#d95f02", fill_opacity=0.0, width=2.5, dashed=True),
    "metro_lines": _Rule(
        categorise=("line_name_zh", "line_zh", "line", "line_id", "name_zh"),
        colour_columns=("colour", "color", "line_colour", "line_color"),
        label_columns=("name_zh",),
        width=3.0,
    ),
    "metro_stations": _Rule(colour="#222222", radius=3.5, label=True, fill_opacity=0.9),
    "tod_sites": _Rule(colour="#e7298a", radius=6.0, label=True, fill_opacity=0.8),
    "functional_zones": _Rule(
        categorise=("zone_type", "status", "category", "type"), fill_opacity=0.35, radius=5.0
    ),
    "industrial_ecosystems": _Rule(categorise=("ecosystem", "name_zh"), fill_opacity=0.35),
    "ecosystem_projects": _Rule(
        categorise=("ecosystem", "ecosystem_zh", "ecosystem_name_zh", "ecosystem_id"),
        radius=5.0, fill_opacity=0.8,
    ),
    "eco_pattern_areas": _Rule(
        categorise=("component", "pattern_type", "area_type", *_CATEGORY_TYPES),
        fill_opacity=0.3
    ),
    "eco_pattern_rivers": _Rule(categorise=("network",), colour="#1f78b4", width=2.5),
    "parks": _Rule(
        categorise=("size_class", "park_class", "class", "level", "park_type"),
        fill_opacity=0.5, radius=5.0,
    ),
    "water": _Rule(colour="#6baed6", fill_opacity=0.5, width=1.0),
    "waterways": _Rule(colour="#3182bd", width=1.5),
    "walk_edges": _Rule(colour="#969696", width=0.5),
    "walk_nodes": _Rule(colour="#969696", radius=1.0),
    "station_catchments_800m": _Rule(categorise=("method",), fill_opacity=0.2, width=1.0),
    "park_service_areas": _Rule(
        categorise=("size_class", "park_class", "class", "level", "method"), fill_opacity=0.2,
        width=1.0,
    ),
    "coverage_by_district": _Rule(graduate=True, colour="#bdbdbd", fill_opacity=0.6, width=1.0),
}


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
    frame: pd.DataFrame, column: str, colour_column: str | None, label_column: str | None
) -> tuple[Category, ...]:
    values = sorted({_category_key(v) for v in frame[column]}, key=_natural_key)
    given = {key: "#" + colour.lstrip("#").lower()
             for key, colour in _first_per_key(frame, column, colour_column).items()
             if _HEX.match(colour)}
    labels = _first_per_key(frame, column, label_column)
    return tuple(
        Category(value, labels.get(value, value) or "(none)",
                 given.get(value, PALETTE[i % len(PALETTE)]))
        for i, value in enumerate(values)
    )


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
    rule = _RULES.get(name, _Rule(colour=PALETTE[sum(map(ord, name)) % len(PALETTE)]))
    kind = geometry_kind(frame)
    column = _first_column(frame, rule.categorise)
    categories: tuple[Category, ...] = ()
    classes: tuple[GradClass, ...] = ()
    if column is not None:
        categories = _categories(frame, column, _first_column(frame, rule.colour_columns),
                                 _first_column(frame, rule.label_columns))
    elif rule.graduate:
        column = _share_column(frame)
        if column is not None:
            classes = _classes(frame, column)
    label = "name_zh" if "name_zh" in frame.columns and (rule.label or kind == "point") else None
    meta = frame.attrs.get("gisplan", {})
    return Symbology(
        layer=name, geometry=kind, column=column, categories=categories, classes=classes,
        colour=rule.colour, fill_opacity=rule.fill_opacity, width=rule.width,
        radius=rule.radius, label_column=label, dashed=rule.dashed,
        title=str(meta.get("title_zh") or name),
    )


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
        radius=default.radius, label_column=default.label_column, dashed=default.dashed,
        title=default.title,
    )]
