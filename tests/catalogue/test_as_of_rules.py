"""The as_of rules on small hand-made layers whose answers are worked out by hand."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gisplan._errors import DateError
from gisplan.catalogue.dates import (
    FIRST_OPENING,
    LINE_CLIP_M,
    beyond_data_note,
    empty_network_note,
    latest_day,
    layer_as_of,
    lower_bound_sections,
    parse_date,
    section_status,
)
from gisplan.crs import METRIC_CRS, WGS84

D = dt.date
X0, Y0 = 400_000.0, 3_390_000.0  # central Chengdu in EPSG:4544


def _sections() -> pd.DataFrame:
    # a: opened on line 1's first day, start of works unknown
    # b: works from 2016, opened 2020-12-18
    # c: works from 2022, not open; d: planned, no dates; e: planned, works from 2025-06-01
    return pd.DataFrame({
        "section_id": ["a", "b", "c", "d", "e"],
        "opened": ["2010-09-27", "2020-12-18", None, None, None],
        "construction_from": [None, "2016-01-01", "2022-01-01", None, "2025-06-01"],
        "status": ["operating", "operating", "under_construction", "planned", "planned"],
    })


@pytest.mark.parametrize(("day", "expected"), [
    (D(2010, 9, 26), ["unknown", "not_started", "not_started", "planned", "planned"]),
    (D(2010, 9, 27), ["operating", "not_started", "not_started", "planned", "planned"]),
    (D(2015, 12, 31), ["operating", "not_started", "not_started", "planned", "planned"]),
    (D(2016, 1, 1), ["operating", "under_construction", "not_started", "planned", "planned"]),
    (D(2020, 12, 17), ["operating", "under_construction", "not_started", "planned", "planned"]),
    (D(2020, 12, 18), ["operating", "operating", "not_started", "planned", "planned"]),
    (D(2022, 1, 1), ["operating", "operating", "under_construction", "planned", "planned"]),
    (D(2025, 6, 1), ["operating", "operating", "under_construction", "planned",
                     "under_construction"]),
])
def test_section_status_by_hand(day, expected):
    sections = _sections().set_index(pd.Index([10, 11, 12, 13, 14]))
    status = section_status(sections, day)
    assert status.tolist() == expected
    assert status.index.tolist() == [10, 11, 12, 13, 14]


def test_dates_in_another_form_are_refused():
    sections = _sections()
    sections.loc[1, "opened"] = "2020/12/18"
    with pytest.raises(ValueError):
        section_status(sections, D(2021, 1, 1))


def test_lower_bound_sections_are_the_unknown_ones():
    assert lower_bound_sections(_sections(), D(2010, 9, 26)) == ["a"]
    assert lower_bound_sections(_sections(), D(2010, 9, 27)) == []


def test_latest_day_is_the_earlier_of_today_and_the_compile_date():
    meta = {"data_as_of": "2025-03-01"}
    assert latest_day(meta, today=D(2024, 1, 2)) == D(2024, 1, 2)
    assert latest_day(meta, today=D(2026, 1, 2)) == D(2025, 3, 1)
    assert latest_day(None, today=D(2001, 2, 3)) == D(2001, 2, 3)
    assert latest_day({}, today=D(2001, 2, 3)) == D(2001, 2, 3)


def test_the_empty_network_note_names_the_day():
    assert empty_network_note(D(2009, 1, 2)) == (
        "no rail section had opened by 2009-01-02: Chengdu's first, line 1 phase I, opened "
        "on 2010-09-27")


def test_rail_sections_as_of_a_day():
    frame = _sections()
    result = layer_as_of("rail_sections", frame, D(2016, 1, 1))
    assert result["section_id"].tolist() == ["a", "b"]
    assert result["status"].tolist() == ["operating", "under_construction"]
    assert list(result.columns) == list(frame.columns)
    assert result.index.tolist() == [0, 1]
    assert result.attrs["gisplan_as_of"] == {"as_of": "2016-01-01", "note": None}
    assert frame["status"].tolist()[1] == "operating"  # the input is left alone


@pytest.mark.parametrize(("day", "note"), [
    (FIRST_OPENING - dt.timedelta(days=1), True), (FIRST_OPENING, False),
    (D(2020, 1, 1), False)])
def test_the_note_is_given_before_the_first_opening_only(day, note):
    result = layer_as_of("rail_sections", _sections(), day)
    expected = empty_network_note(day) if note else None
    assert result.attrs["gisplan_as_of"] == {"as_of": day.isoformat(), "note": expected}


def _stations() -> gpd.GeoDataFrame:
    points = [shapely.Point(X0 + 100 * i, Y0) for i in range(5)]
    return gpd.GeoDataFrame({
        "station_id": ["s0", "s1", "s2", "s3", "s4"],
        "line_opened": ["1:2010-09-27;2:2012-09-16", "2:2012-09-16", "3:unknown", None,
                        "1:2010-09-27;3:unknown;4:2030-01-01"],
    }, geometry=points, crs=METRIC_CRS)


@pytest.mark.parametrize(("day", "ids", "lines"), [
    (D(2010, 9, 26), [], []),
    (D(2010, 9, 27), ["s0", "s4"], ["1", "1"]),
    (D(2012, 9, 16), ["s0", "s1", "s4"], ["1;2", "2", "1"]),
    (D(2031, 1, 1), ["s0", "s1", "s4"], ["1;2", "2", "1;4"]),
])
def test_stations_as_of_a_day_by_hand(day, ids, lines):
    frame = _stations()
    result = layer_as_of("metro_stations", frame, day)
    assert result["station_id"].tolist() == ids
    assert result["lines"].tolist() == lines
    assert result["line_count"].tolist() == [len(x.split(";")) for x in lines]
    assert list(result.columns) == [*frame.columns, "lines", "line_count"]
    assert result.index.tolist() == list(range(len(ids)))


def test_a_line_id_with_a_colon_is_refused():
    frame = _stations()
    frame.loc[1, "line_opened"] = "S:3:2012-09-16"
    with pytest.raises(ValueError):
        layer_as_of("metro_stations", frame, D(2020, 1, 1))


def test_missing_date_columns_are_named():
    with pytest.raises(DateError, match="layer 'metro_stations' has no line_opened column"):
        layer_as_of("metro_stations", _stations().drop(columns="line_opened"), D(2020, 1, 1))
    with pytest.raises(DateError, match="layer 'rail_sections' has no opened, status column"):
        layer_as_of("rail_sections", _sections().drop(columns=["opened", "status"]),
                    D(2020, 1, 1))
    lines, sections = _lines()
    with pytest.raises(DateError, match="layer 'rail_sections' has no tracks column"):
        layer_as_of("metro_lines", lines, D(2020, 1, 1), sections.drop(columns="tracks"))


def test_other_layers_and_lines_without_sections_are_refused():
    with pytest.raises(DateError, match="metro_stations, metro_lines, rail_sections, not to "
                                        "'parks'"):
        layer_as_of("parks", _sections(), D(2020, 1, 1))
    lines, _ = _lines()
    with pytest.raises(DateError, match=r"needs the rail_sections layer \(sections=\)"):
        layer_as_of("metro_lines", lines, D(2020, 1, 1))


def _lines() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Three lines in WGS84: 3 (never open), 1 (2 km east-west), 2 (2 km north-south)."""
    tracks = [shapely.LineString([(X0, Y0 + 5000), (X0 + 2000, Y0 + 5000)]),
              shapely.LineString([(X0, Y0), (X0 + 2000, Y0)]),
              shapely.LineString([(X0 + 1000, Y0 - 1000), (X0 + 1000, Y0 + 1000)])]
    lines = gpd.GeoDataFrame({"line_id": ["3", "1", "2"], "name": ["c", "a", "b"]},
                             geometry=tracks, crs=METRIC_CRS).to_crs(WGS84)
    sections = gpd.GeoDataFrame({
        "section_id": ["1-1", "1-2", "x", "3-1"],
        "opened": ["2010-09-27", "2015-01-01", "2012-01-01", "2030-01-01"],
        "construction_from": [None, None, None, "2020-01-01"],
        "status": ["operating", "operating", "operating", "under_construction"],
        # 1-2 also carries line 2's trains; x is a section of no line in the layer
        "tracks": ["1", "1;2", None, "3"],
    }, geometry=[shapely.LineString([(X0, Y0), (X0 + 1000, Y0)]),
                 shapely.LineString([(X0 + 1000, Y0), (X0 + 2000, Y0)]),
                 shapely.LineString([(X0, Y0 - 3000), (X0 + 500, Y0 - 3000)]),
                 shapely.LineString([(X0, Y0 + 5000), (X0 + 2000, Y0 + 5000)])],
        crs=METRIC_CRS).to_crs(WGS84)
    return lines, sections


