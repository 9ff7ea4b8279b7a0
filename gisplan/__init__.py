"""gisplan: geocoded layers and spatial targets of a city's five-year plan.

The embedded plan is Chengdu's 14th Five-Year Plan outline (2021-2025, with 2035
objectives). Layers are WGS84 (EPSG:4326); measurements are made in a metric CRS
that fits the data: CGCS2000 / 3-degree Gauss-Kruger CM 105E (EPSG:4544) for Chengdu.
"""

from importlib.metadata import PackageNotFoundError, version

from gisplan._errors import (
    AmbiguousNameError,
    CRSError,
    DateError,
    GeocodeError,
    GisplanError,
    GisplanWarning,
    IncompleteDataWarning,
    LayerFileError,
    UnknownLayerError,
)
from gisplan.analysis.access import (
    facility_coverage,
    life_circle_coverage,
    nearest_facility_distances,
)
from gisplan.analysis.coverage import (
    CoverageInputError,
    CoverageResult,
    park_coverage,
    station_coverage,
)
from gisplan.catalogue.dates import rail_network_length
from gisplan.catalogue.extent import declare_extent, layer_extent
from gisplan.catalogue.layers import layer_metadata, list_layers, load_layer
from gisplan.network.graph import (
    WalkNetwork,
    load_walk_network,
    network_from_edges,
    network_from_osm,
    network_from_place,
)
from gisplan.plan.targets import TARGETS, scoreboard
from gisplan.sources.geocode import GeocodeResult, geocode, geocode_candidates

try:
    __version__ = version("gisplan")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

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
    "scoreboard",
    "station_coverage",
]
