"""The catalogue's walking network: the layer ``walk_edges`` as a graph."""

from __future__ import annotations

from gisplan.catalogue.layers import layer_metadata, load_layer
from gisplan.network import WalkNetwork, network_from_edges

__all__ = ["load_walk_network"]


def load_walk_network() -> WalkNetwork:
    """Return the walking network of the catalogue (layer ``walk_edges``).

    Returns
    -------
    WalkNetwork
        The embedded central-Chengdu OpenStreetMap extract (see the layer's metadata
        for its extent, date and licence), or the layer standing in for ``walk_edges``
        (a replacement file, an OSM import of ``gisplan build --osm``), in the metric
        CRS that fits it (EPSG:4544 for Chengdu).
    """
    edges = load_layer("walk_edges")
    meta = edges.attrs.get("gisplan") or layer_metadata("walk_edges")
    return network_from_edges(edges, source=meta.get("title_en", "walk_edges"))
