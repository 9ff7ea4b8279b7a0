"""The outline of the grid-built covered area near the edges of an area, fills and the disc.

Values are worked by hand on small grids: the outline runs through the centres of the
outer covered cells, so on a grid of 1-unit cells with centres at half units every
vertex and every area below is a simple fraction.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gisplan.analysis import _coverage_grid as cg


def _streets_beside_the_edges(cell, copies=1, gap=300):
    """Two 10-cell north-south streets, 20 cells apart, in ``copies`` rows ``gap`` cells apart.

    With an access of 2 cells the disc has radius sqrt(5): a street along the cell centres
    x = 0.5 covers the columns of centres -1.5 to 2.5; those of 1.5 (and of 0.5) reach a
    cell further north and south than the column of 2.5 (rows -1.5 to 12.5 against -0.5
    to 11.5), so the full outline runs diagonally from (2.5, 11.5) to (1.5, 12.5).
    """
    segments = []
    for j in range(copies):
        y = gap * j
        segments += [[[0.5, y + 0.5], [0.5, y + 10.5]], [[20.5, y + 0.5], [20.5, y + 10.5]]]
    return np.array(segments) * cell


@pytest.mark.parametrize("cell", [1.0, 2.0])
def test_a_cover_reaching_less_than_two_cells_into_a_box_is_cut_along_its_columns(cell):
    # the box runs from x = 1.75 to 19.25: it keeps the cells whose centre lies within a
    # cell of it, the columns of 1.5 and 2.5 (left) and 18.5 and 19.5 (right); the
    # column of 1.5 alone reaches row -1.5 and 12.5, a one-cell sliver that is dropped.
    # Each street keeps [1.75, 2.5] x [-0.5, 11.5]: 0.75 * 12 = 9 cells
    segments = _streets_beside_the_edges(cell)
    box = shapely.box(1.75 * cell, -20 * cell, 19.25 * cell, 40 * cell)
    covered = cg.grid_cover(segments, 2 * cell, cell, area=box)
    assert covered.is_valid
    assert covered.area == pytest.approx(18.0 * cell**2, rel=1e-12)
    assert covered.equals(shapely.MultiPolygon([
        shapely.box(1.75 * cell, -0.5 * cell, 2.5 * cell, 11.5 * cell),
        shapely.box(18.5 * cell, -0.5 * cell, 19.25 * cell, 11.5 * cell)]))


def test_every_window_packed_on_one_canvas_is_cut_the_same_way():
    # five copies 300 cells apart: five windows of a fifth of the cells each, packed
    # side by side on one canvas; each is cut like the single one (18 cells)
    cell = 2.0
    segments = _streets_beside_the_edges(cell, copies=5)
    box = shapely.box(1.75 * cell, -20 * cell, 19.25 * cell, 2000 * cell)
    covered = cg.grid_cover(segments, 2 * cell, cell, area=box)
    assert covered.is_valid
    assert shapely.get_num_geometries(covered) == 10
    assert covered.area == pytest.approx(5 * 18.0 * cell**2, rel=1e-12)


@pytest.mark.parametrize("cell", [1.0, 2.0])
def test_a_polygon_area_keeps_the_cells_its_edge_touches_and_their_neighbours(cell):
    # the same streets in a pentagon whose west and east edges are those of the box: its
    # raster takes the cells its edge touches (centre 1.5) and their neighbours
    # (centre 0.5), so the column of 1.5 is whole and the outline keeps its diagonal ends
    # from (2.5, 11.5) to (1.5, 12.5): cut at x = 1.75, two triangles with legs of 0.75
    # more per street, 9 + 2 * 0.75**2 / 2 = 9.5625 cells
    segments = _streets_beside_the_edges(cell)
    pentagon = shapely.Polygon(np.array([(1.75, -20), (19.25, -20), (19.25, 40), (10, 45),
                                         (1.75, 40)]) * cell)
    covered = cg.grid_cover(segments, 2 * cell, cell, area=pentagon)
    assert covered.is_valid
    assert covered.area == pytest.approx(2 * 9.5625 * cell**2, rel=1e-12)


def _octagon(x, y0, y1):
    """The cover of a street along the centres x from y0 to y1, access 2 cells of 1.

    The disc of radius sqrt(5) covers the columns x - 2 and x + 2 one row beyond the
    ends and the three middle ones two rows beyond: the outline cuts the four corners.
    """
    return shapely.Polygon([(x - 2, y0 - 1), (x - 1, y0 - 2), (x + 1, y0 - 2), (x + 2, y0 - 1),
                            (x + 2, y1 + 1), (x + 1, y1 + 2), (x - 1, y1 + 2), (x - 2, y1 + 1)])


@pytest.mark.parametrize("cell", [1.0, 0.1])
def test_a_cover_just_outside_a_polygon_area_leaves_no_empty_part(cell):
    # the pentagon's west edge is at x = 2.75: its raster keeps the columns of 1.5 and 2.5
    # of the west street, whose outline (up to x = 2.5) lies wholly outside it; the east
    # street is inside: one part, the octagon of 4 x 14 cells less four half-cell corners
    segments = _streets_beside_the_edges(cell)
    pentagon = shapely.Polygon(np.array([(2.75, -20), (40, -20), (40, 40), (20, 45),
                                         (2.75, 40)]) * cell)
    covered = cg.grid_cover(segments, 2 * cell, cell, area=pentagon)
    assert shapely.get_num_geometries(covered) == 1
    expected = shapely.affinity.scale(_octagon(20.5, 0.5, 10.5), cell, cell, origin=(0, 0))
    assert expected.area == pytest.approx(54 * cell**2)
    assert covered.symmetric_difference(expected).area < 1e-9 * cell**2


def test_a_park_is_covered_to_the_centres_of_the_cells_within_half_a_cell_of_it():
    # 10 m cells with centres at 5 + 10 k. The park (9, 9)-(91, 51), grown by half a cell
    # with square corners, takes the centres 5 to 95 by 5 to 55, corners included (the
    # corner centre (5, 5) lies 5.7 m from the park's corner). A footpath 0.2 m wide
    # going north from it takes one column of centres, a one-cell spur that is dropped
    park = shapely.box(9, 9, 91, 51)
    path = shapely.box(45.9, 50, 46.1, 101)
    covered = cg.grid_cover(np.empty((0, 2, 2)), 20.0, 10.0,
                            fill=np.array([shapely.union(park, path)]))
    assert covered.is_valid
    assert covered.normalize().equals_exact(
        shapely.MultiPolygon([shapely.box(5, 5, 95, 55)]).normalize(), 1e-9)


def test_the_disc_takes_the_cells_at_its_radius_within_rounding():
    # a radius whose square falls short of 5 by exactly the 1e-9 allowed for rounding:
    # the eight cells at distance sqrt(5) still count, 13 + 8 = 21 cells
    radius = 2.236067977276183
    assert radius * radius + 1e-9 == 5.0
    disc = cg._disc(radius)
    assert disc.shape == (5, 5)
    assert disc.sum() == 21 and disc[0, 1] == disc[1, 0] == disc[4, 3] == 1
    assert disc[0, 0] == 0


@pytest.mark.parametrize("turn", [(1, 0, 0, 1), (-1, 0, 0, 1), (0, 1, 1, 0), (0, 1, -1, 0)])
def test_outlines_meeting_any_edge_of_a_box_at_a_vertex_are_cut_validly(turn):
    # the same streets and box (with edges on the centres of the 50 m cells) mirrored or
    # turned so that the edge where an outline meets the box at a vertex is, in turn, the
    # east (x = 125), west, north and south one
    turn = np.reshape(turn, (2, 2))
    segments = np.array([[[163.0, 84.2], [730.0, 318.3]],
                         [[136.8, 522.6], [332.9, 626.6]]]) @ turn.T
    corners = np.array([[75.0, 125.0], [125.0, 575.0]]) @ turn.T
    box = shapely.box(*corners.min(axis=0), *corners.max(axis=0))
    covered = cg.grid_cover(segments, 200.0, 50.0, area=box)
    assert covered.is_valid, shapely.is_valid_reason(covered)
    assert covered.difference(box).area < 1e-6
    reference = cg.grid_cover(segments @ turn, 200.0, 50.0,
                              area=shapely.box(75.0, 125.0, 125.0, 575.0))
    assert covered.area == pytest.approx(reference.area, rel=1e-12)


def test_windows_inside_the_area_and_cut_by_it_share_a_canvas_and_keep_their_own_cover():
    # five rows 1000 cells apart, each with a street beside the box's west edge (9 cells
    # kept, as above) and one 3000 cells east, wholly inside the box (its octagon, 54
    # cells): ten windows of a tenth of the cells each, packed on one canvas
    cell = 2.0
    segments = []
    for j in range(5):
        y = 1000 * j
        segments += [[[0.5, y + 0.5], [0.5, y + 10.5]], [[3000.5, y + 0.5], [3000.5, y + 10.5]]]
    box = shapely.box(1.75 * cell, -50 * cell, 10_000 * cell, 10_000 * cell)
    covered = cg.grid_cover(np.array(segments) * cell, 2 * cell, cell, area=box)
    assert covered.is_valid
    assert shapely.get_num_geometries(covered) == 10
    assert covered.area == pytest.approx(5 * (9 + 54) * cell**2, rel=1e-12)


def test_streets_far_outside_a_box_add_nothing():
    # a street inside the box and one 3000 cells north-east of it, beyond the box's
    # east and north edges: its window lies wholly outside, the box keeps the octagon
    cell = 2.0
    segments = np.array([[[0.5, 0.5], [0.5, 10.5]], [[3000.5, 3000.5], [3000.5, 3010.5]]])
    box = shapely.box(-30 * cell, -30 * cell, 30 * cell, 40 * cell)
    covered = cg.grid_cover(segments * cell, 2 * cell, cell, area=box)
    expected = shapely.affinity.scale(_octagon(0.5, 0.5, 10.5), cell, cell, origin=(0, 0))
    assert shapely.get_num_geometries(covered) == 1
    assert covered.symmetric_difference(expected).area < 1e-9


def _refused(segments, limit, monkeypatch):
    """Whether the cover of the segments (access 50 m, cells of 12.5 m) is refused."""
    monkeypatch.setattr(cg, "MAX_CANVAS_CELLS", limit)
    try:
        cg.grid_cover(np.array(segments, dtype=float), 50.0, 12.5)
    except cg.GridTooLargeError:
        return True
    return False


# Worked by hand for access 50 m and cells of 12.5 m: the disc has radius sqrt(17), and the
# grid reaches ceil(sqrt(17)) + 2 = 7 cells beyond the streets; the grid's origin is the
# lowest street corner less 7 cells, (-87.5, -87.5) for streets from (0, 0), and a street
# from (0, 0) to (100, 0) spans 8 cells, so the grid is 8 + 14 = 22 by 14 cells.


def test_the_canvas_of_a_lone_street_is_its_cells_and_seven_more_on_every_side(monkeypatch):
    # one window of 16-cell blocks (the street's block and one beyond: 32 x 16 cells, cut
    # to the 22 x 14 of the grid), grown by 7 cells and cut to the grid: 22 x 14 = 308
    # cells; its block index is 2 x 1 blocks of 4 cells each
    street = [[[0.0, 0.0], [100.0, 0.0]]]
    assert not _refused(street, 308, monkeypatch)
    assert _refused(street, 307, monkeypatch)


def test_the_block_index_costs_four_cells_per_block_of_the_whole_grid(monkeypatch):
    # a second street ends at x = 100,225: the grid is 8018 + 14 = 8032 = 502 * 16 cells
    # wide and 14 high, 502 x 1 blocks, 2008 cells of index. The two windows (blocks 0-1
    # and 500-501, grown by 7 cells and cut to the grid) are 39 x 14 cells each: 1092, so the limit
    # is met by the index first
    streets = [[[0.0, 0.0], [100.0, 0.0]], [[100_125.0, 0.0], [100_225.0, 0.0]]]
    assert not _refused(streets, 2008, monkeypatch)
    assert _refused(streets, 2007, monkeypatch)
    monkeypatch.setattr(cg, "MAX_CANVAS_CELLS", 10**9)
    assert shapely.get_num_geometries(cg.grid_cover(np.array(streets), 50.0, 12.5)) == 2


def test_small_windows_are_packed_on_shelves_twice_the_margin_apart(monkeypatch):
    # five streets 400 cells apart: windows of 39 x 14 cells (the first, cut at the grid's
    # edge) and 62 x 14 (16 + 32 + 16 cells of blocks, 7 more each side), each under a
    # quarter of all, packed with gaps of 14 cells. Rows sqrt(53 * 28 + 4 * 76 * 28) ~ 99
    # cells wide hold one window each: 62 wide, 5 * 14 + 4 * 14 = 126 high, 7812 cells;
    # wider rows give 115 x 98, 138 x 70 and 191 x 42, all larger. Block index:
    # ceil(1622 / 16) = 102 blocks, 408 cells
    streets = [[[x, 0.0], [x + 100.0, 0.0]] for x in np.arange(5) * 5000.0]
    assert not _refused(streets, 7812, monkeypatch)
    assert _refused(streets, 7811, monkeypatch)


def test_streets_grazing_a_triangle_area_give_a_valid_cover_near_the_exact_one():
    # three streets whose covers only touch the corners and edges of a triangle: the
    # triangle's raster cuts them into thin, diagonal pieces, which must not leave
    # one-cell spurs in the outline
    segments = np.array([[[6.3, 72.4], [93.8, 64.8]], [[22.2, 21.7], [100.0, 28.6]],
                         [[70.7, 59.7], [13.8, 32.9]]])
    triangle = shapely.Polygon([(88.4, 29.3), (63.3, 56.9), (81.4, 61.9)])
    covered = cg.grid_cover(segments, 4.0, 2.0, area=triangle)
    assert covered.is_valid, shapely.is_valid_reason(covered)
    exact = shapely.intersection(
        shapely.union_all(shapely.buffer(shapely.linestrings(segments), 4.0)), triangle)
    # within 1.5 cells of the exact cover, both ways
    assert covered.difference(exact.buffer(3.0)).area < 1e-6
    assert exact.buffer(-3.0).difference(covered).area < 1e-6
    assert covered.difference(triangle).area < 1e-6
