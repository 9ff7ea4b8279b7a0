"""The ``gisplan access`` report: one facility category or one life circle, as text or data."""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from gisplan.analysis.access import facility_coverage, life_circle_coverage
from gisplan.analysis.coverage import CoverageInputError
from gisplan.catalogue.layers import load_layer
from gisplan.standards.life_circles import CIRCLE_REQUIREMENTS, LIFE_CIRCLES, life_circle

__all__ = ["access_report", "default_radius"]


def default_radius(categories: list[str]) -> float:
    """Return the distance of the first circle whose requirements name one of ``categories``.

    1,000 m (the 15-minute circle) when no circle names them.
    """
    for requirement in CIRCLE_REQUIREMENTS:
        if set(requirement.categories) & set(categories):
            return life_circle(requirement.circle).radius_m
    return life_circle("15min").radius_m


def access_report(what: str, area: gpd.GeoDataFrame, *, method: str = "network",
                  radius: float | None = None, minutes: float | None = None,
                  residential: bool = False) -> tuple[dict[str, Any], str]:
    """Measure a category or circle over ``area``; return (report dict, text lines).

    Parameters
    ----------
    what : str
        A circle (``"5min"``, ``"10min"``, ``"15min"``) or facility categories
        (``"primary_school"``, ``"market|supermarket"``).
    area : geopandas.GeoDataFrame
        Polygons of the area.
    method : {"network", "euclidean"}, optional
        Walking or straight-line distance.
    radius, minutes : float, optional
        Distance in metres, or walking minutes (not both).
    residential : bool, optional
        Also measure over the residential land (layer ``residential_land``).

    Returns
    -------
    tuple of (dict, str)
        The report (JSON-ready) and its text form.
    """
    facilities = load_layer("facilities")
    land = load_layer("residential_land") if residential else None
    if what in {c.circle for c in LIFE_CIRCLES}:
        if minutes is not None:
            raise CoverageInputError("a life circle has its own distance; use --radius "
                                     "to override it, not --minutes")
        result = life_circle_coverage(facilities, area, what, radius=radius, method=method,
                                      residential=land)
        table = result.table
        report = {"circle": what, "rows": table.to_dict(orient="records")}
        shown = table[["category", "denominator", "share", "covered_km2", "total_km2"]].copy()
        shown["share"] = [("n/a" if s != s else f"{s:.1%}") for s in shown["share"]]
        notes = [f"note: {row.category}: {row.notes}"
                 for row in table.drop_duplicates("category").itertuples() if row.notes]
        text = "\n".join([f"life circle {what} ({method}, {table['radius_m'].iloc[0]:.0f} m, "
                          f"area {table['area'].iloc[0]}):",
                          shown.to_string(index=False, float_format=lambda v: f"{v:.2f}"),
                          *notes])
        return report, text
    categories = what.split("|")
    if radius is None and minutes is None:
        radius = default_radius(categories)
    results = {"area": facility_coverage(facilities, area, what, radius=radius,
                                         minutes=minutes, method=method)}
    if land is not None:
        results["residential land"] = facility_coverage(
            facilities, area, what, radius=radius, minutes=minutes, method=method,
            residential=land)
    report = {"categories": categories, "by_denominator": {
        key: {"share": r.share, "covered_km2": r.covered_km2, "total_km2": r.total_km2,
              "params": r.params, "notes": r.notes} for key, r in results.items()}}
    lines = []
    for key, r in results.items():
        lines.append(f"{what} within {r.params['radius_m']:.0f} m ({method}, denominator "
                     f"{key}, area {r.params['area']}): {r.share:.1%} of "
                     f"{r.total_km2:.2f} km2 ({r.covered_km2:.2f} km2 covered; "
                     f"{r.params['n_facilities']} facilities)")
        lines += [f"note: {note}" for note in r.notes]
    return report, "\n".join(lines)
