from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pyogrio
import pytest
import shapely

import gisplan
from benchmarks.synthetic_osm import write_city
from compile_layers._common import RAW
from gisplan._errors import CRSError, OsmAreaError, OsmFileError
from gisplan.network import network_from_edges
from gisplan.sources.osm import read_osm

OSM_XML = RAW / "network" / "osm_central_chengdu_2018.osm"
needs_extract = pytest.mark.skipif(not OSM_XML.exists(), reason=f"{OSM_XML} not available")
LENGTH_TOLERANCE_M = 0.05
"""Edge lengths: both great-circle, rounded to 1 cm (osmnx and gisplan's haversine)."""


def _pbf_from_xml(src: Path, dst: Path) -> Path:
    reader = osmium.io.Reader(str(src))
    header = reader.header()
    reader.close()
    writer = osmium.SimpleWriter(str(dst), header=header)
    for obj in osmium.FileProcessor(str(src)):
        writer.add(obj)
    writer.close()
    return dst


@pytest.fixture(scope="module")
def extract_pbf(tmp_path_factory):
    return _pbf_from_xml(OSM_XML, tmp_path_factory.mktemp("osm") / "central.osm.pbf")


@pytest.fixture(scope="module")
def extract_import(extract_pbf):
    return read_osm(extract_pbf)


def _extract_area():
    areas = gisplan.load_layer("coverage_area")
    return areas[areas["area_id"] == "central_osm_extract"]


@needs_extract
def test_import_of_the_extract_holds_every_compiled_walking_edge(extract_import):
    compiled = gisplan.load_layer("walk_edges")
    imported = extract_import.layers["walk_edges"]

    def by_pair(frame):
        out = {}
        for u, v, length in zip(frame["u"], frame["v"], frame["length_m"], strict=True):
            out.setdefault((min(u, v), max(u, v)), []).append(length)
        return {k: sorted(v) for k, v in out.items()}

    ours, theirs = by_pair(imported), by_pair(compiled)
    assert set(theirs) <= set(ours)
    for pair, lengths in theirs.items():
        assert len(ours[pair]) >= len(lengths)
        assert np.allclose(ours[pair][:len(lengths)], lengths, atol=LENGTH_TOLERANCE_M), pair
    # what is added lies outside the compiled network: beyond the extract's bounds or on
    # components other than the largest
    extra = imported[[(min(u, v), max(u, v)) not in theirs
                      for u, v in zip(imported["u"], imported["v"], strict=True)]]
    inside = extra.within(shapely.box(104.0421, 30.6528, 104.1296, 30.7279))
    network = extract_import.network()
    assert network.n_components == 1
    assert inside.sum() < 0.05 * len(compiled)
    assert set(compiled["u"]) | set(compiled["v"]) <= set(extract_import.layers["walk_nodes"]
                                                            ["osmid"])
    assert (imported["source"] == "osm:central.osm.pbf@undated").all()


@needs_extract
def test_walk_nodes_are_the_edge_ends_with_their_degree(extract_import):
    edges = extract_import.layers["walk_edges"]
    nodes = extract_import.layers["walk_nodes"]
    ends = np.concatenate([edges["u"], edges["v"]])
    osmid, degree = np.unique(ends, return_counts=True)
    np.testing.assert_array_equal(nodes["osmid"], osmid)
    np.testing.assert_array_equal(nodes["degree"], degree)
    first = shapely.get_point(edges.geometry.values, 0)
    at = dict(zip(edges["u"], shapely.get_coordinates(first).tolist(), strict=True))
    got = shapely.get_coordinates(nodes.geometry.values)
    want = [at.get(i) for i in osmid]
    placed = [k for k, w in enumerate(want) if w is not None]
    assert len(placed) > 0.5 * len(osmid)
    np.testing.assert_array_equal(got[placed], np.array([want[k] for k in placed]))
    single = edges[~edges["osm_way_ids"].str.contains(";")]
    assert len(single) > 0.9 * len(edges)
    assert single["osm_way_ids"].str.fullmatch(r"\d+").all()


