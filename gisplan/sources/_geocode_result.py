"""The result of geocoding a name, offline or online."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

__all__ = ["GeocodeResult"]


@dataclass(frozen=True)
class GeocodeResult:
    """One geocoded place.

    Attributes
    ----------
    query : str
        The name asked for.
    name_zh, name_en : str or None
        The matched feature's names.
    lon, lat : float
        WGS84 position (a point on the feature for lines and polygons).
    precision_m : float
        Horizontal uncertainty in metres.
    layer : str
        Catalogue layer that matched, or the online provider's name.
    source : str
        Source id of the feature (see the layer's metadata).
    geocode_method : str or None
        How the feature's geometry was obtained.
    """

    query: str
    name_zh: str | None
    name_en: str | None
    lon: float
    lat: float
    precision_m: float
    layer: str
    source: str
    geocode_method: str | None = None

    @property
    def point(self) -> shapely.Point:
        """The position as a shapely Point (WGS84)."""
        return shapely.Point(self.lon, self.lat)
