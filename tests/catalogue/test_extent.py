"""Every layer knows where it is complete; results say when an area reaches beyond that."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

import gisplan
from gisplan import CoverageInputError, IncompleteDataWarning, park_coverage, station_coverage
from gisplan.catalogue.extent import check_extents
from gisplan.cli import main
from gisplan.crs import WGS84

BEIJING = gpd.GeoSeries([shapely.box(116.3, 39.85, 116.5, 40.0)], crs=WGS84)


# The <bounds> of the central OpenStreetMap extract, as its file header gives them: the
# parks, streets and facilities are complete inside this box only.
EXTRACT_BOX = (104.0421, 30.6528, 104.1296, 30.7279)


def beyond_box(polygon: shapely.Geometry) -> tuple[float, float]:
    """km2 and share of a polygon (EPSG:4544) outside the extract's box, worked here."""
    box = gpd.GeoSeries([shapely.box(*EXTRACT_BOX)], crs=WGS84).to_crs("EPSG:4544").iloc[0]
    outside = shapely.difference(polygon, box).area
    return outside / 1e6, outside / polygon.area


def area(area_id: str) -> gpd.GeoDataFrame:
    areas = gisplan.load_layer("coverage_area")
    return areas[areas["area_id"] == area_id]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", [n for n in gisplan.list_layers()
                                  if gisplan.layer_metadata(n)["kind"] == "spatial"])
def test_every_spatial_layer_records_where_it_is_complete(name):
    extent = gisplan.layer_extent(name)
    assert extent is not None and extent.crs == WGS84
    assert extent.iloc[0].area > 0 and extent.attrs["description"]
    # the surveyed features of the embedded layer lie in their extent (or cross its edge);
    # schematic drawings (the parks the plan names) may lie beyond it
    frame = gisplan.load_layer(name)
    drawn = frame["geocode_method"] == "schematic" if "geocode_method" in frame else False
    geoms = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty | drawn)]
    metric = gpd.GeoSeries(extent, crs=WGS84).to_crs("EPSG:4544").iloc[0]
    distance = shapely.distance(geoms.to_crs("EPSG:4544").values, metric)
    if name == "metro_stations":  # the S3 stations in 资阳, beyond the municipality
        beyond = frame.loc[geoms.index[distance > extent.attrs["precision_m"]], "in_chengdu"]
        assert not beyond.astype(bool).any()
    elif name in ("walk_nodes", "walk_edges", "water", "waterways", "facilities",
                  "residential_land"):
        # ways crossing the edge of the extract are kept whole: their ends lie outside
        assert (distance == 0).mean() > 0.9
    elif name != "metro_lines":
        assert (distance <= extent.attrs["precision_m"] + 1.0).all()


def test_extents_are_the_osm_extract_or_the_city():
    extract = area("central_osm_extract").geometry.iloc[0]
    city = area("chengdu_city").to_crs("EPSG:4544").geometry.iloc[0]
    for name in ("parks", "water", "waterways", "walk_edges", "walk_nodes"):
        extent = gisplan.layer_extent(name).iloc[0]
        assert extent.symmetric_difference(extract).area < 1e-9, name
    for name in ("districts", "metro_stations", "tod_sites", "functional_zones"):
        extent = gisplan.layer_extent(name)
        metric = extent.to_crs("EPSG:4544").iloc[0]
        # the simplified outline stays within its stated precision of the city
        assert metric.buffer(extent.attrs["precision_m"]).contains(city), name
        assert city.buffer(extent.attrs["precision_m"]).contains(metric), name
    assert gisplan.layer_extent("industrial_ecosystems") is None


def test_selections_keep_the_extent_and_users_files_get_their_own(tmp_path):
    stations = gisplan.load_layer("metro_stations")
    assert gisplan.layer_extent(stations[stations["lines"] != "蓉2"]) is not None
    path = tmp_path / "few.gpkg"
    few = stations.iloc[:20][["station_id", "name_zh", "lines", "geometry"]]
    few.to_file(path)
    user = gisplan.load_layer("metro_stations", path, precision_m=20)
    hull = shapely.convex_hull(shapely.union_all(few.geometry.values))
    assert gisplan.layer_extent(user).iloc[0].symmetric_difference(hull).area < 1e-12
    declared = gisplan.load_layer("metro_stations", path, precision_m=20,
                                  extent=area("core_five_districts"))
    assert gisplan.layer_extent(declared).iloc[0].area == pytest.approx(
        area("core_five_districts").geometry.iloc[0].area)


