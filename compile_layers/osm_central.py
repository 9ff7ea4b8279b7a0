"""Compile ``water``, ``waterways``, ``walk_edges`` and ``walk_nodes`` from the OSM extract.

Sources (ODbL-1.0, © OpenStreetMap contributors): the OSM XML extract and its filtered
water files (see :mod:`compile_layers._osm_extract`). The walking network is built
with ``osmnx.graph_from_xml``: ways that the walk filter of every gisplan reader
(``gisplan.standards.walk_filter``, osmnx's "walk" rule) excludes are dropped, the graph
is simplified, cut to the extract's ``<bounds>`` (ways that
cross it are kept whole), reduced to its largest connected component and made
undirected. Edge ``length`` is osmnx's great-circle length in metres (it differs
from a length measured in EPSG:4544 by well under 0.1 %).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pandas as pd
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
    WATERWAYS_FILE,
    add_osm_provenance,
    extract_extent,
    osm_bounds,
)
from gisplan.crs import METRIC_CRS, WGS84
from gisplan.sources import read_osm
from gisplan.standards.walk_filter import is_walkable

WATERWAY_NAMES = {
    "锦江- Jin Jiang": "锦江", "锦江（府河）": "锦江", "錦江": "锦江", "锦江": "锦江",
    "沙河": "沙河", "沙河- Sha He": "沙河",
    "Dongfeng": "东风渠", "Dongfeng Qu": "东风渠",
    "金水": "金水",
}
"""OSM waterway name -> name used here (the extract mixes Chinese, pinyin and
traditional spellings; 'Dongfeng'/'Dongfeng Qu' is the 东风渠 canal)."""
WATERWAY_INFO = {
    "锦江": ("Jinjiang River (Fu and Nan rivers)", "297;487;516;814;1875;1881;1961"),
    "沙河": ("Sha River", None),
    "东风渠": ("Dongfeng Canal", None),
    "金水": ("Jinshui River", None),
}
"""Name -> (English name, plan lines naming it)."""

@contextmanager
def _foot_tag() -> Iterator[None]:
    """Keep the ``foot`` tag while parsing (restores the osmnx setting afterwards)."""
    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = [*saved, "foot"]
    try:
        yield
    finally:
        ox.settings.useful_tags_way = saved


def walk_graph() -> nx.MultiGraph:
    """Return the undirected, connected walking network of the extract."""
    with _foot_tag():
        graph = ox.graph_from_xml(OSM_FILE, bidirectional=True, simplify=False,
                                  retain_all=True)
    graph.remove_edges_from([(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
                             if not is_walkable(d)])
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    graph = ox.simplify_graph(graph)
    min_lon, min_lat, max_lon, max_lat = osm_bounds()
    graph = ox.truncate.truncate_graph_bbox(graph, (min_lon, min_lat, max_lon, max_lat),
                                            truncate_by_edge=True)
    graph = ox.truncate.largest_component(graph, strongly=False)
    return ox.convert.to_undirected(graph)


def _joined(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, list):  # osmnx merges tag values through sets: sort them
        return ";".join(sorted({str(v) for v in value}))
    return str(value)


def walk_frames() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return (nodes, edges) of the walking network as WGS84 frames."""
    graph = walk_graph()
    degree = dict(graph.degree())
    nodes, edges = ox.convert.graph_to_gdfs(graph)
    nodes = nodes.reset_index().sort_values("osmid")
    node_frame = gpd.GeoDataFrame({
        "osmid": nodes["osmid"].astype("int64").to_numpy(),
        "degree": nodes["osmid"].map(degree).astype("int64").to_numpy(),
        "source": "osm", "precision_m": OSM_PRECISION_M,
    }, geometry=nodes.geometry.to_numpy(), crs=WGS84)
    edges = edges.reset_index().sort_values(["u", "v", "key"])
    edge_frame = gpd.GeoDataFrame({
        "u": edges["u"].astype("int64").to_numpy(),
        "v": edges["v"].astype("int64").to_numpy(),
        "key": edges["key"].astype("int64").to_numpy(),
        "osm_way_ids": [_joined(v) for v in edges["osmid"]],
        "highway": [_joined(v) for v in edges["highway"]],
        "street_name": [_joined(v) for v in edges.get("name", pd.Series(index=edges.index))],
        "length_m": edges["length"].astype(float).round(2).to_numpy(),
        "source": "osm", "precision_m": OSM_PRECISION_M,
    }, geometry=edges.geometry.to_numpy(), crs=WGS84)
    return node_frame.reset_index(drop=True), edge_frame.reset_index(drop=True)