@needs_extract
def test_import_of_the_extract_has_the_same_parks(extract_import):
    compiled = gisplan.load_layer("parks")
    compiled = compiled[compiled["source"] == "osm"]
    imported = extract_import.layers["parks"]

    def objects(frame):
        return sorted(i for ids in frame["osm_ids"] for i in ids.split(";"))

    assert objects(imported) == objects(compiled)
    assert imported["area_m2"].sum() == pytest.approx(compiled["area_m2"].sum(), rel=1e-3)
    for name in set(compiled["name_zh"].dropna()):
        assert (imported.loc[imported["name_zh"] == name, "area_m2"].sum()
                == pytest.approx(compiled.loc[compiled["name_zh"] == name, "area_m2"].sum(),
                                 rel=1e-3))
    big = imported[imported["park_green"] & (imported["area_m2"] >= 5000)]
    assert (big["service_radius_m"] == 500).all()


@needs_extract
def test_walking_coverage_on_the_import_equals_the_embedded_one(extract_pbf):
    area = _extract_area()
    imported = read_osm(extract_pbf, area)
    stations = gisplan.load_layer("metro_stations")
    today = gisplan.station_coverage(stations, area, method="network")
    ours = gisplan.station_coverage(stations, area, method="network",
                                    network=imported.network())
    assert ours.share == pytest.approx(today.share, rel=0.01)
    parks_today = gisplan.park_coverage(gisplan.load_layer("parks"), area, method="network")
    parks_ours = gisplan.park_coverage(imported.layers["parks"], area, method="network",
                                       network=imported.network())
    assert parks_ours.share == pytest.approx(parks_today.share, rel=0.01)


@needs_extract
def test_the_array_network_equals_the_one_built_from_its_edges(extract_import):
    fast = extract_import.network()
    edges = extract_import.layers["walk_edges"]
    slow = network_from_edges(edges)
    largest = slow.component[slow.edge_u] == np.argmax(np.bincount(slow.component))
    # network_from_edges drops duplicate edges (same ends and midpoint); nothing else differs
    assert fast.edge_length.sum() == pytest.approx(slow.edge_length[largest].sum(), rel=0.01)
    stations = gisplan.load_layer("metro_stations")
    area = _extract_area()
    a = gisplan.station_coverage(stations, area, method="network", network=fast)
    b = gisplan.station_coverage(stations, area, method="network", network=slow)
    assert a.share == pytest.approx(b.share, abs=0.01)


def _box_area(box, crs="EPSG:4326"):
    # the city's box grown by 1e-6 degree, as the file rounds coordinates to 1e-7 degree
    return gpd.GeoSeries([shapely.box(*box).buffer(1e-6, join_style="mitre")], crs=crs)


@pytest.fixture(scope="module")
def four_cities(tmp_path_factory):
    path = tmp_path_factory.mktemp("osm") / "four.osm.pbf"
    return path, write_city(path, 30, copies=4)


def test_clip_keeps_the_area_and_nothing_beyond_it(four_cities):
    path, city = four_cities
    imported = read_osm(path, _box_area(city.box), margin_m=0)
    nodes = imported.layers["walk_nodes"]
    assert len(nodes) == city.street_nodes - 4  # the corners join two streets only
    assert imported.layers["walk_edges"].within(_box_area(city.box).iloc[0]).all()
    assert (imported.layers["parks"]["park_green"]).sum() == city.parks
    assert len(imported.layers["rail_stations"]) == city.stations
    assert (imported.layers["facilities"]["category"] == "primary_school").sum() == city.schools
    assert imported.osm_date.year == 2026
    assert imported.source == "osm:four.osm.pbf@2026-11-30T21:21:02Z"


