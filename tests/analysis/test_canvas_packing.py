"""Packing the coverage grid's windows on shared canvases, and finding a point's window."""

import numpy as np
import pytest

from gisplan.analysis import _canvas_packing as packing


@pytest.mark.parametrize(("sizes", "gap", "corners", "size"), [
    # side sqrt(2*2 + 5*3 + 7*3) = 6.32: rows 6, 7, 9 or 12 wide, tallest first. Rows of
    # 6 and 7 give three shelves (6 x 7 = 42 cells), 12 puts the 4- and 6-wide on one
    # shelf and the 1-wide on a second (11 x 4 = 44), 9 puts the 6- and 1-wide on the
    # second shelf (8 x 5 = 40): the smallest
    ([[1, 1], [4, 2], [6, 2]], 1, [[7, 3], [0, 0], [0, 3]], [8, 5]),
    # side sqrt(2*9 + 3*2 + 2*3) = 5.48, widest 2: rows 5, 6, 8 or 10 wide. A row of 5
    # holds the 8-high and the 2-high (3 x 10 = 30 cells); 6 and more take all three on
    # one row (6 x 8 = 48)
    ([[1, 8], [2, 1], [1, 2]], 1, [[0, 0], [0, 9], [2, 0]], [3, 10]),
])
def test_packing_tries_rows_of_one_to_two_square_roots(sizes, gap, corners, size):
    got_corners, got_size = packing.pack(np.array(sizes), gap)
    assert got_corners.tolist() == corners
    assert got_size.tolist() == size


def test_windows_of_equal_height_keep_their_order_along_a_shelf():
    # ten 2 x 3 windows, then ten 2 x 5: the taller first, each kind in its given order
    sizes = np.array([[2, 3]] * 10 + [[2, 5]] * 10)
    corner, size = packing.shelves(sizes, 1, 1000)
    order = [*range(10, 20), *range(10)]
    assert corner[order, 0].tolist() == list(range(0, 60, 3))
    assert (corner[:, 1] == 0).all() and size.tolist() == [59, 5]


@pytest.mark.parametrize("seed", range(4))
def test_slot_of_points_among_packed_windows(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 40, (int(rng.integers(1, 60)), 2))
    corner, canvas = packing.pack(sizes, gap=int(rng.integers(0, 4)))
    points = np.stack([rng.integers(-3, canvas[0] + 3, 500),
                       rng.integers(-3, canvas[1] + 3, 500)], axis=1)
    inside = ((points[:, None, :] >= corner[None]) &
              (points[:, None, :] < (corner + sizes)[None])).all(axis=2)
    expected = np.where(inside.any(axis=1), inside.argmax(axis=1), -1)
    assert (expected >= 0).any() and (expected < 0).any()
    np.testing.assert_array_equal(packing.slot_of(points, corner, sizes), expected)


@pytest.mark.parametrize("seed", range(6))
def test_packed_windows_do_not_overlap_and_keep_their_gap(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 60, size=(int(rng.integers(2, 30)), 2))
    gap = int(rng.integers(1, 9))
    corner, size = packing.pack(sizes, gap)
    assert corner.min(axis=0).tolist() == [0, 0]
    high = corner + sizes
    assert size.tolist() == high.max(axis=0).tolist()
    for i in range(len(sizes)):
        for j in range(i + 1, len(sizes)):
            apart = ((corner[i] >= high[j] + gap) | (corner[j] >= high[i] + gap)).any()
            assert apart, (i, j)


@pytest.mark.parametrize("width", [35, 22])
def test_shelves_place_the_tallest_first_left_to_right(width):
    sizes = np.array([[10, 5], [10, 20], [10, 10], [25, 8]])
    corner, size = packing.shelves(sizes, 2, width)
    # by hand: the 20-high at 0 and the 10-high 12 right of it (22 fits a width of 22);
    # the 8-high (25 wide) starts a shelf 20 + 2 up, the 5-high one 8 + 2 above that
    assert corner.tolist() == [[0, 32], [0, 0], [12, 0], [0, 22]]
    assert size.tolist() == [25, 37]


def test_windows_of_a_quarter_of_the_cells_or_more_have_their_own_canvas():
    canvases = packing.pack_canvases(np.array([[10, 10]] * 5), gap=2)  # a fifth each: one canvas
    assert len(canvases) == 1 and canvases[0][0].tolist() == [0, 1, 2, 3, 4]
    canvases = packing.pack_canvases(np.array([[10, 10]] * 4), gap=2)  # a quarter each
    assert [c[0].tolist() for c in canvases] == [[0], [1], [2], [3]]
    canvases = packing.pack_canvases(np.array([[100, 100], [10, 10], [10, 10]]), gap=2)
    assert [c[0].tolist() for c in canvases] == [[0], [1, 2]]
    assert canvases[0][2].tolist() == [100, 100]
    # rows 16, 21, 25 and 33 cells wide all give 220 cells; the first (narrowest) wins
    assert canvases[1][1].tolist() == [[0, 0], [0, 12]] and canvases[1][2].tolist() == [10, 22]
