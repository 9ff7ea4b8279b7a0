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

from gisplan._errors import PbfError, PbfLayoutError
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


@pytest.mark.parametrize(("fields", "message"), [
    # two keys, one value
    (f_packed(2, [1, 3]) + f_packed(3, [2]), "a relation has different numbers of tag keys"),
    # two member ids, one role and one type
    (f_packed(8, [5]) + f_packed(9, [7, 8], signed=True, delta=True) + f_packed(10, [1]),
     "a relation has different numbers of member roles, ids and types"),
    # roles and ids, no types
    (f_packed(8, [5]) + f_packed(9, [7], signed=True, delta=True),
     "a relation has different numbers of member roles, ids and types"),
], ids=["tags", "member ids", "member types"])
def test_relation_tags_and_members_must_pair(tmp_path, fields, message):
    # as for ways and nodes: a damaged relation is refused, not cut to its shortest list
    bad = f_bytes(4, f_varint(1, 9) + fields)
    with pytest.raises(PbfError, match=message):
        decoded(write(tmp_path, [block(bad)]))


def test_dense_ids_and_coordinates_must_pair(tmp_path):
    body = (f_packed(1, [1, 2], signed=True, delta=True) + f_packed(8, [5], signed=True)
            + f_packed(9, [5, 6], signed=True))
    with pytest.raises(PbfError, match="a dense node group has ids and coordinates of "
                                       "different lengths"):
        decoded(write(tmp_path, [block(f_bytes(2, body))]))


# --------------------------------------------------------- framing and damaged files


def _blob(raw: bytes, *, field: int = 3, raw_size: int | None = None) -> bytes:
    body = {1: raw, 3: zlib.compress(raw), 4: lzma.compress(raw)}.get(field, raw)
    size = len(raw) if raw_size is None else raw_size
    return (b"" if size < 0 else f_varint(2, size)) + f_bytes(field, body)


def _file(*blobs: tuple[bytes, bytes]) -> bytes:
    out = b""
    for kind, blob in blobs:
        header = f_bytes(1, kind) + f_varint(3, len(blob))
        out += len(header).to_bytes(4, "big") + header + blob
    return out


def test_header_blobs_are_skipped_and_the_share_read_is_reported(tmp_path):
    path = tmp_path / "two.osm.pbf"
    header = f_bytes(4, b"OsmSchema-V0.6")
    path.write_bytes(_file((b"OSMHeader", _blob(header)),
                           (b"OSMData", _blob(block(dense_group()))),
                           (b"OSMData", _blob(block(WAYS), field=1))))
    shares = [share for share, _ in _pbf.blocks(path)]
    assert len(shares) == 2 and shares[-1] == 1.0 and 0 < shares[0] < 1


def test_large_objects_are_framed_with_longer_lengths(tmp_path):
    # ways of 200 refs (a length of two bytes) and of 6,000 refs (three bytes)
    long_ways = way(1, list(range(1, 201))) + way(2, list(range(1, 6001)), [(1, 2)])
    (found,) = decoded(write(tmp_path, [block(long_ways)]))
    (ways,) = found.ways
    assert ways.ref_first.tolist() == [0, 200, 6200]
    assert ways.refs[:200].tolist() == list(range(1, 201))
    assert ways.refs[200:].tolist() == list(range(1, 6001))
    strings = [b"x" * 130, b"y" * 20_000]
    table = f_bytes(1, b"".join(f_bytes(1, s) for s in strings))
    (found,) = decoded(write(tmp_path, [table + f_bytes(2, way(3, [1, 2]))], name="s.osm.pbf"))
    assert found.strings == strings


@pytest.mark.parametrize(("field", "name"), [(5, "bzip2"), (6, "lz4"), (7, "zstd")])
def test_other_compressions_are_refused_by_name(tmp_path, field, name):
    path = tmp_path / "other.osm.pbf"
    path.write_bytes(_file((b"OSMData", f_varint(2, 10) + f_bytes(field, b"0123456789"))))
    with pytest.raises(PbfLayoutError, match=f"uses {name} compression"):
        decoded(path)


@pytest.mark.parametrize(("blob", "message"), [
    (f_varint(2, 5), "a blob holds no data"),
    (_blob(b"12345", raw_size=6), "decompresses to the wrong size"),
    (_blob(b"12345", field=4, raw_size=4), "decompresses to the wrong size"),
    (_blob(b"12345", field=1, raw_size=0), "decompresses to the wrong size"),
    (f_varint(2, 5) + f_bytes(3, b"not zlib"), "does not decompress"),
    (f_varint(2, 5) + f_bytes(4, b"not lzma"), "does not decompress"),
])
def test_damaged_blobs_are_refused(tmp_path, blob, message):
    path = tmp_path / "bad.osm.pbf"
    path.write_bytes(_file((b"OSMData", blob)))
    with pytest.raises(PbfError, match=message):
        decoded(path)


