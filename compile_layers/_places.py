"""Locating plan entities that no source gives coordinates for.

Four documented methods, tried in this order by the compilers:

1. ``osm_outline_point``: a point on the outline of a named OpenStreetMap feature of
   the central extract whose name is the place's own name (curated matches in the
   compilers).
2. ``metro_station_named_after_place``: the point of a station in the compiled
   ``metro_stations`` layer (read from the output folder when it exists) whose name is
   the place's name; the match list is curated, the precision given per match.
3. ``district_centroid``: the point and radius of the district polygon (or of the
   union of several districts) given by :func:`gisplan._footprint.point_and_radius`
   (the centroid, or a point on the surface when the centroid falls outside;
   ``precision_m`` the largest distance from it to the polygon, rounded up to two
   significant figures), the rule the geocoder applies to the districts layer.
   Management areas have no polygon and are replaced by the county-level units that
   contain them (:data:`MANAGEMENT_AREA_DISTRICTS`, public knowledge).
4. ``unlocated``: empty geometry when not even the district is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from gisplan._footprint import point_and_radius
from gisplan.crs import WGS84

MANAGEMENT_AREA_DISTRICTS = {
    "天府新区": ("双流区",),
    "成都高新区": ("武侯区", "双流区", "郫都区"),
    "成都东部新区": ("简阳市",),
}
"""County-level units containing each management area (public knowledge).

四川天府新区成都直管区 lies on former 双流 territory; 成都高新区's 南区 on 武侯区 and
双流区 land and its 西区 in 郫都区; 成都东部新区 was formed from 简阳市 townships.
The Amap boundaries of these units still include the management areas.
"""
MANAGEMENT_NOTE = (
    "management area without a boundary of its own: placed in the county-level "
    "unit(s) that contain it ({units})"
)


@dataclass(frozen=True)
class Placement:
    """A located (or unlocated) entity: geometry, method, precision, source, note."""

    geometry: shapely.Geometry | None
    method: str
    precision_m: float | None
    source: str
    note: str


def read_districts(out_dir: Path) -> gpd.GeoDataFrame:
    """Return the compiled ``districts`` layer from ``out_dir``, indexed by ``name_zh``."""
    path = out_dir / "districts.geojson"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; compile 'districts' first")
    frame = pyogrio.read_dataframe(path).set_crs(WGS84, allow_override=True)
    return frame.set_index("name_zh")


def read_stations(out_dir: Path) -> dict[str, shapely.Geometry]:
    """Return station name -> point from a compiled ``metro_stations`` layer, if present."""
    path = out_dir / "metro_stations.geojson"
    if not path.exists():
        return {}
    frame = pyogrio.read_dataframe(path)
    if "name_zh" not in frame.columns:
        return {}
    stations: dict[str, shapely.Geometry] = {}
    for name, geom in zip(frame["name_zh"], frame.geometry, strict=True):
        if name and geom is not None and not geom.is_empty and name not in stations:
            stations[str(name)] = geom
    return stations


def split_units(district_zh: str | None) -> tuple[list[str], list[str]]:
    """Return (county-level units, management areas replaced) for an inventory value."""
    if not district_zh:
        return [], []
    units: list[str] = []
    managed: list[str] = []
    for token in district_zh.split(";"):
        token = token.strip()
        if token in MANAGEMENT_AREA_DISTRICTS:
            managed.append(token)
            units.extend(MANAGEMENT_AREA_DISTRICTS[token])
        elif token:
            units.append(token)
    return list(dict.fromkeys(units)), managed


def _point_and_radius(polygon: shapely.Geometry) -> tuple[shapely.Point, float]:
    points, radius = point_and_radius(gpd.GeoSeries([polygon], crs=WGS84))
    return points.iloc[0], float(radius[0])


def city_radius(districts: gpd.GeoDataFrame) -> float:
    """Return the radius of the municipality about its representative point, in metres.

    This is the precision of an entity known only to be somewhere in Chengdu.
    """
    return _point_and_radius(shapely.union_all(districts.geometry.values))[1]


def unlocated(districts: gpd.GeoDataFrame, note: str) -> Placement:
    """Return an empty placement whose precision_m is the municipality's radius."""
    return Placement(None, "unlocated", city_radius(districts), "plan",
                     f"{note}; precision_m is the radius of the municipality (location "
                     "unknown within Chengdu)")


def district_placement(
    district_zh: str | None, districts: gpd.GeoDataFrame
) -> Placement:
    """Place an entity at the representative point of its district(s).

    Parameters
    ----------
    district_zh : str or None
        ';'-joined county-level units and/or management areas.
    districts : geopandas.GeoDataFrame
        The ``districts`` layer indexed by ``name_zh``.

    Returns
    -------
    Placement
        ``district_centroid`` with an honest radius, or ``unlocated`` when the
        district is unknown or outside Chengdu (e.g. 眉山市).
    """
    units, managed = split_units(district_zh)
    known = [u for u in units if u in districts.index]
    if not known:
        return unlocated(districts, "district unknown: no public site, no geometry given")
    point, radius = _point_and_radius(shapely.union_all(districts.loc[known].geometry.values))
    notes = [f"centroid (or representative point) of {'+'.join(known)}; precision_m = "
             "largest distance from the point to the boundary"]
    if managed:
        notes.append(MANAGEMENT_NOTE.format(units="+".join(
            u for m in managed for u in MANAGEMENT_AREA_DISTRICTS[m])))
    outside = [u for u in units if u not in districts.index]
    if outside:
        notes.append(f"not drawn: {'+'.join(outside)} (no polygon)")
    return Placement(point, "district_centroid", radius, "cnmaps-amap", "; ".join(notes))


def station_placement(
    station: str, precision_m: float, stations: dict[str, shapely.Geometry],
    districts: gpd.GeoDataFrame, district_zh: str | None,
) -> Placement | None:
    """Place an entity at a named station, if the station exists inside its districts.

    Returns None when the ``metro_stations`` layer is absent, lacks the station, or
    the station lies outside the entity's district(s) (a guard against name clashes).
    """
    geom = stations.get(station)
    if geom is None:
        return None
    units, _ = split_units(district_zh)
    known = [u for u in units if u in districts.index]
    if known:
        area = shapely.union_all(districts.loc[known].geometry.values)
        if not area.buffer(0.01).contains(geom):
            return None
    return Placement(
        geom, "metro_station_named_after_place", float(precision_m), "metro_stations",
        f"point of metro station {station} (named after the place); precision_m is the "
        "assumed extent of the place around the station",
    )
