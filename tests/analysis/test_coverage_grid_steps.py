"""The steps of the coverage grid, each against a brute-force or another library's answer."""

import cv2
import numpy as np
import pytest
import shapely
from scipy import ndimage

from gisplan.analysis import _coverage_grid as cg


def _blocks_by_hand(image):
    """Top-left corners of the fully covered and of the checkerboard 2x2 blocks."""
    a, b, c, d = image[:-1, :-1], image[:-1, 1:], image[1:, :-1], image[1:, 1:]
    full = a & b & c & d
    checker = ((a == d) & (b == c) & (a != b)).astype(np.uint8)
    return full, checker


def _random_image(rng, shape, share):
    return (rng.random(shape) < share).astype(np.uint8)


@pytest.mark.parametrize("seed", range(4))
def test_open_2x2_keeps_the_cells_of_fully_covered_blocks(seed):
    rng = np.random.default_rng(seed)
    image = _random_image(rng, (37, 29), 0.7)
    image[0, :] = image[:, 0] = image[-1, :] = image[:, -1] = 1  # covered up to the border
    full, _ = _blocks_by_hand(image.astype(bool))
    expected = np.zeros(image.shape, dtype=bool)
    for dr in (0, 1):
        for dc in (0, 1):
            expected[dr:dr + full.shape[0], dc:dc + full.shape[1]] |= full
    scipy = ndimage.binary_opening(image, structure=np.ones((2, 2)), border_value=0)
    np.testing.assert_array_equal(expected, scipy)
    got = image.copy()
    cg._open_2x2(got, np.empty_like(got))
    np.testing.assert_array_equal(got.astype(bool), expected)


def test_open_band_opens_only_its_band_with_one_cell_of_context():
    rng = np.random.default_rng(7)
    image = _random_image(rng, (30, 40), 0.6)
    opened = image.copy()
    cg._open_2x2(opened, np.empty_like(opened))
    rows, cols = slice(5, 12), slice(0, 40)
    got = image.copy()
    cg._open_band(got, rows, cols)
    np.testing.assert_array_equal(got[rows, cols], opened[rows, cols])
    outside = np.ones(image.shape, dtype=bool)
    outside[rows, cols] = False
    np.testing.assert_array_equal(got[outside], image[outside])
    corner = image.copy()
    cg._open_band(corner, slice(27, 30), slice(36, 40))  # at the image's corner
    np.testing.assert_array_equal(corner[27:, 36:], opened[27:, 36:])


@pytest.mark.parametrize(("shape", "share"), [
    ((40, 33), 0.5), ((61, 50), 0.5), ((25, 9), 0.4), ((3, 8), 0.5), ((90, 17), 0.5),
    ((2, 2), 0.5), ((2, 40), 0.5), ((40, 2), 0.5)])
def test_corner_touches_are_every_checkerboard_block(shape, share):
    rng = np.random.default_rng(shape[0])
    image = _random_image(rng, shape, share)
    _, checker = _blocks_by_hand(image)
    expected = np.argwhere(checker)
    got = cg._corner_touches(image, np.full_like(image, 255))
    assert got.dtype.kind == "i"
    np.testing.assert_array_equal(got, expected)


def _join_by_hand(image):
    image = image.copy()
    while True:
        _, checker = _blocks_by_hand(image)
        if not checker.any():
            return image
        for r, c in np.argwhere(checker):
            image[r:r + 2, c:c + 2] = 1


@pytest.mark.parametrize("seed", range(5))
def test_diagonal_touches_are_joined_until_none_is_left(seed):
    rng = np.random.default_rng(seed)
    image = _random_image(rng, (23, 31), 0.45)
    got = image.copy()
    cg._join_diagonal_touches(got, np.full_like(got, 255))
    np.testing.assert_array_equal(got, _join_by_hand(image))
    assert not _blocks_by_hand(got)[1].any()


def test_a_chain_of_touches_is_followed():
    # joining the first touch makes the next one: a staircase of single cells
    image = np.zeros((8, 8), dtype=np.uint8)
    for i in range(7):
        image[i, i] = 1
    got = image.copy()
    cg._join_diagonal_touches(got, np.full_like(got, 255))
    np.testing.assert_array_equal(got, _join_by_hand(image))