@pytest.mark.parametrize(("day", "lengths"), [
    (D(2010, 9, 26), {}),
    # line 1: its first km, and the corridor's round end LINE_CLIP_M beyond it
    (D(2012, 6, 1), {"1": 1000 + LINE_CLIP_M}),
    # line 1 whole; line 2: its track across the corridor of section 1-2 (both sides)
    (D(2016, 1, 1), {"1": 2000.0, "2": 2 * LINE_CLIP_M}),
])
def test_lines_as_of_a_day_by_hand(day, lengths):
    lines, sections = _lines()
    result = layer_as_of("metro_lines", lines, day, sections)
    assert result.crs == lines.crs
    assert result["line_id"].tolist() == list(lengths)
    assert result["name"].tolist() == [{"1": "a", "2": "b"}[i] for i in lengths]
    assert list(result.columns) == list(lines.columns)
    assert result.index.tolist() == list(range(len(lengths)))
    assert (result.geom_type == "MultiLineString").all()
    metric = result.to_crs(METRIC_CRS).length.to_numpy()
    np.testing.assert_allclose(metric, list(lengths.values()), rtol=1e-3)
    assert result.attrs["gisplan_as_of"]["as_of"] == day.isoformat()


def test_section_status_is_an_object_column():
    assert section_status(_sections(), D(2020, 1, 1)).dtype == object


