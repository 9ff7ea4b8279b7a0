"""What one read of an OSM file keeps: nodes by id, ways near the box, lines, polygons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gisplan.sources import _pbf

__all__ = ["Box", "KeptLines", "KeptPolygon", "KeptRelation", "LoneNodes", "NodeStore",
           "WayStore", "lookup", "tag_dict", "texts_of"]


def lookup(sorted_ids: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64]
            ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
    """(found, index into ``sorted_ids``) of each wanted id."""
    if not len(sorted_ids):
        return np.zeros(len(wanted), dtype=bool), np.zeros(len(wanted), dtype=np.intp)
    at = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return sorted_ids[at] == wanted, at

def tag_dict(texts: list[str], pairs: Iterable[tuple[int, int]]) -> dict[str, str]:
    """Tags from (key, value) string-table indices."""
    return {texts[k]: texts[v] for k, v in pairs}

@dataclass
class KeptPolygon:
    """A closed way kept by the first pass as a polygon."""

    osm_id: int
    tags: dict[str, str]
    refs: npt.NDArray[np.int64]

@dataclass
class WayStore:
    """Node lists of ways, block by block, looked up by way id."""

    ids: list[npt.NDArray[np.int64]] = field(default_factory=list)
    counts: list[npt.NDArray[np.int64]] = field(default_factory=list)
    refs: list[npt.NDArray[np.int64]] = field(default_factory=list)
    _index: tuple[npt.NDArray[np.int64], ...] | None = None

    def add(self, ways: _pbf.Ways, chosen: npt.NDArray[np.bool_]) -> None:
        counts = np.diff(ways.ref_first)
        self.ids.append(ways.ids[chosen])
        self.counts.append(counts[chosen])
        self.refs.append(ways.refs[np.repeat(chosen, counts)])
        self._index = None

    def nodes_of(self, way_ids: npt.NDArray[np.int64]
                 ) -> tuple[npt.NDArray[np.bool_], list[npt.NDArray[np.int64]]]:
        """(found, node ids of each found way) for the given way ids."""
        if self._index is None:  # sorted by way id, made once after the last add
            ids = np.concatenate(self.ids) if self.ids else np.empty(0, np.int64)
            counts = np.concatenate(self.counts) if self.counts else np.empty(0, np.int64)
            order = np.argsort(ids, kind="stable")
            first = np.concatenate([[0], np.cumsum(counts)])
            self._index = (ids[order], first[:-1][order], first[1:][order],
                           np.concatenate(self.refs) if self.refs else np.empty(0, np.int64))
        sorted_ids, start, end, refs = self._index
        found, at = lookup(sorted_ids, way_ids)
        return found, [refs[a:b] for a, b in zip(start[at[found]].tolist(),
                                                  end[at[found]].tolist(), strict=True)]

@dataclass
class KeptRelation:
    """A multipolygon relation with a member way within the reach."""

    osm_id: int
    tags: dict[str, str]
    members: list[tuple[int, str]]
    """(way id, role) of its member ways."""

@dataclass
class KeptLines:
    """Line ways (streets, cycleways, waterways) kept by the first pass, block by block."""

    ids: list[npt.NDArray[np.int64]] = field(default_factory=list)
    kinds: list[npt.NDArray[np.bool_]] = field(default_factory=list)
    counts: list[npt.NDArray[np.int64]] = field(default_factory=list)
    refs: list[npt.NDArray[np.int64]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)

    def all_refs(self) -> npt.NDArray[np.int64]:
        return np.concatenate(self.refs) if self.refs else np.empty(0, np.int64)

class Box:
    """A WGS84 box and the arrays test against it."""

    def __init__(self, box: tuple[float, float, float, float] | None, grow: float) -> None:
        lo_x, lo_y, hi_x, hi_y = (-360.0, -90.0, 360.0, 90.0) if box is None else box
        self.bounds = (lo_x - grow, lo_y - grow, hi_x + grow, hi_y + grow)

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> npt.NDArray[np.bool_]:
        lo_x, lo_y, hi_x, hi_y = self.bounds
        return (lon >= lo_x) & (lon <= hi_x) & (lat >= lo_y) & (lat <= hi_y)

    def meets(self, xmin: np.ndarray, ymin: np.ndarray, xmax: np.ndarray, ymax: np.ndarray
              ) -> npt.NDArray[np.bool_]:
        lo_x, lo_y, hi_x, hi_y = self.bounds
        return (xmax >= lo_x) & (xmin <= hi_x) & (ymax >= lo_y) & (ymin <= hi_y)

class NodeStore:
    """Node locations kept by id (sorted once the ways begin)."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.ids = np.empty(0, np.int64)
        self.lonlat = np.empty((0, 2))
        self.sealed = False

    def add(self, ids: np.ndarray, lonlat: np.ndarray) -> None:
        self._parts.append((ids, lonlat))

    def seal(self) -> None:
        if self._parts:
            ids = np.concatenate([self.ids, *(p[0] for p in self._parts)])
            lonlat = np.concatenate([self.lonlat, *(p[1] for p in self._parts)])
            order = np.argsort(ids, kind="stable")
            self.ids, self.lonlat = ids[order], lonlat[order]
            self._parts = []
        self.sealed = True

    def find(self, refs: np.ndarray) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
        """(found, index) of each node id."""
        return lookup(self.ids, refs)

class LoneNodes:
    """Tagged nodes, and whether a way uses them: where a file without bounds has its data.

    An extract keeps the whole of every way that crosses its edge, nodes and all, but a
    node of its own (a shop, a stop) only where it lies inside: the box of the tagged
    nodes that no way uses is the box the extract was cut to.
    """

    def __init__(self) -> None:
        self.ids: list[np.ndarray] = []
        self.lonlat: list[np.ndarray] = []
        self.used = np.empty(0, np.int64)

    def add(self, ids: np.ndarray, lonlat: np.ndarray) -> None:
        self.ids.append(ids)
        self.lonlat.append(lonlat)

    def mark(self, refs: np.ndarray) -> None:
        if not self.ids:
            return
        if len(self.ids) > 1 or len(self.lonlat) > 1:
            order = np.argsort(np.concatenate(self.ids), kind="stable")
            self.ids = [np.concatenate(self.ids)[order]]
            self.lonlat = [np.concatenate(self.lonlat)[order]]
        found, at = lookup(self.ids[0], refs)
        self.used = np.union1d(self.used, at[found])

    def bounds(self) -> tuple[float, float, float, float] | None:
        if not self.ids:
            return None
        lonlat = np.concatenate(self.lonlat)
        lone = np.ones(len(lonlat), dtype=bool)
        lone[self.used] = False
        if not lone.any():
            return None
        (west, south), (east, north) = lonlat[lone].min(axis=0), lonlat[lone].max(axis=0)
        return (float(west), float(south), float(east), float(north))

def texts_of(strings: list[bytes]) -> list[str]:
    """Decode a block's string table."""
    return [t.decode("utf-8", "replace") for t in strings]
