"""A bucket index of the straight segments of a network's edges, built from vertex arrays.

Each segment is cut into pieces no longer than the cell size; each piece is filed
under the cell holding its midpoint. Every point of a segment lies within half a cell
of the midpoint of one of its pieces, so the segments within ``r`` of a point all have
a piece filed in the cells within ``r`` plus half a cell of it: searching those cells
and measuring the exact distance to each segment found gives the same answer as a
search over every segment. Building the index is one sort of the pieces; no geometry
object is made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gisplan._arrays import grid_buckets, run_offsets

__all__ = ["SegmentIndex"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

PAD_M = 0.01
"""Slack in metres on piece lengths and search radii, so that rounding never leaves out
a cell."""


@dataclass(frozen=True)
class SegmentIndex:
    """Segments ``xy[segment[i]] -> xy[segment[i] + 1]`` filed in square cells.

    Attributes
    ----------
    xy : numpy.ndarray, shape (k, 2)
        The vertices.
    segment : numpy.ndarray of int
        First vertex of each segment.
    origin : numpy.ndarray, shape (2,)
        Lower-left corner of cell ``(0, 0)``.
    size : float
        Cell width.
    shape : numpy.ndarray of int, shape (2,)
        Number of cells along x and y.
    cell_start : numpy.ndarray of int
        The pieces of cell ``k = i * shape[1] + j`` are
        ``piece_segment[cell_start[k]:cell_start[k + 1]]``.
    piece_segment : numpy.ndarray of int
        Segment (index into ``segment``) of each piece, cell after cell.
    """

    xy: FloatArray
    segment: IntArray
    origin: FloatArray
    size: float
    shape: IntArray
    cell_start: IntArray
    piece_segment: IntArray

    @classmethod
    def build(cls, xy: FloatArray, segment: IntArray, length: FloatArray,
              min_size: float) -> SegmentIndex:
        """Index the segments starting at the vertices ``segment`` of ``xy``.

        ``length`` is the length of each segment. Cells are ``min_size`` wide, or wider
        so that there are at most two per segment.
        """
        x, y = xy[:, 0], xy[:, 1]
        low = np.array([x.min(), y.min()]) if len(xy) else np.zeros(2)
        high = np.array([x.max(), y.max()]) if len(xy) else np.zeros(2)
        extent = np.maximum(high - low, min_size)
        size = max(min_size, float(np.sqrt(extent.prod() / (2 * max(len(segment), 1)))))
        # twice the midpoints: of every segment, and of the other pieces of long ones
        twice_x, twice_y = x[segment], y[segment]
        twice_x += x[1:][segment]
        twice_y += y[1:][segment]
        long = np.flatnonzero(length > size)
        piece_segment = None
        if len(long):
            # an odd number of pieces of at most one cell, the middle one filed above
            count = np.ceil(length[long] / size).astype(np.int64)
            count += 1 - count % 2
            owner = np.repeat(np.arange(len(long)), count - 1)
            k = run_offsets(count - 1)
            k += k >= (count // 2)[owner]
            share = (k + 0.5) / count[owner]
            start = xy[segment[long[owner]]]
            twice = 2.0 * (start + (xy[segment[long[owner]] + 1] - start) * share[:, None])
            twice_x = np.concatenate([twice_x, twice[:, 0]])
            twice_y = np.concatenate([twice_y, twice[:, 1]])
            piece_segment = np.concatenate([np.arange(len(segment)), long[owner]])
        shape, start_of_cell, order = grid_buckets(twice_x, twice_y, 2 * low, 2 * size)
        pieces = (order if piece_segment is None else piece_segment[order]).astype(np.int64,
                                                                                    copy=False)
        return cls(xy, segment, low, size, shape, start_of_cell, pieces)

    def candidates(self, low: FloatArray, high: FloatArray) -> tuple[IntArray, IntArray]:
        """Segments that may come within reach of boxes, as ``(box, segment)`` pairs.

        Parameters
        ----------
        low, high : numpy.ndarray, shape (m, 2)
            Lower-left and upper-right corners of each box, already grown by the
            distance searched.

        Returns
        -------
        box, segment : numpy.ndarray of int
            Every segment with a point in a box is paired with it (others may be too);
            a pair can repeat.
        """
        pad = self.size / 2.0 + 2 * PAD_M
        first = np.clip(np.floor((low - pad - self.origin) / self.size), 0, self.shape - 1)
        last = np.clip(np.floor((high + pad - self.origin) / self.size), 0, self.shape - 1)
        first = first.astype(np.int64)
        span = (last - first).astype(np.int64) + 1
        count = span[:, 0] * span[:, 1]
        owner = np.repeat(np.arange(len(count), dtype=np.int64), count)
        k = run_offsets(count)
        cell = ((first[owner, 0] + k // span[owner, 1]) * self.shape[1]
                + first[owner, 1] + k % span[owner, 1])
        begin = self.cell_start[cell]
        held = self.cell_start[cell + 1] - begin
        pieces = np.repeat(begin, held) + run_offsets(held)
        return np.repeat(owner, held), self.piece_segment[pieces]

    def distance(self, points: FloatArray, segment: IntArray) -> FloatArray:
        """Distance from each point to the segment paired with it."""
        a = self.xy[self.segment[segment]]
        step = self.xy[self.segment[segment] + 1] - a
        rel = points - a
        square = np.einsum("ij,ij->i", step, step)
        t = np.clip(np.einsum("ij,ij->i", rel, step) / np.where(square > 0, square, 1.0),
                    0.0, 1.0)
        return np.hypot(*(rel - step * t[:, None]).T)

    def nearest(self, points: FloatArray, max_distance: float) -> tuple[IntArray, FloatArray]:
        """Find the segment nearest to each point, if one lies within ``max_distance``.

        Parameters
        ----------
        points : numpy.ndarray, shape (m, 2)
            Point coordinates.
        max_distance : float
            Farther segments are not looked for.

        Returns
        -------
        segment : numpy.ndarray of int
            Per point, the nearest segment (the first one among equally near), -1 if none.
        distance : numpy.ndarray of float
            Per point, the distance to it (NaN if none).
        """
        found = np.full(len(points), -1, dtype=np.int64)
        best = np.full(len(points), np.nan)
        if not len(self.segment) or not len(points):
            return found, best
        # search within a radius that doubles until a segment turns up; one found beyond
        # the radius bounds the distance, and a last search within that bound settles it
        todo = np.arange(len(points))
        reach = np.full(len(points), min(self.size / 2.0, max_distance))
        while len(todo):
            where, radius = points[todo], reach[todo]
            which, segment = self.candidates(where - radius[:, None], where + radius[:, None])
            dist = self.distance(where[which], segment)
            near = dist <= max_distance
            owner, closest, first = _closest(which[near], dist[near], segment[near])
            found[todo[owner]], best[todo[owner]] = first, closest
            settled = radius >= max_distance
            settled[owner] = closest <= radius[owner]
            reach[todo] = np.minimum(2.0 * radius, max_distance)
            reach[todo[owner]] = closest
            todo = todo[~settled]
        return found, best


def _closest(which: IntArray, dist: FloatArray, segment: IntArray
             ) -> tuple[IntArray, FloatArray, IntArray]:
    """Per run of equal ``which``: its value, the least distance and the first segment at it."""
    if not len(which):
        return which, dist, segment
    start = np.flatnonzero(np.diff(which, prepend=-1))
    least = np.minimum.reduceat(dist, start)
    tied = dist == np.repeat(least, np.diff(np.append(start, len(dist))))
    first = np.minimum.reduceat(np.where(tied, segment, np.iinfo(np.int64).max), start)
    return which[start], least, first
