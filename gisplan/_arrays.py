"""Small array helpers shared by the network engine and the coverage grid."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["run_offsets"]


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
