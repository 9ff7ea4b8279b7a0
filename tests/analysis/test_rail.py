"""The dated rail network: rail_sections, station dates, as_of and rail_network_length."""

import datetime as dt

import pandas as pd
import pytest

import gisplan
from gisplan.analysis.rail import rail_network_length
from gisplan.catalogue.dates import FIRST_OPENING, section_status


@pytest.fixture(scope="module")
def sections():
    return gisplan.load_layer("rail_sections")


@pytest.fixture(scope="module")
def stations():
    return gisplan.load_layer("metro_stations")


def _date(text):
    return dt.date.fromisoformat(text)


def test_every_section_date_parses_and_is_cited(sections):
    meta = gisplan.layer_metadata("rail_sections")
    listed = {s["id"]: s for s in meta["sources"]}
    for row in sections.itertuples():
        for text in (row.opened, row.construction_from):
            if isinstance(text, str):
                assert _date(text).isoformat() == text
        cited = row.date_sources.split(";")
        assert cited and set(cited) <= set(listed), row.section_id
        if pd.notna(row.official_km):
            assert set(row.length_sources.split(";")) <= set(listed), row.section_id
        assert all(listed[c]["url"] or listed[c]["title"] for c in cited)
    assert sections["section_id"].is_unique


def test_every_section_has_a_date_or_a_status_saying_why_not(sections):
    for row in sections.itertuples():
        if row.status == "operating":
            assert isinstance(row.opened, str), row.section_id
        else:
            assert row.status in {"under_construction", "planned"}
            assert not isinstance(row.opened, str)
            assert isinstance(row.note, str) and row.note, row.section_id
        if row.status == "under_construction":
            assert isinstance(row.construction_from, str), row.section_id


def test_every_station_has_an_opening_date_or_a_note(stations):
    missing = stations[stations["opened"].isna()]
    assert missing["opened_note"].notna().all()
    for row in stations.itertuples():
        lines = row.lines.split(";")
        dated = dict(part.split(":") for part in row.line_opened.split(";"))
        assert list(dated) == lines
        known = [_date(d) for d in dated.values() if d != "unknown"]
        if known:
            assert _date(row.opened) == min(known)
        if "unknown" in dated.values():
            assert isinstance(row.opened_note, str)


def test_interchanges_get_one_date_per_line(stations):
    square = stations[stations["name_zh"] == "天府广场"].iloc[0]
    assert square["line_opened"] == "1:2010-09-27;2:2012-09-16"
    assert square["opened"] == "2010-09-27"


def test_sections_have_geometry_unless_no_station_is_public(sections):
    for row in sections.itertuples():
        if row.geometry is None:
            assert row.geocode_method == "none" and row.status != "operating"
        else:
            assert 40 <= row.precision_m <= 1000
            assert row.measured_km > 0


def test_measured_length_of_opened_sections_is_close_to_the_official_one(sections):
    metro = sections[(sections["mode"] == "metro") & (sections["geocode_method"]
                                                      == "track_between_stations")]
    both = metro.dropna(subset=["official_km", "measured_km"])
    both = both[both["section_id"] != "18-2"]  # its note explains the difference
    ratio = both["measured_km"] / both["official_km"]
    assert ratio.between(0.85, 1.05).all(), both[~ratio.between(0.85, 1.05)]


def test_network_length_grows_with_the_date(sections):
    totals = [rail_network_length(f"{year}-12-31", sections=sections).iloc[-1]
              for year in range(2010, 2027)]
    measured = [t["measured_km"] for t in totals]
    official = [t["official_or_measured_km"] for t in totals]
    assert measured == sorted(measured) and official == sorted(official)
    assert measured[0] > 0 and measured[-1] > 5 * measured[0]


def test_the_network_before_the_first_opening_is_empty(sections):
    day = FIRST_OPENING - dt.timedelta(days=1)
    for name in ("metro_stations", "metro_lines", "rail_sections"):
        frame = gisplan.load_layer(name, as_of=day)
        assert name == "rail_sections" or frame.empty
        note = frame.attrs["gisplan_as_of"]["note"]
        assert "2010-09-27" in note
    assert gisplan.load_layer("metro_stations", as_of=FIRST_OPENING)["lines"].eq("1").all()
    table = rail_network_length(day, sections=sections)
    assert table.iloc[-1]["measured_km"] == 0 and "2010-09-27" in table.attrs["note"]


