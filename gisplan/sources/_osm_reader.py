"""Reading an OpenStreetMap file for a box: numpy over PBF blocks, libosmium for relations.

The PBF blocks are decoded into arrays (:mod:`gisplan.sources._pbf`), so that Python sees no
object one by one except those near the box. One pass keeps the nodes within the
*reach* (the box grown by :data:`REACH_DEG`), the tagged nodes in the box, and the ways
with a tag of interest whose located nodes' bounds meet the box: streets, waterways and
cycleways as vertex arrays, closed ways as polygons. Nodes of kept ways beyond the
reach are looked up in a second pass over the node blocks only. Multipolygon relations
with a member way within the reach are assembled by libosmium (pyosmium) from a small
file of their members (fetched from the file where they lie beyond the reach). What
lies outside the reach is dropped block by block, so memory grows with the box's
content, not with the file. An ``.osm`` XML file is first written as PBF by libosmium.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium
import osmium.geom
import shapely

from gisplan._arrays import run_offsets
from gisplan._errors import OsmFileError, PbfError, PbfLayoutError
from gisplan.sources import _pbf
from gisplan.sources._osm_store import (
    Box,
    KeptLines,
    KeptPolygon,
    KeptRelation,
    LoneNodes,
    NodeStore,
    WayStore,
    tag_dict,
    texts_of,
)
from gisplan.sources._osm_tags import (
    FACILITY_KEY,
    KINDS,
    NODE_KEYS,
    POLYGON_KEY_SET,
    WAY_TAG_SET,
    is_station,
    polygon_wanted,
    way_kinds,
    with_category,
)

__all__ = ["REACH_DEG", "RawOsm", "file_bounds", "read_raw"]


@dataclass
class RawOsm:
    """What one pass keeps: ways as vertex arrays, polygons, points, header facts.

    Attributes
    ----------
    way_id, way_tags, way_kind : list
        Kept ways: OSM id, a few tags, and ``"walk"``, ``"cycle"``, ``"waterway"``
        (a way may be several: one entry per kind).
    vertex_way : numpy.ndarray of int
        Index into the way lists of every vertex, ways one after another.
    vertex_id : numpy.ndarray of int
        OSM node id of every vertex.
    vertex_lonlat : numpy.ndarray, shape (n, 2)
        WGS84 longitude, latitude of every vertex.
    polygons : list of (str, dict, shapely.Geometry)
        ``(osm_id, tags, multipolygon)`` of areas with an interesting key.
    points : list of (str, dict, float, float)
        ``(osm_id, tags, lon, lat)`` of tagged nodes (stations, facilities).
    replication_time : datetime or None
        The header's ``osmosis_replication_timestamp``.
    newest_object : datetime or None
        The newest timestamp of the objects read (None when the file has none).
    data_bounds : tuple of float or None
        Box of the vertices and points seen, inside or outside the kept box.
    lone_node_bounds : tuple of float or None
        Box of the tagged nodes that no way uses (when asked for): where an extract
        without bounds was cut.
    """

    way_id: list[int] = field(default_factory=list)
    way_tags: list[dict[str, str]] = field(default_factory=list)
    way_kind: list[str] = field(default_factory=list)
    vertex_way: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    vertex_id: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    vertex_lonlat: npt.NDArray[np.float64] = field(
        default_factory=lambda: np.empty((0, 2)))
    polygons: list[tuple[str, dict[str, str], shapely.Geometry]] = field(default_factory=list)
    points: list[tuple[str, dict[str, str], float, float]] = field(default_factory=list)
    replication_time: dt.datetime | None = None
    newest_object: dt.datetime | None = None
    data_bounds: tuple[float, float, float, float] | None = None
    lone_node_bounds: tuple[float, float, float, float] | None = None

def _time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    stamp = value if isinstance(value, dt.datetime) else None
    if stamp is None:
        try:
            stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("\\", ""))
        except ValueError:
            return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp if stamp.year > 1970 else None

def _check_file(path: Path) -> None:
    if not path.exists():
        raise OsmFileError(f"OpenStreetMap file {str(path)!r} does not exist")
    name = path.name.lower()
    if not (name.endswith(".pbf") or name.endswith(".osm") or name.endswith(".osm.bz2")
            or name.endswith(".osm.gz")):
        raise OsmFileError(
            f"{str(path)!r} is not an OpenStreetMap file name: give an .osm.pbf (PBF) or "
            ".osm (XML) file, e.g. a Geofabrik extract"
        )

def _header(path: Path) -> osmium.io.Header:
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.NOTHING)
        header = reader.header()
        reader.close()
    except RuntimeError as exc:
        raise OsmFileError(
            f"{str(path)!r} is not a readable OpenStreetMap file ({exc}); check that it is "
            "an .osm.pbf or .osm XML file and that the download completed"
        ) from exc
    return header

def file_bounds(path: str | os.PathLike[str]) -> tuple[float, float, float, float] | None:
    """Return the box declared in an OSM file's header, or None when it declares none.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` or ``.osm`` file.

    Returns
    -------
    tuple of float or None
        (min_lon, min_lat, max_lon, max_lat) in WGS84.
    """
    path = Path(path)
    _check_file(path)
    box = _header(path).box()
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)

def _extend(box: list[float], xmin: float, ymin: float, xmax: float, ymax: float) -> None:
    box[0], box[1] = min(box[0], xmin), min(box[1], ymin)
    box[2], box[3] = max(box[2], xmax), max(box[3], ymax)

REACH_DEG = 0.1
"""How far beyond the box (degrees, about 10 km) nodes are kept: a polygon or member way
with a node this close can be seen to meet the box."""

class _Reader:
    """The state of one read of a PBF file for a box."""

    def __init__(self, box: tuple[float, float, float, float] | None,
                 lone: bool = False) -> None:
        self.lone = LoneNodes() if lone else None
        self.box = Box(box, 0.0)
        self.reach = Box(box, REACH_DEG)
        self.nodes = NodeStore()
        self.lines = KeptLines()
        self.polygons: list[KeptPolygon] = []
        self.points: list[tuple[str, dict[str, str], float, float]] = []
        self.near = WayStore()
        self.near_ids: npt.NDArray[np.int64] | None = None
        self.relations: list[KeptRelation] = []
        self.seen = [np.inf, np.inf, -np.inf, -np.inf]
        self.newest = 0

    def node_block(self, block: _pbf.Block) -> None:
        if self.nodes.sealed:
            raise PbfLayoutError("nodes follow ways: the file is not sorted; sort it with "
                                "`osmium sort IN -o OUT.osm.pbf`")
        texts: list[str] | None = None
        for dense in block.nodes:
            if not len(dense.ids):
                continue
            _extend(self.seen, dense.lon.min(), dense.lat.min(), dense.lon.max(), dense.lat.max())
            near = self.reach.contains(dense.lon, dense.lat)
            self.nodes.add(dense.ids[near], np.column_stack([dense.lon[near], dense.lat[near]]))
            if not len(dense.kv):
                continue
            if texts is None:
                texts = texts_of(block.strings)
            self._tagged_nodes(texts, dense)

    def _tagged_nodes(self, texts: list[str], dense: _pbf.DenseNodes) -> None:
        wanted = np.fromiter((t in NODE_KEYS for t in texts), bool, len(texts))
        kv = dense.kv
        ends = np.flatnonzero(kv == 0)
        if len(ends) != len(dense.ids):
            raise PbfError("dense node tags do not match the nodes")
        run_start = np.concatenate([[0], ends[:-1] + 1])
        node_of = np.repeat(np.arange(len(ends)), ends - run_start + 1)
        is_key = ((np.arange(len(kv)) - run_start[node_of]) % 2 == 0) & (kv != 0)
        if self.lone is not None:
            tagged = np.unique(node_of[is_key])
            self.lone.add(dense.ids[tagged], np.column_stack([dense.lon[tagged],
                                                              dense.lat[tagged]]))
        hit = np.unique(node_of[is_key & wanted[np.minimum(kv, len(wanted) - 1)]])
        hit = hit[self.box.contains(dense.lon[hit], dense.lat[hit])]
        for i in hit.tolist():
            run = kv[run_start[i]:ends[i]]
            tags = with_category(tag_dict(texts, zip(run[0::2].tolist(), run[1::2].tolist(),
                                                       strict=True)))
            if is_station(tags) or FACILITY_KEY in tags:
                self.newest = max(self.newest, int(dense.timestamp[i]))
                self.points.append((f"node/{int(dense.ids[i])}", tags, float(dense.lon[i]),
                                    float(dense.lat[i])))

    def way_block(self, block: _pbf.Block) -> None:
        if not self.nodes.sealed:
            self.nodes.seal()
        texts = texts_of(block.strings)
        for ways in block.ways:
            self._ways(texts, ways)

    def _ways(self, texts: list[str], ways: _pbf.Ways) -> None:
        if self.lone is not None:
            self.lone.mark(ways.refs)
        n = len(ways.ids)
        counts = np.diff(ways.ref_first)
        found, at = self.nodes.find(ways.refs)
        located = np.bincount(np.repeat(np.arange(n), counts)[found], minlength=n)
        self.near.add(ways, located > 0)
        tag_way = np.repeat(np.arange(n), np.diff(ways.tag_first))
        kind = way_kinds(texts, ways.keys, ways.vals, tag_way, n)
        line = kind["walk"] | kind["cycle"] | kind["waterway"]
        last = np.maximum(ways.ref_first[1:] - 1, 0)
        closed = (counts >= 4) & (ways.refs[np.minimum(ways.ref_first[:-1], last)]
                                  == ways.refs[last] if len(ways.refs) else False)
        polygon = closed & kind["polygon_key"]
        look = (line | polygon) & (located > 0)
        if not look.any():
            return
        lonlat = np.full((len(ways.refs), 2), np.nan)
        lonlat[found] = self.nodes.lonlat[at[found]]
        filled = np.flatnonzero(counts > 0)  # reduceat needs non-empty runs
        lo = np.full((n, 2), np.nan)
        hi = np.full((n, 2), np.nan)
        lo[filled] = np.fmin.reduceat(lonlat, ways.ref_first[filled], axis=0)
        hi[filled] = np.fmax.reduceat(lonlat, ways.ref_first[filled], axis=0)
        meets = look & self.box.meets(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
        self._keep_lines(texts, ways, tag_way, kind, np.flatnonzero(meets & line))
        for w in np.flatnonzero(meets & polygon).tolist():
            t0, t1 = ways.tag_first[w], ways.tag_first[w + 1]
            tags = with_category(tag_dict(texts, zip(
                ways.keys[t0:t1].tolist(), ways.vals[t0:t1].tolist(), strict=True)))
            if tags.get("area") != "no" and polygon_wanted(tags):
                self.newest = max(self.newest, int(ways.timestamp[w]))
                refs = ways.refs[ways.ref_first[w]:ways.ref_first[w + 1]]
                self.polygons.append(KeptPolygon(int(ways.ids[w]), tags, refs))

    def _keep_lines(self, texts: list[str], ways: _pbf.Ways, tag_way: np.ndarray,
                    kind: dict[str, np.ndarray], keep: np.ndarray) -> None:
        if not len(keep):
            return
        counts = np.diff(ways.ref_first)
        chosen = np.zeros(len(ways.ids), dtype=bool)
        chosen[keep] = True
        self.lines.ids.append(ways.ids[keep])
        self.lines.kinds.append(np.column_stack([kind[k][keep] for k in KINDS]))
        self.lines.counts.append(counts[keep])
        self.lines.refs.append(ways.refs[np.repeat(chosen, counts)])
        self.newest = max(self.newest, int(ways.timestamp[keep].max()))
        wanted = np.isin(ways.keys, [i for i, t in enumerate(texts) if t in WAY_TAG_SET])
        wanted &= chosen[tag_way]
        tags: dict[int, dict[str, str]] = {w: {} for w in keep.tolist()}
        for w, k, v in zip(tag_way[wanted].tolist(), ways.keys[wanted].tolist(),
                           ways.vals[wanted].tolist(), strict=True):
            tags[w][texts[k]] = texts[v]
        self.lines.tags.extend(tags.values())

    def relation_block(self, block: _pbf.Block) -> None:
        if self.near_ids is None:
            ids = self.near.ids
            self.near_ids = np.sort(np.concatenate(ids)) if ids else np.empty(0, np.int64)
        texts: list[str] | None = None
        for relations in block.relations:
            for rid, pairs, members in zip(relations.ids, relations.tags, relations.members,
                                           strict=True):
                ways = [m for t, m, _ in members if t == 1]
                if not ways or not np.isin(ways, self.near_ids).any():
                    continue
                texts = texts_of(block.strings) if texts is None else texts
                tags = tag_dict(texts, pairs)
                if (tags.get("type") in ("multipolygon", "boundary")
                        and not POLYGON_KEY_SET.isdisjoint(tags)):
                    self.relations.append(KeptRelation(rid, tags, [
                        (m, texts[r]) for t, m, r in members if t == 1]))

    def member_ways(self) -> npt.NDArray[np.int64]:
        """Ids of the member ways of the relations kept."""
        ids = [m for r in self.relations for m, _ in r.members]
        return np.unique(np.array(ids, dtype=np.int64))

    def missing_refs(self) -> np.ndarray:
        """Node ids of kept ways and relation members not located yet."""
        _, members = self.near.nodes_of(self.member_ways())
        refs = np.concatenate([self.lines.all_refs(), *(p.refs for p in self.polygons),
                               *members])
        found, _ = self.nodes.find(refs)
        return np.unique(refs[~found])

    def fetch(self, block: _pbf.Block, missing: np.ndarray) -> None:
        for dense in block.nodes:
            hit = np.isin(dense.ids, missing)
            if hit.any():
                self.nodes.add(dense.ids[hit], np.column_stack([dense.lon[hit], dense.lat[hit]]))

def _as_pbf(path: Path, folder: Path) -> Path:
    """Write an OSM XML file as PBF (libosmium, in C++)."""
    out = folder / (path.name.split(".")[0] + ".osm.pbf")
    try:
        osmium.apply(osmium.io.Reader(str(path)), osmium.SimpleWriter(str(out)))
    except RuntimeError as exc:
        raise OsmFileError(
            f"{str(path)!r} could not be read to the end ({exc}): the file is truncated or "
            "corrupt; download it again") from exc
    return out

def _scan(pbf: Path, reader: _Reader, progress: Callable[[float], None] | None) -> None:
    """Read the file: one pass, then the member ways and nodes still missing."""
    for done, block in _pbf.blocks(pbf):
        if block.nodes:
            reader.node_block(block)
        if block.ways:
            reader.way_block(block)
        if block.relations:
            reader.relation_block(block)
        if progress is not None:
            progress(done)
    if not reader.nodes.sealed:
        reader.nodes.seal()
    members = reader.member_ways()
    known, _ = reader.near.nodes_of(members)
    if not known.all():  # member ways of a relation near the box, themselves far from it
        far = members[~known]
        for _, block in _pbf.blocks(pbf, ("ways",)):
            for ways in block.ways:
                reader.near.add(ways, np.isin(ways.ids, far))
    missing = reader.missing_refs()
    if len(missing):
        for _, block in _pbf.blocks(pbf, ("nodes",)):
            reader.fetch(block, missing)
        reader.nodes.seal()

def _relation_areas(reader: _Reader, raw: RawOsm, folder: Path) -> None:
    """Assemble the kept multipolygon relations with libosmium; keep those meeting the box.

    The relations, their member ways and those ways' nodes are written to a small PBF
    file, which libosmium reads with its area assembler.
    """
    if not reader.relations:
        return
    members = reader.member_ways()
    found, node_lists = reader.near.nodes_of(members)
    small = folder / "relations.osm.pbf"
    writer = osmium.SimpleWriter(str(small))
    try:
        refs = np.unique(np.concatenate(node_lists)) if node_lists else np.empty(0, np.int64)
        located, at = reader.nodes.find(refs)
        for node_id, (lon, lat) in zip(refs[located].tolist(),
                                       reader.nodes.lonlat[at[located]].tolist(), strict=True):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat)))
        for way_id, nodes in zip(members[found].tolist(), node_lists, strict=True):
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=nodes.tolist()))
        for relation in reader.relations:
            writer.add_relation(osmium.osm.mutable.Relation(
                id=relation.osm_id, tags=relation.tags,
                members=[("w", m, role) for m, role in relation.members]))
    finally:
        writer.close()
    wkb = osmium.geom.WKBFactory()
    processor = (osmium.FileProcessor(str(small)).with_areas()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.AREA)))
    for area in processor:
        if not isinstance(area, osmium.osm.Area) or area.from_way():
            continue
        tags = with_category(dict(area.tags))
        if not polygon_wanted(tags):
            continue
        try:
            shape = shapely.from_wkb(wkb.create_multipolygon(area))
        except RuntimeError:
            continue  # broken multipolygon: libosmium could not assemble it
        xmin, ymin, xmax, ymax = shape.bounds
        if reader.box.meets(np.array(xmin), np.array(ymin), np.array(xmax), np.array(ymax)):
            raw.polygons.append((f"relation/{area.orig_id()}", tags, shape))

def _closed_way_polygons(reader: _Reader, raw: RawOsm) -> None:
    """Polygons of the kept closed ways whose every node is located (valid rings only)."""
    ways = reader.polygons
    if not ways:
        return
    refs = np.concatenate([w.refs for w in ways])
    found, at = reader.nodes.find(refs)
    owner = np.repeat(np.arange(len(ways)), [len(w.refs) for w in ways])
    complete = np.bincount(owner, weights=~found, minlength=len(ways)) == 0
    keep = complete[owner]
    rings = shapely.linearrings(reader.nodes.lonlat[at[keep]],
                                indices=np.unique(owner[keep], return_inverse=True)[1])
    polygons = shapely.polygons(rings)
    shapes = shapely.multipolygons(polygons, indices=np.arange(len(polygons)))
    valid = shapely.is_valid(shapes)
    for way, shape, ok in zip(np.flatnonzero(complete).tolist(), shapes, valid, strict=True):
        if ok:
            raw.polygons.append((f"way/{ways[way].osm_id}", ways[way].tags, shape))

def _line_ways(reader: _Reader, raw: RawOsm) -> None:
    """Vertex arrays of the kept line ways, one entry per kind (located nodes only)."""
    lines = reader.lines
    if not lines.ids:
        return
    ids = np.concatenate(lines.ids)
    kinds = np.concatenate(lines.kinds)
    counts = np.concatenate(lines.counts)
    refs = lines.all_refs()
    found, at = reader.nodes.find(refs)
    owner = np.repeat(np.arange(len(ids)), counts)
    located = np.bincount(owner[found], minlength=len(ids))
    way, kind = np.nonzero(kinds & (located >= 2)[:, None])  # way after way, kinds in order
    raw.way_id = ids[way].tolist()
    raw.way_kind = [KINDS[k] for k in kind.tolist()]
    raw.way_tags = [lines.tags[w] for w in way.tolist()]
    first = np.concatenate([[0], np.cumsum(counts)])
    run = np.repeat(first[way], counts[way]) + run_offsets(counts[way])
    run = run[found[run]]
    raw.vertex_way = np.repeat(np.arange(len(way), dtype=np.int64), located[way])
    raw.vertex_id = refs[run]
    raw.vertex_lonlat = reader.nodes.lonlat[at[run]]

def read_raw(
    path: str | os.PathLike[str],
    box: tuple[float, float, float, float] | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    lone_nodes: bool = False,
) -> RawOsm:
    """Read an OSM file, keeping the ways, polygons and points touching ``box``.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` or ``.osm`` file.
    box : tuple of float, optional
        (min_lon, min_lat, max_lon, max_lat) in WGS84; None keeps everything.
    progress : callable, optional
        Called after each block with the share of the file read so far (0 to 1).
    lone_nodes : bool, optional
        Also find the box of the tagged nodes no way uses (``RawOsm.lone_node_bounds``),
        where a file without bounds has its data.

    Returns
    -------
    RawOsm

    Raises
    ------
    OsmFileError
        For a file that is missing, not OSM, truncated or corrupt.
    """
    path = Path(path)
    _check_file(path)
    header = _header(path)
    raw = RawOsm()
    raw.replication_time = _time(header.get("osmosis_replication_timestamp") or None)
    reader = _Reader(box, lone_nodes)
    with tempfile.TemporaryDirectory(prefix="gisplan-osm-") as folder:
        pbf = path if path.name.lower().endswith(".pbf") else _as_pbf(path, Path(folder))
        try:
            _scan(pbf, reader, progress)
            _relation_areas(reader, raw, Path(folder))
        except PbfLayoutError as exc:
            raise OsmFileError(f"{str(path)!r} cannot be read as it is: {exc}") from exc
        except (PbfError, RuntimeError) as exc:
            raise OsmFileError(
                f"{str(path)!r} could not be read to the end ({exc}): the file is truncated "
                "or corrupt; download it again (compare its checksum with the provider's "
                ".md5)") from exc
    _closed_way_polygons(reader, raw)
    _line_ways(reader, raw)
    raw.points = reader.points
    seen = reader.seen
    for _, _, shape in raw.polygons:
        _extend(seen, *shape.bounds)
    for _, _, lon, lat in raw.points:
        _extend(seen, lon, lat, lon, lat)
    raw.newest_object = (_time(dt.datetime.fromtimestamp(reader.newest, dt.UTC))
                         if reader.newest else None)
    if np.isfinite(seen[0]):
        raw.data_bounds = (seen[0], seen[1], seen[2], seen[3])
    if reader.lone is not None:
        raw.lone_node_bounds = reader.lone.bounds()
    return raw
