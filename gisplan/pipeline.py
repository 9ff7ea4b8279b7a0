"""The main job: every catalogue layer (and analysis output) into one GeoPackage."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from gisplan.export import write_geopackage
from gisplan.layers import list_layers, load_layer

__all__ = ["GEOPACKAGE_NAME", "build_geopackage", "collect_layers"]

GEOPACKAGE_NAME = "chengdu.gpkg"


def collect_layers() -> dict[str, pd.DataFrame]:
    """Load every catalogue layer, keyed by layer name.

    Returns
    -------
    dict of str to (Geo)DataFrame
        One entry per name in :func:`gisplan.list_layers`.
    """
    return {name: load_layer(name) for name in list_layers()}


def build_geopackage(out_dir: str | os.PathLike[str] = "build") -> Path:
    """Write ``<out_dir>/chengdu.gpkg`` with every layer.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Output folder, created if missing.

    Returns
    -------
    pathlib.Path
        Path of the GeoPackage written.
    """
    return write_geopackage(collect_layers(), Path(out_dir) / GEOPACKAGE_NAME)
