"""Import an OpenStreetMap file (PBF or XML, up to a country) for an area of interest.

:func:`read_osm` streams the file once with pyosmium and keeps what lies within the
area plus a margin (:data:`DEFAULT_MARGIN_M`, the largest walking reach in use), so that
stations and parks just outside the area still count and its edge is not
under-covered. It returns an :class:`OsmImport`: the project's layers in their
catalogue schemas (``walk_edges``, ``walk_nodes``, ``parks``, ``residential_land``,
``water``, ``waterways``, ``facilities``) plus ``rail_stations`` and ``cycleways``, and
the walking network built straight from the coordinate arrays
(:meth:`OsmImport.network`).

Every feature's ``source`` names the file and its OSM date (the header's
``osmosis_replication_timestamp``, else the newest object timestamp read), e.g.
``osm:sichuan-latest.osm.pbf@2026-11-30T21:21:02Z``; ``precision_m`` is
:data:`OSM_PRECISION_M` (points standing for polygons: the polygon's half-diagonal);
the layers' metadata credit © OpenStreetMap contributors (ODbL 1.0).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from gisplan._errors import GisplanError, OsmAreaError
from gisplan.catalogue.areas import load_area
from gisplan.catalogue.extent import extent_record
from gisplan.catalogue.layers import layer_metadata, list_layers
from gisplan.crs import WGS84, format_bounds, metric_crs_for
from gisplan.network import WalkNetwork, network_from_arrays
from gisplan.sources._osm_layers import (
    OSM_PRECISION_M,
    PARK_MERGE_DISTANCE_M,
    cycleways_layer,
    facilities_layer,
    keep_ways,
    parks_layer,
    polygons,
    residential_layer,
    stations_layer,
    walk_layers,
    water_layer,
    waterways_layer,
)
from gisplan.sources._osm_reader import RawOsm, file_bounds, read_raw

__all__ = [
    "DEFAULT_MARGIN_M",
    "MIN_COMPONENT_SHARE",
    "OSM_LAYERS",
    "OSM_PRECISION_M",
    "OsmImport",
    "data_box",
    "file_bounds",
    "network_from_osm",
    "read_osm",
]

DEFAULT_MARGIN_M = 1000.0
"""Margin kept around the area: the 800 m station radius plus the 50 m street access,
rounded up (park service radii are at most 500 m plus a 50 m entrance distance)."""

MIN_COMPONENT_SHARE = 0.01
"""Network components with fewer nodes than this share are left out of the network."""

OSM_LAYERS = ("walk_edges", "walk_nodes", "parks", "residential_land", "water", "waterways",
              "rail_stations", "cycleways", "facilities")
"""Layers :func:`read_osm` returns."""

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_LICENCE = "ODbL-1.0"


@dataclass
class OsmImport:
    """What :func:`read_osm` imported.

    Attributes
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        The layers of :data:`OSM_LAYERS`, in EPSG:4326, each with its metadata in
        ``attrs["gisplan"]``.
    path : pathlib.Path
        The file read.
    source : str
        The ``source`` value of every feature (file name and OSM date).
    osm_date : datetime or None
        Replication timestamp of the file, else its newest object timestamp.
    file_bounds : tuple of float or None
        The box the file's header declares (min_lon, min_lat, max_lon, max_lat).
    area : shapely.Geometry or None
        The area of interest in WGS84 (None: the whole file).
    kept : shapely.Geometry or None
        The area plus the margin, in WGS84: what was kept.
    notes : list of str
        What a reader of the results should know (partial coverage, ...).
    data_box : tuple of float or None
        Where the file's data are complete (:func:`data_box`): its bounds, or without
        them the box of its own nodes.
    """

    layers: dict[str, gpd.GeoDataFrame]
    path: Path
    source: str
    osm_date: dt.datetime | None
    file_bounds: tuple[float, float, float, float] | None
    area: shapely.Geometry | None
    kept: shapely.Geometry | None
    notes: list[str] = field(default_factory=list)
    _network_input: tuple[Any, ...] | None = field(default=None, repr=False)
    _network: WalkNetwork | None = field(default=None, repr=False)
    data_box: tuple[float, float, float, float] | None = None

    def network(self) -> WalkNetwork:
        """Return the walking network, built once from the coordinate arrays.

        Components holding under :data:`MIN_COMPONENT_SHARE` of the nodes (footways
        not joined to the streets, mapping errors) are left out, so that a station
        is never snapped onto an island of a few edges; ``walk_edges`` keeps them.
        """
        if self._network is None:
            if self._network_input is None:
                raise GisplanError("the import holds no walking network")
            xy, first, nodes, crs = self._network_input
            source = f"OpenStreetMap file {self.path.name} ({self.source})"
            self._network = network_from_arrays(xy, first, nodes, source=source, crs=crs,
                                                min_component_share=MIN_COMPONENT_SHARE)
        return self._network

    def summary(self) -> str:
        """Return a few lines: features per layer, extent and OSM date."""
        date = self.osm_date.strftime("%Y-%m-%d %H:%M UTC") if self.osm_date else "unknown"
        lines = [f"OpenStreetMap file {self.path.name}, OSM date {date}"]
        edges = self.layers["walk_edges"]
        if len(edges):
            lines.append(f"extent of the walking network: {format_bounds(edges.total_bounds)}")
        for name in OSM_LAYERS:
            frame = self.layers[name]
            extra = ""
            if name == "walk_edges":
                extra = f" ({frame['length_m'].sum() / 1000:.1f} km)"
            elif name in ("parks", "residential_land", "water") and len(frame):
                extra = f" ({frame['area_m2'].sum() / 1e6:.2f} km2)"
            lines.append(f"  {name:18s} {len(frame):8d} features{extra}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _area_wgs84(area: Any) -> shapely.Geometry:
    """Return the area of interest as one WGS84 (multi)polygon (checked by ``load_area``)."""
    return shapely.union_all(load_area(area).geometry.to_crs(WGS84).values)


def _kept_region(area: shapely.Geometry, margin_m: float) -> shapely.Geometry:
    if margin_m == 0:
        return area
    region = gpd.GeoSeries([area], crs=WGS84)
    return region.to_crs(metric_crs_for(region)).buffer(margin_m).to_crs(WGS84).iloc[0]


def _osm_date(raw: RawOsm) -> dt.datetime | None:
    return raw.replication_time or raw.newest_object


def _plain_title(title: str) -> str:
    """Return a layer title without its bracketed data, e.g. 'Everyday facilities'.

    'Everyday facilities (central OSM extract)' gives 'Everyday facilities'.
    """
    for bracket in ("（", " ("):
        if title.endswith(("）", ")")) and bracket in title:
            return title[:title.rindex(bracket)].strip()
    return title


def _meta(name: str, path: Path, source: str, description: str,
          extent: dict[str, Any] | None) -> dict[str, Any]:
    base = layer_metadata(name) if name in set(list_layers()) else {
        "name": name, "title_en": name.replace("_", " ").capitalize(), "title_zh": name}
    base.pop("extent", None)  # the embedded layer's extent is not the file's
    base.pop("data_as_of", None)
    base.pop("complete_extent", None)
    return {
        **base,
        "title_zh": f"{_plain_title(str(base['title_zh']))}（{path.name}）",
        "title_en": f"{_plain_title(str(base['title_en']))} ({path.name})",
        **({} if extent is None else {"extent": extent}),
        "description": f"Imported from the OpenStreetMap file {path.name} ({source}). "
        + description,
        "sources": [{"id": source, "title": f"OpenStreetMap file {path.name}",
                     "licence": OSM_LICENCE, "attribution": OSM_ATTRIBUTION,
                     "url": "https://www.openstreetmap.org/copyright"}],
        "licence": OSM_LICENCE,
        "attribution": OSM_ATTRIBUTION,
    }


def _import_extent(path: Path, box: tuple[float, float, float, float] | None, what: str,
                   kept: shapely.Geometry | None) -> dict[str, Any] | None:
    """Return the extent record of imported layers: the file's data box, cut to the area kept."""
    region = None if box is None else shapely.box(*box)
    if kept is not None:
        region = kept if region is None else shapely.intersection(region, kept)
    if region is None or shapely.area(region) <= 0:
        return None
    what = what + ("" if kept is None else " within the area imported")
    return extent_record(region, f"the OpenStreetMap file {path.name} ({what})")


