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
    categories = [row["category"] for row in report["rows"]]
    assert categories[-1] == "all" and "kindergarten" in categories
    assert {row["radius_m"] for row in report["rows"]} == {300.0}


def test_access_minutes_and_json_shares(capsys):
    assert main(["access", "market|supermarket", "--minutes", "10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    area = report["by_denominator"]["area"]
    assert area["params"]["radius_m"] == 600 and 0 < area["share"] < 1


def test_access_unknown_category_lists_the_known_ones(capsys):
    assert main(["access", "cinema"]) == 1
    err = capsys.readouterr().err
    assert "unknown facility category" in err and "primary_school" in err and "15min" in err


def test_default_radius_follows_the_presets():
    assert default_radius(["kindergarten"]) == 300
    assert default_radius(["primary_school"]) == 500
    assert default_radius(["hospital"]) == 1000
    assert default_radius(["fire_station"]) == 1000
