import importlib
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from gisplan import AmbiguousNameError, list_layers, load_layer, scoreboard
from gisplan.analysis.coverage import station_coverage
from gisplan.cli import main
from gisplan.outputs.maps import MAP_FILES

GEOCODE = importlib.import_module("gisplan.sources.geocoder")  # the module, not the function
COMMANDS = ["layers", "build", "map", "coverage", "scoreboard", "geocode"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(capsys, command):
    argv = [command, "--help"] if command else ["--help"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: gisplan" in capsys.readouterr().out


def test_layers_lists_every_layer_with_count_and_licence(capsys):
    code, out, _ = run(capsys, "layers")
    assert code == 0
    for name in list_layers():
        line = next(row for row in out.splitlines() if row.split()[0] == name)
        assert str(len(load_layer(name))) in line.split()


def test_unknown_layer_exits_1_with_the_valid_names(capsys):
    code, out, err = run(capsys, "layers", "districts", "no_such_layer")
    assert code == 1
    assert out == ""
    assert "unknown layer 'no_such_layer'" in err and "districts" in err


def test_build_writes_the_geopackage_and_the_maps(capsys, tmp_path):
    code, out, _ = run(capsys, "build", "--out", str(tmp_path / "b"),
                       "--maps-dir", str(tmp_path / "m"))
    assert code == 0
    gpkg = tmp_path / "b" / "chengdu.gpkg"
    assert f"wrote {gpkg}" in out
    names = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert set(list_layers()) <= names
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == sorted(MAP_FILES.values())


def test_build_without_maps_and_map_alone(capsys, tmp_path):
    assert run(capsys, "build", "--out", str(tmp_path), "--no-maps")[0] == 0
    assert [p.name for p in tmp_path.iterdir()] == ["chengdu.gpkg"]
    assert run(capsys, "map", "--out", str(tmp_path / "maps"))[0] == 0
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == sorted(MAP_FILES.values())


def test_coverage_json_matches_the_library(capsys):
    code, out, _ = run(capsys, "coverage", "stations", "--json")
    assert code == 0
    report = json.loads(out)
    areas = load_layer("coverage_area")
    expected = station_coverage(load_layer("metro_stations"),
                                areas[areas["area_id"] == "core_five_districts"])
    assert report["share"] == pytest.approx(expected.share)
    assert report["params"]["method"] == "euclidean"
    assert {row["group"] for row in report["by_group"]} >= {"锦江区", "武侯区"}


def test_a_smaller_radius_covers_less(capsys):
    shares = []
    for radius in ("400", "800"):
        code, out, _ = run(capsys, "coverage", "stations", "--radius", radius, "--json")
        assert code == 0
        shares.append(json.loads(out)["share"])
    assert 0 < shares[0] < shares[1] <= 1


def test_network_coverage_on_the_grid_or_exactly(capsys):
    reports = []
    for extra in ([], ["--exact-area"]):
        code, out, _ = run(capsys, "coverage", "stations", "--method", "network", "--area",
                           "central_osm_extract", "--json", *extra)
        assert code == 0
        reports.append(json.loads(out))
    grid, exact = reports
    assert (grid["params"]["area_method"], exact["params"]["area_method"]) == ("grid", "exact")
    assert grid["share"] == pytest.approx(exact["share"], rel=0.015)


def test_coverage_parks_text_report(capsys):
    code, out, _ = run(capsys, "coverage", "parks", "--area", "central_osm_extract")
    assert code == 0
    assert out.startswith("parks coverage (euclidean, area central_osm_extract):")


def test_coverage_on_a_users_area_file(capsys, tmp_path):
    districts = load_layer("districts")
    path = tmp_path / "area.gpkg"
    districts[districts["name_zh"] == "锦江区"][["name_zh", "geometry"]].to_file(path)
    code, out, _ = run(capsys, "coverage", "stations", "--area", str(path), "--json")
    assert code == 0
    assert 0 < json.loads(out)["share"] <= 1


def test_area_that_is_neither_file_nor_id(capsys, tmp_path):
    code, _, err = run(capsys, "coverage", "stations", "--area", str(tmp_path / "nope.gpkg"))
    assert code == 1
    assert "neither a file nor an area_id" in err and "core_five_districts" in err


def test_unreadable_area_file(capsys, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("this is not GeoJSON", encoding="utf-8")
    code, _, err = run(capsys, "coverage", "stations", "--area", str(path))
    assert code == 1
    assert "could not be read" in err


def test_area_file_without_crs(capsys, tmp_path):
    path = tmp_path / "no_crs.shp"
    frame = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.box(104.0, 30.6, 104.1, 30.7)])
    with pytest.warns(UserWarning, match="crs"):
        frame.to_file(path)
    code, _, err = run(capsys, "coverage", "stations", "--area", str(path))
    assert code == 1
    assert "no coordinate reference system" in err


@pytest.mark.parametrize("argv", [
    ["coverage", "stations", "--radius", "-5"],
    ["coverage", "stations", "--radius", "far"],
    ["coverage", "stations", "--method", "walking"],
    ["coverage", "lakes"],
    ["geocode"],
])
def test_bad_arguments_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_geocode_prints_the_library_answer(capsys):
    expected = GEOCODE.geocode("天府广场")
    code, out, _ = run(capsys, "geocode", "天府广场", "--json")
    assert code == 0
    found = json.loads(out)
    assert found["lon"] == pytest.approx(expected.lon)
    assert found["lat"] == pytest.approx(expected.lat)
    assert found["precision_m"] == expected.precision_m
    assert found["layer"] == expected.layer


def test_geocode_unknown_name_exits_1(capsys):
    code, out, err = run(capsys, "geocode", "no such place qqq")
    assert code == 1 and out == ""
    assert "no feature named" in err


def test_geocode_ambiguous_name_exits_3(capsys, monkeypatch):
    def ambiguous(name, layer=None):
        raise AmbiguousNameError(f"{name!r} matches 2 different places", candidates=[])

    monkeypatch.setattr(GEOCODE, "geocode", ambiguous)
    code, _, err = run(capsys, "geocode", "某地")
    assert code == 3
    assert "matches 2 different places" in err


def test_scoreboard_json(capsys):
    code, out, _ = run(capsys, "scoreboard", "--json")
    assert code == 0
    rows = json.loads(out)
    table = scoreboard()
    assert [row["target_id"] for row in rows] == table["target_id"].tolist()
    assert [row["met"] for row in rows] == table["met"].tolist()
    values = [np.nan if row["value"] is None else row["value"] for row in rows]
    np.testing.assert_allclose(values, table["value"].to_numpy(dtype=float))


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "gisplan"
    if not script.exists():
        pytest.skip("gisplan is not installed as a console script in this environment")
    done = subprocess.run([str(script), "layers", "no_such_layer"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 1
    assert "gisplan: error: unknown layer" in done.stderr


def test_build_into_a_path_that_is_a_file_exits_1(capsys, tmp_path):
    blocker = tmp_path / "build"
    blocker.write_text("not a folder", encoding="utf-8")
    code, _, err = run(capsys, "build", "--out", str(blocker), "--no-maps")
    assert code == 1
    assert err.startswith("gisplan: error:")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_map_with_a_tianditu_key_offers_tianditu(capsys, tmp_path):
    assert run(capsys, "map", "--out", str(tmp_path), "--tianditu-key", "abc123")[0] == 0
    html = (tmp_path / MAP_FILES["plan"]).read_text(encoding="utf-8")
    assert "tianditu.gov.cn" in html and "tk=abc123" in html
    assert "tianditu.gov.cn" not in (tmp_path / MAP_FILES["plan_gcj02"]).read_text(
        encoding="utf-8")


def test_malformed_tianditu_key_exits_1_before_writing_anything(capsys, tmp_path):
    code, _, err = run(capsys, "build", "--out", str(tmp_path), "--maps-dir",
                       str(tmp_path), "--tianditu-key", "a\"b")
    assert code == 1
    assert "Tianditu key" in err
    assert list(tmp_path.iterdir()) == []


def test_network_coverage_where_the_network_is_missing_explains_itself(capsys):
    code, out, err = run(capsys, "coverage", "stations", "--method", "network", "--area",
                         "core_five_districts")
    assert code == 1 and out == ""
    assert "covers only" in err and "--area" in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("gisplan ")


@pytest.mark.parametrize("radius", ["0", "-800", "nan", "abc", "inf"])
def test_cli_radius_is_refused_with_the_api_message(capsys, radius):
    from gisplan import CoverageInputError

    with pytest.raises(CoverageInputError) as api:
        station_coverage(load_layer("metro_stations"), load_layer("coverage_area"),
                         radius=radius)
    with pytest.raises(SystemExit) as exit_info:
        main(["coverage", "stations", "--radius", radius])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert str(api.value).replace("radius", "--radius") in err
