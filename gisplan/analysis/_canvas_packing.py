"""Windows laid side by side on shared canvases, and which window a canvas point is in.

Hundreds of small windows of the coverage grid (:mod:`gisplan.analysis._coverage_grid`)
cost a few image operations when they share one canvas: the windows are placed on
shelves with a gap between them, and every traced outline is moved back from its slot.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["LARGE_WINDOW_SHARE", "pack", "pack_canvases", "shelves", "slot_of"]

LARGE_WINDOW_SHARE = 0.25
"""Windows with at least this share of all window cells get a canvas of their own; the
others share one."""

IntArray = npt.NDArray[np.int64]


def pack_canvases(sizes: IntArray, gap: int) -> list[tuple[IntArray, IntArray, IntArray]]:
    """Group the windows into canvases: a large window alone, the small ones packed together.

    Returns ``(members, corners, canvas_size)`` per canvas. Packing saves the fixed cost
    of each image operation when there are hundreds of small windows.
    """
    cells = sizes.prod(axis=1)
    large = cells >= LARGE_WINDOW_SHARE * cells.sum()
    canvases = [(np.array([i]), np.zeros((1, 2), dtype=np.int64), sizes[i])
                for i in np.flatnonzero(large)]
    small = np.flatnonzero(~large)
    if len(small):
        corners, size = pack(sizes[small], gap)
        canvases.append((small, corners, size))
    return canvases


def pack(sizes: IntArray, gap: int) -> tuple[IntArray, IntArray]:
    """Place rectangles of ``sizes`` (width, height) on shelves, ``gap`` cells apart.

    Tallest first, left to right, a new shelf when a row is full; of a few row widths
    around the square root of the total, the one with the smallest canvas wins. Returns
    the lower-left corner of each rectangle and the size of the canvas.
    """
    side = np.sqrt((sizes + gap).prod(axis=1).sum())
    widest = int(sizes[:, 0].max())
    best: tuple[IntArray, IntArray] | None = None
    for factor in (1.0, 1.25, 1.5, 2.0):
        corner, size = shelves(sizes, gap, max(widest, int(side * factor)))
        if best is None or size.prod() < best[1].prod():
            best = corner, size
    assert best is not None
    return best


def shelves(sizes: IntArray, gap: int, width: int) -> tuple[IntArray, IntArray]:
    corner = np.zeros_like(sizes)
    x = y = shelf = used = 0
    for i in np.argsort(-sizes[:, 1], kind="stable").tolist():
        if x and x + sizes[i, 0] > width:
            x, y, shelf = 0, y + shelf + gap, 0
        corner[i] = (x, y)
        used = max(used, x + int(sizes[i, 0]))
        x += int(sizes[i, 0]) + gap
        shelf = max(shelf, int(sizes[i, 1]))
    return corner, np.array([used, y + shelf])


def slot_of(points: IntArray, corner: IntArray, size: IntArray) -> IntArray:
    """Index of the slot (disjoint rectangles ``corner`` to ``corner + size``) holding each point.

    The slots' edges cut the canvas into a grid of at most ``2 k`` by ``2 k`` parts
    (k slots), each inside one slot or none; the grid is labelled slot by slot and each
    point looked up by two binary searches, so the cost does not grow with points x slots.
    Points in no slot get -1.
    """
    edges = [np.unique(np.concatenate([corner[:, i], corner[:, i] + size[:, i]])) for i in (0, 1)]
    first = [np.searchsorted(edges[i], corner[:, i]) for i in (0, 1)]
    stop = [np.searchsorted(edges[i], corner[:, i] + size[:, i]) for i in (0, 1)]
    grid = np.full((len(edges[1]), len(edges[0])), -1, dtype=np.int64)
    for number, (y0, y1, x0, x1) in enumerate(zip(first[1].tolist(), stop[1].tolist(),
                                                  first[0].tolist(), stop[0].tolist(),
                                                  strict=True)):
        grid[y0:y1, x0:x1] = number
    # a point before the first edge gets -1, which reads the last row or column: beyond
    # the last edge, where no slot reaches
    column = np.searchsorted(edges[0], points[:, 0], side="right") - 1
    row = np.searchsorted(edges[1], points[:, 1], side="right") - 1
    return grid[row, column]
