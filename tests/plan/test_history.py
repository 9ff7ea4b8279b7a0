"""Targets over the plan period: T25 and T01 on any day, the scoreboard's period columns."""

import itertools
import json

import numpy as np
import pytest

import gisplan
from gisplan.analysis.rail import rail_network_length
from gisplan.cli import main
from gisplan.plan import evaluate, format_scoreboard, load_plan

PLAN = load_plan()
BASELINE, PERIOD_END = PLAN.baseline, PLAN.period_end
RAIL = ("T25",)
COVERAGE = ("T01",)


@pytest.fixture(scope="module")
def sections():
    return gisplan.load_layer("rail_sections")


def _t25(day):
    table = evaluate(targets=RAIL, as_of=day).table.set_index("area")
    return table.loc["urban_rail"], table.loc["all_rail"]


def test_t25_adds_operating_and_under_construction_metro(sections):
    urban, every = _t25(BASELINE)
    parts = [rail_network_length(BASELINE, modes="metro", status=s, sections=sections)
             .iloc[-1]["official_or_measured_km"] for s in ("operating", "under_construction")]
    assert urban["value"] == pytest.approx(sum(parts))
    assert parts[1] > 150  # the eight fourth-phase projects, 176.65 km (2019-2020 starts)
    assert urban["target"] == 850 and every["target"] == 1000
    assert every["value"] > urban["value"]
    assert "geometry" in urban["notes"] and "under construction" in urban["notes"]
    # every section opened after the baseline has a known start of works: a firm "no"
    assert urban["met"] is False


def test_t25_on_a_day_before_the_fourth_phase_is_a_lower_bound():
    urban, _ = _t25("2018-06-30")
    assert urban["met"] is None and "lower bound" in urban["notes"]


def test_t25_grows_from_2015_to_the_end_of_the_period():
    values = [_t25(day)[1]["value"] for day in ("2015-12-31", BASELINE, PERIOD_END)]
    assert values == sorted(values) and values[0] < values[-1]


def test_t01_at_the_baseline_uses_the_stations_then_open():
    table = evaluate(targets=COVERAGE, as_of=BASELINE).table
    core = table[table["area"] == "core_five_districts"].iloc[0]
    later = evaluate(targets=COVERAGE, as_of=PERIOD_END).table
    core_later = later[later["area"] == "core_five_districts"].iloc[0]
    assert core["value"] < core_later["value"]
    open_then = len(gisplan.load_layer("metro_stations", as_of=BASELINE))
    assert f"{open_then} stations" in core["notes"]


def test_t01_before_the_first_opening_says_why_nothing_is_covered():
    table = evaluate(targets=COVERAGE, as_of="2009-01-01", period=False).table
    assert len(table) and (table["value"] == 0).all()
    assert table["notes"].str.contains("no rail section had opened by 2009-01-01").all()


def test_scoreboard_has_baseline_and_end_of_period_columns():
    board = gisplan.scoreboard()
    dated = board[board["target_id"].isin(["T01", "T25"])]
    assert dated[["baseline", "end_of_period"]].notna().all().all()
    undated = board[board["target_id"].isin(["T04", "T08"])]
    assert undated[["baseline", "end_of_period"]].isna().all().all()
    t01 = dated[dated["target_id"] == "T01"]
    assert (t01["baseline"] <= t01["end_of_period"]).all()
    assert "2020" in format_scoreboard(board)


def test_scoreboard_as_of_a_past_day_leaves_undated_targets_unmeasured():
    board = gisplan.scoreboard(as_of="2020-12-31")
    assert (board["as_of"] == "2020-12-31").all()
    parks = board[board["target_id"] == "T04"]
    assert parks["value"].isna().all() and parks["notes"].str.contains("no dates").all()
    rail = board[board["target_id"] == "T25"]
    assert np.allclose(rail["value"], rail["baseline"])


