"""How the coverage grid splits its work: windows, canvases, sampling, joined touches.

However the work is split, the covered cells must be those of the exact buffer-and-dissolve
(within the grid's rounding): each test compares with shapely or with cells worked by hand.
"""

import numpy as np
import pytest
import shapely

from gisplan.analysis import _coverage_grid as cg

RADIUS = float(np.hypot(4, 1))  # the disc of the default cell, a quarter of the distance


def _marked(ends, shape):
    image = np.zeros(shape, dtype=np.uint8)
    cg._draw_segments(image, np.asarray(ends, dtype=float).reshape(4, -1))
    return image


def test_a_segment_one_cell_long_marks_both_of_its_ends():
    # from (3, 3) to (3.9, 3.6): one step, whose two samples fall in cells (3, 3) and (4, 4)
    image = _marked([[3.0], [3.0], [3.9], [3.6]], (8, 8))
    assert image[3, 3] == 1 and image[4, 4] == 1 and image.sum() == 2


def test_samples_are_taken_in_single_precision():
    # the samples are computed in float32 (24-bit significand), then rounded half to even
    u = 2.0 ** -26
    # an end 2^-30 past the edge between cells 2 and 3 is 2.5 in float32: cell 2
    edge = 2.5 + 2.0 ** -30
    image = _marked([[edge], [1.0], [edge], [1.0]], (6, 6))
    assert image[1, 2] == 1 and image.sum() == 1
    image = _marked([[1.0], [edge], [1.0], [edge]], (6, 6))
    assert image[2, 1] == 1 and image.sum() == 1
    # three steps of (2^25 - 5) / 3 * 2^-26 (a float32) across, one down: the last sample
    # is 1 + fl32(3 * step) = 1 + (0.5 - 2^-24) = 1.5 in float32 (a tie, to even), so
    # cell 2, although the end itself, 1.5 - 5 * 2^-26, lies in cell 1
    across = (2 ** 25 - 5) * u
    image = _marked([[1.0], [0.0], [1.0 + across], [3.0]], (6, 6))
    expected = np.zeros((6, 6), dtype=np.uint8)
    expected[[0, 1, 2, 3], [1, 1, 1, 2]] = 1
    np.testing.assert_array_equal(image, expected)
    image = _marked([[0.0], [1.0], [3.0], [1.0 + across]], (6, 6))
    np.testing.assert_array_equal(image, expected.T)


def _join_by_hand(image):
    image = image.copy()
    while True:
        a, b, c, d = image[:-1, :-1], image[:-1, 1:], image[1:, :-1], image[1:, 1:]
        checker = (a == d) & (b == c) & (a != b)
        if not checker.any():
            return image
        for r, c in np.argwhere(checker):
            image[r:r + 2, c:c + 2] = 1


def test_a_touch_made_by_joining_is_joined_in_the_last_column_and_row():
    # joining the block at (1, 1) fills cell (1, 2), which makes the block at (0, 2), in
    # the image's last column of blocks, touch only at a corner: it is joined in turn
    image = np.zeros((4, 4), dtype=np.uint8)
    image[0, 3] = image[1, 1] = image[2, 2] = 1
    got = image.copy()
    cg._join_diagonal_touches(got, np.full_like(got, 255))
    expected = np.zeros((4, 4), dtype=np.uint8)
    expected[0:2, 2:4] = expected[1:3, 1:3] = 1
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, _join_by_hand(image))
    got = image.T.copy()  # the same in the last row of blocks
    cg._join_diagonal_touches(got, np.full_like(got, 255))
    np.testing.assert_array_equal(got, expected.T)


def test_corner_touches_in_images_two_cells_wide():
    checker = np.array([[1, 0], [0, 1]], dtype=np.uint8)
    assert cg._corner_touches(checker, np.full_like(checker, 255)).tolist() == [[0, 0]]
    assert cg._corner_touches(1 - checker, np.full_like(1 - checker, 255)).tolist() == [[0, 0]]
    # five rows, two columns: touches at the blocks with top rows 0 and 3
    image = np.array([[1, 0], [0, 1], [0, 1], [0, 1], [1, 0]], dtype=np.uint8)
    assert cg._corner_touches(image, np.full_like(image, 255)).tolist() == [[0, 0], [3, 0]]
    # one row or one column has no 2x2 block; nor has a plain image a checkerboard one
    for plain in (image[:1], image[:, :1], image[:1, :1], np.ones((4, 5), dtype=np.uint8)):
        found = cg._corner_touches(plain, np.full_like(plain, 255))
        assert found.shape == (0, 2) and found.dtype == np.int64


def _exact(segments, access, fill=()):
    """The exact covered area: the buffers of the segments and the fills, dissolved."""
    return shapely.union_all([*shapely.buffer(shapely.linestrings(segments), access), *fill])


def _close_outlines(grid, exact, cell):
    """The grid outline is nowhere more than 1.5 cells from the exact one (1 m2 slack)."""
    outside = grid.difference(exact.buffer(1.5 * cell)).area
    missing = exact.buffer(-1.5 * cell).difference(grid).area
    return outside < 1.0 and missing < 1.0