def _marked(ends, shape):
    image = np.zeros(shape, dtype=np.uint8)
    cg._draw_segments(image, np.asarray(ends, dtype=float).reshape(4, -1))
    return image


def test_segments_along_the_axes_and_diagonals_are_cvs_lines():
    shape = (40, 50)
    segments = [(3, 4, 30, 4), (5, 2, 5, 35), (10, 10, 30, 30), (40, 5, 20, 25), (7, 7, 7, 7),
                (30, 30, 10, 30)]
    for x0, y0, x1, y1 in segments:
        expected = np.zeros(shape, dtype=np.uint8)
        cv2.line(expected, (x0, y0), (x1, y1), 1, thickness=1, lineType=cv2.LINE_8)
        np.testing.assert_array_equal(_marked([[x0], [y0], [x1], [y1]], shape), expected)


def test_segments_are_cut_at_the_image_edges():
    shape = (12, 20)
    # beyond every edge, along a row and a column: only the cells inside are marked
    image = _marked([[-5.0, 7.0], [3.0, -9.0], [26.0, 7.0], [3.0, 30.0]], shape)
    expected = np.zeros(shape, dtype=np.uint8)
    expected[3, :] = 1
    expected[:, 7] = 1
    np.testing.assert_array_equal(image, expected)
    # centres half a cell outside are not inside
    image = _marked([[-0.5, 19.5, 2.0, 2.0], [2.0, 2.0, -0.5, 11.5],
                     [-0.5, 19.5, 2.0, 2.0], [2.0, 2.0, -0.5, 11.5]], shape)
    assert image.sum() == 0


def test_samples_are_no_more_than_a_cell_apart():
    # a shallow segment: every column between its ends holds one marked cell
    image = _marked([[1.0], [1.0], [41.0], [6.0]], (10, 45))
    assert (image[:, 1:42].sum(axis=0) == 1).all()
    assert image.sum() == 41
    assert image[1, 1] == 1 and image[6, 41] == 1
    # a segment shorter than a cell marks its two ends
    image = _marked([[3.0], [3.0], [3.4], [4.2]], (10, 10))
    assert image[3, 3] == 1 and image[4, 3] == 1 and image.sum() == 2


def test_a_segment_longer_than_a_batch_and_the_ones_after_it_are_drawn():
    width = cg.DRAW_BATCH + 100
    image = _marked([[0.0, 5.0, 2.0], [0.0, 2.0, 1.0], [width - 1.0, 9.0, 2.0],
                     [0.0, 2.0, 2.0]], (3, width))
    assert image[0].sum() == width
    assert image[2, 5:10].sum() == 5 and image[1, 2] == 1 and image[2, 2] == 1


def test_is_box():
    assert cg._is_box(shapely.box(0, 0, 2, 3))
    assert not cg._is_box(shapely.Polygon([(0, 0), (2, 0), (2, 3), (1, 3.5), (0, 3)]))
    assert not cg._is_box(None)


def test_disc_takes_the_cells_within_the_radius():
    disc = cg._disc(2.0)
    assert disc.shape == (5, 5)
    # centres within 2 cells: the 4-tips at distance 2 count, (1, 2) at sqrt 5 does not
    assert disc[2, 0] == disc[0, 2] == disc[4, 2] == disc[2, 4] == 1
    assert disc[1, 0] == 0 and disc.sum() == 13


def _minkowski_sum(kernels):
    """The sum of centred structuring elements, by brute force over their cells."""
    offsets = {(0, 0)}
    for kernel in kernels:
        half = np.array(kernel.shape) // 2
        cells = [tuple(c) for c in np.argwhere(kernel) - half]
        offsets = {(a + c, b + d) for a, b in offsets for c, d in cells}
    reach = max(max(abs(a), abs(b)) for a, b in offsets)
    out = np.zeros((2 * reach + 1, 2 * reach + 1), dtype=np.uint8)
    for a, b in offsets:
        out[a + reach, b + reach] = 1
    return out


