"""``gisplan access``: a category or a life circle, text and JSON, clear errors."""

from __future__ import annotations

import json

from gisplan.cli import main
from gisplan.cli.access import default_radius


def test_access_category_with_residential_land(capsys):
    assert main(["access", "primary_school", "--residential"]) == 0
    out = capsys.readouterr().out
    assert "within 500 m" in out and "denominator residential land" in out


def test_access_circle_as_json(capsys):
    assert main(["access", "5min", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {row["category"]: row for row in report["rows"]}
    assert "kindergarten" in rows and rows["kindergarten"]["share"] > 0
    # no data for 社区服务站: the bundle is n/a (null), and its note names what is missing
    assert rows["all"]["share"] is None and "community_service" in rows["all"]["notes"]
    assert rows["all_mapped"]["share"] is not None
    assert {row["radius_m"] for row in report["rows"]} == {300.0}


def test_access_minutes_and_json_shares(capsys):
    assert main(["access", "market|supermarket", "--minutes", "10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    area = report["by_denominator"]["area"]
    # 10 minutes is the 10min circle's 500 m (GB 50180-2018), not 10 x 60 m
    assert area["params"]["radius_m"] == 500 and 0 < area["share"] < 1


def test_access_circle_prints_its_notes(capsys):
    assert main(["access", "15min"]) == 0
    out = capsys.readouterr().out
    assert "note: elderly_care:" in out and "n/a: no data" in out


def test_access_unknown_category_lists_the_known_ones(capsys):
    assert main(["access", "cinema"]) == 1
    err = capsys.readouterr().err
    assert "unknown facility category" in err and "primary_school" in err and "15min" in err


def test_default_radius_follows_the_presets():
    assert default_radius(["kindergarten"]) == 300
    assert default_radius(["primary_school"]) == 500
    assert default_radius(["hospital"]) == 1000
    assert default_radius(["fire_station"]) == 1000
