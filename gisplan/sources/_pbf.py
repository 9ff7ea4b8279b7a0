"""OpenStreetMap PBF blocks decoded into numpy arrays, without a Python call per object.

A PBF file is a sequence of blobs (a 4-byte length, a ``BlobHeader`` and a zlib
compressed ``Blob``); each data blob holds a ``PrimitiveBlock``: a string table and
groups of dense nodes, ways or relations (https://wiki.openstreetmap.org/wiki/PBF_Format).
Packed fields (node ids and coordinates, way node lists, tag indices) are decoded for
a whole block at once: varints are found by their terminating bytes and summed per
value with numpy. The fields of the thousands of ``Way`` messages of a group are read
in lockstep, one field of every message per numpy step.
"""

from __future__ import annotations

import lzma
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gisplan._arrays import run_offsets
from gisplan._errors import PbfError, PbfLayoutError

__all__ = ["Block", "DenseNodes", "Relations", "Ways", "blocks"]

IntArray = npt.NDArray[np.int64]
UIntArray = npt.NDArray[np.uint64]
ByteArray = npt.NDArray[np.uint8]

MAX_HEADER_BYTES = 64 * 1024
"""Largest ``BlobHeader`` the format allows."""
MAX_BLOB_BYTES = 32 * 1024 * 1024
"""Largest ``Blob`` the format allows (compressed or not)."""
_PAD = bytes(10)
"""Zero bytes after a buffer, so that a varint read never runs off its end."""


@dataclass
class DenseNodes:
    """Nodes of one block: ids, WGS84 coordinates, tags and timestamps.

    Attributes
    ----------
    ids : numpy.ndarray of int64
    lon, lat : numpy.ndarray of float64
    kv : numpy.ndarray of int64
        The block's ``keys_vals``: for each node, string indices key, value, ..., then 0.
    timestamp : numpy.ndarray of int64
        Seconds since 1970 (0 when the file has none).
    """

    ids: IntArray
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    kv: IntArray
    timestamp: IntArray


@dataclass
class Ways:
    """Ways of one block.

    Attributes
    ----------
    ids : numpy.ndarray of int64
    ref_first : numpy.ndarray of int64
        The node ids of way ``w`` are ``refs[ref_first[w]:ref_first[w + 1]]``.
    refs : numpy.ndarray of int64
    tag_first : numpy.ndarray of int64
        The tags of way ``w`` are ``keys[t], vals[t]`` for ``t`` in
        ``tag_first[w]:tag_first[w + 1]`` (string-table indices).
    keys, vals : numpy.ndarray of int64
    timestamp : numpy.ndarray of int64
        Seconds since 1970 (0 when the file has none).
    """

    ids: IntArray
    ref_first: IntArray
    refs: IntArray
    tag_first: IntArray
    keys: IntArray
    vals: IntArray
    timestamp: IntArray


@dataclass
class Relations:
    """Relations of one block (few: read one by one).

    Attributes
    ----------
    ids : list of int
    tags : list of list of (int, int)
        String-table indices of each relation's keys and values.
    members : list of list of (int, int, int)
        ``(type, id, role string index)`` of each member; type 0 node, 1 way, 2 relation.
    """

    ids: list[int]
    tags: list[list[tuple[int, int]]]
    members: list[list[tuple[int, int, int]]]


@dataclass
class Block:
    """One ``PrimitiveBlock``: its string table and what its groups hold."""

    strings: list[bytes]
    nodes: list[DenseNodes]
    ways: list[Ways]
    relations: list[Relations]


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Read one varint at ``pos``: (value, position after it)."""
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Yield ``(field, wire type, value or start, end)`` of a message's fields.

    For varints, ``value`` is the value (``end`` is -1); for length-delimited fields,
    ``start, end`` bound the bytes.
    """
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield field, wire, value, -1
        elif wire == 2:
            size, pos = _varint(buf, pos)
            yield field, wire, pos, pos + size
            pos += size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise PbfError(f"unknown protobuf wire type {wire}")
    if pos != end:
        raise PbfError("a message runs past its end")