def test_parks_and_streets_far_from_the_coordinate_origin():
    # projected coordinates (hundreds of km), a small park, a 5 km square park (its corners
    # 25 blocks apart) and an east-west street north of both, away from either
    x, y = 500_003.3, 3_400_002.1
    parks = np.array([shapely.box(x, y, x + 100, y + 60),
                      shapely.box(x + 10_000, y, x + 15_000, y + 5_000)])
    street = np.array([[[x, y + 10_000], [x + 5_000, y + 10_000]]])
    covered = cg.grid_cover(street, 50.0, 12.5, fill=parks)
    exact = _exact(street, 50.0, parks)
    assert covered.is_valid
    assert shapely.get_num_geometries(covered) == 3
    assert covered.area == pytest.approx(exact.area, rel=0.002)
    assert _close_outlines(covered, exact, 12.5)


def test_streets_drawn_either_way_are_covered_whole():
    # a street drawn westwards along the bottom (its start in a block east of both its end
    # and its row) and one drawn eastwards along the top, each 5 km long, 5 km apart
    segments = np.array([[[5_003.3, 2.1], [3.3, 2.1]], [[3.3, 5_002.1], [5_003.3, 5_002.1]]])
    covered = cg.grid_cover(segments, 50.0, 12.5)
    exact = _exact(segments, 50.0)
    assert covered.is_valid and shapely.get_num_geometries(covered) == 2
    assert covered.area == pytest.approx(exact.area, rel=0.005)
    assert _close_outlines(covered, exact, 12.5)


def _in_blocks(block, points, margin):
    """Points given in cells from the lower-left corner of a block of the grid, in metres.

    With 1 m cells the grid's origin lies ``margin`` cells below and left of the lowest
    point, (0, 0) here.
    """
    return np.array(points, dtype=float) + np.array(block) * cg.BLOCK_CELLS - margin


ACCESS_WIDE = 24.4
"""An access distance of 24.4 cells: the disc (radius 24.42) reaches beyond a block but
not across three empty blocks (49 cells between marked cells)."""
MARGIN_WIDE = 27  # ceil(24.42) + 2


@pytest.mark.parametrize("pair", [
    # the top-right corner of one block and the bottom-left of the block two up, two right
    [[(2, 2), (15.5, 15.5)], [(32.5, 32.5), (46, 46)]],
    # ... of the block three right, two up
    [[(2, 2), (15.5, 15.5)], [(48.5, 32.5), (62, 46)]],
    # ... of the block three right, three up
    [[(2, 2), (15.5, 15.5)], [(48.5, 48.5), (62, 62)]],
    # a street across two blocks, another two blocks east of its end
    [[(2, 8), (30, 8)], [(64.5, 8), (90, 8)]],
])
def test_covers_that_meet_across_nearby_blocks_are_one_outline(pair):
    # 36 short streets 400 m apart make many small windows, cheapest on the finest blocks;
    # the pair of streets in nearby blocks, far from them, have covers that meet
    xs = np.arange(6) * 400.0
    lone = np.array([[[x, y], [x + 2.0, y]] for x in xs for y in xs])
    pair = _in_blocks((200, 200), pair, MARGIN_WIDE).reshape(2, 2, 2)
    segments = np.concatenate([lone, pair])
    covered = cg.grid_cover(segments, ACCESS_WIDE, 1.0)
    exact = _exact(segments, ACCESS_WIDE)
    assert shapely.get_num_geometries(exact) == 37
    assert covered.is_valid, shapely.is_valid_reason(covered)
    assert shapely.get_num_geometries(covered) == 37
    # the lone streets are discs, which the grid makes about 2 % smaller
    assert covered.area == pytest.approx(exact.area, rel=0.03)
    assert _close_outlines(covered, exact, 1.0)


def test_windows_are_the_marked_blocks_grown_by_one_block():
    # four short streets far apart, in cells from the grid's origin (cell edges at
    # integers; ends are given as cell centres, half a cell lower). Far-apart small windows
    # are cheapest on the finest blocks (16 cells): each window is its streets' blocks grown
    # by one block, cut to the grid of 1000 x 600 cells
    edges = np.array([
        [96.0, 300.0, 100.5, 300.0],   # from a block's left edge: block (6, 18)
        [500.0, 8.0, 527.5, 8.0],      # blocks (31, 0) to (32, 0), half a cell before 528
        [900.0, 550.0, 905.0, 555.0],  # block (56, 34)
        [995.0, 200.0, 998.0, 200.0],  # block (62, 12), the last column of blocks
    ])
    windows = cg._windows(edges.T - 0.5, np.empty((0, 2)), np.empty(0, dtype=np.int64),
                          np.zeros(2), 1.0, np.array([1000, 600]), RADIUS)
    got = [(low.tolist(), high.tolist(), ids.tolist(), fills.tolist())
           for low, high, ids, fills in windows]
    assert got == [
        ([30 * 16, 0], [34 * 16, 2 * 16], [1], []),  # blocks 30-33 by 0-1 (none below 0)
        ([61 * 16, 11 * 16], [1000, 14 * 16], [3], []),  # blocks 61-62, cut at 1000 cells
        ([5 * 16, 17 * 16], [8 * 16, 20 * 16], [0], []),
        ([55 * 16, 33 * 16], [58 * 16, 36 * 16], [2], []),
    ]


