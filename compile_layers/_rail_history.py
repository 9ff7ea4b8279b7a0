"""Read the dated rail facts (``rail_history.json``) and the station order of each line.

``rail_history.json`` holds, for every section of Chengdu's rail network as it was
opened (and the sections under construction or planned during the plan period), the
opening date, the start of works, the official length and the sources of each fact.
The station sequences that give a section its stations come from the Amap-derived
station files read by :mod:`compile_layers._metro_raw`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from compile_layers._metro_raw import (
    RENAMED_2025,
    TRAM_LINE_ID,
    base_name,
    line_sequences_2025,
    read_amap_2026,
)

FACTS_FILE = Path(__file__).with_name("rail_history.json")
MODES = ("metro", "suburban", "tram")
STATUSES = ("operating", "under_construction", "planned")


def _date(text: str | None, where: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{FACTS_FILE.name}: {where}: {text!r} is not a date YYYY-MM-DD") from exc


def load_facts() -> dict[str, Any]:
    """Return the facts, checked: dates parse, every source id is listed, values are known.

    Raises
    ------
    ValueError
        Naming the section and field at fault.
    """
    facts = json.loads(FACTS_FILE.read_text(encoding="utf-8"))
    sources = {s["id"] for s in facts["sources"]}
    seen = set()
    for section in facts["sections"]:
        sid = section["section_id"]
        if sid in seen:
            raise ValueError(f"{FACTS_FILE.name}: section id {sid!r} is repeated")
        seen.add(sid)
        opened = _date(section["opened"], f"section {sid} opened")
        started = _date(section["construction_from"], f"section {sid} construction_from")
        if section["mode"] not in MODES or section["status"] not in STATUSES:
            raise ValueError(f"{FACTS_FILE.name}: section {sid}: unknown mode or status")
        if (opened is None) == (section["status"] == "operating"):
            raise ValueError(f"{FACTS_FILE.name}: section {sid}: an operating section needs "
                             "an opening date, and only an operating one has it")
        if opened and started and started > opened:
            raise ValueError(f"{FACTS_FILE.name}: section {sid}: works start after opening")
        cited = section["date_sources"] + section["length_sources"]
        unknown = set(cited) - sources
        if unknown or not section["date_sources"]:
            raise ValueError(f"{FACTS_FILE.name}: section {sid}: sources {sorted(unknown)} are "
                             "not listed (or no source for its dates)")
        if section["official_km"] is not None and not section["length_sources"]:
            raise ValueError(f"{FACTS_FILE.name}: section {sid}: official_km without a source")
    for total in facts["network_totals"]:
        _date(total["date"], "network total")
        if set(total["sources"]) - sources:
            raise ValueError(f"{FACTS_FILE.name}: network total {total['date']}: unknown source")
    return facts


def line_sequences() -> dict[str, list[list[str]]]:
    """Return line id -> ordered station base names of each known path (2026 first, then 2025)."""
    new = read_amap_2026()
    names = {sid: base_name(s["nameZh"]) for sid, s in new["stations"].items()}
    result: dict[str, list[list[str]]] = {}
    for line in new["lines"]:
        result.setdefault(line["lineId"], []).append([names[i] for i in line["stationIds"]])
    for line_id in [*result, TRAM_LINE_ID]:
        for path in line_sequences_2025(line_id):
            result.setdefault(line_id, []).append(path)
    return result


def expand_path(path: dict[str, Any], sequences: dict[str, list[list[str]]]) -> list[str]:
    """Return the ordered stations of a section path.

    A path with ``expand`` lists its two end stations; the stations between them are
    taken from the first sequence of its track holding both. Otherwise the list is used
    as given (schematic paths, loops).
    """
    stations = [RENAMED_2025.get(s, s) for s in path["stations"]]
    if not path.get("expand"):
        return stations
    first, last = stations
    for sequence in sequences.get(path["track"], []):
        if first in sequence and last in sequence:
            i, j = sequence.index(first), sequence.index(last)
            return sequence[i:j + 1] if i <= j else sequence[j:i + 1][::-1]
    raise ValueError(f"no station sequence of line {path['track']} holds {first} and {last}")


def station_line_dates(facts: dict[str, Any],
                       sequences: dict[str, list[list[str]]]) -> dict[str, dict[str, dt.date]]:
    """Return station base name -> {line id: date the line first served it}.

    A station takes the opening date of the first opened section whose path on a line's
    track holds it (an interchange gets one date per line); ``station_exceptions`` of
    the facts remove a line's date where a station opened after its section.
    """
    dates: dict[str, dict[str, dt.date]] = {}
    for section in facts["sections"]:
        opened = _date(section["opened"], section["section_id"])
        if opened is None:
            continue
        for path in section["paths"]:
            if path["track"] is None:
                continue
            line = section["line_id"] if path.get("shared") else path["track"]
            for name in expand_path(path, sequences):
                known = dates.setdefault(name, {})
                if line not in known or opened < known[line]:
                    known[line] = opened
    for exception in facts["station_exceptions"]:
        dates.get(exception["name_zh"], {}).pop(exception["line_id"], None)
    return dates


STATION_DATE_COLUMNS = {
    "opened": {"type": "str", "description": "date (YYYY-MM-DD) the station first opened: the "
               "earliest opening of the sections serving it (compile_layers/rail_history.json, "
               "layer rail_sections); empty when unknown, see opened_note"},
    "line_opened": {"type": "str", "description": "';'-joined line:date for each line of "
                    "lines, the date that line first served the station (interchanges get one "
                    "date per line); 'unknown' where no dated section gives it"},
    "opened_note": {"type": "str", "description": "why a date is missing or differs from its "
                    "section's (a station opened after its section, an infill station)"},
}


def station_opening_columns(names: list[str], lines: list[str]) -> dict[str, list[str | None]]:
    """Return the :data:`STATION_DATE_COLUMNS` values for stations given by name and lines.

    Parameters
    ----------
    names : list of str
        Station names (``name_zh``; bracketed suffixes are ignored).
    lines : list of str
        The ``lines`` text of each station (';'-joined line ids).

    Returns
    -------
    dict
        Column name -> list of values, in the order of ``names``.
    """
    facts = load_facts()
    dates = station_line_dates(facts, line_sequences())
    notes = {e["name_zh"]: e["note"] for e in facts["station_exceptions"]}
    opened: list[str | None] = []
    per_line: list[str | None] = []
    why: list[str | None] = []
    for name, text in zip(names, lines, strict=True):
        key = base_name(name)
        known = dates.get(key, {})
        served = text.split(";")
        per_line.append(";".join(f"{line}:{known[line].isoformat() if line in known else 'unknown'}"
                                 for line in served))
        opened.append(min(known.values()).isoformat() if known else None)
        reason = notes.get(key)
        if reason is None and not known:
            reason = "no dated section serves the station"
        why.append(reason)
    return {"opened": opened, "line_opened": per_line, "opened_note": why}
