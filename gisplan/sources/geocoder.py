"""Offline geocoder over every named feature of the catalogue, with optional online providers.

Every spatial layer with a ``name_zh`` column is indexed under the keys produced by
:func:`gisplan._names.name_keys` (Chinese, pinyin, English, aliases of the ``aliases``
column, bracketed parts). A query returns one :class:`GeocodeResult`; when it matches
distinct places it raises :class:`~gisplan.AmbiguousNameError` whose ``candidates``
lists them, and :func:`geocode_candidates` returns every match without deciding.

Ranking: a query's exact key (no suffix stripped) is looked up first and its loose key
(站/区/市/县, station, district ... stripped) only after, so "高新区" finds the zone so
named before the station 高新; within each, the ranks of :func:`gisplan._names.name_keys`
apply (exact forms before loose ones, names before aliases, a name before its pinyin).

Lines and polygons are reduced to a point on the feature by
:func:`gisplan._footprint.point_and_radius`, the rule the layer compilers use too; the
result's precision then covers the whole feature, so a district found by name honestly
carries a precision of kilometres.
"""

from __future__ import annotations

import difflib
from typing import Literal

import geopandas as gpd
import pandas as pd

from gisplan import settings
from gisplan._errors import AmbiguousNameError, GeocodeError
from gisplan._footprint import point_and_radius
from gisplan._names import name_keys, query_keys
from gisplan.catalogue.layers import layer_metadata, list_layers, load_layer
from gisplan.crs import METRIC_CRS, WGS84
from gisplan.sources._geocode_result import GeocodeResult
from gisplan.sources._online_geocoders import online_geocode

__all__ = [
    "GeocodeResult", "clear_geocoder_cache", "geocode", "geocode_candidates",
]

Provider = Literal["offline", "nominatim", "amap"]


_INDEX_CACHE: dict[tuple, tuple[pd.DataFrame, dict[str, list[int]]]] = {}
_SAME_PLACE_M = 150.0


def clear_geocoder_cache() -> None:
    """Forget the name index (call after changing layers or overrides)."""
    _INDEX_CACHE.clear()


def _named_layers() -> list[str]:
    names = []
    for name in list_layers():
        meta = layer_metadata(name)
        if meta.get("kind") == "spatial" and "name_zh" in meta.get("columns", {}):
            names.append(name)
    return names


def _layer_entries(name: str) -> pd.DataFrame:
    frame = load_layer(name)
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if frame.empty:
        return pd.DataFrame()
    points, precision = point_and_radius(frame.geometry, frame["precision_m"].to_numpy(float))
    return pd.DataFrame({
        "layer": name,
        "name_zh": frame["name_zh"].to_numpy(),
        "name_en": frame["name_en"].to_numpy() if "name_en" in frame else None,
        "lon": points.x.to_numpy(),
        "lat": points.y.to_numpy(),
        "precision_m": precision,
        "source": frame["source"].to_numpy(),
        "geocode_method": (frame["geocode_method"].to_numpy()
                           if "geocode_method" in frame else None),
        "aliases": frame["aliases"].to_numpy() if "aliases" in frame else None,
    })


def _aliases(value: object) -> list[str]:
    return [a.strip() for a in value.split(";") if a.strip()] if isinstance(value, str) else []


