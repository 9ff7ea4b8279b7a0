"""Small array helpers shared by the network engine and the coverage grid."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

__all__ = ["grid_buckets", "group_by", "run_offsets"]


def run_offsets(counts: npt.NDArray[np.integer], dtype: npt.DTypeLike = np.int64
                ) -> npt.NDArray[np.integer]:
    """Position of every element within its run, for runs of the given lengths.

    ``run_offsets([2, 0, 3])`` is ``[0, 1, 0, 1, 2]``; add ``np.repeat(starts, counts)``
    to get the concatenated ranges ``starts[i] : starts[i] + counts[i]``.
    """
    counts = np.asarray(counts)
    ends = np.cumsum(counts, dtype=dtype)
    total = ends[-1] if len(ends) else 0
    return np.arange(total, dtype=dtype) - np.repeat((ends - counts).astype(dtype), counts)


def grid_buckets(x: npt.NDArray[np.floating], y: npt.NDArray[np.floating],
                 origin: npt.NDArray[np.float64], size: float
                 ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Sort points into square cells of width ``size`` from ``origin`` (no point below it).

    Returns ``(shape, cell_start, order)``: the points of cell ``(i, j)`` are
    ``order[cell_start[k]:cell_start[k + 1]]``, ``k = i * shape[1] + j``, in their
    original order; ``shape`` is the number of cells along x and y that hold points.
    """
    column = _cell_of(x, origin[0], size)
    row = _cell_of(y, origin[1], size)
    shape = np.array([column.max() + 1, row.max() + 1] if len(column) else [1, 1])
    key = column
    key *= shape[1]
    key += row
    start, order = group_by(key, int(shape.prod()))
    return shape, start, order


def group_by(key: npt.NDArray[np.integer], n_keys: int
             ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Group positions by their key (0 .. ``n_keys`` - 1), by counting rather than sorting.

    Returns ``(start, order)``: the positions holding key ``k`` are
    ``order[start[k]:start[k + 1]]``, ascending. The counting is scipy's conversion of
    a sparse matrix with one entry per position, in the key's column, to columns.
    """
    index = np.int32 if max(len(key), n_keys) < 2**31 - 1 else np.int64
    by_position = csr_matrix((np.ones(len(key), dtype=bool), key.astype(index),
                              np.arange(len(key) + 1, dtype=index)), shape=(len(key), n_keys))
    by_key = by_position.tocsc()
    return by_key.indptr.astype(np.int64), by_key.indices.astype(np.int64)


def _cell_of(values: npt.NDArray[np.floating], low: float, size: float) -> npt.NDArray[np.int64]:
    scaled = values - low
    scaled /= size
    return scaled.astype(np.int64)  # truncation is floor: values are not below low
