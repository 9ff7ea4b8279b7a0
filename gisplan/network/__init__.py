"""The street-graph engine: build from arrays, snap points, multi-source distances.

Nothing here reads files or knows a layer: networks are built from coordinate arrays
(:func:`network_from_arrays`) or street lines (:func:`network_from_edges`); readers in
:mod:`gisplan.sources` and the catalogue's :func:`gisplan.load_walk_network` feed them.
"""

from gisplan.network.build import network_from_arrays, network_from_edges
from gisplan.network.graph import NODE_TOLERANCE_M, EdgeSources, WalkNetwork, node_distances

__all__ = ["NODE_TOLERANCE_M", "EdgeSources", "WalkNetwork", "network_from_arrays",
           "network_from_edges", "node_distances"]
