"""Checks that a frame satisfies a layer's schema; every problem is reported at once."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gisplan._errors import LayerFileError

__all__ = ["check_layer_frame"]

_TYPE_CHECKS = {
    "str": pd.api.types.is_object_dtype,
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_numeric_dtype,
    "bool": pd.api.types.is_bool_dtype,
}


def _geometry_problems(frame: gpd.GeoDataFrame, meta: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    geoms = frame.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any() and not meta.get("allow_empty_geometry", False):
        rows = list(frame.index[missing][:5])
        problems.append(
            f"{int(missing.sum())} feature(s) have no geometry (rows {rows}); "
            "drop them or give them a geometry"
        )
    present = geoms[~missing]
    allowed = set(meta.get("geometry_types", []))
    if allowed and len(present):
        found = set(shapely.get_type_id(present).tolist())
        names = {_TYPE_NAMES[t] for t in found}
        wrong = sorted(names - allowed)
        if wrong:
            problems.append(
                f"geometry type(s) {wrong} are not allowed for this layer; expected "
                f"{sorted(allowed)}"
            )
    invalid = ~shapely.is_valid(present)
    if invalid.any():
        reasons = shapely.is_valid_reason(present[invalid][:3])
        problems.append(
            f"{int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
            f"(e.g. {list(reasons)}); repair them with shapely.make_valid or QGIS "
            "'Fix geometries' and load again"
        )
    return problems


_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def check_layer_frame(
    frame: pd.DataFrame, meta: dict[str, Any], *, origin: str
) -> None:
    """Raise :class:`LayerFileError` listing every way ``frame`` breaks the layer schema.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The data read from a file.
    meta : dict
        The layer's metadata (``columns``, ``required``, ``geometry_types``, ``kind``).
    origin : str
        Where the data came from, quoted in the message.
    """
    problems: list[str] = []
    if len(frame) == 0:
        problems.append("the file holds no features")
    required = meta.get("required", [])
    missing_cols = [c for c in required if c not in frame.columns]
    if missing_cols:
        problems.append(
            f"missing required column(s) {missing_cols}; the layer needs {required}"
        )
    for column, spec in meta.get("columns", {}).items():
        if column not in frame.columns or not len(frame):
            continue
        check = _TYPE_CHECKS.get(spec.get("type", ""))
        values = frame[column].dropna()
        if check is not None and len(values) and not check(values.infer_objects().dtype):
            if spec["type"] == "str" and pd.api.types.is_string_dtype(values.dtype):
                continue
            problems.append(
                f"column {column!r} should hold {spec['type']} values, found {values.dtype}"
            )
    if meta.get("kind", "spatial") == "spatial":
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
            problems.append("the file has no geometry column; this layer needs geometries")
        elif len(frame):
            problems.extend(_geometry_problems(frame, meta))
    if problems:
        bullet = "\n  - "
        raise LayerFileError(
            f"{origin} cannot be used as layer {meta['name']!r}:{bullet}"
            + bullet.join(problems)
        )
