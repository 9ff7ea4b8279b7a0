"""Another plan file, for a made-up district, runs without code changes."""

import json
import math

import geopandas as gpd
import pytest
import shapely

from gisplan import PlanFileError, scoreboard
from gisplan.cli import main
from gisplan.plan import load_plan

CRS = "EPSG:4544"
X0, Y0 = 420_000.0, 3_390_000.0  # a 2 km square district near Chengdu, in metres
SIDE = 2000.0

PLAN = """
[plan]
id = "made_up_district"
title_en = "A made-up district's plan"
baseline = 2020-12-31
period_end = 2025-12-31

[[targets]]
id = "S1"
indicator = "station_500m"
name_zh = "站点500米覆盖"
name_en = "Station 500 m coverage"
wording_zh = "站点500米覆盖率超过15%"
threshold = 0.15
comparison = ">"
unit = "share"
basis = "plan"
kind = "station_coverage"
inputs = { stations = { file = "stations.geojson", extent = "district.geojson" } }
params = { radius_m = 500.0 }
data_needed = "the district's stations"
measurements = [{ method = "euclidean", area = "district.geojson" }]

[[targets]]
id = "P1"
indicator = "park_radius"
name_zh = "公园服务半径覆盖"
name_en = "Park service-radius coverage"
wording_zh = "公园绿地服务半径覆盖率达到90%"
threshold = 0.9
comparison = ">="
unit = "share"
basis = "standard"
basis_note = "GB/T 50563-2010"
kind = "park_coverage"
inputs = { parks = { file = "parks.geojson", extent = "district.geojson" } }
data_needed = "the district's parks"
measurements = [{ method = "euclidean", area = "district.geojson" }]

[[targets]]
id = "G1"
indicator = "greenway"
name_zh = "绿道"
name_en = "Greenway length"
wording_zh = "绿道100公里"
threshold = 100.0
comparison = ">="
unit = "km"
basis = "plan"
kind = "absent"
data_needed = "greenway centrelines"
"""


@pytest.fixture()
def plan_file(tmp_path):
    district = shapely.box(X0, Y0, X0 + SIDE, Y0 + SIDE)
    gpd.GeoDataFrame({"area_id": ["made_up"]}, geometry=[district], crs=CRS).to_file(
        tmp_path / "district.geojson")
    gpd.GeoDataFrame({"station_id": ["s1"], "name_zh": ["中心站"], "lines": ["1"],
                      "precision_m": [10.0]},
                     geometry=[shapely.Point(X0 + SIDE / 2, Y0 + SIDE / 2)],
                     crs=CRS).to_file(tmp_path / "stations.geojson")
    park = shapely.box(X0, Y0, X0 + 100, Y0 + 100)  # 10,000 m2: the 500 m class
    gpd.GeoDataFrame({"park_id": ["p1"], "name_zh": ["角落公园"], "park_green": [True],
                      "precision_m": [10.0]}, geometry=[park], crs=CRS).to_file(
        tmp_path / "parks.geojson")
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_the_plan_is_read_with_its_targets(plan_file):
    plan = load_plan(plan_file)
    assert [t.target_id for t in plan.targets] == ["S1", "P1", "G1"]
    assert plan.target("P1").basis == "standard"


def test_its_values_are_the_hand_computed_ones(plan_file):
    table = scoreboard(plan_file).set_index("target_id")
    disc = math.pi * 500.0**2 / SIDE**2  # the disc lies inside the square
    assert table.loc["S1", "value"] == pytest.approx(disc, rel=5e-4)
    assert table.loc["S1", "met"] is True  # 19.6 % > 15 %
    served = shapely.box(X0, Y0, X0 + 100, Y0 + 100).buffer(500.0, quad_segs=32)
    expected = served.intersection(shapely.box(X0, Y0, X0 + SIDE, Y0 + SIDE)).area / SIDE**2
    assert table.loc["P1", "value"] == pytest.approx(expected, rel=1e-6)
    assert table.loc["P1", "met"] is False
    assert table.loc["P1", "target_basis"] == "standard"
    assert math.isnan(table.loc["G1", "value"]) and table.loc["G1", "met"] is None


def test_the_cli_evaluates_it(plan_file, capsys):
    assert main(["scoreboard", "--plan", str(plan_file), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["target_id"] for r in rows] == ["S1", "P1", "G1"]


def test_a_broken_plan_file_lists_every_problem(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(PLAN.replace('kind = "park_coverage"', 'kind = "parks_in_reach"')
                    .replace('basis = "plan"\nkind = "absent"', 'basis = "mine"\nkind = "absent"'),
                    encoding="utf-8")
    with pytest.raises(PlanFileError) as error:
        load_plan(path)
    assert "parks_in_reach" in str(error.value) and "'mine'" in str(error.value)


def test_a_missing_plan_file_is_a_clear_cli_error(tmp_path, capsys):
    assert main(["scoreboard", "--plan", str(tmp_path / "absent.toml")]) == 1
    assert "does not exist" in capsys.readouterr().err
