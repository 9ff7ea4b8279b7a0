"""Park coverage: which parks get which radius, what the result records, worked by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gisplan import CoverageInputError, IncompleteDataWarning, declare_extent, park_coverage
from gisplan.analysis._network_cover import ACCESS_QUAD_SEGS, empty_snaps
from gisplan.network import network_from_edges

CRS = "EPSG:4544"
X0, Y0 = 500_000.0, 3_400_000.0
SIDE = 10_000.0
TOL = 1e-3  # 128-gon discs: within 0.05 % of pi r^2


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def series(*geoms):
    return gpd.GeoSeries(list(geoms), crs=CRS)


SQUARE = series(box(0, 0, SIDE, SIDE))
PARK = box(4950, 4950, 5050, 5050)  # 100 m x 100 m, 1 hm2


def served(side: float, radius: float) -> float:
    """Area within ``radius`` of a square of ``side``: the square, four strips, a disc."""
    return side * side + 4 * side * radius + math.pi * radius * radius


def with_extent(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The parks, complete over the square (so that no extent note is added)."""
    return declare_extent(frame, SQUARE.to_crs("EPSG:4326").iloc[0])


def test_params_record_the_default_size_classes():
    parks = with_extent(gpd.GeoDataFrame(geometry=[PARK, box(1000, 1000, 1030, 1030)], crs=CRS))
    result = park_coverage(parks, SQUARE)
    assert result.params == {
        "indicator": "park_coverage", "method": "euclidean", "area": "user area",
        "crs": CRS, "radius_source": "park area classes [(5000.0, 500.0), (2000.0, 300.0)]",
        "n_parks": 2, "n_parks_used": 1, "n_parks_too_small": 1, "n_not_parks": 0,
    }
    assert result.notes == []
    assert result.covered_km2 * 1e6 == pytest.approx(served(100, 500), rel=TOL)
    assert len(result.snap_distances) == 0 and result.unreachable == []


def test_given_size_classes_replace_the_standards():
    parks = with_extent(gpd.GeoDataFrame(geometry=[PARK], crs=CRS))
    result = park_coverage(parks, SQUARE, radii=[(100.0, 120.0, "any")])
    assert result.params["radius_source"] == "park area classes [(100.0, 120.0)]"
    assert result.covered_km2 * 1e6 == pytest.approx(served(100, 120), rel=TOL)


def test_one_radius_for_every_real_park_and_none_for_the_others():
    parks = with_extent(gpd.GeoDataFrame(
        {"park_green": [True, False, None], "geocode_method": ["surveyed"] * 3},
        geometry=[PARK, box(1000, 1000, 1100, 1100), box(8000, 8000, 8100, 8100)], crs=CRS))
    result = park_coverage(parks, SQUARE, radius=200)
    assert result.params["radius_source"] == "radius 200 m for every real park"
    assert result.params["n_parks_used"] == 1 and result.params["n_not_parks"] == 2
    assert result.covered_km2 * 1e6 == pytest.approx(served(100, 200), rel=TOL)
    assert result.notes == ["2 feature(s) of the park layer received no service radius: "
                            "0 schematic drawing(s) and 2 non-park green feature(s) "
                            "(park_green False)"]


def test_non_parks_get_no_radius_from_the_size_classes():
    # a non-park green of 1 hm2 would get 500 m; it gets none
    parks = with_extent(gpd.GeoDataFrame({"park_green": [True, False]},
                                         geometry=[PARK, box(1000, 1000, 1100, 1100)], crs=CRS))
    result = park_coverage(parks, SQUARE)
    assert result.params["n_parks_used"] == 1
    assert result.covered_km2 * 1e6 == pytest.approx(served(100, 500), rel=TOL)
    # no geocode_method column: every left-out feature is a non-park green
    assert result.notes == ["1 feature(s) of the park layer received no service radius: "
                            "0 schematic drawing(s) and 1 non-park green feature(s) "
                            "(park_green False)"]


