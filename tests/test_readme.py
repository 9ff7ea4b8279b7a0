"""The README's figures and API list come from the code, and stay in step with it."""

import importlib.util
import re
from pathlib import Path

import pytest

import gisplan

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _api_table_names():
    """Names in the first column of the README's Public API table, as whole identifiers."""
    section = README.split("## Public API", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            for span in re.findall(r"`([^`]+)`", row.split("|")[1]):
                names.add(re.match(r"[A-Za-z_][\w.]*", span).group(0))
    return names


def test_every_public_name_is_documented():
    documented = {name.removeprefix("gisplan.") for name in _api_table_names()}
    missing = sorted(set(gisplan.__all__) - {"__version__"} - documented)
    assert not missing, f"public names missing from the README's API table: {missing}"
    for name in documented:  # and the table names nothing that does not exist
        assert hasattr(gisplan, name) or importlib.util.find_spec(f"gisplan.{name}"), name


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
    day = gisplan.scoreboard().attrs["as_of"]
    stations = gisplan.load_layer("metro_stations", as_of=day)
    tram_only = int((stations["lines"] == "蓉2").sum())
    beyond = int((~stations["in_chengdu"].astype(bool)).sum())
    assert f"the {len(stations)} stations of `metro_stations`\nopen on {day}" in README
    assert f"{tram_only} of them are 蓉2 tram stops only" in README
    assert f"{beyond} are the S3 stations in 资阳" in README


def test_equivalent_mutants_are_listed_in_the_readme_with_their_reason():
    """The README's mutation block lists every line of benchmarks/mutation_equivalent.txt."""
    listed = Path(__file__).resolve().parent.parent / "benchmarks" / "mutation_equivalent.txt"
    block = README.split("<!-- mutation:start -->", 1)[1].split("<!-- mutation:end -->", 1)[0]
    entries = [line.partition(" ") for line in listed.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    assert entries, "no equivalent mutants listed"
    missing = [name for name, _, reason in entries
               if f"- `{name}`: {reason.strip()}" not in block]
    assert not missing, f"equivalent mutants missing from the README: {missing}"
