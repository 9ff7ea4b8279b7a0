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


def test_each_lines_measured_route_is_close_to_its_official_length(sections):
    """Per line, as the official lengths of a line's sections sum to its published figure."""
    table = rail_network_length("2024-12-31", modes="metro", sections=sections)
    lines = table[(table["line_id"] != "total") & (table["length_basis"] == "official")]
    ratio = lines["measured_km"] / lines["official_km"]
    # track drawn station to station, without tail tracks: a little short, never long
    assert ratio.between(0.9, 1.03).all(), lines[~ratio.between(0.9, 1.03)]
    assert len(lines) >= 12


def test_line_figures_are_the_published_ones(sections):
    """Sections of a line sum to its published length (sources: rail_history.json)."""
    table = rail_network_length("2024-12-31", modes="metro", sections=sections).set_index(
        "line_id")
    assert table.loc["1", "official_km"] == pytest.approx(41.0)  # line 1, 41 km in all
    assert table.loc["4", "official_km"] == pytest.approx(43.3)
    # line 18: 66.8 km for phases I and II (ruodiao.com/zatan/7308.html) and 3.28 km on
    # to 天府机场北
    assert table.loc["18", "official_km"] == pytest.approx(66.8 + 3.28)


def test_a_line_never_mixes_official_and_measured_lengths(sections):
    frame = sections[sections["line_id"] == "1"].copy()
    frame["official_km"] = frame["official_km"].astype(float)
    frame.loc[frame["section_id"] == "1-3", "official_km"] = float("nan")
    row = rail_network_length("2024-12-31", sections=frame).set_index("line_id").loc["1"]
    assert row["length_basis"] == "measured"
    assert row["official_or_measured_km"] == pytest.approx(
        frame["measured_km"].astype(float).sum())


def test_a_day_after_the_data_were_compiled_warns_and_says_when(sections):
    compiled = gisplan.layer_metadata("rail_sections")["data_as_of"]
    with pytest.warns(gisplan.IncompleteDataWarning, match=f"compiled on {compiled}"):
        table = rail_network_length("2040-01-01", sections=sections)
    assert compiled in table.attrs["note"]
    with pytest.warns(gisplan.IncompleteDataWarning, match=f"compiled on {compiled}"):
        stations = gisplan.load_layer("metro_stations", as_of="2035-01-01")
    assert compiled in stations.attrs["gisplan_as_of"]["note"]


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


# Totals the operator published, each with its source (route km):
# 2020-12-17: 398 km, metro + tram, the day before the five openings of 2020-12-18
#   (四川新闻网 2020-12-17, https://www.cititic.com/news/mm/1542133-20201217.htm);
# 2020-12-31: 558 km, metro + tram, after them (same release; afc-china.com/news/202.html;
#   sc.china.com.cn/2020/toutu_1219/391607.html);
# 2020-12-31: 518.96 km for the 12 metro lines (t-d.tv/2022/zhzs_0906/163886.html);
# 2024-12-31: 672.885 km, metro + S3 + tram, after the openings of 2024-12-19
#   (wanbiaoku.com/new/70e7eea7b66707c37d012d8885fb1a21; "突破670" in 红星新闻 that day).
PUBLISHED = [("2020-12-17", ("metro", "tram"), 398.0), ("2020-12-31", ("metro", "tram"), 558.0),
             ("2020-12-31", ("metro",), 518.96),
             ("2024-12-31", ("metro", "suburban", "tram"), 672.885)]


@pytest.mark.parametrize(("day", "modes", "km"), PUBLISHED)
def test_published_network_totals_are_reproduced_within_one_percent(sections, day, modes, km):
    table = rail_network_length(day, modes=modes, sections=sections)
    assert table.iloc[-1]["official_or_measured_km"] == pytest.approx(km, rel=0.01)
    # the geometry runs station to station and the tram is schematic: never longer
    assert 0.85 * km < table.iloc[-1]["measured_km"] < 1.02 * km


def test_twelve_metro_lines_at_the_baseline(sections):
    table = rail_network_length("2020-12-31", modes="metro", sections=sections)
    assert len(table) - 1 == 12


def test_s3_works_began_on_2020_11_27(sections):
    # 封面新闻 2020-11-27 (camet.org.cn/xydt/7057): the Q4 project start, main venue 福田站
    s3 = sections[sections["section_id"] == "S3-1"]
    before = section_status(s3, dt.date(2020, 11, 26)).iloc[0]
    on = section_status(s3, dt.date(2020, 11, 27)).iloc[0]
    assert (before, on) == ("not_started", "under_construction")


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
