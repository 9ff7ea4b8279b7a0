"""Walking access to facilities: covered land, nearest distances, presets, denominators."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

import gisplan
from gisplan import CoverageInputError
from gisplan.analysis import (
    facility_coverage,
    hexagon_grid,
    life_circle_coverage,
    nearest_facility_distances,
)
from gisplan.network import network_from_edges
from gisplan.standards.facilities import FACILITY_CATEGORIES
from gisplan.standards.life_circles import (
    CIRCLE_REQUIREMENTS,
    LIFE_CIRCLES,
    circle_requirements,
    life_circle,
    minutes_to_metres,
    preset_table,
)

CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0


def _lines(*coords_list):
    return gpd.GeoSeries([shapely.LineString([(X0 + x, Y0 + y) for x, y in coords])
                          for coords in coords_list], crs=CRS)


def _facilities(points, categories):
    return gpd.GeoDataFrame({"category": categories},
                            geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in points],
                            crs=CRS)


def _box(x0, y0, x1, y1):
    return gpd.GeoSeries([shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)], crs=CRS)


@pytest.fixture(scope="module")
def street():
    """One straight 2 km street along the x axis."""
    return network_from_edges(_lines([(0, 0), (2000, 0)]))


# --------------------------------------------------------------------- analytic


@pytest.mark.parametrize("exact", [True, False])
def test_facility_on_a_straight_street_covers_by_hand(street, exact):
    # a school 10 m off the street's middle, 300 m walk: 2 * (300 - 10) m of street,
    # and the land within 50 m of it: a 580 m x 100 m band and two half discs
    school = _facilities([(1000, 10)], ["primary_school"])
    area = _box(0, -50, 2000, 50)
    result = facility_coverage(school, area, "primary_school", radius=300, network=street,
                               exact_area=exact)
    by_hand = 580 * 100 + math.pi * 50**2
    # exact: the caps are 16-gons (0.6 % short of the discs); grid: the outline runs
    # through the centres of the outer 12.5 m cells, so along each long side of the band
    # it may lie up to half a cell inside, as it does for a street on a cell edge
    slack = 0.01 * by_hand if exact else 2 * 580 * 12.5 / 2
    assert abs(result.covered_km2 * 1e6 - by_hand) <= slack
    assert abs(result.share * 200_000 - by_hand) <= slack
    assert result.params["categories"] == ["primary_school"]
    assert result.params["n_facilities"] == 1


def test_nearest_distances_on_a_straight_street_by_hand(street):
    shops = _facilities([(1000, 10)], ["supermarket"])
    nodes = nearest_facility_distances(shops, network=street)
    assert sorted(nodes["supermarket"]) == pytest.approx([1010, 1010])
    homes = gpd.GeoSeries([shapely.Point(X0 + 200, Y0 - 5), shapely.Point(X0 + 990, Y0 + 3)],
                          crs=CRS)
    got = nearest_facility_distances(shops, origins=homes, network=street)
    # 5 m to the street, 800 m along it, 10 m to the shop; on the shop's own segment
    assert list(got["supermarket"]) == pytest.approx([815, 3 + 10 + 10])
    assert list(got["snap_m"]) == pytest.approx([5, 3])


def test_minutes_are_converted_at_the_walking_speed(street):
    school = _facilities([(1000, 0)], ["kindergarten"])
    area = _box(0, -50, 2000, 50)
    by_minutes = facility_coverage(school, area, "kindergarten", minutes=5,
                                   speed_m_per_min=60, network=street, exact_area=True)
    by_metres = facility_coverage(school, area, "kindergarten", radius=300, network=street,
                                  exact_area=True)
    assert by_minutes.share == pytest.approx(by_metres.share)
    assert by_minutes.params["minutes"] == 5
    with pytest.raises(CoverageInputError, match="either radius"):
        facility_coverage(school, area, "kindergarten", radius=300, minutes=5, network=street)


# ------------------------------------------------------------- against networkx


def _random_grid(seed, n=25):
    rng = np.random.default_rng(seed)
    xy = {(i, j): (i * 100 + rng.uniform(-25, 25), j * 100 + rng.uniform(-25, 25))
          for i in range(n) for j in range(n)}
    segs = [[xy[i, j], xy[i + di, j + dj]] for (i, j) in xy for di, dj in ((1, 0), (0, 1))
            if (i + di, j + dj) in xy and rng.random() > 0.15]
    return network_from_edges(_lines(*segs)), rng


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_distances_agree_with_networkx(seed):
    net, rng = _random_grid(seed)
    graph = nx.Graph()
    for u, v, w in zip(net.edge_u, net.edge_v, net.edge_length, strict=True):
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(int(u), int(v), weight=float(w))
    cats = ["market", "clinic", "bus_stop"]
    sizes = dict(zip(cats, (1, 4, 12), strict=True))
    chosen = {c: rng.choice(net.n_nodes, size=sizes[c], replace=False) for c in cats}
    points = [tuple(net.node_xy[i] - (X0, Y0)) for c in cats for i in chosen[c]]
    facilities = _facilities(points, [c for c in cats for _ in chosen[c]])
    got = nearest_facility_distances(facilities, network=net, max_distance=1e9)
    for c in cats:
        expected = nx.multi_source_dijkstra_path_length(graph, set(chosen[c].tolist()))
        want = np.array([expected.get(i, np.nan) for i in range(net.n_nodes)])
        np.testing.assert_allclose(got[c].to_numpy(), want, atol=1e-6)


def test_origins_on_segments_agree_with_networkx_on_a_split_graph():
    net, rng = _random_grid(4, n=12)
    graph = nx.Graph()
    for u, v, w in zip(net.edge_u, net.edge_v, net.edge_length, strict=True):
        graph.add_edge(int(u), int(v), weight=float(w))
    shop_node = int(rng.integers(net.n_nodes))
    shops = _facilities([tuple(net.node_xy[shop_node] - (X0, Y0))], ["convenience"])
    edge = int(rng.integers(net.n_edges))
    home = shapely.line_interpolate_point(net.edge_geometry[edge], 0.3, normalized=True)
    got = nearest_facility_distances(shops, origins=gpd.GeoSeries([home], crs=CRS),
                                     network=net, max_distance=1e9)
    to_shop = nx.single_source_dijkstra_path_length(graph, shop_node)
    length = net.edge_length[edge]
    want = min(0.3 * length + to_shop.get(int(net.edge_u[edge]), np.inf),
               0.7 * length + to_shop.get(int(net.edge_v[edge]), np.inf))
    assert got["convenience"].iloc[0] == pytest.approx(want, abs=1e-6)


# ---------------------------------------------------------------- presets


def test_presets_hold_the_standards_distances():
    by_id = {c.circle: c for c in LIFE_CIRCLES}
    assert (by_id["5min"].radius_m, by_id["10min"].radius_m) == (300, 500)
    assert (by_id["15min"].radius_min_m, by_id["15min"].radius_m) == (800, 1000)
    assert minutes_to_metres(5) == 300  # 60 m/min gives the standard's 5-minute distance
    known = {c.category for c in FACILITY_CATEGORIES}
    assert all(set(r.categories) <= known for r in CIRCLE_REQUIREMENTS)
    assert {r.requirement for r in circle_requirements("5min")} >= {"kindergarten",
                                                                 "community_service"}
    assert minutes_to_metres(10) == 500  # the 10min circle's distance, not 10 x 60 m
    assert minutes_to_metres(10, 60.0) == 600 and minutes_to_metres(7) == 420
    assert "primary_school" in {r.requirement for r in circle_requirements("10min")}
    assert "secondary_school" in {r.requirement for r in circle_requirements("15min")}
    table = preset_table()
    assert len(table) == len(CIRCLE_REQUIREMENTS)
    assert set(table.loc[table["circle"] == "10min", "radius_m"]) == {500}


def test_unknown_circle_and_category_list_the_known_ones():
    with pytest.raises(CoverageInputError, match="block, 5min, 10min, 15min"):
        life_circle("20min")
    facilities = _facilities([(0, 0)], ["market"])
    with pytest.raises(CoverageInputError, match="kindergarten, childcare, primary_school") as err:
        facility_coverage(facilities, _box(0, 0, 10, 10), "cinema", radius=300)
    assert "cinema" in str(err.value)


def test_presets_can_be_overridden(street):
    school = _facilities([(1000, 0)], ["primary_school"])
    area = _box(0, -50, 2000, 50)
    mine = (type(LIFE_CIRCLES[0])("10min", 10, 400, 400, "我的十分钟"),)
    reqs = (type(CIRCLE_REQUIREMENTS[0])("10min", "school", "小学", ("primary_school",)),)
    result = life_circle_coverage(school, area, "10min", network=street, circles=mine,
                                  requirements=reqs)
    assert list(result.table["category"]) == ["school", "all"]
    assert (result.table["radius_m"] == 400).all()
    assert result.table["share"].iloc[0] == pytest.approx(result.table["share"].iloc[1])


# ------------------------------------------------------------- denominators


def test_denominators_area_residential_and_population(street):
    shop = _facilities([(500, 0)], ["market"])
    area = _box(0, -50, 2000, 50)
    # residential land: one block near the shop (covered) and one far away (not)
    residential = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 400, Y0, X0 + 600, Y0 + 50),
                                             shapely.box(X0 + 1600, Y0, X0 + 1800, Y0 + 50)],
                                   crs=CRS)
    whole = facility_coverage(shop, area, "market", radius=500, network=street,
                              exact_area=True)
    homes = facility_coverage(shop, area, "market", radius=500, network=street,
                              residential=residential, exact_area=True)
    assert homes.total_km2 == pytest.approx(0.02)
    assert homes.share == pytest.approx(0.5, abs=0.01)
    assert homes.params["denominator"] == "residential land"
    assert whole.params["denominator"] == "area"
    people = gpd.GeoDataFrame({"pop": [300.0, 100.0]},
                              geometry=[shapely.box(X0, Y0 - 50, X0 + 1000, Y0 + 50),
                                        shapely.box(X0 + 1000, Y0 - 50, X0 + 2000, Y0 + 50)],
                              crs=CRS)
    weighted = facility_coverage(shop, area, "market", radius=500, network=street,
                                 population=people, population_column="pop", exact_area=True)
    # the covered band runs from x = -50 to 1050: all of the first cell, 5 % of the second
    assert weighted.population_share == pytest.approx((300 + 100 * 0.05) / 400, abs=0.01)
    table = life_circle_coverage(shop, area, "10min", network=street,
                                 residential=residential).table
    assert set(table["denominator"]) == {"area", "residential land"}


# -------------------------------------------------------------- edge cases


def test_empty_category_gives_zero_with_a_note(street):
    facilities = _facilities([(500, 0)], ["market"])
    result = facility_coverage(facilities, _box(0, -50, 2000, 50), "elderly_care", radius=300,
                               network=street)
    assert result.share == 0
    assert "no facility of category elderly_care" in result.notes[0]
    distances = nearest_facility_distances(facilities, categories=["elderly_care", "market"],
                                           network=street)
    assert distances["elderly_care"].isna().all()
    assert distances["market"].notna().all()


def test_facilities_outside_the_network_are_not_placed(street):
    facilities = _facilities([(500, 0), (500, 3000)], ["market", "market"])
    distances = nearest_facility_distances(facilities, network=street)
    assert distances.attrs["unplaced_facilities"] == [1]
    assert sorted(distances["market"]) == pytest.approx([500, 1500])
    result = facility_coverage(facilities, _box(0, -50, 2000, 50), "market", radius=300,
                               network=street)
    assert result.params["n_facilities_in_reach"] == 1  # the far one cannot reach the area


def test_non_point_facilities_and_missing_category_are_refused(street):
    polygons = gpd.GeoDataFrame({"category": ["market"]},
                                geometry=[shapely.box(X0, Y0, X0 + 10, Y0 + 10)], crs=CRS)
    with pytest.raises(CoverageInputError, match="representative_point"):
        facility_coverage(polygons, _box(0, -50, 2000, 50), "market", radius=300,
                          network=street)
    with pytest.raises(CoverageInputError, match="'category' column"):
        facility_coverage(pd.DataFrame({"x": [1]}), _box(0, -50, 2000, 50), "market",
                          radius=300, network=street)


def test_hexagon_grid_tiles_the_area():
    area = _box(0, 0, 3000, 2000)
    hexes = hexagon_grid(area, 100)
    one = 3 * math.sqrt(3) / 2 * 100**2
    assert hexes.area.to_numpy() == pytest.approx(one)
    # centres inside the area: the hexagons cover about its area, without overlap
    assert len(hexes) * one == pytest.approx(6e6, rel=0.06)
    assert shapely.union_all(hexes.geometry.values).area == pytest.approx(len(hexes) * one)


def test_area_beyond_the_facilities_extent_warns_and_strict_refuses():
    from gisplan import IncompleteDataWarning, load_layer

    facilities = load_layer("facilities")
    areas = load_layer("coverage_area")
    core = areas[areas["area_id"] == "core_five_districts"]
    with pytest.warns(IncompleteDataWarning, match="where facilities are complete"):
        result = facility_coverage(facilities, core, "primary_school", radius=500,
                                   method="euclidean")
    assert any("facilities are complete" in note for note in result.notes)
    assert not any("stations" in note for note in result.notes)
    with pytest.raises(CoverageInputError, match="strict"):
        facility_coverage(facilities, core, "primary_school", radius=500,
                          method="euclidean", strict=True)


def test_two_step_snapping_equals_one_search():
    from gisplan.analysis.distances import _snap_facilities

    net, rng = _random_grid(7, n=10)
    points = shapely.points(rng.uniform(X0 - 300, X0 + 1200, 60),
                            rng.uniform(Y0 - 300, Y0 + 1200, 60))
    sources, snapped = _snap_facilities(net, points, 150.0)
    once, direct = net.snap(points, 150.0)
    np.testing.assert_allclose(snapped, direct, equal_nan=True)
    assert (snapped > 25).any() and (snapped < 25).any() and np.isnan(snapped).any()
    assert sorted(sources.start) == pytest.approx(sorted(once.start))


# A straight street 4 km long, a facility at its west end, and the 100 m strip along it:
# a walk of r metres reaches the street from 0 to r, and the land within the 50 m street
# access of it is the strip up to r plus a half disc of 50 m: r * 100 + pi * 50^2 / 2 m2.
STREET_X0, STREET_Y0, STREET_M = 420_000.0, 3_390_000.0, 4000.0


def _street_case():
    street = gpd.GeoSeries([shapely.LineString([(STREET_X0, STREET_Y0),
                                                (STREET_X0 + STREET_M, STREET_Y0)])],
                           crs="EPSG:4544")
    net = network_from_edges(street)
    facility = gpd.GeoDataFrame({"category": ["elderly_care"]},
                                geometry=[shapely.Point(STREET_X0, STREET_Y0)],
                                crs="EPSG:4544")
    area = gpd.GeoSeries([shapely.box(STREET_X0, STREET_Y0 - 50, STREET_X0 + STREET_M,
                                      STREET_Y0 + 50)], crs="EPSG:4544")
    return net, gisplan.declare_extent(facility, area.to_crs(4326).iloc[0]), area


def _by_hand(radius: float) -> float:
    return (radius * 100 + np.pi * 50**2 / 2) / (STREET_M * 100)


def test_the_15_minute_circle_walks_1000_m_by_hand():
    net, facility, area = _street_case()
    result = life_circle_coverage(facility, area, "15min", network=net)
    row = result.table.set_index("category").loc["elderly_care"]
    assert row["radius_m"] == 1000  # GB 50180-2018: 800-1,000 m, the upper end by default
    # the same land as a walk of 1,000 m, not of 800 m; exact buffers agree with the hand
    exact = {r: facility_coverage(facility, area, "elderly_care", radius=r, network=net,
                                  exact_area=True).share for r in (800.0, 1000.0)}
    grid = {r: facility_coverage(facility, area, "elderly_care", radius=r,
                                 network=net).share for r in (800.0, 1000.0)}
    assert exact[1000.0] == pytest.approx(_by_hand(1000), rel=0.015)
    assert exact[800.0] == pytest.approx(_by_hand(800), rel=0.015)
    assert row["share"] == pytest.approx(grid[1000.0]) and row["share"] > grid[800.0] + 0.03


@pytest.mark.parametrize(("speed", "metres"), [(50.0, 500.0), (80.0, 800.0)])
def test_the_walking_speed_sets_the_distance_by_hand(speed, metres):
    net, facility, area = _street_case()
    result = facility_coverage(facility, area, "elderly_care", minutes=10,
                               speed_m_per_min=speed, network=net, exact_area=True)
    assert result.params["radius_m"] == metres
    assert result.share == pytest.approx(_by_hand(metres), rel=0.015)