def _index() -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Return the name index (one row per key and feature) and its rows per key."""
    overrides = tuple(sorted(map(str, settings.layer_overrides.items())))
    cache_key = (str(settings.layers_dir), overrides)
    if cache_key not in _INDEX_CACHE:
        entries = pd.concat([_layer_entries(n) for n in _named_layers()], ignore_index=True)
        rows = []
        for position, (zh, en, more) in enumerate(zip(
                entries["name_zh"], entries["name_en"], entries["aliases"], strict=True)):
            for key, rank in name_keys(zh, en, _aliases(more)).items():
                rows.append((key, rank, position))
        keys = pd.DataFrame(rows, columns=["key", "rank", "entry"])
        index = keys.join(entries.drop(columns="aliases"), on="entry")
        rows_of_key = {k: list(v) for k, v in index.groupby("key").indices.items()}
        _INDEX_CACHE[cache_key] = (index, rows_of_key)
    return _INDEX_CACHE[cache_key]


def _rows(key: str) -> pd.DataFrame:
    index, rows_of_key = _index()
    return index.iloc[rows_of_key.get(key, [])]


def geocode_candidates(name: str, *, layer: str | None = None) -> pd.DataFrame:
    """Return every catalogue feature matching a name, best match first.

    Parameters
    ----------
    name : str
        Chinese, pinyin or English name; case, full-width characters, brackets and
        the suffixes 站/区/市/县 do not matter.
    layer : str, optional
        Restrict the search to one layer.

    Returns
    -------
    pandas.DataFrame
        Columns ``layer, name_zh, name_en, lon, lat, precision_m, source,
        geocode_method, rank, tier``: ``tier`` 0 when the query matched without
        stripping its suffix, 1 when only its loose key matched; ``rank`` 0 when the
        feature's own name matched (see the module notes); empty when nothing matches.

    Examples
    --------
    >>> hits = geocode_candidates("xinjin")
    >>> sorted(set(hits["layer"]))
    ['districts', 'metro_stations']
    """
    exact, loose = query_keys(name) if isinstance(name, str) else ("", "")
    if not loose:
        raise GeocodeError(f"cannot geocode {name!r}: give a non-empty place name")
    if layer is not None:
        layer_metadata(layer)  # raises UnknownLayerError listing valid names
    hits = pd.concat([_rows(exact).assign(tier=0), _rows(loose).assign(tier=1)])
    if layer is not None:
        hits = hits[hits["layer"] == layer]
    hits = hits.sort_values(["tier", "rank", "precision_m"], kind="stable")
    hits = hits.drop_duplicates("entry")
    return hits.drop(columns=["key", "entry"]).reset_index(drop=True)


def closest_names(name: str, *, layer: str | None = None, n: int = 5) -> list[str]:
    """Return up to ``n`` known names closest in spelling to ``name`` (best first)."""
    index = _index()[0]
    if layer is not None:
        index = index[index["layer"] == layer]
    close = difflib.get_close_matches(query_keys(name)[1], index["key"].unique(), n=3 * n,
                                      cutoff=0.5)
    names: list[str] = []
    for key in close:
        hit = index[index["key"] == key].sort_values("rank").iloc[0]
        label = hit["name_zh"] if not _text(hit["name_en"]) else (
            f"{hit['name_zh']} ({hit['name_en']})")
        if label not in names:
            names.append(label)
    return names[:n]


def _distinct_places(best: pd.DataFrame) -> pd.DataFrame:
    """Collapse candidates that are the same place (within precision) into one."""
    points = gpd.GeoSeries(gpd.points_from_xy(best["lon"], best["lat"]), crs=WGS84)
    metric = points.to_crs(METRIC_CRS)
    keep: list[int] = []
    for i in range(len(best)):
        same = any(
            metric.iloc[i].distance(metric.iloc[j])
            <= max(_SAME_PLACE_M, best["precision_m"].iloc[j])
            for j in keep
        )
        if not same:
            keep.append(i)
    return best.iloc[keep]


def geocode(
    name: str, *, layer: str | None = None, provider: Provider = "offline"
) -> GeocodeResult:
    """Find a named place of the plan: its point, precision and the layer that matched.

    Parameters
    ----------
    name : str
        Chinese, pinyin or English name, e.g. ``"天府广场"``, ``"Tianfu Square"``,
        ``"tianfuguangchang"``, ``"锦江区"``, ``"天府新区"``.
    layer : str, optional
        Restrict the offline search to one layer (resolves ambiguous names).
    provider : {"offline", "nominatim", "amap"}
        ``"offline"`` (default) searches the catalogue. ``"nominatim"`` asks
        OpenStreetMap's Nominatim through geopy; ``"amap"`` asks Amap's geocoder with
        the key in ``$AMAP_KEY`` and converts its GCJ-02 answer to WGS84. Both need
        internet.

    Returns
    -------
    GeocodeResult
        The best match; features found in several layers at the same place count as
        one match, and the most precise one is returned.

    Raises
    ------
    AmbiguousNameError
        If the name matches distinct places; ``.candidates`` lists them.
    GeocodeError
        If nothing matches (or the online provider finds nothing); the message lists
        the closest known names.

    Examples
    --------
    >>> geocode("天府广场").layer
    'metro_stations'
    >>> geocode("Tianfu Square").name_zh
    '天府广场'
    >>> geocode("tian fu guang chang").name_zh
    '天府广场'
    >>> geocode("高新区").name_zh
    '成都高新区'
    >>> result = geocode("锦江区")
    >>> result.layer, result.precision_m > 5000
    ('districts', True)
    >>> geocode("成都东站").name_en
    'Chengdu East Railway Station'
    >>> geocode("天府国际机场").layer
    'places'
    """
    if provider != "offline":
        return online_geocode(name, provider)
    hits = geocode_candidates(name, layer=layer)
    if hits.empty:
        close = closest_names(name, layer=layer)
        finding = (f"no feature named {name!r} in the catalogue"
                   + (f" layer {layer!r}" if layer else "")
                   + (f"; closest known names: {', '.join(close)}" if close else "")
                   + "; check the spelling, try the Chinese name")
        error = GeocodeError(finding + ", or use provider='nominatim'")
        error.finding = finding
        raise error
    first = hits.iloc[0]
    best = hits[(hits["tier"] == first["tier"]) & (hits["rank"] == first["rank"])]
    places = _distinct_places(best)
    if len(places) > 1:
        listing = "; ".join(
            f"{r.name_zh} ({r.layer}, {r.lon:.5f}, {r.lat:.5f})" for r in places.itertuples()
        )
        finding = f"{name!r} matches {len(places)} different places: {listing}"
        ambiguous = AmbiguousNameError(f"{finding}. Pass layer=... or a fuller name",
                                       candidates=places.reset_index(drop=True))
        ambiguous.finding = finding
        raise ambiguous
    top = places.iloc[0]
    return GeocodeResult(
        query=name, name_zh=_text(top["name_zh"]), name_en=_text(top["name_en"]),
        lon=float(top["lon"]), lat=float(top["lat"]), precision_m=float(top["precision_m"]),
        layer=top["layer"], source=top["source"], geocode_method=_text(top["geocode_method"]),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
