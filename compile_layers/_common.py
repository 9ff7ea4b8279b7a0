"""Shared helpers of the layer compilers: paths, deterministic writers, metadata."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from gisplan.catalogue.extent import extent_record
from gisplan.crs import METRIC_CRS, WGS84

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GISPLAN_SHARED_DIR", REPO.parent / "shared"))
RAW = SHARED / "data" / "raw"
SPEC = SHARED / "spec"
PLAN_TEXT = SHARED / "seeds" / "chengdu_14th_fyp_outline.txt"
LAYERS = REPO / "layers"

COORD_DECIMALS = 7  # about 1 cm: below every source's precision, stable across runs
EXTENT_DECIMALS = 5  # about 1 m: far below the simplification of an extent
CITY_EXTENT_TOLERANCE_M = 200.0
"""The municipality's outline is simplified within this distance for layer extents."""

PROVENANCE_COLUMNS = {
    "source": {"type": "str", "description": "short id of the source; see the layer's 'sources'"},
    "precision_m": {"type": "float", "description": "horizontal uncertainty in metres"},
}
GEOCODE_COLUMN = {
    "geocode_method": {
        "type": "str",
        "description": "how the geometry was obtained (source_coordinates, snapped_to_track, "
        "district_centroid, schematic, ...)",
    }
}

OSM_SOURCE = {
    "id": "osm",
    "title": "OpenStreetMap",
    "licence": "ODbL-1.0",
    "attribution": "© OpenStreetMap contributors",
    "url": "https://www.openstreetmap.org/copyright",
}
PLAN_SOURCE = {
    "id": "plan",
    "title": "成都市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要",
    "licence": "official document (facts: names, lists, targets)",
    "attribution": "成都市人民政府, 2021",
}


def load_inventory() -> list[dict[str, Any]]:
    """Return the entities of the plan inventory (``plan_inventory.json``)."""
    return json.loads((SPEC / "plan_inventory.json").read_text(encoding="utf-8"))["entities"]


def inventory_layer(layer: str) -> list[dict[str, Any]]:
    """Return the inventory entities of one inventory layer, in file order."""
    return [e for e in load_inventory() if e["layer"] == layer]


def _round_coords(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    if geom is None or geom.is_empty:
        return geom
    return shapely.transform(geom, lambda c: np.round(c, COORD_DECIMALS))


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if value is pd.NA:
        return None
    return value


def geojson_text(frame: gpd.GeoDataFrame) -> str:
    """Serialise a WGS84 frame as GeoJSON text, one feature per line, coordinates rounded."""
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ValueError("compiled layers are written in EPSG:4326; reproject first")
    columns = [c for c in frame.columns if c != frame.geometry.name]
    lines = []
    for row in frame.itertuples(index=False):
        record = row._asdict()
        geom = _round_coords(record.pop(frame.geometry.name))
        props = {c: _json_value(record[c]) for c in columns}
        feature = {
            "type": "Feature",
            "properties": props,
            "geometry": None if geom is None or geom.is_empty else shapely.geometry.mapping(geom),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    return (
        '{"type":"FeatureCollection","crs":{"type":"name","properties":'
        '{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[\n' + body + "\n]}\n"
    )


def csv_text(frame: pd.DataFrame) -> str:
    """Serialise an attribute table as CSV text with stable formatting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow(["" if _json_value(v) is None else _json_value(v) for v in row])
    return buffer.getvalue()


def extent_entry(polygon: shapely.Geometry, description: str,
                 precision_m: float) -> dict[str, Any]:
    """Return the ``extent`` metadata of a layer: where its data are complete.

    Parameters
    ----------
    polygon : shapely geometry
        The extent in WGS84; coordinates are rounded to :data:`EXTENT_DECIMALS`.
    description : str
        What the extent is.
    precision_m : float
        How far the polygon may stray from the real extent, in metres.
    """
    rounded = shapely.transform(polygon, lambda c: np.round(c, EXTENT_DECIMALS))
    return extent_record(shapely.make_valid(rounded), description, precision_m)


def city_extent(out_dir: Path) -> dict[str, Any]:
    """Return the extent entry of the municipality, from ``coverage_area`` in ``out_dir``."""
    areas = pyogrio.read_dataframe(out_dir / "coverage_area.geojson")
    row = areas[areas["area_id"] == "chengdu_city"].iloc[0]
    return city_extent_of(row["geometry"], float(row["precision_m"]))


def city_extent_of(city: shapely.Geometry, precision_m: float) -> dict[str, Any]:
    """Return the extent entry of the municipality from its WGS84 outline.

    ``precision_m`` is that of the outline; the simplification adds to it.
    """
    metric = gpd.GeoSeries([city], crs=WGS84).to_crs(METRIC_CRS)
    simple = metric.simplify(CITY_EXTENT_TOLERANCE_M).to_crs(WGS84).iloc[0]
    return extent_entry(
        simple,
        "the municipality of Chengdu (Amap boundary of 510100, simplified within "
        f"{CITY_EXTENT_TOLERANCE_M:.0f} m)", CITY_EXTENT_TOLERANCE_M + precision_m)


def layer_files(name: str, frame: pd.DataFrame, meta: dict[str, Any]) -> dict[str, str]:
    """Return ``{filename: text}`` for a compiled layer and its metadata.

    ``meta`` must hold title_zh, title_en, description, columns, sources, licence and
    attribution, and for spatial layers ``extent`` (where the data are complete, from
    :func:`extent_entry`); name, kind, geometry_types (for spatial layers) and
    feature_count are filled in here.
    """
    kind = "spatial" if isinstance(frame, gpd.GeoDataFrame) else "table"
    full = {"name": name, "kind": kind, **meta, "feature_count": len(frame)}
    missing = {"title_zh", "title_en", "description", "columns", "sources", "licence",
               "attribution"} - set(full)
    if missing:
        raise ValueError(f"layer {name}: metadata lacks {sorted(missing)}")
    undocumented = [c for c in frame.columns if c not in full["columns"] and c != "geometry"]
    if undocumented:
        raise ValueError(f"layer {name}: columns {undocumented} are not documented in 'columns'")
    if kind == "spatial":
        if "extent" not in full:
            raise ValueError(f"layer {name}: metadata lacks 'extent' (where it is complete)")
        if "geometry_types" not in full:
            present = frame.geometry.dropna()
            full["geometry_types"] = sorted(set(present[~present.is_empty].geom_type))
        data_name, data_text = f"{name}.geojson", geojson_text(frame)
    else:
        data_name, data_text = f"{name}.csv", csv_text(frame)
    meta_text = json.dumps(full, ensure_ascii=False, indent=1) + "\n"
    return {data_name: data_text, f"{name}.meta.json": meta_text}


def write_files(files: dict[str, str], out_dir: Path) -> None:
    """Write compiled files into ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for filename, text in files.items():
        (out_dir / filename).write_text(text, encoding="utf-8")
