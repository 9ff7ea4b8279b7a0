"""Synthetic OpenStreetMap cities written with pyosmium: street grids, parks, homes, shops.

Used by ``benchmarks/osm_import_bench.py`` and by the tests. A city is a grid of
``side x side`` street nodes ``spacing_m`` apart around ``origin`` (WGS84); each grid row
and column is cut into ways of ``blocks_per_way`` blocks (so streets continue across
way ends, as in OSM); every ``park_every``-th block is a park (leisure=park, a closed
way on its own nodes), the other blocks of that row residential land; each block with a
park also holds a school node, and one rail station stands at every ``station_every``-th
crossing. ``copies`` cities are laid side by side (east, then north), 4 copies of
a city making a file four times larger that still holds the first city unchanged.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

__all__ = ["SyntheticCity", "write_city"]


def _tags(tags: dict[str, str] | None) -> str:
    return "".join(f'<tag k="{k}" v="{v}"/>' for k, v in (tags or {}).items())


def _node(node: int, lon: float, lat: float, tags: dict[str, str] | None) -> str:
    if not tags:
        return f'<node id="{node}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n'
    return f'<node id="{node}" lat="{lat:.7f}" lon="{lon:.7f}">{_tags(tags)}</node>\n'


def _way(way: int, nodes: list[int], tags: dict[str, str]) -> str:
    refs = "".join(f'<nd ref="{n}"/>' for n in nodes)
    return f'<way id="{way}">{refs}{_tags(tags)}</way>\n'


METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class SyntheticCity:
    """What :func:`write_city` wrote.

    Attributes
    ----------
    street_nodes : int
        Street nodes of one city.
    box : tuple of float
        (min_lon, min_lat, max_lon, max_lat) of the first city.
    file_box : tuple of float
        The box of all copies (written into the file header).
    parks, stations, schools : int
        Features of one city.
    """

    street_nodes: int
    box: tuple[float, float, float, float]
    file_box: tuple[float, float, float, float]
    parks: int
    stations: int
    schools: int


def write_city(
    path: str | os.PathLike[str],
    side: int,
    *,
    spacing_m: float = 100.0,
    origin: tuple[float, float] = (104.0, 30.6),
    blocks_per_way: int = 10,
    park_every: int = 7,
    station_every: int = 15,
    copies: int = 1,
    gap_m: float = 500.0,
    timestamp: str | None = "2026-11-30T21:21:02Z",
) -> SyntheticCity:
    """Write a synthetic city of ``side x side`` street nodes (and ``copies`` of it).

    Copies are ``gap_m`` apart.

    Returns
    -------
    SyntheticCity
    """
    lon0, lat0 = origin
    dlat = spacing_m / METRES_PER_DEGREE
    dlon = spacing_m / (METRES_PER_DEGREE * math.cos(math.radians(lat0)))
    width_lon, width_lat = (side - 1) * dlon, (side - 1) * dlat
    gap_lon, gap_lat = gap_m / spacing_m * dlon, gap_m / spacing_m * dlat
    per_row = max(1, math.ceil(math.sqrt(copies)))
    header = osmium.io.Header()
    rows_of_copies = math.ceil(copies / per_row)
    file_box = (lon0 - dlon, lat0 - dlat, lon0 + per_row * (width_lon + gap_lon) + dlon,
                lat0 + rows_of_copies * (width_lat + gap_lat) + dlat)
    header.add_box(osmium.osm.Box(osmium.osm.Location(file_box[0], file_box[1]),
                                  osmium.osm.Location(file_box[2], file_box[3])))
    if timestamp:
        header.set("osmosis_replication_timestamp", timestamp)
    path = Path(path)
    if path.exists():
        path.unlink()
    node_lines: list[str] = []
    way_lines: list[str] = []
    next_node = 1
    parks = stations = schools = 0
    middle = station_every // 2
    for c in range(copies):
        ox = lon0 + (c % per_row) * (width_lon + gap_lon)
        oy = lat0 + (c // per_row) * (width_lat + gap_lat)
        grid = next_node + np.arange(side * side).reshape(side, side)
        rows, cols = np.divmod(np.arange(side * side), side)
        station = (rows % station_every == middle) & (cols % station_every == middle)
        stations += int(station.sum()) if c == 0 else 0
        for node, i, j, is_station in zip(grid.ravel().tolist(), rows.tolist(), cols.tolist(),
                                          station.tolist(), strict=True):
            node_lines.append(_node(node, ox + j * dlon, oy + i * dlat, {
                "railway": "station", "station": "subway", "name": f"站{c}_{i}_{j}"}
                if is_station else None))
        next_node += side * side
        for line in range(side):
            for start in range(0, side - 1, blocks_per_way):
                stop = min(side, start + blocks_per_way + 1)
                for nodes, kind in ((grid[line, start:stop], "residential"),
                                    (grid[start:stop, line], "tertiary")):
                    way_lines.append(_way(len(way_lines) + 1, nodes.tolist(),
                                          {"highway": kind, "name": f"路{line}"}))
        for i in range(0, side - 1, 3):
            for j in range(0, side - 1, park_every):
                x0, y0 = ox + (j + 0.2) * dlon, oy + (i + 0.2) * dlat
                x1, y1 = x0 + 0.6 * dlon, y0 + 0.6 * dlat
                corner = list(range(next_node, next_node + 4))
                for k, (x, y) in enumerate(((x0, y0), (x1, y0), (x1, y1), (x0, y1))):
                    node_lines.append(_node(corner[k], x, y, None))
                school = next_node + 4
                node_lines.append(_node(school, x1 + 0.1 * dlon, y1 + 0.1 * dlat,
                                        {"amenity": "school", "name": f"第{school}小学"}))
                next_node += 5
                is_park = (i // 3) % 2 == 0
                tags = ({"leisure": "park", "name": f"公园{c}_{i}_{j}"} if is_park
                        else {"landuse": "residential"})
                way_lines.append(_way(len(way_lines) + 1, [*corner, corner[0]], tags))
                if c == 0:
                    parks += is_park
                    schools += 1
    xml = path.with_name(path.name + ".tmp.osm")
    with xml.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n')
        out.writelines(node_lines)
        out.writelines(way_lines)
        out.write("</osm>\n")
    try:  # libosmium parses the XML and writes the PBF, in C++
        osmium.apply(osmium.io.Reader(str(xml)), osmium.SimpleWriter(str(path), header=header))
    finally:
        xml.unlink()
    box = (lon0, lat0, lon0 + (side - 1) * dlon, lat0 + (side - 1) * dlat)
    return SyntheticCity(side * side, box, file_box, parks, stations, schools)
