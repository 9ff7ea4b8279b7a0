"""Measurements on layers: coverage, walking access, distances, population, rail lengths.

Analysis never reads or writes files and never asks where a layer came from: it takes
frames in the catalogue's schemas and a :class:`~gisplan.network.WalkNetwork`, and
measures in the metric CRS that fits the area.
"""

from gisplan.analysis.access import LifeCircleResult, facility_coverage, life_circle_coverage
from gisplan.analysis.coverage import CoverageResult, park_coverage, station_coverage
from gisplan.analysis.distances import hexagon_grid, nearest_facility_distances
from gisplan.analysis.rail import rail_network_length, rail_route_length_km

__all__ = ["CoverageResult", "LifeCircleResult", "facility_coverage", "hexagon_grid",
           "life_circle_coverage", "nearest_facility_distances", "park_coverage",
           "rail_network_length", "rail_route_length_km", "station_coverage"]
