"""The PBF decoder on files written byte by byte from the format's specification.

Each file is encoded here from the .proto definitions of the OSM PBF format (fileformat.proto
and osmformat.proto), with values chosen so that every decoded number can be checked by
hand: offsets and granularities other than the defaults, a timestamp granularity of 500 ms,
no key/value list, fields of wire types 1 and 5 that a reader must skip, three compressions.
"""

import lzma
import zlib

import numpy as np
import pytest

from gisplan._errors import PbfError
from gisplan.sources import _pbf

# ---------------------------------------------------------------- protobuf encoding


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64 values are written in two's complement
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def key(field: int, wire: int) -> bytes:
    return varint(field << 3 | wire)


def f_varint(field: int, value: int) -> bytes:
    return key(field, 0) + varint(value)


def f_bytes(field: int, data: bytes) -> bytes:
    return key(field, 2) + varint(len(data)) + data


def f_packed(field: int, values, signed: bool = False, delta: bool = False) -> bytes:
    values = list(values)
    if delta:
        values = [v - p for v, p in zip(values, [0, *values], strict=False)]
    return f_bytes(field, b"".join(varint(zigzag(v) if signed else v) for v in values))


def blob_file(blocks: list[bytes], compression: str = "zlib") -> bytes:
    out = b""
    for raw in blocks:
        if compression == "none":
            blob = f_bytes(1, raw)
        elif compression == "zlib":
            blob = f_varint(2, len(raw)) + f_bytes(3, zlib.compress(raw))
        else:
            blob = f_varint(2, len(raw)) + f_bytes(4, lzma.compress(raw))
        header = f_bytes(1, b"OSMData") + f_varint(3, len(blob))
        out += len(header).to_bytes(4, "big") + header + blob
    return out


STRINGS = [b"", b"highway", b"footway", b"name", b"\xe8\xb7\xaf", b"outer", b"type",
           b"multipolygon"]
GRANULARITY, LAT_OFFSET, LON_OFFSET, DATE_GRANULARITY = 1000, -1_000_000_000, 2_000_000_000, 500


def block(*groups: bytes) -> bytes:
    table = f_bytes(1, b"".join(f_bytes(1, s) for s in STRINGS))
    return (table + b"".join(f_bytes(2, g) for g in groups) + f_varint(17, GRANULARITY)
            + f_varint(18, DATE_GRANULARITY) + f_varint(19, LAT_OFFSET)
            + f_varint(20, LON_OFFSET))


def units(lon: float, lat: float) -> tuple[int, int]:
    """The stored numbers of a position: degrees = (offset + granularity * units) * 1e-9."""
    return (round((lon * 1e9 - LON_OFFSET) / GRANULARITY),
            round((lat * 1e9 - LAT_OFFSET) / GRANULARITY))


DENSE = [(10, 104.25, 30.5, 2000), (12, 104.251, 30.499, 2002), (11, 104.0, -0.25, 2001)]


def dense_group(with_kv: bool = False) -> bytes:
    ids = [n[0] for n in DENSE]
    lon, lat = zip(*(units(n[1], n[2]) for n in DENSE), strict=True)
    info = f_packed(1, [1, 1, 1]) + f_packed(2, [n[3] for n in DENSE], signed=True, delta=True)
    body = (f_packed(1, ids, signed=True, delta=True) + f_bytes(5, info)
            + f_packed(8, lat, signed=True, delta=True) + f_packed(9, lon, signed=True,
                                                                 delta=True))
    if with_kv:
        body += f_packed(10, [1, 2, 0, 0, 3, 4, 0])
    return f_bytes(2, body)


def plain_node(node_id, lon, lat, stamp, tags=()) -> bytes:
    x, y = units(lon, lat)
    return f_bytes(1, f_varint(1, zigzag(node_id)) + f_packed(2, [k for k, _ in tags])
                   + f_packed(3, [v for _, v in tags]) + f_bytes(4, f_varint(2, stamp))
                   + f_varint(8, zigzag(y)) + f_varint(9, zigzag(x)))


def way(way_id, refs, tags=(), stamp=0, extra=b"") -> bytes:
    return f_bytes(3, f_varint(1, way_id) + f_packed(2, [k for k, _ in tags])
                   + f_packed(3, [v for _, v in tags]) + f_bytes(4, f_varint(2, stamp))
                   + extra + f_packed(8, refs, signed=True, delta=True))


