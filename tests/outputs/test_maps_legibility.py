"""What a reader of the HTML maps sees: the overlays on at start, colours, uncertainty, popups."""

import colorsys
import html
import re

import folium
import geopandas as gpd
import pytest
import shapely

from gisplan.outputs.maps import park_coverage_map, plan_map, station_coverage_map
from gisplan.outputs.maps._layers import Legend
from tests.outputs._map_fixtures import map_layers


@pytest.fixture(scope="module")
def layers():
    return map_layers()


@pytest.fixture(scope="module")
def maps(layers):
    return {"plan": plan_map(layers), "stations": station_coverage_map(layers),
            "parks": park_coverage_map(layers)}


def _overlays(fmap):
    return [c for c in fmap._children.values() if isinstance(c, folium.GeoJson)]


def _legend(fmap):
    (legend,) = [c for c in fmap._children.values() if isinstance(c, Legend)]
    return legend


def _title(layers, name):
    meta = layers[name].attrs["gisplan"]
    return f"{meta['title_zh']} {meta['title_en']}"


def _lab(colour):
    """CIE L*a*b* (D65) of a hex colour, for colour differences (CIE76)."""
    rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _delta_e(first, second):
    return sum((a - b) ** 2 for a, b in zip(_lab(first), _lab(second), strict=True)) ** 0.5


def _hue_degrees(colour):
    rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return colorsys.rgb_to_hsv(*rgb)[0] * 360


def _text(fragment):
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_maps_start_with_context_and_subject_only(maps, layers):
    shown = {key: [o.layer_name for o in _overlays(fmap) if o.show] for key, fmap in maps.items()}
    assert shown["plan"] == [_title(layers, "districts"), "五大功能区 Five directional zones",
                             _title(layers, "metro_lines")]
    hidden = [o.layer_name for o in _overlays(maps["plan"]) if not o.show]
    for name in ("metro_stations", "tod_sites", "functional_zones", "ecosystem_projects",
                 "eco_pattern_areas", "eco_pattern_rivers", "parks"):
        assert _title(layers, name) in hidden
    # the station map opens with the measured areas; its time slider draws the network,
    # the stations and the catchments of one day (the layer control's ones start off)
    assert shown["stations"] == [_title(layers, "coverage_area")]
    assert any(type(c).__name__ == "_Slider" for c in maps["stations"]._children.values())
    assert len(shown["parks"]) == 4
    assert _title(layers, "parks") in shown["parks"]
    assert sum("公园服务范围" in name for name in shown["parks"]) == 1


@pytest.mark.parametrize("key", ["plan", "stations", "parks"])
def test_no_colour_means_two_things_on_a_map(maps, key):
    meanings = {}
    for heading, label, colour in _legend(maps[key]).rows():
        # a class label says what its colour means; a single symbol means its layer
        meanings.setdefault(colour.lower(), set()).add(label or heading)
    shared = {colour: found for colour, found in meanings.items() if len(found) > 1}
    assert shared == {}


def test_parks_are_green_and_service_areas_unlike_any_park_class(maps):
    rows = _legend(maps["parks"]).rows()
    parks = [colour for heading, _, colour in rows if heading.startswith("公园绿地")]
    service = list({colour for heading, _, colour in rows if heading.startswith("公园服务范围")})
    assert len(parks) >= 3 and len(service) == 2
    assert all(75 <= _hue_degrees(c) <= 165 for c in parks), parks
    assert min(_delta_e(s, p) for s in service for p in parks) > 25
    assert _delta_e(*service) > 25
    labels = [label for heading, label, _ in rows if heading.startswith("公园绿地")]
    assert "(none)" not in labels and all(re.search(r"[\u4e00-\u9fff]", t) for t in labels)


def test_each_directional_zone_has_its_own_colour(maps):
    rows = [r for r in _legend(maps["plan"]).rows() if r[0].startswith("五大功能区")]
    assert sorted(label.split()[0] for _, label, _ in rows) == sorted(
        ["东进", "南拓", "西控", "北改", "中优"])
    colours = [colour for _, _, colour in rows]
    assert min(_delta_e(a, b) for i, a in enumerate(colours) for b in colours[i + 1:]) > 15


def test_coverage_legend_titles_name_the_area_and_the_method(maps, layers):
    headings = [heading for heading, _, _ in _legend(maps["stations"]).rows()]
    choropleth = [h for h in headings if "覆盖率" in h]
    assert choropleth
    catchment_headings = [h for h in headings if h.startswith("800 m 站点服务范围")]
    assert len(catchment_headings) == 4 and all(
        ("直线" in h or "步行" in h) and "中心城区" in h for h in catchment_headings)
    areas = layers["coverage_area"]
    names = [(z.split("（")[0], e.split(",")[0].split(" (")[0])
             for z, e in zip(areas["name_zh"], areas["name_en"], strict=True)]
    assert any(z in choropleth[0] and e in choropleth[0] for z, e in names), choropleth[0]
    assert "直线" in choropleth[0] or "步行" in choropleth[0]
    catchments = [o.layer_name for o in _overlays(maps["stations"]) if "800 m" in o.layer_name]
    assert len(catchments) == 5
    assert all("_" not in name for name in catchments), catchments  # no raw area ids
    assert all(any(z in name for z, _ in names) for name in catchments), catchments


