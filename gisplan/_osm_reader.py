"""One streaming pass over an OpenStreetMap file (pyosmium), keeping what a box needs.

The file is read once by libosmium (PBF blocks decoded on a thread pool); node
locations are kept in its C++ location index, so Python sees only the tagged objects
that pass a key filter: ways with their node ids and coordinates, areas (closed ways
and multipolygon relations, assembled in C++) and tagged nodes. A way, polygon or point is
kept when its bounding box meets the box (the caller cuts finer). What lies outside
the box is dropped as it is read, so the memory held grows with the box's content.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium
import osmium.geom
import shapely

from gisplan._errors import GisplanError
from gisplan.facility_tags import FACILITY_TAG_KEYS, facility_category

__all__ = ["OsmFileError", "RawOsm", "file_bounds", "read_raw"]


WALK_EXCLUDED = ("abandoned", "bus_guideway", "construction", "cycleway", "motor", "no",
                 "planned", "platform", "proposed", "raceway", "razed")
"""Substrings of ``highway`` values the osmnx 'walk' filter excludes (as the embedded
network, see ``compile_layers/osm_central.py``)."""

WATERWAY_LINES = frozenset({"river", "canal", "stream", "drain"})
"""``waterway`` values kept as centrelines."""

POLYGON_KEYS = ("leisure", "landuse", "natural", "waterway", "water", "amenity", "shop",
                "healthcare", "tourism", "social_facility", "railway", "public_transport")
"""Keys that make a closed way or multipolygon relation interesting."""

STATION_MODES = {"subway": "metro", "light_rail": "suburban", "monorail": "metro",
                 "tram": "tram", "train": "rail"}
"""``station=`` / public_transport mode tag -> station mode."""


class OsmFileError(GisplanError, ValueError):
    """An OpenStreetMap file that cannot be read: not OSM, truncated or corrupt."""


@dataclass
class RawOsm:
    """What one pass keeps: ways as vertex arrays, polygons, points, header facts.

    Attributes
    ----------
    way_id, way_tags, way_kind : list
        Kept ways: OSM id, a few tags, and ``"walk"``, ``"cycle"``, ``"waterway"``
        (a way may be several: one entry per kind).
    vertex_way : numpy.ndarray of int
        Index into the way lists of every vertex, ways one after another.
    vertex_id : numpy.ndarray of int
        OSM node id of every vertex.
    vertex_lonlat : numpy.ndarray, shape (n, 2)
        WGS84 longitude, latitude of every vertex.
    polygons : list of (str, dict, shapely.Geometry)
        ``(osm_id, tags, multipolygon)`` of areas with an interesting key.
    points : list of (str, dict, float, float)
        ``(osm_id, tags, lon, lat)`` of tagged nodes (stations, facilities).
    replication_time : datetime or None
        The header's ``osmosis_replication_timestamp``.
    newest_object : datetime or None
        The newest timestamp of the objects read (None when the file has none).
    data_bounds : tuple of float or None
        Box of the vertices and points seen, inside or outside the kept box.
    """

    way_id: list[int] = field(default_factory=list)
    way_tags: list[dict[str, str]] = field(default_factory=list)
    way_kind: list[str] = field(default_factory=list)
    vertex_way: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    vertex_id: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    vertex_lonlat: npt.NDArray[np.float64] = field(
        default_factory=lambda: np.empty((0, 2)))
    polygons: list[tuple[str, dict[str, str], shapely.Geometry]] = field(default_factory=list)
    points: list[tuple[str, dict[str, str], float, float]] = field(default_factory=list)
    replication_time: dt.datetime | None = None
    newest_object: dt.datetime | None = None
    data_bounds: tuple[float, float, float, float] | None = None


WAY_TAGS = ("highway", "name", "foot", "access", "service", "area", "bicycle", "cycleway",
            "waterway", "name:en", "route")
"""Way tags kept for the layers."""


@functools.cache
def _walkable_highway(highway: str) -> bool:
    return not any(bad in highway for bad in WALK_EXCLUDED)


def _walkable(tags: Mapping[str, str]) -> bool:
    highway = tags.get("highway")
    if highway is None or not _walkable_highway(highway):
        return False
    return (tags.get("area") != "yes" and tags.get("foot") != "no"
            and tags.get("service") != "private" and tags.get("access") != "private")


def _is_cycleway(tags: Mapping[str, str]) -> bool:
    highway = tags.get("highway", "")
    return (highway == "cycleway"
            or (highway in ("path", "footway", "track") and tags.get("bicycle") == "designated")
            or "绿道" in tags.get("name", ""))


def way_kinds(tags: Mapping[str, str]) -> list[str]:
    """Return the kinds (``walk``, ``cycle``, ``waterway``) a way with these tags has."""
    kinds = []
    if _walkable(tags):
        kinds.append("walk")
    if _is_cycleway(tags):
        kinds.append("cycle")
    if tags.get("waterway") in WATERWAY_LINES:
        kinds.append("waterway")
    return kinds


def is_station(tags: Mapping[str, str]) -> bool:
    """Whether a node's tags make it a rail station or stop (metro, suburban, tram, rail)."""
    railway = tags.get("railway")
    if railway in ("station", "halt", "tram_stop"):
        return tags.get("station") != "miniature"
    return tags.get("public_transport") == "station" and any(
        tags.get(mode) == "yes" for mode in STATION_MODES)


