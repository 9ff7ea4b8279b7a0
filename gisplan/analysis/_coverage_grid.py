"""Covered-area polygons on a grid: the fast way to buffer and dissolve many street pieces.

Buffering tens of thousands of street pieces and dissolving the buffers with GEOS costs
seconds; on a grid it costs milliseconds. The pieces are drawn as one-cell-wide lines,
dilated (OpenCV) by a disc of about ``access / cell`` cells and, if an area is given,
limited to the cells whose centre lies within half a cell of it (rasterio). The polygon
is traced through the centres of the outer covered cells (OpenCV ``findContours``), so
its edge lies within about a cell of the exact buffer. Before tracing, cells that
belong to no fully covered 2x2 block are dropped and blocks touching only at a corner
are joined, so the outlines never touch themselves and the polygons are valid.

Work is split into windows: the pieces are grouped into clusters that lie far enough
apart for their covered areas not to touch, so a few scattered catchments in a large
network do not cost a raster of the whole network. Small windows are packed side by
side on one canvas, so that hundreds of them cost a few image operations.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import cv2
import numpy as np
import numpy.typing as npt
import shapely
from rasterio import features
from rasterio.transform import Affine
from scipy import ndimage

from gisplan._arrays import run_offsets
from gisplan._errors import GridTooLargeError
from gisplan.analysis._canvas_packing import pack_canvases, slot_of

__all__ = ["GridTooLargeError", "grid_cover"]

BLOCK_CELLS = 16
"""Side of the blocks used to find clusters of pieces, in cells."""
CUT_BAND = 3
"""Width in cells of the band along a straight cut where slivers can appear."""
DRAW_BATCH = 1 << 16
"""Samples drawn at once (the temporaries fit in cache)."""
WINDOW_COST_CELLS = 100_000
"""The fixed cost of a window, in cells of image work (measured roughly: an image
operation costs ~5 ns per cell, a window ~0.5 ms of fixed overhead)."""
MAX_CANVAS_CELLS = 400_000_000
"""Largest total of canvas cells (two bytes each) that a covered area may need."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def grid_cover(segments: FloatArray, access: float, cell: float, *,
               area: shapely.Geometry | None = None,
               fill: npt.NDArray[np.object_] | None = None) -> shapely.Geometry:
    """Return the cells within ``access`` of the segments (and inside ``area``) as polygons.

    Parameters
    ----------
    segments : numpy.ndarray, shape (n, 2, 2)
        Straight street segments ``[[x0, y0], [x1, y1]]`` in a metric CRS.
    access : float
        Distance from a segment within which a cell is covered, in metres.
    cell : float
        Side of the grid cells, in metres: at most ``access / 2``; the accuracy is
        tuned for ``access / 4``.
    area : shapely Polygon or MultiPolygon, optional
        The polygons are cut to it.
    fill : numpy.ndarray of shapely Polygon, optional
        Polygons covered as a whole (e.g. parks), drawn after the dilation.

    Returns
    -------
    shapely.MultiPolygon
        Valid polygons in the CRS of ``segments``; empty if nothing is covered.
    """
    if access / cell < 2:
        raise ValueError(f"the access distance ({access:g} m) must span at least 2 cells "
                         f"(cell {cell:g} m), or the dilated streets have one-cell spurs")
    # the outline runs through the centres of the outer cells, half a cell inside their
    # edge: so polygons are burnt grown by half a cell, and their outline falls about on
    # their edge rather than half a cell inside it
    fill = shapely.buffer(np.empty(0, dtype=object) if fill is None else
                          np.asarray(fill, dtype=object), cell / 2, join_style="mitre")
    fill_xy, fill_owner = _vertices(fill)
    if not len(segments) and not len(fill_xy):
        return shapely.MultiPolygon()
    # the disc of radius sqrt(k^2 + 1) cells, k = access / cell: the smallest that takes in
    # the cells beside its four tips, so it has no one-cell spurs. Traced through the
    # centres of the outer cells, the outline then encloses about the exact area at
    # k = 4: within 0.6 % of the exact buffer-and-dissolve on the embedded network and on
    # dense (100 m) straight and rotated synthetic grids. A lone street is exact along
    # the axes and up to 12 % short at 45 degrees, and sparse diagonal networks drift
    # towards that; k = 2 or 3 comes out 3 to 9 % high.
    radius = float(np.hypot(access / cell, 1.0))
    margin = int(np.ceil(radius)) + 2
    # x0, y0, x1, y1 rows: contiguous, so that reductions and gathers stay fast
    ends = np.ascontiguousarray(np.asarray(segments, dtype=float).reshape(-1, 4).T)
    xs = np.concatenate([ends[0], ends[2], fill_xy[:, 0]])
    ys = np.concatenate([ends[1], ends[3], fill_xy[:, 1]])
    origin = (np.floor(np.array([xs.min(), ys.min()]) / cell) - margin) * cell
    shape = np.ceil((np.array([xs.max(), ys.max()]) - origin) / cell).astype(np.int64) + margin
    ends = (ends - np.tile(origin, 2)[:, None]) / cell - 0.5
    # the raster keeps the cells within about a cell of the area (so that thin parts of
    # it survive), and the traced polygons are then cut exactly to the area
    if area is not None:
        shapely.prepare(area)
    # the block index of the windows costs some 8 bytes per block (a canvas cell: 2)
    _check_size(int(np.prod(-(-shape // BLOCK_CELLS))) * 4, cell)
    windows = _windows(ends, fill_xy, fill_owner, origin, cell, shape, radius)
    low = np.array([w[0] - margin for w in windows]).clip(0)
    high = np.array([np.minimum(w[1] + margin, shape) for w in windows])
    grid = _Grid(origin, cell, radius, ends, fill, area, _is_box(area))
    canvases = pack_canvases(high - low, gap=2 * margin)
    _check_size(sum(int(size.prod()) for _, _, size in canvases), cell)
    polygons = []
    for members, corner, size in canvases:
        polygons.append(_cover_canvas(grid, [windows[i] for i in members], corner,
                                      low[members], high[members], size))
    return _clip(np.concatenate(polygons), grid)


def _is_box(area: shapely.Geometry | None) -> bool:
    """Whether the area is an axis-aligned rectangle."""
    return area is not None and bool(shapely.equals(area, shapely.box(*area.bounds)))


def _clip(polygons: npt.NDArray[np.object_], grid: _Grid) -> shapely.Geometry:
    """Return the polygons cut exactly to the grid's (prepared) area, as one MultiPolygon."""
    area = grid.area
    if area is not None and len(polygons):
        crossing = np.flatnonzero(~shapely.contains(area, polygons))
        polygons = polygons.copy()
        if grid.area_is_box:
            # GEOS's fast rectangle clip, except where an outline meets the rectangle's
            # edge at a vertex: the clipped ring would touch itself there
            xy, owner = shapely.get_coordinates(polygons[crossing], return_index=True)
            xmin, ymin, xmax, ymax = area.bounds
            on_edge = (xy[:, 0] == xmin) | (xy[:, 0] == xmax) | (xy[:, 1] == ymin) | (
                xy[:, 1] == ymax)
            touching = np.zeros(len(crossing), dtype=bool)
            touching[owner[on_edge]] = True
            fast, slow = crossing[~touching], crossing[touching]
            polygons[fast] = shapely.clip_by_rect(polygons[fast], xmin, ymin, xmax, ymax)
            polygons[slow] = shapely.intersection(polygons[slow], area)
        else:
            polygons[crossing] = shapely.intersection(polygons[crossing], area)
        parts = shapely.get_parts(polygons)
        polygons = parts[(shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)]
    return shapely.multipolygons(polygons)


def _check_size(cells: int, cell: float) -> None:
    """Refuse work that would need more than :data:`MAX_CANVAS_CELLS` cells of memory."""
    if cells > MAX_CANVAS_CELLS:
        raise GridTooLargeError(
            f"the covered area needs {cells:,} grid cells of {cell:g} m (more than "
            f"{MAX_CANVAS_CELLS:,}); use a larger access_distance (the cell is a quarter "
            "of it), a smaller area, or exact_area=True"
        )


class _Grid(NamedTuple):
    """What every canvas needs: the grid, the disc, the cell-unit segments, fills, area."""

    origin: FloatArray
    cell: float
    radius: float
    ends: FloatArray
    fill: npt.NDArray[np.object_]
    area: shapely.Geometry | None
    area_is_box: bool


def _cover_canvas(grid: _Grid, windows: list[tuple[IntArray, IntArray, IntArray, IntArray]],
                  corner: IntArray, low: IntArray, high: IntArray,
                  size: IntArray) -> npt.NDArray[np.object_]:
    """Cover the windows laid side by side on one canvas, and trace them."""
    # two buffers used in turn, so that each step writes into memory already mapped
    lines = np.zeros(size[::-1], dtype=np.uint8)
    segment_ids = [w[2] for w in windows]
    shift = np.repeat(corner - low, [len(ids) for ids in segment_ids], axis=0)
    _draw_segments(lines, grid.ends[:, np.concatenate(segment_ids)] + np.tile(shift.T, (2, 1)))
    image, spare = _dilate_by_disc(lines, np.empty_like(lines), grid.radius)
    spare.fill(0)
    rough = False  # open the whole canvas
    cuts: list[tuple[slice, slice]] = []  # or only these bands along straight cuts
    for (_, _, _, fill_ids), slot_low, window_low, window_high in zip(windows, corner, low, high,
                                                                      strict=True):
        slot = (slice(slot_low[1], slot_low[1] + window_high[1] - window_low[1]),
                slice(slot_low[0], slot_low[0] + window_high[0] - window_low[0]))
        window_origin = grid.origin + window_low * grid.cell
        if len(fill_ids):
            _burn(image[slot], grid.fill[fill_ids], window_origin, grid.cell)
            rough = True
        box = shapely.box(*window_origin, *(grid.origin + window_high * grid.cell))
        if grid.area is None or shapely.covers(grid.area, box):
            spare[slot] = 1
            continue
        # a cut can leave one-cell slivers: the opening below removes them
        if grid.area_is_box:
            # the cells whose centre lies within a cell of the box, as a slice
            bounds = np.array(grid.area.bounds)
            first = np.ceil((bounds[:2] - window_origin) / grid.cell - 1.5).astype(np.int64)
            stop = np.floor((bounds[2:] - window_origin) / grid.cell + 0.5).astype(np.int64) + 1
            first = slot_low + np.clip(first, 0, window_high - window_low)
            stop = slot_low + np.clip(stop, 0, window_high - window_low)
            spare[first[1]:stop[1], first[0]:stop[0]] = 1
            rows, cols = slice(first[1], stop[1]), slice(first[0], stop[0])
            cuts += [(rows, slice(first[0], first[0] + CUT_BAND)),
                     (rows, slice(max(stop[0] - CUT_BAND, first[0]), stop[0])),
                     (slice(first[1], first[1] + CUT_BAND), cols),
                     (slice(max(stop[1] - CUT_BAND, first[1]), stop[1]), cols)]
        else:
            _burn(spare[slot], np.array([shapely.clip_by_rect(grid.area, *box.bounds)]),
                  window_origin, grid.cell, grow=True)
            rough = True
    # keep each window to its own slot, and to the area
    cv2.bitwise_and(image, spare, dst=image)
    # dilated discs have no one-cell spurs; fills and clipping can make them
    if rough:
        _open_2x2(image, spare)
    else:
        for rows, cols in cuts:
            _open_band(image, rows, cols)
    _join_diagonal_touches(image, spare)
    return _trace(image, corner, low, high, grid.origin, grid.cell)


def _draw_segments(image: npt.NDArray[np.uint8], ends: FloatArray) -> None:
    """Mark the cells along each segment.

    ``ends`` holds rows x0, y0, x1, y1 in cell units (cell centres at integers). Each
    segment is sampled at steps of at most one cell along both axes, so the marked cells
    form an 8-connected line, as a DDA line would.
    """
    dx, dy = ends[2] - ends[0], ends[3] - ends[1]
    steps = np.ceil(np.maximum(np.abs(dx), np.abs(dy)))
    count = steps.astype(np.int64) + 1
    scale = 1.0 / np.maximum(steps, 1.0)
    height, width = image.shape
    flat = image.ravel()
    # in batches of segments whose samples fit in cache
    batch = np.searchsorted(np.cumsum(count), np.arange(1, count.sum() // DRAW_BATCH + 1)
                            * DRAW_BATCH)
    for lo, hi in zip([0, *batch.tolist()], [*batch.tolist(), len(count)], strict=True):
        n = count[lo:hi]
        if not len(n):
            continue
        # single precision: within 1/500 of a cell on canvases up to 16,000 cells wide
        k = run_offsets(n, dtype=np.int32).astype(np.float32)
        cols = np.repeat(ends[0, lo:hi].astype(np.float32), n)
        cols += np.repeat((dx[lo:hi] * scale[lo:hi]).astype(np.float32), n) * k
        rows = np.repeat(ends[1, lo:hi].astype(np.float32), n)
        rows += np.repeat((dy[lo:hi] * scale[lo:hi]).astype(np.float32), n) * k
        inside = (cols > -0.5) & (cols < width - 0.5) & (rows > -0.5) & (rows < height - 0.5)
        flat[np.rint(rows[inside]).astype(np.int64) * width
             + np.rint(cols[inside]).astype(np.int64)] = 1


def _vertices(polygons: npt.NDArray[np.object_]) -> tuple[FloatArray, IntArray]:
    """Vertices of the polygons, and the polygon number of each."""
    if not len(polygons):
        return np.empty((0, 2)), np.empty(0, dtype=np.int64)
    xy, owner = shapely.get_coordinates(polygons, return_index=True)
    return xy, owner.astype(np.int64)


def _burn(target: npt.NDArray[np.uint8], polygons: npt.NDArray[np.object_],
          window_origin: FloatArray, cell: float, grow: bool = False) -> None:
    """Set to 1 the cells of ``target`` whose centre lies inside one of the polygons.

    With ``grow``, the cells the polygons touch and their eight neighbours instead.
    """
    polygons = polygons[~shapely.is_empty(polygons)]
    if not len(polygons):
        return
    transform = Affine(cell, 0.0, window_origin[0], 0.0, cell, window_origin[1])
    inside = features.rasterize([(p, 1) for p in polygons], out_shape=target.shape,
                                transform=transform, fill=0, dtype="uint8", all_touched=grow)
    if grow:
        inside = cv2.dilate(inside, np.ones((3, 3), dtype=np.uint8))
    np.bitwise_or(target, inside, out=target)


def _disc(radius: float) -> npt.NDArray[np.uint8]:
    """Structuring element: the cells whose centre is within ``radius`` cells of the middle."""
    half = int(np.floor(radius))
    dy, dx = np.mgrid[-half:half + 1, -half:half + 1]
    return (dx * dx + dy * dy <= radius * radius + 1e-9).astype(np.uint8)


def _dilate_by_disc(image: npt.NDArray[np.uint8], scratch: npt.NDArray[np.uint8],
                    radius: float) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """Dilate ``image`` by the disc of ``radius`` cells, using ``scratch`` as a second buffer.

    Returns ``(dilated, free)``: the two buffers, the dilated image first; the other
    one holds scratch data.
    """
    for kernel in _disc_factors(radius):
        cv2.dilate(image, kernel, dst=scratch)
        image, scratch = scratch, image
    return image, scratch


@lru_cache(maxsize=16)
def _disc_factors(radius: float) -> tuple[npt.NDArray[np.uint8], ...]:
    """Structuring elements whose Minkowski sum is :func:`_disc`, the cheapest found.

    OpenCV dilates by a rectangle in a few operations per cell, and by any other shape
    in one operation per cell of the shape. Discs that are digital octagons (those of
    ``hypot(k, 1)`` cells for k = 2 and 4, among others) are a square plus a diamond
    lattice of ``(m + 1)^2`` cells: two passes instead of one pass over every cell of the
    disc (57 at k = 4 against 9 + 16). Other discs are returned whole.
    """
    disc = _disc(radius)
    half = disc.shape[0] // 2
    # an octagon's top row is the square's side; its slanted edges are the diamond's
    side = int(disc[0].sum())
    m = half - side // 2
    if side % 2 == 0 or m < 1:
        return (disc,)
    square = np.ones((side, side), dtype=np.uint8)
    lattice = _diamond_lattice(m)
    centred = np.zeros_like(disc)
    centred[half - m:half + m + 1, half - m:half + m + 1] = lattice
    if np.array_equal(cv2.dilate(centred, square), disc):
        return square, lattice
    return (disc,)


def _diamond_lattice(m: int) -> npt.NDArray[np.uint8]:
    """Every other cell of the diamond ``|x| + |y| <= m``: those with ``x + y + m`` even.

    These ``(m + 1)^2`` cells are the sum of the two diagonal lines ``(t, t)`` and
    ``(t, -t)``, t = 0..m, centred.
    """
    dy, dx = np.mgrid[-m:m + 1, -m:m + 1]
    return ((np.abs(dx) + np.abs(dy) <= m) & ((dx + dy + m) % 2 == 0)).astype(np.uint8)


def _windows(ends: FloatArray, fill_xy: FloatArray, fill_owner: IntArray,
             origin: FloatArray, cell: float, shape: IntArray, radius: float
             ) -> list[tuple[IntArray, IntArray, IntArray, IntArray]]:
    """Split the work into windows whose covered cells cannot touch each other.

    Every segment (``ends`` in cell units) or fill polygon marks the blocks its bounding box
    overlaps; marked blocks are grown by enough blocks that two windows lie more than two
    dilation radii (``radius``, in cells) apart, and each 8-connected group of blocks is a
    window. Returns ``(low, high, segment_ids, fill_ids)`` per window, ``low``/``high`` in
    cells from ``origin``.
    """
    blocks = -(-shape // BLOCK_CELLS)
    block = np.floor((ends + 0.5) * (1.0 / BLOCK_CELLS)).astype(np.int64)
    first = [np.minimum(block[0], block[2]), np.minimum(block[1], block[3])]
    last = [np.maximum(block[0], block[2]), np.maximum(block[1], block[3])]
    fill_ids = np.empty(0, dtype=np.int64)
    if len(fill_xy):
        starts = np.flatnonzero(np.r_[True, fill_owner[1:] != fill_owner[:-1]])
        fill_block = np.floor((fill_xy - origin) / (cell * BLOCK_CELLS)).astype(np.int64)
        fill_first = np.minimum.reduceat(fill_block, starts, axis=0)
        fill_last = np.maximum.reduceat(fill_block, starts, axis=0)
        first = [np.concatenate([first[i], fill_first[:, i]]) for i in (0, 1)]
        last = [np.concatenate([last[i], fill_last[:, i]]) for i in (0, 1)]
        fill_ids = fill_owner[starts]
    first = [np.clip(first[i], 0, blocks[i] - 1) for i in (0, 1)]
    last = [np.clip(last[i], 0, blocks[i] - 1) for i in (0, 1)]
    width, height = last[0] - first[0] + 1, last[1] - first[1] + 1
    occupied = np.zeros(blocks[::-1], dtype=bool)
    flat = occupied.ravel()
    # the four corner blocks are the whole box when it spans at most two blocks each way
    # (nearly every street piece); larger boxes mark every block
    for row in (first[1], last[1]):
        for col in (first[0], last[0]):
            flat[row * blocks[0] + col] = True
    big = np.flatnonzero((width > 2) | (height > 2))
    if len(big):
        count = width[big] * height[big]
        owner = np.repeat(big, count)
        k = run_offsets(count)
        occupied[first[1][owner] + k // width[owner], first[0][owner] + k % width[owner]] = True
    labels, block_cells = _cheapest_grouping(occupied, shape, radius)
    scale = block_cells // BLOCK_CELLS
    label_of = labels[first[1] // scale, first[0] // scale]
    n_segments = ends.shape[1]
    order = np.argsort(label_of, kind="stable")
    bounds = np.searchsorted(label_of[order], np.arange(1, labels.max() + 2))
    windows = []
    for number, (rows, cols) in enumerate(ndimage.find_objects(labels)):
        window_low = np.array([cols.start, rows.start]) * block_cells
        window_high = np.minimum(np.array([cols.stop, rows.stop]) * block_cells, shape)
        mine = order[bounds[number]:bounds[number + 1]]
        windows.append((window_low, window_high, mine[mine < n_segments],
                        fill_ids[mine[mine >= n_segments] - n_segments]))
    return windows


def _cheapest_grouping(occupied: npt.NDArray[np.bool_], shape: IntArray,
                       radius: float) -> tuple[npt.NDArray[np.int32], int]:
    """Group occupied blocks into windows at the block size with the least work.

    Small blocks give tight windows but many of them; large blocks give few windows
    with more empty cells. Each is priced as its cells plus :data:`WINDOW_COST_CELLS`
    per window. Returns the window label of every block and the block side in cells.
    """
    eight = np.ones((3, 3), dtype=bool)
    best: tuple[float, npt.NDArray[np.int32], int] | None = None
    for scale in (1, 2, 4):
        rows, cols = -(-np.array(occupied.shape) // scale) * scale
        padded = np.zeros((rows, cols), dtype=np.uint8)
        padded[:occupied.shape[0], :occupied.shape[1]] = occupied
        coarse = padded.reshape(rows // scale, scale, cols // scale, scale).max(axis=(1, 3))
        side = BLOCK_CELLS * scale
        # grown by k blocks every way: the 8-neighbourhood k times, one square of 2k + 1
        reach = 2 * _growth(radius, side) + 1
        grown = cv2.dilate(coarse, np.ones((reach, reach), dtype=np.uint8))
        labels, count = ndimage.label(grown, structure=eight)
        box = np.array([(r.start, c.start, r.stop, c.stop)
                        for r, c in ndimage.find_objects(labels)]).reshape(-1, 4) * side
        cells = float((np.minimum(box[:, 2:], shape[::-1]) - box[:, :2]).prod(axis=1).sum())
        cost = cells + WINDOW_COST_CELLS * count
        if best is None or cost < best[0]:
            best = cost, labels, side
    assert best is not None
    return best[1], best[2]


def _growth(radius: float, side: int) -> int:
    """Blocks of ``side`` cells to grow the marked blocks by, so that windows never touch.

    Grown by ``k`` blocks, two windows have at least ``2 k + 1`` empty blocks between their
    marked cells; their covers (discs of ``radius`` cells, one more for the outline through
    the cell centres) stay apart when that is more than ``2 (radius + 1)`` cells.
    """
    return max(1, int(np.ceil((2.0 * (radius + 1.0) / side - 1.0) / 2.0)))


def _open_2x2(image: npt.NDArray[np.uint8], spare: npt.NDArray[np.uint8]) -> None:
    """Keep only the cells of fully covered 2x2 blocks (a morphological opening), in place.

    This removes one-cell-wide spurs and walls, along which a traced outline would run
    twice. ``spare`` is scratch space of the same shape.
    """
    square = np.ones((2, 2), dtype=np.uint8)
    cv2.erode(image, square, dst=spare, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT,
              borderValue=0)
    cv2.dilate(spare, square, dst=image, anchor=(1, 1), borderType=cv2.BORDER_CONSTANT,
               borderValue=0)


def _open_band(image: npt.NDArray[np.uint8], rows: slice, cols: slice) -> None:
    """Open ``image[rows, cols]`` in place, looking one cell beyond it for full blocks."""
    height, width = image.shape
    top, left = max(rows.start - 1, 0), max(cols.start - 1, 0)
    context = image[top:min(rows.stop + 1, height), left:min(cols.stop + 1, width)].copy()
    _open_2x2(context, np.empty_like(context))
    image[rows, cols] = context[rows.start - top:rows.stop - top,
                                cols.start - left:cols.stop - left]


def _join_diagonal_touches(image: npt.NDArray[np.uint8],
                           scratch: npt.NDArray[np.uint8]) -> None:
    """Fill every 2x2 block whose covered cells touch only at a corner.

    Traced outlines would touch themselves there, which is not a valid polygon. Filling
    a block can create a new such block next to it, so the neighbours of every filled
    block are checked again until none is left. ``scratch`` (the image's shape) is
    overwritten.
    """
    rows, cols = image.shape
    found = _corner_touches(image, scratch)
    while len(found):
        r, c = found[:, 0], found[:, 1]
        image[r, c] = image[r, c + 1] = image[r + 1, c] = image[r + 1, c + 1] = 1
        near = (found[:, None, :] + _NEIGHBOUR_OFFSETS[None, :, :]).reshape(-1, 2)
        near = near[(near >= 0).all(axis=1) & (near[:, 0] < rows - 1) & (near[:, 1] < cols - 1)]
        # each block once, in row-major order (unique cell numbers sort faster than rows)
        r, c = np.divmod(np.unique(near[:, 0] * cols + near[:, 1]), cols)
        near = np.stack([r, c], axis=1)
        found = near[_checkerboard(image[r, c], image[r, c + 1], image[r + 1, c],
                                   image[r + 1, c + 1]).astype(bool)]


def _corner_touches(image: npt.NDArray[np.uint8], scratch: npt.NDArray[np.uint8]) -> IntArray:
    """Top-left ``(row, col)`` of every checkerboard 2x2 block, in row-major order.

    A block ``[[a, b], [c, d]]`` of 0/1 cells is a checkerboard when ``a != b``,
    ``a != c`` and ``b != d``. The four corners are views of the image shifted by a
    cell, so each test is one OpenCV operation over the whole image; the second and
    third only where the first held (a mask), all written into ``scratch`` (the
    image's shape), so that no image-sized temporary is allocated.
    """
    # (an image one cell high or wide gives empty views, and OpenCV counts no cell)
    a, b, c, d = image[:-1, :-1], image[:-1, 1:], image[1:, :-1], image[1:, 1:]
    touch = scratch[:-1, :-1]
    cv2.bitwise_xor(a, b, dst=touch)
    cv2.bitwise_xor(a, c, dst=touch, mask=touch)
    cv2.bitwise_xor(b, d, dst=touch, mask=touch)
    if not cv2.countNonZero(touch):
        return np.empty((0, 2), dtype=np.int64)
    # findNonZero gives (x, y) points, scanning row by row
    return cv2.findNonZero(touch).reshape(-1, 2)[:, ::-1].astype(np.int64)


def _checkerboard(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8], c: npt.NDArray[np.uint8],
                  d: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """1 where the 2x2 block ``[[a, b], [c, d]]`` is a checkerboard, else 0."""
    return (a ^ b) & (c ^ d) & (a ^ c) & (b ^ d)


_NEIGHBOUR_OFFSETS = np.array([(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)])


def _trace(image: npt.NDArray[np.uint8], corner: IntArray, low: IntArray, high: IntArray,
           origin: FloatArray, cell: float) -> npt.NDArray[np.object_]:
    """Polygons through the centres of the outer cells of each covered region.

    Each outline is moved from its slot of the atlas (``corner``) back to its window
    (``low`` to ``high``, in cells from ``origin``).
    """
    contours, hierarchy = cv2.findContours(image, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return np.empty(0, dtype=object)
    parent = hierarchy[0][:, 3]
    lengths = np.array([len(c) for c in contours])
    owner = np.where(parent < 0, np.arange(len(contours)), parent)
    order = np.lexsort((parent >= 0, owner))
    order = order[lengths[order] >= 3]
    if not len(order):
        return np.empty(0, dtype=object)
    counts = lengths[order]
    xy = np.concatenate([contours[i] for i in order]).reshape(-1, 2)
    slot = slot_of(xy[np.cumsum(counts) - counts], corner, high - low)
    # one shift per ring, repeated over its vertices
    xy = (xy + np.repeat(low[slot] - corner[slot], counts, axis=0) + 0.5) * cell + origin
    rings = shapely.linearrings(xy, indices=np.repeat(np.arange(len(order)), counts))
    _, polygon_of = np.unique(owner[order], return_inverse=True)
    return shapely.polygons(rings, indices=polygon_of)