def test_default_park_coverage_of_the_core_districts_warns():
    parks = gisplan.load_layer("parks")
    with pytest.warns(IncompleteDataWarning, match="beyond the extent where parks are complete"):
        result = park_coverage(parks, area("core_five_districts"))
    km2, share = beyond_box(area("core_five_districts").to_crs("EPSG:4544").geometry.iloc[0])
    assert any(f"{km2:.1f} km2 ({share:.1%})" in note and "OpenStreetMap extract" in note
               for note in result.notes)
    with pytest.raises(CoverageInputError, match="beyond the extent"):
        park_coverage(parks, area("core_five_districts"), strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # inside the extract: no warning
        inside = park_coverage(parks, area("central_osm_extract"), strict=True)
    assert not any("beyond" in note for note in inside.notes)


def test_stations_are_complete_over_the_city():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = station_coverage(gisplan.load_layer("metro_stations"),
                                  area("central_urban_12_districts"), strict=True)
    # the share worked with shapely: 800 m discs of every station, cut to the area
    stations = gisplan.load_layer("metro_stations").to_crs("EPSG:4544")
    region = area("central_urban_12_districts").to_crs("EPSG:4544").geometry.union_all()
    discs = shapely.union_all(stations.geometry.buffer(800, quad_segs=64).values)
    assert result.share == pytest.approx(
        shapely.intersection(region, discs).area / region.area, abs=1e-3)


@pytest.mark.parametrize("measure", [station_coverage, park_coverage])
def test_an_area_sharing_nothing_with_the_data_is_an_error(measure):
    layer = "metro_stations" if measure is station_coverage else "parks"
    with pytest.raises(CoverageInputError, match="shares nothing"):
        measure(gisplan.load_layer(layer), BEIJING)


def test_check_extents_is_reusable_by_other_indicators():
    area_m = gpd.GeoSeries([shapely.box(104.0, 30.6, 104.2, 30.7)], crs=WGS84).to_crs(
        "EPSG:4544").iloc[0]
    half = gpd.GeoSeries([shapely.box(104.0, 30.6, 104.1, 30.7)], crs=WGS84)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy([104.05], [30.65]), crs=WGS84)
    shops = gisplan.declare_extent(points, half, "survey")
    with pytest.warns(IncompleteDataWarning, match="where shops are complete \\(survey\\)"):
        notes = check_extents(area_m, "EPSG:4544", {"shops": shops})
    assert len(notes) == 1 and "(50." in notes[0]  # half the area, by longitude
    undeclared = check_extents(area_m, "EPSG:4544", {"shops": points})
    assert "no extent is known" in undeclared[0]


def test_cli_default_parks_area_is_where_parks_are_complete(capsys):
    code, out, _ = run(capsys, "coverage", "parks", "--json")
    report = json.loads(out)
    assert code == 0 and report["params"]["area"] == "central_osm_extract"
    assert report["warnings"] == []
    code, out, _ = run(capsys, "coverage", "stations", "--method", "network", "--json")
    assert code == 0 and json.loads(out)["params"]["area"] == "central_osm_extract"


def test_cli_shows_the_incomplete_data_warning_and_strict_refuses(capsys):
    code, out, _ = run(capsys, "coverage", "parks", "--area", "core_five_districts")
    km2, share = beyond_box(area("core_five_districts").to_crs("EPSG:4544").geometry.iloc[0])
    assert code == 0 and f"warning: {km2:.1f} km2 ({share:.1%}) of the area lies beyond" in out
    code, out, _ = run(capsys, "coverage", "parks", "--area", "core_five_districts", "--json")
    report = json.loads(out)
    assert len(report["warnings"]) == 1 and report["warnings"][0] in report["notes"]
    code, out, err = run(capsys, "coverage", "parks", "--area", "core_five_districts",
                         "--strict")
    assert code == 1 and out == "" and "--data" in err