# Operator totals announced with openings (route km, metro + tram unless stated):
# 2020-12-17: 398 km before the five lines of 2020-12-18 (四川新闻网 2020-12-17,
#   https://www.cititic.com/news/mm/1542133-20201217.htm);
# 2020-12-18: 558 km (same release; afc-china.com/news/202.html; sc.china.com.cn 2020-12-19);
# 2024-12-19: 670 km with S3 (红星新闻 2024-12-19, czaokai.com itemid=32457; 中新网 the same day);
# 2025-12-16: "突破750公里" with S3 (新华社 2025-12-16; toursline.cn/archives/79D8FQCZ).
# The published totals count each section's official length; line 18's first section has
# none published, so its measured length stands in (about 8 km short): 2 % tolerance.
PUBLISHED = [("2020-12-17", 398.0), ("2020-12-18", 558.0), ("2024-12-19", 670.0),
             ("2025-12-16", 750.0)]


@pytest.mark.parametrize(("day", "km"), PUBLISHED)
def test_published_network_totals_are_reproduced(sections, day, km):
    total = rail_network_length(day, sections=sections).iloc[-1]
    assert total["official_or_measured_km"] == pytest.approx(km, rel=0.02)
    # The geometry runs station to station (no tail tracks) and the tram is schematic:
    # measured route length is shorter than the official one, never longer.
    assert 0.85 * km < total["measured_km"] < 1.02 * km


def test_published_metro_total_of_2021(sections):
    # 12 metro lines, 518.96 km at the end of 2021 (t-d.tv 2022-09-06, from the operator).
    table = rail_network_length("2021-12-31", modes="metro", sections=sections)
    assert table.iloc[-1]["official_or_measured_km"] == pytest.approx(518.96, rel=0.02)
    assert len(table) - 1 == 12


def test_status_on_a_day(sections):
    status = dict(zip(sections["section_id"], section_status(sections, dt.date(2020, 12, 31)),
                      strict=True))
    assert status["6-1"] == "operating"
    assert status["19-2"] == status["13-1"] == status["S3-1"] == "under_construction"
    assert status["S11-1"] == "not_started"
    under = gisplan.load_layer("rail_sections", as_of="2020-12-31")
    assert set(under["status"]) == {"operating", "under_construction"}


def test_stations_and_lines_as_of_a_day():
    stations = gisplan.load_layer("metro_stations", as_of="2013-01-01")
    assert set(";".join(stations["lines"]).split(";")) == {"1", "2"}
    assert stations.loc[stations["name_zh"] == "天府广场", "line_count"].iloc[0] == 2
    lines = gisplan.load_layer("metro_lines", as_of="2013-01-01")
    assert list(lines["line_id"]) == ["1", "2"]
    today = gisplan.load_layer("metro_lines")
    assert lines.to_crs(3857).length.sum() < 0.2 * today.to_crs(3857).length.sum()


@pytest.mark.parametrize("bad", ["2020/12/31", "31-12-2020", "yesterday", 20201231])
def test_a_malformed_date_is_an_error_showing_the_form(bad):
    with pytest.raises(gisplan.DateError, match="YYYY-MM-DD"):
        gisplan.load_layer("metro_stations", as_of=bad)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        rail_network_length(bad)


def test_as_of_on_a_layer_without_dates_is_an_error():
    with pytest.raises(gisplan.DateError, match="rail layers"):
        gisplan.load_layer("parks", as_of="2020-12-31")


def test_as_of_on_a_replacement_without_dates_says_so(tmp_path):
    stations = gisplan.load_layer("metro_stations").drop(columns=["line_opened"])
    path = tmp_path / "stations.geojson"
    stations.to_file(path)
    with pytest.raises(gisplan.DateError, match="line_opened"):
        gisplan.load_layer("metro_stations", path, as_of="2020-12-31")