def data_box(raw: RawOsm, bounds: tuple[float, float, float, float] | None
             ) -> tuple[tuple[float, float, float, float] | None, str]:
    """Return the box where a file's data are complete, and what it is in words.

    The bounds the header declares; without them, the box of the file's own nodes (the
    tagged nodes no way uses: an extract keeps the whole of every way crossing its edge,
    but a lone node only inside it); else the box of everything read.
    """
    if bounds is not None:
        return bounds, "its bounds"
    if raw.lone_node_bounds is not None:
        return raw.lone_node_bounds, ("the box of its own nodes, as it declares no bounds: "
                                      "the tagged nodes no way uses")
    return raw.data_bounds, "the box of all its data, as it declares no bounds"


_DESCRIPTIONS = {
    "walk_edges": "Walking network: ways the osmnx 'walk' filter keeps (no motorways, "
    "cycleways, foot=no, private, area=yes), cut at the nodes where streets branch or end "
    "(as osmnx simplify_graph), one undirected edge per street piece, every component kept. "
    "length_m is the great-circle length. Ways with a node in the area plus the margin are "
    "kept whole.",
    "walk_nodes": "Nodes where walking edges branch or end, with their degree.",
    "parks": "leisure=park/garden (公园绿地, GB/T 50563-2010 size class and service radius) and "
    "other green (landuse grass/meadow/village_green/forest, natural "
    "wood/scrub; park_green False, no radius). Pieces with the same name within "
    f"{PARK_MERGE_DISTANCE_M:.0f} m of each other are one feature.",
    "residential_land": "landuse=residential polygons (居住用地), the denominator of park "
    "service coverage in GB/T 50563.",
    "water": "natural=water, waterway=riverbank, landuse=reservoir/basin polygons.",
    "waterways": "waterway=river/canal/stream/drain centrelines, one feature per way.",
    "rail_stations": "railway=station/halt/tram_stop and public_transport=station with "
    "subway/light_rail/monorail/tram/train=yes: metro, suburban, tram and national-rail "
    "stations and stops with their names; polygons reduced to a point on their surface.",
    "cycleways": "highway=cycleway, paths/footways/tracks with bicycle=designated, and ways "
    "whose name contains 绿道 (greenway True: the Tianfu Greenway where mapped).",
    "facilities": "Everyday facilities by gisplan.standards.facilities (one table for every OSM "
    "reader); mapped areas reduced to a point on their surface (geocode_method "
    "point_on_surface, precision_m the radius about it covering the area).",
}


