"""Walking networks measure in the metric CRS that fits their streets (#9).

Synthetic street grids drawn in WGS84 at Chengdu, Beijing and 0 E, 0 N: walking
distances and covered areas are compared with geodesic truth (pyproj.Geod on WGS84).
"""

from __future__ import annotations

import itertools
import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from gisplan.analysis.coverage import station_coverage
from gisplan.catalogue import load_walk_network
from gisplan.crs import METRIC_CRS, WGS84
from gisplan.network import WalkNetwork, network_from_edges

GEOD = pyproj.Geod(ellps="WGS84")
STEP_DEG = 0.0006  # about 55-67 m: every point of the grid is within 50 m of a street
LINES = 25         # 24 blocks: about 1.4 km across

PLACES = {  # name: (west, south, fitting CRS)
    "chengdu": (104.05, 30.64, "EPSG:4544"),
    "beijing": (116.38, 39.90, "EPSG:4548"),
    "zero": (0.0, 0.0, "EPSG:32631"),
}


def street_grid(west: float, south: float) -> gpd.GeoSeries:
    """Streets every STEP_DEG, one segment per block side (nodes at every crossing)."""
    ticks = np.arange(LINES) * STEP_DEG
    segments = []
    for a in ticks:
        for b0, b1 in itertools.pairwise(ticks):
            segments.append(shapely.LineString([(west + a, south + b0), (west + a, south + b1)]))
            segments.append(shapely.LineString([(west + b0, south + a), (west + b1, south + a)]))
    return gpd.GeoSeries(segments, crs=WGS84)


def geodesic_m(line: shapely.LineString) -> float:
    return float(GEOD.geometry_length(line))


@pytest.mark.parametrize("place", sorted(PLACES))
def test_network_is_built_in_the_crs_that_fits_it(place: str) -> None:
    west, south, expected = PLACES[place]
    edges = street_grid(west, south)
    net = network_from_edges(edges)
    assert net.crs == expected
    truth = sum(geodesic_m(line) for line in edges)
    assert net.edge_length.sum() == pytest.approx(truth, rel=0.005)


@pytest.mark.parametrize("place", ["beijing", "zero"])
def test_the_constant_crs_would_fail_there(place: str) -> None:
    """The check above can fail: EPSG:4544 measures these grids too long."""
    west, south, _ = PLACES[place]
    edges = street_grid(west, south)
    forced = network_from_edges(edges, crs=METRIC_CRS)
    truth = sum(geodesic_m(line) for line in edges)
    assert abs(forced.edge_length.sum() / truth - 1) > 0.005


@pytest.mark.parametrize("place", ["beijing", "zero"])
def test_walking_distance_matches_the_geodesic(place: str) -> None:
    west, south, _ = PLACES[place]
    net = network_from_edges(street_grid(west, south))
    start = shapely.Point(west, south + 12 * STEP_DEG)   # west edge, middle
    end = shapely.Point(west + 20 * STEP_DEG, south + 12 * STEP_DEG)
    metric = gpd.GeoSeries([start, end], crs=WGS84).to_crs(net.crs).values
    sources, _ = net.snap(metric[:1], 1.0)
    dist = net.distances(sources, 5000.0)
    node = int(np.argmin(shapely.distance(shapely.points(net.node_xy), metric[1])))
    truth = geodesic_m(shapely.LineString([start, end]))
    assert dist[node] == pytest.approx(truth, rel=0.005)


@pytest.mark.parametrize("place", ["beijing", "zero"])
def test_walking_coverage_area_matches_the_geodesic(place: str) -> None:
    """A walk that reaches the whole grid covers all of a box inside it: its true area."""
    west, south, expected = PLACES[place]
    net = network_from_edges(street_grid(west, south))
    box = shapely.box(west + 4 * STEP_DEG, south + 4 * STEP_DEG,
                      west + 20 * STEP_DEG, south + 20 * STEP_DEG)
    area = gpd.GeoSeries([box], crs=WGS84)
    station = gpd.GeoSeries([shapely.Point(west + 12 * STEP_DEG, south + 12 * STEP_DEG)],
                            crs=WGS84)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the one station's extent is smaller than the box
        result = station_coverage(station, area, method="network", network=net,
                                  radius=3000, exact_area=True)
    truth_km2 = abs(GEOD.geometry_area_perimeter(box)[0]) / 1e6
    assert result.params["crs"] == expected
    assert result.total_km2 == pytest.approx(truth_km2, rel=0.005)
    assert result.covered_km2 == pytest.approx(truth_km2, rel=0.005)
    assert not any("measured in" in note for note in result.notes)


