"""Layers for the map tests: the catalogue plus small analysis layers where those are missing."""

import geopandas as gpd
import numpy as np

from gisplan.crs import METRIC_CRS
from gisplan.pipeline import collect_layers


def _catchments(stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    metric = stations.head(30).to_crs(METRIC_CRS)
    rows = []
    for method, radius in (("euclidean", 800.0), ("network", 550.0)):
        rows.append({"method": method, "name_zh": f"800 m ({method})", "name_en": method,
                     "source": "test", "precision_m": 20.0,
                     "geometry": metric.buffer(radius).union_all()})
    return gpd.GeoDataFrame(rows, crs=METRIC_CRS).to_crs("EPSG:4326")


def _by_district(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    shares = np.linspace(0.05, 0.95, len(districts))
    frame = districts[["name_zh", "name_en", "source", "precision_m", "geometry"]].copy()
    frame["share"] = shares
    frame["covered_km2"] = shares * 10.0
    return frame


def _parks(districts: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    centres = districts.to_crs(METRIC_CRS).representative_point().head(6)
    sizes = np.array([3000.0, 8000.0, 50000.0, 3000.0, 8000.0, 50000.0])
    classes = np.array(["small", "medium", "large"] * 2)
    parks = gpd.GeoDataFrame(
        {"name_zh": [f"公园{i}" for i in range(6)], "name_en": [f"Park {i}" for i in range(6)],
         "size_class": classes, "source": "test", "precision_m": 10.0},
        geometry=centres.buffer(np.sqrt(sizes / np.pi)).values, crs=METRIC_CRS,
    )
    areas = parks.copy()
    areas["geometry"] = parks.buffer(np.where(sizes >= 5000, 500.0, 300.0))
    return parks.to_crs("EPSG:4326"), areas.to_crs("EPSG:4326")


def map_layers() -> dict:
    """Return the catalogue layers plus stand-ins for analysis layers not yet produced."""
    layers = collect_layers()
    districts = layers["districts"]
    if "metro_stations" in layers:
        layers.setdefault("station_catchments_800m", _catchments(layers["metro_stations"]))
    layers.setdefault("coverage_by_district", _by_district(districts))
    parks, areas = _parks(districts)
    layers.setdefault("parks", parks)
    layers.setdefault("park_service_areas", areas)
    return layers