def read_osm(
    path: str | os.PathLike[str],
    area: Any = None,
    *,
    margin_m: float = DEFAULT_MARGIN_M,
    progress: Callable[[float], None] | None = None,
) -> OsmImport:
    """Import an OpenStreetMap file for an area of interest.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` (any size, up to a country) or ``.osm`` XML file.
    area : GeoDataFrame, GeoSeries, str or os.PathLike, optional
        The area of interest, in any CRS (it must declare one): polygons, a polygon file,
        or an ``area_id`` of the ``coverage_area`` layer. None keeps the whole file.
    margin_m : float, optional
        What lies within this many metres of the area is kept too
        (:data:`DEFAULT_MARGIN_M`); ways with a node there are kept whole.
    progress : callable, optional
        Called after each block of the file with the share of it read so far (0 to 1).

    Returns
    -------
    OsmImport
        The layers, the walking network and what the file is.

    Raises
    ------
    OsmFileError
        The file is missing, not OSM, truncated or corrupt.
    OsmAreaError
        The area lies outside the file's bounds (the message names them), or holds no
        walkable way, or is not polygons.
    CRSError
        The area has no CRS, or coordinates that do not fit its CRS.
    """
    path = Path(path)
    if not np.isfinite(margin_m) or margin_m < 0:
        raise OsmAreaError(f"margin_m must be a non-negative number of metres, got {margin_m}")
    aoi = None if area is None else _area_wgs84(area)
    bounds = file_bounds(path)
    kept = None if aoi is None else _kept_region(aoi, margin_m)
    notes = []
    if aoi is not None and bounds is not None:
        box = shapely.box(*bounds)
        if not shapely.intersects(box, aoi):
            raise OsmAreaError(
                f"the area ({format_bounds(aoi.bounds)}) lies outside the bounds of "
                f"{path.name} ({format_bounds(bounds)}); give a file that covers it or an area "
                "inside those bounds (check the area's CRS)")
        share = shapely.area(shapely.intersection(box, aoi)) / max(shapely.area(aoi), 1e-30)
        if share < 0.999:
            notes.append(f"{path.name} covers {share:.1%} of the area (file bounds "
                         f"{format_bounds(bounds)}); results outside them lack OSM data")
    raw = read_raw(path, None if kept is None else kept.bounds, progress=progress,
                   lone_nodes=bounds is None)
    date = _osm_date(raw)
    source = f"osm:{path.name}@{date.strftime('%Y-%m-%dT%H:%M:%SZ') if date else 'undated'}"
    if date is None:
        notes.append(f"{path.name} holds no replication timestamp nor object timestamps: "
                     "the OSM date is unknown")
    keep = keep_ways(raw, kept)
    edges, nodes, network_input = walk_layers(raw, keep, source)
    if not len(edges):
        extent = raw.data_bounds or bounds
        where = f" (the file's data spans {format_bounds(extent)})" if extent else ""
        inside = "the area" if aoi is not None else "the file"
        raise OsmAreaError(
            f"{inside} holds no walkable ways in {path.name}{where}; give an area the file "
            "covers with streets, or a file with highways")
    ids, tags, geoms = polygons(raw, kept)
    layers = {
        "walk_edges": edges, "walk_nodes": nodes,
        "parks": parks_layer(ids, tags, geoms, source),
        "residential_land": residential_layer(ids, tags, geoms, source),
        "water": water_layer(ids, tags, geoms, source),
        "waterways": waterways_layer(raw, keep, source),
        "rail_stations": stations_layer(raw, kept, ids, tags, geoms, source),
        "cycleways": cycleways_layer(raw, keep, source),
        "facilities": facilities_layer(raw, kept, ids, tags, geoms, source),
    }
    box, what = data_box(raw, bounds)
    if bounds is None and box is not None:
        notes.append(f"{path.name} declares no bounds: its layers are taken to be complete "
                     f"in {what} ({format_bounds(box)})")
    complete = _import_extent(path, box, what, kept)
    for name, frame in layers.items():
        frame.attrs["gisplan"] = _meta(name, path, source, _DESCRIPTIONS[name], complete)
    return OsmImport(layers, path, source, date, bounds, aoi, kept, notes, network_input,
                     data_box=box)


def network_from_osm(path: str | os.PathLike[str], area: Any = None, *,
                     margin_m: float = DEFAULT_MARGIN_M) -> WalkNetwork:
    """Return the walking network of an OpenStreetMap file, as :func:`read_osm` builds it.

    The same reader, walk filter (:mod:`gisplan.standards.walk_filter`) and build as
    ``read_osm(path, area).network()``: one way from OSM data to a network.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` or ``.osm`` file.
    area : GeoDataFrame, GeoSeries, str or os.PathLike, optional
        The area of interest (as for :func:`read_osm`); the whole file by default.
    margin_m : float, optional
        Metres kept around the area.

    Returns
    -------
    WalkNetwork
    """
    return read_osm(path, area, margin_m=margin_m).network()