def test_osm_style_network_keeps_its_crs_in_results() -> None:
    """Covered geometry comes back in the network's CRS, as ``params`` says."""
    west, south, expected = PLACES["zero"]
    net = network_from_edges(street_grid(west, south))
    area = gpd.GeoSeries([shapely.box(west + 0.003, south + 0.003,
                                      west + 0.009, south + 0.009)], crs=WGS84)
    station = gpd.GeoSeries([shapely.Point(west + 0.006, south + 0.006)], crs=WGS84)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = station_coverage(station, area, method="network", network=net, radius=300)
    assert result.covered.crs == expected
    back = result.covered.to_crs(WGS84).iloc[0]
    assert back.centroid.distance(shapely.Point(west + 0.006, south + 0.006)) < 0.002


def test_embedded_network_stays_in_4544() -> None:
    net = load_walk_network()
    assert isinstance(net, WalkNetwork) and net.crs == "EPSG:4544"


def test_an_osm_import_builds_its_network_in_the_crs_that_fits_it(tmp_path) -> None:
    """The array builder of OSM imports: Beijing streets in EPSG:4548, great-circle lengths."""
    from benchmarks.synthetic_osm import write_city
    from gisplan.sources.osm import read_osm

    path = tmp_path / "beijing.osm.pbf"
    city = write_city(path, 8, origin=(116.4, 39.9))
    imported = read_osm(path, gpd.GeoDataFrame(geometry=[shapely.box(*city.box)], crs=WGS84))
    net = imported.network()
    assert net.crs == "EPSG:4548"
    edges = imported.layers["walk_edges"]
    truth = sum(geodesic_m(line) for line in edges.geometry)
    assert net.edge_length.sum() == pytest.approx(truth, rel=0.005)
    assert edges["length_m"].sum() == pytest.approx(truth, rel=0.005)
    hull = gpd.GeoSeries([net.extent()], crs=net.crs).to_crs(WGS84).iloc[0]
    assert shapely.box(*city.box).buffer(1e-4).contains(hull)


def geodesic_area_m2(polygon: shapely.Geometry) -> float:
    return abs(float(GEOD.geometry_area_perimeter(polygon)[0]))


def test_osm_import_measures_parks_and_its_margin_in_the_crs_that_fits_them(tmp_path) -> None:
    """Park areas of an import in Beijing agree with the geodesic (EPSG:4544: +2.4 %)."""
    from benchmarks.synthetic_osm import write_city
    from gisplan.sources.osm import read_osm

    path = tmp_path / "beijing.osm.pbf"
    city = write_city(path, 30, origin=(116.4, 39.9))
    imported = read_osm(path, gpd.GeoDataFrame(geometry=[shapely.box(*city.box)], crs=WGS84))
    parks = imported.layers["parks"]
    assert len(parks)
    truth = np.array([geodesic_area_m2(p) for p in parks.geometry])
    assert parks["area_m2"].to_numpy() == pytest.approx(truth, rel=0.002)


def test_park_classes_measure_areas_in_the_crs_that_fits_the_parks() -> None:
    """A park of 4,950 m2 (geodesic) in Beijing is medium, not large (EPSG:4544: 5,066 m2)."""
    from gisplan.standards.parks import classify_parks

    side = np.sqrt(4950.0)
    lat0 = 39.9
    dlat = side / 111_000.0
    dlon = side / (111_000.0 * np.cos(np.radians(lat0)))
    park = shapely.box(116.4, lat0, 116.4 + dlon, lat0 + dlat)
    truth = geodesic_area_m2(park)
    assert 4900 < truth < 5000
    classified = classify_parks(gpd.GeoDataFrame(geometry=[park], crs=WGS84))
    assert classified["service_radius_m"].iloc[0] == 300


def test_osm_build_area_row_measures_in_the_crs_that_fits_it() -> None:
    from gisplan.pipeline.osm_build import _area_row

    box = shapely.box(116.4, 39.9, 116.5, 40.0)
    row = _area_row(box, "test", "test", 10.0)
    assert row["area_km2"].iloc[0] == pytest.approx(geodesic_area_m2(box) / 1e6, rel=0.002)