def relation(rel_id, tags, members) -> bytes:
    return f_bytes(4, f_varint(1, rel_id) + f_packed(2, [k for k, _ in tags])
                   + f_packed(3, [v for _, v in tags])
                   + f_packed(8, [r for _, _, r in members])
                   + f_packed(9, [m for _, m, _ in members], signed=True, delta=True)
                   + f_packed(10, [t for t, _, _ in members]))


FIXED64 = key(15, 1) + bytes(range(8))  # unknown fields a reader must skip
FIXED32 = key(14, 5) + bytes(range(4))
WAYS = (way(7, [10, 12, 11, 10], [(1, 2), (3, 4)], 3000, FIXED64)
        + way(8, [], stamp=5) + way(9, [12], [(1, 2)], 7, FIXED32)
        + way(2**40, [11, 10], stamp=9))


def write(tmp_path, raw_blocks, compression="zlib", name="hand.osm.pbf"):
    path = tmp_path / name
    path.write_bytes(blob_file(raw_blocks, compression))
    return path


def decoded(path, kinds=_pbf.KINDS):
    return [b for _, b in _pbf.blocks(path, kinds)]


# ---------------------------------------------------------------------- tests


@pytest.mark.parametrize("compression", ["none", "zlib", "lzma"])
def test_dense_nodes_with_offsets_and_a_timestamp_granularity(tmp_path, compression):
    (found,) = decoded(write(tmp_path, [block(dense_group())], compression))
    assert found.strings == STRINGS
    (nodes,) = found.nodes
    assert nodes.ids.tolist() == [10, 12, 11]
    np.testing.assert_allclose(nodes.lon, [104.25, 104.251, 104.0], atol=1e-12)
    np.testing.assert_allclose(nodes.lat, [30.5, 30.499, -0.25], atol=1e-12)
    # 2000, 2002 and 2001 units of 500 ms
    assert nodes.timestamp.tolist() == [1000, 1001, 1000]
    assert nodes.timestamp.dtype == np.int64 and nodes.lon.dtype == np.float64
    assert nodes.kv.tolist() == []  # no node has tags: the group has no key/value list


def test_dense_node_tags(tmp_path):
    (found,) = decoded(write(tmp_path, [block(dense_group(with_kv=True))]))
    assert found.nodes[0].kv.tolist() == [1, 2, 0, 0, 3, 4, 0]


def test_plain_nodes(tmp_path):
    group = (plain_node(-5, 104.5, 30.25, 4000, [(1, 2), (3, 4)])
             + plain_node(6, 103.999, 31.0, 4001) + plain_node(2**35, 104.0, 30.0, 9, [(6, 7)]))
    (found,) = decoded(write(tmp_path, [block(group)]))
    (nodes,) = found.nodes
    assert nodes.ids.tolist() == [-5, 6, 2**35]
    np.testing.assert_allclose(nodes.lon, [104.5, 103.999, 104.0], atol=1e-12)
    np.testing.assert_allclose(nodes.lat, [30.25, 31.0, 30.0], atol=1e-12)
    assert nodes.kv.tolist() == [1, 2, 3, 4, 0, 0, 6, 7, 0]
    assert nodes.timestamp.tolist() == [2000, 2000, 4]
    assert nodes.timestamp.dtype == np.int64 and nodes.lat.dtype == np.float64


def test_ways_skip_fixed_width_fields(tmp_path):
    (found,) = decoded(write(tmp_path, [block(WAYS)]))
    (ways,) = found.ways
    assert ways.ids.tolist() == [7, 8, 9, 2**40]
    assert ways.ref_first.tolist() == [0, 4, 4, 5, 7]
    assert ways.refs.tolist() == [10, 12, 11, 10, 12, 11, 10]
    assert ways.tag_first.tolist() == [0, 2, 2, 3, 3]
    assert ways.keys.tolist() == [1, 3, 1] and ways.vals.tolist() == [2, 4, 2]
    assert ways.timestamp.tolist() == [1500, 2, 3, 4]
    assert ways.keys.dtype == ways.timestamp.dtype == np.int64


def test_relations(tmp_path):
    group = (relation(3, [(6, 7)], [(1, 7, 5), (1, 8, 5), (0, 10, 0), (2, 3, 0)])
             + relation(4, [], [(1, 2**40, 5), (1, 9, 0)]))
    (found,) = decoded(write(tmp_path, [block(group)]))
    (rels,) = found.relations
    assert rels.ids == [3, 4]
    assert rels.tags == [[(6, 7)], []]
    assert rels.members == [[(1, 7, 5), (1, 8, 5), (0, 10, 0), (2, 3, 0)],
                            [(1, 2**40, 5), (1, 9, 0)]]


