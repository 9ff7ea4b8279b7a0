"""Bad input on the command line: a clear message naming what is wrong, one line each."""

import os
import stat

import geopandas as gpd
import pytest
import shapely

from benchmarks.synthetic_osm import write_city
from gisplan.cli import main
from gisplan.outputs.charts import plan_period_chart
from gisplan.outputs.maps import plan_map, save_map
from gisplan.plan.history import network_history

FLAT = shapely.Polygon([(104.05, 30.66), (104.06, 30.67), (104.07, 30.68)])  # collinear


@pytest.fixture()
def flat_area(tmp_path):
    path = tmp_path / "flat.geojson"
    gpd.GeoDataFrame(geometry=[FLAT], crs="EPSG:4326").to_file(path)
    return path


def _run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_flat_area_is_an_error_not_full_coverage(capsys, flat_area):
    code, out, err = _run(capsys, "coverage", "stations", "--area", str(flat_area))
    assert code == 1 and "100.0%" not in out
    assert "--area" in err and "no area" in err and "Traceback" not in err


def test_a_flat_area_for_an_osm_build_is_an_error_before_anything_is_read(capsys, tmp_path):
    city = write_city(tmp_path / "city.osm.pbf", 10, gap_m=2000, station_every=5)
    west, south, east, north = city.box
    flat = tmp_path / "flat_in_city.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Polygon([(west, south), ((west + east) / 2, (
        south + north) / 2), (east, north)])], crs="EPSG:4326").to_file(flat)
    code, _, err = _run(capsys, "build", "--osm", str(tmp_path / "city.osm.pbf"), "--area",
                        str(flat), "--out", str(tmp_path / "out"), "--no-maps")
    assert code == 1 and "no area" in err and "ZeroDivisionError" not in err
    assert not (tmp_path / "out").exists()


def test_warnings_are_one_line_each(capsys, tmp_path):
    beyond = tmp_path / "beyond.geojson"  # reaches past the central OSM extract
    gpd.GeoDataFrame(geometry=[shapely.box(104.038, 30.649, 104.129, 30.727)],
                     crs="EPSG:4326").to_file(beyond)
    code, _, err = _run(capsys, "access", "kindergarten", "--area", str(beyond))
    assert code == 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("warning: ") for line in lines), err
    assert ".py:" not in err


@pytest.mark.parametrize(("args", "option"), [
    (["access", "kindergarten", "--minutes", "-5"], "--minutes"),
    (["build", "--osm", "x.osm.pbf", "--margin", "-1"], "--margin"),
    (["coverage", "stations", "--radius", "0"], "--radius"),
])
def test_an_error_names_the_option_at_fault(capsys, args, option):
    with pytest.raises(SystemExit) as usage:
        main(args)
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: {option} must be" in err
    assert {"--minutes", "--margin", "--radius"} - {option} & set(err.split()) == set()


def test_a_margin_of_zero_is_allowed(capsys, tmp_path):
    code, _, err = _run(capsys, "build", "--osm", str(tmp_path / "absent.osm.pbf"),
                        "--margin", "0")
    assert code == 1 and "does not exist" in err  # past the margin check


def test_geocode_suggestions_name_only_options_the_command_has(capsys):
    code, _, err = _run(capsys, "geocode", "新津")
    assert code == 3 and "--layer" in err and "layer=" not in err
    code, _, err = _run(capsys, "geocode", "天府广常")
    assert code == 1 and "天府广场" in err and "provider" not in err


def test_charts_maps_and_geopackages_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        written = plan_period_chart(network_history([2019, 2020]), tmp_path)
        written.append(save_map(plan_map({}), tmp_path / "map.html"))
    finally:
        os.umask(old)
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_an_unreadable_area_file_is_named_once(tmp_path, capsys):
    junk = tmp_path / "junk.geojson"
    junk.write_text("not a polygon file", encoding="utf-8")
    assert main(["coverage", "stations", "--area", str(junk)]) == 1
    err = capsys.readouterr().err
    assert f"--area {str(junk)!r} could not be read as GeoPackage" in err
