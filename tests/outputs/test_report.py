"""The evaluation report: its figures are the scoreboard's, it works offline, its PDF is whole."""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import gisplan
from gisplan._errors import GisplanError
from gisplan.cli import main
from gisplan.outputs.report import _pdf
from gisplan.pipeline.main import build_geopackage
from gisplan.plan.scoreboard import format_value

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="Debian chromium not installed (run: sh tests/install_browser.sh as root)")
COLUMNS = ["baseline", "end_of_period", "value"]
SECTIONS = ["Headline table", "Rail network", "Station coverage", "Parks and green",
            "Life circles and public services", "Blue network and greenways",
            "Industrial zones and ecosystems", "Ecological security pattern",
            "What the data cannot tell", "Methods and sources"]


class _Cells(HTMLParser):
    """Collects the headline table's cells: one dict per row, ``data-column`` -> text."""

    def __init__(self, table: str):
        super().__init__()
        self.table, self.inside, self.rows, self.column = table, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-table") == self.table:
            self.inside = True
        elif self.inside and tag == "tr" and "data-target" in attrs:
            self.rows.append({"target_id": attrs["data-target"]})
        elif self.inside and tag == "td" and "data-column" in attrs:
            self.column = attrs["data-column"]
            self.rows[-1][self.column] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag == "td":
            self.column = None

    def handle_data(self, data):
        if self.inside and self.column:
            self.rows[-1][self.column] += data


def _cells(page: Path, table: str = "headline") -> list[dict]:
    parser = _Cells(table)
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.rows


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return gisplan.report(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def board():
    return gisplan.scoreboard()


def test_the_headline_table_prints_the_scoreboard_row_by_row(written, board):
    rows = _cells(written.page)
    assert [r["target_id"] for r in rows] == list(board["target_id"])
    for row, (_, expected) in zip(rows, board.iterrows(), strict=True):
        for column in COLUMNS:
            assert row[column].strip() == format_value(expected[column], expected["unit"]), (
                row["target_id"], column)
        status = {True: "met", False: "not met"}.get(expected["met"], "unknown")
        assert row["met"].split(" ", 1)[1].strip() == status, row["target_id"]
        assert row["basis"].split()[-1] == expected["target_basis"]


def test_the_table_beside_the_page_equals_the_scoreboard_and_the_geopackage(written, board,
                                                                            tmp_path):
    table = pd.read_csv(written.headline)
    assert list(table["target_id"]) == list(board["target_id"])
    for column in COLUMNS:
        assert table[column].to_numpy() == pytest.approx(board[column].to_numpy(),
                                                         nan_ok=True), column
    package = build_geopackage(tmp_path, echo=None)
    indicators = gpd.read_file(package, layer="indicators")
    for column in COLUMNS:
        assert table[column].to_numpy() == pytest.approx(
            indicators[column].to_numpy(dtype=float), nan_ok=True), column
    assert list(table["met"]) == list(indicators["met"])


def test_every_section_of_the_plan_file_has_its_heading_and_figures(written):
    text = written.page.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in text, heading
    # the series and the dated maps: rail length, T01 by year and by district, 2020 v 2025
    for figure in ("rail_length", "rail_network_map", "coverage_by_year", "district_coverage",
                   "station_catchments_map", "park_service_map", "life_circle_gaps",
                   "ecology_map", "industry_map"):
        assert f'id="fig-{figure}"' in text, figure


def test_the_page_asks_for_nothing_outside_the_file(written):
    text = written.page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
    assert "url(http" not in text and "@import" not in text


def test_unknown_targets_say_what_data_would_measure_them(written, board):
    text = written.page.read_text(encoding="utf-8")
    undecided = board[[m not in (True, False) for m in board["met"]]]
    assert len(undecided)
    for need in undecided["data_needed"].unique():
        assert need.replace("'", "&#39;") in text, need


@needs_chromium
def test_the_pdf_has_every_section_and_page_numbers(written):
    pypdf = pytest.importorskip("pypdf")
    assert written.pdf is not None and written.pdf.stat().st_size > 50_000
    reader = pypdf.PdfReader(str(written.pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= len(SECTIONS)
    whole = "\n".join(pages)
    for heading in SECTIONS:
        assert heading in whole, heading
    box = reader.pages[0].mediabox
    assert sorted((float(box.width), float(box.height))) == pytest.approx([595.3, 841.9], abs=1)
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in text, number


@needs_chromium
def test_screenshot_of_the_report_and_no_request_leaves_the_machine(written,
                                                                   tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    shot = tmp_path_factory.getbasetemp() / "report_screenshots" / "report.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        requests, errors = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(written.page.as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(shot))
        svgs = page.evaluate("document.querySelectorAll('figure svg').length")
        widths = page.evaluate("[...document.querySelectorAll('figure svg')]"
                               ".map(s => s.getBoundingClientRect().width)")
        browser.close()
    assert errors == []
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests
    assert svgs >= 9 and min(widths) > 600
    assert shot.stat().st_size > 20_000


def test_without_a_pdf_engine_the_page_is_written_and_a_line_says_how(tmp_path, monkeypatch):
    monkeypatch.setattr(_pdf, "find_chromium", lambda: None)
    monkeypatch.setattr(_pdf, "_has_weasyprint", lambda: False)
    lines = []
    files = gisplan.report(tmp_path, echo=lines.append)
    assert files.pdf is None and not (tmp_path / "report.pdf").exists()
    assert files.page.exists() and files.headline.exists()
    assert any("no PDF engine" in line and "apt install chromium" in line for line in lines)


def test_a_failing_pdf_engine_leaves_no_pdf(tmp_path, monkeypatch):
    monkeypatch.setenv("GISPLAN_CHROMIUM", "/bin/false")
    with pytest.raises(GisplanError, match="could not print"):
        gisplan.report(tmp_path)
    assert not (tmp_path / "report.pdf").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_report_cli_rejects_bad_input_before_writing(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", "--out", str(out), "--osm", str(tmp_path / "missing.pbf")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["report", "--out", str(out), "--area", "no_such_area", "--no-pdf"]) == 1
    assert "no_such_area" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["report", "--out", str(out), "--as-of", "2020-13-01"])
    assert stop.value.code == 2
    assert not out.exists()


def test_report_over_another_area_and_day_measures_there_then(tmp_path):
    files = gisplan.report(tmp_path, area="core_five_districts", as_of="2022-06-30", pdf=False)
    table = pd.read_csv(files.headline)
    areas = set(table["area"].dropna())
    assert "central_osm_extract" not in areas and "core_five_districts" in areas
    assert set(table["as_of"]) == {"2022-06-30"}
    expected = gisplan.scoreboard(as_of="2022-06-30")
    row = expected[(expected["target_id"] == "T01") & (expected["method"] == "euclidean")
                   & (expected["area"] == "core_five_districts")]
    ours = table[(table["target_id"] == "T01") & (table["method"] == "euclidean")]
    assert ours["value"].iloc[0] == pytest.approx(row["value"].iloc[0])