def test_margin_keeps_what_lies_just_outside(four_cities):
    path, city = four_cities
    margin = 1000.0
    imported = read_osm(path, _box_area(city.box), margin_m=margin)
    area = _box_area(city.box).to_crs(gisplan.crs.METRIC_CRS).iloc[0]
    edges = imported.layers["walk_edges"].to_crs(gisplan.crs.METRIC_CRS)
    whole = read_osm(path).layers["walk_edges"].to_crs(gisplan.crs.METRIC_CRS)
    near = whole[whole.distance(area) < margin - 5]  # the buffer's corners are chords
    # edges may join differently once a cross street is cut off: compare the lines
    kept = shapely.union_all(edges.geometry.values).buffer(0.01)
    assert near.within(kept).all()
    assert len(near) > len(edges[edges.distance(area) == 0])  # the neighbours' streets count
    assert edges.distance(area).max() < margin + 1000  # ways of at most 1 km, kept whole
    parks = imported.layers["parks"].to_crs(gisplan.crs.METRIC_CRS)
    assert parks.distance(area).max() <= margin
    assert (parks.distance(area) > 0).any()


def test_not_an_osm_file(tmp_path):
    bad = tmp_path / "city.osm.pbf"
    bad.write_text("this is not a PBF file\n")
    with pytest.raises(OsmFileError, match="not a readable OpenStreetMap file"):
        read_osm(bad)
    csv = tmp_path / "notes.csv"
    csv.write_text("a,b\n")
    with pytest.raises(OsmFileError, match="not an OpenStreetMap file name"):
        read_osm(csv)


def test_truncated_pbf(tmp_path, four_cities):
    path, _ = four_cities
    cut = tmp_path / "cut.osm.pbf"
    data = path.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(OsmFileError, match="truncated"):
        read_osm(cut)


def test_area_outside_the_file_names_its_bounds(four_cities):
    path, _ = four_cities
    far = _box_area((116.3, 39.9, 116.4, 40.0))
    with pytest.raises(OsmAreaError, match=r"outside the bounds of four.osm.pbf \(103\.99"):
        read_osm(path, far)


def test_area_without_walkable_ways(four_cities):
    path, city = four_cities
    x0, y0 = city.file_box[:2]
    corner = _box_area((x0, y0, x0 + 0.0003, y0 + 0.0003))
    with pytest.raises(OsmAreaError, match="no walkable ways"):
        read_osm(path, corner, margin_m=0)


def test_area_without_or_with_a_wrong_crs(four_cities):
    path, city = four_cities
    with pytest.raises(CRSError, match="no coordinate reference system"):
        read_osm(path, gpd.GeoSeries([shapely.box(*city.box)]))
    with pytest.raises(CRSError, match="without a coordinate system"):
        read_osm(path, shapely.box(*city.box))
    metres = _box_area(city.box).to_crs(gisplan.crs.METRIC_CRS).set_crs("EPSG:4326",
                                                                       allow_override=True)
    with pytest.raises(CRSError, match="do not fit its declared CRS EPSG:4326"):
        read_osm(path, metres)


@needs_extract
def test_import_of_the_extract_has_the_same_facilities_and_residential_land(extract_import):
    for name, key in (("facilities", ["osm_id", "category"]), ("residential_land", ["osm_id"])):
        compiled = gisplan.load_layer(name)
        imported = extract_import.layers[name]
        assert list(imported.columns) == list(compiled.columns)
        assert sorted(map(tuple, imported[key].to_numpy())) == sorted(
            map(tuple, compiled[key].to_numpy()))
    facilities = extract_import.layers["facilities"].merge(
        gisplan.load_layer("facilities"), on="osm_id")
    moved = gpd.GeoSeries(facilities["geometry_x"], crs=4326).to_crs(4544).distance(
        gpd.GeoSeries(facilities["geometry_y"], crs=4326).to_crs(4544))
    assert (moved <= facilities["precision_m_y"]).all()
    assert (extract_import.layers["residential_land"]["area_m2"].sum()
            == pytest.approx(gisplan.load_layer("residential_land")["area_m2"].sum(), rel=1e-6))


