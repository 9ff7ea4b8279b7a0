"""The README's figures and API list come from the code, and stay in step with it."""

import re
from pathlib import Path

import pytest

import gisplan

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_public_name_is_documented():
    missing = [n for n in gisplan.__all__ if n != "__version__" and f"`{n}" not in README]
    assert not missing, f"public names missing from the README: {missing}"


def test_measured_table_matches_the_scoreboard():
    board = gisplan.scoreboard()
    rows = [line for line in README.splitlines() if re.match(r"\| T0[14] ", line)]
    documented = [float(re.search(r"\| ([\d.]+) % \|", line).group(1)) for line in rows]
    measured = board[board["target_id"].isin(["T01", "T04"])]["value"]
    assert documented == pytest.approx([round(v * 100, 1) for v in measured], abs=0.051)
    rail = next(line for line in README.splitlines() if line.startswith("| T25"))
    length = float(re.search(r"\| ([\d.]+) km \|", rail).group(1))
    value = board.loc[board["target_id"] == "T25", "value"].iloc[0]
    assert length == pytest.approx(value, abs=0.051)


def test_station_counts_in_the_caveats_match_the_layer():
    stations = gisplan.load_layer("metro_stations")
    tram_only = int((stations["lines"] == "蓉2").sum())
    beyond = int((~stations["in_chengdu"].astype(bool)).sum())
    assert f"all {len(stations)} stations of `metro_stations`" in README
    assert f"{tram_only} of them are 蓉2 tram stops only" in README
    assert f"{beyond} are the S3 stations in 资阳" in README