def test_cli_user_data_replaces_the_layer(capsys, tmp_path):
    stations = gisplan.load_layer("metro_stations")
    path = tmp_path / "stations.gpkg"
    columns = ["station_id", "name_zh", "lines", "precision_m", "geometry"]
    stations[stations["district_zh"] == "锦江区"][columns].to_file(path)
    code, out, _ = run(capsys, "coverage", "stations", "--data", str(path), "--json")
    report = json.loads(out)
    assert code == 0 and report["params"]["n_stations"] == int(
        (stations["district_zh"] == "锦江区").sum())
    assert report["warnings"] and "convex hull" in report["warnings"][0]


def test_cli_beijing_box_is_an_error(capsys, tmp_path):
    path = tmp_path / "beijing.geojson"
    gpd.GeoDataFrame(geometry=BEIJING).to_file(path)
    for what in ("stations", "parks"):
        code, out, err = run(capsys, "coverage", what, "--area", str(path))
        assert code == 1 and out == "" and "shares nothing" in err


def test_by_group_lists_only_groups_meeting_the_area():
    result = station_coverage(gisplan.load_layer("metro_stations"),
                              area("core_five_districts"),
                              groups=gisplan.load_layer("districts"))
    assert sorted(result.by_group["group"]) == sorted(["锦江区", "青羊区", "金牛区", "武侯区",
                                                      "成华区"])
    table = result.by_group
    assert (table["covered_km2"] <= table["total_km2"]).all()
    assert np.isfinite(table["share"]).all()
    assert table["total_km2"].sum() == pytest.approx(result.total_km2, rel=1e-6)


def test_walking_beyond_the_extract_warns_though_the_network_hull_reaches_further():
    extract = area("central_osm_extract").to_crs("EPSG:4544")
    grown = gpd.GeoSeries(extract.buffer(300, join_style="mitre"), crs="EPSG:4544")
    stations = gisplan.load_layer("metro_stations")
    with pytest.warns(IncompleteDataWarning, match="streets of the walking network"):
        result = station_coverage(stations, grown, method="network")
    _, share = beyond_box(grown.iloc[0])
    assert any(f"({share:.1%}) of the area lies beyond the extent where streets" in note
               for note in result.notes)
    with pytest.raises(CoverageInputError, match="walking network"):
        station_coverage(stations, grown, method="network", strict=True)


def test_a_network_far_from_105e_is_measured_in_its_own_zone():
    import pyproj

    lon, lat, step = 116.40, 39.90, 0.002  # Beijing, a 3 x 3 street grid
    lines = [shapely.LineString([(lon + i * step, lat), (lon + i * step, lat + 2 * step)])
             for i in range(3)]
    lines += [shapely.LineString([(lon, lat + j * step), (lon + 2 * step, lat + j * step)])
              for j in range(3)]
    net = gisplan.network_from_edges(gpd.GeoSeries(lines, crs=WGS84))
    square = gpd.GeoSeries([shapely.box(lon, lat, lon + 2 * step, lat + 2 * step)], crs=WGS84)
    stop = gpd.GeoSeries([shapely.Point(lon + step, lat + step)], crs=WGS84)
    result = station_coverage(stop, square, method="network", network=net, radius=100)
    assert result.params["crs"] == net.crs == "EPSG:4548"
    assert not any("does not fit this area" in n for n in result.notes)
    geodesic = pyproj.Geod(ellps="WGS84").geometry_length(lines[0])
    assert net.edge_length.max() == pytest.approx(geodesic, rel=1e-3)  # the longest: lines[0]


def test_an_osm_build_outside_chengdu_reports_the_station_target_as_not_measured(tmp_path):
    from benchmarks.synthetic_osm import write_city
    from gisplan.pipeline.osm_build import build_from_osm

    path = tmp_path / "beijing.osm.pbf"
    city = write_city(path, 12, origin=(116.4, 39.9))
    built = build_from_osm(path, gpd.GeoDataFrame(geometry=[shapely.box(*city.box)], crs=WGS84),
                           progress=False, echo=None)
    table = built.evaluation.table.set_index(["target_id", "method", "area", "denominator"])
    station = table.loc[("T01", "euclidean", "osm_import_area", "area")]
    assert np.isnan(station["value"]) and station["met"] is None
    assert "shares nothing with the extent where stations are complete" in station["notes"]
    parks = table.loc[("T04", "network", "osm_import_area", "area")]
    assert 0 <= parks["value"] <= 1  # the imported parks are complete there
