"""Open the HTML maps in real headless Chromium with every http(s) request blocked.

Screenshots of each map at 1366 x 768 are written to a temporary folder (pytest's
``map_screenshots`` under its basetemp).
"""

import os
import re

import pytest

from gisplan.outputs.maps import MAP_FILES, write_maps
from tests.outputs._map_fixtures import map_layers

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 768}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="Debian chromium not installed (run: sh tests/install_browser.sh as root)",
)

# Counts what Leaflet has drawn: vector layers with projected geometry, canvas pixels
# with ink in the overlay pane, and the overlay names of the layer control.
INSPECT = """() => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map)
      .map(k => window[k]);
  let drawn = 0;
  maps[0].eachLayer(l => {
    if (l instanceof L.Path && l._renderer && ((l._parts && l._parts.length) || l._point)) {
      drawn += 1;
    }
  });
  let ink = 0;
  document.querySelectorAll('.leaflet-overlay-pane canvas').forEach(c => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < data.length; i += 4) { if (data[i]) { ink += 1; } }
  });
  const overlays = [...document.querySelectorAll(
      '.leaflet-control-layers-overlays label > span > span')].map(s => s.textContent.trim());
  const checked = [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
      .filter(l => l.querySelector('input').checked)
      .map(l => l.querySelector('span > span').textContent.trim());
  const bases = [...document.querySelectorAll(
      '.leaflet-control-layers-base label > span > span')].map(s => s.textContent.trim());
  return {maps: maps.length, drawn, ink, overlays, checked, bases,
          legend: document.querySelectorAll('.gisplan-legend').length,
          scale: document.querySelectorAll('.leaflet-control-scale').length,
          fullscreen: document.querySelectorAll('.leaflet-control-zoom-fullscreen').length};
}"""

OPEN_A_POPUP = """() => {
  const map = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map)
      .map(k => window[k])[0];
  let group = null;
  map.eachLayer(l => { if (!group && l instanceof L.GeoJSON && l.getPopup()) { group = l; } });
  if (!group) { return null; }
  const feature = group.getLayers()[0];
  const ll = feature.getLatLng ? feature.getLatLng() : feature.getBounds().getCenter();
  feature.fire('click', {latlng: ll}, true);
  const popup = document.querySelector('.leaflet-popup-content');
  return popup ? popup.textContent : '';
}"""


@pytest.fixture(scope="module")
def layers():
    return map_layers()


@pytest.fixture(scope="module")
def maps_dir(tmp_path_factory, layers):
    folder = tmp_path_factory.mktemp("maps")
    write_maps(layers, folder)
    return folder


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _open_offline(browser, path, viewport=None):
    """Open a map with every http(s) request aborted; return the page, errors and the log.

    The log holds every request the page made (``page.on("request")``, before routing),
    so a script, style or font fetched from the internet shows in it.
    """
    page = browser.new_page(viewport=viewport or VIEWPORT)
    errors, requested = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requested.append(request.url))

    def route(request_route):
        if request_route.request.url.startswith(("http://", "https://")):
            request_route.abort()
        else:
            request_route.continue_()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.L !== undefined")
    page.wait_for_timeout(500)
    return page, errors, requested


def _tile_patterns():
    """Regular expressions of the basemap tile addresses the maps may fetch."""
    from gisplan.outputs.maps.basemaps import default_basemaps

    patterns = []
    for basemap in default_basemaps("wgs84", None) + default_basemaps("gcj02", None):
        pattern = re.escape(basemap.url)
        for token in ("s", "z", "x", "y", "r"):
            pattern = pattern.replace(re.escape("{" + token + "}"), "[^/]*")
        patterns.append(re.compile("^" + pattern + "$"))
    return patterns


def _title(layers, name):
    meta = layers[name].attrs["gisplan"]
    return f"{meta['title_zh']} {meta['title_en']}"