def test_the_note_beyond_the_data_starts_the_day_after_they_were_compiled():
    meta = {"data_as_of": "2025-03-01"}
    assert beyond_data_note("metro_stations", meta, D(2025, 3, 1)) is None
    assert beyond_data_note("metro_stations", None, D(2030, 1, 1)) is None
    assert beyond_data_note("metro_stations", meta, D(2025, 3, 2)) == (
        "metro_stations on 2025-03-02: the data were compiled on 2025-03-01, so sections and "
        "stations opened after that day are missing")


def test_bad_dates_are_refused_with_the_expected_form():
    with pytest.raises(DateError) as error:
        parse_date("2020/12/31")
    assert str(error.value) == ("as_of '2020/12/31' is not a date; give it in the form "
                                "YYYY-MM-DD, e.g. as_of='2020-12-31'")
    assert parse_date(" 2020-12-31 ") == D(2020, 12, 31)
    assert parse_date(dt.datetime(2020, 12, 31, 23, 59)) == D(2020, 12, 31)


def test_the_missing_date_columns_message_in_full():
    with pytest.raises(DateError) as error:
        layer_as_of("metro_stations", _stations().drop(columns="line_opened"), D(2020, 1, 1))
    assert str(error.value) == (
        "layer 'metro_stations' has no line_opened column: its features carry no dates, so "
        "as_of cannot select them (a replacement file? add the columns of the embedded layer)")


@pytest.mark.parametrize("day", ["2010/09/27", "27.09.2010", "2010-09-27T00:00", "20100927"])
def test_dates_in_another_form_are_refused_even_when_all_are_in_it(day):
    sections = pd.DataFrame({"section_id": ["a"], "opened": [day], "construction_from": [day],
                             "status": ["operating"]})
    with pytest.raises(ValueError):
        section_status(sections, D(2021, 1, 1))


@pytest.mark.parametrize("line_id", ["XXXX", "nan", "None", "x", ""])
def test_a_section_without_tracks_belongs_to_no_line(line_id):
    # section x (open from 2012, no tracks) lies under a line whose id is odd
    lines, sections = _lines()
    odd = gpd.GeoDataFrame({"line_id": [line_id], "name": ["odd"]}, geometry=[
        shapely.LineString([(X0, Y0 - 3000), (X0 + 500, Y0 - 3000)])], crs=METRIC_CRS)
    lines = pd.concat([lines, odd.to_crs(lines.crs)], ignore_index=True)
    result = layer_as_of("metro_lines", lines, D(2016, 1, 1), sections)
    assert result["line_id"].tolist() == ["1", "2"]


def test_empty_track_ids_match_no_line():
    # "1;" and ";" hold an empty id beside (or instead of) a line: a line with an empty
    # id does not take them, line 1 still takes its own
    lines, sections = _lines()
    sections.loc[sections["section_id"] == "1-1", "tracks"] = "1;"
    sections.loc[sections["section_id"] == "x", "tracks"] = ";"
    blank = gpd.GeoDataFrame({"line_id": [""], "name": ["blank"]}, geometry=[
        shapely.LineString([(X0, Y0 - 3000), (X0 + 1000, Y0)])], crs=METRIC_CRS)
    lines = pd.concat([lines, blank.to_crs(lines.crs)], ignore_index=True)
    result = layer_as_of("metro_lines", lines, D(2012, 6, 1), sections)
    assert result["line_id"].tolist() == ["1"]
