import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
import shapely

from gisplan.outputs.qgis_styles import qml, sld
from gisplan.outputs.symbology import Symbology, geometry_kind, layer_symbology

SE = "{http://www.opengis.net/se}"


def _frame(geoms, **columns):
    return gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:4326")


def _squares(n):
    return [shapely.box(104 + i * 0.01, 30.6, 104.005 + i * 0.01, 30.605) for i in range(n)]


def test_metro_lines_categorised_by_line_with_their_own_colours_in_natural_order():
    lines = [shapely.LineString([(104, 30.6 + i / 100), (104.1, 30.6 + i / 100)])
             for i in range(3)]
    frame = _frame(lines, line_id=["10", "2", "1"], name_zh=["10号线", "2号线", "1号线"],
                   colour=["#AA0000", "#00bb00", "not-a-colour"])
    symbology = layer_symbology("metro_lines", frame)
    assert symbology.renderer == "categorised"
    assert symbology.geometry == "line"
    assert [c.value for c in symbology.categories] == ["1", "2", "10"]
    assert [c.label for c in symbology.categories] == ["1号线", "2号线", "10号线"]
    assert symbology.colour_of("10") == "#aa0000"
    assert symbology.colour_of("2") == "#00bb00"
    assert symbology.colour_of("1").startswith("#")


def test_coverage_share_is_graduated_and_classes_cover_zero_to_one():
    frame = _frame(_squares(3), name_zh=["a", "b", "c"], share=[0.1, 0.55, 0.95])
    symbology = layer_symbology("coverage_by_district", frame)
    assert symbology.renderer == "graduated"
    assert symbology.column == "share"
    assert symbology.classes[0].lower == 0 and symbology.classes[-1].upper == 1
    assert symbology.colour_of(0.1) != symbology.colour_of(0.95)


def test_unknown_layer_gets_a_single_symbol_and_points_get_labels():
    frame = _frame([shapely.Point(104, 30.6)], name_zh=["天府广场"])
    symbology = layer_symbology("brand_new_layer", frame)
    assert symbology.renderer == "single"
    assert symbology.label_column == "name_zh"
    assert geometry_kind(frame) == "point"


@pytest.mark.parametrize(
    ("name", "frame", "renderer", "geometry_type"),
    [
        ("ecosystem_projects",
         _frame([shapely.Point(104, 30.6), shapely.Point(104.1, 30.7)],
                name_zh=["p1", "p2"], ecosystem=["电子信息", "生物医药"]),
         "categorizedSymbol", "0"),
        ("coverage_by_district", _frame(_squares(2), name_zh=["a", "b"], share=[0.2, 0.8]),
         "graduatedSymbol", "2"),
        ("eco_pattern_rivers", _frame([shapely.LineString([(104, 30), (104.1, 30.1)])]),
         "singleSymbol", "1"),
    ],
)
def test_qml_documents_parse_and_match_the_symbology(name, frame, renderer, geometry_type):
    text = qml(layer_symbology(name, frame))
    assert text.startswith("<!DOCTYPE qgis")
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.tag == "qgis"
    node = root.find("renderer-v2")
    assert node is not None and node.get("type") == renderer
    assert root.findtext("layerGeometryType") == geometry_type
    symbols = node.findall("symbols/symbol")
    if renderer == "categorizedSymbol":
        assert node.get("attr") == "ecosystem"
        values = [c.get("value") for c in node.findall("categories/category")]
        assert sorted(values) == ["生物医药", "电子信息"]
        assert len(symbols) == 2
    if renderer == "graduatedSymbol":
        assert node.get("attr") == "share"
        assert len(node.findall("ranges/range")) == len(symbols) == 5
    for symbol in symbols:
        assert symbol.find("layer/Option[@type='Map']") is not None


def test_station_labels_are_on_name_zh():
    frame = _frame([shapely.Point(104, 30.6)], name_zh=["春熙路"], name_en=["Chunxi Road"])
    root = ET.fromstring(qml(layer_symbology("metro_stations", frame)).split("\n", 1)[1])
    assert root.get("labelsEnabled") == "1"
    assert root.find("labeling/settings/text-style").get("fieldName") == "name_zh"


def test_sld_has_one_rule_per_category_and_a_label_rule():
    frame = _frame(_squares(3), name_zh=["a", "b", "c"], zone_type=["x", "y", "x"])
    symbology = layer_symbology("functional_zones", frame)
    root = ET.fromstring(sld(symbology).split("\n", 1)[1])
    rules = root.findall(f".//{SE}Rule")
    assert len(rules) == len(symbology.categories) == 2
    assert all(rule.find(f"{SE}PolygonSymbolizer") is not None for rule in rules)
    stations = _frame([shapely.Point(104, 30.6)], name_zh=["春熙路"])
    root = ET.fromstring(sld(layer_symbology("metro_stations", stations)).split("\n", 1)[1])
    assert root.find(f".//{SE}TextSymbolizer") is not None