@pytest.mark.parametrize("key", list(MAP_FILES))
def test_map_draws_its_overlays_without_network_and_without_page_errors(browser, maps_dir, key):
    page, errors, requested = _open_offline(browser, maps_dir / MAP_FILES[key])
    state = page.evaluate(INSPECT)
    page.close()
    assert errors == []
    assert state["maps"] == 1
    assert state["drawn"] > 0 and state["ink"] > 0
    assert state["overlays"]
    assert state["legend"] == 1 and state["scale"] == 1 and state["fullscreen"] == 1
    # the page itself asks for nothing outside the file but basemap tiles
    external = [u for u in requested if u.startswith(("http://", "https://"))]
    tiles = _tile_patterns()
    assert [u for u in external if not any(t.match(u) for t in tiles)] == []
    assert all(u.startswith(("file:", "data:", "http://", "https://")) for u in requested)


def test_plan_map_lists_every_plan_layer_in_the_layer_control(browser, maps_dir, layers):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["plan"])
    state = page.evaluate(INSPECT)
    popup = page.evaluate(OPEN_A_POPUP)
    page.close()
    assert errors == []
    plan = ["districts", "metro_lines", "metro_stations", "tod_sites",
            "functional_zones", "ecosystem_projects", "eco_pattern_areas", "eco_pattern_rivers",
            "parks"]
    expected = [_title(layers, n) for n in plan if n in layers and "gisplan" in layers[n].attrs]
    assert set(expected) <= set(state["overlays"])
    assert {"五大功能区 Five directional zones", "中心城区与郊区新城 Central urban area and suburbs"
            } <= set(state["overlays"])
    assert state["bases"][:2] == ["OpenStreetMap", "CartoDB Positron"]
    assert popup and "来源 Source" in popup and "位置精度" in popup and "±" in popup
    assert "precision_m" not in popup


def test_coverage_maps_show_both_catchment_methods_and_service_areas(browser, maps_dir):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["stations"])
    stations = page.evaluate(INSPECT)
    page.close()
    page, more_errors, _ = _open_offline(browser, maps_dir / MAP_FILES["parks"])
    parks = page.evaluate(INSPECT)
    page.close()
    assert errors == more_errors == []
    catchments = [o for o in stations["overlays"] if o.startswith("800 m")]
    assert any("straight-line" in o.lower() for o in catchments)
    assert any("walking network" in o.lower() for o in catchments)
    assert any("覆盖率" in o for o in stations["overlays"])
    assert any("公园服务范围" in o for o in parks["overlays"])


# Draws one character on a canvas in the font the page uses for its labels and returns
# its pixels: a character without a glyph in any installed font is drawn as the same
# empty box ("tofu") as an unassigned private-use character.
GLYPH_PIXELS = """(text) => {
  const legend = document.querySelector('.gisplan-legend');
  const family = getComputedStyle(legend).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = 48; canvas.height = 48;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  context.font = '32px ' + family;
  return [...text].map(ch => {
    context.clearRect(0, 0, 48, 48);
    context.fillText(ch, 4, 38);
    const data = context.getImageData(0, 0, 48, 48).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 128) { ink += 1; } }
    return {ch, ink, pixels: Array.from(data.filter((_, i) => i % 4 === 3)).join(',')};
  });
}"""

OPEN_POPUP_OF = """(name) => {
  const map = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map)
      .map(k => window[k])[0];
  const groups = Object.keys(window).filter(k => window[k] instanceof L.GeoJSON)
      .map(k => window[k]);
  for (const group of groups) {
    const feature = group.getLayers().find(l => l.feature.properties.name_zh === name);
    if (!feature) { continue; }
    if (!map.hasLayer(group)) { map.addLayer(group); }
    const ll = feature.getLatLng ? feature.getLatLng() : feature.getBounds().getCenter();
    feature.fire('click', {latlng: ll}, true);
    const popup = document.querySelector('.leaflet-popup-content');
    return popup ? popup.innerText : '';
  }
  return null;
}"""

