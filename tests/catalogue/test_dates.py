"""The network on a day: the stations opening on a day count on that day, as published."""

import gisplan
from gisplan.catalogue.dates import latest_day

# Published: 373 stations when the five lines of 2020-12-18 opened (四川新闻网 2020-12-17,
# cititic.com/news/mm/1542133-20201217.htm; sc.china.com.cn/2020/toutu_1219/391607.html), and
# 423 after the openings of 2024-12-19 (wanbiaoku.com/new/70e7eea7b66707c37d012d8885fb1a21).
# The operator counts an interchange once per line. Three stations it counts are not in the
# layer: 芦角 (line 6, opened later), 天府站 and 福田 (line 18; see rail_history.json).
PUBLISHED = {"2020-12-18": 373, "2024-12-19": 423}
NOT_IN_THE_LAYER = 3


def _per_line(day: str) -> int:
    return int(gisplan.load_layer("metro_stations", as_of=day)["line_count"].sum())


def test_stations_opening_on_a_day_are_open_that_day():
    for day, published in PUBLISHED.items():
        assert _per_line(day) == published - NOT_IN_THE_LAYER, day


def test_the_day_before_an_opening_does_not_have_its_stations():
    # 2020-12-18: lines 6, 8, 9, 17 and 18's second section; over 70 stations opened
    before, on = _per_line("2020-12-17"), _per_line("2020-12-18")
    assert on - before > 70
    assert len(gisplan.load_layer("metro_stations", as_of="2020-12-18")) == 315


def test_the_latest_day_is_the_day_the_data_were_compiled():
    meta = gisplan.layer_metadata("metro_stations")
    assert latest_day(meta).isoformat() == meta["data_as_of"]
