"""Package-wide settings.

Nothing here is read from the environment at import time except the two documented
variables; change the attributes at run time, e.g.
``gisplan.settings.layer_overrides["districts"] = "my_districts.gpkg"``.

Attributes
----------
layers_dir : pathlib.Path
    Folder holding the compiled layers (``<name>.geojson`` and ``<name>.meta.json``).
    Defaults to ``$GISPLAN_LAYERS_DIR``, else the ``layers/`` folder of the source
    checkout, else ``<sys.prefix>/share/gisplan/layers`` for a wheel install.
cache_dir : pathlib.Path
    Folder for downloaded data (online network queries); ``$GISPLAN_CACHE_DIR`` or
    ``~/.cache/gisplan``.
layer_overrides : dict
    Layer name -> replacement file path, or ``(path, crs)`` where ``crs`` declares the
    file's coordinate system (``"gcj02"``, ``"bd09"`` or an EPSG code). Consulted by
    :func:`gisplan.load_layer`.
layer_frames : dict
    Layer name -> (Geo)DataFrame standing in for the layer in memory (e.g. the layers
    imported from an OpenStreetMap file by ``gisplan build --osm``); consulted by
    :func:`gisplan.load_layer` before ``layer_overrides``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "layer_frames", "layer_overrides", "layers_dir"]


def _default_layers_dir() -> Path:
    env = os.environ.get("GISPLAN_LAYERS_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent / "layers"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "gisplan" / "layers"


layers_dir: Path = _default_layers_dir()
cache_dir: Path = Path(os.environ.get("GISPLAN_CACHE_DIR", Path.home() / ".cache" / "gisplan"))
layer_overrides: dict[str, str | os.PathLike[str] | tuple[str | os.PathLike[str], str]] = {}
layer_frames: dict[str, Any] = {}