BOXES = """() => {
  const box = s => { const r = document.querySelector(s).getBoundingClientRect();
                     return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const legend = document.querySelector('.gisplan-legend');
  const sections = [...legend.querySelectorAll('.gisplan-legend-section')];
  return {legend: box('.gisplan-legend'), control: box('.leaflet-control-layers'),
          zoom: box('.leaflet-control-zoom'),
          width: window.innerWidth, height: window.innerHeight,
          scrollable: ['auto', 'scroll'].includes(getComputedStyle(legend).overflowY),
          shown_sections: sections.filter(s => s.offsetParent !== null).length,
          visible_sections: sections.filter(s => s.offsetParent !== null)
              .filter(s => JSON.parse(s.getAttribute('data-layers')).length > 0
                           || s.querySelector('h4').textContent.startsWith('图形'))
              .map(s => s.querySelector('h4').textContent)};
}"""


def _overlaps(a, b):
    return not (a["right"] <= b["left"] or b["right"] <= a["left"]
                or a["bottom"] <= b["top"] or b["bottom"] <= a["top"])


def test_chinese_labels_render_as_glyphs_not_empty_boxes(browser, maps_dir):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["plan"])
    glyphs = page.evaluate(GLYPH_PIXELS, "成都区\ue000")
    page.close()
    assert errors == []
    *chinese, tofu = glyphs
    assert all(g["ink"] > 0 for g in chinese)
    assert len({g["pixels"] for g in chinese}) == len(chinese), (
        "Chinese characters render as identical boxes: install a CJK font "
        "(sh tests/install_browser.sh installs fonts-noto-cjk)")
    assert all(g["pixels"] != tofu["pixels"] for g in chinese), "Chinese renders as tofu"


@pytest.mark.parametrize("key", list(MAP_FILES))
def test_screenshot_at_1366_by_768_with_legend_inside_the_window(browser, maps_dir, key,
                                                                tmp_path_factory):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES[key])
    shot = tmp_path_factory.getbasetemp() / "map_screenshots" / f"{key}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    boxes = page.evaluate(BOXES)
    state = page.evaluate(INSPECT)
    page.close()
    assert errors == []
    legend = boxes["legend"]
    assert legend["left"] >= 0 and legend["right"] <= boxes["width"]
    assert legend["top"] >= 0 and legend["bottom"] <= boxes["height"]
    assert not _overlaps(legend, boxes["control"]) and not _overlaps(legend, boxes["zoom"])
    assert boxes["scrollable"]
    # The legend explains what is on: one section per switched-on overlay family, and
    # the sections of what the time control or the choice of kind draws.
    assert boxes["shown_sections"]
    assert all(any(o.startswith(s.split(" (")[0]) for o in state["checked"])
               for s in boxes["visible_sections"] if not s.startswith("图形"))
    # The key to dashed and hollow drawing shows while approximate features are on: the
    # schematic S3 line and parks; every feature on the station map was surveyed, and the
    # life-circle map shows OSM facilities and a hexagon grid of the area, all exact.
    surveyed_only = {"stations", "life_circles"}
    assert ("图形 Drawing" in boxes["visible_sections"]) == (key not in surveyed_only)


def test_legend_collapses_and_fits_a_small_window(browser, maps_dir):
    small = {"width": 1024, "height": 600}
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["plan"], viewport=small)
    before = page.evaluate(BOXES)
    page.click(".gisplan-legend summary")
    after = page.evaluate(BOXES)
    page.close()
    assert errors == []
    for boxes in (before, after):
        assert boxes["legend"]["bottom"] <= small["height"] and boxes["legend"]["top"] >= 0
        assert not _overlaps(boxes["legend"], boxes["control"])
    assert after["legend"]["bottom"] - after["legend"]["top"] < 40


def test_overlays_on_at_start_are_context_and_subject(browser, maps_dir, layers):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["plan"])
    state = page.evaluate(INSPECT)
    page.close()
    assert errors == []
    assert state["checked"] == [_title(layers, "districts"), "五大功能区 Five directional zones",
                                _title(layers, "metro_lines")]
    assert len(state["overlays"]) > len(state["checked"]) + 5


