"""gisplan: geocoded layers and spatial targets of a city's five-year plan.

The embedded plan is Chengdu's 14th Five-Year Plan outline (2021-2025, with 2035
objectives). Layers are WGS84 (EPSG:4326); every measurement is made in
CGCS2000 / 3-degree Gauss-Kruger CM 105E (EPSG:4544).
"""

from importlib.metadata import PackageNotFoundError, version

from gisplan._errors import (
    AmbiguousNameError,
    CRSError,
    GeocodeError,
    GisplanError,
    LayerFileError,
    UnknownLayerError,
)
from gisplan.geocode import GeocodeResult, geocode, geocode_candidates
from gisplan.layers import layer_metadata, list_layers, load_layer

try:
    __version__ = version("gisplan")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = [
    "AmbiguousNameError",
    "CRSError",
    "GeocodeError",
    "GeocodeResult",
    "GisplanError",
    "LayerFileError",
    "UnknownLayerError",
    "__version__",
    "geocode",
    "geocode_candidates",
    "layer_metadata",
    "list_layers",
    "load_layer",
]
