"""Write layers to a GeoPackage atomically, with QGIS styles and layer metadata.

The GeoPackage is written to a temporary file in the target folder: every layer, then
a default QGIS style per spatial layer (``layer_styles``) and the layers' metadata
(``gpkg_metadata``), see :mod:`gisplan._gpkg_meta`. Only then is it moved over the
target with :func:`os.replace`, so a failed export leaves an earlier file intact and
no half-written file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from gisplan._errors import CRSError, GisplanError
from gisplan._gpkg_meta import add_layer_styles, add_metadata
from gisplan.crs import WGS84

__all__ = ["GPKG_VERSION", "write_geopackage"]

GPKG_VERSION = "1.3"
"""GeoPackage version written: the newest that QGIS 3.22's GDAL reads without warnings."""


def _write_one(path: Path, name: str, frame: pd.DataFrame) -> None:
    options = {} if path.exists() else {"dataset_options": {"VERSION": GPKG_VERSION}}
    if isinstance(frame, gpd.GeoDataFrame):
        if frame.crs is None:
            raise CRSError(f"layer {name!r} has no CRS; set it before export")
        frame = frame.to_crs(WGS84)
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", promote_to_multi=False,
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
        If there is nothing to write; any error while writing is re-raised after the
        temporary file is removed, and the target is left as it was.
    """
    if not layers:
        raise GisplanError("no layers to write; pass at least one named layer")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".gpkg",
                                        dir=target.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        for name, frame in layers.items():
            _write_one(tmp, name, frame)
        add_layer_styles(tmp, layers)
        add_metadata(tmp, layers)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