def test_popup_of_a_schematic_feature_says_what_was_drawn(browser, maps_dir):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["plan"])
    text = page.evaluate(OPEN_POPUP_OF, "环城生态区")
    page.close()
    assert errors == []
    assert text
    assert "示意" in text and "schematic" in text.lower()
    assert "±" in text and "km" in text
    assert "precision_m" not in text and "geocode_method" not in text


TITLE = "() => (document.querySelector('.gisplan-title') || {}).textContent || ''"
TIMELINE_INK = """() => {
  let ink = 0;
  document.querySelectorAll('.leaflet-overlay-pane canvas').forEach(c => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let k = 3; k < data.length; k += 4) { if (data[k]) { ink += 1; } }
  });
  return {title: document.getElementById('gisplan-title').textContent, ink: ink,
          value: document.querySelector('.gisplan-timeline input').value,
          day: document.querySelector('.gisplan-timeline .day').textContent};
}"""


@pytest.mark.parametrize("key", list(MAP_FILES))
def test_every_map_has_a_title_with_what_where_and_when(browser, maps_dir, key):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES[key])
    title = page.evaluate(TITLE)
    page.close()
    assert errors == []
    assert re.search(r"\d{4}-\d{2}-\d{2}|data:", title), title
    if key in ("stations", "parks", "life_circles"):
        assert re.search(r"\d+\.\d %", title), title  # the headline figure


def test_the_slider_shows_one_year_and_its_figure(browser, maps_dir, layers):
    from gisplan import scoreboard

    board = scoreboard()
    core = board[(board["target_id"] == "T01") & (board["area"] == "core_five_districts")
                 & (board["method"] == "euclidean")].iloc[0]
    history = layers["rail_history"]
    days = list(history["date"])
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["stations"])
    control = page.evaluate("document.querySelectorAll('.gisplan-timeline input[type=range]')"
                            ".length")
    overlays = page.evaluate(INSPECT)["overlays"]
    states = {}
    for day in ("2010-12-31", "2020-12-31", "2025-12-31"):
        page.evaluate("(i) => window.gisplanTimeline.show(i)", days.index(day))
        page.wait_for_timeout(400)  # the canvas redraws on the next animation frame
        states[day] = page.evaluate(TIMELINE_INK)
    page.close()
    assert errors == [] and control == 1
    assert not any(o.startswith("end of") for o in overlays)  # no checkbox per year
    # the scoreboard's baseline and end-of-period figures, measured on their own path
    assert f"{core['baseline']:.1%}".replace("%", " %") in states["2020-12-31"]["title"]
    assert f"{core['end_of_period']:.1%}".replace("%", " %") in states["2025-12-31"]["title"]
    assert "baseline" in states["2020-12-31"]["day"] and "end" in states["2025-12-31"]["day"]
    # only the chosen year's network is drawn: more ink as the network grows
    assert states["2010-12-31"]["ink"] < states["2020-12-31"]["ink"] < (
        states["2025-12-31"]["ink"])


def test_the_life_circle_map_shows_one_kind_at_a_time(browser, maps_dir):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["life_circles"])
    radios = page.evaluate("document.querySelectorAll('.gisplan-kinds input[type=radio]')"
                           ".length")
    first = page.evaluate(TITLE)
    page.click(".gisplan-kinds label:nth-of-type(9) input")
    page.wait_for_timeout(200)
    after = page.evaluate(TITLE)
    shown = page.evaluate("""() => {
      const kinds = window.gisplanKinds.kinds;
      const map = Object.keys(window).filter(k => k.startsWith('map_')
          && window[k] instanceof L.Map).map(k => window[k])[0];
      return kinds.map(k => k.layers.some(n => map.hasLayer(window[n])));
    }""")
    page.close()
    assert errors == [] and radios >= 10
    assert first != after and "%" in after
    assert shown.count(True) == 1 and shown.index(True) == 8
