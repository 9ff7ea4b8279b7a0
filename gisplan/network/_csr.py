"""The symmetric CSR matrix of a street graph, built with one sort."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

__all__ = ["index_dtype", "symmetric_csr"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def index_dtype(n: int, entries: int) -> type[np.signedinteger]:
    """Return int32 for the indices of an n x n matrix of ``entries`` values, if they fit.

    The row pointers count up to ``entries`` and the column indices up to ``n - 1``; both
    stay below ``2**31 - 1`` for int32 (half the memory of int64), else int64.
    """
    return np.int32 if max(n, entries) < 2**31 - 1 else np.int64


def symmetric_csr(n: int, u: IntArray, v: IntArray, length: FloatArray) -> csr_matrix:
    """Symmetric n x n matrix of the shortest edge between each pair of adjacent nodes.

    Loops are left out; zero lengths are kept as explicit entries (edges of length 0).
    One sort of the node pairs finds parallel edges and gives the upper triangle row by
    row; its transpose (a counting sort) gives the lower one, whose entries come first
    in each row, so that every row's columns are sorted.
    """
    key = np.minimum(u, v).astype(np.int64)
    key *= n
    key += np.maximum(u, v)
    loop = u == v
    if loop.any():
        key, length = key[~loop], length[~loop]
    order = np.argsort(key, kind="stable")  # timsort: fast on the runs edges come in
    key, weight = key[order], length[order]
    new = np.ones(len(key), dtype=bool)
    np.not_equal(key[1:], key[:-1], out=new[1:])
    if not new.all():
        first = np.flatnonzero(new)
        key, weight = key[first], np.minimum.reduceat(weight, first)
    lo, hi = np.divmod(key, n)
    index = index_dtype(n, 2 * len(key))
    indptr = np.zeros(n + 1, dtype=index)
    np.cumsum(np.bincount(lo, minlength=n), out=indptr[1:])
    lower = csr_matrix((weight, hi.astype(index), indptr), shape=(n, n)).transpose().tocsr()
    at = np.arange(len(key))
    at += lower.indptr[lo + 1]
    upper = np.zeros(2 * len(key), dtype=bool)
    upper[at] = True
    columns = np.empty(2 * len(key), dtype=index)
    columns[at], columns[~upper] = hi, lower.indices
    data = np.empty(2 * len(key))
    data[at], data[~upper] = weight, lower.data
    return csr_matrix((data, columns, (indptr + lower.indptr).astype(index)), shape=(n, n))