def named_waterways() -> gpd.GeoDataFrame:
    """Return the extract's named waterways, one merged feature per river name.

    Columns: name_zh, name_en, osm_ids, waterway, plan_lines, precision_m, geometry.
    """
    ways = gpd.read_file(WATERWAYS_FILE)
    ways = ways[ways["name"].isin(list(WATERWAY_NAMES))].copy()
    ways["name_zh"] = ways["name"].map(WATERWAY_NAMES)
    records = []
    for name_zh, group in ways.groupby("name_zh", sort=True):
        group = group.sort_values("osm_id")
        merged = shapely.line_merge(shapely.union_all(group.geometry.values))
        name_en, lines = WATERWAY_INFO[name_zh]
        records.append({
            "name_zh": name_zh, "name_en": name_en,
            "osm_ids": ";".join(f"way/{i}" for i in group["osm_id"]),
            "waterway": ";".join(sorted(set(group["waterway"]))),
            "plan_lines": lines, "precision_m": OSM_PRECISION_M, "geometry": merged,
        })
    return gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)


def water_frame() -> gpd.GeoDataFrame:
    """Return the ``water`` frame: the extract's water-body polygons.

    Read from the extract with gisplan's own OSM reader (:func:`gisplan.sources.read_osm`:
    natural=water, waterway=riverbank, landuse=reservoir/basin, multipolygons assembled by
    libosmium), so that the embedded layer and an import of the same file agree; the
    polygons that meet the extract's bounds, with their area in EPSG:4544.
    """
    imported = read_osm(OSM_FILE).layers["water"]
    extract = shapely.box(*osm_bounds())
    polygons = imported[imported.geometry.intersects(extract)].copy()
    polygons["order"] = [(ids.split("/")[0], int(ids.split("/")[1].split(";")[0]))
                         for ids in polygons["osm_ids"]]
    polygons = polygons.sort_values("order")
    frame = gpd.GeoDataFrame(
        {"name_zh": list(polygons["name_zh"]), "name_en": list(polygons["name_en"]),
         "water_type": list(polygons["water_type"]), "osm_ids": list(polygons["osm_ids"])},
        geometry=list(polygons.geometry), crs=WGS84)
    frame["area_m2"] = frame.geometry.to_crs(METRIC_CRS).area.round(1)
    add_osm_provenance(frame)
    frame.insert(0, "water_id", [f"water_{i:03d}" for i in range(1, len(frame) + 1)])
    return frame


def waterways_frame() -> gpd.GeoDataFrame:
    """Return the ``waterways`` frame: merged named waterways, then the unnamed ones.

    River, canal, stream and drain centrelines, with their length in EPSG:4544.
    """
    named = named_waterways()
    ways = gpd.read_file(WATERWAYS_FILE)
    others = ways[~ways["name"].isin(list(WATERWAY_NAMES))].sort_values("osm_id")
    records = [
        {"name_zh": r.name_zh, "name_en": r.name_en, "waterway": r.waterway,
         "osm_ids": r.osm_ids, "plan_lines": r.plan_lines, "geometry": r.geometry}
        for r in named.itertuples()
    ]
    records += [
        {"name_zh": None, "name_en": None, "waterway": r.waterway,
         "osm_ids": f"way/{r.osm_id}", "plan_lines": None, "geometry": r.geometry}
        for r in others.itertuples()
    ]
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    frame["length_m"] = frame.geometry.to_crs(METRIC_CRS).length.round(1)
    add_osm_provenance(frame)
    frame.insert(0, "waterway_id", [f"waterway_{i:03d}" for i in range(1, len(frame) + 1)])
    return frame