FACILITY_KEY = "gisplan:facility"
"""Key under which the reader stores a feature's facility category in its tags dict
(computed once, with :func:`gisplan.facility_tags.facility_category`)."""


def _with_category(tags: dict[str, str]) -> dict[str, str]:
    category = facility_category(tags)
    if category is not None:
        tags[FACILITY_KEY] = category
    return tags


def _polygon_wanted(tags: Mapping[str, str]) -> bool:
    leisure, landuse, natural = tags.get("leisure"), tags.get("landuse"), tags.get("natural")
    return (leisure in ("park", "garden") or landuse in GREEN_LANDUSE or natural in GREEN_NATURAL
            or landuse in RESIDENTIAL_LANDUSE or natural == "water"
            or tags.get("waterway") == "riverbank" or landuse in ("reservoir", "basin")
            or FACILITY_KEY in tags or is_station(tags))


GREEN_LANDUSE = frozenset({"grass", "meadow", "village_green", "forest"})
"""``landuse`` values of other green space (not 公园绿地)."""
GREEN_NATURAL = frozenset({"wood", "scrub"})
"""``natural`` values of other green space."""
RESIDENTIAL_LANDUSE = frozenset({"residential"})
"""``landuse`` values of residential land (居住用地)."""


def _time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    stamp = value if isinstance(value, dt.datetime) else None
    if stamp is None:
        try:
            stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("\\", ""))
        except ValueError:
            return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp if stamp.year > 1970 else None


def _check_file(path: Path) -> None:
    if not path.exists():
        raise OsmFileError(f"OpenStreetMap file {str(path)!r} does not exist")
    name = path.name.lower()
    if not (name.endswith(".pbf") or name.endswith(".osm") or name.endswith(".osm.bz2")
            or name.endswith(".osm.gz")):
        raise OsmFileError(
            f"{str(path)!r} is not an OpenStreetMap file name: give an .osm.pbf (PBF) or "
            ".osm (XML) file, e.g. a Geofabrik extract"
        )


def _header(path: Path) -> osmium.io.Header:
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.NOTHING)
        header = reader.header()
        reader.close()
    except RuntimeError as exc:
        raise OsmFileError(
            f"{str(path)!r} is not a readable OpenStreetMap file ({exc}); check that it is "
            "an .osm.pbf or .osm XML file and that the download completed"
        ) from exc
    return header


def file_bounds(path: str | os.PathLike[str]) -> tuple[float, float, float, float] | None:
    """Return the box declared in an OSM file's header, or None when it declares none.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` or ``.osm`` file.

    Returns
    -------
    tuple of float or None
        (min_lon, min_lat, max_lon, max_lat) in WGS84.
    """
    path = Path(path)
    _check_file(path)
    box = _header(path).box()
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)


def _tag_getter(obj: osmium.osm.OSMObject) -> Callable[[str, str | None], str | None]:
    """Return ``get(key, default)`` of an object's tags (pyosmium's direct accessor if any)."""
    data = getattr(obj, "_pyosmium_data", None)
    get = getattr(data, "tags_get_value_by_key", None)
    return get if get is not None else obj.tags.get


def _node_ids(way: osmium.osm.Way) -> list[int]:
    """Return the node ids of a way (through pyosmium's direct accessor where it has one)."""
    data = getattr(way, "_pyosmium_data", None)
    if data is None or not hasattr(data, "nodes"):
        return [n.ref for n in way.nodes]
    nodes = data.nodes()
    get = nodes.get
    return [get(data, i).ref for i in range(nodes.size(data))]


def _way_vertices(way: osmium.osm.Way, wkb: osmium.geom.WKBFactory
                  ) -> tuple[list[int] | None, npt.NDArray[np.float64]] | None:
    """Return (node ids or None, lon/lat array) of a way's located nodes, None if under two.

    Coordinates come from libosmium as WKB; when a node has no location (a way cut by an
    extract), the way's located nodes are read one by one and their ids returned too.
    """
    try:
        text = wkb.create_linestring(way, use_nodes=osmium.geom.ALL)
    except (osmium.InvalidLocationError, RuntimeError):
        located = [(n.ref, n.lon, n.lat) for n in way.nodes if n.location.valid()]
        if len(located) < 2:
            return None
        return [r for r, _, _ in located], np.array([(x, y) for _, x, y in located])
    return None, np.frombuffer(bytes.fromhex(text), dtype="<f8", offset=9).reshape(-1, 2)


def _extend(box: list[float], xmin: float, ymin: float, xmax: float, ymax: float) -> None:
    box[0], box[1] = min(box[0], xmin), min(box[1], ymin)
    box[2], box[3] = max(box[2], xmax), max(box[3], ymax)


