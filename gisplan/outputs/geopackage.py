"""Write layers to a GeoPackage atomically, with QGIS styles and layer metadata.

The GeoPackage is written to a temporary file in the target folder: every layer, then
a default QGIS style per spatial layer (``layer_styles``) and the layers' metadata
(``gpkg_metadata``), see :mod:`gisplan.outputs._gpkg_meta`. Only then is it moved over the
target with :func:`os.replace`, so a failed export leaves an earlier file intact and
no half-written file behind. Each spatial layer is written with one declared geometry
type (:func:`layer_geometry_type`), never "Unknown", because QGIS shows only one
geometry family of a GeoPackage layer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from gisplan._atomic import write_atomically
from gisplan._errors import CRSError, GisplanError
from gisplan.crs import WGS84
from gisplan.outputs._gpkg_meta import add_layer_styles, add_metadata

__all__ = ["GPKG_VERSION", "layer_geometry_type", "write_geopackage"]

GPKG_VERSION = "1.3"
"""GeoPackage version written: the newest that QGIS 3.22's GDAL reads without warnings."""


_FAMILIES = {
    "Point": "point", "MultiPoint": "point",
    "LineString": "line", "MultiLineString": "line",
    "Polygon": "polygon", "MultiPolygon": "polygon",
}
_SINGLE_TYPES = {"point": "Point", "line": "LineString", "polygon": "Polygon"}


def _declared_types(frame: gpd.GeoDataFrame) -> set[str]:
    """Return the geometry types of a layer's non-empty geometries, else of its metadata."""
    values = np.asarray(frame.geometry.values)
    present = values[~(shapely.is_missing(values) | shapely.is_empty(values))]
    if present.size:
        return set(gpd.GeoSeries(present).geom_type)
    return set(frame.attrs.get("gisplan", {}).get("geometry_types", []))


def layer_geometry_type(name: str, frame: gpd.GeoDataFrame) -> str | None:
    """Return the one GeoPackage geometry type a spatial layer is written with.

    QGIS opens a GeoPackage layer as a single geometry family, so a layer must hold
    points, lines or polygons only. Single and multi parts of one family are written
    as the multi type.

    Parameters
    ----------
    name : str
        Layer name (for messages).
    frame : geopandas.GeoDataFrame
        The layer. When every geometry is missing or empty, the types listed in
        ``frame.attrs["gisplan"]["geometry_types"]`` are used.

    Returns
    -------
    str or None
        "Point", "MultiPolygon", ... with " Z" appended for 3D data; None when
        neither the data nor the metadata name a geometry type.

    Raises
    ------
    GisplanError
        If the layer mixes geometry families or holds geometry collections.
    """
    types = _declared_types(frame)
    if not types:
        return None
    unsupported = sorted(types - set(_FAMILIES))
    if unsupported:
        raise GisplanError(
            f"layer {name!r} holds {', '.join(unsupported)} geometries, which a QGIS "
            "layer cannot show as one geometry family; explode them into points, lines "
            "or polygons and split the layer by family"
        )
    families = sorted({_FAMILIES[t] for t in types})
    if len(families) > 1:
        raise GisplanError(
            f"layer {name!r} mixes geometry families ({', '.join(families)}; types "
            f"{', '.join(sorted(types))}); one GeoPackage layer holds one geometry family "
            "in QGIS, which would show only one of them: split the layer into one layer "
            "per family"
        )
    single = _SINGLE_TYPES[families[0]]
    geometry_type = single if types == {single} else f"Multi{single}"
    if shapely.has_z(np.asarray(frame.geometry.values)).any():
        geometry_type += " Z"
    return geometry_type


def _write_one(path: Path, name: str, frame: pd.DataFrame) -> None:
    options = {} if path.exists() else {"dataset_options": {"VERSION": GPKG_VERSION}}
    if isinstance(frame, gpd.GeoDataFrame):
        if frame.crs is None:
            raise CRSError(f"layer {name!r} has no CRS; set it before export")
        geometry_type = layer_geometry_type(name, frame)
        promote = geometry_type is not None and geometry_type.startswith("Multi")
        frame = frame.to_crs(WGS84)
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG",
                                promote_to_multi=promote, geometry_type=geometry_type,
                                **options)
    else:
        pyogrio.write_dataframe(pd.DataFrame(frame), path, layer=name, driver="GPKG", **options)


def write_geopackage(layers: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write named layers into one GeoPackage with styles and metadata, atomically.

    Parameters
    ----------
    layers : mapping of str to (Geo)DataFrame
        Layer name -> data. GeoDataFrames are written in EPSG:4326; plain
        DataFrames become attribute tables. Each spatial layer gets a default QGIS
        style; metadata come from ``frame.attrs["gisplan"]`` where present.
    path : str or os.PathLike
        Target ``.gpkg`` file. It is replaced only after every layer is written.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    GisplanError
        If there is nothing to write, or a spatial layer mixes geometry families
        (:func:`layer_geometry_type`); any error while writing is re-raised after the
        temporary file is removed, and the target is left as it was.
    """
    if not layers:
        raise GisplanError("no layers to write; pass at least one named layer")

    def write(tmp: Path) -> None:
        for name, frame in layers.items():
            _write_one(tmp, name, frame)
        add_layer_styles(tmp, layers)
        add_metadata(tmp, layers)

    return write_atomically(path, write)