def test_a_blob_without_its_raw_size_is_read(tmp_path):
    path = tmp_path / "nosize.osm.pbf"
    path.write_bytes(_file((b"OSMData", _blob(block(dense_group()), raw_size=-1))))
    (found,) = decoded(path)
    assert found.nodes[0].ids.tolist() == [10, 12, 11]


def test_truncated_and_oversized_files_are_refused(tmp_path):
    good = blob_file([block(dense_group())])
    header_size = int.from_bytes(good[:4], "big")
    cases = [
        (good[:2], "ends inside a blob header length"),
        (good[:4 + header_size - 1], "ends inside a blob header"),
        (good[:-1], "ends inside a data blob"),
        ((64 * 1024 + 1).to_bytes(4, "big"), "a blob header claims 65537 bytes"),
    ]
    huge = f_bytes(1, b"OSMData") + f_varint(3, 32 * 1024 * 1024 + 1)
    cases.append((len(huge).to_bytes(4, "big") + huge, "a blob claims 33554433 bytes"))
    for i, (data, message) in enumerate(cases):
        path = tmp_path / f"cut{i}.osm.pbf"
        path.write_bytes(data)
        with pytest.raises(PbfError, match=message):
            decoded(path)
    # the largest sizes allowed are read
    limit = f_bytes(1, b"OSMData") + f_varint(3, 32 * 1024 * 1024)
    path = tmp_path / "limit.osm.pbf"
    path.write_bytes(len(limit).to_bytes(4, "big") + limit)
    with pytest.raises(PbfError, match="ends inside a data blob"):
        decoded(path)


def test_messages_running_past_their_end_are_refused():
    with pytest.raises(PbfError, match="a message runs past its end"):
        list(_pbf._fields(f_bytes(2, b"abc"), 0, 4))
    with pytest.raises(PbfError, match="a message runs past its end"):
        list(_pbf._fields(FIXED64, 0, 5))
    with pytest.raises(PbfError, match="unknown protobuf wire type 3"):
        list(_pbf._fields(key(1, 3), 0, 1))
    with pytest.raises(PbfError, match="a packed field ends inside a number"):
        _pbf.packed_varints(np.array([0x80], dtype=np.uint8))
    values, ends = _pbf.packed_varints(np.zeros(0, dtype=np.uint8))
    assert values.dtype == np.uint64 and values.shape == (0,) and ends.shape == (0,)


def test_a_group_holding_two_kinds_is_refused(tmp_path):
    mixed = way(1, [1, 2]) + plain_node(5, 104.0, 30.0, 0)
    with pytest.raises(PbfError, match="holds more than one kind of entry"):
        decoded(write(tmp_path, [block(mixed)]))


# ------------------------------------------------- edge cases of the specification


def test_numbers_beyond_two_to_the_53_are_decoded_exactly(tmp_path):
    """Ids and string indices are 64-bit integers: none passes through a float64.

    2**53 + 1 is the first integer a float64 cannot hold; a node id of 2**53 + 1 is stored
    zigzagged as 2**54 + 2, which a float64 would round to 2**54.
    """
    big = 2**53 + 1
    group = plain_node(big, 104.0, 30.0, 0, [(big, big + 2)])
    (found,) = decoded(write(tmp_path, [block(group)]))
    assert found.nodes[0].ids.tolist() == [big]
    assert found.nodes[0].kv.tolist() == [big, big + 2, 0]
    (found,) = decoded(write(tmp_path, [block(way(big, [big, 1]))], name="w.osm.pbf"))
    assert found.ways[0].ids.tolist() == [big]
    assert found.ways[0].refs.tolist() == [big, 1]


def test_dense_groups_without_ids_or_timestamps(tmp_path):
    """Absent packed fields read as empty; nodes without DenseInfo get timestamps 0."""
    body = f_packed(8, [1], signed=True) + f_packed(9, [2], signed=True)
    raw = block(f_bytes(2, b""), f_bytes(2, f_packed(1, [4], signed=True) + body))
    (found,) = decoded(write(tmp_path, [raw]))
    empty, one = found.nodes
    assert empty.ids.tolist() == empty.lon.tolist() == empty.timestamp.tolist() == []
    assert empty.ids.dtype == empty.kv.dtype == np.int64
    assert one.ids.tolist() == [4] and one.timestamp.tolist() == [0]
    assert one.timestamp.dtype == np.int64
    # -1e9 + 1000 * 1 nanodegrees and 2e9 + 1000 * 2
    np.testing.assert_allclose(one.lat, [-0.999999], atol=1e-12)
    np.testing.assert_allclose(one.lon, [2.000002], atol=1e-12)


def test_a_string_of_16384_bytes_has_a_three_byte_length():
    """16384 = 2**14 is written 0x80 0x80 0x01: its second byte is exactly 0x80."""
    assert varint(16384) == b"\x80\x80\x01"
    strings = [b"a", b"y" * 16384, b"b"]
    table = b"".join(f_bytes(1, s) for s in strings)
    assert _pbf._strings(table, 0, len(table)) == strings


def test_a_way_without_nodes_at_the_end_of_a_group(tmp_path):
    (found,) = decoded(write(tmp_path, [block(way(1, [5, 3]) + way(2, []))]))
    (ways,) = found.ways
    assert ways.ref_first.tolist() == [0, 2, 2]
    assert ways.refs.tolist() == [5, 3]