@needs_extract
def test_build_osm_writes_a_geopackage_and_a_scoreboard_equal_to_today(extract_pbf, tmp_path,
                                                                        capsys):
    from gisplan.cli import main

    out = tmp_path / "build"
    assert main(["build", "--osm", str(extract_pbf), "--area", "central_osm_extract",
                 "--out", str(out), "--no-maps"]) == 0
    printed = capsys.readouterr().out
    assert "walk_edges" in printed and "rail_station_coverage_800m" in printed
    gpkg = out / "chengdu.gpkg"
    names = set(pyogrio.list_layers(gpkg)[:, 0])
    assert {"walk_edges", "parks", "facilities", "residential_land", "indicators",
            "osm_cycleways", "osm_rail_stations", "districts"} <= names
    edges = pyogrio.read_dataframe(gpkg, layer="walk_edges")
    assert (edges["source"] == "osm:central.osm.pbf@undated").all()
    indicators = pyogrio.read_dataframe(gpkg, layer="indicators")
    walk = indicators[(indicators["indicator"] == "rail_station_coverage_800m")
                      & (indicators["method"] == "network")]
    assert list(walk["area"]) == ["osm_import_area"]
    today = gisplan.scoreboard()
    today = today[(today["indicator"] == "rail_station_coverage_800m")
                  & (today["method"] == "network")]
    assert walk["value"].iloc[0] == pytest.approx(today["value"].iloc[0], rel=0.01)
    assert len(gisplan.load_layer("walk_edges")) == 4486  # the embedded layers stay


def test_build_osm_on_a_synthetic_city_with_maps(tmp_path):
    from gisplan.pipeline.osm_build import build_from_osm

    path = tmp_path / "city.osm.pbf"
    city = write_city(path, 25)
    result = build_from_osm(path, _box_area(city.box), out_dir=tmp_path / "out",
                            maps_dir=tmp_path / "maps", progress=False, echo=None)
    assert sorted(p.name for p in result.written) == sorted(
        ["chengdu.gpkg", *gisplan.outputs.maps.MAP_FILES.values()])
    table = result.evaluation.table
    assert "osm_import_area" in set(table["area"])  # the values: tests/pipeline
    assert "four" not in result.summary() and "city.osm.pbf" in result.summary()


def test_build_osm_with_bad_input_writes_nothing(tmp_path, four_cities, capsys):
    from gisplan.cli import main

    path, _ = four_cities
    out = tmp_path / "out"
    far = tmp_path / "far.geojson"
    _box_area((116.3, 39.9, 116.4, 40.0)).to_file(far)
    assert main(["build", "--osm", str(path), "--area", str(far), "--out", str(out),
                 "--maps-dir", str(tmp_path / "maps")]) == 1
    assert "outside the bounds of four.osm.pbf" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "maps").exists()


@needs_extract
def test_osm_xml_imports_like_its_pbf(extract_import):
    from_xml = read_osm(OSM_XML)
    pbf = extract_import.layers
    xml = from_xml.layers
    # the same features, feature by feature: ids, categories, lengths and areas
    assert sorted(xml["walk_edges"]["osm_way_ids"].fillna("").astype(str)) == sorted(
        pbf["walk_edges"]["osm_way_ids"].fillna("").astype(str))
    assert xml["walk_edges"]["length_m"].sum() == pytest.approx(
        pbf["walk_edges"]["length_m"].sum(), rel=1e-9)
    def pairs(frame):
        return sorted(f"{i}|{c}" for i, c in zip(frame["osm_id"], frame["category"],
                                                 strict=True))

    assert pairs(xml["facilities"]) == pairs(pbf["facilities"])
    assert sorted(xml["parks"]["area_m2"].round(3)) == sorted(pbf["parks"]["area_m2"].round(3))
    assert sorted(xml["rail_stations"]["name_zh"].fillna("")) == sorted(
        pbf["rail_stations"]["name_zh"].fillna(""))
    assert from_xml.file_bounds == pytest.approx((104.0421, 30.6528, 104.1296, 30.7279))
