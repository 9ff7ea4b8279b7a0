"""The life-circle presets of GB 50180-2018 and the helpers that read them, by hand."""

import pytest

from gisplan._errors import CoverageInputError
from gisplan.standards.life_circles import (
    CIRCLE_REQUIREMENTS,
    LIFE_CIRCLES,
    CircleRequirement,
    LifeCircle,
    circle_requirements,
    life_circle,
    minutes_to_metres,
    preset_table,
    resolve_categories,
)

MINE = (LifeCircle("7min", 7.0, 420.0, 400.0, "七分钟"),
        LifeCircle("5min", 5.0, 250.0, 250.0, "五分钟（本地）"))
MY_REQUIREMENTS = (CircleRequirement("7min", "food", "食品", ("market", "supermarket")),
                   CircleRequirement("5min", "play", "游戏", ("playground",)))


def test_the_standards_distances():
    # GB 50180-2018 4.0.1: 15 min 800-1,000 m, 10 min 500 m, 5 min 300 m
    assert [(c.circle, c.minutes, c.radius_m, c.radius_min_m) for c in LIFE_CIRCLES] == [
        ("block", 0.0, 150.0, 150.0), ("5min", 5.0, 300.0, 300.0),
        ("10min", 10.0, 500.0, 500.0), ("15min", 15.0, 1000.0, 800.0)]


def test_categories_by_name_by_bar_and_by_sequence():
    assert resolve_categories("market") == ("market",)
    assert resolve_categories("market|supermarket") == ("market", "supermarket")
    assert resolve_categories(["pharmacy", "toilets"]) == ("pharmacy", "toilets")
    assert resolve_categories("market|my_kind", extra=["my_kind"]) == ("market", "my_kind")


def test_unknown_categories_are_named_with_the_known_ones():
    with pytest.raises(CoverageInputError) as error:
        resolve_categories("market|bogus")
    message = str(error.value)
    assert message.startswith("unknown facility category ['bogus']; known categories: ")
    assert "market, " in message
    assert message.endswith("(or a life circle: block, 5min, 10min, 15min)")
    with pytest.raises(CoverageInputError, match=r"unknown facility category \[\]"):
        resolve_categories([])


def test_requirements_of_a_circle_in_table_order():
    assert [r.requirement for r in circle_requirements("10min")] == [
        "primary_school", "market", "sports", "bus_stop"]
    assert len(circle_requirements("15min")) == 6
    assert sum(len(circle_requirements(c.circle)) for c in LIFE_CIRCLES) == len(
        CIRCLE_REQUIREMENTS)
    assert circle_requirements("7min", MY_REQUIREMENTS) == [MY_REQUIREMENTS[0]]


def test_an_unknown_circle_is_refused_with_its_name():
    with pytest.raises(CoverageInputError, match=r"unknown life circle '20min'; known circles: "
                                                 r"block, 5min, 10min, 15min"):
        circle_requirements("20min")
    with pytest.raises(CoverageInputError, match="unknown life circle '7min'"):
        life_circle("7min")
    assert life_circle("7min", MINE) is MINE[0]


@pytest.mark.parametrize(("minutes", "speed", "metres"), [
    (5, None, 300.0), (10, None, 500.0), (15, None, 1000.0), (0.5, None, 30.0),
    (7, None, 420.0), (10, 60.0, 600.0), (2, 0.5, 1.0), (0.25, 80.0, 20.0)])
def test_minutes_to_metres_by_hand(minutes, speed, metres):
    assert minutes_to_metres(minutes, speed) == metres


def test_minutes_use_the_given_circles():
    assert minutes_to_metres(5, circles=MINE) == 250.0
    assert minutes_to_metres(7, circles=MINE) == 420.0
    assert minutes_to_metres(10, circles=MINE) == 600.0  # no such circle: 60 m/min


@pytest.mark.parametrize(("minutes", "speed"), [(0, None), (-1, 60.0), (5, 0.0), (5, -60.0),
                                                (0, 0.0)])
def test_minutes_and_speed_must_be_positive(minutes, speed):
    with pytest.raises(CoverageInputError, match="minutes and walking speed must be positive"):
        minutes_to_metres(minutes, speed)


def test_preset_table_of_given_circles():
    table = preset_table(MINE, MY_REQUIREMENTS)
    assert table.to_dict("records") == [
        {"circle": "7min", "minutes": 7.0, "radius_m": 420.0, "radius_min_m": 400.0,
         "requirement": "food", "label_zh": "食品", "categories": "market|supermarket"},
        {"circle": "5min", "minutes": 5.0, "radius_m": 250.0, "radius_min_m": 250.0,
         "requirement": "play", "label_zh": "游戏", "categories": "playground"}]
    assert len(preset_table()) == len(CIRCLE_REQUIREMENTS)