def test_relations_without_an_id_or_with_unknown_fields(tmp_path):
    """Relations: the id defaults to 0 and unknown fields are skipped."""
    no_id = f_bytes(4, f_packed(2, [6]) + f_packed(3, [7]))
    unknown = f_bytes(4, f_varint(1, 5) + f_varint(20, 99) + f_packed(2, [6, 1])
                      + f_packed(3, [7, 3]) + f_packed(8, [5, 0])
                      + f_packed(9, [10, 2], signed=True) + f_packed(10, [0, 1]))
    group = no_id + FIXED32 + f_varint(15, 1) + unknown + relation(6, [(1, 2)], [(1, 8, 5)])
    (found,) = decoded(write(tmp_path, [block(group)]))
    (rels,) = found.relations
    assert rels.ids == [0, 5, 6]
    assert rels.tags == [[(6, 7)], [(6, 7), (1, 3)], [(1, 2)]]
    # member ids are delta-coded: 10, then 10 + 2
    assert rels.members == [[], [(0, 10, 5), (1, 12, 0)], [(1, 8, 5)]]


def test_a_block_without_string_table_or_scales_uses_the_defaults(tmp_path):
    """Defaults of osmformat.proto: granularity 100 nanodegrees, offsets 0, dates in seconds."""
    dense = f_bytes(2, f_packed(1, [1], signed=True) + f_packed(8, [3], signed=True)
                    + f_packed(9, [-7], signed=True)
                    + f_bytes(5, f_packed(2, [2001], signed=True)))
    raw = f_bytes(2, dense) + f_bytes(2, way(1, [1, 2], stamp=2001))
    (found,) = decoded(write(tmp_path, [raw]))
    assert found.strings == []
    (nodes,), (ways,) = found.nodes, found.ways
    np.testing.assert_allclose(nodes.lat, [300e-9], rtol=1e-12)  # 100 * 3 nanodegrees
    np.testing.assert_allclose(nodes.lon, [-700e-9], rtol=1e-12)
    assert nodes.timestamp.tolist() == ways.timestamp.tolist() == [2001]  # 2001 units of 1000 ms


def test_every_group_of_a_block_is_read(tmp_path):
    """Empty groups, changeset groups, unwanted groups and unknown fields are passed over."""
    changesets = f_bytes(5, f_varint(1, 1))
    unknown = f_bytes(15, b"")
    raw = block(b"", changesets, dense_group() + unknown, b"", WAYS)
    (found,) = decoded(write(tmp_path, [raw]))
    assert [n.ids.tolist() for n in found.nodes] == [[10, 12, 11]]
    assert found.ways[0].ids.tolist() == [7, 8, 9, 2**40]
    (found,) = decoded(write(tmp_path, [raw], name="w.osm.pbf"), ["ways"])
    assert found.nodes == [] and found.ways[0].ids.tolist() == [7, 8, 9, 2**40]


def test_reading_nodes_goes_on_to_the_last_block_of_nodes(tmp_path):
    path = write(tmp_path, [block(dense_group()), block(dense_group(with_kv=True)),
                            block(WAYS)])
    assert [b.nodes[0].kv.tolist() for b in decoded(path, ["nodes"])] == [
        [], [1, 2, 0, 0, 3, 4, 0]]


def test_blob_headers_at_the_limits_of_the_format(tmp_path):
    """A header of exactly 64 KiB and an empty blob are allowed; a blob of any type other
    than OSMData, even one not in UTF-8, is skipped; a header without a size is refused."""
    data = _blob(block(WAYS))
    header = f_bytes(1, b"OSMData") + f_varint(3, len(data))
    # pad the header with an unknown bytes field: a key byte, 3 length bytes, the rest
    header += f_bytes(15, bytes(64 * 1024 - len(header) - 4))
    assert len(header) == 64 * 1024
    path = tmp_path / "limits.osm.pbf"
    path.write_bytes(_file((b"OSMHeader", b""), (b"\xff\xfe", _blob(b"abc")))
                     + len(header).to_bytes(4, "big") + header + data)
    (found,) = decoded(path)
    assert found.ways[0].ids.tolist() == [7, 8, 9, 2**40]
    no_size = f_bytes(1, b"OSMData")
    path.write_bytes(len(no_size).to_bytes(4, "big") + no_size + _blob(block(WAYS)))
    with pytest.raises(PbfError, match="a blob claims -1 bytes"):
        decoded(path)


@pytest.mark.parametrize("length", [
    3,  # one byte more than the message has after its length
    2**63,  # negative as a signed 64-bit number
    2**64 - 11,  # minus 11: back to the message's start, where the same field is read again
    2**64 - 1,
])
def test_message_fields_refuse_a_length_beyond_the_message(length):
    message = key(8, 2) + varint(length) + b"\x01\x02"
    with pytest.raises(PbfError, match="runs past the end of its message"):
        _message_fields([message], set(), {8})
