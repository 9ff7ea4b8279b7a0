"""The main job on an OSM file: the same data give the same answers as the embedded layers."""

import math

import numpy as np
import osmium
import pytest

import gisplan
from compile_layers._common import RAW
from gisplan.pipeline import build_from_osm

OSM_XML = RAW / "network" / "osm_central_chengdu_2018.osm"
needs_extract = pytest.mark.skipif(not OSM_XML.exists(), reason=f"{OSM_XML} not available")
KEY = ["target_id", "method", "area", "denominator"]


def _pbf(dst, *, bounds: bool):
    reader = osmium.io.Reader(str(OSM_XML))
    header = reader.header()
    reader.close()
    writer = osmium.SimpleWriter(str(dst), header=header) if bounds else osmium.SimpleWriter(
        str(dst))
    for obj in osmium.FileProcessor(str(OSM_XML)):
        writer.add(obj)
    writer.close()
    return dst


@pytest.fixture(scope="module")
def embedded():
    return gisplan.scoreboard()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = _pbf(tmp_path_factory.mktemp("osm") / "central.osm.pbf", bounds=True)
    return build_from_osm(path, echo=None, progress=False)


def _rows(table, area_from="central_osm_extract", area_to="osm_import_area"):
    table = table.assign(area=table["area"].replace({area_to: area_from}))
    return table.set_index(KEY)


@needs_extract
def test_every_scoreboard_row_agrees_within_one_percent(embedded, built):
    ours, theirs = _rows(built.evaluation.table), _rows(embedded)
    assert list(ours.index) == list(theirs.index)
    for key in theirs.index:
        a, b = theirs.loc[key, "value"], ours.loc[key, "value"]
        if math.isnan(a):
            assert math.isnan(b), key
            continue
        # within 1 % of the value, or 0.1 percentage point of a small share
        assert b == pytest.approx(a, rel=0.01, abs=1e-3), (key, a, b)
        assert ours.loc[key, "met"] == theirs.loc[key, "met"], key


@needs_extract
def test_the_parks_of_the_import_count_as_parks(built):
    table = built.evaluation.table.set_index("target_id")
    assert table.loc["T05", "value"] > 0.01  # parks and other green, whatever their source
    t12 = table.loc["T12"]
    assert (t12["value"] > 0.3).all()
    assert "0 parks" not in " ".join(t12["notes"])


@needs_extract
def test_a_file_without_bounds_is_measured_where_its_data_are(tmp_path, embedded):
    path = _pbf(tmp_path / "no_bounds.osm.pbf", bounds=False)
    assert gisplan.sources.osm.file_bounds(path) is None
    result = build_from_osm(path, echo=None, progress=False)
    extract = gisplan.load_layer("coverage_area").set_index("area_id").loc[
        "central_osm_extract", "area_km2"]
    assert result.area["area_km2"].iloc[0] == pytest.approx(extract, rel=0.03)
    assert any("declares no bounds" in note for note in result.notes)
    rows = _rows(result.evaluation.table)
    walking = ("T01", "network", "central_osm_extract", "area")
    assert rows.loc[walking, "value"] == pytest.approx(
        _rows(embedded).loc[walking, "value"], rel=0.02)
    meta = result.imported.layers["parks"].attrs["gisplan"]
    assert "its own nodes" in meta["extent"]["description"]


def test_nothing_is_written_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from benchmarks.synthetic_osm import write_city

    city = write_city(tmp_path / "city.osm.pbf", 12, gap_m=2000, station_every=5)
    assert city.stations
    result = build_from_osm(tmp_path / "city.osm.pbf", echo=None, progress=False)
    assert result.written == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city.osm.pbf"]
    assert np.isfinite(result.evaluation.table["value"]).any()


@needs_extract
def test_report_on_a_pbf_of_the_extract_prints_its_scoreboard_and_names_the_file(
        tmp_path, built, capsys):
    from gisplan.cli import main

    path = _pbf(tmp_path / "central.osm.pbf", bounds=True)
    out = tmp_path / "report"
    assert main(["report", "--osm", str(path), "--out", str(out), "--no-pdf"]) == 0
    assert "wrote" in capsys.readouterr().out
    import pandas as pd

    table = pd.read_csv(out / "headline.csv")
    expected = built.evaluation.table
    assert list(table["target_id"]) == list(expected["target_id"])
    assert table["value"].to_numpy() == pytest.approx(expected["value"].to_numpy(dtype=float),
                                                      nan_ok=True)
    assert "osm_import_area" in set(table["area"])
    page = (out / "index.html").read_text(encoding="utf-8")
    cover = page.split('id="headline"')[0]
    assert "central.osm.pbf" in cover and "OpenStreetMap file" in cover
    # the imported layers are titled with their file, not with the embedded extract
    assert "Parks and green space (central.osm.pbf)" in page
