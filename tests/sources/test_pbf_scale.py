"""A PBF written with non-default granularity and offsets: gisplan's decoder agrees with libosmium.

Every other fixture is written by libosmium, which always uses the defaults (granularity
100 nanodegrees, no offsets). This file is encoded here, field by field, after the
OSM PBF format (OSMHeader, then an OSMData block of DenseNodes with ``granularity``,
``lat_offset`` and ``lon_offset`` set), so that a decoder ignoring them is caught.
"""

import struct
import zlib

import numpy as np
import osmium
import pytest

from gisplan.sources import _pbf

GRANULARITY = 1000
LAT_OFFSET = 30_000_000_000  # 30 degrees, in nanodegrees
LON_OFFSET = 104_000_000_000
NODES = [(1, 104.0615, 30.6571), (2, 104.0702, 30.6603), (5, 104.0833, 30.6489)]


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def sint(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def field(number: int, wire: int, payload: bytes | int) -> bytes:
    key = varint(number << 3 | wire)
    if wire == 0:
        return key + varint(int(payload))
    return key + varint(len(payload)) + payload


def packed(values) -> bytes:
    return b"".join(varint(v) for v in values)


def blob(kind: str, message: bytes) -> bytes:
    data = field(2, 0, len(message)) + field(3, 2, zlib.compress(message))
    header = field(1, 2, kind.encode()) + field(3, 0, len(data))
    return struct.pack(">I", len(header)) + header + data


def pbf_bytes() -> bytes:
    bbox = (field(1, 0, sint(103_000_000_000)) + field(2, 0, sint(105_000_000_000))
            + field(3, 0, sint(31_000_000_000)) + field(4, 0, sint(30_000_000_000)))
    header = (field(1, 2, bbox) + field(4, 2, b"OsmSchema-V0.6")
              + field(4, 2, b"DenseNodes"))
    ids, lats, lons = [], [], []
    previous = (0, 0, 0)
    for node_id, lon, lat in NODES:
        raw_lat = round((lat * 1e9 - LAT_OFFSET) / GRANULARITY)
        raw_lon = round((lon * 1e9 - LON_OFFSET) / GRANULARITY)
        ids.append(sint(node_id - previous[0]))
        lats.append(sint(raw_lat - previous[1]))
        lons.append(sint(raw_lon - previous[2]))
        previous = (node_id, raw_lat, raw_lon)
    dense = field(1, 2, packed(ids)) + field(8, 2, packed(lats)) + field(9, 2, packed(lons))
    group = field(2, 2, dense)
    block = (field(1, 2, field(1, 2, b"")) + field(2, 2, group)
             + field(17, 0, GRANULARITY) + field(19, 0, LAT_OFFSET)  # int64: no zigzag
             + field(20, 0, LON_OFFSET))
    return blob("OSMHeader", header) + blob("OSMData", block)


@pytest.fixture()
def scaled(tmp_path):
    path = tmp_path / "scaled.osm.pbf"
    path.write_bytes(pbf_bytes())
    return path


def test_libosmium_reads_the_file_as_written(scaled):
    read = [(n.id, n.location.lon, n.location.lat)
            for n in osmium.FileProcessor(str(scaled), osmium.osm.NODE)]
    np.testing.assert_allclose(np.array(read), np.array(NODES), atol=1e-6)


def test_gisplans_decoder_applies_granularity_and_offsets_as_libosmium_does(scaled):
    ours = []
    for _, block in _pbf.blocks(scaled, ["nodes"]):
        for dense in block.nodes:
            ours += list(zip(dense.ids.tolist(), dense.lon.tolist(), dense.lat.tolist(),
                             strict=True))
    theirs = [(n.id, n.location.lon, n.location.lat)
              for n in osmium.FileProcessor(str(scaled), osmium.osm.NODE)]
    assert [i for i, *_ in ours] == [i for i, *_ in theirs]
    np.testing.assert_allclose(np.array(ours)[:, 1:], np.array(theirs)[:, 1:], atol=1e-7)
