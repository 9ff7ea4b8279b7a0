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
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
import shapely

from gisplan import settings
from gisplan._errors import CRSError, GisplanWarning, LayerFileError, UnknownLayerError
from gisplan._validate import check_coordinate_units, check_layer_frame, precision
from gisplan.catalogue.dates import layer_as_of, parse_as_of
from gisplan.catalogue.extent import extent_record, features_extent, layer_extent
from gisplan.crs import WGS84, metric_crs_for, normalise_offset_system, to_wgs84

__all__ = ["layer_metadata", "list_layers", "load_layer"]

PathLike = str | os.PathLike[str]

FAR_OUTSIDE_M = 50_000.0
"""A replacement feature farther than this from Chengdu (the ``districts`` extent) is
counted in a warning: probably misplaced, or in a wrong CRS."""


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


def _read_user_file(path: Path, name: str) -> pd.DataFrame:
    if not path.exists():
        raise LayerFileError(f"layer {name!r}: file {str(path)!r} does not exist")
    try:
        info = pyogrio.read_info(path)
        frame = pyogrio.read_dataframe(path, datetime_as_string=True)  # as the embedded layers
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise LayerFileError(
            f"layer {name!r}: {str(path)!r} could not be read as GeoPackage, GeoJSON or "
            f"Shapefile ({exc}); check that the file is complete and in one of those formats"
        ) from exc
    if info.get("geometry_type") is None and not isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame)
    return frame


def _apply_crs(frame: gpd.GeoDataFrame, crs: str | None, origin: str) -> gpd.GeoDataFrame:
    if crs is None and frame.crs is None:
        raise CRSError(
            f"{origin} has no coordinate reference system. Declare it: "
            "crs='EPSG:4326' for GPS/OpenStreetMap/Tianditu data, crs='gcj02' for "
            "Amap/Gaode/Tencent data, crs='bd09' for Baidu data, or the file's EPSG code"
        )
    try:
        return to_wgs84(frame, crs)
    except CRSError:
        raise
    except Exception as exc:  # pyproj raises its own CRSError subclasses
        raise CRSError(f"{origin}: cannot use coordinate system {crs!r}: {exc}") from exc


def _fill_provenance(
    frame: pd.DataFrame, path: Path, precision_m: float | None, origin: str
) -> pd.DataFrame:
    frame = frame.copy()
    if "source" not in frame.columns:
        frame["source"] = f"user:{path.name}"
    if "precision_m" not in frame.columns:
        if precision_m is None:
            raise LayerFileError(
                f"{origin} has no 'precision_m' column. Add one (horizontal uncertainty "
                "of each feature in metres) or pass precision_m=<metres> for all features"
            )
        frame["precision_m"] = float(precision_m)
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
        When features of a replacement file lie more than :data:`FAR_OUTSIDE_M` from
        Chengdu.
    """
    day = parse_as_of(as_of)
    meta = layer_metadata(name)
    if path is None and name in settings.layer_frames:
        frame = settings.layer_frames[name].copy()
        attrs = settings.layer_frames[name].attrs.get("gisplan", meta)
        if day is not None:
            frame = layer_as_of(name, frame, day)
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
        frame = _load_user(name, meta, Path(path), crs, precision_m)
        meta = _user_meta(meta, frame, extent)
    if day is not None:
        frame = layer_as_of(name, frame, day)
    frame.attrs["gisplan"] = meta
    return frame


def _user_meta(meta: dict[str, Any], frame: pd.DataFrame, extent: Any) -> dict[str, Any]:
    """Return the metadata of a replacement file: the layer's, with its own extent."""
    meta = dict(meta)
    meta.pop("extent", None)
    if isinstance(frame, gpd.GeoDataFrame):
        record = (features_extent(frame) if extent is None
                  else extent_record(extent, "declared for the replacement file"))
        if record is not None:
            meta["extent"] = record
    return meta


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


def _is_geographic(crs: str | None, frame: gpd.GeoDataFrame, origin: str) -> bool:
    """Whether the CRS the coordinates are declared in is longitude/latitude."""
    if crs is not None and normalise_offset_system(crs) is not None:
        return True
    try:
        declared = pyproj.CRS.from_user_input(crs if crs is not None else frame.crs)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"{origin}: {crs!r} is not a coordinate system: {exc}") from exc
    return bool(declared.is_geographic)


def _warn_far_features(frame: gpd.GeoDataFrame, origin: str) -> None:
    city = layer_extent("districts")
    if city is None or not len(frame):
        return
    crs = metric_crs_for(city)
    geoms = frame.geometry.to_crs(crs).values
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    distance = shapely.distance(geoms[present], city.to_crs(crs).iloc[0])
    far = int((distance > FAR_OUTSIDE_M).sum())
    if far:
        warnings.warn(
            f"{origin}: {far} of {len(frame)} feature(s) lie more than "
            f"{FAR_OUTSIDE_M / 1000:.0f} km from Chengdu ({city.attrs['description']}); "
            "check their coordinates and the declared CRS", GisplanWarning, stacklevel=4)


def _load_user(
    name: str, meta: dict[str, Any], path: Path, crs: str | None, precision_m: float | None
) -> gpd.GeoDataFrame | pd.DataFrame:
    origin = f"file {str(path)!r} (for layer {name!r})"
    if precision_m is not None:
        precision_m = precision(precision_m, origin)
    if crs is not None and normalise_offset_system(crs) is None:
        try:
            pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as exc:
            raise CRSError(f"{origin}: {crs!r} is not a coordinate system: {exc}") from exc
    frame = _read_user_file(path, name)
    spatial = meta.get("kind") != "table" and isinstance(frame, gpd.GeoDataFrame)
    if spatial and len(frame):
        if crs is not None or frame.crs is not None:
            check_coordinate_units(frame, _is_geographic(crs, frame, origin),
                                   str(crs if crs is not None else frame.crs), origin)
        frame = _apply_crs(frame, crs, origin)
    frame = _fill_provenance(frame, path, precision_m, origin) if len(frame) else frame
    check_layer_frame(frame, meta, origin=origin)
    if "precision_m" in frame.columns:
        frame["precision_m"] = frame["precision_m"].astype(np.float64)
    if spatial and len(frame):
        _warn_far_features(frame, origin)
    return frame