def _data_defined(root):
    found = {}
    for prop in root.iter("Option"):
        if prop.get("type") == "Map" and prop.find("Option[@name='expression']") is not None:
            found.setdefault(prop.get("name"), []).append(
                prop.find("Option[@name='expression']").get("value"))
    return found


def test_qgis_draws_schematic_features_dashed_and_district_points_hollow():
    parks = _frame(_squares(2), name_zh=["锦城公园", "人民公园"], size_class=[None, "large"],
                   geocode_method=["schematic", "source_coordinates"], precision_m=[3000.0, 10.0])
    root = ET.fromstring(qml(layer_symbology("parks", parks)).split("\n", 1)[1])
    styles = _data_defined(root)["outlineStyle"]
    assert len(styles) == len(list(root.iter("symbol"))) == 3  # 2 classes + source symbol
    assert all("'schematic'" in e and '"precision_m", 0) >= 1000' in e and "'dash'" in e
               for e in styles)
    sites = _frame([shapely.Point(104, 30.6)], name_zh=["都江堰"],
                   geocode_method=["district_centroid"], precision_m=[20000.0])
    fill = _data_defined(ET.fromstring(
        qml(layer_symbology("tod_sites", sites)).split("\n", 1)[1]))["fillColor"][0]
    assert "THEN '0,0,0,0'" in fill and "'district_centroid'" in fill
    plain = qml(layer_symbology("districts", _frame(_squares(1), name_zh=["a"])))
    assert _data_defined(ET.fromstring(plain.split("\n", 1)[1])) == {}


OGC = "{http://www.opengis.net/ogc}"


def _matches(element, row):
    """Evaluate an OGC filter element on one feature (a dict), as a map server would."""
    tag = element.tag.removeprefix(OGC)
    children = list(element)
    if tag == "Filter":
        return _matches(children[0], row)
    if tag in ("And", "Or"):
        results = [_matches(child, row) for child in children]
        return all(results) if tag == "And" else any(results)
    if tag == "Not":
        return not _matches(children[0], row)
    value = row.get(element.findtext(f"{OGC}PropertyName"))
    literal = element.findtext(f"{OGC}Literal")
    if value is None:
        return False
    if tag == "PropertyIsEqualTo":
        return str(value) == literal
    if tag == "PropertyIsGreaterThanOrEqualTo":
        return float(value) >= float(literal)
    if tag == "PropertyIsLessThanOrEqualTo":
        return float(value) <= float(literal)
    raise AssertionError(tag)


def test_sld_draws_each_feature_by_one_rule_approximate_ones_dashed():
    rows = [{"size_class": "large", "geocode_method": "source_coordinates", "precision_m": 10.0},
            {"size_class": "large", "geocode_method": "schematic", "precision_m": 3000.0},
            {"size_class": "small", "geocode_method": "source_coordinates", "precision_m": 1500.0},
            {"size_class": "small", "geocode_method": None, "precision_m": None}]
    parks = _frame(_squares(4), name_zh=list("abcd"),
                   **{k: [r[k] for r in rows] for k in rows[0]})
    root = ET.fromstring(sld(layer_symbology("parks", parks)).split("\n", 1)[1])
    rules = [r for r in root.iter(f"{SE}Rule") if r.find(f"{OGC}Filter") is not None]
    for row, rough in zip(rows, [False, True, True, False], strict=True):
        matching = [r for r in rules if _matches(r.find(f"{OGC}Filter"), row)]
        assert len(matching) == 1, row
        dashed = matching[0].find(f".//{SE}SvgParameter[@name='stroke-dasharray']") is not None
        assert dashed == rough, row


def test_target_classes_break_at_the_target_so_the_map_shows_who_meets_it():
    from gisplan.outputs.symbology import ABOVE_TARGET, BELOW_TARGET, target_classes

    classes = target_classes(0.5, ">")
    assert [c.upper for c in classes] == [0.25, 0.5, 0.75, 1.0]
    below = [c for c in classes if c.upper <= 0.5]
    above = [c for c in classes if c.lower >= 0.5]
    assert {c.colour for c in below} == set(BELOW_TARGET)
    assert {c.colour for c in above} == set(ABOVE_TARGET)
    # 0.49 and 0.51 fall on either side of the target, unlike the old 40-60 % class
    symbology = Symbology(layer="t", geometry="polygon", column="share", classes=classes)
    assert symbology.colour_of(0.49) in BELOW_TARGET
    assert symbology.colour_of(0.51) in ABOVE_TARGET
    assert target_classes(0.9)[1].upper == 0.9


def test_station_map_shades_districts_around_the_plan_target():
    from gisplan.outputs.maps import map_html, station_coverage_map
    from tests.outputs._map_fixtures import map_layers

    page = map_html(station_coverage_map(map_layers()))
    # the legend (JSON-escaped HTML in the page) names the classes either side of 50 %
    assert "25% \\u2013 50% (below \\u0026gt; 50%)" in page
    assert "50% \\u2013 75% (meets \\u0026gt; 50%)" in page