def test_only_the_wanted_kinds_are_decoded(tmp_path):
    path = write(tmp_path, [block(dense_group()), block(WAYS),
                            block(relation(3, [], [(0, 10, 0)]))])
    assert [(len(b.nodes), len(b.ways), len(b.relations)) for b in decoded(path)] == [
        (1, 0, 0), (0, 1, 0), (0, 0, 1)]
    assert [(len(b.nodes), len(b.ways)) for b in decoded(path, ["ways"])] == [(0, 1)]
    assert [len(b.nodes) for b in decoded(path, ["nodes"])] == [1]


def test_signed_offsets():
    assert _pbf._signed(5) == 5
    assert _pbf._signed(2**63 - 1) == 2**63 - 1
    assert _pbf._signed(2**63) == -(2**63)
    assert _pbf._signed(2**64 - 1_000_000_000) == -1_000_000_000


def test_fields_of_a_message():
    message = (f_varint(1, 300) + FIXED64 + f_bytes(2, b"abc") + FIXED32 + f_varint(3, 0))
    assert list(_pbf._fields(message, 0, len(message))) == [
        (1, 0, 300, -1), (2, 2, 14, 17), (3, 0, 0, -1)]  # 3 + 9 + 2 bytes before "abc"


def _message_fields(messages: list[bytes], varint_fields, span_fields):
    buf = b"".join(messages)
    ends = np.cumsum([len(m) for m in messages])
    starts = ends - [len(m) for m in messages]
    array = np.frombuffer(buf + bytes(10), dtype=np.uint8)
    return _pbf._message_fields(array, starts.astype(np.int64), ends.astype(np.int64),
                                varint_fields, span_fields)


def test_message_fields_in_lockstep():
    messages = [f_varint(1, 7) + FIXED64 + f_bytes(8, b"\x02\x04"),
                FIXED32 + f_varint(1, 2**35),
                b"",
                f_bytes(8, b"") + f_varint(1, 1)]
    out = _message_fields(messages, {1}, {8})
    assert out[1][0].tolist() == [7, 2**35, 0, 1]
    assert out[1][0].dtype == np.int64
    # message 0: 2 + 9 + 2 bytes before its refs; message 3 starts at 15 + 12 (+ 2)
    assert out[8][0].tolist() == [13, 0, 0, 29] and out[8][1].tolist() == [15, 0, 0, 29]


@pytest.mark.parametrize("bad", [key(3, 3), key(3, 4), key(3, 6) + b"\x00", key(3, 7)])
def test_message_fields_refuse_unknown_wire_types(bad):
    with pytest.raises(PbfError, match="unknown protobuf wire type in a way or node message"):
        _message_fields([f_varint(1, 7) + bad], {1}, {8})


@pytest.mark.parametrize("cut", [1, 3, 6])
def test_message_fields_refuse_a_message_running_past_its_end(cut):
    message = f_varint(1, 7) + FIXED64
    with pytest.raises(PbfError, match="a way message runs past its end"):
        _message_fields([message[:-cut], message], {1}, set())


def test_tag_keys_and_values_must_pair(tmp_path):
    bad_way = f_bytes(3, f_varint(1, 1) + f_packed(2, [1, 3]) + f_packed(3, [2])
                      + f_packed(8, [1, 2], signed=True, delta=True))
    with pytest.raises(PbfError, match="a way has different numbers of tag keys and values"):
        decoded(write(tmp_path, [block(bad_way)]))
    bad_node = f_bytes(1, f_varint(1, 2) + f_packed(2, [1]) + f_packed(3, [])
                       + f_varint(8, 0) + f_varint(9, 0))
    with pytest.raises(PbfError, match="a node has different numbers of tag keys and values"):
        decoded(write(tmp_path, [block(bad_node)], name="node.osm.pbf"))


def test_dense_ids_and_coordinates_must_pair(tmp_path):
    body = (f_packed(1, [1, 2], signed=True, delta=True) + f_packed(8, [5], signed=True)
            + f_packed(9, [5, 6], signed=True))
    with pytest.raises(PbfError, match="a dense node group has ids and coordinates of "
                                       "different lengths"):
        decoded(write(tmp_path, [block(f_bytes(2, body))]))
