"""Open the HTML maps in real headless Chromium with every http(s) request blocked."""

import os

import pytest

from gisplan.maps import MAP_FILES, write_maps
from tests._map_fixtures import map_layers

CHROMIUM = "/usr/bin/chromium"
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
  const bases = [...document.querySelectorAll(
      '.leaflet-control-layers-base label > span > span')].map(s => s.textContent.trim());
  return {maps: maps.length, drawn, ink, overlays, bases,
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


def _open_offline(browser, path):
    page = browser.new_page()
    errors, blocked = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def route(request_route):
        if request_route.request.url.startswith(("http://", "https://")):
            blocked.append(request_route.request.url)
            request_route.abort()
        else:
            request_route.continue_()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.L !== undefined")
    page.wait_for_timeout(500)
    return page, errors, blocked


def _title(layers, name):
    meta = layers[name].attrs["gisplan"]
    return f"{meta['title_zh']} {meta['title_en']}"


@pytest.mark.parametrize("key", list(MAP_FILES))
def test_map_draws_its_overlays_without_network_and_without_page_errors(browser, maps_dir, key):
    page, errors, blocked = _open_offline(browser, maps_dir / MAP_FILES[key])
    state = page.evaluate(INSPECT)
    page.close()
    assert errors == []
    assert state["maps"] == 1
    assert state["drawn"] > 0 and state["ink"] > 0
    assert state["overlays"]
    assert state["legend"] == 1 and state["scale"] == 1 and state["fullscreen"] == 1
    assert all(url.startswith(("http://", "https://")) for url in blocked)
    assert not any("leaflet" in url.lower() and url.endswith((".js", ".css")) for url in blocked)


def test_plan_map_lists_every_plan_layer_in_the_layer_control(browser, maps_dir, layers):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["plan"])
    state = page.evaluate(INSPECT)
    popup = page.evaluate(OPEN_A_POPUP)
    page.close()
    assert errors == []
    plan = ["districts", "planning_zones", "metro_lines", "metro_stations", "tod_sites",
            "functional_zones", "ecosystem_projects", "eco_pattern_areas", "eco_pattern_rivers",
            "parks"]
    expected = [_title(layers, n) for n in plan if n in layers and "gisplan" in layers[n].attrs]
    assert set(expected) <= set(state["overlays"])
    assert state["bases"][:2] == ["OpenStreetMap", "CartoDB Positron"]
    assert popup and "source" in popup and "precision_m" in popup


def test_coverage_maps_show_both_catchment_methods_and_service_areas(browser, maps_dir):
    page, errors, _ = _open_offline(browser, maps_dir / MAP_FILES["stations"])
    stations = page.evaluate(INSPECT)
    page.close()
    page, more_errors, _ = _open_offline(browser, maps_dir / MAP_FILES["parks"])
    parks = page.evaluate(INSPECT)
    page.close()
    assert errors == more_errors == []
    catchments = [o for o in stations["overlays"] if o.startswith("800 m")]
    assert any("straight-line" in o for o in catchments)
    assert any("network" in o for o in catchments)
    assert any("覆盖率" in o for o in stations["overlays"])
    assert any("公园服务范围" in o for o in parks["overlays"])
