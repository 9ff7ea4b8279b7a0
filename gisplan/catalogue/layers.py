"""The layer catalogue: list, describe and load gisplan's compiled layers.

Each layer is a pair of files in :data:`gisplan.settings.layers_dir`:
``<name>.geojson`` (spatial layers, WGS84) or ``<name>.csv`` (attribute tables), and
``<name>.meta.json`` with its title, description, schema, sources and licence. Every
feature carries ``source`` (a short source id, explained in the metadata's
``sources``) and ``precision_m`` (its horizontal uncertainty in metres).

Any layer can be replaced by the user's own file (GeoPackage, GeoJSON, Shapefile)
through ``path=`` or :data:`gisplan.settings.layer_overrides`; the file is checked
against the layer's schema and converted to WGS84, from GCJ-02 or BD-09 where
declared. Its extent (where it is complete, see :mod:`gisplan.catalogue.extent`) is the one
declared with ``extent=``, else the convex hull of its features.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from gisplan import settings
from gisplan._errors import IncompleteDataWarning, LayerFileError, UnknownLayerError
from gisplan.catalogue._user_files import load_user_file, user_metadata
from gisplan.catalogue.dates import beyond_data_note, layer_as_of, parse_as_of
from gisplan.catalogue.extent import extent_from_record, frame_extent
from gisplan.crs import WGS84

__all__ = ["current_metadata", "layer_extent", "layer_metadata", "list_layers", "load_layer"]

PathLike = str | os.PathLike[str]

def _meta_paths() -> dict[str, Path]:
    folder = Path(settings.layers_dir)
    return {p.name.removesuffix(".meta.json"): p for p in sorted(folder.glob("*.meta.json"))}


def list_layers() -> list[str]:
    """Return the names of all layers in the catalogue, sorted.

    Returns
    -------
    list of str
        Valid names for :func:`load_layer` and :func:`layer_metadata`.
    """
    return sorted(_meta_paths())


@lru_cache(maxsize=64)
def _read_meta(path: Path, mtime: float) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def layer_metadata(name: str) -> dict[str, Any]:
    """Return a layer's metadata: titles, description, schema, sources, licence.

    Parameters
    ----------
    name : str
        A name from :func:`list_layers`.

    Returns
    -------
    dict
        Keys include ``name``, ``title_zh``, ``title_en``, ``description``, ``kind``
        (``"spatial"`` or ``"table"``), ``geometry_types``, ``columns`` (column ->
        type and description), ``required``, ``sources``, ``licence`` and
        ``attribution``.

    Raises
    ------
    UnknownLayerError
        If ``name`` is not in the catalogue; the message lists the valid names.
    """
    paths = _meta_paths()
    if name not in paths:
        raise UnknownLayerError(
            f"unknown layer {name!r}; valid layer names are: {', '.join(sorted(paths))}"
        )
    path = paths[name]
    return dict(_read_meta(path, path.stat().st_mtime))


def current_metadata(name: str) -> dict[str, Any]:
    """Return the metadata of the layer that :func:`load_layer` would give for ``name``.

    That of a frame standing in for the layer (:data:`gisplan.settings.layer_frames`,
    e.g. an OSM import) where there is one, else the catalogue's.
    """
    frame = settings.layer_frames.get(name)
    meta = None if frame is None else frame.attrs.get("gisplan")
    return dict(meta) if isinstance(meta, dict) else layer_metadata(name)


def _data_path(name: str, meta: dict[str, Any]) -> Path:
    suffix = ".csv" if meta.get("kind") == "table" else ".geojson"
    return Path(settings.layers_dir) / f"{name}{suffix}"


def _read_table(path: Path, meta: dict[str, Any]) -> pd.DataFrame:
    dtypes = {
        column: ("string" if spec.get("type") == "str" else None)
        for column, spec in meta.get("columns", {}).items()
    }
    frame = pd.read_csv(path, dtype={k: v for k, v in dtypes.items() if v}, keep_default_na=False,
                        na_values=[""])
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def load_layer(
    name: str,
    path: PathLike | None = None,
    *,
    crs: str | None = None,
    precision_m: float | None = None,
    extent: Any = None,
    as_of: str | dt.date | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Load a layer as a GeoDataFrame in EPSG:4326 (or a DataFrame for tables).

    Parameters
    ----------
    name : str
        A name from :func:`list_layers`.
    path : str or os.PathLike, optional
        A replacement file (GeoPackage, GeoJSON, Shapefile) to load instead of the
        embedded layer. Without it, :data:`gisplan.settings.layer_frames` and
        :data:`gisplan.settings.layer_overrides` are consulted, then the embedded layer
        is used.
    crs : str, optional
        The coordinate system of the replacement file when it has none or a wrong
        one: an EPSG code, ``"gcj02"`` (Amap, Tencent) or ``"bd09"`` (Baidu); the
        latter two are converted to WGS84 on load.
    precision_m : float, optional
        Horizontal uncertainty in metres (finite, >= 0) for every feature of a
        replacement file that has no ``precision_m`` column.
    extent : shapely geometry (EPSG:4326), geopandas.GeoSeries or GeoDataFrame, optional
        Where the replacement file is complete; the convex hull of its features by
        default. See :func:`gisplan.layer_extent`.
    as_of : str or datetime.date, optional
        For the rail layers (``metro_stations``, ``metro_lines``, ``rail_sections``):
        the network as it was on that day, YYYY-MM-DD
        (:func:`gisplan.catalogue.dates.layer_as_of`); before 2010-09-27 it is empty and
        ``attrs["gisplan_as_of"]["note"]`` says why.

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        The layer, with its metadata (and ``extent``) in ``.attrs["gisplan"]``.

    Raises
    ------
    UnknownLayerError
        For a name not in the catalogue (the message lists the valid names).
    LayerFileError
        For a replacement file that cannot be read or breaks the schema; the message
        lists every problem.
    CRSError
        For a replacement file without a CRS and none declared, or whose coordinates
        plainly are not in the units of its CRS (degrees declared projected, metres
        declared geographic).
    DateError
        For ``as_of`` that is not a date YYYY-MM-DD or a layer without dates.

    Warns
    -----
    GisplanWarning
        When features of a replacement file lie more than 50 km from the city (the
        extent of ``districts``).
    """
    day = parse_as_of(as_of)
    meta = layer_metadata(name)
    if path is None and name in settings.layer_frames:
        frame = settings.layer_frames[name].copy()
        attrs = settings.layer_frames[name].attrs.get("gisplan", meta)
        if day is not None:
            frame = _as_of(name, frame, day, attrs)
        frame.attrs["gisplan"] = attrs
        return frame
    if path is None and name in settings.layer_overrides:
        override = settings.layer_overrides[name]
        if isinstance(override, tuple):
            path, crs = override
        else:
            path = override
    if path is None:
        frame = _load_embedded(name, meta)
    else:
        city = layer_extent("districts")  # the embedded layer's extent, from its metadata
        frame = load_user_file(name, meta, Path(path), crs, precision_m, city)
        meta = user_metadata(meta, frame, extent)
    if day is not None:
        frame = _as_of(name, frame, day, meta)
    frame.attrs["gisplan"] = meta
    return frame


