"""Online geocoding providers behind :func:`gisplan.geocode` (need internet).

* Nominatim (OpenStreetMap) through geopy; results are WGS84. Usage policy: at most
  one request per second, with an identifying user agent.
* Amap (高德) REST geocoder with the key in ``$AMAP_KEY``; results are GCJ-02 and are
  converted to WGS84. The key is never printed, logged or put into an error message.
"""

from __future__ import annotations

import json
import math
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from gisplan._errors import GeocodeError, GisplanError
from gisplan.crs import gcj02_to_wgs84
from gisplan.sources._geocode_result import GeocodeResult

__all__ = ["AMAP_KEY_VARIABLE", "online_geocode"]

AMAP_KEY_VARIABLE = "AMAP_KEY"
AMAP_URL = "https://restapi.amap.com/v3/geocode/geo"
USER_AGENT = "gisplan (spatial-planning toolkit)"
# Amap's match level -> honest horizontal uncertainty in metres.
AMAP_LEVEL_PRECISION_M = {
    "门牌号": 30.0, "兴趣点": 50.0, "单元号": 30.0, "楼栋": 30.0, "道路交叉路口": 100.0,
    "道路": 1000.0, "村庄": 1000.0, "乡镇": 5000.0, "开发区": 5000.0, "热点商圈": 1000.0,
    "区县": 10000.0, "市": 30000.0, "省": 200000.0,
}
_DEFAULT_AMAP_PRECISION_M = 5000.0


def _http_get_json(url: str, params: dict[str, str], timeout: float = 10.0) -> Any:
    request = urllib.request.Request(
        f"{url}?{urllib.parse.urlencode(params)}", headers={"User-Agent": USER_AGENT}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def _amap(name: str):
    key = os.environ.get(AMAP_KEY_VARIABLE)
    if not key:
        raise GisplanError(
            f"the Amap geocoder needs an API key in the environment variable "
            f"{AMAP_KEY_VARIABLE}; get one at the Amap open platform (lbs.amap.com)"
        )
    try:
        payload = _http_get_json(AMAP_URL, {"address": name, "city": "成都", "key": key})
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        reason = str(getattr(exc, "reason", exc)).replace(key, "***")
        raise GeocodeError(f"Amap geocoder unreachable or invalid answer: {reason}") from None
    if str(payload.get("status")) != "1" or not payload.get("geocodes"):
        info = str(payload.get("info", "no result")).replace(key, "***")
        raise GeocodeError(f"Amap found no place named {name!r} ({info})")
    best = payload["geocodes"][0]
    gcj_lon, gcj_lat = (float(v) for v in best["location"].split(","))
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    return GeocodeResult(
        query=name, name_zh=best.get("formatted_address"), name_en=None, lon=lon, lat=lat,
        precision_m=AMAP_LEVEL_PRECISION_M.get(best.get("level", ""), _DEFAULT_AMAP_PRECISION_M),
        layer="amap", source="amap", geocode_method="amap_geocoder_gcj02_converted",
    )


def _nominatim(name: str):
    try:
        from geopy.geocoders import Nominatim
    except ImportError as exc:
        raise GisplanError(
            "the Nominatim geocoder needs geopy: pip install 'gisplan[online]'"
        ) from exc
    location = Nominatim(user_agent=USER_AGENT, timeout=10).geocode(
        name, viewbox=[(30.0, 102.9), (31.5, 105.0)], bounded=False
    )
    if location is None:
        raise GeocodeError(f"Nominatim found no place named {name!r}")
    south, north, west, east = (float(v) for v in location.raw.get("boundingbox", [0, 0, 0, 0]))
    half_diagonal = 0.5 * math.hypot((north - south) * 111_000.0,
                                     (east - west) * 111_000.0 * math.cos(math.radians(north)))
    return GeocodeResult(
        query=name, name_zh=location.address, name_en=None, lon=location.longitude,
        lat=location.latitude, precision_m=max(10.0, round(half_diagonal)),
        layer="nominatim", source="osm-nominatim", geocode_method="nominatim",
    )


def online_geocode(name: str, provider: str):
    """Geocode ``name`` with an online provider (``"nominatim"`` or ``"amap"``).

    Parameters
    ----------
    name : str
        Place name.
    provider : str
        ``"nominatim"`` or ``"amap"``.

    Returns
    -------
    gisplan.sources.GeocodeResult
        WGS84 position with a precision derived from the provider's answer.
    """
    if provider == "amap":
        return _amap(name)
    if provider == "nominatim":
        return _nominatim(name)
    raise GisplanError(
        f"unknown geocoding provider {provider!r}; use 'offline', 'nominatim' or 'amap'"
    )