def _zigzag(values: UIntArray) -> IntArray:
    return (values >> np.uint64(1)).astype(np.int64) ^ -(values & np.uint64(1)).astype(np.int64)


def packed_varints(data: ByteArray) -> tuple[UIntArray, npt.NDArray[np.bool_]]:
    """Decode consecutive varints; also return which bytes end a varint."""
    ends = data < 0x80
    if not len(data):
        return np.empty(0, np.uint64), ends
    if not ends[-1]:
        raise PbfError("a packed field ends inside a number")
    last = np.flatnonzero(ends)
    first = np.empty_like(last)
    first[0] = 0
    first[1:] = last[:-1] + 1
    shift = (np.arange(len(data)) - np.repeat(first, last - first + 1)) * 7
    parts = (data & 0x7F).astype(np.uint64) << shift.astype(np.uint64)
    return np.bitwise_or.reduceat(parts, first), ends


def _spans(buf: ByteArray, start: IntArray, end: IntArray) -> tuple[UIntArray, IntArray]:
    """Decode the packed varints of many spans: (values, count per span)."""
    lengths = end - start
    data = buf[np.repeat(start, lengths) + run_offsets(lengths)]
    values, ends = packed_varints(data)
    terminators = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(ends, out=terminators[1:])
    bounds = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return values, np.diff(terminators[bounds])


def _varints_at(buf: ByteArray, pos: IntArray) -> tuple[UIntArray, IntArray]:
    """Read one varint at each position: (values, positions after them)."""
    byte = buf[pos]
    value = (byte & 0x7F).astype(np.uint64)
    size = np.ones(len(pos), dtype=np.int64)
    more = np.flatnonzero(byte >= 0x80)
    shift = np.uint64(7)
    while len(more):  # one step per byte of the longest varint (most take one or two)
        byte = buf[pos[more] + size[more]]
        value[more] |= (byte & 0x7F).astype(np.uint64) << shift
        size[more] += 1
        more = more[byte >= 0x80]
        shift += np.uint64(7)
    return value, pos + size


def _message_fields(buf: ByteArray, start: IntArray, end: IntArray, varint_fields: set[int],
                    span_fields: set[int]) -> dict[int, tuple[IntArray, ...]]:
    """Read the fields of many messages in lockstep.

    Returns, per wanted field, ``(value,)`` for varint fields (0 where absent) or
    ``(start, end)`` for length-delimited ones (empty where absent).
    """
    n = len(start)
    out: dict[int, tuple[IntArray, ...]] = {f: (np.zeros(n, np.int64),) for f in varint_fields}
    out.update({f: (np.zeros(n, np.int64), np.zeros(n, np.int64)) for f in span_fields})
    pos = start.copy()
    active = np.flatnonzero(pos < end)
    while len(active):
        key, after = _varints_at(buf, pos[active])
        field, wire = (key >> np.uint64(3)).astype(np.int64), (key & np.uint64(7)).astype(int)
        if np.any((wire != 0) & (wire != 1) & (wire != 2) & (wire != 5)):
            raise PbfError("unknown protobuf wire type in a way or node message")
        value, after_value = _varints_at(buf, after)
        is_varint, is_span = wire == 0, wire == 2
        # compared unsigned: a length of 2**63 or more would be negative as int64
        room = np.maximum(end[active] - after_value, 0).astype(np.uint64)
        if np.any(is_span & (value > room)):
            raise PbfError("a field of a way or node message runs past the end of its message")
        for f in varint_fields:
            hit = is_varint & (field == f)
            out[f][0][active[hit]] = value[hit].astype(np.int64)
        for f in span_fields:
            hit = is_span & (field == f)
            out[f][0][active[hit]] = after_value[hit]
            out[f][1][active[hit]] = after_value[hit] + value[hit].astype(np.int64)
        step = np.select([is_varint, is_span, wire == 1], [
            after_value, after_value + value.astype(np.int64), after + 8], after + 4)
        pos[active] = step
        active = active[pos[active] < end[active]]
    if np.any(pos != end):
        raise PbfError("a way message runs past its end")
    return out