def _as_of(name: str, frame: gpd.GeoDataFrame, day: dt.date,
           meta: dict[str, Any]) -> gpd.GeoDataFrame:
    """Return the layer on ``day`` (``metro_lines`` cut to the ``rail_sections`` open then).

    A day after the data were compiled gets an :class:`~gisplan.IncompleteDataWarning`
    and the same words in ``attrs["gisplan_as_of"]["note"]``.
    """
    sections = load_layer("rail_sections") if name == "metro_lines" else None
    result = layer_as_of(name, frame, day, sections)
    beyond = beyond_data_note(name, meta, day)
    if beyond is not None:
        warnings.warn(beyond, IncompleteDataWarning, stacklevel=3)
        record = result.attrs["gisplan_as_of"]
        record["note"] = "; ".join(n for n in (record.get("note"), beyond) if n)
    return result


def layer_extent(layer: str | pd.DataFrame | gpd.GeoSeries) -> gpd.GeoSeries | None:
    """Return the polygon where a layer's data are complete.

    Parameters
    ----------
    layer : str, geopandas.GeoDataFrame or GeoSeries
        A catalogue layer name, or a frame returned by :func:`load_layer` (or given an
        extent with :func:`gisplan.declare_extent`; selections and reprojections of it
        keep the extent).

    Returns
    -------
    geopandas.GeoSeries or None
        One polygon in EPSG:4326, with ``attrs["description"]`` (what the extent is)
        and ``attrs["precision_m"]``; None for attribute tables and frames that carry
        no extent.

    Raises
    ------
    UnknownLayerError
        For a layer name not in the catalogue.

    Examples
    --------
    >>> from gisplan import layer_extent
    >>> layer_extent("parks").attrs["description"]  # doctest: +ELLIPSIS
    'the central OpenStreetMap extract...'
    """
    if isinstance(layer, str):
        return extent_from_record(layer_metadata(layer).get("extent"))
    return frame_extent(layer)


def _load_embedded(name: str, meta: dict[str, Any]) -> gpd.GeoDataFrame | pd.DataFrame:
    data_path = _data_path(name, meta)
    if not data_path.exists():
        raise LayerFileError(
            f"layer {name!r}: data file {str(data_path)!r} is missing; reinstall gisplan "
            "or point gisplan.settings.layers_dir at a folder of compiled layers"
        )
    if meta.get("kind") == "table":
        return _read_table(data_path, meta)
    frame = pyogrio.read_dataframe(data_path, datetime_as_string=True)  # dates stay YYYY-MM-DD
    list_columns = [c for c, s in meta.get("columns", {}).items() if s.get("type") == "str"]
    for column in list_columns:
        if column in frame.columns:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.set_crs(WGS84, allow_override=True)