@pytest.mark.parametrize(("blocks", "marked", "shape", "side", "count"), [
    # (rows, columns) of blocks; shape in cells (x, y). Each price is the cells of the
    # windows (the marked blocks grown by one, cut to the shape) plus 100,000 a window.
    # Blocks 16: rows 7-9 and 11-12, 2 windows: 48 x 23 + 30 x 23 + 200,000 = 201,794;
    # blocks 32: rows 4 and 6 grown into one, 110 x 23 + 100,000 = 102,530; blocks 64:
    # rows 2 and 3 grown into one, 142 x 23 + 100,000 = 103,266. The 32-cell blocks win
    ((13, 2), [(8, 0), (12, 0)], (23, 206), 32, 1),
    # columns 2 and 12, 5 cells high: blocks 16 and 32 give 2 windows (330 and 650 cells
    # + 200,000), blocks 64 one (194 x 5 + 100,000)
    ((1, 13), [(0, 2), (0, 12)], (194, 5), 64, 1),
    # a lone block in the top-right corner, cut to 25 x 20 cells: the finest window wins
    # (500 cells, against 41 x 52 and 105 x 52)
    ((4, 7), [(3, 6)], (105, 52), 16, 1),
    # two blocks 13 rows and 8 columns apart: two 48 x 48 windows (204,608) against one of
    # 296 x 364 cells (207,744) at blocks 64, or two of 96 x 96 (218,432) at blocks 32
    ((27, 19), [(8, 5), (21, 13)], (296, 428), 16, 2),
    # a row of 154 blocks and a block 4 rows above its end, cut to 2450 x 73 cells: apart
    # on the finest blocks, 2450 x 32 + 18 x 25 + 200,000 = 278,850 cells; one window on
    # the coarser ones, 2450 x 73 + 100,000 = 278,850 cells. In a tie the finest wins
    ((5, 154), [*((0, c) for c in range(154)), (4, 153)], (2450, 73), 16, 2),
])
def test_windows_are_grouped_at_the_block_size_with_the_least_work(blocks, marked, shape,
                                                                   side, count):
    occupied = np.zeros(blocks, dtype=bool)
    occupied[tuple(np.array(marked).T)] = True
    labels, got_side = cg._cheapest_grouping(occupied, np.array(shape), RADIUS)
    assert got_side == side
    assert labels.max() == count
    assert labels.shape == tuple(-(-np.array(blocks) * 16 // side))


@pytest.mark.parametrize(("access", "cell", "apart", "lone"), [
    (3000.0, 10.0, 3000.0, 0),  # a disc of 300 cells: its covers reach across many blocks
    # the grid starts 29 cells (the margin) west of the first street: blocks 1 and 5, three
    # empty blocks (48 cells) between them, the streets 50 m apart, the discs 26 m each;
    # 36 lone streets 400 m apart elsewhere make the finest (16-cell) blocks the cheapest
    (26.0, 1.0, 51.0, 36),
])
def test_covers_of_streets_in_separate_windows_never_overlap(access, cell, apart, lone):
    # two short streets whose covers overlap although their blocks lie several blocks
    # apart: the windows must be grown by as many blocks as the disc reaches
    pair = [[[0.0, 0.0], [cell, 0.0]], [[apart, 0.0], [apart + cell, 0.0]]]
    others = [[[400.0 * i, 1000.0], [400.0 * i + cell, 1000.0]] for i in range(lone)]
    segments = np.array(pair + others)
    covered = cg.grid_cover(segments, access, cell)
    # discs of 3 km: 8 segments a quarter circle would cut 14 m off their edge
    exact = shapely.union_all(shapely.buffer(shapely.linestrings(segments), access,
                                             quad_segs=64))
    assert covered.is_valid
    assert shapely.get_num_geometries(covered) == 1 + lone
    assert _close_outlines(covered, exact, cell)


@pytest.mark.parametrize(("radius", "side", "blocks"), [
    (np.hypot(4, 1), 16, 1),  # the default disc: one block, 3 empty blocks between windows
    (23.0, 16, 1),  # 3 x 16 = 48 cells between windows, 2 x (23 + 1) = 48: one block
    (24.0, 16, 2),  # 2 x 25 = 50 > 48: two blocks, 5 x 16 = 80 cells between windows
    (24.0, 32, 1),  # 3 x 32 = 96 > 50
    (300.0, 64, 5),  # 2 x 301 = 602: (602 / 64 - 1) / 2 = 4.2, so 5 blocks (11 x 64 = 704)
])
def test_windows_grow_by_the_blocks_the_disc_reaches(radius, side, blocks):
    assert cg._growth(radius, side) == blocks


