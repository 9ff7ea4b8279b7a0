"""QGIS styles (QML) and OGC SLD 1.1 documents from a layer's :class:`~.symbology.Symbology`.

The QML documents follow the format QGIS 3.22 writes (``renderer-v2`` with
``categorizedSymbol``, ``graduatedSymbol`` or ``singleSymbol``, symbol layers as
``Option`` maps, simple labeling); :mod:`gisplan.outputs.geopackage` stores them in the
GeoPackage's ``layer_styles`` table so QGIS opens each layer styled. As on the HTML
maps, features placed schematically or at a district point are drawn with dashed
outlines and as hollow markers (data-defined properties on
:attr:`~gisplan.outputs.symbology.Symbology.approximate_by`; in SLD, a rule per class for
them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from gisplan.outputs.symbology import APPROXIMATE_METHODS, APPROXIMATE_PRECISION_M, Symbology

__all__ = ["qml", "sld"]

QGIS_VERSION = "3.22.0-Białowieża"
"""QGIS version written in QML documents (the oldest version gisplan supports)."""
_GEOMETRY_TYPE = {"point": "0", "line": "1", "polygon": "2"}
_SYMBOL_TYPE = {"point": "marker", "line": "line", "polygon": "fill"}
_LABEL_PLACEMENT = {"point": "0", "line": "2", "polygon": "1"}  # around point, line, over centroid
_PX_TO_MM = 0.26
_LABEL_FONT = "Noto Sans CJK SC"


def _rgba(colour: str, alpha: float = 1.0) -> str:
    value = colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},{round(alpha * 255)}"


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    mapping = ET.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        ET.SubElement(mapping, "Option", type="QString", name=key, value=value)


def _symbol_layer(symbology: Symbology, colour: str) -> tuple[str, dict[str, str]]:
    width_mm = f"{symbology.width * _PX_TO_MM:.2f}"
    if symbology.geometry == "point":
        return "SimpleMarker", {
            "name": "circle", "color": _rgba(colour, symbology.fill_opacity),
            "outline_color": "255,255,255,255", "outline_width": "0.2",
            "outline_width_unit": "MM", "outline_style": "solid",
            "size": f"{2 * symbology.radius * _PX_TO_MM:.2f}", "size_unit": "MM",
        }
    if symbology.geometry == "line":
        return "SimpleLine", {
            "line_color": _rgba(colour), "line_width": width_mm, "line_width_unit": "MM",
            "line_style": "solid", "capstyle": "round", "joinstyle": "round",
        }
    outline = symbology.outline_of(colour)
    return "SimpleFill", {
        "color": _rgba(colour, symbology.fill_opacity),
        "style": "solid" if symbology.fill_opacity > 0 else "no",
        "outline_color": _rgba(outline), "outline_width": width_mm,
        "outline_width_unit": "MM", "outline_style": "solid", "joinstyle": "round",
    }


def _approximate_expression(symbology: Symbology) -> str:
    """Return the QGIS expression of :func:`gisplan.outputs.symbology.approximate_mask`."""
    tests = []
    if "geocode_method" in symbology.approximate_by:
        methods = ", ".join(f"'{m}'" for m in sorted(APPROXIMATE_METHODS))
        tests.append(f'coalesce("geocode_method" IN ({methods}), false)')
    if "precision_m" in symbology.approximate_by:
        tests.append(f'coalesce("precision_m", 0) >= {APPROXIMATE_PRECISION_M:g}')
    return " OR ".join(tests)


def _approximate_properties(symbology: Symbology, values: dict[str, str]) -> dict[str, str]:
    """Return data-defined expressions drawing approximate features dashed or hollow."""
    when = _approximate_expression(symbology)
    if symbology.geometry == "point":
        line = values["color"].rsplit(",", 1)[0] + ",255"
        return {"fillColor": f"CASE WHEN {when} THEN '0,0,0,0' ELSE '{values['color']}' END",
                "outlineColor": f"CASE WHEN {when} THEN '{line}' "
                                f"ELSE '{values['outline_color']}' END",
                "outlineWidth": f"CASE WHEN {when} THEN 0.6 ELSE {values['outline_width']} END"}
    return {"outlineStyle": f"CASE WHEN {when} THEN 'dash' ELSE 'solid' END"}


def _data_defined(parent: ET.Element, properties: dict[str, str]) -> None:
    collection = ET.SubElement(ET.SubElement(parent, "data_defined_properties"), "Option",
                               type="Map")
    ET.SubElement(collection, "Option", type="QString", name="name", value="")
    mapping = ET.SubElement(collection, "Option", type="Map", name="properties")
    for key, expression in properties.items():
        prop = ET.SubElement(mapping, "Option", type="Map", name=key)
        ET.SubElement(prop, "Option", type="bool", name="active", value="true")
        ET.SubElement(prop, "Option", type="QString", name="expression", value=expression)
        ET.SubElement(prop, "Option", type="int", name="type", value="3")  # an expression
    ET.SubElement(collection, "Option", type="QString", name="type", value="collection")


def _symbol(parent: ET.Element, symbology: Symbology, name: str, colour: str) -> None:
    symbol = ET.SubElement(parent, "symbol", type=_SYMBOL_TYPE[symbology.geometry], name=name,
                           alpha="1", clip_to_extent="1", force_rhr="0")
    layer_class, values = _symbol_layer(symbology, colour)
    layer = ET.SubElement(symbol, "layer", attrib={"class": layer_class, "enabled": "1",
                                                   "locked": "0", "pass": "0"})
    _options(layer, values)
    if symbology.approximate_by:
        _data_defined(layer, _approximate_properties(symbology, values))


def _renderer(root: ET.Element, symbology: Symbology) -> None:
    common = {"symbollevels": "0", "enableorderby": "0", "forceraster": "0"}
    if symbology.categories:
        renderer = ET.SubElement(root, "renderer-v2", {"type": "categorizedSymbol",
                                                       "attr": symbology.column or "", **common})
        categories = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for i, category in enumerate(symbology.categories):
            ET.SubElement(categories, "category", symbol=str(i), value=category.value,
                          label=category.label, render="true")
            _symbol(symbols, symbology, str(i), category.colour)
        source = ET.SubElement(renderer, "source-symbol")
        _symbol(source, symbology, "0", symbology.colour)
    elif symbology.classes:
        renderer = ET.SubElement(root, "renderer-v2", {"type": "graduatedSymbol",
                                                       "attr": symbology.column or "",
                                                       "graduatedMethod": "GraduatedColor",
                                                       **common})
        ranges = ET.SubElement(renderer, "ranges")
        symbols = ET.SubElement(renderer, "symbols")
        for i, grad in enumerate(symbology.classes):
            ET.SubElement(ranges, "range", symbol=str(i), lower=f"{grad.lower:g}",
                          upper=f"{grad.upper:g}", label=grad.label, render="true")
            _symbol(symbols, symbology, str(i), grad.colour)
        ET.SubElement(renderer, "mode", name="equal")
    else:
        renderer = ET.SubElement(root, "renderer-v2", {"type": "singleSymbol", **common})
        symbols = ET.SubElement(renderer, "symbols")
        _symbol(symbols, symbology, "0", symbology.colour)


def _labeling(root: ET.Element, symbology: Symbology) -> None:
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    text_style = ET.SubElement(settings, "text-style", fieldName=symbology.label_column or "",
                               isExpression="0", fontFamily=_LABEL_FONT, fontSize="8",
                               fontSizeUnit="Point", textColor="30,30,30,255", textOpacity="1",
                               namedStyle="Regular", fontWeight="50", fontItalic="0")
    ET.SubElement(text_style, "text-buffer", bufferDraw="1", bufferSize="0.8",
                  bufferSizeUnits="MM", bufferColor="255,255,255,255", bufferOpacity="1",
                  bufferNoFill="1", bufferJoinStyle="128")
    ET.SubElement(settings, "text-format", wrapChar="", multilineAlign="3")
    ET.SubElement(settings, "placement", placement=_LABEL_PLACEMENT[symbology.geometry],
                  dist="1", distUnits="MM", offsetType="0", centroidInside="1")
    ET.SubElement(settings, "rendering", scaleVisibility="1", scaleMin="1", scaleMax="150000",
                  obstacle="1", displayAll="0", upsidedownLabels="0", fontLimitPixelSize="0")


def qml(symbology: Symbology) -> str:
    """Return a QGIS style document (QML) for a layer.

    Parameters
    ----------
    symbology : Symbology
        How the layer is drawn (see :func:`gisplan.outputs.symbology.layer_symbology`).

    Returns
    -------
    str
        A ``<qgis>`` document with the renderer and, when the symbology has a label
        column, labels on it.
    """
    labels = symbology.label_column is not None
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology|Labeling",
                      labelsEnabled="1" if labels else "0")
    _renderer(root, symbology)
    if labels:
        _labeling(root, symbology)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_TYPE[symbology.geometry]
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    ) + "\n"


_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _se(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{_SE}}}{tag}", attrib)
    element.text = text
    return element


def _parameters(parent: ET.Element, values: dict[str, str]) -> None:
    for name, value in values.items():
        _se(parent, "SvgParameter", value, name=name)


def _sld_symbolizer(rule: ET.Element, symbology: Symbology, colour: str,
                    approximate: bool = False) -> None:
    stroke = {"stroke": colour, "stroke-width": f"{symbology.width:g}"}
    if approximate:
        stroke["stroke-dasharray"] = "6 4"
    if symbology.geometry == "point":
        point = _se(rule, "PointSymbolizer")
        graphic = _se(point, "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "circle")
        if approximate:  # hollow
            _parameters(_se(mark, "Stroke"), {"stroke": colour, "stroke-width": "2"})
        else:
            _parameters(_se(mark, "Fill"), {"fill": colour})
            _parameters(_se(mark, "Stroke"), {"stroke": "#ffffff", "stroke-width": "1"})
        _se(graphic, "Size", f"{2 * symbology.radius:g}")
    elif symbology.geometry == "line":
        _parameters(_se(_se(rule, "LineSymbolizer"), "Stroke"), stroke)
    else:
        polygon = _se(rule, "PolygonSymbolizer")
        if symbology.fill_opacity > 0:
            opacity = symbology.fill_opacity / (2 if approximate else 1)
            _parameters(_se(polygon, "Fill"), {"fill": colour, "fill-opacity": f"{opacity:g}"})
        _parameters(_se(polygon, "Stroke"), stroke)


_Condition = Callable[[ET.Element], object]
"""Adds one OGC filter condition to its parent element."""


def _filter(rule: ET.Element, operator: str, column: str, value: str) -> ET.Element:
    condition = ET.SubElement(rule, f"{{{_OGC}}}{operator}")
    ET.SubElement(condition, f"{{{_OGC}}}PropertyName").text = column
    ET.SubElement(condition, f"{{{_OGC}}}Literal").text = value
    return condition


def _compare(operator: str, column: str, value: str) -> _Condition:
    return lambda parent: _filter(parent, operator, column, value)


def _approximate_condition(symbology: Symbology) -> _Condition | None:
    """Return the OGC filter of :func:`gisplan.outputs.symbology.approximate_mask`, if any."""
    tests = []
    if "geocode_method" in symbology.approximate_by:
        tests += [_compare("PropertyIsEqualTo", "geocode_method", m)
                  for m in sorted(APPROXIMATE_METHODS)]
    if "precision_m" in symbology.approximate_by:
        tests.append(_compare("PropertyIsGreaterThanOrEqualTo", "precision_m",
                              f"{APPROXIMATE_PRECISION_M:g}"))
    if not tests:
        return None

    def any_of(parent: ET.Element) -> None:
        group = ET.SubElement(parent, f"{{{_OGC}}}Or") if len(tests) > 1 else parent
        for test in tests:
            test(group)

    return any_of


def _sld_rules(feature_style: ET.Element, symbology: Symbology, name: str,
               conditions: list[_Condition], colour: str) -> None:
    """Add the rule of one class: surveyed features, then approximate ones if any."""
    approximate = _approximate_condition(symbology)
    variants: list[tuple[str, list[_Condition], bool]] = [(name, conditions, False)]
    if approximate is not None:
        variants = [
            (name, [*conditions, lambda p: approximate(ET.SubElement(p, f"{{{_OGC}}}Not"))],
             False),
            (f"{name} (示意 approximate)", [*conditions, approximate], True),
        ]
    for rule_name, tests, rough in variants:
        rule = _se(feature_style, "Rule")
        _se(rule, "Name", rule_name)
        if tests:
            holder = ET.SubElement(rule, f"{{{_OGC}}}Filter")
            if len(tests) > 1:
                holder = ET.SubElement(holder, f"{{{_OGC}}}And")
            for test in tests:
                test(holder)
        _sld_symbolizer(rule, symbology, colour, approximate=rough)


def sld(symbology: Symbology) -> str:
    """Return an OGC Styled Layer Descriptor 1.1 document for a layer.

    Parameters
    ----------
    symbology : Symbology
        How the layer is drawn.

    Returns
    -------
    str
        An SLD with one rule per class (or one rule), two when the layer tells
        approximate features (drawn dashed or hollow), and a label rule if labelled.
    """
    ET.register_namespace("", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    layer = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    _se(layer, "Name", symbology.layer)
    style = ET.SubElement(layer, f"{{{_SLD}}}UserStyle")
    _se(style, "Name", symbology.layer)
    feature_style = _se(style, "FeatureTypeStyle")
    column = symbology.column or ""
    if symbology.categories:
        for category in symbology.categories:
            _sld_rules(feature_style, symbology, category.label,
                       [_compare("PropertyIsEqualTo", column, category.value)], category.colour)
    elif symbology.classes:
        for grad in symbology.classes:
            _sld_rules(feature_style, symbology, grad.label,
                       [_compare("PropertyIsGreaterThanOrEqualTo", column, f"{grad.lower:g}"),
                        _compare("PropertyIsLessThanOrEqualTo", column, f"{grad.upper:g}")],
                       grad.colour)
    else:
        _sld_rules(feature_style, symbology, symbology.layer, [], symbology.colour)
    if symbology.label_column:
        rule = _se(feature_style, "Rule")
        _se(rule, "Name", "labels")
        text = _se(rule, "TextSymbolizer")
        label = _se(text, "Label")
        ET.SubElement(label, f"{{{_OGC}}}PropertyName").text = symbology.label_column
        _parameters(_se(text, "Font"), {"font-family": _LABEL_FONT, "font-size": "11"})
        _parameters(_se(_se(text, "Halo"), "Fill"), {"fill": "#ffffff"})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