def run(out_dir: Path) -> list[str]:
    """Compile ``water``, ``waterways``, ``walk_edges`` and ``walk_nodes`` into ``out_dir``."""
    osm_meta = {**OSM_META, "extent": extract_extent()}
    files = layer_files("water", water_frame(), {
        "title_zh": "水体（中心城区OSM样区）",
        "title_en": "Water bodies (central OSM extract)",
        "description": "Water-body polygons of the central OSM extract (2018; 104.04-104.13 "
        "E, 30.65-30.73 N plus whole ways that cross it): natural=water (lakes, ponds), "
        "waterway=riverbank and landuse=reservoir/basin. River and canal centrelines are "
        "in the 'waterways' layer (one GeoPackage layer holds one geometry family).",
        "columns": {
            "water_id": {"type": "str", "description": "water_<n>"},
            "name_zh": {"type": "str", "description": "Chinese name (null if unnamed)"},
            "name_en": {"type": "str", "description": "English name"},
            "water_type": {"type": "str", "description": "OSM water/landuse/waterway/"
                           "natural value"},
            "osm_ids": {"type": "str", "description": "OSM objects (';')"},
            "area_m2": {"type": "float", "description": "area in m2, EPSG:4544"},
            **PROVENANCE_COLUMNS, **GEOCODE_COLUMN,
        },
        "required": ["water_id"],
        "geometry_types": ["Polygon", "MultiPolygon"],
        **osm_meta,
    })
    files.update(layer_files("waterways", waterways_frame(), {
        "title_zh": "河流水系（中心城区OSM样区）",
        "title_en": "Rivers and canals (central OSM extract)",
        "description": "River, canal, stream and drain centrelines (OSM waterway) of the "
        "central OSM extract (2018; 104.04-104.13 E, 30.65-30.73 N plus whole ways that "
        "cross it). Waterways of the same river are merged into one feature (锦江 from "
        "its 锦江/锦江（府河）/錦江 pieces, 沙河, 东风渠, 金水); unnamed ones stay separate "
        "without a name. Water-body polygons are in the 'water' layer.",
        "columns": {
            "waterway_id": {"type": "str", "description": "waterway_<n>"},
            "name_zh": {"type": "str", "description": "Chinese name (null if unnamed)"},
            "name_en": {"type": "str", "description": "English name"},
            "waterway": {"type": "str", "description": "OSM waterway values (';')"},
            "osm_ids": {"type": "str", "description": "OSM ways (';')"},
            "plan_lines": {"type": "str", "description": "plan lines naming the river"},
            "length_m": {"type": "float", "description": "length in metres, EPSG:4544"},
            **PROVENANCE_COLUMNS, **GEOCODE_COLUMN,
        },
        "required": ["waterway_id"],
        "geometry_types": ["LineString", "MultiLineString"],
        **osm_meta,
    }))
    nodes, edges = walk_frames()
    network_note = (
        "Walking network of the central OSM extract (2018) built with osmnx "
        "graph_from_xml: ways the osmnx 'walk' filter excludes are dropped (motorways, "
        "cycleways, foot=no, private), the graph is simplified, cut to the extract's "
        "<bounds> (coverage_area 'central_osm_extract'; ways crossing it are kept "
        "whole), reduced to its largest connected component and made undirected. "
        "Rebuild it with walk_nodes.osmid and walk_edges u/v/key. Network analysis is "
        "only meaningful inside the extract."
    )
    files.update(layer_files("walk_edges", edges, {
        "title_zh": "步行网络（边）", "title_en": "Walking network edges (central OSM extract)",
        "description": network_note + " Edge length_m is osmnx's great-circle length.",
        "columns": {
            "u": {"type": "int", "description": "osmid of one end node"},
            "v": {"type": "int", "description": "osmid of the other end node"},
            "key": {"type": "int", "description": "key among parallel edges"},
            "osm_way_ids": {"type": "str", "description": "OSM way ids (';')"},
            "highway": {"type": "str", "description": "OSM highway values (';')"},
            "street_name": {"type": "str", "description": "OSM street name(s) (';')"},
            "length_m": {"type": "float", "description": "length in metres (great-circle)"},
            **PROVENANCE_COLUMNS,
        },
        "required": ["u", "v", "key", "length_m"],
        "geometry_types": ["LineString"],
        **osm_meta,
    }))
    files.update(layer_files("walk_nodes", nodes, {
        "title_zh": "步行网络（节点）", "title_en": "Walking network nodes (central OSM extract)",
        "description": network_note,
        "columns": {
            "osmid": {"type": "int", "description": "OSM node id (graph node key)"},
            "degree": {"type": "int", "description": "edges meeting at the node"},
            **PROVENANCE_COLUMNS,
        },
        "required": ["osmid"],
        "geometry_types": ["Point"],
        **osm_meta,
    }))
    write_files(files, out_dir)
    return sorted(files)