def read_raw(
    path: str | os.PathLike[str],
    box: tuple[float, float, float, float] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> RawOsm:
    """Read an OSM file once, keeping the ways, polygons and points touching ``box``.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` or ``.osm`` file.
    box : tuple of float, optional
        (min_lon, min_lat, max_lon, max_lat) in WGS84; None keeps everything.
    progress : callable, optional
        Called now and then with the number of bytes of the file read so far.

    Returns
    -------
    RawOsm

    Raises
    ------
    OsmFileError
        For a file that is missing, not OSM, truncated or corrupt.
    """
    path = Path(path)
    _check_file(path)
    header = _header(path)
    raw = RawOsm()
    raw.replication_time = _time(header.get("osmosis_replication_timestamp") or None)
    lo_x, lo_y, hi_x, hi_y = (-360.0, -90.0, 360.0, 90.0) if box is None else box
    seen = [np.inf, np.inf, -np.inf, -np.inf]
    newest = 0.0
    ids: list[list[int]] = []
    coords: list[npt.NDArray[np.float64]] = []
    wkb = osmium.geom.WKBFactory()
    keys = ("highway", "waterway", "cycleway", *POLYGON_KEYS, *sorted(FACILITY_TAG_KEYS))
    processor = (osmium.FileProcessor(str(path))
                 .with_areas(osmium.filter.KeyFilter(*POLYGON_KEYS))
                 .with_filter(osmium.filter.KeyFilter(*dict.fromkeys(keys))))
    step = 0
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects, none cyclic: spare the collector's rescans
    try:
        for obj in processor:
            step += 1
            if progress is not None and step % 20000 == 0:
                progress(step)
            if isinstance(obj, osmium.osm.Way):
                get = _tag_getter(obj)
                tags = {k: v for k in WAY_TAGS if (v := get(k, None)) is not None}
                kinds = way_kinds(tags)
                if not kinds:
                    continue
                vertices = _way_vertices(obj, wkb)
                if vertices is None:
                    continue
                refs, lonlat = vertices
                if box is not None:
                    (xmin, ymin), (xmax, ymax) = lonlat.min(axis=0), lonlat.max(axis=0)
                    if xmax < lo_x or xmin > hi_x or ymax < lo_y or ymin > hi_y:
                        _extend(seen, xmin, ymin, xmax, ymax)
                        continue
                if refs is None:
                    refs = _node_ids(obj)
                newest = max(newest, obj.timestamp.timestamp())
                for kind in kinds:
                    raw.way_id.append(obj.id)
                    raw.way_tags.append(tags)
                    raw.way_kind.append(kind)
                    ids.append(refs)
                    coords.append(lonlat)
            elif isinstance(obj, osmium.osm.Area):
                tags = _with_category(dict(obj.tags))
                if not _polygon_wanted(tags):
                    continue
                try:
                    geom = wkb.create_multipolygon(obj)
                except RuntimeError:
                    continue  # broken multipolygon: libosmium could not assemble it
                shape = shapely.from_wkb(geom)
                xmin, ymin, xmax, ymax = shape.bounds
                _extend(seen, xmin, ymin, xmax, ymax)
                if box is not None and (xmax < box[0] or xmin > box[2]
                                        or ymax < box[1] or ymin > box[3]):
                    continue
                newest = max(newest, obj.timestamp.timestamp())
                kind = "way" if obj.from_way() else "relation"
                raw.polygons.append((f"{kind}/{obj.orig_id()}", tags, shape))
            elif isinstance(obj, osmium.osm.Node):
                tags = _with_category(dict(obj.tags))
                if not (is_station(tags) or FACILITY_KEY in tags):
                    continue
                loc = obj.location
                if not loc.valid():
                    continue
                _extend(seen, loc.lon, loc.lat, loc.lon, loc.lat)
                if not (lo_x <= loc.lon <= hi_x and lo_y <= loc.lat <= hi_y):
                    continue
                newest = max(newest, obj.timestamp.timestamp())
                raw.points.append((f"node/{obj.id}", tags, loc.lon, loc.lat))
    except RuntimeError as exc:
        raise OsmFileError(
            f"{str(path)!r} could not be read to the end ({exc}): the file is truncated or "
            "corrupt; download it again (compare its checksum with the provider's .md5)"
        ) from exc
    finally:
        if collecting:
            gc.enable()
    counts = np.array([len(r) for r in ids], dtype=np.int64)
    raw.vertex_way = np.repeat(np.arange(len(ids), dtype=np.int64), counts)
    raw.vertex_id = np.fromiter((i for r in ids for i in r), np.int64, int(counts.sum()))
    raw.vertex_lonlat = np.concatenate(coords) if coords else np.empty((0, 2))
    if len(raw.vertex_lonlat):
        _extend(seen, *raw.vertex_lonlat.min(axis=0), *raw.vertex_lonlat.max(axis=0))
    raw.newest_object = _time(dt.datetime.fromtimestamp(newest, dt.UTC)) if newest else None
    if np.isfinite(seen[0]):
        raw.data_bounds = (seen[0], seen[1], seen[2], seen[3])
    return raw
