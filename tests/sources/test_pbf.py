"""The PBF block decoder and the box reader against libosmium (pyosmium)."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pytest
import shapely

from compile_layers._common import RAW
from gisplan._errors import OsmFileError
from gisplan.sources import _pbf
from gisplan.sources._osm_reader import REACH_DEG, read_raw
from gisplan.sources.osm import read_osm

OSM_XML = RAW / "network" / "osm_central_chengdu_2018.osm"
needs_extract = pytest.mark.skipif(not OSM_XML.exists(), reason=f"{OSM_XML} not available")


def _write(path: Path, objects: list, options: str = "pbf") -> Path:
    writer = osmium.SimpleWriter(osmium.io.File(str(path), options))
    for obj in objects:
        writer.add(obj)
    writer.close()
    return path


def _node(node_id: int, lon: float, lat: float, **tags: str) -> osmium.osm.mutable.Node:
    return osmium.osm.mutable.Node(id=node_id, location=(lon, lat), tags=tags)


def _way(way_id: int, refs: list[int], **tags: str) -> osmium.osm.mutable.Way:
    return osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags)


def _decoded(path: Path) -> tuple[dict, dict, dict]:
    nodes, ways, relations = {}, {}, {}
    for _, block in _pbf.blocks(path):
        text = [s.decode() for s in block.strings]
        for dense in block.nodes:
            kv = dense.kv.tolist()
            at = 0
            for i, node_id in enumerate(dense.ids.tolist()):
                tags = {}
                while kv and kv[at] != 0:
                    tags[text[kv[at]]] = text[kv[at + 1]]
                    at += 2
                at += 1 if kv else 0
                nodes[node_id] = (dense.lon[i], dense.lat[i], tags, int(dense.timestamp[i]))
        for group in block.ways:
            for w, way_id in enumerate(group.ids.tolist()):
                t0, t1 = group.tag_first[w], group.tag_first[w + 1]
                tags = {text[k]: text[v] for k, v in zip(group.keys[t0:t1], group.vals[t0:t1],
                                                         strict=True)}
                refs = group.refs[group.ref_first[w]:group.ref_first[w + 1]].tolist()
                ways[way_id] = (refs, tags, int(group.timestamp[w]))
        for group in block.relations:
            for rid, pairs, members in zip(group.ids, group.tags, group.members, strict=True):
                relations[rid] = ({text[k]: text[v] for k, v in pairs},
                                  [(t, m, text[r]) for t, m, r in members])
    return nodes, ways, relations


@needs_extract
@pytest.mark.parametrize("options", ["pbf", "pbf,pbf_compression=none",
                                     "pbf,pbf_dense_nodes=false"])
def test_blocks_decode_every_object_as_libosmium_reads_it(tmp_path, options):
    path = tmp_path / "central.osm.pbf"
    osmium.apply(osmium.io.Reader(str(OSM_XML)),
                 osmium.SimpleWriter(osmium.io.File(str(path), options)))
    nodes, ways, relations = _decoded(path)
    counts = {"n": 0, "w": 0, "r": 0}
    member_type = {"n": 0, "w": 1, "r": 2}
    for obj in osmium.FileProcessor(str(path)):
        stamp = int(obj.timestamp.timestamp())
        if isinstance(obj, osmium.osm.Node):
            lon, lat, tags, seconds = nodes[obj.id]
            assert (lon, lat) == pytest.approx((obj.location.lon, obj.location.lat), abs=1e-9)
            assert (tags, seconds) == (dict(obj.tags), stamp)
            counts["n"] += 1
        elif isinstance(obj, osmium.osm.Way):
            assert ways[obj.id] == ([n.ref for n in obj.nodes], dict(obj.tags), stamp)
            counts["w"] += 1
        elif isinstance(obj, osmium.osm.Relation):
            expected = [(member_type[m.type], m.ref, m.role) for m in obj.members]
            assert relations[obj.id] == (dict(obj.tags), expected)
            counts["r"] += 1
    assert counts == {"n": len(nodes), "w": len(ways), "r": len(relations)}
    assert min(counts.values()) > 100


def test_nodes_after_ways_are_refused_with_the_fix(tmp_path):
    path = _write(tmp_path / "unsorted.osm.pbf", [
        _node(1, 104.0, 30.6), _node(2, 104.001, 30.6),
        _way(10, [1, 2], highway="footway"), _node(3, 104.002, 30.6)])
    with pytest.raises(OsmFileError, match="not sorted; sort it with `osmium sort") as error:
        read_osm(path)
    assert "truncated" not in str(error.value)


def test_a_way_reaching_far_beyond_the_box_is_kept_whole(tmp_path):
    far = 104.0 + 3 * REACH_DEG  # beyond the nodes kept in the first pass
    path = _write(tmp_path / "long.osm.pbf", [
        _node(1, 104.0, 30.6), _node(2, 104.001, 30.6), _node(3, far, 30.6),
        _node(4, 104.0, 30.601),
        _way(10, [1, 2, 3], highway="residential"), _way(11, [1, 4], highway="footway")])
    box = (103.999, 30.599, 104.002, 30.602)
    raw = read_raw(path, box)
    assert raw.way_id == [10, 11]
    assert raw.vertex_id.tolist() == [1, 2, 3, 1, 4]
    assert raw.vertex_lonlat[2] == pytest.approx((far, 30.6))


def test_a_park_around_the_box_with_no_node_in_it_is_kept(tmp_path):
    d = REACH_DEG / 2  # the park's corners lie outside the box, within the reach
    corners = [(104.0 - d, 30.6 - d), (104.0 + d, 30.6 - d), (104.0 + d, 30.6 + d),
               (104.0 - d, 30.6 + d)]
    path = _write(tmp_path / "park.osm.pbf", [
        *(_node(i + 1, x, y) for i, (x, y) in enumerate(corners)),
        _node(5, 104.0, 30.6), _node(6, 104.0005, 30.6),
        _way(10, [5, 6], highway="footway"),
        _way(20, [1, 2, 3, 4, 1], leisure="park", name="环绕公园")])
    imported = read_osm(path, gpd.GeoSeries([shapely.box(103.9999, 30.5999, 104.0006, 30.6001)],
                                            crs="EPSG:4326"), margin_m=0)
    parks = imported.layers["parks"]
    assert parks["name_zh"].tolist() == ["环绕公园"]
    assert parks.geometry.iloc[0].bounds == pytest.approx((104.0 - d, 30.6 - d, 104.0 + d,
                                                            30.6 + d))


def test_multipolygon_relation_near_the_box_is_assembled(tmp_path):
    ring = [(104.0, 30.6), (104.01, 30.6), (104.01, 30.61), (104.0, 30.61)]
    hole = [(104.004, 30.604), (104.006, 30.604), (104.006, 30.606), (104.004, 30.606)]
    nodes = [_node(i + 1, x, y) for i, (x, y) in enumerate(ring + hole)]
    members = [("w", 20, "outer"), ("w", 21, "inner")]
    path = _write(tmp_path / "lake.osm.pbf", [
        *nodes, _node(9, 104.0, 30.599), _node(10, 104.01, 30.599),
        _way(10, [9, 10], highway="footway"),
        _way(20, [1, 2, 3, 4, 1]), _way(21, [5, 6, 7, 8, 5]),
        osmium.osm.mutable.Relation(id=30, members=members,
                                    tags={"type": "multipolygon", "natural": "water"})])
    water = read_osm(path).layers["water"]
    assert water["osm_ids"].tolist() == ["relation/30"]
    assert water.to_crs("EPSG:4544").area.iloc[0] == pytest.approx(
        (1 - 0.04) * gpd.GeoSeries([shapely.Polygon(ring)], crs="EPSG:4326").to_crs(
            "EPSG:4544").area.iloc[0], rel=1e-3)


def test_packed_varints_of_every_size():
    numbers = np.array([0, 1, 127, 128, 300, 2**35 + 7, 2**63 + 5], dtype=np.uint64)
    data = bytearray()
    for value in numbers.tolist():
        while True:
            byte = value & 0x7F
            value >>= 7
            data.append(byte | (0x80 if value else 0))
            if not value:
                break
    decoded, _ = _pbf.packed_varints(np.frombuffer(bytes(data), np.uint8))
    assert decoded.tolist() == numbers.tolist()
    with pytest.raises(_pbf.PbfError, match="ends inside a number"):
        _pbf.packed_varints(np.frombuffer(bytes(data[:-1]), np.uint8))


def test_a_street_crossing_the_area_without_a_node_in_it_is_kept(tmp_path):
    path = _write(tmp_path / "cross.osm.pbf", [
        _node(1, 103.99, 30.6), _node(2, 104.01, 30.6), _node(3, 103.99, 30.62),
        _node(4, 104.01, 30.62),
        _way(10, [1, 2], highway="residential"), _way(11, [3, 4], highway="residential")])
    area = gpd.GeoSeries([shapely.box(103.999, 30.599, 104.001, 30.601)], crs="EPSG:4326")
    edges = read_osm(path, area, margin_m=0).layers["walk_edges"]
    assert edges["osm_way_ids"].tolist() == ["10"]


def test_a_relation_near_the_box_is_assembled_with_its_far_member_ways(tmp_path):
    far = 104.0 + 3 * REACH_DEG
    # the outer ring of four ways: the east side (way 22) has no node within the reach
    corners = [(104.0, 30.6), (104.0, 30.7), (far, 30.7), (far, 30.6)]
    path = _write(tmp_path / "lake.osm.pbf", [
        *(_node(i + 1, x, y) for i, (x, y) in enumerate(corners)),
        _node(9, 103.999, 30.65), _node(10, 103.998, 30.65),
        _way(10, [9, 10], highway="footway"),
        _way(20, [1, 2]), _way(21, [2, 3]), _way(22, [3, 4]), _way(23, [4, 1]),
        osmium.osm.mutable.Relation(id=30, members=[("w", w, "outer") for w in (20, 21, 22, 23)],
                                    tags={"type": "multipolygon", "natural": "water"})])
    area = gpd.GeoSeries([shapely.box(103.997, 30.64, 103.9995, 30.66)], crs="EPSG:4326")
    raw = read_raw(path, area.total_bounds)
    assert [p[0] for p in raw.polygons] == []  # the lake does not meet the box itself
    raw = read_raw(path, (103.997, 30.64, 104.001, 30.66))
    assert [p[0] for p in raw.polygons] == ["relation/30"]
    assert raw.polygons[0][2].bounds == pytest.approx((104.0, 30.6, far, 30.7))
