"""The grid-built covered area: agreement with the exact buffer-and-dissolve, validity, windows."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gisplan import GisplanError, load_layer, park_coverage, station_coverage
from gisplan.analysis._coverage_grid import BLOCK_CELLS, grid_cover
from gisplan.catalogue import load_walk_network
from gisplan.crs import METRIC_CRS
from gisplan.network import network_from_edges

GRID_TOLERANCE = 0.015
"""Relative difference allowed between the grid and the exact covered area."""
CELL = 12.5
"""Grid cell for the default 50 m access distance."""


def close_outlines(grid: shapely.Geometry, exact: shapely.Geometry, cell: float) -> bool:
    """The grid outline is nowhere more than 1.5 cells from the exact one (1 m2 slack).

    Half a cell for rounding the streets to cells, up to a cell for tracing through the
    centres of the outer cells.
    """
    outside = grid.difference(exact.buffer(1.5 * cell)).area
    missing = exact.buffer(-1.5 * cell).difference(grid).area
    return outside < 1.0 and missing < 1.0


@pytest.fixture(scope="module")
def central():
    areas = load_layer("coverage_area")
    return areas[areas["area_id"] == "central_osm_extract"]


@pytest.fixture(scope="module")
def walk():
    return load_walk_network()


def test_station_network_coverage_grid_agrees_with_exact(central, walk):
    stations = load_layer("metro_stations")
    grid = station_coverage(stations, central, method="network", network=walk)
    exact = station_coverage(stations, central, method="network", network=walk,
                             exact_area=True)
    assert grid.params["area_method"] == "grid" and grid.params["grid_cell_m"] == CELL
    assert grid.covered_km2 == pytest.approx(exact.covered_km2, rel=GRID_TOLERANCE)
    covered = grid.covered.iloc[0]
    assert covered.is_valid
    # the grid keeps the cells whose centre is inside the area: nothing sticks out by a cell
    area = central.to_crs(METRIC_CRS).union_all()
    assert covered.difference(area.buffer(CELL)).area == pytest.approx(0.0, abs=1.0)
    assert close_outlines(covered, exact.covered.iloc[0], CELL)


def test_park_network_coverage_grid_agrees_with_exact(central, walk):
    parks = load_layer("parks")
    grid = park_coverage(parks, central, method="network", network=walk)
    exact = park_coverage(parks, central, method="network", network=walk, exact_area=True)
    assert grid.covered_km2 == pytest.approx(exact.covered_km2, rel=GRID_TOLERANCE)
    assert grid.covered.iloc[0].is_valid


def jittered_grid(side: int, seed: int, angle: float = 0.0) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    xy = np.stack(np.meshgrid(np.arange(side), np.arange(side)), axis=-1).reshape(-1, 2) * 100.0
    xy = xy + rng.uniform(-25, 25, xy.shape)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    xy = xy @ turn.T + [500_000.0, 3_400_000.0]
    ids = np.arange(side * side).reshape(side, side)
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    keep = rng.random(len(u)) > 0.1
    return gpd.GeoSeries(shapely.linestrings(np.stack([xy[u[keep]], xy[v[keep]]], axis=1)),
                         crs=METRIC_CRS)


@pytest.mark.parametrize("angle", [0.0, 0.5])
def test_grid_agrees_with_exact_on_synthetic_streets(angle):
    net = network_from_edges(jittered_grid(60, seed=7, angle=angle))
    rng = np.random.default_rng(8)
    stations = gpd.GeoSeries(shapely.points(net.node_xy[rng.choice(net.n_nodes, 6)]),
                             crs=METRIC_CRS)
    area = gpd.GeoSeries([net.extent()], crs=METRIC_CRS)
    grid = station_coverage(stations, area, method="network", network=net)
    exact = station_coverage(stations, area, method="network", network=net, exact_area=True)
    assert grid.covered_km2 == pytest.approx(exact.covered_km2, rel=GRID_TOLERANCE)
    assert grid.covered.iloc[0].is_valid


def test_grid_of_a_straight_street():
    segment = np.array([[[0.0, 0.0], [1000.0, 0.0]]])
    covered = grid_cover(segment, 50.0, CELL)
    exact = shapely.buffer(shapely.LineString(segment[0]), 50.0)
    assert covered.area == pytest.approx(exact.area, rel=GRID_TOLERANCE)
    assert close_outlines(covered, exact, CELL)


def test_far_apart_clusters_get_their_own_windows_and_the_same_result():
    near = np.array([[[0.0, 0.0], [300.0, 0.0]], [[300.0, 0.0], [300.0, 200.0]]]) + 3.3
    far = near + 50_000.0
    together = grid_cover(np.concatenate([near, far]), 50.0, CELL)
    apart = [grid_cover(part, 50.0, CELL) for part in (near, far)]
    assert shapely.get_num_geometries(together) == 2
    assert together.area == pytest.approx(sum(p.area for p in apart), rel=1e-12)
    assert together.symmetric_difference(shapely.union_all(apart)).area < 1e-6


def test_fills_in_packed_windows_land_in_their_own_slot():
    # many small far-apart parks: their windows share one canvas
    parks = np.array([shapely.box(x, 0, x + 100, 60) for x in np.arange(12) * 5_000.0])
    covered = grid_cover(np.empty((0, 2, 2)), 50.0, CELL, fill=parks)
    assert shapely.get_num_geometries(covered) == len(parks)
    one = grid_cover(np.empty((0, 2, 2)), 50.0, CELL, fill=parks[:1]).area
    assert covered.area == pytest.approx(len(parks) * one)
    assert all(shapely.intersects(covered, parks))


def test_a_segment_crossing_empty_blocks_stays_in_one_window():
    # one long segment spans many blocks with no vertex inside them
    long = np.array([[[0.0, 0.0], [BLOCK_CELLS * CELL * 8, 1.0]]])
    covered = grid_cover(long, 50.0, CELL)
    assert shapely.get_num_geometries(covered) == 1
    assert covered.area == pytest.approx(shapely.buffer(shapely.LineString(long[0]), 50).area,
                                         rel=GRID_TOLERANCE)


@pytest.mark.parametrize("side", [20_000.0, 2_000_000.0])
def test_a_grid_too_large_for_memory_is_refused_before_it_is_allocated(side):
    # a 0.25 m grid (access 1 m) over the block index (2000 km) or the canvas (20 km)
    street = gpd.GeoSeries([shapely.LineString([(0, 0), (side, 0)]),
                            shapely.LineString([(side, 0), (side, side)])],
                           crs=METRIC_CRS).translate(400_000, 3_300_000)
    net = network_from_edges(street)
    ends = gpd.GeoSeries(shapely.points(net.node_xy), crs=net.crs)
    area = gpd.GeoSeries([net.extent()], crs=net.crs)
    with pytest.raises(GisplanError, match="exact_area=True") as error:
        station_coverage(ends, area, method="network", network=net, radius=3 * side,
                         access_distance=1.0)
    assert isinstance(error.value, MemoryError)


def test_area_with_a_hole_and_an_island_in_it():
    hole, island = shapely.box(300, 300, 700, 700), shapely.box(400, 400, 600, 600)
    area = shapely.union(shapely.difference(shapely.box(0, 0, 1000, 1000), hole), island)
    area = shapely.affinity.translate(area, 3.3, 2.1)  # off the cell lattice
    streets = np.array([[[x + 3.3, 0.0], [x + 3.3, 1000.0]] for x in np.arange(0, 1001, 50.0)])
    covered = grid_cover(streets, 50.0, CELL, area=area)
    # the streets serve all of the area: the grid gives the area back, hole and island
    assert covered.is_valid
    assert covered.area == pytest.approx(area.area, rel=0.005)
    assert close_outlines(covered, area, CELL)


def exact_cover(segments, access, area):
    lines = shapely.linestrings(segments)
    return shapely.intersection(shapely.union_all(shapely.buffer(lines, access)), area)


def test_pieces_cut_off_by_the_area_stay_in_their_own_window():
    # scattered streets poking out of the area: their windows share one canvas, and what
    # lies outside the area must not be drawn into a neighbour's slot
    area = shapely.box(0, 0, 40_000, 40_000)
    segments = np.array([s for x in np.arange(10) * 3000.0 + 2003.3
                         for s in ([[x, -3000.0], [x, 150.0]], [[x, 150.0], [x + 100, 150.0]])])
    covered = grid_cover(segments, 50.0, CELL, area=area)
    exact = exact_cover(segments, 50.0, area)
    assert covered.is_valid
    # short lone pieces are mostly round ends, which the grid makes a few % smaller
    assert covered.area == pytest.approx(exact.area, rel=0.05)
    assert close_outlines(covered, exact, CELL)


def test_a_network_larger_than_the_area_with_stations_outside_it():
    net = network_from_edges(jittered_grid(120, seed=3))  # ~12 km square
    lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
    area = gpd.GeoSeries([shapely.box(*(lo + 2500), *(hi - 2500))], crs=METRIC_CRS)
    rng = np.random.default_rng(4)
    edge = np.concatenate([rng.uniform(lo + 2200, hi - 2200, (8, 2)) * [1, 0] + [0, lo[1] + 2200],
                           rng.uniform(lo + 2200, hi - 2200, (8, 2)) * [0, 1] + [lo[0] + 2200, 0]])
    stations = gpd.GeoSeries(shapely.points(edge), crs=METRIC_CRS)
    grid = station_coverage(stations, area, method="network", network=net)
    exact = station_coverage(stations, area, method="network", network=net, exact_area=True)
    assert grid.covered.iloc[0].is_valid
    assert grid.covered_km2 == pytest.approx(exact.covered_km2, rel=GRID_TOLERANCE)


def test_a_fine_grained_area_is_cut_exactly():
    # rows of houses 10 m wide, 15 m apart, all within reach: the share is 1, not more
    rows = shapely.union_all([shapely.box(x, y, x + 10, y + 100)
                              for x in np.arange(3.3, 1000, 25) for y in np.arange(2.1, 900, 150)])
    streets = np.array([[[x, -500.0], [x, 1500.0]] for x in np.arange(-498.9, 1501, 50.0)])
    covered = grid_cover(streets, 50.0, CELL, area=rows)
    assert covered.is_valid
    assert covered.area == pytest.approx(rows.area, rel=1e-9)
    assert covered.difference(rows).area < 1e-6


@pytest.mark.parametrize("angle", [0.0, 10.0, 22.5, 30.0, 37.0, 45.0])
def test_a_lone_street_in_any_direction(angle):
    # the outline runs through cell centres: exact along the axes, up to 12 % short for
    # a lone diagonal street (dense networks overlap their buffers and do far better)
    turn = np.deg2rad(angle)
    segment = np.array([[[3.3, 2.1], [3.3 + 5000 * np.cos(turn), 2.1 + 5000 * np.sin(turn)]]])
    covered = grid_cover(segment, 50.0, CELL)
    exact = shapely.buffer(shapely.LineString(segment[0]), 50.0, quad_segs=32)
    assert -0.13 < covered.area / exact.area - 1 < 0.04
    assert close_outlines(covered, exact, CELL)


def test_a_rectangle_edge_on_a_line_of_cell_centres():
    # outlines run through cell centres; where one meets the rectangle's edge at a vertex
    # the fast rectangle clip would leave a ring touching itself
    segments = np.array([[[460.0, 168.0], [656.0, 12.0]], [[560.0, 156.0], [376.0, 780.0]]])
    assert grid_cover(segments, 200.0, 50.0, area=shapely.box(125, -125, 325, 475)).is_valid
    rng = np.random.default_rng(11)
    for _ in range(150):
        segments = rng.uniform(0, 800, (3, 2, 2))
        low = rng.integers(0, 8, 2) * 50.0 + 25.0  # edges on the centres of 50 m cells
        box = shapely.box(*low, *(low + rng.integers(1, 10, 2) * 50.0))
        covered = grid_cover(segments, 200.0, 50.0, area=box)
        assert covered.is_valid, shapely.is_valid_reason(covered)
        assert covered.difference(box).area < 1e-6


def test_cells_must_be_at_most_half_the_access_distance():
    with pytest.raises(ValueError, match="at least 2 cells"):
        grid_cover(np.array([[[0.0, 0.0], [100.0, 0.0]]]), 15.0, 10.0)


def test_fill_polygons_and_area_clip():
    park = shapely.box(1000, 1000, 1200, 1100)
    area = shapely.box(0, 0, 1150, 5000)
    covered = grid_cover(np.empty((0, 2, 2)), 50.0, 10.0, area=area, fill=np.array([park]))
    assert covered.area == pytest.approx(150 * 100, rel=0.15)
    assert covered.difference(area.buffer(CELL)).is_empty
    assert grid_cover(np.empty((0, 2, 2)), 50.0, 10.0).is_empty


AREAS = [shapely.box(30.3, 30.2, 370.1, 370.4),
         shapely.Polygon([(30, 30), (370, 60), (200, 370)], [[(150, 150), (200, 200), (230, 140)]])]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*[st.floats(0, 400) for _ in range(4)]), min_size=1, max_size=25),
       st.sampled_from([2.0, 3.0, 4.0]), st.sampled_from([2.0, 5.0]), st.sampled_from(AREAS))
def test_outlines_are_always_valid(coords, cells_per_access, cell, area):
    # dense random scribbles make corner touches, one-cell walls and holes next to holes;
    # a box area is cut along straight lines, a triangle with a hole by its raster
    segments = np.array(coords, dtype=float).reshape(-1, 2, 2)
    covered = grid_cover(segments, cells_per_access * cell, cell, area=area)
    assert covered.is_valid, shapely.is_valid_reason(covered)
    assert covered.difference(area).area < 1e-6


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(*[st.floats(0, 400) for _ in range(4)]), min_size=1, max_size=25),
       st.sampled_from([2.0, 3.0, 4.0]), st.sampled_from([3.0, 10.0, 12.5]))
def test_outlines_without_clipping_are_valid(coords, cells_per_access, cell):
    segments = np.array(coords, dtype=float).reshape(-1, 2, 2)
    covered = grid_cover(segments, cells_per_access * cell, cell)
    assert covered.is_valid, shapely.is_valid_reason(covered)