def test_schematic_drawings_are_named_in_the_note():
    names = [f"图{i}" for i in range(12)]
    geoms = [box(100 * i, 9000, 100 * i + 50, 9050) for i in range(12)]
    parks = with_extent(gpd.GeoDataFrame(
        {"name_zh": ["公园", *names], "geocode_method": ["surveyed", *["schematic"] * 12]},
        geometry=[PARK, *geoms], crs=CRS))
    result = park_coverage(parks, SQUARE, radius=300)
    assert result.notes == [
        "12 feature(s) of the park layer received no service radius: 12 schematic drawing(s) "
        f"({', '.join(names[:10])}) and 0 non-park green feature(s) (park_green False)"]


def test_radius_column_missing_values_and_tiny_radii():
    parks = with_extent(gpd.GeoDataFrame(
        {"r": [0.5, np.nan, 150.0]},
        geometry=[PARK, box(1000, 1000, 1100, 1100), box(7000, 7000, 7100, 7100)], crs=CRS))
    result = park_coverage(parks, SQUARE, radius_column="r")
    assert result.params["radius_source"] == "column r"
    assert result.params["n_parks_used"] == 2 and result.params["n_parks_too_small"] == 1
    expected = served(100, 0.5) + served(100, 150)
    assert result.covered_km2 * 1e6 == pytest.approx(expected, rel=TOL)


def test_missing_and_empty_park_geometries_are_left_out():
    parks = with_extent(gpd.GeoDataFrame({"service_radius_m": [300.0, 300.0, 300.0]},
                                         geometry=[PARK, None, shapely.Polygon()], crs=CRS))
    result = park_coverage(parks, SQUARE)
    assert result.params["n_parks"] == 1
    assert result.covered_km2 * 1e6 == pytest.approx(served(100, 300), rel=TOL)


def test_no_parks_cover_nothing_and_say_so():
    parks = gpd.GeoDataFrame(geometry=[], crs=CRS)
    result = park_coverage(parks, SQUARE)
    assert result.notes == ["no parks: nothing is covered"]
    assert result.covered_km2 == 0.0


def test_parks_beyond_their_extent_warn_or_are_refused_with_strict():
    parks = declare_extent(gpd.GeoDataFrame(geometry=[PARK], crs=CRS),
                           series(box(0, 0, SIDE / 2, SIDE)).to_crs("EPSG:4326").iloc[0])
    with pytest.warns(IncompleteDataWarning):
        result = park_coverage(parks, SQUARE)
    assert len(result.notes) == 1 and "50.0%" in result.notes[0]
    assert "beyond the extent where parks are complete" in result.notes[0]
    with pytest.raises(CoverageInputError, match="strict=True: refused"):
        park_coverage(parks, SQUARE, strict=True)


def test_residential_land_is_the_denominator():
    parks = with_extent(gpd.GeoDataFrame({"service_radius_m": [300.0]},
                                         geometry=[box(9800, 4950, 9900, 5050)], crs=CRS))
    areas = gpd.GeoDataFrame({"area_id": ["core"]}, geometry=[SQUARE.iloc[0]], crs=CRS)
    # 2 m2 of residential land, 0.5 m2 of it inside the square and within the park's reach
    tiny = series(box(SIDE - 0.5, 5000, SIDE + 1.5, 5001))
    result = park_coverage(parks, areas, residential=tiny)
    assert result.params["area"] == "core (residential land)"
    assert result.total_km2 * 1e6 == pytest.approx(0.5)
    assert result.share == pytest.approx(1.0)
    with pytest.raises(CoverageInputError, match=r"^no residential land inside the area$"):
        park_coverage(parks, areas, residential=series(box(SIDE + 10, 0, SIDE + 20, 10)))


def test_groups_and_population_are_passed_on():
    parks = with_extent(gpd.GeoDataFrame({"service_radius_m": [300.0]}, geometry=[PARK],
                                         crs=CRS))
    west, east = box(0, 0, 5000, SIDE), box(5000, 0, SIDE, SIDE)
    groups = gpd.GeoDataFrame({"district": ["west", "east"]}, geometry=[west, east], crs=CRS)
    people = gpd.GeoDataFrame({"pop": [0.0, 1000.0]}, geometry=[west, east], crs=CRS)
    result = park_coverage(parks, SQUARE, groups=groups, group_column="district",
                           population=people, population_column="pop")
    assert sorted(result.by_group["group"]) == ["east", "west"]
    half = served(100, 300) / 2
    by_group = dict(zip(result.by_group["group"], result.by_group["covered_km2"], strict=True))
    assert by_group["east"] * 1e6 == pytest.approx(half, rel=TOL)
    assert result.population_share == pytest.approx(half / 50e6, rel=TOL)