def test_the_diamond_lattice_takes_every_other_cell_of_the_diamond():
    np.testing.assert_array_equal(cg._diamond_lattice(1), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    lattice = cg._diamond_lattice(3)
    assert lattice.shape == (7, 7) and lattice.sum() == 16
    assert lattice[3, 0] == lattice[0, 3] == lattice[3, 2] == 1 and lattice[3, 3] == 0


@pytest.mark.parametrize(("radius", "parts"), [
    (np.hypot(2, 1), 2), (np.hypot(3, 1), 2), (np.hypot(4, 1), 2), (np.hypot(2.5, 1), 2),
    (np.hypot(5, 1), 1), (np.hypot(8, 1), 1), (2.0, 1), (3.0, 1)])
def test_disc_factors_sum_to_the_disc(radius, parts):
    # discs of hypot(k, 1) cells for k = 2, 3 and 4 (the default) are octagons, a square
    # plus a diamond lattice; larger ones are rounder, and a disc of 2 or 3 cells has a
    # one-cell tip, so they stay whole
    radius = float(radius)
    factors = cg._disc_factors(radius)
    assert len(factors) == parts
    np.testing.assert_array_equal(_minkowski_sum(factors), cg._disc(radius))
    if parts == 2:
        side = factors[0].shape[0]
        np.testing.assert_array_equal(factors[0], np.ones((side, side)))


@pytest.mark.parametrize("radius", [float(np.hypot(4, 1)), float(np.hypot(3, 1)), 2.0, 4.5])
def test_dilating_by_the_factors_is_dilating_by_the_disc(radius):
    rng = np.random.default_rng(int(radius * 10))
    image = (rng.random((60, 45)) < 0.02).astype(np.uint8)
    image[0, 10] = image[59, 44] = image[30, 0] = 1  # at the edges
    expected = cv2.dilate(image, cg._disc(radius))
    scratch = np.full_like(image, 255)
    dilated, free = cg._dilate_by_disc(image.copy(), scratch, radius)
    np.testing.assert_array_equal(dilated, expected)
    assert free is not dilated


def test_burn_marks_centres_inside_or_the_touched_cells_grown():
    target = np.zeros((10, 10), dtype=np.uint8)
    square = np.array([shapely.box(2.0, 2.0, 5.0, 4.0)])
    cg._burn(target, square, np.array([0.0, 0.0]), 1.0)
    expected = np.zeros((10, 10), dtype=np.uint8)
    expected[2:4, 2:5] = 1  # rows are y: the cells whose centres lie inside
    np.testing.assert_array_equal(target, expected)
    grown = np.zeros((10, 10), dtype=np.uint8)
    cg._burn(grown, np.array([shapely.box(2.2, 2.2, 4.8, 3.8)]), np.array([0.0, 0.0]), 1.0,
             grow=True)
    expected = np.zeros((10, 10), dtype=np.uint8)
    expected[1:5, 1:6] = 1  # the touched cells (rows 2-3, columns 2-4) and their neighbours
    np.testing.assert_array_equal(grown, expected)
    kept = np.ones((3, 3), dtype=np.uint8)
    cg._burn(kept, np.array([shapely.Polygon()]), np.array([0.0, 0.0]), 1.0)
    assert kept.all()


def _traced(image, corner=((0, 0),), low=((0, 0),), high=None, origin=(0.0, 0.0), cell=1.0):
    high = [image.shape[::-1]] if high is None else high
    return cg._trace(image, np.array(corner), np.array(low), np.array(high), np.array(origin),
                     cell)


def test_trace_runs_through_the_centres_of_the_outer_cells():
    image = np.zeros((8, 8), dtype=np.uint8)
    image[1, 1] = image[2, 1] = image[2, 2] = 1  # an L of three cells: a triangle
    (triangle,) = _traced(image, origin=(100.0, 200.0), cell=2.0)
    assert triangle.normalize().equals_exact(shapely.Polygon(
        [(103, 203), (103, 205), (105, 205)]).normalize(), 1e-9)
    assert triangle.area == pytest.approx(2.0)


def test_trace_keeps_holes_in_their_polygon():
    image = np.zeros((9, 9), dtype=np.uint8)
    image[1:8, 1:8] = 1
    image[3:6, 3:6] = 0
    (ring,) = _traced(image)
    assert ring.is_valid and len(ring.interiors) == 1
    assert shapely.Polygon(ring.exterior).equals(shapely.box(1.5, 1.5, 7.5, 7.5))
    assert not ring.contains(shapely.Point(4.5, 4.5))
    assert ring.contains(shapely.Point(2, 2))


def test_trace_leaves_out_single_cells_and_lines_of_cells():
    image = np.zeros((6, 6), dtype=np.uint8)
    image[1, 1] = 1
    image[4, 2:5] = 1
    traced = _traced(image)
    assert traced.dtype == object and traced.shape == (0,)
    assert _traced(np.zeros((4, 4), dtype=np.uint8)).shape == (0,)


def test_trace_moves_each_outline_back_to_its_window():
    # two 5 x 5 slots side by side on one canvas; the second slot's region starts on its edge
    image = np.zeros((5, 10), dtype=np.uint8)
    image[1:4, 1:4] = 1
    image[1:3, 5:8] = 1
    polygons = _traced(image, corner=[(0, 0), (5, 0)], low=[(10, 10), (100, 50)],
                       high=[(15, 15), (105, 55)])
    assert len(polygons) == 2
    first, second = sorted(polygons, key=lambda p: p.bounds)
    assert first.equals(shapely.box(11.5, 11.5, 13.5, 13.5))
    assert second.equals(shapely.box(100.5, 51.5, 102.5, 52.5))


def _parts_do_not_overlap(covered):
    parts = shapely.get_parts(covered)
    assert shapely.is_valid(covered), shapely.is_valid_reason(covered)
    assert sum(p.area for p in parts) == pytest.approx(shapely.union_all(parts).area,
                                                        rel=1e-12)


@pytest.mark.parametrize("shift", [0.0, 3.1, 6.2, 9.3, 12.4])
def test_streets_in_diagonal_blocks_give_one_valid_cover(shift):
    # two short streets whose covers meet across the corner of their 200 m blocks
    # (cells of 12.5 m, blocks of 16 cells): one window, one outline, no overlap
    found = 0
    for dx in np.arange(20.0, 95.0, 7.5):
        a = [[0.0, 0.0], [150.0 + shift, 150.0]]
        b = [[150.0 + dx, 150.0 + dx + shift], [300.0 + dx, 300.0 + dx]]
        covered = cg.grid_cover(np.array([a, b]), 50.0, 12.5)
        _parts_do_not_overlap(covered)
        found += len(shapely.get_parts(covered)) == 1
    assert found > 0  # some of the placements join the two covers


def test_a_cover_is_cut_exactly_to_a_box_and_to_a_polygon():
    segments = np.array([[[0.0, 0.0], [1000.0, 0.0]], [[500.0, -400.0], [500.0, 400.0]]])
    box = shapely.box(100.0, -30.0, 900.0, 200.0)
    # the outlines run through cell centres at -56.25 + 12.5 k (x) and -456.25 + 12.5 k (y);
    # this box's top runs through the corners where the two covers meet
    on_centres = shapely.box(106.25, -31.25, 893.75, 56.25)
    triangle = shapely.Polygon([(0, -100), (1000, -100), (500, 300)])
    free = cg.grid_cover(segments, 50.0, 12.5)
    for area in (box, on_centres, triangle):
        cut = cg.grid_cover(segments, 50.0, 12.5, area=area)
        _parts_do_not_overlap(cut)
        assert area.buffer(1e-6).contains(cut)
        assert cut.area == pytest.approx(free.intersection(area).area, rel=0.01)


def test_long_streets_far_apart_are_covered_whole():
    # few long streets kilometres apart, along the axes (where a lone street's grid cover
    # is exact): each window holds its streets whole, so the areas agree
    segments = np.array([
        [[0.0, 0.0], [10.0, 0.0]],
        [[0.0, 3000.0], [3000.0, 3000.0]],      # east-west, far north of the first
        [[5000.0, 0.0], [5000.0, 2500.0]],      # north-south, far east
        [[2500.0, 6000.0], [200.0, 6000.0]],    # drawn westwards
        [[6000.0, 7800.0], [6000.0, 6000.0]],   # drawn southwards
    ])
    covered = cg.grid_cover(segments, 50.0, 12.5)
    exact = shapely.union_all(shapely.buffer(shapely.linestrings(segments), 50.0))
    _parts_do_not_overlap(covered)
    assert covered.area == pytest.approx(exact.area, rel=0.015)
    # each street's own cover is whole (the outline lies within a cell of the exact one)
    for line in shapely.linestrings(segments)[1:]:
        near = covered.intersection(line.buffer(62.5)).area
        assert near == pytest.approx(line.buffer(50.0).area, rel=0.015)
