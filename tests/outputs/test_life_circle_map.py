"""The life-circle map: hexagon distances to the nearest facility, gaps, offline page."""

from __future__ import annotations

import numpy as np
import pytest

from gisplan import load_layer, load_walk_network
from gisplan.analysis.distances import requirement_distances
from gisplan.outputs.maps import map_html
from gisplan.outputs.maps._assets import external_assets
from gisplan.outputs.maps.life_circles import life_circles_map
from tests.outputs._map_fixtures import map_layers

MAP_AREA_ID = "central_osm_extract"


@pytest.fixture(scope="module")
def extract():
    areas = load_layer("coverage_area")
    return areas[areas["area_id"] == MAP_AREA_ID]


def test_hexagon_distance_is_the_nearest_of_the_requirements_categories(extract):
    facilities = load_layer("facilities")
    hexes = requirement_distances(facilities, extract, load_walk_network(), hex_size_m=400)
    assert len(hexes) > 50
    # 菜市场或生鲜超市: the nearer of a market and a supermarket, never farther than either
    from gisplan.analysis.distances import nearest_facility_distances
    one = nearest_facility_distances(facilities, categories=["market", "supermarket"],
                                     origins=hexes[["hex_id", "geometry"]],
                                     network=load_walk_network())
    expected = np.fmin(one["market"], one["supermarket"])
    np.testing.assert_allclose(hexes["market"], expected, equal_nan=True)
    assert hexes["elderly_care"].isna().all()  # none mapped: every hexagon is a gap


def test_map_is_offline_and_shows_the_gaps():
    page = map_html(life_circles_map(map_layers()))
    assert external_assets(page) == []
    assert "walk to nearest" in page and "hexagons without one within 2 km" in page
    assert "#d7191c" in page  # the colour of the gaps
    assert "© OpenStreetMap contributors" in page or "OpenStreetMap" in page