def _features(fmap, overlay_start):
    (overlay,) = [o for o in _overlays(fmap) if o.layer_name.startswith(overlay_start)]
    return overlay, overlay.data["features"]


def test_schematic_and_district_point_features_are_drawn_apart_from_surveyed(maps, layers):
    overlay, features = _features(maps["plan"], _title(layers, "eco_pattern_areas"))
    styles = {f["properties"]["name_zh"]: overlay.style_function(f) for f in features}
    assert all(s.get("dashArray") for s in styles.values())
    overlay, features = _features(maps["parks"], _title(layers, "parks"))
    styles = {f["properties"].get("name_zh"): overlay.style_function(f) for f in features}
    assert styles["锦城公园"].get("dashArray") and not styles["人民公园"].get("dashArray")
    overlay, features = _features(maps["plan"], _title(layers, "tod_sites"))
    by_name = {f["properties"]["name_zh"]: overlay.style_function(f) for f in features}
    assert by_name["成蒲快铁邛崃站"]["fillOpacity"] == 0  # at a district point: hollow
    assert by_name["三岔TOD"]["fillOpacity"] > 0.5


def test_popups_state_in_words_what_was_drawn_with_formatted_values(maps, layers):
    _, features = _features(maps["plan"], _title(layers, "eco_pattern_areas"))
    ring = _text(next(f for f in features if f["properties"]["name_zh"] == "龙泉山")
                 ["properties"]["popup"])
    assert "示意" in ring and "schematic" in ring.lower()
    assert "5 km on each side" in ring  # the feature's description
    assert "±5 km" in ring
    assert "precision_m" not in ring and "geocode_method" not in ring
    _, features = _features(maps["plan"], _title(layers, "functional_zones"))
    popups = [_text(f["properties"]["popup"]) for f in features]
    assert any("±49 km" in p for p in popups) or any("±36 km" in p for p in popups)
    assert not any(re.search(r"\d,\d{3}\b", p) and "±" in p and "000" in p for p in popups)
    assert all("区县" in p or "district" in p.lower() for p in popups
               if "代表点" in p)
    _, features = _features(maps["stations"], "800 m 站点服务范围 Station catchments (直线距离 "
                                               "Straight-line, 中心城区五城区")
    share = _text(features[0]["properties"]["popup"])
    assert re.search(r"\d+\.\d %", share) and "km²" in share
    assert "覆盖率 Share" in share and "_km2" not in share
    _, features = _features(maps["stations"], "800 m 站点覆盖率")
    labels = re.findall(r"<th>(.*?)</th>", features[0]["properties"]["popup"])
    assert len(labels) == len(set(labels)) and all("_" not in label for label in labels)
    _, features = _features(maps["parks"], _title(layers, "parks"))
    park = _text(next(f for f in features if f["properties"]["name_zh"] == "人民公园")
                 ["properties"]["popup"])
    assert re.search(r"面积 Area\s+\d+(\.\d)? ha", park)
    assert re.search(r"服务半径 Service radius\s+500 m", park)


def test_popup_and_tooltip_values_are_escaped():
    evil = gpd.GeoDataFrame({"name_zh": ["<img src=x onerror=alert(1)>"], "source": ["s"],
                             "precision_m": [10.0]}, geometry=[shapely.Point(104, 30.6)],
                            crs="EPSG:4326")
    (overlay,) = _overlays(plan_map({"parks": evil}))
    properties = overlay.data["features"][0]["properties"]
    assert "<img" not in properties["name_zh"] and "<img" not in properties["popup"]
    assert "&lt;img" in properties["name_zh"]


@pytest.mark.parametrize("name", ["land_use", "greenways", "schools", "bike_lanes"])
def test_a_layer_without_a_rule_takes_a_colour_no_other_layer_uses(layers, name):
    extra = gpd.GeoDataFrame({"name_zh": ["甲"]}, geometry=[shapely.box(104, 30.6, 104.1, 30.7)],
                             crs="EPSG:4326")
    legend = _legend(plan_map({**layers, name: extra}))
    colour = next(c for heading, _, c in legend.rows() if heading == name)
    assert [heading for heading, _, c in legend.rows() if c == colour] == [name]


def test_facility_categories_have_bilingual_legend_labels():
    from gisplan import load_layer
    from gisplan.outputs.symbology import layer_symbology

    facilities = load_layer("facilities")
    labels = {c.value: c.label for c in layer_symbology("facilities", facilities).categories}
    assert labels["bus_stop"] == "公交站 Bus stop"
    assert all(label != value for value, label in labels.items())


def test_every_placement_method_of_the_catalogue_is_explained_in_words():
    import gisplan
    from gisplan.outputs.maps._popups import PLACEMENT

    methods = set()
    for name in gisplan.list_layers():
        frame = gisplan.load_layer(name)
        if "geocode_method" in frame.columns:
            methods |= set(frame["geocode_method"].dropna().astype(str))
    assert len(methods) > 10
    assert methods - set(PLACEMENT) == set()
