"""The catalogue: layers, their metadata, extents and dates, embedded or the user's own.

Every layer has a schema and metadata (``layers/<name>.meta.json``); a user's file or an
OSM import stands in for a layer with the same columns, so analysis never asks where a
layer came from.
"""

from gisplan.catalogue.areas import load_area
from gisplan.catalogue.extent import check_extents, declare_extent
from gisplan.catalogue.layers import layer_extent, layer_metadata, list_layers, load_layer
from gisplan.catalogue.networks import load_walk_network

__all__ = ["check_extents", "declare_extent", "layer_extent", "layer_metadata",
           "list_layers", "load_area", "load_layer", "load_walk_network"]
