"""Every path from OpenStreetMap data to a walking network: one reader, one walk filter."""

import networkx as nx
import numpy as np
import pytest

from gisplan import GisplanError
from gisplan.sources import network_from_graph, network_from_osm, network_from_place
from gisplan.standards.walk_filter import overpass_filter

OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
 <node id="1" lat="30.6500" lon="104.0600"/>
 <node id="2" lat="30.6500" lon="104.0610"/>
 <node id="3" lat="30.6500" lon="104.0620"/>
 <node id="4" lat="30.6490" lon="104.0610"/>
 <node id="5" lat="30.6510" lon="104.0610"/>
 <node id="6" lat="30.6520" lon="104.0600"/>
 <node id="7" lat="30.6520" lon="104.0620"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
 <way id="11"><nd ref="4"/><nd ref="2"/><nd ref="5"/><tag k="highway" v="footway"/></way>
 <way id="12"><nd ref="6"/><nd ref="7"/><tag k="highway" v="motorway"/></way>
 <way id="13"><nd ref="5"/><nd ref="7"/><tag k="highway" v="service"/>
  <tag k="access" v="private"/></way>
</osm>
"""


def test_network_from_osm_xml_cuts_ways_at_shared_nodes(tmp_path):
    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    net = network_from_osm(path)
    # ways 10 and 11 cross at node 2: four edges, five nodes; motorway and private dropped
    assert (net.n_nodes, net.n_edges, net.n_components) == (5, 4, 1)
    assert net.edge_length.sum() == pytest.approx(2 * 96.0 + 2 * 111.0, rel=0.02)


def test_network_from_osm_pbf_equals_xml(tmp_path):
    osmium = pytest.importorskip("osmium")
    from osmium.osm.mutable import Node, Way

    xml = tmp_path / "tiny.osm"
    xml.write_text(OSM_XML, encoding="utf-8")
    pbf = tmp_path / "tiny.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for node in osmium.FileProcessor(str(xml), osmium.osm.NODE):
        writer.add_node(Node(id=node.id, location=(node.lon, node.lat), version=1, tags={}))
    for way in osmium.FileProcessor(str(xml), osmium.osm.WAY):
        writer.add_way(Way(id=way.id, nodes=[n.ref for n in way.nodes], version=1,
                           tags={t.k: t.v for t in way.tags}))
    writer.close()
    from_xml, from_pbf = network_from_osm(xml), network_from_osm(pbf)
    assert (from_pbf.n_nodes, from_pbf.n_edges) == (from_xml.n_nodes, from_xml.n_edges)
    assert from_pbf.edge_length.sum() == pytest.approx(from_xml.edge_length.sum())


def test_network_from_osm_missing_file(tmp_path):
    with pytest.raises(GisplanError, match="does not exist"):
        network_from_osm(tmp_path / "absent.osm")


def small_osmnx_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    graph.add_node(1, x=104.060, y=30.650)
    graph.add_node(2, x=104.061, y=30.650)
    graph.add_node(3, x=104.061, y=30.651)
    for a, b in [(1, 2), (2, 1), (2, 3), (3, 2)]:
        graph.add_edge(a, b, length=1.0, osmid=a * 10 + b)
    return graph


def test_network_from_an_osmnx_graph_drops_the_reverse_edges():
    net = network_from_graph(small_osmnx_graph())
    assert (net.n_nodes, net.n_edges) == (3, 2)
    # lengths are measured in EPSG:4544, not taken from the graph
    assert net.edge_length.sum() == pytest.approx(96.0 + 111.0, rel=0.02)


def test_network_from_place_downloads_once_then_reads_its_cache(tmp_path, monkeypatch):
    import osmnx

    from gisplan import settings

    calls = []

    def download(query, custom_filter):
        calls.append((query, custom_filter))
        return small_osmnx_graph()

    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    monkeypatch.setattr(osmnx, "graph_from_place", download)
    first = network_from_place("锦江区, 成都市")
    again = network_from_place("锦江区, 成都市")
    assert calls == [("锦江区, 成都市", overpass_filter())]
    assert list((tmp_path / "osmnx").glob("walk_*.graphml"))
    assert again.source.startswith("osmnx cache")
    np.testing.assert_allclose(again.node_xy, first.node_xy)
    assert (again.n_nodes, again.n_edges) == (3, 2)
