"""Walking networks from an online OpenStreetMap query through osmnx (needs internet).

The query asks Overpass for the ways of gisplan's walk rule
(:func:`gisplan.standards.walk_filter.overpass_filter`, osmnx's own "walk" rule), and
the edges of the graph it returns are checked against the same rule
(:func:`~gisplan.standards.walk_filter.is_walkable`) before the network is built by
:func:`gisplan.network.network_from_edges`, as every other network is. Graphs are cached
in :data:`gisplan.settings.cache_dir`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import shapely

from gisplan import settings
from gisplan.network import WalkNetwork, network_from_edges
from gisplan.standards.walk_filter import BLOCKING_TAGS, is_walkable, overpass_filter

__all__ = ["network_from_graph", "network_from_place"]

_RULE_TAGS = ("highway", *(key for key, _ in BLOCKING_TAGS))


@contextmanager
def _rule_tags() -> Iterator[Any]:
    """Let osmnx keep every tag the walk rule reads (``foot`` is not among its defaults)."""
    import osmnx

    saved = list(osmnx.settings.useful_tags_way)
    osmnx.settings.useful_tags_way = list(dict.fromkeys([*saved, *_RULE_TAGS]))
    try:
        yield osmnx
    finally:
        osmnx.settings.useful_tags_way = saved


def network_from_graph(graph: Any, *, source: str = "osmnx graph") -> WalkNetwork:
    """Build a :class:`~gisplan.network.WalkNetwork` from an osmnx graph (projected or not).

    Edges that the walk rule excludes (where the graph holds the tags) are left out.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph as returned by osmnx (nodes with ``x``/``y``, ``crs`` graph attribute).
    source : str, optional
        Description recorded in :attr:`WalkNetwork.source`.

    Returns
    -------
    WalkNetwork
    """
    import osmnx

    edges = osmnx.graph_to_gdfs(graph, nodes=False, fill_edge_geometry=True)
    if "highway" in edges.columns:
        tags = [c for c in _RULE_TAGS if c in edges.columns]
        keep = [is_walkable({c: v for c, v in zip(tags, row, strict=True)
                             if isinstance(v, str | list)})
                for row in edges[tags].itertuples(index=False, name=None)]
        edges = edges[keep]
    return network_from_edges(edges, source=source)


def network_from_place(
    query: str | dict[str, str] | shapely.Geometry, *, cache: bool = True
) -> WalkNetwork:
    """Download a walking network from OpenStreetMap with osmnx (needs internet).

    Parameters
    ----------
    query : str, dict or shapely Polygon
        A place name or structured query for ``osmnx.graph_from_place``, or a
        WGS84 polygon for ``osmnx.graph_from_polygon``.
    cache : bool, optional
        Keep the graph (GraphML) and osmnx's HTTP cache in
        ``gisplan.settings.cache_dir``; a repeated query reads the cached graph.

    Returns
    -------
    WalkNetwork
    """
    text = query.wkt if isinstance(query, shapely.Geometry) else repr(query)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    folder = Path(settings.cache_dir) / "osmnx"
    cached = folder / f"walk_{digest}.graphml"
    with _rule_tags() as osmnx:
        if cache and cached.exists():
            return network_from_graph(osmnx.load_graphml(cached), source=f"osmnx cache {text}")
        osmnx.settings.use_cache = cache
        osmnx.settings.cache_folder = str(folder / "http")
        if isinstance(query, shapely.Geometry):
            graph = osmnx.graph_from_polygon(query, custom_filter=overpass_filter())
        else:
            graph = osmnx.graph_from_place(query, custom_filter=overpass_filter())
    if cache:
        folder.mkdir(parents=True, exist_ok=True)
        osmnx.save_graphml(graph, cached)
    return network_from_graph(graph, source=f"OpenStreetMap via osmnx: {text}")
