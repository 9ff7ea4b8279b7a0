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