# ----------------------------------------------------------------------- network


def street(a, b):
    return shapely.LineString([(X0 + a[0], Y0 + a[1]), (X0 + b[0], Y0 + b[1])])


def test_network_params_and_a_park_just_within_reach_of_the_area():
    net = network_from_edges(series(street((0, 0), (5000, 0))))
    # 500 m radius; the park is 500.1 m from the area: its walk reaches into the area
    parks = declare_extent(gpd.GeoDataFrame(
        {"service_radius_m": [500.0, 300.0], "park_green": [True, False]},
        geometry=[box(1500, 20, 1600, 120), box(3000, 20, 3100, 120)], crs=CRS,
        index=pd.Index([7, 9])), series(box(0, -100, 5000, 200)).to_crs("EPSG:4326").iloc[0])
    area = series(box(0, -10, 1000, 10))
    result = park_coverage(parks, area, method="network", network=net, access_distance=10.0,
                           entrance_distance=50.0, exact_area=True)
    dx = math.sqrt(50**2 - 20**2)  # the frontage runs dx beyond the park's corners
    walk = street((1500 - dx - 450, 0), (1600 + dx + 450, 0))
    expected = shapely.intersection(shapely.buffer(walk, 10.0, quad_segs=ACCESS_QUAD_SEGS),
                                    area.iloc[0]).area
    assert expected > 50.0
    # the frontage ends on the 128-gon around the park, not on its circle: 0.1 %
    assert result.covered_km2 * 1e6 == pytest.approx(expected, rel=1e-3)
    assert result.params == {
        "indicator": "park_coverage", "method": "network", "area": "user area", "crs": CRS,
        "radius_source": "column service_radius_m", "n_parks": 2, "n_parks_used": 1,
        "n_parks_too_small": 0, "n_not_parks": 1, "access_distance_m": 10.0,
        "area_method": "exact", "grid_cell_m": None, "network": "user edges",
        "network_nodes": 2, "network_edges": 1, "network_components": 1,
        "entrance_distance_m": 50.0,
    }
    assert result.notes == ["1 feature(s) of the park layer received no service radius: "
                            "0 schematic drawing(s) and 1 non-park green feature(s) "
                            "(park_green False)"]
    assert result.snap_distances.index.tolist() == [7]
    # the sources are the frontage's ends, on the 50 m zone around the park
    assert result.snap_distances["snap_m"].tolist() == pytest.approx([50.0], rel=1e-3)
    assert result.snap_distances["component_nodes"].tolist() == [2]
    assert result.snap_distances["component_nodes"].dtype == np.int64


def test_network_parks_out_of_reach_give_empty_typed_snaps():
    net = network_from_edges(series(street((0, 0), (5000, 0))))
    parks = gpd.GeoDataFrame({"service_radius_m": [300.0]}, geometry=[box(4000, 20, 4100, 120)],
                             crs=CRS)
    result = park_coverage(parks, series(box(0, -10, 1000, 10)), method="network", network=net,
                           access_distance=10.0)
    assert result.covered_km2 == 0.0
    assert result.params["area_method"] == "grid" and result.params["grid_cell_m"] == 2.5
    assert len(result.snap_distances) == 0


def test_empty_snaps_are_typed():
    snaps = empty_snaps(pd.Index([], dtype="int64"))
    assert list(snaps.columns) == ["snap_m", "component_nodes", "reachable"]
    assert snaps.dtypes.astype(str).tolist() == ["float64", "int64", "bool"]
    assert snaps.index.dtype == np.int64
    assert len(empty_snaps(["a", "b"])) == 2
    assert empty_snaps(["a", "b"]).index.tolist() == ["a", "b"]
