"""Interactive HTML maps."""

from gisplan.outputs.maps._maps import *  # noqa: F403
from gisplan.outputs.maps._maps import __all__ as _maps_all
from gisplan.outputs.maps.life_circles import life_circles_map

__all__ = [*_maps_all, "life_circles_map"]
