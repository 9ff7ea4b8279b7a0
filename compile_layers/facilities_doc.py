"""Write ``docs/facilities.md``: every embedded facility with its category and rule.

Run ``python -m compile_layers.facilities_doc`` after compiling the layers; a test checks
that the page lists the layer as it is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gisplan import load_layer
from gisplan.standards.facilities import FACILITY_CATEGORIES, facility_rule_table

DOC = Path(__file__).resolve().parent.parent / "docs" / "facilities.md"


def _cell(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(
        value).replace("|", "\\|")


def render() -> str:
    """Return the page: the rules, then every facility of the ``facilities`` layer."""
    facilities = load_layer("facilities")
    labels = {c.category: f"{c.label_zh} {c.label_en}" for c in FACILITY_CATEGORIES}
    lines = [
        "# Facilities of the embedded layer, and the rules that categorise them",
        "",
        "Every feature of the layer `facilities` (the central OpenStreetMap extract), with "
        "the category and the rule of `gisplan.standards.facilities.FACILITY_RULES` that "
        "gave it, so that a reader can check each by hand. A place mapped several times "
        "(same category and name within 150 m) is one feature listing every OSM object. "
        "Written by `python -m compile_layers.facilities_doc`.",
        "",
        "## Rules (tried in order; the first that matches decides)",
        "",
        "| rule | category | OSM tags | name matches | name does not match | why |",
        "|---|---|---|---|---|---|",
    ]
    for row in facility_rule_table().itertuples():
        lines.append(f"| {row.rule} | {_cell(row.category)} | {_cell(row.osm_tags)} | "
                     f"{_cell(row.name)} | {_cell(row.not_name)} | {_cell(row.why)} |")
    counts = facilities["category"].value_counts()
    lines += ["", f"## The {len(facilities)} facilities", "",
              ", ".join(f"{labels.get(c, c)}: {n}" for c, n in counts.items()), "",
              "| facility_id | name | category | rule | OSM objects |", "|---|---|---|---|---|"]
    for row in facilities.itertuples():
        lines.append(f"| {row.facility_id} | {_cell(row.name_zh)} | {row.category} | "
                     f"{_cell(row.category_rule)} | {_cell(row.osm_id)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write the page."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(render(), encoding="utf-8")
    print(DOC)


if __name__ == "__main__":
    main()
