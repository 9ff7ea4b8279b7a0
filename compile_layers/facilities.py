"""Compile ``facilities`` and ``residential_land`` from the central OSM extract.

Source: the OSM XML extract (ODbL-1.0, © OpenStreetMap contributors; see
:mod:`compile_layers._osm_extract`), read with GDAL's OSM driver (layers ``points`` and
``multipolygons``).

``facilities``
    Every node or area whose tags a rule of :data:`gisplan.standards.facilities.FACILITY_RULES` maps
    to a category (schools, clinics, markets, bus stops ...). Areas are reduced to a
    point with :func:`gisplan._footprint.point_and_radius` (their centroid, or a point
    on their surface when the centroid falls outside; ``geocode_method``
    ``point_on_surface``); their ``precision_m`` is the radius about that point that
    covers the area (at least the OSM precision), since the point stands for the site.
``residential_land``
    Areas tagged ``landuse`` in :data:`RESIDENTIAL_LANDUSE` (居住用地), with their area
    in EPSG:4544; invalid rings are repaired with ``shapely.make_valid``.

Both are complete only inside the extract's ``<bounds>`` (recorded as
``complete_extent`` in the metadata); features outside come with ways that cross it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from compile_layers._common import (
    GEOCODE_COLUMN,
    PROVENANCE_COLUMNS,
    layer_files,
    write_files,
)
from compile_layers._osm_extract import (
    OSM_FILE,
    OSM_META,
    OSM_PRECISION_M,
    extract_extent,
    osm_bounds,
)
from gisplan._footprint import point_and_radius
from gisplan.crs import METRIC_CRS, WGS84
from gisplan.standards.facilities import (
    FACILITY_CATEGORIES,
    facility_rule,
    merge_duplicates,
)

RESIDENTIAL_LANDUSE = ("residential",)
"""OSM ``landuse`` values counted as residential land (居住用地)."""

_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
_NOT_TAGS = {"osm_id", "osm_way_id", "other_tags", "geometry", "z_order"}


def _tags(row: dict[str, Any]) -> dict[str, str]:
    """Return a feature's OSM tags from GDAL's columns and its ``other_tags`` hstore."""
    tags = {k: v for k, v in row.items() if k not in _NOT_TAGS and isinstance(v, str)}
    other = row.get("other_tags")
    if isinstance(other, str):
        tags.update((k.replace('\\"', '"'), v.replace('\\"', '"'))
                    for k, v in _HSTORE.findall(other))
    return tags


def _read(layer: str) -> list[tuple[str, dict[str, str], shapely.Geometry]]:
    """Return (osm id, tags, geometry) of every feature of one GDAL OSM layer."""
    frame = pyogrio.read_dataframe(OSM_FILE, layer=layer)
    out = []
    for row in frame.to_dict("records"):
        if layer == "points":
            osm_id = f"node/{row['osm_id']}"
        elif isinstance(row.get("osm_way_id"), str):
            osm_id = f"way/{row['osm_way_id']}"
        else:
            osm_id = f"relation/{row['osm_id']}"
        out.append((osm_id, _tags(row), row["geometry"]))
    return out


def _complete_extent() -> dict[str, Any]:
    return {"bbox": list(osm_bounds()), "crs": "EPSG:4326",
            "description": "the OSM extract's <bounds>: features are complete (as mapped "
            "in OSM before July 2018) only inside this box"}


def facilities_frame() -> gpd.GeoDataFrame:
    """Return the ``facilities`` frame: one point per OSM facility, sorted by category."""
    records = []
    for layer in ("points", "multipolygons"):
        for osm_id, tags, geom in _read(layer):
            rule = facility_rule(tags)
            if rule is None or rule.category is None or geom is None or geom.is_empty:
                continue
            records.append({"name_zh": tags.get("name"), "category": rule.category,
                            "category_rule": rule.rule_id, "osm_id": osm_id,
                            "geometry": geom})
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    is_area = (frame.geometry.to_crs(METRIC_CRS).area > 0).to_numpy()
    points, radius = point_and_radius(frame.geometry, OSM_PRECISION_M)
    frame = frame.set_geometry(points.values)
    frame["source"] = "osm"
    frame["precision_m"] = radius
    frame["geocode_method"] = np.where(is_area, "point_on_surface", "source_coordinates")
    order = {c.category: i for i, c in enumerate(FACILITY_CATEGORIES)}
    frame["rank"] = frame["category"].map(order)
    frame = frame.sort_values(["rank", "osm_id"]).drop(columns="rank").reset_index(drop=True)
    frame = merge_duplicates(frame).reset_index(drop=True)
    frame.insert(0, "facility_id", [f"facility_{i:04d}" for i in range(1, len(frame) + 1)])
    return frame


def residential_frame() -> gpd.GeoDataFrame:
    """Return the ``residential_land`` frame: OSM residential landuse polygons."""
    records = [{"osm_id": osm_id, "landuse": tags["landuse"], "name_zh": tags.get("name"),
                "geometry": shapely.make_valid(geom)}
               for osm_id, tags, geom in _read("multipolygons")
               if tags.get("landuse") in RESIDENTIAL_LANDUSE and geom is not None]
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    frame = frame.explode(index_parts=False)
    frame = frame[frame.geom_type == "Polygon"]
    frame = frame.dissolve(by="osm_id", aggfunc="first", as_index=False)
    frame = frame.sort_values("osm_id").reset_index(drop=True)
    frame["area_m2"] = frame.geometry.to_crs(METRIC_CRS).area.round(1)
    frame["source"] = "osm"
    frame["precision_m"] = OSM_PRECISION_M
    frame.insert(0, "residential_id", [f"residential_{i:03d}" for i in range(1, len(frame) + 1)])
    return frame[["residential_id", "osm_id", "name_zh", "landuse", "area_m2", "source",
                  "precision_m", "geometry"]]


def run(out_dir: Path) -> list[str]:
    """Compile ``facilities`` and ``residential_land`` into ``out_dir``."""
    facilities = facilities_frame()
    counts = facilities["category"].value_counts()
    files = layer_files("facilities", facilities, {
        "title_zh": "生活圈配套设施（中心城区OSM样区）",
        "title_en": "Everyday facilities (central OSM extract)",
        "description": "Schools, kindergartens, clinics, hospitals, pharmacies, markets, "
        "shops, elderly care, culture, sports, playgrounds, bus stops, public toilets and "
        "fire stations "
        "of the central OSM extract (state before July 2018), categorised by "
        "gisplan.standards.facilities (the categories of the GB 50180-2018 life circles). Mapped "
        "areas are reduced to a point on their surface (geocode_method "
        "point_on_surface, precision_m the radius about it covering the area). OSM in 2018 "
        "held only part of Chengdu's facilities (e.g. few clinics, convenience stores "
        "and no elderly care): an absent facility is more often unmapped than missing. "
        "Counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".",
        "columns": {
            "facility_id": {"type": "str", "description": "facility_<n>"},
            "name_zh": {"type": "str", "description": "OSM name (null if unnamed)"},
            "category": {"type": "str", "description": "facility category "
                         "(gisplan.standards.facilities.FACILITY_CATEGORIES)"},
            "category_rule": {"type": "str", "description": "the rule of "
                              "gisplan.standards.facilities.FACILITY_RULES that gave it"},
            "osm_id": {"type": "str", "description": "OSM object (node/, way/, relation/); "
                       "';'-joined where one place was mapped several times (same category "
                       "and name within 150 m: gisplan.standards.facilities.merge_duplicates)"},
            **PROVENANCE_COLUMNS, **GEOCODE_COLUMN,
        },
        "required": ["category"],
        "geometry_types": ["Point"],
        "complete_extent": _complete_extent(),
        "extent": extract_extent(),
        **OSM_META,
    })
    residential = residential_frame()
    files.update(layer_files("residential_land", residential, {
        "title_zh": "居住用地（中心城区OSM样区）",
        "title_en": "Residential land (central OSM extract)",
        "description": "Areas tagged landuse=residential in the central OSM extract (state "
        "before July 2018), the denominator of GB 50180/GB/T 50563 service coverage "
        "(居住用地). OSM landuse is a mapper's outline, not the official land-use plan: "
        "many residential compounds were not outlined in 2018, and outlines may include "
        "internal roads and small shops. Polygons may overlap; union them before summing "
        "areas.",
        "columns": {
            "residential_id": {"type": "str", "description": "residential_<n>"},
            "osm_id": {"type": "str", "description": "OSM way or relation"},
            "name_zh": {"type": "str", "description": "OSM name (null if unnamed)"},
            "landuse": {"type": "str", "description": "OSM landuse value"},
            "area_m2": {"type": "float", "description": "area in m2, EPSG:4544"},
            **PROVENANCE_COLUMNS,
        },
        "required": [],
        "geometry_types": ["Polygon", "MultiPolygon"],
        "complete_extent": _complete_extent(),
        "extent": extract_extent(),
        **OSM_META,
    }))
    write_files(files, out_dir)
    return sorted(files)