def _read_blob(handle: object, path: Path) -> tuple[str, bytes] | None:
    read = handle.read  # type: ignore[attr-defined]
    head = read(4)
    if not head:
        return None
    if len(head) < 4:
        raise PbfError("the file ends inside a blob header length")
    size = int.from_bytes(head, "big")
    if size > MAX_HEADER_BYTES:
        raise PbfError(f"a blob header claims {size} bytes (at most {MAX_HEADER_BYTES})")
    header = read(size)
    if len(header) < size:
        raise PbfError("the file ends inside a blob header")
    kind, data_size = "", -1
    for field, _, value, end in _fields(header, 0, size):
        if field == 1:
            kind = header[value:end].decode("utf-8", "replace")
        elif field == 3:
            data_size = value
    if not 0 <= data_size <= MAX_BLOB_BYTES:
        raise PbfError(f"a blob claims {data_size} bytes (at most {MAX_BLOB_BYTES})")
    blob = read(data_size)
    if len(blob) < data_size:
        raise PbfError("the file ends inside a data blob")
    return kind, blob


def _decompress(blob: bytes) -> bytes:
    raw_size, payload = -1, None
    for field, _, value, end in _fields(blob, 0, len(blob)):
        if field == 2:
            raw_size = value
        elif field in (1, 3, 4):
            payload = (field, blob[value:end])
        elif field in (5, 6, 7):
            name = {5: "bzip2", 6: "lz4", 7: "zstd"}[field]
            raise PbfLayoutError(f"the file uses {name} compression, which this reader does not "
                           "read; convert it with `osmium cat IN -o OUT.osm.pbf` (zlib)")
    if payload is None:
        raise PbfError("a blob holds no data")
    field, data = payload
    try:
        if field == 3:
            data = zlib.decompress(data)
        elif field == 4:
            data = lzma.decompress(data)
    except (zlib.error, lzma.LZMAError) as exc:
        raise PbfError(f"a data block does not decompress ({exc})") from exc
    if raw_size >= 0 and len(data) != raw_size:
        raise PbfError("a data block decompresses to the wrong size")
    return data


def _dense(buf: ByteArray, raw: bytes, start: int, end: int, scale: tuple[int, int, int, int]
           ) -> DenseNodes:
    granularity, lat_offset, lon_offset, date_granularity = scale
    spans: dict[int, tuple[int, int]] = {}
    for field, wire, value, stop in _fields(raw, start, end):
        if wire == 2:
            spans[field] = (value, stop)

    def packed(field: int) -> UIntArray:
        if field not in spans:
            return np.empty(0, np.uint64)
        a, b = spans[field]
        return packed_varints(buf[a:b])[0]

    ids = np.cumsum(_zigzag(packed(1)))
    lat = np.cumsum(_zigzag(packed(8)))
    lon = np.cumsum(_zigzag(packed(9)))
    if not (len(ids) == len(lat) == len(lon)):
        raise PbfError("a dense node group has ids and coordinates of different lengths")
    kv = packed(10).astype(np.int64)
    timestamp = np.zeros(len(ids), np.int64)
    if 5 in spans:
        for field, wire, value, stop in _fields(raw, *spans[5]):
            if field == 2 and wire == 2:
                stamps = np.cumsum(_zigzag(packed_varints(buf[value:stop])[0]))
                if len(stamps) == len(ids):
                    timestamp = stamps * date_granularity // 1000
    lon_deg = ((lon_offset + granularity * lon) * 1e-9).astype(np.float64)
    lat_deg = ((lat_offset + granularity * lat) * 1e-9).astype(np.float64)
    return DenseNodes(ids, lon_deg, lat_deg, kv, timestamp)


def _framed(raw: bytes, start: int, end: int, key: int) -> tuple[IntArray, IntArray]:
    """Bounds of the entries of one repeated field (tag byte ``key``) filling a message."""
    starts, ends = [], []
    pos = start
    while pos < end:
        if raw[pos] != key:
            raise PbfError("a group or string table holds more than one kind of entry")
        size = raw[pos + 1]
        if size < 0x80:  # most objects are under 128 bytes ...
            pos += 2
        elif raw[pos + 2] < 0x80:  # ... or under 16 kB
            size = (size & 0x7F) | (raw[pos + 2] << 7)
            pos += 3
        else:
            size, pos = _varint(raw, pos + 1)
        starts.append(pos)
        pos += size
        ends.append(pos)
    if pos != end:
        raise PbfError("a group runs past its end")
    return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