def test_cli_scoreboard_as_of_a_good_date(capsys):
    assert main(["scoreboard", "--as-of", "2025-12-31", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["as_of"] for row in rows} == {"2025-12-31"}
    t25 = [row for row in rows if row["target_id"] == "T25"]
    assert [row["area"] for row in t25] == ["urban_rail", "all_rail"]
    assert all(row["value"] == pytest.approx(row["end_of_period"]) for row in t25)


@pytest.mark.parametrize("bad", ["2025/12/31", "2025-13-01", "end of 2025"])
def test_cli_scoreboard_as_of_a_bad_date(capsys, bad):
    with pytest.raises(SystemExit) as exit_info:
        main(["scoreboard", "--as-of", bad])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_readme_plan_period_table_comes_from_the_code():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    board = gisplan.scoreboard().set_index(["target_id", "area", "method"])
    rows = {"| urban rail, operating": ("T25", "urban_rail", "route_length"),
            "| all modes, 力争": ("T25", "all_rail", "route_length"),
            "| 800 m coverage, core five": ("T01", "core_five_districts", "euclidean"),
            "| 800 m coverage, 12 central": ("T01", "central_urban_12_districts", "euclidean"),
            "| 800 m coverage, central OSM": ("T01", "central_osm_extract", "network")}
    for start, key in rows.items():
        line = next(li for li in readme.splitlines() if li.startswith(start))
        numbers = [float(n) for n in re.findall(r"\| ([\d.]+) (?:km|%)", line)]
        row = board.loc[key]
        scale = 100 if key[0] == "T01" else 1
        expected = [row["baseline"] * scale, row["end_of_period"] * scale, row["value"] * scale]
        assert numbers == pytest.approx(expected, abs=0.051), start


def _share_by_hand(day: str, area_id: str) -> float:
    """Share of an area within 800 m of a station whose first line opened by ``day``."""
    import geopandas as gpd
    import shapely

    stations = gisplan.load_layer("metro_stations")
    first = [min(part.split(":")[1] for part in str(text).split(";") if ":" in part)
             if isinstance(text, str) and ":" in text else "9999"
             for text in stations["line_opened"]]
    open_then = stations[[f <= day for f in first]].to_crs("EPSG:4544")
    areas = gisplan.load_layer("coverage_area")
    area = shapely.union_all(areas[areas["area_id"] == area_id].to_crs("EPSG:4544").geometry)
    discs = shapely.union_all(gpd.GeoSeries(open_then.geometry).buffer(800, quad_segs=64).values)
    return shapely.intersection(area, discs).area / area.area


def test_network_history_and_chart(tmp_path):
    from gisplan.outputs.charts import CHART_NAME, plan_period_chart
    from gisplan.plan.history import network_history

    history = network_history([2010, 2020, 2025])
    assert history["metro_km"].iloc[0] == pytest.approx(18.5)  # line 1 phase I
    # 成都轨道交通集团: 518.96 km of metro at the end of 2020 (after the 2020-12-18 openings)
    assert history["metro_km"].iloc[1] == pytest.approx(518.96, rel=0.01)
    assert np.isnan(history["metro_with_construction_km"].iloc[0])  # starts of works unknown
    urban = evaluate(targets=RAIL, as_of=BASELINE).table.set_index("area").loc["urban_rail",
                                                                       "value"]
    assert history["metro_with_construction_km"].iloc[1] == pytest.approx(urban)
    # the 2020 share, worked with shapely from the stations' own opening dates
    assert history["coverage_core_five_districts"].iloc[1] == pytest.approx(
        _share_by_hand("2020-12-31", "core_five_districts"), abs=1e-3)  # disc polygons differ
    written = plan_period_chart(history, tmp_path)
    assert [p.name for p in written] == [f"{CHART_NAME}.png", f"{CHART_NAME}.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in written[1].read_text(encoding="utf-8")[:500]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)


def test_cli_chart_writes_png_and_svg(capsys, tmp_path):
    assert main(["chart", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan_period_rail.png",
                                                          "plan_period_rail.svg"]
    assert "wrote" in out


def test_station_map_slider_has_one_day_per_year_end_with_its_stations():
    import folium

    from gisplan.outputs.maps import station_coverage_map
    from gisplan.outputs.maps._timeline import add_network_slider, timeline_days

    layers = {name: gisplan.load_layer(name) for name in ("metro_stations", "rail_sections")}
    html = station_coverage_map(layers).get_root().render()
    assert "2020-12-31 (\\u57fa\\u671f baseline)" in html  # 基期, JSON-escaped
    days = timeline_days(layers)
    compiled = gisplan.layer_metadata("rail_sections")["data_as_of"]
    assert days[0].isoformat() == "2010-12-31" and days[-1].isoformat() == compiled
    assert all(b.year == a.year + 1 for a, b in itertools.pairwise(days))
    first = len(gisplan.load_layer("metro_stations", as_of="2010-12-31"))
    assert f'"stations": {first},' in html or f'"stations":{first},' in html
    plan = gisplan.plan.load_plan()
    assert add_network_slider(folium.Map(), layers, baseline=plan.baseline,
                              period_end=plan.period_end) == len(days)
    assert add_network_slider(folium.Map(), {"metro_stations": layers["metro_stations"]},
                              baseline=plan.baseline, period_end=plan.period_end) == 0


def test_the_station_count_of_the_data_day_is_the_same_both_ways(capsys):
    board = gisplan.scoreboard()
    day = board.attrs["as_of"]
    assert day == gisplan.layer_metadata("metro_stations")["data_as_of"]  # before today
    assert main(["scoreboard", "--as-of", day, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_cli = next(r for r in rows if r["target_id"] == "T01")["notes"]
    by_api = board[board["target_id"] == "T01"]["notes"].iloc[0]
    count = len(gisplan.load_layer("metro_stations", as_of=day))
    assert f"{count} stations" in by_cli and f"{count} stations" in by_api
