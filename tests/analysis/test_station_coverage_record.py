"""Station coverage: what the result records (params, notes, snaps), worked by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gisplan import (
    CoverageInputError,
    IncompleteDataWarning,
    declare_extent,
    park_coverage,
    station_coverage,
)
from gisplan.network import network_from_edges

CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0
SIDE = 10_000.0
TOL = 1e-3
EXTENT_NOTE = ("stations: no extent is known for these data, so it is not checked that they "
               "are complete over the area (load them with gisplan.load_layer or give them one "
               "with gisplan.declare_extent)")


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def street(a, b):
    return shapely.LineString([(X0 + a[0], Y0 + a[1]), (X0 + b[0], Y0 + b[1])])


WHOLE = box(0, 0, SIDE, SIDE)


def stations(*xy, names=None, index=None, extent=WHOLE):
    frame = gpd.GeoDataFrame({"name_zh": names or [f"s{i}" for i in range(len(xy))]},
                             geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in xy], crs=CRS,
                             index=index)
    if extent is None:
        return frame
    return declare_extent(frame, gpd.GeoSeries([extent], crs=CRS).to_crs("EPSG:4326").iloc[0])


SQUARE = gpd.GeoDataFrame({"area_id": ["sq"]}, geometry=[box(0, 0, SIDE, SIDE)], crs=CRS)


def test_euclidean_params_and_no_notes():
    result = station_coverage(stations((5000, 5000)), SQUARE)
    assert result.params == {"indicator": "station_coverage", "method": "euclidean",
                             "radius_m": 800.0, "area": "sq", "crs": CRS, "n_stations": 1,
                             "circle_quad_segs": 32}
    assert result.notes == []
    assert result.covered_km2 * 1e6 == pytest.approx(math.pi * 800**2, rel=TOL)
    named = station_coverage(stations((5000, 5000)), SQUARE, area_name="my square")
    assert named.params["area"] == "my square"


def test_no_stations_say_so_and_only_then():
    result = station_coverage(stations(), SQUARE)
    assert result.notes == ["no stations: nothing is covered"]
    assert result.covered_km2 == 0.0
    assert station_coverage(stations((5000, 5000), extent=None), SQUARE).notes == [EXTENT_NOTE]


def test_stations_beyond_their_extent_warn_or_are_refused_with_strict():
    half = stations((2000, 5000), extent=box(0, 0, SIDE / 2, SIDE))
    with pytest.warns(IncompleteDataWarning):
        result = station_coverage(half, SQUARE)
    assert len(result.notes) == 1
    assert result.notes[0].startswith("50.0 km2 (50.0%) of the area lies beyond the extent "
                                      "where stations are complete")
    with pytest.raises(CoverageInputError, match="strict=True: refused"):
        station_coverage(half, SQUARE, strict=True)


def test_network_params_snaps_and_stations_within_reach():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (5000, 0))], crs=CRS))
    area = gpd.GeoSeries([box(0, -10, 5000, 10)], crs=CRS)
    # on the street; 800 m from the area (within radius + access); 820 m from it
    found = stations((1000, 30), (3000, 810), (4000, 830), index=pd.Index([5, 6, 7]),
                     extent=None)
    result = station_coverage(found, area, method="network", network=net, access_distance=10.0,
                              max_snap=1000.0, exact_area=True)
    assert result.params == {
        "indicator": "station_coverage", "method": "network", "radius_m": 800.0,
        "area": "user area", "crs": CRS, "n_stations": 3, "access_distance_m": 10.0,
        "max_snap_m": 1000.0, "area_method": "exact", "grid_cell_m": None,
        "network": "user edges", "network_nodes": 2, "network_edges": 1,
        "network_components": 1, "n_stations_in_reach": 2}
    assert result.notes == [EXTENT_NOTE]
    snaps = result.snap_distances
    assert snaps.index.tolist() == [5, 6]
    assert snaps["snap_m"].tolist() == pytest.approx([30.0, 810.0])
    assert snaps["component_nodes"].tolist() == [2, 2]
    assert snaps["component_nodes"].dtype == np.int64
    # the first walks 770 m each way along the street; the second starts beyond 800 m
    walk = shapely.buffer(street((230, 0), (1770, 0)), 10.0, quad_segs=4)
    assert result.covered_km2 * 1e6 == pytest.approx(
        shapely.intersection(walk, area.iloc[0]).area, rel=1e-9)


def _chain_network(chain_edges: int):
    """A chain of 10 m edges along y = 0 and, 500 m north of it, one lone edge (2 nodes)."""
    lines = [street((10 * i, 0), (10 * i + 10, 0)) for i in range(chain_edges)]
    lines.append(street((0, 500), (10 * chain_edges, 500)))
    return network_from_edges(gpd.GeoSeries(lines, crs=CRS))


def test_stations_on_a_small_component_are_named():
    net = _chain_network(198)  # 199 + 2 = 201 nodes: the lone edge holds under 1 %
    assert net.n_nodes == 201
    names = [f"孤{i}" for i in range(11)]
    found = stations(*[(5, 500 + i) for i in range(11)], (100, 1), (1000, 250),
                     names=[*names, "主", "远"], extent=None)
    area = gpd.GeoSeries([box(0, -10, 1980, 510)], crs=CRS)
    result = station_coverage(found, area, method="network", network=net, max_snap=100.0)
    assert result.unreachable == [12]
    assert result.snap_distances["component_nodes"].tolist() == [2] * 11 + [199, 0]
    assert result.notes == [
        EXTENT_NOTE,
        f"11 station(s) snapped to a small network component (< 1% of nodes): "
        f"{', '.join(names[:10])}",
        "1 source(s) within reach of the area but not on the network: 远"]


def test_a_component_of_exactly_one_percent_is_not_small():
    net = _chain_network(197)  # 198 + 2 = 200 nodes: the lone edge holds exactly 1 %
    assert net.n_nodes == 200
    found = stations((5, 501), extent=None)
    area = gpd.GeoSeries([box(0, -10, 1970, 510)], crs=CRS)
    result = station_coverage(found, area, method="network", network=net)
    assert result.snap_distances["component_nodes"].tolist() == [2]
    assert result.notes == [EXTENT_NOTE]


# the embedded walking network is complete only inside the central OSM extract, whose east
# edge is at x = 416,636 m (EPSG:4544); its streets reach beyond it
BEYOND = gpd.GeoSeries([shapely.box(415_500, 3_396_000, 417_000, 3_397_000)], crs=CRS)


def test_the_embedded_network_notes_its_extent_or_refuses_with_strict():
    found = stations((0, 0), extent=None).set_geometry(
        [shapely.Point(416_000, 3_396_500)], crs=CRS)
    with pytest.warns(IncompleteDataWarning):
        result = station_coverage(found, BEYOND, method="network")
    assert result.notes[0] == EXTENT_NOTE
    assert len(result.notes) == 2
    assert "beyond the extent where streets of the walking network are complete" in (
        result.notes[1])
    with pytest.raises(CoverageInputError, match="streets of the walking network are complete"):
        station_coverage(found, BEYOND, method="network", strict=True)
    parks = gpd.GeoDataFrame(geometry=[shapely.box(415_900, 3_396_400, 416_000, 3_396_500)],
                             crs=CRS)
    with pytest.raises(CoverageInputError, match="streets of the walking network are complete"):
        park_coverage(parks, BEYOND, method="network", strict=True)


def test_park_polygons_are_covered_as_a_whole_on_the_network():
    # a second street 200 m north, not joined to the first: the network spans the area
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (5000, 0)),
                                            street((0, 200), (5000, 200))], crs=CRS))
    park = box(1000, 20, 1100, 120)
    parks = gpd.GeoDataFrame({"service_radius_m": [300.0]}, geometry=[park], crs=CRS)
    area = gpd.GeoSeries([box(900, -10, 1200, 150)], crs=CRS)
    for exact in (True, False):
        result = park_coverage(parks, area, method="network", network=net,
                               access_distance=10.0, entrance_distance=50.0, exact_area=exact)
        # the walk covers the street's 300 m x 20 m strip in the area; the park its 1 hm2
        assert result.covered_km2 * 1e6 == pytest.approx(300 * 20 + 100 * 100,
                                                         rel=1e-9 if exact else 0.05)


def test_no_stations_cover_an_empty_polygon_and_check_no_extent():
    result = station_coverage(stations(extent=None), SQUARE)
    assert result.notes == ["no stations: nothing is covered"]
    assert result.covered.iloc[0].geom_type == "Polygon" and result.covered.iloc[0].is_empty


def test_park_coverage_on_a_network_measures_in_the_networks_crs():
    # a network built in UTM 48N for a Chengdu area: the network's CRS is the measuring one
    streets = gpd.GeoSeries([street((0, 0), (5000, 0)), street((0, 200), (5000, 200))],
                            crs=CRS)
    net = network_from_edges(streets, crs="EPSG:32648")
    parks = gpd.GeoDataFrame({"service_radius_m": [300.0]}, geometry=[box(1000, 20, 1100, 120)],
                             crs=CRS)
    area = gpd.GeoSeries([box(900, -10, 1200, 150)], crs=CRS)
    result = park_coverage(parks, area, method="network", network=net, access_distance=10.0,
                           entrance_distance=50.0, exact_area=True, area_name="strip")
    assert result.params["crs"] == "EPSG:32648"
    assert result.params["area"] == "strip"
    assert result.covered_km2 * 1e6 == pytest.approx(16_000.0, rel=2e-3)


def test_unreachable_parks_are_named_and_non_parks_counted_without_a_method_column():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (5000, 0)),
                                            street((0, 400), (5000, 400))], crs=CRS))
    parks = gpd.GeoDataFrame(
        {"name_zh": ["远园", "草地", "绿带"], "park_green": [True, False, False],
         "service_radius_m": [300.0, 300.0, 300.0]},
        geometry=[box(1000, 150, 1100, 250), box(2000, 20, 2100, 120),
                  box(3000, 20, 3100, 120)], crs=CRS)
    result = park_coverage(parks, gpd.GeoSeries([box(0, -10, 5000, 410)], crs=CRS),
                           method="network", network=net, entrance_distance=50.0)
    assert result.unreachable == [0]
    assert result.notes[-2:] == [
        "2 feature(s) of the park layer received no service radius: 0 schematic drawing(s) "
        "and 2 non-park green feature(s) (park_green False)",
        "1 source(s) within reach of the area but not on the network: 远园"]
