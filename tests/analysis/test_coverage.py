"""Station and park coverage: analytic cases, network cases, population weighting, bad input."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan import CoverageInputError, CRSError, GisplanError, park_coverage, station_coverage
from gisplan.analysis._network_cover import ACCESS_QUAD_SEGS
from gisplan.network import network_from_edges
from gisplan.standards.parks import park_service_radius

CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0
R = 800.0
SIDE = 10_000.0
CIRCLE_TOL = 1e-3  # Euclidean discs within 0.1 % of pi r^2


def pts(*xy, crs=CRS):
    return gpd.GeoSeries([shapely.Point(X0 + x, Y0 + y) for x, y in xy], crs=crs)


def box(x0, y0, x1, y1, crs=CRS):
    return gpd.GeoSeries([shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)], crs=crs)


SQUARE = box(0, 0, SIDE, SIDE)


def lens(d: float, r: float = R) -> float:
    return 2 * r * r * math.acos(d / (2 * r)) - d / 2 * math.sqrt(4 * r * r - d * d)


# --------------------------------------------------------------------- euclidean


def test_one_station_in_a_large_square_is_pi_r2_over_a():
    result = station_coverage(pts((5000, 5000)), SQUARE)
    assert result.share == pytest.approx(math.pi * R**2 / SIDE**2, rel=CIRCLE_TOL)
    assert result.total_km2 == pytest.approx(100.0)
    assert result.covered_km2 == pytest.approx(math.pi * 0.64, rel=CIRCLE_TOL)
    assert result.params["method"] == "euclidean"
    assert result.params["radius_m"] == R


def test_overlapping_circles_count_the_lens_once():
    d = 600.0
    result = station_coverage(pts((5000, 5000), (5000 + d, 5000)), SQUARE)
    expected = 2 * math.pi * R**2 - lens(d)
    assert result.covered_km2 * 1e6 == pytest.approx(expected, rel=CIRCLE_TOL)


def test_stations_outside_the_area():
    on_edge = station_coverage(pts((0, 5000)), SQUARE)
    assert on_edge.share == pytest.approx(math.pi * R**2 / 2 / SIDE**2, rel=CIRCLE_TOL)
    far = station_coverage(pts((-5000, 5000)), SQUARE)
    assert far.share == 0.0


def test_area_with_a_hole_excludes_it_from_both_sides():
    hole = shapely.box(X0 + 4800, Y0 + 4800, X0 + 5200, Y0 + 5200)
    holed = gpd.GeoSeries([SQUARE.iloc[0].difference(hole)], crs=CRS)
    result = station_coverage(pts((5000, 5000)), holed)
    assert result.total_km2 == pytest.approx(100.0 - 0.16)
    assert result.covered_km2 == pytest.approx(math.pi * 0.64 - 0.16, rel=CIRCLE_TOL)


def test_no_stations_cover_nothing_and_say_so():
    result = station_coverage(gpd.GeoSeries([], crs=CRS), SQUARE)
    assert result.share == 0.0
    assert any("no stations" in note for note in result.notes)


def test_groups_break_the_share_down():
    halves = gpd.GeoDataFrame({"name_zh": ["西", "东"]},
                              geometry=[shapely.box(X0, Y0, X0 + 5000, Y0 + SIDE),
                                        shapely.box(X0 + 5000, Y0, X0 + SIDE, Y0 + SIDE)],
                              crs=CRS)
    result = station_coverage(pts((2000, 5000)), SQUARE, groups=halves)
    table = result.by_group.set_index("group")
    assert table.loc["西", "share"] == pytest.approx(math.pi * R**2 / 50e6, rel=CIRCLE_TOL)
    assert table.loc["东", "covered_km2"] == 0.0
    assert table["total_km2"].sum() == pytest.approx(result.total_km2)


def test_mixed_crs_inputs_are_measured_in_the_metric_crs():
    stations_wgs = pts((5000, 5000)).to_crs("EPSG:4326")
    result = station_coverage(stations_wgs, SQUARE)
    assert result.share == pytest.approx(math.pi * R**2 / SIDE**2, rel=CIRCLE_TOL)


def test_radius_changes_the_share_monotonically():
    shares = [station_coverage(pts((5000, 5000)), SQUARE, radius=r).share
              for r in (300.0, 500.0, 800.0)]
    assert shares == sorted(shares)
    assert shares[0] < shares[-1]


# ------------------------------------------------------------------- bad inputs


def test_missing_crs_is_refused():
    with pytest.raises(CRSError):
        station_coverage(gpd.GeoSeries([shapely.Point(0, 0)]), SQUARE)
    with pytest.raises(CRSError):
        station_coverage(pts((1, 1)), gpd.GeoSeries([shapely.box(0, 0, 1, 1)]))


def test_invalid_area_is_refused_with_the_reason():
    bowtie = gpd.GeoSeries([shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0),
                                             (X0, Y0 + 10)])], crs=CRS)
    with pytest.raises(CoverageInputError, match="make_valid"):
        station_coverage(pts((5, 5)), bowtie)


def test_empty_or_non_polygon_area_is_refused():
    with pytest.raises(CoverageInputError, match="no area"):
        station_coverage(pts((5, 5)), gpd.GeoSeries([], crs=CRS))
    with pytest.raises(CoverageInputError, match="polygons"):
        station_coverage(pts((5, 5)), pts((1, 1)))


def test_non_point_stations_and_unknown_method_are_refused():
    with pytest.raises(CoverageInputError, match="Points"):
        station_coverage(box(0, 0, 10, 10), SQUARE)
    with pytest.raises(CoverageInputError, match="method"):
        station_coverage(pts((5, 5)), SQUARE, method="crow")


# ---------------------------------------------------------------------- network


def street(*coords):
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in coords])


def test_network_line_by_hand():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (1000, 0)),
                                            street((1000, 0), (3000, 0))], crs=CRS))
    area = box(-10, -10, 3010, 10)
    result = station_coverage(pts((500, 5)), area, method="network", network=net,
                              access_distance=10.0, exact_area=True)
    # 5 m snap leaves 795 m each way: the street from 0 to 1295 m, buffered by 10 m
    expected = shapely.buffer(street((0, 0), (1295, 0)), 10.0, quad_segs=ACCESS_QUAD_SEGS)
    expected = expected.intersection(area.iloc[0])
    assert result.covered_km2 * 1e6 == pytest.approx(expected.area, rel=1e-9)
    assert result.snap_distances.loc[0, "snap_m"] == pytest.approx(5.0)
    assert result.params["network_components"] == 1


def test_network_unreachable_station_is_reported_not_used():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (3000, 0))], crs=CRS))
    area = box(0, -10, 3000, 10)
    result = station_coverage(pts((1500, 5), (2500, 500)), area, method="network",
                              network=net, access_distance=10.0, max_snap=400.0,
                              exact_area=True)
    assert result.unreachable == [1]
    assert not result.snap_distances.loc[1, "reachable"]
    named = gpd.GeoDataFrame({"name_zh": ["甲站", "乙站"]}, geometry=pts((1500, 5), (2500, 500)))
    notes = station_coverage(named, area, method="network", network=net).notes
    assert any("乙站" in note for note in notes)
    expected = shapely.buffer(street((705, 0), (2295, 0)), 10.0, quad_segs=ACCESS_QUAD_SEGS)
    assert result.covered_km2 * 1e6 == pytest.approx(expected.intersection(area.iloc[0]).area,
                                                     rel=1e-9)


def test_network_components_are_respected():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (1000, 0)),
                                            street((0, 100), (1000, 100))], crs=CRS))
    area = box(0, -10, 1000, 110)
    result = station_coverage(pts((0, -5)), area, method="network", network=net,
                              access_distance=10.0, radius=500.0)
    covered = result.covered.iloc[0]
    assert covered.intersects(shapely.Point(X0 + 400, Y0))
    assert not covered.intersects(shapely.Point(X0 + 100, Y0 + 100))
    assert result.params["network_components"] == 2
    assert result.snap_distances.loc[0, "component_nodes"] == 2


@pytest.mark.parametrize("access", [0.0, -5.0, float("nan")])
def test_network_access_distance_must_be_positive(access):
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (1000, 0))], crs=CRS))
    with pytest.raises(CoverageInputError, match="access_distance must be a finite positive"):
        station_coverage(pts((500, 0)), box(0, -10, 1000, 10), method="network", network=net,
                         access_distance=access)


def test_network_must_span_the_area():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (100, 0))], crs=CRS))
    with pytest.raises(CoverageInputError, match="covers only"):
        station_coverage(pts((0, 0)), SQUARE, method="network", network=net)


def test_network_and_euclidean_agree_on_a_dense_grid_in_their_order():
    segs = [street((x, 0), (x, 4000)) for x in range(0, 4001, 100)]
    segs += [street((0, y), (4000, y)) for y in range(0, 4001, 100)]
    pieces = gpd.GeoSeries(segs, crs=CRS).explode(index_parts=False)
    net = network_from_edges(gpd.GeoSeries(shapely.node(shapely.union_all(pieces.values))
                                           .geoms, crs=CRS))
    area = box(0, 0, 4000, 4000)
    walk = station_coverage(pts((2000, 2000)), area, method="network", network=net)
    crow = station_coverage(pts((2000, 2000)), area)
    # a walk is never shorter than the line of sight: the walking catchment is smaller
    assert 0 < walk.share < crow.share


# -------------------------------------------------------------------------- parks


def test_park_euclidean_buffer_by_size_class():
    park = shapely.box(X0 + 4950, Y0 + 4950, X0 + 5050, Y0 + 5050)  # 10000 m2: 500 m
    small = shapely.box(X0 + 1000, Y0 + 1000, X0 + 1030, Y0 + 1030)  # 900 m2: no radius
    parks = gpd.GeoDataFrame(geometry=[park, small], crs=CRS)
    result = park_coverage(parks, SQUARE)
    expected = 100 * 100 + 4 * 100 * 500 + math.pi * 500**2
    assert result.covered_km2 * 1e6 == pytest.approx(expected, rel=CIRCLE_TOL)
    assert result.params["n_parks_used"] == 1
    assert result.params["n_parks_too_small"] == 1


def test_park_radius_column_and_residential_denominator():
    park = shapely.box(X0 + 4950, Y0 + 4950, X0 + 5050, Y0 + 5050)
    parks = gpd.GeoDataFrame({"service_radius_m": [300.0]}, geometry=[park], crs=CRS)
    residential = box(5050, 4000, 7050, 6000)  # 2 km x 2 km east of the park
    result = park_coverage(parks, SQUARE, residential=residential)
    # east of the park: a 300 m x 100 m strip and two quarter discs of 300 m
    covered = 300 * 100 + math.pi * 300**2 / 2
    assert result.total_km2 == pytest.approx(4.0)
    assert result.covered_km2 * 1e6 == pytest.approx(covered, rel=CIRCLE_TOL)
    assert "residential" in result.params["area"]


def test_park_service_radius_classes():
    radius = park_service_radius([1999.0, 2000.0, 4999.0, 5000.0, 1e6])
    np.testing.assert_array_equal(radius, [0.0, 300.0, 300.0, 500.0, 500.0])


def test_park_network_one_pass_with_two_radii():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (5000, 0))], crs=CRS))
    parks = gpd.GeoDataFrame(
        {"service_radius_m": [500.0, 300.0]},
        geometry=[shapely.box(X0 + 1000, Y0 + 20, X0 + 1100, Y0 + 120),
                  shapely.box(X0 + 4000, Y0 + 20, X0 + 4100, Y0 + 120)], crs=CRS)
    area = box(0, -10, 5000, 10)
    result = park_coverage(parks, area, method="network", network=net, access_distance=10.0,
                           entrance_distance=50.0, exact_area=True)
    # frontage: street within 50 m of a park, 20 m away: 45.8 m beyond each corner; its
    # ends are 50 m from the park and start walking with radius - 50 m left
    dx = math.sqrt(50**2 - 20**2)
    walks = [street((1000 - dx - 450, 0), (1100 + dx + 450, 0)),
             street((4000 - dx - 250, 0), (4100 + dx + 250, 0))]
    expected = shapely.union_all(shapely.buffer(walks, 10.0, quad_segs=ACCESS_QUAD_SEGS))
    assert result.covered_km2 * 1e6 == pytest.approx(expected.intersection(area.iloc[0]).area,
                                                     rel=1e-4)
    assert result.unreachable == []


def test_park_between_two_components_reports_the_larger():
    # a 3-edge street north of the park and a 1-edge street south of it, not joined
    north = [street((0, 140), (100, 140)), street((100, 140), (200, 140)),
             street((200, 140), (300, 140))]
    net = network_from_edges(gpd.GeoSeries([*north, street((0, -20), (300, -20))], crs=CRS))
    parks = gpd.GeoDataFrame({"service_radius_m": [300.0]},
                             geometry=[shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 120)], crs=CRS)
    for order in (net, network_from_edges(gpd.GeoSeries(
            [street((0, -20), (300, -20)), *north], crs=CRS))):
        result = park_coverage(parks, box(10, -10, 290, 130), method="network", network=order,
                               entrance_distance=50.0)
        assert result.snap_distances["component_nodes"].tolist() == [4]


def test_park_without_a_street_nearby_is_unreachable():
    net = network_from_edges(gpd.GeoSeries([street((0, 0), (5000, 0))], crs=CRS))
    parks = gpd.GeoDataFrame({"service_radius_m": [500.0]},
                             geometry=[shapely.box(X0 + 1000, Y0 + 200, X0 + 1100, Y0 + 300)],
                             crs=CRS)
    result = park_coverage(parks, box(0, -10, 5000, 10), method="network", network=net,
                           access_distance=10.0)
    assert result.unreachable == [0]
    assert result.share == 0.0


# --------------------------------------------------------------------- population


def test_population_polygons_weight_the_share():
    west = shapely.box(X0, Y0, X0 + 5000, Y0 + SIDE)
    east = shapely.box(X0 + 5000, Y0, X0 + SIDE, Y0 + SIDE)
    people = gpd.GeoDataFrame({"pop": [1000.0, 9000.0]}, geometry=[west, east], crs=CRS)
    result = station_coverage(pts((2000, 5000)), SQUARE, population=people,
                              population_column="pop")
    expected = 1000.0 * (math.pi * R**2 / 50e6) / 10_000.0
    assert result.population_share == pytest.approx(expected, rel=CIRCLE_TOL)
    assert result.population_share < result.share


def test_population_raster_counts_cells_whose_centre_is_covered(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import Affine

    cell = 100.0
    data = np.arange(100 * 100, dtype="float32").reshape(100, 100)
    path = tmp_path / "pop.tif"
    transform = Affine(cell, 0.0, X0, 0.0, -cell, Y0 + SIDE)
    with rasterio.open(path, "w", driver="GTiff", width=100, height=100, count=1,
                       dtype="float32", crs=CRS, transform=transform) as dst:
        dst.write(data, 1)
    result = station_coverage(pts((5000, 5000)), SQUARE, population=path)
    with pytest.raises(GisplanError, match="covers only"):
        station_coverage(pts((5000, 5000)), box(0, 0, 2 * SIDE, SIDE), population=path)
    cols, rows = np.meshgrid(np.arange(100), np.arange(100))
    cx, cy = X0 + (cols + 0.5) * cell, Y0 + SIDE - (rows + 0.5) * cell
    inside = np.hypot(cx - X0 - 5000, cy - Y0 - 5000) <= R  # no centre within 3 m of the rim
    assert result.population_share == pytest.approx(data[inside].sum() / data.sum(),
                                                    rel=1e-9)


# ------------------------------------------------------ validation, CRS, park radius


@pytest.mark.parametrize("name", ["radius", "max_snap", "access_distance"])
@pytest.mark.parametrize("bad", [0, -800, float("nan"), float("inf"), "abc", "", True, None])
def test_station_distances_must_be_finite_positive_numbers(name, bad):
    with pytest.raises(CoverageInputError, match=f"{name} must be a finite positive distance"):
        station_coverage(pts((5000, 5000)), SQUARE, **{name: bad})


@pytest.mark.parametrize("name", ["radius", "access_distance", "entrance_distance"])
@pytest.mark.parametrize("bad", [0, -800, float("nan"), "abc"])
def test_park_distances_must_be_finite_positive_numbers(name, bad):
    parks = gpd.GeoDataFrame(geometry=box(4000, 4000, 6000, 6000))
    with pytest.raises(CoverageInputError, match=f"{name} must be a finite positive distance"):
        park_coverage(parks, SQUARE, **{name: bad})


def test_numeric_strings_are_accepted_as_numbers():
    as_text = station_coverage(pts((5000, 5000)), SQUARE, radius=" 800 ")
    assert as_text.share == station_coverage(pts((5000, 5000)), SQUARE, radius=800).share
    assert as_text.params["radius_m"] == 800.0


def test_an_area_at_0e_0n_measures_its_true_area():
    import pyproj

    cell = gpd.GeoSeries([shapely.box(0.0, 0.0, 0.1, 0.1)], crs="EPSG:4326")
    result = station_coverage(gpd.GeoSeries([shapely.Point(0.05, 0.05)], crs="EPSG:4326"),
                              cell)
    true_km2 = abs(pyproj.Geod(ellps="WGS84").geometry_area_perimeter(cell.iloc[0])[0]) / 1e6
    assert true_km2 == pytest.approx(123.0, rel=0.01)
    assert result.total_km2 == pytest.approx(true_km2, rel=0.005)
    assert result.params["crs"] == "EPSG:32631"  # UTM 31N
    assert result.covered_km2 == pytest.approx(math.pi * R * R / 1e6, rel=0.005)


def test_user_radius_reaches_real_parks_only():
    real = box(1000, 1000, 1100, 1100).iloc[0]
    ring = box(3000, 3000, 9000, 9000).iloc[0].difference(box(3100, 3100, 8900, 8900).iloc[0])
    grass = box(6000, 1000, 6100, 1100).iloc[0]
    parks = gpd.GeoDataFrame({"name_zh": ["公园", "环", "草地"], "park_green": [True, False, False],
                              "geocode_method": ["source_coordinates", "schematic",
                                                 "source_coordinates"]},
                             geometry=[real, ring, grass], crs=CRS)
    result = park_coverage(parks, SQUARE, radius=300)
    expected = shapely.intersection(real.buffer(300, quad_segs=32), SQUARE.iloc[0]).area
    assert result.covered_km2 * 1e6 == pytest.approx(expected, rel=1e-9)
    assert result.params["n_parks_used"] == 1 and result.params["n_not_parks"] == 2
    assert any("1 schematic drawing(s) (环)" in n and "1 non-park green" in n
               for n in result.notes)


def test_user_radius_on_the_embedded_parks_leaves_out_the_drawings():
    from gisplan import load_layer

    parks = load_layer("parks")
    areas = load_layer("coverage_area")
    extract = areas[areas["area_id"] == "central_osm_extract"]
    result = park_coverage(parks, extract, radius="300")
    real = parks[parks["park_green"] & (parks["geocode_method"] != "schematic")]
    crs = result.params["crs"]
    served = shapely.union_all(real.to_crs(crs).buffer(300, quad_segs=32).values)
    expected = shapely.intersection(served, extract.to_crs(crs).union_all()).area / 1e6
    assert result.covered_km2 == pytest.approx(expected, rel=1e-6)
    assert result.params["n_not_parks"] == len(parks) - len(real)
    assert any("(锦城公园, 锦江公园, 兴隆湖)" in n for n in result.notes)


def test_groups_are_listed_only_where_they_meet_the_area():
    groups = gpd.GeoDataFrame({"name_zh": ["in", "edge", "out"]}, geometry=[
        box(0, 0, SIDE, SIDE).iloc[0], box(SIDE, 0, 2 * SIDE, SIDE).iloc[0],
        box(3 * SIDE, 0, 4 * SIDE, SIDE).iloc[0]], crs=CRS)
    table = station_coverage(pts((5000, 5000)), SQUARE, groups=groups).by_group
    assert table["group"].tolist() == ["in"]
    assert (table["covered_km2"] <= table["total_km2"]).all()


def test_degrees_labelled_metric_and_metres_labelled_degrees_are_refused():
    degrees = gpd.GeoSeries([shapely.box(104.0, 30.6, 104.1, 30.7)], crs=CRS)
    with pytest.raises(CRSError, match="crs='EPSG:4326'"):
        station_coverage(gpd.GeoSeries([shapely.Point(104.05, 30.65)], crs="EPSG:4326"),
                         degrees)
    metres = pts((5000, 5000)).set_crs("EPSG:4326", allow_override=True)
    with pytest.raises(CRSError, match="not degrees"):
        station_coverage(metres, SQUARE)
