"""Readers that fill the catalogue's schemas: OpenStreetMap files and queries, the geocoder.

An OSM PBF or XML file (:func:`read_osm`), an online osmnx query
(:func:`network_from_place`) and the embedded layers give the same columns and the
same walking network rule, so the analysis never asks where a layer came from.
"""

from gisplan.sources._geocode_result import GeocodeResult
from gisplan.sources.geocoder import geocode, geocode_candidates
from gisplan.sources.osm import OsmImport, network_from_osm, read_osm
from gisplan.sources.osmnx_query import network_from_graph, network_from_place

__all__ = ["GeocodeResult", "OsmImport", "geocode", "geocode_candidates", "network_from_graph",
           "network_from_osm", "network_from_place", "read_osm"]
