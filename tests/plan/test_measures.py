"""Walking-access targets on the embedded data: scoreboard rows, tables, README figures."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from gisplan.analysis.access import COVERAGE_TABLE_COLUMNS
from gisplan.plan import TARGETS, evaluate
from gisplan.plan.indicators import analysis_layers
from gisplan.standards.life_circles import CIRCLE_REQUIREMENTS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
ACCESS_IDS = [t.target_id for t in TARGETS if t.kind not in
              ("station_coverage", "park_coverage", "rail_length", "absent")]
ABSENT_IDS = [t.target_id for t in TARGETS if t.kind == "absent"]


@pytest.fixture(scope="module")
def evaluation():
    return evaluate()


FACILITY_IDS = [t.target_id for t in TARGETS if t.kind == "facility_coverage"]


@pytest.mark.parametrize("target_id", FACILITY_IDS)
def test_facility_targets_stay_within_the_straight_line_bound_worked_by_hand(evaluation,
                                                                             target_id):
    """A walk of r metres ends at most r metres from the facility, and the land counted is
    within 50 m of the streets reached (on a 12.5 m grid): the walking share cannot exceed
    the share of the area within r + 70 m of a facility, worked here with shapely."""
    import shapely

    from gisplan import load_layer
    from gisplan.standards.life_circles import life_circle

    target = next(t for t in TARGETS if t.target_id == target_id)
    radius = target.params.get("radius_m") or life_circle(target.params["circle"]).radius_m
    facilities = load_layer("facilities")
    chosen = facilities[facilities["category"].isin(target.params["categories"])]
    areas = load_layer("coverage_area")
    region = areas[areas["area_id"] == "central_osm_extract"].to_crs("EPSG:4544").union_all()
    discs = shapely.union_all(chosen.to_crs("EPSG:4544").buffer(radius + 70).values)
    bound = shapely.intersection(region, discs).area / region.area
    row = evaluation.table[(evaluation.table["target_id"] == target_id)
                           & (evaluation.table["denominator"] == "area")].iloc[0]
    assert 0 < row["value"] <= bound, (row["value"], bound)


def test_every_access_target_has_a_measured_row_with_its_denominator(evaluation):
    table = evaluation.table
    for target_id in ACCESS_IDS:
        rows = table[table["target_id"] == target_id]
        # measured, or n/a with the missing data named
        assert (rows["value"].notna() | rows["notes"].str.contains("no data for")).all()
    circles = table[table["target_id"].isin(["T09", "T11", "T12", "T14", "T19", "T42"])]
    assert set(circles["denominator"]) == {"area", "residential land"}
    t04 = table[table["target_id"] == "T04"]
    assert set(t04["denominator"]) == {"area", "residential land"}


def test_absent_targets_say_what_data_would_measure_them(evaluation):
    table = evaluation.table.set_index("target_id")
    for target_id in ABSENT_IDS:
        row = table.loc[target_id]
        assert np.isnan(row["value"]) and row["met"] is None
        assert len(row["data_needed"]) > 40


def test_a_bundle_with_an_unmapped_category_is_na_and_names_it(evaluation):
    life = evaluation.tables["life_circle_coverage"]
    assert list(life.columns) == COVERAGE_TABLE_COLUMNS
    assert set(life["circle"]) >= {"block", "5min", "10min", "15min"}
    fifteen = life[(life["circle"] == "15min") & (life["denominator"] == "area")]
    elderly = fifteen[fifteen["category"] == "elderly_care"].iloc[0]
    assert np.isnan(elderly["share"]) and "n/a: no data" in elderly["notes"]
    bundle = fifteen[fifteen["category"] == "all"].iloc[0]
    assert np.isnan(bundle["share"]) and "no data for" in bundle["notes"]
    assert "elderly_care (养老院" in bundle["notes"]
    mapped = fifteen[fifteen["category"] == "all_mapped"].iloc[0]
    # every mapped category reaches at least the land all of them reach together
    single = fifteen[~fifteen["category"].isin(["all", "all_mapped"])].dropna(subset=["share"])
    assert (single["share"] >= mapped["share"]).all()
    assert life["share"].dropna().between(0, 1).all()
    # only the rows of T09's own circle carry its id; the standard's other circles none
    standard = life[life["category"].isin(
        {r.requirement for r in CIRCLE_REQUIREMENTS} | {"all", "all_mapped"})]
    standard = standard[~standard["target_id"].isin(["T11", "T12", "T14", "T18", "T19",
                                                     "T42"])]
    assert set(standard.loc[standard["circle"] == "15min", "target_id"]) == {"T09"}
    assert standard.loc[standard["circle"] != "15min", "target_id"].isna().all()
    areas = evaluation.tables["life_circle_areas"]
    assert (areas.geometry.area / 1e6).to_numpy() == pytest.approx(
        areas["covered_km2"].to_numpy(), rel=1e-6, abs=1e-9)


def test_geopackage_layers_carry_metadata(evaluation):
    layers = analysis_layers(evaluation)
    for name in ("life_circle_coverage", "life_circle_areas"):
        meta = layers[name].attrs["gisplan"]
        assert "OpenStreetMap" in meta["attribution"] and meta["title_zh"]
    assert set(layers["life_circle_areas"].geom_type) <= {"MultiPolygon"}


def test_readme_figures_match_the_scoreboard(evaluation):
    table = evaluation.table
    for target_id in ACCESS_IDS:
        lines = [line for line in README.splitlines() if line.startswith(f"| {target_id} ")]
        documented = [float(m.group(1)) if (m := re.search(r"\| ([\d.]+) (?:%|km) \|", line))
                      else float("nan") for line in lines]
        rows = table[table["target_id"] == target_id]
        scale = 100 if rows["unit"].iloc[0] == "share" else 1
        assert documented == pytest.approx([round(v * scale, 1) for v in rows["value"]],
                                           abs=0.051, nan_ok=True), target_id


def test_readme_facility_count_matches_the_layer():
    from gisplan import load_layer

    assert f"({len(load_layer('facilities'))} points:" in README


def test_life_circle_layers_are_styled_by_category(evaluation):
    from gisplan import load_layer
    from gisplan.outputs.symbology import layer_symbology

    facilities = load_layer("facilities")
    drawn = layer_symbology("facilities", facilities)
    assert drawn.column == "category"
    assert {c.value for c in drawn.categories} == set(facilities["category"])
    areas = analysis_layers(evaluation)["life_circle_areas"]
    assert layer_symbology("life_circle_areas", areas).column == "category"
