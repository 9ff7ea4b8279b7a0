"""The target registry, the scoreboard on the embedded layers, and the GeoPackage outputs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from compile_layers._common import PLAN_TEXT
from gisplan import TARGETS, load_layer, scoreboard
from gisplan.analysis.rail import rail_route_length_km
from gisplan.pipeline import build_geopackage
from gisplan.plan import SCOREBOARD_COLUMNS, evaluate, format_scoreboard
from gisplan.plan.indicators import INDICATOR_COLUMNS, analysis_layers


@pytest.fixture(scope="module")
def evaluation():
    return evaluate()


def test_registry_holds_the_core_targets():
    ids = {t.target_id for t in TARGETS}
    assert {"T01", "T04", "T08", "T25"} <= ids
    by_id = {t.target_id: t for t in TARGETS}
    assert (by_id["T01"].target, by_id["T01"].comparison) == (0.5, ">")
    assert (by_id["T04"].target, by_id["T04"].comparison) == (0.9, ">=")
    assert by_id["T08"].unit == by_id["T25"].unit == "km"
    assert all(t.data_needed for t in TARGETS)


@pytest.mark.skipif(not PLAN_TEXT.exists(), reason="plan text not available")
def test_wording_is_quoted_exactly_from_its_line():
    lines = PLAN_TEXT.read_text(encoding="utf-8").split("\n")
    for target in TARGETS:
        assert target.wording_zh in lines[target.plan_line - 1], target.target_id


def test_met_follows_the_comparison():
    t01 = next(t for t in TARGETS if t.target_id == "T01")
    assert not t01.met(0.5)
    assert t01.met(0.5001)
    t04 = next(t for t in TARGETS if t.target_id == "T04")
    assert t04.met(0.9)


def test_scoreboard_rows_and_statuses(evaluation):
    table = evaluation.table
    assert list(table.columns) == SCOREBOARD_COLUMNS
    coverage = table[table["unit"] == "share"]
    assert coverage["value"].dropna().between(0, 1).all()
    assert set(coverage[coverage["value"].isna()]["target_id"]) == {"T09"}  # n/a: no data
    for row in coverage[coverage["target_id"].isin(["T01", "T04"])].itertuples():
        assert row.met == (row.value > row.target if row.target_id == "T01"
                           else row.value >= row.target)
    # targets measured on incomplete OSM data are met or unknown, never "missed"
    for row in coverage[~coverage["target_id"].isin(["T01", "T04"])].itertuples():
        assert row.met is (True if row.value >= row.target else None)
        assert row.target_basis in ("plan", "reading")
    measured = table[table["value"].notna()]["target_id"].nunique()
    assert measured == 11  # 12 targets with data, T09 n/a (its circle has unmapped items)
    t08 = table[table["target_id"] == "T08"].iloc[0]
    assert np.isnan(t08["value"]) and t08["met"] is None
    assert "greenway" in t08["data_needed"].lower()
    text = format_scoreboard(table)
    assert "T01" in text and "unknown" in text


def test_800m_rows_use_exactly_the_metro_stations_of_the_data_day(evaluation):
    stations = load_layer("metro_stations", as_of=evaluation.table.attrs["as_of"])
    for (indicator, _method, _area), result in evaluation.coverage.items():
        if indicator == "rail_station_coverage_800m":
            assert result.params["n_stations"] == len(stations)
            assert result.params["radius_m"] == 800.0


def test_rail_route_length_counts_parallel_tracks_once():
    x0, y0 = 500_000.0, 3_400_000.0
    two_tracks = shapely.MultiLineString([[(x0, y0), (x0 + 1000, y0)],
                                          [(x0, y0 + 15), (x0 + 1000, y0 + 15)]])
    lengths = rail_route_length_km(gpd.GeoSeries([two_tracks], crs="EPSG:4544"))
    assert lengths[0] == pytest.approx(1.0, rel=1e-6)


def test_analysis_layers_hold_the_required_rows(evaluation):
    layers = analysis_layers(evaluation)
    assert {"indicators", "station_catchments_800m", "park_service_areas",
            "coverage_by_district", "life_circle_coverage", "life_circle_areas"} <= set(layers)
    indicators = layers["indicators"]
    assert list(indicators.columns) == INDICATOR_COLUMNS
    keys = set(zip(indicators["indicator"], indicators["method"], indicators["area"],
                   strict=True))
    assert {("rail_station_coverage_800m", "euclidean", "core_five_districts"),
            ("rail_station_coverage_800m", "network", "central_osm_extract"),
            ("park_service_coverage", "euclidean", "central_osm_extract"),
            ("park_service_coverage", "network", "central_osm_extract")} <= keys
    targets = indicators.groupby("indicator")["target"].first()
    assert targets["rail_station_coverage_800m"] == 0.5
    assert targets["park_service_coverage"] == 0.9
    catchments = layers["station_catchments_800m"]
    assert set(catchments["method"]) == {"euclidean", "network"}
    for row in catchments.itertuples():
        assert row.geometry.area / 1e6 == pytest.approx(row.covered_km2, rel=1e-6)
    by_district = layers["coverage_by_district"]
    core = by_district[(by_district["area"] == "core_five_districts")
                       & (by_district["indicator"] == "rail_station_coverage_800m")]
    assert core["total_km2"].sum() == pytest.approx(
        catchments.set_index("area").loc["core_five_districts", "total_km2"], rel=1e-3)


def test_build_writes_the_analysis_layers(tmp_path, capsys):
    path = build_geopackage(tmp_path)
    assert "rail_station_coverage_800m" in capsys.readouterr().out
    names = {name for name, _ in pyogrio.list_layers(path)}
    assert {"indicators", "station_catchments_800m", "park_service_areas",
            "coverage_by_district", "facilities", "residential_land",
            "life_circle_coverage", "life_circle_areas"} <= names
    life = pyogrio.read_dataframe(path, layer="life_circle_coverage")
    assert {"target_id", "category", "circle", "radius_m", "denominator", "share"} <= set(
        life.columns)
    table = pyogrio.read_dataframe(path, layer="indicators")
    assert len(table) >= 4


def test_scoreboard_function_matches_evaluate(evaluation):
    pd.testing.assert_frame_equal(scoreboard(), evaluation.table)


def _share_within(features, radii, area):
    """Share of ``area`` within ``radii`` of ``features``, with plain shapely in EPSG:4544."""
    served = shapely.union_all(features.to_crs("EPSG:4544").buffer(radii, quad_segs=32).values)
    area = shapely.union_all(area.to_crs("EPSG:4544").geometry.values)
    return served.intersection(area).area / area.area


def test_straight_line_values_match_a_plain_recomputation(evaluation):
    table = evaluation.table[evaluation.table["denominator"] == "area"].set_index(
        ["target_id", "method", "area"])
    areas = load_layer("coverage_area").set_index("area_id")
    stations = load_layer("metro_stations")
    for area_id in ["core_five_districts", "central_osm_extract"]:
        expected = _share_within(stations, 800.0, areas.loc[[area_id]])
        assert table.loc[("T01", "euclidean", area_id), "value"] == pytest.approx(expected,
                                                                                 abs=1e-3)
    parks = load_layer("parks")
    served = parks[parks["service_radius_m"] > 0]
    expected = _share_within(served, served["service_radius_m"].to_numpy(),
                             areas.loc[["central_osm_extract"]])
    assert table.loc[("T04", "euclidean", "central_osm_extract"), "value"] == pytest.approx(
        expected, abs=1e-3)