def _plain_nodes(buf: ByteArray, raw: bytes, start: int, end: int,
                 scale: tuple[int, int, int, int]) -> DenseNodes:
    """Decode a group of ``Node`` messages (not dense) into the arrays of dense nodes."""
    granularity, lat_offset, lon_offset, date_granularity = scale
    s, e = _framed(raw, start, end, 0x0A)
    fields = _message_fields(buf, s, e, {1, 8, 9}, {2, 3, 4})
    keys, key_count = _spans(buf, *fields[2])
    vals, val_count = _spans(buf, *fields[3])
    if np.any(key_count != val_count):
        raise PbfError("a node has different numbers of tag keys and values")
    kv = np.zeros(2 * len(keys) + len(s), dtype=np.int64)  # key, value, ..., 0 per node
    node_start = np.cumsum(2 * key_count + 1) - (2 * key_count + 1)
    at = np.repeat(node_start, key_count) + 2 * run_offsets(key_count)
    kv[at], kv[at + 1] = keys.astype(np.int64), vals.astype(np.int64)
    info_start, info_end = fields[4]
    info = _message_fields(buf, info_start, info_end, {2}, set())

    def signed(field: int) -> IntArray:
        return _zigzag(fields[field][0].astype(np.uint64))

    return DenseNodes(signed(1), ((lon_offset + granularity * signed(9)) * 1e-9).astype(
        np.float64), ((lat_offset + granularity * signed(8)) * 1e-9).astype(np.float64), kv,
        info[2][0] * date_granularity // 1000)


def _ways(buf: ByteArray, raw: bytes, start: int, end: int, date_granularity: int) -> Ways:
    s, e = _framed(raw, start, end, 0x1A)
    fields = _message_fields(buf, s, e, {1}, {2, 3, 4, 8})
    refs, ref_count = _spans(buf, *fields[8])
    ref_first = np.zeros(len(s) + 1, dtype=np.int64)
    np.cumsum(ref_count, out=ref_first[1:])
    keys, key_count = _spans(buf, *fields[2])
    vals, val_count = _spans(buf, *fields[3])
    if np.any(key_count != val_count):
        raise PbfError("a way has different numbers of tag keys and values")
    tag_first = np.zeros(len(s) + 1, dtype=np.int64)
    np.cumsum(key_count, out=tag_first[1:])
    info_start, info_end = fields[4]
    info = _message_fields(buf, info_start, info_end, {2}, set())
    return Ways(fields[1][0], ref_first, _run_cumsum(_zigzag(refs), ref_count), tag_first,
                keys.astype(np.int64), vals.astype(np.int64),
                info[2][0] * date_granularity // 1000)


def _strings(raw: bytes, start: int, end: int) -> list[bytes]:
    """Read a ``StringTable`` (field 1, repeated bytes) between ``start`` and ``end``."""
    first, last = _framed(raw, start, end, 0x0A)
    return [raw[a:b] for a, b in zip(first.tolist(), last.tolist(), strict=True)]


def _run_cumsum(deltas: IntArray, counts: IntArray) -> IntArray:
    """Cumulative sums restarting at each run (delta-coded values, run after run)."""
    total = np.cumsum(deltas)
    if not len(total):
        return total
    first = np.cumsum(counts) - counts
    nonempty = counts > 0
    base = total[first[nonempty]] - deltas[first[nonempty]]
    return total - np.repeat(base, counts[nonempty])


def _relations(raw: bytes, start: int, end: int) -> tuple[list[int], list[list[tuple[int, int]]],
                                                          list[list[tuple[int, int, int]]]]:
    ids, tags, members = [], [], []
    for field, _, value, stop in _fields(raw, start, end):
        if field != 4:
            continue
        rid = 0
        keys: list[int] = []
        vals: list[int] = []
        roles: list[int] = []
        memids: list[int] = []
        types: list[int] = []
        for f, wire, v, b in _fields(raw, value, stop):
            if f == 1 and wire == 0:
                rid = v
            elif wire == 2 and f in (2, 3, 8, 9, 10):
                numbers = packed_varints(np.frombuffer(raw, np.uint8, b - v, v))[0]
                if f == 9:
                    numbers = np.cumsum(_zigzag(numbers))
                {2: keys, 3: vals, 8: roles, 9: memids, 10: types}[f].extend(numbers.tolist())
        if len(keys) != len(vals):
            raise PbfError("a relation has different numbers of tag keys and values")
        if not len(roles) == len(memids) == len(types):
            raise PbfError("a relation has different numbers of member roles, ids and types")
        ids.append(rid)
        tags.append(list(zip(keys, vals, strict=True)))
        members.append(list(zip(types, memids, roles, strict=True)))
    return ids, tags, members


KINDS = ("nodes", "ways", "relations")
"""What a group holds, in the order of a sorted file."""
_GROUP_FIELD = {1: "nodes", 2: "nodes", 3: "ways", 4: "relations"}


def _block(raw: bytes, kinds: frozenset[str]) -> tuple[Block, int]:
    """Decode the groups of the wanted kinds; also return the rank of the last kind seen."""
    buf = np.frombuffer(raw + _PAD, dtype=np.uint8)
    strings: list[bytes] = []
    groups: list[tuple[int, int]] = []
    granularity, lat_offset, lon_offset, date_granularity = 100, 0, 0, 1000
    for field, _, value, end in _fields(raw, 0, len(raw)):
        if field == 1:
            strings = _strings(raw, value, end)
        elif field == 2:
            groups.append((value, end))
        elif field == 17:
            granularity = value
        elif field == 18:
            date_granularity = value
        elif field == 19:
            lat_offset = _signed(value)
        elif field == 20:
            lon_offset = _signed(value)
    block = Block(strings, [], [], [])
    scale = (granularity, lat_offset, lon_offset, date_granularity)
    last = -1
    for start, end in groups:
        if start == end:
            continue
        kind = _varint(raw, start)[0] >> 3  # a group holds one kind of object
        name = _GROUP_FIELD.get(kind)
        if name is None:
            continue  # changesets
        last = max(last, KINDS.index(name))
        if name not in kinds:
            continue
        if kind == 1:
            block.nodes.append(_plain_nodes(buf, raw, start, end, scale))
        elif kind == 2:
            for field, wire, value, stop in _fields(raw, start, end):
                if field == 2 and wire == 2:
                    block.nodes.append(_dense(buf, raw, value, stop, scale))
        elif kind == 3:
            block.ways.append(_ways(buf, raw, start, end, date_granularity))
        elif kind == 4:
            block.relations.append(Relations(*_relations(raw, start, end)))
    return block, last


def _signed(value: int) -> int:
    """Return the ``int64`` read as an unsigned varint."""
    return value - (1 << 64) if value >= 1 << 63 else value


def blocks(path: str | os.PathLike[str], kinds: Iterable[str] = KINDS
           ) -> Iterator[tuple[float, Block]]:
    """Yield ``(share of the file read, block)`` for each data block of a PBF file.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` file.
    kinds : iterable of str, optional
        Which of :data:`KINDS` to decode; the others are skipped, and reading stops
        after the last wanted kind (files are sorted: nodes, ways, relations).

    Raises
    ------
    PbfError
        Truncated or corrupt file, or a compression or layout this reader lacks.
    """
    path = Path(path)
    wanted = frozenset(kinds)
    stop_after = max(KINDS.index(k) for k in wanted)
    size = max(path.stat().st_size, 1)
    with path.open("rb") as handle:
        while (item := _read_blob(handle, path)) is not None:
            kind, blob = item
            if kind != "OSMData":
                continue
            block, last = _block(_decompress(blob), wanted)
            if block.nodes or block.ways or block.relations:
                yield handle.tell() / size, block
            if last > stop_after:
                return
