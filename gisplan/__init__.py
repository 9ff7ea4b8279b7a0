"""gisplan: geocoded layers and spatial targets of a city's five-year plan.

The embedded plan is Chengdu's 14th Five-Year Plan outline (2021-2025, with 2035
objectives). Layers are WGS84 (EPSG:4326); measurements are made in a metric CRS
that fits the data: CGCS2000 / 3-degree Gauss-Kruger CM 105E (EPSG:4544) for Chengdu.

The package is layered (see the README, "Architecture"): ``standards`` and
``network`` at the bottom, then ``catalogue``, ``sources`` and ``analysis``, ``plan``,
``outputs``, ``pipeline`` and ``cli``; each imports only the layers below it. The
names below are the public API.
"""

from typing import Any

from gisplan._errors import (
    AmbiguousNameError,
    CoverageInputError,
    CRSError,
    DateError,
    GeocodeError,
    GisplanError,
    GisplanWarning,
    IncompleteDataWarning,
    LayerFileError,
    OsmAreaError,
    OsmFileError,
    PlanFileError,
    UnknownLayerError,
)
from gisplan._version import __version__
from gisplan.analysis import (
    CoverageResult,
    facility_coverage,
    life_circle_coverage,
    nearest_facility_distances,
    park_coverage,
    rail_network_length,
    station_coverage,
)
from gisplan.catalogue import (
    declare_extent,
    layer_extent,
    layer_metadata,
    list_layers,
    load_layer,
    load_walk_network,
)
from gisplan.network import WalkNetwork, network_from_edges
from gisplan.plan import TARGETS, scoreboard
from gisplan.sources import (
    GeocodeResult,
    geocode,
    geocode_candidates,
    network_from_osm,
    network_from_place,
    read_osm,
)

__all__ = [
    "TARGETS",
    "AmbiguousNameError",
    "CRSError",
    "CoverageInputError",
    "CoverageResult",
    "DateError",
    "GeocodeError",
    "GeocodeResult",
    "GisplanError",
    "GisplanWarning",
    "IncompleteDataWarning",
    "LayerFileError",
    "OsmAreaError",
    "OsmFileError",
    "PlanFileError",
    "UnknownLayerError",
    "WalkNetwork",
    "__version__",
    "declare_extent",
    "facility_coverage",
    "geocode",
    "geocode_candidates",
    "layer_extent",
    "layer_metadata",
    "life_circle_coverage",
    "list_layers",
    "load_layer",
    "load_walk_network",
    "nearest_facility_distances",
    "network_from_edges",
    "network_from_osm",
    "network_from_place",
    "park_coverage",
    "rail_network_length",
    "read_osm",
    "report",
    "scoreboard",
    "station_coverage",
]


def __getattr__(name: str) -> Any:
    """Import :func:`gisplan.report` on first use (it needs the map and chart libraries)."""
    if name == "report":
        from gisplan.pipeline.report import report

        return report
    raise AttributeError(f"module 'gisplan' has no attribute {name!r}")
