"""The life-circle map: hexagon distances to the nearest facility, gaps, offline page."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gisplan import load_layer, load_walk_network
from gisplan.analysis.distances import requirement_distances
from gisplan.outputs.maps import map_html
from gisplan.outputs.maps._assets import external_assets
from gisplan.outputs.maps.life_circles import (
    DISTANCE_CLASSES,
    FACILITY_STYLE,
    GAP_COLOUR,
    life_circles_map,
)
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
    # one id, two circles: the 15-minute large sports grounds and the 5-minute small
    # grounds with playgrounds each keep their own column
    np.testing.assert_allclose(hexes["sports"], one_of(facilities, hexes, ["sports"]),
                               equal_nan=True)
    np.testing.assert_allclose(hexes["sports_5min"],
                               one_of(facilities, hexes, ["sports", "playground"]),
                               equal_nan=True)


def one_of(facilities, hexes, categories):
    from gisplan.analysis.distances import nearest_facility_distances
    found = nearest_facility_distances(facilities, categories=categories,
                                       origins=hexes[["hex_id", "geometry"]],
                                       network=load_walk_network())
    return found[categories].min(axis=1, skipna=True)


def test_map_is_offline_shows_one_kind_at_a_time_and_the_gaps_apart():
    page = map_html(life_circles_map(map_layers()))
    assert external_assets(page) == []
    assert "Kind of facility (one at a time)" in page and 'type="radio"' in page
    assert GAP_COLOUR in page
    # the facility markers and the gaps share no colour with any distance class
    ramp = {c.colour.lower() for c in DISTANCE_CLASSES[:-1]}
    assert FACILITY_STYLE.colour.lower() not in ramp | {GAP_COLOUR.lower()}
    assert GAP_COLOUR.lower() not in ramp
    # a kind without data says so instead of showing every hexagon as a gap
    assert json.dumps("elderly_care (无数据 no data)")[1:-1] in page
    assert "OpenStreetMap" in page
